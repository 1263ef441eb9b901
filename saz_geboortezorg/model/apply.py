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
    On the data it was fitted to, the model reproduces the fit's expected counts:

    >>> import pandas as pd
    >>> from saz_geboortezorg.model import casemix
    >>> df = pd.DataFrame({"hospital_id": list("AABBBB"), "y": [1, 0, 1, 0, 0, 1]})
    >>> res = casemix(df, {"name": "d", "outcome": "y", "random_effects": False,
    ...                    "covariates": {}})
    >>> again = apply_model(res, df)
    >>> again.table.expected.round(6).tolist(), res.table.expected.round(6).tolist()
    ([1.0, 2.0], [1.0, 2.0])
    """
    return result.apply(data, unit)
