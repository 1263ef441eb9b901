"""Fixtures of the case-mix tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="session")
def births() -> pd.DataFrame:
    """The 3,000 reference births (reference/births.csv) that R fitted."""
    return pd.read_csv(
        REFERENCE / "births.csv",
        dtype={"parity_group": str, "hospital_id": str, "bmi_band": str, "smoking": str},
    )
