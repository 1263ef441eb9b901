"""Hand-made analysis tables for the explorer tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def women() -> pd.DataFrame:
    """1,600 women in 8 regions (one hospital each), 2021-2023, with induction and
    place of birth; region R2 induces far more often."""
    rng = np.random.default_rng(7)
    n = 1600
    region = rng.choice([f"R{i}" for i in range(1, 9)], n)
    induced = rng.random(n) < np.where(region == "R2", 0.45, 0.22)
    return pd.DataFrame(
        {
            "region_id": region,
            "hospital_id": np.char.replace(region.astype(str), "R", "H"),
            # nobody moved between booking and birth in this table
            "booking_region_id": region,
            "booking_hospital_id": np.char.replace(region.astype(str), "R", "H"),
            "practice_id": rng.choice(["P1", "P2", "P3", "P4", "P5"], n),
            "birth_date": pd.Timestamp("2021-01-01")
            + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D"),
            "ga_days": 280,
            "onset": np.where(induced, "induced", "spontaneous"),
            "actual_place": rng.choice(["home", "hospital"], n, p=[0.15, 0.85]),
            "ses_quintile": rng.choice(["1", "2", "3", "4", "5"], n),
            "migration": rng.choice(["dutch", "non_european"], n, p=[0.8, 0.2]),
            "parity_group": rng.choice(["0", "1", "2+"], n),
        }
    )


@pytest.fixture
def shown(monkeypatch):
    """Record what each chart pane is asked to show instead of rendering it."""
    from saz_geboortezorg.present.chart_pane import ChartPane

    calls = []

    def update(self, chart):
        self.chart = chart
        calls.append(chart)

    monkeypatch.setattr(ChartPane, "update", update)
    return calls
