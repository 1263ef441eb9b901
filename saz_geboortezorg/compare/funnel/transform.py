"""Step 2: transform each unit's value and compute its (unadjusted) z-score.

Following Spiegelhalter (2005b, table 1) and FunnelPlotR's ``transformed_zscore``, each
data type has a variance-stabilising transformation :math:`y = g(\\text{value})`, a target
:math:`\\theta_0` on that scale and a within-unit standard error :math:`s`:

====================  ===============================  ===============================  ===========================================
data type             y                                target :math:`\\theta_0`          s
====================  ===============================  ===============================  ===========================================
SR, SHMI (log)        :math:`\\log(O/E)`                0                                :math:`1/\\sqrt{E}`
SR, CQC (square root) :math:`\\sqrt{O/E}`               1                                :math:`1/(2\\sqrt{E})`
PR (arcsine)          :math:`\\arcsin\\sqrt{O/N}`        :math:`\\arcsin\\sqrt{p_0}`        :math:`1/(2\\sqrt{N})`
RC (log, +0.5)        :math:`\\log((O+.5)/(D+.5))`      :math:`\\log(\\sum O/\\sum D)`     :math:`\\sqrt{O/(O+.5)^2 + D/(D+.5)^2}`
====================  ===============================  ===============================  ===========================================

with :math:`p_0 = \\sum O / \\sum N` and the z-score :math:`z = (y - \\theta_0)/s`. For
SHMI the z-score is written :math:`\\sqrt{E}\\log(O/E)`, the same thing. A SHMI unit
with 0 observed events has :math:`y = -\\infty` (log of 0); it is kept (its value is 0)
and, with enough units, removed by the truncation before the dispersion ratio is
estimated.

The ratio-of-counts standard error is the delta-method one of the log ratio with 0.5
added to both counts; the RC *limits* use :math:`1/(2\\sqrt{D})` instead (see
:mod:`.limits`), as FunnelPlotR does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Transformed", "transform", "target_value"]


@dataclass(frozen=True)
class Transformed:
    """Per-unit transformed values: ``y``, ``s``, the target on the transformed scale and ``z``."""

    y: np.ndarray
    s: np.ndarray
    target_transformed: float
    z: np.ndarray


def target_value(numerator: np.ndarray, denominator: np.ndarray, data_type: str) -> float:
    """The funnel's centre line on the original scale: 1 for SR, the pooled ratio otherwise.

    Examples
    --------
    >>> target_value(np.array([1.0, 3.0]), np.array([10.0, 10.0]), "PR")
    0.2
    >>> target_value(np.array([1.0, 3.0]), np.array([10.0, 10.0]), "SR")
    1.0
    """
    if data_type == "SR":
        return 1.0
    return float(np.sum(numerator) / np.sum(denominator))


def transform(
    numerator: np.ndarray, denominator: np.ndarray, data_type: str, sr_method: str = "SHMI"
) -> Transformed:
    """Transform the aggregated units and compute their unadjusted z-scores.

    Examples
    --------
    >>> t = transform(np.array([20.0]), np.array([16.0]), "SR", "SHMI")
    >>> round(float(t.z[0]), 6)  # sqrt(16) * log(20/16)
    0.892574
    """
    o = np.asarray(numerator, dtype=float)
    d = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if data_type == "SR" and sr_method == "SHMI":
            target_t = 0.0
            y = np.log(o / d)
            s = 1 / np.sqrt(d)
            z = np.sqrt(d) * np.log(o / d)
        elif data_type == "SR":
            target_t = 1.0
            y = np.sqrt(o / d)
            s = 1 / (2 * np.sqrt(d))
            z = (y - target_t) / s
        elif data_type == "PR":
            target_t = float(np.arcsin(np.sqrt(np.sum(o) / np.sum(d))))
            y = np.arcsin(np.sqrt(o / d))
            s = 1 / (2 * np.sqrt(d))
            z = (y - target_t) / s
        elif data_type == "RC":
            target_t = float(np.log(np.sum(o) / np.sum(d)))
            y = np.log((o + 0.5) / (d + 0.5))
            s = np.sqrt((o / ((o + 0.5) ** 2)) + (d / ((d + 0.5) ** 2)))
            z = (y - target_t) / s
        else:  # pragma: no cover - validated by the caller
            raise ValueError(data_type)
    return Transformed(y=y, s=s, target_transformed=target_t, z=z)
