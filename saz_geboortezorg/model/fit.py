"""Fitting a case-mix spec to data: the public entry points.

``casemix(data, spec)`` and ``CaseMixModel(spec).fit(data)`` do the same:

1. pick the table (``women`` or ``births`` of a loaded Dataset, or the DataFrame
   given) and turn the outcome into one value per record: an indicator id gives the
   indicator's population, exclusions and numerator; otherwise the outcome is a 0/1
   (or, for ``family: gamma``, positive) column;
2. restrict to the spec's ``population`` and build the design (missing-data policy);
3. collapse to covariate patterns and fit the fixed-effects model (logistic, or gamma
   with log link) without the unit: its predictions summed over a unit's records are
   the unit's expected count (indirect standardisation);
4. per unit: observed, expected, O/E with an exact Poisson interval, the
   risk-standardised rate (O/E times the overall rate) and the crude rate;
5. optionally the random-intercept model (shrunken unit effects, rankability,
   expected ranks) and diagnostics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.model.collapse import collapse
from saz_geboortezorg.model.diagnostics import c_statistic, calibration, calibration_deciles
from saz_geboortezorg.model.fitted import Z95, FittedModel, oe_table
from saz_geboortezorg.model.gamma import fit_gamma
from saz_geboortezorg.model.impute import fit_imputed
from saz_geboortezorg.model.logistic import check_aliasing, check_separation, fit_logistic
from saz_geboortezorg.model.mixed import fit_random_intercept, median_odds_ratio
from saz_geboortezorg.model.prepare import TableMemo, prepare
from saz_geboortezorg.model.rank import RANKABLE, rank_table, rankability
from saz_geboortezorg.model.result import CaseMixResult, RandomEffects, coefficient_table
from saz_geboortezorg.model.spec import CaseMixSpec, load_spec
from saz_geboortezorg.model.threads import small_blas

__all__ = ["casemix", "CaseMixModel", "prepare"]


class CaseMixModel:
    """A case-mix model in lifelines style: ``CaseMixModel(spec).fit(data)``.

    Parameters
    ----------
    spec : str, Path, dict or CaseMixSpec
        A spec file, the name of a shipped spec (``"caesarean"``) or a mapping.
    unit : str, optional
        ``hospital``, ``region``, ``practice``, a column or ``all`` (default: the spec's).
    random_effects : bool, optional
        Fit the random-intercept model (default: the spec's ``random_effects``).
    strict : bool
        Raise :class:`~saz_geboortezorg.model.problems.FitError` on separation or a fit
        that does not converge (default); ``False`` warns and records the problem.
    max_iter : int
        Iterations allowed for the fixed-effects fit.
    allow_empty_units : bool
        List units without records in the population instead of raising an error.
    seed : int
        Seed of the rank simulation and of multiple imputation.
    attribution : {"booking", "birth"}, optional
        Count each record against the unit where care started (``booking``) or the
        unit responsible at birth (``birth``); default: the rule of the spec's outcome
        indicator in the catalogue (``birth`` for a plain column).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"hospital_id": rng.choice(list("ABCD"), 4000),
    ...                    "parity_group": rng.choice(["0", "1", "2+"], 4000),
    ...                    "prev_cs": rng.integers(0, 2, 4000)})
    >>> df["y"] = rng.binomial(1, 0.1 + 0.2 * df.prev_cs)
    >>> spec = {"name": "demo", "outcome": "y", "covariates": {
    ...     "parity_group": {"type": "categorical", "reference": "0"},
    ...     "prev_cs": {"type": "binary"}}}
    >>> res = CaseMixModel(spec).fit(df)
    >>> res.table[["unit", "n"]].values.tolist()
    [['A', 1064], ['B', 978], ['C', 987], ['D', 971]]
    >>> bool(abs(res.table.observed.sum() - res.table.expected.sum()) < 1e-6)
    True
    """

    def __init__(
        self,
        spec: str | Path | dict | CaseMixSpec,
        *,
        unit: str | None = None,
        random_effects: bool | None = None,
        strict: bool = True,
        max_iter: int = 100,
        allow_empty_units: bool = False,
        seed: int = 20261123,
        attribution: str | None = None,
    ):
        self.attribution = attribution
        self.spec = load_spec(spec)
        self.unit = unit
        self.random_effects = self.spec.random_effects if random_effects is None else random_effects
        self.strict = strict
        self.max_iter = max_iter
        self.allow_empty_units = allow_empty_units
        self.seed = seed

    def fit(self, data: Any, *, memo: TableMemo | None = None) -> CaseMixResult:
        """Fit to a DataFrame or a loaded Dataset; returns a :class:`CaseMixResult`.

        ``memo``: the analysed table's :class:`~saz_geboortezorg.model.prepare.TableMemo`
        when several models are fitted to it (outcomes and covariate codes are then
        computed once for all of them)."""
        prep = prepare(
            data,
            self.spec,
            self.unit,
            allow_empty_units=self.allow_empty_units,
            attribution=self.attribution,
            memo=memo,
        )
        # The collapsed problems are small; see saz_geboortezorg.model.threads.
        with small_blas(0, 0):
            if self.spec.missing == "impute":
                return fit_imputed(self, prep)
            return self._fit_prepared(prep)

    # The pieces, reused by multiple imputation -------------------------------------
    def _fixed(self, prep, design, problems):
        pats = collapse(design)
        names = design.names
        check_aliasing(pats.X, names, self.strict, problems)
        if prep.family == "binomial":
            check_separation(
                design, pats.codes, pats.events, pats.trials, prep.label, self.strict, problems
            )
            fit = fit_logistic(
                pats.X,
                pats.events,
                pats.trials,
                names,
                max_iter=self.max_iter,
                strict=self.strict,
                problems=problems,
            )
        else:
            fit = fit_gamma(
                pats.X,
                pats.events,
                pats.sumsq,
                pats.trials,
                names,
                max_iter=self.max_iter,
                strict=self.strict,
                problems=problems,
            )
        return pats, fit

    def _mixed(self, prep, design, pats, fit, problems):
        return fit_random_intercept(
            pats.X,
            pats.cell_pattern,
            pats.cell_unit,
            pats.cell_events,
            pats.cell_trials,
            len(design.unit_labels),
            design.names,
            start=fit.params,
            strict=self.strict,
            problems=problems,
        )

    def _random_table(self, design, mixed, better) -> RandomEffects:
        se = np.sqrt(mixed.effect_var)
        table = pd.DataFrame(
            {
                "unit": design.unit_labels,
                "effect": mixed.effects,
                "se": se,
                "odds_ratio": np.exp(mixed.effects),
                "or_lcl95": np.exp(mixed.effects - Z95 * se),
                "or_ucl95": np.exp(mixed.effects + Z95 * se),
                "or_lcl95_conditional": np.exp(mixed.effects - Z95 * se),
                "or_ucl95_conditional": np.exp(mixed.effects + Z95 * se),
            }
        )
        integ = mixed.integration
        interval = "conditional (plug-in tau^2 and fixed effects)"
        if integ is not None:
            # The honest intervals: integrated over tau and the fixed effects.
            table["or_lcl95"] = np.exp(integ.quantiles(0.025))
            table["or_ucl95"] = np.exp(integ.quantiles(0.975))
            table["effect_posterior_mean"] = integ.posterior_mean
            table["se_posterior"] = integ.posterior_sd
            interval = f"integrated over tau ({integ.prior}) and the fixed effects"
        ranks = rank_table(mixed.effects, mixed.effect_var, better=better, seed=self.seed)
        table = pd.concat([table, ranks], axis=1)
        rho = rankability(mixed.tau2, mixed.within_var)
        lo = integ.tau2_lcl95 if integ is not None else float("nan")
        hi = integ.tau2_ucl95 if integ is not None else float("nan")
        return RandomEffects(
            tau2=mixed.tau2,
            rankability=rho,
            table=table,
            coefficients=coefficient_table(mixed.names, mixed.params, mixed.se)[
                ["term", "estimate", "se"]
            ],
            loglik=mixed.loglik,
            tau2_lcl95=lo,
            tau2_ucl95=hi,
            tau2_p_zero=integ.p_zero if integ is not None else float("nan"),
            tau2_posterior_median=integ.tau2_quantiles(0.5) if integ is not None else float("nan"),
            median_odds_ratio=median_odds_ratio(mixed.tau2),
            mor_lcl95=median_odds_ratio(lo) if np.isfinite(lo) else float("nan"),
            mor_ucl95=median_odds_ratio(hi) if np.isfinite(hi) else float("nan"),
            interval_method=interval,
            ranks_reliable=bool(rho >= RANKABLE),
        )

    def _diagnostics(self, prep, pats, fit) -> dict[str, Any]:
        out: dict[str, Any] = {"iterations": fit.iterations}
        if prep.family == "binomial":
            out["c_statistic"] = c_statistic(fit.fitted, pats.events, pats.trials)
            lp = pats.X @ fit.params
            out["calibration"] = calibration(lp, pats.events, pats.trials)
            out["deciles"] = calibration_deciles(fit.fitted, pats.events, pats.trials)
        else:
            out["dispersion"] = fit.scale
        return out

    def _fit_prepared(self, prep) -> CaseMixResult:
        problems: list[str] = []
        design = prep.design
        pats, fit = self._fixed(prep, design, problems)
        table, overall, variance = oe_table(
            design, pats, fit.fitted, prep.family, fit.scale, with_variance=True
        )
        coefs = coefficient_table(fit.names, fit.params, fit.se)
        random = None
        notes = list(prep.notes)
        if self.random_effects and prep.family == "binomial":
            if len(design.unit_labels) < 2:
                notes.append("random effects need at least two units; not fitted")
            else:
                mixed = self._mixed(prep, design, pats, fit, problems)
                notes += mixed.notes
                random = self._random_table(design, mixed, prep.better)
                notes += random.rank_notes()
        elif self.random_effects and prep.family == "gamma":
            notes.append("random effects are fitted for 0/1 outcomes only; not for amounts")
        return CaseMixResult(
            spec=self.spec,
            **prep.result_fields(),
            n=design.n,
            overall_rate=overall,
            table=table,
            coefficients=coefs,
            random_effects=random,
            diagnostics=self._diagnostics(prep, pats, fit),
            problems=problems,
            notes=notes,
            model=FittedModel.from_fit(self.spec, prep, design, fit, problems, patterns=pats),
            variance=variance,
        )


def casemix(
    data: Any,
    spec: str | Path | dict | CaseMixSpec,
    unit: str | None = None,
    *,
    memo: TableMemo | None = None,
    **options: Any,
) -> CaseMixResult:
    """Case-mix adjusted comparison of units.

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded :class:`saz_geboortezorg.io.Dataset` or an analysis table (one row per
        woman or birth) with the outcome and the spec's covariate columns.
    spec : str, Path, dict or CaseMixSpec
        A spec file, a shipped spec name (``"caesarean"``) or a mapping.
    unit : str, optional
        ``hospital``, ``region``, ``practice``, a column or ``all`` (default: the spec's).
    memo : TableMemo, optional
        The analysed table's :class:`~saz_geboortezorg.model.prepare.TableMemo`, shared
        by several models on the same table (see :meth:`CaseMixModel.fit`).
    **options
        Passed to :class:`CaseMixModel` (``random_effects``, ``strict``, ``seed``,
        ``attribution``, ...).

    Returns
    -------
    CaseMixResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> df = pd.DataFrame({"hospital_id": rng.choice(["A", "B", "C"], 3000),
    ...                    "age_band": rng.choice(["20_24", "25_29", "30_34"], 3000)})
    >>> df["cs"] = rng.binomial(1, 0.15, 3000)
    >>> res = casemix(df, {"name": "cs", "outcome": "cs", "covariates": {
    ...     "age_band": {"type": "categorical", "reference": "25_29"}}}, random_effects=False)
    >>> list(res.table.columns[:8])
    ['unit', 'records', 'excluded_missing', 'n', 'observed', 'expected', 'oe', 'oe_lcl95']
    """
    return CaseMixModel(spec, unit=unit, **options).fit(data, memo=memo)
