"""The birth-weight reference the synthetic birth weights are drawn from.

Median birth weight per completed week follows the Hadlock (1991) fetal-weight curve
``ln w = 0.578 + 0.332 GA - 0.00354 GA^2`` (GA in weeks), scaled by 0.955 to Dutch birth weights (assumption), times a sex factor (boys
+2%, girls -2%) and a parity factor (nulliparae -2.5%, multiparae +1.5%): an
**assumption** of realistic shape, not the Dutch Hoftiezer curves. Weights are
log-normal around the median with sd ``SIGMA``, so p10 and p90 are
``p50 * exp(-/+1.2816 * SIGMA)`` and a baby with z-score below -1.2816 is SGA by
construction. The shipped ``birthweight_reference.csv`` (sex, parity_group,
ga_weeks, p10, p50, p90) is this table; ``saz_geboortezorg.derive.sga`` reads it.

Examples
--------
>>> ref = reference_table()
>>> row = ref[(ref.sex == "male") & (ref.parity_group == "0") & (ref.ga_weeks == 40)].iloc[0]
>>> bool(3400 < row.p50 < 3800 and row.p10 < row.p50 < row.p90)
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["reference_table", "write_reference", "lookup", "SIGMA", "Z10", "WEEKS"]

#: Log-scale sd of birth weight around the median (assumption; gives p10/p50 ~ 0.86).
SIGMA = 0.12
#: Standard-normal 10th centile.
Z10 = -1.2815516
#: Completed weeks covered by the reference (22+0 to 45+6).
WEEKS = np.arange(22, 46)
_SEX = {"male": 1.02, "female": 0.98}
_PARITY = {"0": 0.975, "1+": 1.015}


def _median(weeks: np.ndarray) -> np.ndarray:
    ga = np.minimum(weeks, 42) + 0.5  # mid-week; flat beyond 42 weeks
    return 0.955 * np.exp(0.578 + 0.332 * ga - 0.00354 * ga**2)


def reference_table() -> pd.DataFrame:
    """The reference as a DataFrame: sex, parity_group, ga_weeks, p10, p50, p90 (grams).

    Examples
    --------
    >>> reference_table().shape
    (96, 6)
    """
    rows = []
    for sex, fs in _SEX.items():
        for par, fp in _PARITY.items():
            p50 = _median(WEEKS) * fs * fp
            rows.append(
                pd.DataFrame(
                    {
                        "sex": sex,
                        "parity_group": par,
                        "ga_weeks": WEEKS,
                        "p10": np.round(p50 * np.exp(Z10 * SIGMA)).astype(int),
                        "p50": np.round(p50).astype(int),
                        "p90": np.round(p50 * np.exp(-Z10 * SIGMA)).astype(int),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def write_reference(path: str | Path) -> Path:
    """Write the reference CSV (used to build the shipped file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_reference(pathlib.Path(tempfile.mkdtemp()) / "ref.csv")
    >>> p.read_text().splitlines()[0]
    'sex,parity_group,ga_weeks,p10,p50,p90'
    """
    path = Path(path)
    reference_table().to_csv(path, index=False)
    return path


def lookup(
    sex: np.ndarray, nulliparous: np.ndarray, ga_days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """p50 and p10 (grams) for each baby, vectorised (sex 1 male, 2 female, 9 unknown).

    Unknown sex uses the mean of the two sexes.

    Examples
    --------
    >>> p50, p10 = lookup(np.array([1]), np.array([True]), np.array([280]))
    >>> int(p50[0]) > int(p10[0])
    True
    """
    weeks = np.clip(ga_days // 7, WEEKS[0], WEEKS[-1])
    base = _median(weeks)
    fs = np.where(sex == 1, _SEX["male"], np.where(sex == 2, _SEX["female"], 1.0))
    fp = np.where(nulliparous, _PARITY["0"], _PARITY["1+"])
    p50 = base * fs * fp
    return np.round(p50), np.round(p50 * np.exp(Z10 * SIGMA))
