"""Applying a fitted case-mix model to other data (a later year, another region).

The fixed-effects model keeps its coefficients; the new records get expected counts
from it, so O/E compares the new data with the fitting data's standard. The
calibration intercept and slope and the c-statistic on the new data say how well the
model transfers (on the fitting data they are 0, 1 and the apparent c by construction).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from saz_geboortezorg.errors import SpecError

__all__ = ["apply_model"]


def apply_model(result, data: Any, unit: str | None = None):
    """Expected counts and diagnostics of a fitted model on other data.

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
    >>> res = casemix(df.iloc[:1000], spec)
    >>> later = res.apply(df.iloc[1000:])
    >>> int(later.n), bool(abs(later.table.expected.sum() - later.table.observed.sum()) < 40)
    (1000, True)
    """
    from saz_geboortezorg.model.collapse import collapse
    from saz_geboortezorg.model.diagnostics import (
        c_statistic,
        calibration,
        calibration_deciles,
    )
    from saz_geboortezorg.model.fit import _unit_table, prepare
    from saz_geboortezorg.model.result import CaseMixResult

    fitted = result.model
    if fitted is None:
        raise SpecError("this result cannot be applied to other data (multiple imputation)")
    prep = prepare(
        data,
        result.spec,
        unit or result.unit_type,
        allow_empty_units=True,
        attribution=result.attribution,
    )
    design = prep.design
    terms = []
    for new, old in zip(design.terms, fitted["terms"], strict=True):
        cov = old.covariate
        if cov.type == "continuous" and not cov.bands:
            raise SpecError(
                f"covariate {cov.name!r}: applying a model to other data supports categorical, "
                "binary and banded covariates"
            )
        lookup = {lv: i for i, lv in enumerate(old.levels)}
        unseen = [lv for lv in new.levels if lv not in lookup]
        if unseen:
            raise SpecError(
                f"covariate {cov.name!r}: level(s) {', '.join(map(repr, unseen))} did not occur "
                "in the data the model was fitted to"
            )
        remap = np.array([lookup[lv] for lv in new.levels], dtype=np.int64)
        terms.append(type(old)(cov, old.levels, old.basis, old.columns, remap[new.codes]))
    design.terms = terms
    pats = collapse(design)
    lp = pats.X @ fitted["params"]
    mean = np.exp(lp) if prep.family == "gamma" else 1 / (1 + np.exp(-lp))
    table, overall = _unit_table(design, pats, mean, prep.family, fitted["scale"])
    diagnostics: dict[str, Any] = {}
    if prep.family == "binomial":
        diagnostics["c_statistic"] = c_statistic(mean, pats.events, pats.trials)
        diagnostics["calibration"] = calibration(lp, pats.events, pats.trials)
        diagnostics["deciles"] = calibration_deciles(mean, pats.events, pats.trials)
    return CaseMixResult(
        spec=result.spec,
        indicator=prep.label,
        unit_type=prep.unit_type,
        attribution=prep.attribution,
        family=prep.family,
        n=design.n,
        overall_rate=overall,
        table=table,
        coefficients=result.coefficients,
        random_effects=None,
        diagnostics=diagnostics,
        notes=list(prep.notes) + ["expected counts from a model fitted to other data"],
        model=None,
    )
