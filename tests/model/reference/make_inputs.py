"""Write the small input data sets that make_reference.R fits (fixed seed).

Run from the repository root::

    .venv/bin/python tests/model/reference/make_inputs.py
    Rscript tests/model/reference/make_reference.R

The data are simulated here (not in R) so that Python and R fit the very same
records. 3,000 births in 12 hospitals with true hospital effects on the log-odds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261123


def make(n: int = 3000, units: int = 12, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    hospital = rng.integers(0, units, n)
    effect = rng.normal(0, 0.45, units)
    age_band = rng.choice(
        ["<20", "20_24", "25_29", "30_34", "35_39", "40+"], n, p=[0.03, 0.12, 0.3, 0.35, 0.16, 0.04]
    )
    parity = rng.choice(["0", "1", "2+"], n, p=[0.45, 0.35, 0.2])
    prev_cs = np.where(parity == "0", 0, (rng.random(n) < 0.15).astype(int))
    bmi_band = rng.choice(
        ["<18.5", "18.5_25", "25_30", "30_35", "35+", "unknown"],
        n,
        p=[0.04, 0.5, 0.25, 0.1, 0.06, 0.05],
    )
    smoking = rng.choice(["no", "yes", "unknown"], n, p=[0.85, 0.1, 0.05])
    age_eff = pd.Series(age_band).map(
        {"<20": -0.5, "20_24": -0.3, "25_29": 0.0, "30_34": 0.2, "35_39": 0.45, "40+": 0.7}
    )
    bmi_eff = pd.Series(bmi_band).map(
        {"<18.5": -0.1, "18.5_25": 0.0, "25_30": 0.2, "30_35": 0.4, "35+": 0.6, "unknown": 0.1}
    )
    lp = (
        -1.9
        + age_eff.to_numpy()
        + np.where(parity == "0", 0.0, np.where(parity == "1", -0.8, -0.9))
        + 2.2 * prev_cs
        + bmi_eff.to_numpy()
        + 0.15 * (smoking == "yes")
        + effect[hospital]
    )
    cs = rng.binomial(1, 1 / (1 + np.exp(-lp)))
    mean_cost = np.exp(8.0 + 0.5 * cs + 0.1 * (parity == "0") + 0.05 * effect[hospital])
    cost = rng.gamma(shape=4.0, scale=mean_cost / 4.0)
    return pd.DataFrame(
        {
            "hospital_id": [f"H{h + 1:02d}" for h in hospital],
            "age_band": age_band,
            "parity_group": parity,
            "prev_cs": prev_cs,
            "bmi_band": bmi_band,
            "smoking": smoking,
            "cs": cs,
            "cost_total": np.round(cost, 2),
        }
    )


def make_small_units(n: int = 2500, units: int = 40, seed: int = SEED + 1) -> pd.DataFrame:
    """Many units of very different size (some with a handful of births), small tau."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0, 1.2, units)
    unit = rng.choice(units, n, p=size / size.sum())
    effect = rng.normal(0, 0.3, units)
    age_band = rng.choice(["<25", "25_34", "35+"], n, p=[0.15, 0.65, 0.2])
    parity = rng.choice(["0", "1+"], n, p=[0.45, 0.55])
    prev_cs = np.where(parity == "0", 0, (rng.random(n) < 0.15).astype(int))
    lp = (
        -2.0
        + np.select([age_band == "<25", age_band == "35+"], [-0.3, 0.4], 0.0)
        + np.where(parity == "0", 0.0, -0.7)
        + 2.0 * prev_cs
        + effect[unit]
    )
    return pd.DataFrame(
        {
            "practice_id": [f"P{u + 1:02d}" for u in unit],
            "age_band": age_band,
            "parity_group": parity,
            "prev_cs": prev_cs,
            "cs": rng.binomial(1, 1 / (1 + np.exp(-lp))),
        }
    )


if __name__ == "__main__":
    make().to_csv(HERE / "births.csv", index=False)
    make_small_units().to_csv(HERE / "births_small_units.csv", index=False)
    print("wrote", HERE / "births.csv", HERE / "births_small_units.csv")
