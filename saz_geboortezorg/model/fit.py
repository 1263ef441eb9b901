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

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model.result import CaseMixResult, RandomEffects, coefficient_table
from saz_geboortezorg.model.spec import CaseMixSpec, load_spec

__all__ = ["casemix", "CaseMixModel", "prepare"]

Z95 = 1.959963984540054


class Prepared:
    """Records of the analysis with their outcome, units and design."""

    def __init__(self, spec, design, label, unit_type, better, family, notes, attribution="birth"):
        self.attribution = attribution
        self.spec = spec
        self.design = design
        self.label = label
        self.unit_type = unit_type
        self.better = better
        self.family = family
        self.notes = notes


def _pick_table(data: Any, spec: CaseMixSpec) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    tables = {k: getattr(data, k, None) for k in ("women", "births")}
    tables = {k: v for k, v in tables.items() if isinstance(v, pd.DataFrame)}
    if not tables:
        raise SpecError("casemix needs a DataFrame or a loaded Dataset (with women/births tables)")
    from saz_geboortezorg.indicators import get

    try:
        level = get(spec.outcome).level
        name = "women" if level == "woman" else "births"
        if name in tables:
            return tables[name]
    except SpecError:
        pass
    for frame in tables.values():
        if spec.outcome in frame.columns:
            return frame
    return next(iter(tables.values()))


def _outcome(table: pd.DataFrame, spec: CaseMixSpec, family: str | None):
    """(mask, y, label, better, family) for the spec's outcome."""
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome

    indicator = None
    try:
        indicator = get(spec.outcome)
    except SpecError:
        pass
    explicit = "family" in spec.raw
    if indicator is not None:
        try:
            mask, y = indicator_outcome(table, indicator)
            fam = spec.family if explicit else ("gamma" if indicator.is_mean else "binomial")
            better = (
                spec.better
                if "better" in spec.raw
                else (indicator.better if indicator.better != "neither" else "lower")
            )
            return mask.to_numpy(bool), y.to_numpy(float), indicator.id, better, fam
        except SpecError as exc:
            if spec.outcome not in table.columns:
                raise SpecError(
                    f"outcome {spec.outcome!r} is an indicator, but {exc}; nor is there a "
                    f"0/1 column {spec.outcome!r}"
                ) from None
    if spec.outcome not in table.columns:
        raise SpecError(
            f"outcome {spec.outcome!r} is neither an indicator id ('saz-geboortezorg "
            "indicators' lists them) nor a column of the data"
        )
    fam = family or spec.family
    raw = table[spec.outcome]
    y = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    bad_text = raw.notna().to_numpy() & np.isnan(y)
    if bad_text.any():
        raise SpecError(
            f"outcome column {spec.outcome!r} holds text such as {raw[bad_text].iloc[0]!r}; "
            + ("it must be 0/1" if fam == "binomial" else "it must be a positive amount")
        )
    mask = ~np.isnan(y)
    if fam == "binomial":
        values = np.unique(y[mask])
        bad = values[(values != 0) & (values != 1)]
        if bad.size:
            shown = ", ".join(f"{v:g}" for v in bad[:5])
            raise SpecError(
                f"outcome column {spec.outcome!r} must be 0/1 for a logistic model but holds "
                f"{shown}{' ...' if bad.size > 5 else ''}; for an amount use family: gamma"
            )
    return mask, y, spec.outcome, spec.better, fam


