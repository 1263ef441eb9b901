"""Applying a fitted case-mix model to other data (a later year, another region).

The work is done by :meth:`CaseMixResult.apply
<saz_geboortezorg.model.result.CaseMixResult.apply>` through the result's
:class:`~saz_geboortezorg.model.fitted.FittedModel`; :func:`apply_model` is the same
call as a function, kept for existing callers.
"""

from __future__ import annotations

from typing import Any

from saz_geboortezorg.model.result import CaseMixResult

__all__ = ["apply_model"]


def apply_model(result: CaseMixResult, data: Any, unit: str | None = None) -> CaseMixResult:
    """Expected counts and diagnostics of a fitted model on other data:
    ``result.apply(data, unit)``.

    Parameters
    ----------
    result : CaseMixResult
        A fit without multiple imputation.
    data : Dataset or DataFrame
    unit : str, optional

    Returns
    -------
    CaseMixResult
        Same coefficients; ``table`` and ``diagnostics`` for the new data; no random
        effects.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.model import casemix
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"hospital_id": rng.choice(list("AB"), 2000),
    ...                    "parity_group": rng.choice(["0", "1"], 2000)})
    >>> df["y"] = rng.binomial(1, np.where(df.parity_group == "0", 0.3, 0.1))
    >>> spec = {"name": "d", "outcome": "y", "random_effects": False,
    ...         "covariates": {"parity_group": {"type": "categorical", "reference": "0"}}}
    >>> later = apply_model(casemix(df.iloc[:1000], spec), df.iloc[1000:])
    >>> later.table[["unit", "n"]].values.tolist()
    [['A', 494], ['B', 506]]
    """
    return result.apply(data, unit)
