"""Rankability, expected ranks and quartile probabilities of unit effects.

- Rankability (van Houwelingen et al.; Lingsma et al. 2010):
  ``rho = tau^2 / (tau^2 + median_j s_j^2)``, where ``s_j^2`` is the within-unit
  sampling variance of unit j's log odds. Above about 0.7 a ranking means something,
  below 0.5 it is mostly noise.
- Expected rank and the probability of being in the lowest or highest quartile:
  draws of the unit effects from their approximate posterior,
  ``b_j ~ N(b_j^, condVar_j)`` independently, ranked in each draw (rank 1 = lowest
  effect = lowest adjusted rate). The quartile has ``max(1, round(J / 4))`` units.
  A fixed seed makes the figures reproducible.

These are **empirical Bayes** figures: they condition on the estimated tau^2 and fixed
effects (plug-in), so they are more certain than the data allow when tau^2 is poorly
determined. The case-mix result flags them (``ranks_reliable``) and says so in its
notes when the rankability is below :data:`RANKABLE` (0.7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RANKABLE", "rankability", "rank_table"]

#: Rankability below which ranks and quartile probabilities are flagged as unreliable.
RANKABLE = 0.7


def rankability(tau2: float, within_var: np.ndarray) -> float:
    """``tau^2 / (tau^2 + median within-unit variance)``.

    Examples
    --------
    >>> rankability(0.1, np.array([0.05, 0.1, 0.2]))
    0.5
    """
    within = np.asarray(within_var, dtype=float)
    within = within[np.isfinite(within)]
    if within.size == 0:
        return float("nan")
    return float(tau2 / (tau2 + np.median(within)))


def rank_table(
    effects: np.ndarray,
    effect_var: np.ndarray,
    *,
    better: str = "lower",
    draws: int = 4000,
    seed: int = 20261123,
) -> pd.DataFrame:
    """Expected rank and quartile probabilities by simulation.

    Parameters
    ----------
    effects, effect_var : ndarray (J,)
        Conditional modes and conditional variances of the unit effects.
    better : str
        ``lower`` (default), ``higher`` or ``neither``: which end is called best.
    draws : int
    seed : int

    Returns
    -------
    DataFrame
        ``expected_rank`` (1 = lowest), ``p_lowest_quartile``, ``p_highest_quartile``,
        and ``p_best_quartile``/``p_worst_quartile`` (NaN when ``better`` is neither).

    Examples
    --------
    >>> t = rank_table(np.array([-1.0, 0.0, 1.0, 2.0]), np.full(4, 1e-6))
    >>> t["expected_rank"].tolist(), t["p_best_quartile"].tolist()
    ([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 0.0, 0.0])
    """
    rng = np.random.default_rng(seed)
    b = np.asarray(effects, dtype=float)
    sd = np.sqrt(np.asarray(effect_var, dtype=float))
    J = len(b)
    sims = b[None, :] + sd[None, :] * rng.standard_normal((draws, J))
    ranks = sims.argsort(axis=1).argsort(axis=1) + 1
    q = max(1, round(J / 4))
    low = (ranks <= q).mean(axis=0)
    high = (ranks > J - q).mean(axis=0)
    out = pd.DataFrame(
        {"expected_rank": ranks.mean(axis=0), "p_lowest_quartile": low, "p_highest_quartile": high}
    )
    if better == "lower":
        out["p_best_quartile"], out["p_worst_quartile"] = low, high
    elif better == "higher":
        out["p_best_quartile"], out["p_worst_quartile"] = high, low
    else:
        out["p_best_quartile"] = out["p_worst_quartile"] = np.nan
    return out