def prepare(
    data: Any,
    spec: Any,
    unit: str | None = None,
    *,
    allow_empty_units: bool = False,
    attribution: str | None = None,
):
    """Outcome, population, units and design of a spec on data (no fitting).

    ``attribution`` (``booking``/``birth``) picks the unit columns; default: the rule of
    the spec's outcome indicator (``birth`` for an outcome that is a plain column).
    """
    from saz_geboortezorg.derive.expressions import check, columns_used, evaluate
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import (
        UNIT_COLUMNS,
        _enrich,
        attribution_for,
        resolve_unit,
    )
    from saz_geboortezorg.model.design import build_design, factorize_units

    spec = load_spec(spec)
    table = _pick_table(data, spec)
    if len(table) == 0:
        raise SpecError("the data has no records")
    mask, y, label, better, family = _outcome(table, spec, None)
    notes = []
    if spec.population:
        needed = columns_used(spec.population)
        enriched = _enrich(table, needed, None)
        check(spec.population, enriched.columns, what="the population of the case-mix spec")
        mask = mask & evaluate(spec.population, enriched).to_numpy(bool)
    unit_name = unit or spec.unit
    try:
        outcome_indicator = get(spec.outcome)
    except SpecError:
        outcome_indicator = None
    rule = attribution_for(outcome_indicator, attribution)
    unit_col = resolve_unit(unit_name, table.columns, rule)
    if unit_col is None:
        units_all = pd.Series(np.zeros(len(table), dtype=np.int8), index=table.index).map(
            {0: "all"}
        )
        unit_type = "all"
    else:
        units_all = table[unit_col]
        if units_all.isna().all():
            raise SpecError(f"no record has a {unit_name} ({unit_col} is empty everywhere)")
        unit_type = unit_name if unit_name in UNIT_COLUMNS else unit_col
    if family == "gamma":
        nonpos = mask & ~(y > 0)
        if nonpos.any():
            raise SpecError(
                f"outcome {label!r}: a gamma model needs positive amounts, but "
                f"{int(nonpos.sum())} records have 0 or less; leave them out with a population "
                "filter or model them separately"
            )
    if not mask.any():
        raise SpecError(f"no records are in the population of outcome {label!r}")
    codes_all, labels_all = factorize_units(units_all)
    in_pop = np.bincount(codes_all[mask], minlength=len(labels_all))
    empty = [labels_all[i] for i in np.flatnonzero(in_pop == 0)]
    if empty and not allow_empty_units:
        raise SpecError(
            f"{unit_type} {', '.join(empty)} {'has' if len(empty) == 1 else 'have'} no records "
            f"in the population of {label!r}; compare only units with records (filter the "
            "data) or pass allow_empty_units=True to list them without estimates"
        )
    sub = table if mask.all() else table.loc[mask]
    design = build_design(sub, spec, y[mask], units_all[mask])
    if empty:
        extra = pd.DataFrame(
            {"records": 0, "excluded_missing": 0, "n": 0}, index=pd.Index(empty, name="unit")
        )
        design.counts = pd.concat([design.counts, extra])
        notes.append(f"{unit_type} without records in the population: {', '.join(empty)}")
    notes += design.notes
    return Prepared(spec, design, label, unit_type, better, family, notes, rule)


