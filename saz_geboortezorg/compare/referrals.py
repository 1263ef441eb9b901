"""Funnel plots of referral rates (care flows, *zorgstromen*) per unit.

The rates come from :func:`saz_geboortezorg.derive.flows.referral_rates`; this module
compares the units on them. (``referral_funnel`` lived in ``derive.flows`` before the
layers were enforced: see :mod:`saz_geboortezorg.layers`.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from saz_geboortezorg.compare.funnel import FunnelResult, funnel
from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.derive.flows import referral_rates

__all__ = ["referral_funnel"]


@renamed_arguments(by="unit")
def referral_funnel(
    women: pd.DataFrame,
    unit: str = "practice_id",
    moment: str = "labour",
    parity: str | None = None,
    **funnel_options: Any,
) -> FunnelResult:
    """Funnel plot of referral rates per unit (per midwifery practice by default).

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table.
    unit, moment, parity
        As :func:`referral_rates`.
    **funnel_options
        Passed to :func:`saz_geboortezorg.funnel` (e.g. ``overdispersion=False``).

    Returns
    -------
    FunnelResult
        Proportions in percent (``data_type="PR"``, ``multiplier=100``), one row per
        unit with at least one woman in the denominator.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 2_000
    >>> w = pd.DataFrame({"practice_id": rng.choice([f"P{i:02d}" for i in range(12)], n),
    ...     "start_line": 1, "referral_pregnancy": 0, "onset": "spontaneous",
    ...     "referral_labour": rng.binomial(1, 0.35, n)})
    >>> r = referral_funnel(w)
    >>> len(r.table), round(r.target * 100) in range(30, 41)
    (12, True)
    """
    rates = referral_rates(women, unit=unit, moment=moment, parity=parity)
    rates = rates.table[rates.table["denominator"] > 0]
    options = {"data_type": "PR", "multiplier": 100, **funnel_options}
    return funnel(rates, numerator="numerator", denominator="denominator", unit="unit", **options)
