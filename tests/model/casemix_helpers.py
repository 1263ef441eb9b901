"""Helpers of the case-mix tests: the reference data fitted in R and how to compare."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE = Path(__file__).resolve().parent / "reference"

#: The covariates of the R reference models (see reference/make_reference.R).
MAIN_EFFECTS = {
    "age_band": {"type": "categorical", "reference": "25_29"},
    "parity_group": {"type": "categorical", "reference": "0"},
    "prev_cs": {"type": "binary"},
    "bmi_band": {"type": "categorical", "reference": "18.5_25"},
    "smoking": {"type": "categorical", "reference": "no"},
}


def reference(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name)


def r_name(term: str) -> str:
    """Our term name in R's spelling: ``age_band[<20]`` -> ``age_band<20``."""
    return term.replace("[", "").replace("]", "")


def rel_diff(a, b):
    import numpy as np

    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