def _unit_table(design, pats, fitted, family, scale, level_z=Z95) -> tuple[pd.DataFrame, float]:
    from saz_geboortezorg.stats.intervals import oe_interval, wilson

    J = len(design.unit_labels)
    mu_cell = fitted[pats.cell_pattern]
    obs = np.bincount(pats.cell_unit, weights=pats.cell_events, minlength=J)
    exp = np.bincount(pats.cell_unit, weights=mu_cell * pats.cell_trials, minlength=J)
    n = np.bincount(pats.cell_unit, weights=pats.cell_trials, minlength=J)
    overall = obs.sum() / n.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        oe = obs / exp
        if family == "binomial":
            # binomial variance of O under the model, sum p (1 - p), not E (Poisson)
            var_o = np.bincount(
                pats.cell_unit, weights=mu_cell * (1 - mu_cell) * pats.cell_trials, minlength=J
            )
            oe_lo, oe_hi = oe_interval(obs, exp, var_o)
            crude = obs / n
            c_lo, c_hi = wilson(obs, n)
        else:
            # Gamma: the robust variance of the unit's total (residuals, not one
            # dispersion for all units: stats.variance), normal approximation.
            from saz_geboortezorg.stats.variance import robust_total_variance

            model_var = scale * np.bincount(
                pats.cell_unit, weights=mu_cell**2 * pats.cell_trials, minlength=J
            )
            var_o = robust_total_variance(
                pats.cell_events,
                mu_cell,
                pats.cell_unit,
                J,
                model=model_var,
                sq=pats.cell_sumsq,
                counts=pats.cell_trials,
            )
            oe_lo = np.maximum(obs - level_z * np.sqrt(var_o), 0) / exp
            oe_hi = (obs + level_z * np.sqrt(var_o)) / exp
            crude = obs / n
            ss = np.bincount(pats.cell_unit, weights=pats.cell_sumsq, minlength=J)
            sd = np.sqrt(np.maximum(ss - n * crude**2, 0) / np.maximum(n - 1, 1))
            c_lo, c_hi = crude - level_z * sd / np.sqrt(n), crude + level_z * sd / np.sqrt(n)
    table = pd.DataFrame(
        {
            "unit": design.unit_labels,
            "n": n.astype(int),
            "observed": obs,
            "expected": exp,
            "oe": oe,
            "oe_lcl95": oe_lo,
            "oe_ucl95": oe_hi,
            "crude_rate": crude,
            "crude_lcl95": c_lo,
            "crude_ucl95": c_hi,
            "standardised_rate": oe * overall,
            "std_lcl95": oe_lo * overall,
            "std_ucl95": oe_hi * overall,
        }
    )
    counts = design.counts
    table.insert(1, "records", counts.loc[design.unit_labels, "records"].to_numpy(int))
    table.insert(
        2, "excluded_missing", counts.loc[design.unit_labels, "excluded_missing"].to_numpy(int)
    )
    return table, float(overall)


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

    def fit(self, data: Any) -> CaseMixResult:
        """Fit to a DataFrame or a loaded Dataset; returns a :class:`CaseMixResult`."""
        from saz_geboortezorg.model.threads import small_blas

        prep = prepare(
            data,
            self.spec,
            self.unit,
            allow_empty_units=self.allow_empty_units,
            attribution=self.attribution,
        )
        # The collapsed problems are small; see saz_geboortezorg.model.threads.
        with small_blas(0, 0):
            if self.spec.missing == "impute":
                from saz_geboortezorg.model.impute import fit_imputed

                return fit_imputed(self, prep)
            return self._fit_prepared(prep)

    # The pieces, reused by multiple imputation -------------------------------------
    def _fixed(self, prep, design, problems):
        from saz_geboortezorg.model.collapse import collapse
        from saz_geboortezorg.model.logistic import check_aliasing, check_separation

        pats = collapse(design)
        names = design.names
        check_aliasing(pats.X, names, self.strict, problems)
        if prep.family == "binomial":
            from saz_geboortezorg.model.logistic import fit_logistic

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
            from saz_geboortezorg.model.gamma import fit_gamma

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
        from saz_geboortezorg.model.mixed import fit_random_intercept

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
        from saz_geboortezorg.model.mixed import median_odds_ratio
        from saz_geboortezorg.model.rank import RANKABLE, rank_table, rankability

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
        from saz_geboortezorg.model.diagnostics import (
            c_statistic,
            calibration,
            calibration_deciles,
        )

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
        table, overall = _unit_table(design, pats, fit.fitted, prep.family, fit.scale)
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
            indicator=prep.label,
            unit_type=prep.unit_type,
            attribution=prep.attribution,
            family=prep.family,
            n=design.n,
            overall_rate=overall,
            table=table,
            coefficients=coefs,
            random_effects=random,
            diagnostics=self._diagnostics(prep, pats, fit),
            problems=problems,
            notes=notes,
            model={"terms": design.terms, "params": fit.params, "scale": fit.scale},
        )


def casemix(
    data: Any,
    spec: str | Path | dict | CaseMixSpec,
    unit: str | None = None,
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
    return CaseMixModel(spec, unit=unit, **options).fit(data)
