"""The open benchmark: every unit on every indicator, flagged by its funnel plot.

How a unit's expected count is found (indirect standardisation with a fixed model)
----------------------------------------------------------------------------------
For an indicator with a case-mix model (the catalogue's ``case_mix`` spec), the model is
fitted **once**, on every record of the indicator's population (fixed effects only, no
unit term). Each record then gets its expected value under that national standard: its
expected risk of the event (logistic model,
:func:`saz_geboortezorg.monitor.risk_adjusted.expected_risks`) or its expected cost
(gamma model with log link). A unit's expected count is the **sum** of its records'
expected values, exactly as :func:`saz_geboortezorg.casemix` computes it; O/E compares the
unit with what the standard predicts for the women it served.

Because the model is fixed, any selection is a group-by sum: another level (hospital,
region, practice), a period, or a theme filter (SES quintile, migration background,
parity, Robson group) only changes which records are summed. Nothing is refitted. The
price: within a selection the coefficients are those of the whole population, not of
the selection (for example, the model is not refitted for nulliparous women only). This
is the usual indirect standardisation against one reference population.

Within a selection the expected counts are scaled by one factor so that the selection's
overall O/E equals the whole population's (``calibrate=True``, the default). For a
logistic model with an intercept that overall O/E is 1, so the expected counts add up to
the selection's observed total: units are compared with the selection's own average
(the funnel target O/E = 1 is the selection's rate), which is what a benchmark inside a
theme or period asks. (A gamma model with log link does not reproduce the total exactly;
its whole-population O/E, as in :func:`saz_geboortezorg.casemix`, is kept.) On the whole
population the factor is 1. With ``calibrate=False`` units are compared with the whole
population's standard.

The standardised rate is O/E times the selection's overall (crude) rate; for an
indicator without a model (``case_mix: null``) or with ``adjusted=False`` the crude rate
is shown and the funnel uses proportions (``data_type="PR"``).

Cost per pregnancy (an amount, gamma model)
-------------------------------------------
Observed is the total claimed, expected the sum of the model's expected cost per
pregnancy (crude: the number of pregnancies times the selection's mean cost). A funnel
plot's Poisson limits do not fit amounts, so the O/E ratio is put on the funnel as
**equivalent events**: ``E* = E^2 / V`` with ``V`` the variance of the unit's total cost
(gamma model: the robust variance n/(n-1) sum (y - mu)^2 of the unit's records, not the
model's one dispersion, see :mod:`saz_geboortezorg.stats.variance`; crude: n times the
records' variance), and ``O* = (O/E) E*``. Then ``O*/E* = O/E`` and its
Poisson variance ``1/E*`` equals the model's ``V/E^2``, so the SR funnel's limits (and
its overdispersion adjustment) apply.

A :class:`BenchmarkCache` keeps the per-record outcomes and expected values per
(dataset, indicator): changing the level, period, filters, limits or overdispersion
never refits; ``cache.fits`` counts the model fits.

Verdicts, alerts and the family of cells
----------------------------------------
Some 33 indicators for 17 hospitals are 561 cells; at 95% limits chance alone puts
about 28 of them outside. :func:`benchmark` therefore judges in two tiers, as UK
national audits do: a **verdict** (``assessment``) outside the 99.8% limits, an
**alert** (``alert``) outside only the 95% limits, never a verdict. A unit with fewer
than 5 expected events (or non-events) is shown but not judged (``too_few``).
:meth:`BenchmarkResult.family` states how many false verdicts and alerts chance alone
gives among the judged cells; ``fdr=`` gives verdicts by Benjamini-Hochberg instead, on
p-values that agree with the funnel limits (:func:`funnel_p_values`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SazError, SpecError

__all__ = [
    "BenchmarkCache",
    "BenchmarkResult",
    "IndicatorRecords",
    "benchmark",
    "unit_table",
    "trend_table",
    "funnel_for",
    "assess",
    "tiers",
    "pooled_period",
    "ALERTS",
    "expected_events",
    "benjamini_hochberg",
    "funnel_p_values",
    "exact_p_values",
    "confirmed_flags",
    "funnel_judgement",
    "judge",
    "THEME_COLUMNS",
    "DATE_COLUMN",
    "ASSESSMENTS",
]

#: Columns the theme filters use (``robson_main``: Robson group 1-10 without a/b split;
#: derived from the data when it is not a column).
THEME_COLUMNS = ("ses_quintile", "migration", "parity_group", "robson_main")
#: The date a record belongs to for period selections.
DATE_COLUMN = "birth_date"
#: Assessment (the verdict) of a unit on an indicator: ``better``/``worse`` (outside the
#: verdict limits in the indicator's good/bad direction), ``different`` (outside them on a
#: process measure without a better direction), ``within``, ``too_few`` (shown, not
#: judged: too few expected events) and ``not_assessed`` (no funnel could be drawn).
ASSESSMENTS = ("better", "worse", "different", "within", "too_few", "not_assessed")
#: Values of the ``alert`` column: outside the alert limits only (never a verdict), or ``""``.
ALERTS = ("better", "worse", "different", "")
#: Default verdict and alert levels (percent): the 'alarm' and 'alert' of UK national audits.
VERDICT_LEVEL = 99.8
ALERT_LEVEL = 95.0
#: Default volume rule: a unit with fewer expected events (or non-events) is not judged.
MIN_EXPECTED = 5.0

_DERIVED = {"robson", "robson_main"}


@dataclass
class IndicatorRecords:
    """The records in one indicator's denominator with outcome and expected value.

    Attributes
    ----------
    indicator : Indicator
    table : DataFrame
        The analysis table (with derived columns such as ``robson_main``).
    rows : ndarray of int
        Positions in ``table`` of the denominator's records.
    y : ndarray
        Outcome per record (0/1, or the amount for cost indicators).
    expected : ndarray or None
        Expected value per record under the fixed case-mix model; None when crude.
    family : str
        ``binomial`` or ``gamma`` (amounts).
    dispersion : float
        Gamma dispersion of the model (NaN otherwise).
    method : str
        In words: the case-mix spec used or why the indicator is crude.
    model : CaseMixResult or None
    fitted : bool
        Whether the case-mix model was fitted (it is fitted on the first adjusted
        request, :meth:`BenchmarkCache.fit`).
    """

    indicator: Any
    table: pd.DataFrame
    rows: np.ndarray
    y: np.ndarray
    expected: np.ndarray | None
    family: str
    dispersion: float
    method: str
    model: Any = field(default=None, repr=False)
    fitted: bool = False

    @property
    def adjustable(self) -> bool:
        """Whether a case-mix model gives expected values."""
        return self.expected is not None


class BenchmarkCache:
    """Fitted case-mix models and per-record values, per (dataset, indicator).

    Pass the same cache to :func:`unit_table` and :func:`benchmark` calls on the same
    data: the indicator's outcome is derived and its model fitted once, and every later
    selection (level, period, filters) is a group-by sum. The cache holds a reference to
    the data it has seen, so a dataset is recognised by identity.

    Parameters
    ----------
    random_effects : bool
        Fit the random-intercept model too (not needed for O/E; off for speed).

    Attributes
    ----------
    fits : int
        Number of case-mix models fitted so far.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> women = pd.DataFrame({"region_id": rng.choice(["R1", "R2"], 500),
    ...                       "ga_days": 280, "mode": rng.choice(["spontaneous", "intrapartum_cs"], 500)})
    >>> cache = BenchmarkCache()
    >>> t = unit_table(women, "cs", adjusted=False, cache=cache)
    >>> t = unit_table(women, "cs", unit="all", adjusted=False, cache=cache)
    >>> t[["unit", "n"]].values.tolist(), cache.fits, len(cache)
    ([['all', 500]], 0, 1)
    """

    def __init__(self, *, random_effects: bool = False) -> None:
        self.random_effects = random_effects
        self.fits = 0
        self._tables: dict[int, tuple[Any, pd.DataFrame]] = {}
        self._records: dict[tuple[int, str], IndicatorRecords] = {}
        self._codes: dict[tuple[int, str], tuple[np.ndarray, list[str]]] = {}
        self._strings: dict[tuple[int, str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._records)

    def clear(self) -> None:
        """Forget every table, fit and derived column."""
        self._tables.clear()
        self._records.clear()
        self._codes.clear()
        self._strings.clear()

    # -- tables ---------------------------------------------------------------------
    def table(self, data: Any, indicator: Any) -> pd.DataFrame:
        """The indicator's analysis table with the derived columns it (and the theme
        filters) need; derived once per table."""
        from saz_geboortezorg.indicators.compute import _enrich

        source = _source_table(data, indicator)
        key = id(source)
        entry = self._tables.get(key)
        enriched = entry[1] if entry is not None else source
        needed = set(indicator.columns())
        if _robson_possible(enriched):
            needed |= _DERIVED
        missing = {c for c in needed if c not in enriched.columns}
        if missing:
            enriched = _enrich(enriched, missing, None)
        self._tables[key] = (source, enriched)
        return enriched

    def records(self, data: Any, indicator: Any) -> IndicatorRecords:
        """Outcome and expected value of every record in the indicator's denominator."""
        from saz_geboortezorg.indicators import get

        indicator = get(indicator)
        source = _source_table(data, indicator)
        key = (id(source), indicator.id)
        if key not in self._records:
            self._records[key] = self._build(data, indicator)
        return self._records[key]

    def codes(self, table: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
        """Sorted unit labels of a column and each record's code (missing: ``unknown``)."""
        key = (id(table), column)
        if key not in self._codes:
            from saz_geboortezorg.model.design import factorize_units

            self._codes[key] = factorize_units(table[column])
        return self._codes[key]

    def periods(self, table: pd.DataFrame, freq: str) -> tuple[np.ndarray, Any]:
        """Each record's calendar period (code, -1 without a date) and the periods."""
        key = (id(table), "period:" + freq)
        if key not in self._codes:
            dates = pd.to_datetime(table[DATE_COLUMN])
            periods = pd.PeriodIndex(dates, freq=TREND_FREQUENCIES[freq])
            codes, uniques = pd.factorize(periods, sort=True)
            self._codes[key] = (np.asarray(codes, dtype=np.int64), uniques)
        return self._codes[key]

    def strings(self, table: pd.DataFrame, column: str) -> np.ndarray:
        """A column as text (missing: ``unknown``), for the theme filters."""
        key = (id(table), column)
        if key not in self._strings:
            values = table[column].astype("string").fillna("unknown")
            self._strings[key] = values.to_numpy(dtype=object)
        return self._strings[key]

    # -- fitting ----------------------------------------------------------------------
    def _build(self, data: Any, indicator: Any) -> IndicatorRecords:
        from saz_geboortezorg.indicators.compute import indicator_outcome

        table = self.table(data, indicator)
        keep, y = indicator_outcome(table, indicator)
        rows = np.flatnonzero(keep.to_numpy(bool))
        y = y.to_numpy(float)[rows]
        family = "gamma" if indicator.is_mean else "binomial"
        method = (
            "crude: the catalogue gives no case-mix model for this indicator"
            if not indicator.case_mix
            else "case-mix model not fitted yet"
        )
        return IndicatorRecords(
            indicator=indicator,
            table=table,
            rows=rows,
            y=y,
            expected=None,
            family=family,
            dispersion=float("nan"),
            method=method,
            fitted=not indicator.case_mix,
        )

    def fit(self, rec: IndicatorRecords) -> IndicatorRecords:
        """Fit the indicator's case-mix model once and store per-record expected values."""
        if not rec.fitted:
            expected, dispersion, model, method = self._fit(rec.table, rec.indicator, rec.rows)
            rec.expected, rec.dispersion, rec.model, rec.method = (
                expected,
                dispersion,
                model,
                method,
            )
            rec.fitted = True
        return rec

    def _fit(self, table, indicator, rows):
        from saz_geboortezorg.model import casemix, load_spec

        spec = load_spec(indicator.case_mix)
        if spec.missing != "unknown":
            return (
                None,
                float("nan"),
                None,
                f"crude: case-mix spec {spec.name!r} uses missing: {spec.missing}; "
                "per-record expected values need missing: unknown",
            )
        if spec.population:
            return (
                None,
                float("nan"),
                None,
                f"crude: case-mix spec {spec.name!r} restricts the population further "
                "than the indicator; its expected values do not cover every record",
            )
        self.fits += 1
        # Only the columns the outcome and the covariates read: copying a wide table's
        # population subset is most of the time a fit takes.
        used = (set(indicator.columns()) | spec.columns() | _DERIVED) & set(table.columns)
        slim = table[[c for c in table.columns if c in used]]
        result = casemix(slim, spec, unit="all", random_effects=self.random_effects, strict=False)
        values = _expected_values(result, slim)[rows]
        if np.isnan(values).any():
            raise SpecError(
                f"indicator {indicator.id!r}: the case-mix model {spec.name!r} gives no "
                "expected value for some records of the indicator's denominator"
            )
        method = f"case-mix model {spec.name!r} (indirect standardisation)"
        if result.problems:
            method += "; problems: " + "; ".join(result.problems)
        return values, float(result.model["scale"]), result, method


def _robson_possible(table: pd.DataFrame) -> bool:
    from saz_geboortezorg.derive.robson import REQUIRED

    return all(c in table.columns for c in REQUIRED)


def _source_table(data: Any, indicator: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    name = "women" if indicator.level == "woman" else "births"
    table = getattr(data, name, None)
    if not isinstance(table, pd.DataFrame):
        raise SpecError(
            f"indicator {indicator.id!r} needs the {name} table: pass a loaded Dataset or "
            "a DataFrame"
        )
    return table


def _expected_values(result: Any, table: pd.DataFrame) -> np.ndarray:
    """Per-record expected value: risk (binomial) or amount (gamma) for every row."""
    if result.family == "binomial":
        from saz_geboortezorg.monitor.risk_adjusted import expected_risks

        return expected_risks(result, table).to_numpy(float)
    # Gamma (log link): the same steps as expected_risks, with exp instead of expit.
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome
    from saz_geboortezorg.model.fit import prepare

    fitted = result.model
    keep, _ = indicator_outcome(table, get(result.spec.outcome))
    keep = keep.to_numpy(bool)
    design = prepare(table, result.spec, "all", allow_empty_units=True).design
    if design.n != keep.sum():
        raise SpecError("per-record expected costs need missing: unknown")
    terms = []
    for new, old in zip(design.terms, fitted["terms"], strict=True):
        lookup = {lv: i for i, lv in enumerate(old.levels)}
        remap = np.array([lookup[lv] for lv in new.levels], dtype=np.int64)
        terms.append(type(old)(old.covariate, old.levels, old.basis, old.columns, remap[new.codes]))
    design.terms = terms
    out = np.full(len(table), np.nan)
    out[keep] = np.exp(design.matrix(design.code_matrix()) @ fitted["params"])
    return out


# ------------------------------------------------------------------------- selection
def _selection(
    cache: BenchmarkCache,
    rec: IndicatorRecords,
    where: Mapping[str, Any] | None,
    period: Sequence[Any] | None,
) -> np.ndarray:
    """Boolean mask over the denominator's records."""
    table = rec.table
    keep = np.ones(len(rec.rows), dtype=bool)
    for column, allowed in (where or {}).items():
        if column not in table.columns:
            known = ", ".join(c for c in THEME_COLUMNS if c in table.columns)
            raise SpecError(
                f"cannot filter on {column!r}: the data has no such column "
                f"(theme filters: {known}, or any column of the analysis table)"
            )
        if allowed is None:
            continue
        if isinstance(allowed, str | int | float) or not isinstance(allowed, Iterable):
            allowed = [allowed]
        wanted = {str(v) for v in allowed}
        if not wanted:
            raise SpecError(f"filter on {column!r}: choose at least one value")
        values = cache.strings(table, column)[rec.rows]
        keep &= np.isin(values, list(wanted))
    if period is not None:
        if DATE_COLUMN not in table.columns:
            raise SpecError(f"a period needs the column {DATE_COLUMN!r}, which the data lacks")
        try:
            start, end = period
        except (TypeError, ValueError):
            raise SpecError(f"period must be (start, end), not {period!r}") from None
        dates = pd.to_datetime(table[DATE_COLUMN]).to_numpy()[rec.rows]
        if start is not None:
            keep &= dates >= np.datetime64(pd.Timestamp(start))
        if end is not None:
            keep &= dates <= np.datetime64(pd.Timestamp(end))
    return keep


def unit_table(
    data: Any,
    indicator: Any,
    *,
    unit: str = "region",
    adjusted: bool = True,
    where: Mapping[str, Any] | None = None,
    period: Sequence[Any] | None = None,
    cache: BenchmarkCache | None = None,
    calibrate: bool = True,
    attribution: str | None = None,
) -> pd.DataFrame:
    """One indicator per unit: observed, expected, crude and standardised rate.

    The case-mix model is fitted once per (data, indicator) and kept in ``cache``; this
    function only sums per-record values (see the module docstring).

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded dataset (the indicator's level picks ``women`` or ``births``) or an
        analysis table.
    indicator : str or Indicator
        An id of the catalogue.
    unit : str
        ``hospital``, ``region``, ``practice``, ``all`` or a column; records without a
        unit count as ``unknown``.
    adjusted : bool
        Standardise with the indicator's case-mix model (crude when it has none).
    where : dict, optional
        Theme filters ``{column: allowed values}``, e.g. ``{"ses_quintile": ["1", "2"],
        "robson_main": ["1"]}``; values are compared as text.
    period : (start, end), optional
        Birth dates from ``start`` to ``end`` inclusive (either may be None).
    cache : BenchmarkCache, optional
        Reuse fits across calls (a new cache per call otherwise).
    calibrate : bool
        Scale expected counts so that the selection's overall O/E is that of the whole
        population (1 for logistic models; see the module docstring).
    attribution : {"booking", "birth"}, optional
        Count each record against the unit where care started (``booking``) or the
        unit responsible at birth (``birth``); default: the indicator's own rule
        (catalogue ``attribution``). Recorded in ``attrs["attribution"]``.

    Returns
    -------
    DataFrame
        One row per unit with records in the selection, sorted by unit: ``unit``, ``n``,
        ``observed`` (events or total amount), ``expected`` (NaN when crude), ``rate``
        (crude proportion or mean), ``ratio`` (O/E, NaN when crude), ``value`` (what is
        plotted: O/E x the selection's overall rate when adjusted, else ``rate``),
        ``lower``/``upper`` (95% interval of ``value``: for O/E of a binary outcome the
        exact interval with the binomial variance sum p(1 - p),
        :func:`~saz_geboortezorg.stats.intervals.oe_interval`; Wilson for crude
        proportions; normal with the robust variance for amounts), ``variance`` (variance of ``observed``
        under the standard) and ``adjusted``. ``attrs`` holds ``indicator``,
        ``unit_type``, ``adjusted``, ``method`` (in words), ``family``, ``overall``
        (the selection's rate or mean), ``multiplier`` (to percent, per 1,000) and
        ``calibration`` (the factor applied to the expected counts).

    Raises
    ------
    SpecError
        Unknown indicator, unit or filter column, or an empty selection.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"region_id": ["A", "A", "B", "B"], "ga_days": 280,
    ...                       "parity_group": ["0", "1", "0", "1"],
    ...                       "mode": ["intrapartum_cs", "spontaneous", "spontaneous", "spontaneous"]})
    >>> t = unit_table(women, "cs", adjusted=False)
    >>> t[["unit", "n", "observed", "rate", "value"]]
      unit  n  observed  rate  value
    0    A  2       1.0   0.5    0.5
    1    B  2       0.0   0.0    0.0
    >>> unit_table(women, "cs", where={"parity_group": ["0"]}, adjusted=False)["n"].tolist()
    [1, 1]
    """
    from saz_geboortezorg.indicators.compute import UNIT_COLUMNS, attribution_for, resolve_unit

    cache = cache if cache is not None else BenchmarkCache()
    rec = cache.records(data, indicator)
    table = rec.table
    rule = attribution_for(rec.indicator, attribution)
    unit_col = resolve_unit(unit, table.columns, rule)
    keep = _selection(cache, rec, where, period)
    _check_not_empty(rec, keep, where, period)
    if unit_col is None:
        codes, labels = np.zeros(len(table), dtype=np.int64), ["all"]
    else:
        codes, labels = cache.codes(table, unit_col)
    out = _summarise(cache, rec, keep, codes[rec.rows], labels, adjusted, calibrate)
    out.attrs["unit_type"] = (
        "all" if unit_col is None else (unit if unit in UNIT_COLUMNS else unit_col)
    )
    out.attrs["attribution"] = rule
    return out


def _check_not_empty(rec, keep, where, period) -> None:
    if not keep.any():
        raise SpecError(
            f"indicator {rec.indicator.id!r}: no records in the selection (filters "
            f"{dict(where or {})}, period {period}); widen the selection"
        )


def _summarise(
    cache: BenchmarkCache,
    rec: IndicatorRecords,
    keep: np.ndarray,
    codes: np.ndarray,
    labels: Sequence[Any],
    adjusted: bool,
    calibrate: bool,
    *,
    groups: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per-group sums over the selected records (``codes``: group of every denominator
    record; ``groups``: a subset of the selected records to summarise, by default all;
    the calibration and overall rate always come from the whole selection)."""
    from saz_geboortezorg.stats.intervals import oe_interval, wilson, z_value

    y_sel = rec.y[keep]
    overall = y_sel.sum() / keep.sum()
    part = keep if groups is None else keep & groups
    c = codes[part]
    y = rec.y[part]
    J = len(labels)
    n = np.bincount(c, minlength=J).astype(float)
    obs = np.bincount(c, weights=y, minlength=J)
    present = n > 0
    if adjusted:
        cache.fit(rec)
    use_model = adjusted and rec.adjustable
    z = z_value(0.95)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = obs / n
        if use_model:
            e_sel = rec.expected[keep]
            reference = rec.y.sum() / rec.expected.sum()  # overall O/E of the whole population
            factor = (
                float(y_sel.sum() / e_sel.sum() / reference)
                if calibrate and e_sel.sum() > 0
                else 1.0
            )
            e_rec = rec.expected[part] * factor
            exp = np.bincount(c, weights=e_rec, minlength=J)
            ratio = obs / exp
            value = ratio * overall
            if rec.family == "binomial":
                var = np.bincount(c, weights=e_rec * (1 - e_rec), minlength=J)
                lo, hi = oe_interval(obs, exp, var)  # binomial variance, not Poisson
                lower, upper = lo * overall, hi * overall
            else:
                from saz_geboortezorg.stats.variance import robust_total_variance

                model_var = rec.dispersion * np.bincount(c, weights=e_rec**2, minlength=J)
                var = robust_total_variance(y, e_rec, c, J, model=model_var)
                half = z * np.sqrt(var) / exp * overall
                lower, upper = np.maximum(value - half, 0), value + half
        else:
            factor = 1.0
            exp = np.full(J, np.nan)
            ratio = np.full(J, np.nan)
            value = rate
            if rec.family == "binomial":
                var = n * rate * (1 - rate)
                lower, upper = wilson(obs, n)
            else:
                ss = np.bincount(c, weights=y**2, minlength=J)
                var = np.maximum(ss - n * rate**2, 0) / np.maximum(n - 1, 1) * n
                half = z * np.sqrt(var) / n
                lower, upper = rate - half, rate + half
        # rounding can put an interval end a hair on the wrong side of 0% or 100%
        lower, upper = np.fmin(lower, value), np.fmax(upper, value)
    out = pd.DataFrame(
        {
            "unit": np.asarray(labels, dtype=object),
            "n": n.astype(int),
            "observed": obs,
            "expected": exp,
            "rate": rate,
            "ratio": ratio,
            "value": value,
            "lower": lower,
            "upper": upper,
            "variance": var,
            "adjusted": use_model,
        }
    )[present].reset_index(drop=True)
    if adjusted or not rec.indicator.case_mix:
        method = rec.method
    else:
        method = "crude (adjustment switched off)"
    out.attrs.update(
        indicator=rec.indicator.id,
        adjusted=use_model,
        method=method,
        family=rec.family,
        overall=float(overall),
        multiplier=float(rec.indicator.multiplier),
        calibration=factor,
    )
    return out


#: Trend periods and their pandas period codes.
TREND_FREQUENCIES = {"year": "Y", "quarter": "Q", "month": "M"}


def trend_table(
    data: Any,
    indicator: Any,
    *,
    unit: str = "region",
    highlight: str | None = None,
    freq: str = "quarter",
    adjusted: bool = True,
    where: Mapping[str, Any] | None = None,
    period: Sequence[Any] | None = None,
    cache: BenchmarkCache | None = None,
    calibrate: bool = True,
    attribution: str | None = None,
) -> pd.DataFrame:
    """An indicator per calendar period, for everybody and for one unit ('my unit').

    Expected counts come from the same fixed model as :func:`unit_table`, calibrated
    once over the whole selection, so a line that moves shows a change beyond what the
    case mix of each period predicts.

    Parameters
    ----------
    data, indicator, adjusted, where, period, cache, calibrate, attribution
        As in :func:`unit_table`.
    unit : str
        The level ``highlight`` belongs to (``hospital``, ``region``, ``practice``).
    highlight : str, optional
        A unit to add as a second series.
    freq : {"year", "quarter", "month"}

    Returns
    -------
    DataFrame
        ``series`` (``"all"`` or the unit), ``period`` (Timestamp of the first day),
        ``label`` (e.g. ``2022Q3``) and the columns of :func:`unit_table` (``n``,
        ``observed``, ``expected``, ``rate``, ``ratio``, ``value``, ``lower``,
        ``upper``); periods without records are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"region_id": ["A", "A", "B", "B"], "ga_days": 280,
    ...                       "birth_date": pd.to_datetime(["2022-01-05", "2022-04-01",
    ...                                                     "2022-01-09", "2022-05-05"]),
    ...                       "mode": ["intrapartum_cs", "spontaneous", "spontaneous", "spontaneous"]})
    >>> t = trend_table(women, "cs", highlight="A", adjusted=False)
    >>> t[["series", "label", "n", "value"]].values.tolist()
    [['all', '2022Q1', 2, 0.5], ['all', '2022Q2', 2, 0.0], ['A', '2022Q1', 1, 1.0], ['A', '2022Q2', 1, 0.0]]
    """
    from saz_geboortezorg.indicators.compute import attribution_for, resolve_unit

    if freq not in TREND_FREQUENCIES:
        raise SpecError(f"freq must be one of {', '.join(TREND_FREQUENCIES)}, not {freq!r}")
    cache = cache if cache is not None else BenchmarkCache()
    rec = cache.records(data, indicator)
    table = rec.table
    rule = attribution_for(rec.indicator, attribution)
    if DATE_COLUMN not in table.columns:
        raise SpecError(f"a trend needs the column {DATE_COLUMN!r}, which the data lacks")
    keep = _selection(cache, rec, where, period)
    _check_not_empty(rec, keep, where, period)
    all_codes, uniques = cache.periods(table, freq)
    codes = all_codes[rec.rows]
    dated = codes >= 0
    keep = keep & dated
    codes = np.where(dated, codes, 0)
    labels = [str(p) for p in uniques]
    frames = []
    series = [("all", None)]
    if highlight is not None:
        unit_col = resolve_unit(unit, table.columns, rule)
        if unit_col is None:
            raise SpecError("highlight a unit of a level (hospital, region, practice), not 'all'")
        unit_codes, unit_labels = cache.codes(table, unit_col)
        if str(highlight) not in unit_labels:
            raise SpecError(f"unit {highlight!r} is not a {unit} in the data")
        mine = unit_codes[rec.rows] == unit_labels.index(str(highlight))
        series.append((str(highlight), mine))
    for name, groups in series:
        part = _summarise(cache, rec, keep, codes, labels, adjusted, calibrate, groups=groups)
        part.insert(0, "series", name)
        part.insert(1, "period", [uniques[labels.index(u)].start_time for u in part["unit"]])
        part = part.rename(columns={"unit": "label"})
        attrs = part.attrs
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(attrs, freq=freq, attribution=rule)
    out.attrs["unit_type"] = unit
    return out


# --------------------------------------------------------------------------- funnel
def funnel_for(
    table: pd.DataFrame,
    *,
    limits: Sequence[float] = (95, 99.8),
    overdispersion: bool = True,
    multiplier: float = 1.0,
    variance: str = "binomial",
    phi_correction: bool = False,
) -> Any:
    """The funnel analysis of a :func:`unit_table` (SR when adjusted, PR when crude).

    Adjusted proportions: observed against expected (``data_type="SR"``). With
    ``variance="binomial"`` (default) the limits use the binomial variance of the
    observed count under the standard, ``V = sum p (1 - p)``: the ratio is put on the
    funnel as equivalent events ``E* = E^2 / V``, ``O* = (O/E) E*`` (as for costs), so
    ``O*/E* = O/E`` and its Poisson variance ``1/E*`` is ``V/E^2``. ``"poisson"`` keeps
    FunnelPlotR's SR (variance ``E``), which overstates the standard error of a common
    outcome (caesarean: by about a quarter) and flags too few units. Crude
    proportions: events against cases (``"PR"``). Amounts (cost): the O/E ratio as
    equivalent events (``"SR"``, see the module docstring), crude ones against the
    selection's mean.

    Parameters
    ----------
    table : DataFrame
        From :func:`unit_table`.
    limits : sequence of float
        Limit levels in percent.
    overdispersion : bool
        Widen the limits for between-unit variation beyond chance when phi > 1.
    multiplier : float
        Scale of crude proportions (100: percent); ratios (SR) are never scaled.
    variance : {"binomial", "poisson"}
        The variance of an adjusted binary indicator's observed count (see above).
    phi_correction : bool
        Use the bias-corrected dispersion ratio (the 10%-trimmed phi rescaled by its
        mean with no overdispersion; see
        :mod:`saz_geboortezorg.compare.funnel.overdispersion`) for tau² and the limits.
        Off by default (FunnelPlotR's trimmed phi); the corrected phi is reported either
        way (``phi_corrected``), as a sensitivity view.

    Every SR funnel here has expected counts estimated from the same data (a case-mix
    model, or the selection's mean for crude amounts), so its test of overdispersion
    has n - 1 degrees of freedom (``fitted_expected=True``).

    Returns
    -------
    FunnelResult
        Its ``table["group"]`` are the units; values are O/E (SR) or proportions (PR).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": list("ABCDEFGHIJ"), "n": 100,
    ...                   "observed": [5, 9, 12, 20, 31, 8, 15, 40, 3, 22],
    ...                   "expected": [6.1, 8.0, 15.2, 18.9, 25.0, 9.5, 14.1, 33.3, 4.2, 20.0]})
    >>> t.attrs.update(adjusted=True, family="binomial")
    >>> funnel_for(t).data_type
    'SR'
    """
    from saz_geboortezorg.compare.funnel import funnel

    adjusted = bool(table.attrs.get("adjusted", False))
    family = table.attrs.get("family", "binomial")
    if variance not in ("binomial", "poisson"):
        raise SpecError(f"variance must be 'binomial' or 'poisson', not {variance!r}")
    common = {"limits": limits, "overdispersion": overdispersion, "phi_correction": phi_correction}
    if family == "binomial" and not adjusted:
        return funnel(
            table, "observed", "n", "unit", data_type="PR", multiplier=multiplier, **common
        )
    if family == "binomial" and (variance == "poisson" or "variance" not in table):
        return funnel(
            table, "observed", "expected", "unit", data_type="SR", fitted_expected=True, **common
        )
    # Equivalent events (binomial O/E, amounts): E* = E^2 / V, O* = (O/E) E*, so that
    # O*/E* = O/E and its Poisson variance 1/E* is V/E^2.
    if family == "binomial" or adjusted:
        expected = table["expected"].to_numpy(dtype=float)
    else:
        expected = table["n"].to_numpy(dtype=float) * table.attrs["overall"]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = table["variance"].to_numpy(dtype=float)
        equivalent = np.where(v > 0, expected**2 / v, expected)
        observed = table["observed"].to_numpy(dtype=float) / expected * equivalent
    frame = pd.DataFrame({"unit": table["unit"], "observed": observed, "expected": equivalent})
    return funnel(
        frame,
        "observed",
        "expected",
        "unit",
        data_type="SR",
        shmi_rounding=False,
        fitted_expected=True,
        **common,
    )


def assess(flag: Any, better: str) -> np.ndarray:
    """Funnel flags ('higher', 'lower', 'within') as better/worse given the direction.

    Parameters
    ----------
    flag : array-like of str
    better : {"lower", "higher", "neither"}
        The indicator's good direction; ``neither`` (process measures) gives
        ``different`` for units outside the limits.

    Examples
    --------
    >>> assess(["higher", "lower", "within"], "lower").tolist()
    ['worse', 'better', 'within']
    >>> assess(["higher", "within"], "neither").tolist()
    ['different', 'within']
    """
    f = np.asarray(flag, dtype=object)
    if better not in ("lower", "higher", "neither"):
        raise SpecError(f"better must be 'lower', 'higher' or 'neither', not {better!r}")
    out = np.full(f.shape, "within", dtype=object)
    outside = (f == "higher") | (f == "lower")
    if better == "neither":
        out[outside] = "different"
    else:
        good = "lower" if better == "lower" else "higher"
        out[f == good] = "better"
        out[outside & (f != good)] = "worse"
    return out


def tiers(
    verdict_flag: Any,
    alert_flag: Any,
    better: str,
    judged: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The two tiers of a funnel: the verdict (``assessment``) and the ``alert``.

    A unit outside the verdict limits (99.8% by default, the 'alarm' of UK national
    audits) gets a verdict: better, worse or, without a better direction, different. A
    unit outside only the alert limits (95%) gets no verdict (``within``) but an alert
    in the same words; everyone else gets the alert ``""``. A unit that is not judged
    (too few expected events, see :func:`expected_events`) is ``too_few`` with no alert.

    Parameters
    ----------
    verdict_flag, alert_flag : array-like of str
        Funnel flags ('higher', 'lower', 'within') at the verdict and the alert level;
        ``alert_flag=None``: no alert tier.
    better : {"lower", "higher", "neither"}
    judged : array-like of bool, optional
        Default: every unit is judged.

    Returns
    -------
    (assessment, alert) : two arrays of str

    Examples
    --------
    >>> a, al = tiers(["higher", "within", "within", "lower"],
    ...               ["higher", "higher", "within", "lower"], "lower",
    ...               judged=[True, True, True, False])
    >>> a.tolist(), al.tolist()
    (['worse', 'within', 'within', 'too_few'], ['', 'worse', '', ''])
    """
    assessment = assess(verdict_flag, better)
    alert = np.full(assessment.shape, "", dtype=object)
    judged = (
        np.ones(assessment.shape, dtype=bool) if judged is None else np.asarray(judged, dtype=bool)
    )
    if alert_flag is not None:
        outside = assess(alert_flag, better)
        show = judged & (assessment == "within") & (outside != "within")
        alert[show] = outside[show]
    assessment[~judged] = "too_few"
    return assessment, alert


def expected_events(table: pd.DataFrame) -> np.ndarray:
    """The count the volume rule reads: expected events under the standard, per unit.

    * Events (binomial): the smaller of the expected events and the expected non-events,
      ``min(E, n - E)``; ``E`` is the case-mix expected count, or ``n`` times the
      selection's overall rate when crude. A proportion near 100% is as hard to judge
      with few non-events as a rare one with few events.
    * Amounts (cost): the equivalent events ``E^2 / V`` the funnel uses (see the module
      docstring), i.e. the count whose Poisson noise equals the amount's.

    Parameters
    ----------
    table : DataFrame
        From :func:`unit_table`.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["A", "B"], "n": [40, 400], "observed": [1.0, 9.0],
    ...                   "expected": [float("nan")] * 2, "variance": [0.0, 0.0]})
    >>> t.attrs.update(adjusted=False, family="binomial", overall=10 / 440)
    >>> expected_events(t).round(2).tolist()       # 40 x 2.27% and 400 x 2.27%
    [0.91, 9.09]
    """
    n = table["n"].to_numpy(dtype=float)
    adjusted = bool(table.attrs.get("adjusted", False))
    overall = float(table.attrs["overall"])
    e = table["expected"].to_numpy(dtype=float) if adjusted else n * overall
    if table.attrs.get("family", "binomial") == "binomial":
        return np.minimum(e, n - e)
    with np.errstate(divide="ignore", invalid="ignore"):
        return e**2 / table["variance"].to_numpy(dtype=float)


def benjamini_hochberg(p: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN is left out and stays NaN.

    ``q_(i) = min over j >= i of m p_(j) / j`` (sorted p, ``m`` the finite ones), capped
    at 1: a cell is a discovery at false discovery rate ``alpha`` when ``q <= alpha``.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan"), 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, nan, 0.5]
    """
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return q
    if (p[ok] < 0).any() or (p[ok] > 1).any():
        raise SpecError("p-values must lie between 0 and 1")
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    ranked = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return q


def funnel_p_values(fr: Any) -> pd.DataFrame:
    """Two-sided p-value of every unit of a funnel, consistent with its limits.

    A unit is outside the funnel's two-sided ``L``% limits exactly when its p-value is
    below ``1 - L/100`` (up to FunnelPlotR's 6-decimal normal quantiles):

    * limits widened for overdispersion, or proportions (arcsine): from the z-score in
      force, ``p = 2 (1 - Phi(|z|))``;
    * SR without overdispersion (exact Poisson limits, continuous in ``E``): with
      ``O`` observed and ``E`` expected (``O = (O/E) E`` with the funnel's ``E``, which
      the SHMI method rounds to 2 decimals), ``p = 2 min(F(2O; 2E), 1 - F(2O; 2(E + 1)))``,
      ``F`` the chi-square distribution function; the lower and upper limits of
      :mod:`saz_geboortezorg.compare.funnel.limits` are where these tails equal
      ``(1 - L/100)/2``. (The log-scale z-score would overstate small units: 1 event
      where 5.6 are expected has z = -4.1, p = 0.00005, but sits inside the 99.8%
      Poisson limits.)

    A log-scale funnel (SR) gives a unit with no events z = -inf and p = 0, as its
    limits flag it outside every level; the volume rule keeps such units small in
    number.

    Returns
    -------
    DataFrame
        ``group`` and ``p_value``, in the funnel table's order.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units()
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> p = funnel_p_values(fr)["p_value"]
    >>> bool(((p < 0.05) == (fr.table["flag95"] != "within")).all())
    True
    """
    from scipy.special import erfc
    from scipy.stats import chi2

    t = fr.table
    if fr.data_type == "SR" and not fr.overdispersed:
        e = t["denominator"].to_numpy(dtype=float)
        # the ratio the limits are compared with (its expected count may be rounded)
        o = t["value"].to_numpy(dtype=float) / fr.multiplier * e
        low = chi2.cdf(2 * o, 2 * e)
        high = chi2.sf(2 * o, 2 * (e + 1))
        p = np.minimum(1.0, 2 * np.minimum(low, high))
    else:
        with np.errstate(invalid="ignore"):
            p = erfc(np.abs(t["z"].to_numpy(dtype=float)) / np.sqrt(2.0))
    return pd.DataFrame({"group": t["group"].to_numpy(), "p_value": p})


def exact_p_values(fr: Any) -> pd.DataFrame:
    """Two-sided exact test of every unit's count against its funnel's target.

    The funnel limits of small units are only approximately right: FunnelPlotR's exact
    Poisson limits for a ratio (SR) are confidence limits for a count *equal* to the
    expected one, which on the low side are far narrower than the Poisson distribution
    of the count: 1 event where 5.6 are expected lies outside the 99.8% lower limit,
    while P(X <= 1 | 5.6) = 0.024. A log-scale or arcsine z-score (the overdispersed and
    proportion funnels) does the same to a unit with no events (z = -inf). The
    benchmark therefore gives a verdict or alert only when this exact test agrees
    (:func:`benchmark`):

    * SR: ``X ~ Poisson(E)`` with ``O`` observed (continuous ``O`` through the gamma
      function): ``P(X <= O) = Q(O + 1, E)``, ``P(X >= O) = P(O, E)`` (1 when O = 0);
    * PR: ``X ~ Binomial(n, target)``: ``P(X <= O)`` and ``P(X >= O)``;

    ``p = min(1, 2 min(lower tail, upper tail))``. Other data types get 0 (no check).

    Returns
    -------
    DataFrame
        ``group`` and ``p_exact``, in the funnel table's order.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> fr.table.loc[0, "flag998"], round(float(exact_p_values(fr)["p_exact"][0]), 4)
    ('lower', 0.0059)
    """
    from scipy.special import gammainc, gammaincc
    from scipy.stats import binom

    t = fr.table
    o = t["numerator"].to_numpy(dtype=float)
    n = t["denominator"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if fr.data_type == "SR":
            lower = gammaincc(o + 1, n)
            upper = np.where(o > 0, gammainc(np.maximum(o, 1e-300), n), 1.0)
        elif fr.data_type == "PR":
            k, size = np.rint(o), np.rint(n)
            lower = binom.cdf(k, size, fr.target)
            upper = binom.sf(k - 1, size, fr.target)
        else:
            lower = upper = np.zeros(len(t))
    p = np.minimum(1.0, 2 * np.minimum(lower, upper))
    return pd.DataFrame({"group": t["group"].to_numpy(), "p_exact": p})


def confirmed_flags(fr: Any, units: Sequence[Any], level: float) -> np.ndarray:
    """The funnel's flag at ``level`` per unit where the exact test on the count agrees
    (:func:`exact_p_values`), else ``within``: what a verdict or alert is read from.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> confirmed_flags(fr, ["A"], 99.8).tolist(), confirmed_flags(fr, ["A"], 95).tolist()
    (['within'], ['lower'])
    """
    from saz_geboortezorg.compare.funnel.limits import level_tag

    by_unit = fr.table.set_index("group")
    p_funnel = funnel_p_values(fr).set_index("group")["p_value"].reindex(units).to_numpy()
    p_exact = exact_p_values(fr).set_index("group")["p_exact"].reindex(units).to_numpy()
    flag = by_unit[f"flag{level_tag(level)}"].reindex(units).to_numpy()
    return np.where(np.fmax(p_funnel, p_exact) < (100 - level) / 100, flag, "within")


def funnel_judgement(
    fr: Any,
    units: Sequence[Any],
    expected: Any,
    *,
    levels: Sequence[float],
    min_expected: float = MIN_EXPECTED,
) -> pd.DataFrame:
    """What a funnel says about each unit, before the family is judged (:func:`judge`).

    The per-unit part of :func:`benchmark`: the funnel's flags at every level, the widest
    level crossed, the volume rule (``judged``: a funnel and ``expected >= min_expected``)
    and the p-values a verdict or alert is read from (:func:`funnel_p_values`,
    :func:`exact_p_values` and the larger of the two, NaN where not judged). Anything
    that judges units on a funnel (the benchmark on all units, a report on the units it
    shows) calls this, so the rules live in one place.

    Parameters
    ----------
    fr : FunnelResult or None
        The funnel of the units (``table["group"]``); None: no funnel could be drawn
        (every unit is then not assessed: empty flags, ``judged`` False).
    units : sequence
        The units to judge, in the order of the rows returned; each must be in the funnel.
    expected : array-like of float
        Expected events per unit (:func:`expected_events`), what the volume rule reads.
    levels : sequence of float
        The funnel's limits in percent.
    min_expected : float
        The volume rule.

    Returns
    -------
    DataFrame
        ``data_type``, one ``flag<tag>`` per level, ``outside``, ``judged``, ``z``,
        ``p_funnel``, ``p_exact`` and ``p_value``, one row per unit.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> j = funnel_judgement(fr, ["A", "B"], [20.9, 2.0], levels=(95, 99.8))
    >>> j[["flag998", "outside", "judged"]].values.tolist()
    [['lower', '99.8%', True], ['within', '', False]]
    >>> round(float(j["p_value"][0]), 4), bool(np.isnan(j["p_value"][1]))
    (0.0059, True)
    >>> funnel_judgement(None, ["A"], [20.9], levels=(95, 99.8))["judged"].tolist()
    [False]
    """
    from saz_geboortezorg.compare.funnel.limits import level_tag

    units = list(units)
    tags = [level_tag(x) for x in levels]
    out = pd.DataFrame(index=pd.RangeIndex(len(units)))
    if fr is None:
        out["data_type"] = ""
        for tag in tags:
            out[f"flag{tag}"] = ""
        out["outside"] = ""
        out["judged"] = False
        z = p = p_funnel = p_exact = np.full(len(units), np.nan)
    else:
        by_unit = fr.table.set_index("group")
        missing = [u for u in units if u not in by_unit.index]
        if missing:
            raise SpecError(f"units {missing} are not in the funnel")
        flags = by_unit.reindex(units)
        out["data_type"] = fr.data_type
        for tag in tags:
            out[f"flag{tag}"] = flags[f"flag{tag}"].to_numpy()
        outside = np.full(len(units), "", dtype=object)
        for level, tag in zip(levels, tags, strict=True):
            outside[out[f"flag{tag}"].to_numpy() != "within"] = f"{level:g}%"
        out["outside"] = outside
        # NaN expected events (no expected count) is never enough to judge
        out["judged"] = np.asarray(expected, dtype=float) >= min_expected
        z = flags["z"].to_numpy(dtype=float)
        p_funnel = funnel_p_values(fr).set_index("group")["p_value"].reindex(units).to_numpy()
        p_exact = exact_p_values(fr).set_index("group")["p_exact"].reindex(units).to_numpy()
        # a verdict or alert needs the funnel and the exact test on the count to agree
        p = np.fmax(p_funnel, p_exact)
    judged = out["judged"].to_numpy(dtype=bool)
    out["z"] = z
    out["p_funnel"] = np.where(judged, p_funnel, np.nan)
    out["p_exact"] = np.where(judged, p_exact, np.nan)
    out["p_value"] = np.where(judged, p, np.nan)
    return out


def judge(
    frames: Sequence[pd.DataFrame],
    *,
    verdict_level: float,
    alert_level: float | None,
    fdr: float | None = None,
) -> list[pd.DataFrame]:
    """The two tiers over a family of funnels: ``q_value``, ``assessment`` and ``alert``.

    The family part of :func:`benchmark`. Benjamini-Hochberg q-values are taken over the
    ``p_value`` of every row of every frame together (the judged cells of the family);
    per frame (one indicator) the verdict is the flag at ``verdict_level`` where the
    p-value is below its tail (or, with ``fdr``, where the q-value is at most ``fdr``,
    in the direction of ``z``), the alert the flag at ``alert_level`` likewise, both put
    into words by :func:`tiers` with the indicator's ``better`` direction. A frame
    without a funnel (``data_type`` ``""``) is ``not_assessed``.

    Parameters
    ----------
    frames : sequence of DataFrame
        One per indicator: the columns of :func:`funnel_judgement` and ``better``.
    verdict_level, alert_level : float
        Limits (percent) of a verdict and of an alert (None: no alert tier).
    fdr : float, optional
        Verdicts by Benjamini-Hochberg at this false discovery rate.

    Returns
    -------
    list of DataFrame
        Copies of ``frames`` with ``q_value``, ``assessment`` and ``alert`` added.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> j = funnel_judgement(fr, fr.table["group"], fr.table["denominator"], levels=(95, 99.8))
    >>> [t] = judge([j.assign(better="lower")], verdict_level=99.8, alert_level=95)
    >>> t.loc[0, ["assessment", "alert"]].tolist()
    ['within', 'better']
    """
    from saz_geboortezorg.compare.funnel.limits import level_tag

    frames = [f.copy() for f in frames]
    q = benjamini_hochberg(
        np.concatenate([f["p_value"].to_numpy(dtype=float) for f in frames] or [np.array([])])
    )
    start = 0
    for rows in frames:
        rows["q_value"] = q[start : start + len(rows)]
        start += len(rows)
        if not len(rows) or rows["data_type"].iloc[0] == "":
            rows["assessment"], rows["alert"] = "not_assessed", ""
            continue
        z = rows["z"].to_numpy(dtype=float)
        p_rows = rows["p_value"].to_numpy()
        if fdr is None:
            verdict_flag = np.where(
                p_rows < (100 - verdict_level) / 100,
                rows[f"flag{level_tag(verdict_level)}"],
                "within",
            )
        else:
            verdict_flag = np.where(
                rows["q_value"].to_numpy() <= fdr, np.where(z > 0, "higher", "lower"), "within"
            )
        alert_flag = (
            None
            if alert_level is None
            else np.where(
                p_rows < (100 - alert_level) / 100, rows[f"flag{level_tag(alert_level)}"], "within"
            )
        )
        rows["assessment"], rows["alert"] = tiers(
            verdict_flag, alert_flag, rows["better"].iloc[0], rows["judged"].to_numpy()
        )
    return frames


# ------------------------------------------------------------------------ benchmark
@dataclass
class BenchmarkResult:
    """Every unit on every indicator, in two tiers: verdicts and alerts.

    Attributes
    ----------
    table : DataFrame
        Long format, one row per indicator and unit: ``indicator``, ``name_en``,
        ``name_nl``, ``domain``, ``measure`` (percent, per_1000, euro), ``better``,
        ``attribution`` (booking: where care started; birth: the unit responsible at
        birth), ``window`` (the birth dates the row covers: ``all`` or ``start to end``),
        ``unit``, ``n``, ``observed``, ``expected``, ``value`` (standardised or crude
        rate **in the indicator's unit**: percent, per 1,000, euro), ``target`` (the
        selection's overall rate, same unit), ``ratio`` (O/E), ``adjusted``,
        ``data_type`` (SR or PR), one ``flag<tag>`` per limit (``flag95``,
        ``flag998``: higher/lower/within, the funnel's facts),
        ``expected_events`` (what the volume rule reads, :func:`expected_events`),
        ``judged`` (a funnel was drawn and ``expected_events >= min_expected``),
        ``p_funnel`` (two-sided, consistent with the funnel's limits,
        :func:`funnel_p_values`), ``p_exact`` (the exact test on the count,
        :func:`exact_p_values`), ``p_value`` (the larger of the two: a flag counts as a
        verdict or alert only when this p-value is below the level's tail too),
        ``q_value`` (Benjamini-Hochberg
        over the judged cells of this benchmark), ``assessment`` (the verdict: better,
        worse, different, within, too_few, not_assessed; see :data:`ASSESSMENTS`),
        ``alert`` (better, worse or different outside the alert limits only, else
        ``""``; never a verdict) and ``outside`` (the widest limit crossed, e.g.
        ``"99.8%"``, or ``""``) and ``note`` (why a clinician would find the unit
        different, e.g. a NICU centre that receives in-utero transfers; ``""``
        otherwise).
    unit_type : str
    limits : tuple of float
    overdispersion : bool
    adjusted : bool
        Adjustment requested (per indicator see ``table.adjusted``).
    methods : dict
        Indicator id -> method in words.
    funnels : dict
        Indicator id -> FunnelResult.
    notes : list of str
        Indicators that could not be assessed, and why.
    verdict_level : float
        Limits (percent) of a verdict; default the widest of ``limits``.
    alert_level : float or None
        Limits (percent) of an alert; default the narrowest of ``limits`` when it is
        narrower than the verdict's, else None (no alert tier).
    min_expected : float
        The volume rule: fewer expected events than this is ``too_few``.
    fdr : float or None
        Verdicts by Benjamini-Hochberg at this false discovery rate instead of the
        verdict limits.
    variance : str
        The variance of an adjusted binary indicator's observed count on the funnel:
        ``binomial`` (sum p(1 - p)) or ``poisson`` (E, FunnelPlotR's SR).
    """

    table: pd.DataFrame
    unit_type: str
    limits: tuple[float, ...]
    overdispersion: bool
    adjusted: bool
    methods: dict[str, str] = field(default_factory=dict)
    funnels: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)
    verdict_level: float | None = None
    alert_level: float | None = None
    min_expected: float = MIN_EXPECTED
    fdr: float | None = None
    variance: str = "binomial"

    def __post_init__(self) -> None:
        if self.verdict_level is None:
            self.verdict_level = float(max(self.limits))
            if self.alert_level is None and min(self.limits) < self.verdict_level:
                self.alert_level = float(min(self.limits))

    def family(self) -> dict[str, Any]:
        """The family of judged cells and how many false verdicts and alerts chance gives.

        If no unit differed beyond chance (beyond the between-unit spread the
        overdispersion adjustment allows, where it widened the limits), each judged
        cell would fall outside two-sided limits at level ``L`` with probability
        ``1 - L/100``: outside the verdict limits with ``1 - verdict/100`` (0.002 at
        99.8%) and in the alert band between them with ``verdict/100 - alert/100``
        (0.048 for 95% and 99.8%). Summed over the ``judged`` cells these are the
        expected false verdicts and false alerts. With ``fdr`` (Benjamini-Hochberg) the
        expected *share* of false verdicts among the verdicts is at most ``fdr`` (and,
        with no true differences at all, so is the chance of any false verdict):
        ``false_verdict_bound`` gives it and ``expected_false_verdicts`` is NaN (BH
        bounds no count); false alerts are at most ``judged x (1 - alert/100)``.

        Returns
        -------
        dict
            ``cells``, ``judged`` (cells with a verdict or ``within``; an assessment
            hidden by disclosure control is not counted), ``too_few``,
            ``not_assessed``, ``verdict_level``,
            ``alert_level``, ``fdr``, ``min_expected``, ``verdicts`` and ``alerts``
            (counted), ``expected_false_verdicts`` and ``expected_false_alerts``.

        Examples
        --------
        >>> t = pd.DataFrame({"indicator": "a", "unit": list("WXYZ"),
        ...                   "assessment": ["worse", "within", "within", "too_few"],
        ...                   "alert": ["", "better", "", ""], "outside": ["99.8%", "95%", "", ""]})
        >>> f = BenchmarkResult(t, "hospital", (95, 99.8), True, True).family()
        >>> f["judged"], f["verdicts"], f["alerts"], round(f["expected_false_verdicts"], 3)
        (3, 1, 1, 0.006)
        >>> round(f["expected_false_alerts"], 3)
        0.144
        """
        t = self.table
        a = t["assessment"]
        verdicts = a.isin(["better", "worse", "different"])
        judged = verdicts | (a == "within")  # a hidden (missing) assessment is not counted
        n = int(judged.sum())
        alerts = t["alert"] if "alert" in t else pd.Series("", index=t.index)
        verdict = float(self.verdict_level)
        alert = None if self.alert_level is None else float(self.alert_level)
        tail_alert = 0.0 if alert is None else (100 - alert) / 100
        if self.fdr is None:
            false_verdicts = n * (100 - verdict) / 100
            false_alerts = n * max(tail_alert - (100 - verdict) / 100, 0.0)
        else:  # BH bounds a share (and, with no true differences, P(any)), not a count
            false_verdicts = float("nan")
            false_alerts = n * tail_alert
        return {
            "cells": len(t),
            "judged": n,
            "too_few": int((a == "too_few").sum()),
            "not_assessed": int((a == "not_assessed").sum()),
            "verdict_level": verdict,
            "alert_level": alert,
            "fdr": self.fdr,
            "min_expected": float(self.min_expected),
            "verdicts": int(verdicts.sum()),
            "alerts": int((judged & (alerts != "")).sum()),
            "expected_false_verdicts": float(false_verdicts),
            "false_verdict_bound": None if self.fdr is None else float(self.fdr),
            "expected_false_alerts": float(false_alerts),
        }

    def flags(self, *, label: str = "indicator") -> pd.DataFrame:
        """Wide table of assessments: one row per indicator, one column per unit.

        Cells: a verdict doubled (``++`` better, ``--`` worse, ``!!`` different), an
        alert single (``+``, ``-``, ``!``), ``.`` within, ``~`` too few to judge, ``?``
        not assessed.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"indicator": ["a", "a", "a"], "unit": ["X", "Y", "Z"],
        ...                   "assessment": ["worse", "within", "too_few"],
        ...                   "alert": ["", "better", ""]})
        >>> BenchmarkResult(t, "region", (95, 99.8), True, True).flags()  # doctest: +NORMALIZE_WHITESPACE
        unit        X  Y  Z
        indicator
        a          --  +  ~
        """
        single = {"better": "+", "worse": "-", "different": "!"}
        other = {"within": ".", "too_few": "~", "not_assessed": "?"}
        unknown = set(self.table["assessment"]) - set(single) - set(other)
        if unknown:
            raise SpecError(f"unknown assessment(s) {sorted(unknown)}; known: {ASSESSMENTS}")
        alerts = self.table["alert"] if "alert" in self.table else [""] * len(self.table)
        cells = [
            single[a] * 2 if a in single else (single[al] if al else other[a])
            for a, al in zip(self.table["assessment"], alerts, strict=True)
        ]
        wide = (
            self.table.assign(cell=cells)
            .pivot(index=label, columns="unit", values="cell")
            .reindex(pd.unique(self.table[label]))
        )
        wide.columns.name = "unit"
        wide.index.name = label
        return wide

    def chart(self, highlight: str | None = None, language: str = "en", **options: Any) -> Any:
        """Heat table of the assessments; see
        :func:`saz_geboortezorg.present.benchmark_chart.benchmark_chart`."""
        from saz_geboortezorg.present.benchmark_chart import benchmark_chart

        return benchmark_chart(self, highlight=highlight, language=language, **options)


def _indicator_list(indicators: Any) -> list[Any]:
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.definitions import load_catalogue

    if indicators is None:
        return list(load_catalogue().values())
    if isinstance(indicators, str):
        indicators = [indicators]
    return [get(i) for i in indicators]


def _level(value: Any, levels: tuple[float, ...], name: str) -> float:
    from saz_geboortezorg.compare.funnel.limits import level_tag

    try:
        level = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name} must be a limit level in percent, not {value!r}") from None
    if level_tag(level) not in {level_tag(x) for x in levels}:
        raise SpecError(
            f"{name}={value!r} is not one of the funnel limits {[f'{x:g}' for x in levels]}; "
            "add it to limits="
        )
    return level


def _window_text(period: Sequence[Any] | None) -> str:
    if period is None:
        return "all"
    start, end = period

    def day(x: Any, word: str) -> str:
        return word if x is None else f"{pd.Timestamp(x):%Y-%m-%d}"

    return f"{day(start, 'start')} to {day(end, 'end')}"


def _check_years(years: Any) -> None:
    if not (isinstance(years, int) and not isinstance(years, bool) and years >= 1):
        raise SpecError(f"pool_rare must be a whole number of years (1 or more), not {years!r}")


def pooled_period(
    data: Any, indicator: Any, period: Sequence[Any], years: int, *, cache: Any = None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A pooled window for a rare indicator: ``years`` calendar years ending where
    ``period`` ends (or at the data's last birth when it is open-ended).

    Examples
    --------
    >>> w = pd.DataFrame({"region_id": "A", "ga_days": 280, "mode": "spontaneous",
    ...                   "birth_date": pd.to_datetime(["2021-03-01", "2023-12-30"])})
    >>> pooled_period(w, "cs", ("2023-01-01", "2023-12-31"), 3)
    (Timestamp('2021-01-01 00:00:00'), Timestamp('2023-12-31 00:00:00'))
    """
    _check_years(years)
    try:
        _, end = period
    except (TypeError, ValueError):
        raise SpecError(f"period must be (start, end), not {period!r}") from None
    if end is None:
        cache = cache if cache is not None else BenchmarkCache()
        rec = cache.records(data, indicator)
        if DATE_COLUMN not in rec.table.columns:
            raise SpecError(f"a period needs the column {DATE_COLUMN!r}, which the data lacks")
        end = pd.to_datetime(rec.table[DATE_COLUMN]).iloc[rec.rows].max()
        if pd.isna(end):
            raise SpecError("no birth dates to end a pooled window at")
    end = pd.Timestamp(end).normalize()
    start = end - pd.DateOffset(years=years) + pd.Timedelta(days=1)
    return pd.Timestamp(start), end


def benchmark(
    data: Any,
    indicators: Iterable[Any] | str | None = None,
    *,
    unit: str = "region",
    adjusted: bool = True,
    limits: Sequence[float] = (95, 99.8),
    verdict: float | None = None,
    alert: float | None = None,
    min_expected: float = MIN_EXPECTED,
    fdr: float | None = None,
    overdispersion: bool = True,
    where: Mapping[str, Any] | None = None,
    period: Sequence[Any] | None = None,
    pool_rare: int | None = None,
    cache: BenchmarkCache | None = None,
    attribution: str | None = None,
    variance: str = "binomial",
) -> BenchmarkResult:
    """The open benchmark: every unit's position on every indicator, in two tiers.

    Per indicator: :func:`unit_table` (case-mix standardised when the catalogue gives a
    model and ``adjusted``, crude otherwise), its funnel analysis (:func:`funnel_for`)
    and an assessment of each unit from the funnel flags and the indicator's ``better``
    direction.

    Two tiers, as UK national audits use them (:func:`tiers`). About 33 indicators for
    17 hospitals are several hundred cells: at 95% limits chance alone puts about 1 in
    20 outside. So the **verdict** (``assessment``: better, worse, different) is given
    at the ``verdict`` limits (99.8%, the 'alarm' level, by default), and outside only
    the ``alert`` limits (95%) a unit gets an **alert** (column ``alert``), never a
    verdict. :meth:`BenchmarkResult.family` gives the number of false verdicts and
    alerts chance alone would give among the judged cells.

    A **volume rule**: a unit with fewer than ``min_expected`` expected events (or
    non-events, :func:`expected_events`) is shown but not judged (``too_few``). It stays
    in the funnel (and its dispersion estimate).

    Parameters
    ----------
    data : Dataset or DataFrame
    indicators : iterable of str, optional
        Indicator ids (default: the whole catalogue, in catalogue order).
    unit : str
        ``hospital``, ``region`` or ``practice`` (or a column).
    adjusted : bool
        Case-mix adjustment where a model exists.
    limits : sequence of float
        Funnel limits in percent (the flags ``flag95``, ``flag998``...).
    verdict : float, optional
        The limits of a verdict, one of ``limits`` (default: the widest, 99.8).
    alert : float, optional
        The limits of an alert, one of ``limits`` and narrower than ``verdict``
        (default: the narrowest when narrower than the verdict's; else no alert tier).
    min_expected : float
        The volume rule (default 5; 0 judges every unit).
    fdr : float, optional
        Instead of the verdict limits, give a verdict where the Benjamini-Hochberg
        q-value over all judged cells of this benchmark is at most ``fdr`` (e.g.
        0.05: at most 5% of the verdicts expected false). p-values are two-sided and
        agree with each funnel's limits (:func:`funnel_p_values`: from the z-score in
        force, overdispersion-adjusted where the limits were widened, or exact Poisson);
        the direction is the sign of z. Alerts stay: outside the alert limits without
        a verdict.
    overdispersion : bool
        Overdispersion-adjusted limits (Spiegelhalter 2005) when phi > 1.
    where, period
        Selection, as in :func:`unit_table`. Without a period every indicator pools all
        births in the data (three years in the synthetic data).
    pool_rare : int, optional
        For rare indicators (measured per 1,000: perinatal mortality, NICU admission,
        ...) use a pooled window of this many calendar years ending where ``period``
        ends (:func:`pooled_period`), e.g. a 2023 benchmark judging perinatal
        mortality on 2021-2023. No effect without a ``period``: everything is pooled
        then. The ``window`` column names each row's dates.
    cache : BenchmarkCache, optional
    attribution : {"booking", "birth"}, optional
        One rule for every indicator; default: each indicator's own (catalogue
        ``attribution``: population outcomes to where care started, outcomes of care
        during birth to the unit responsible at birth). The table's ``attribution``
        column names the rule per row.

    variance : {"binomial", "poisson"}
        The variance of an adjusted binary indicator's observed count on its funnel:
        ``binomial`` (sum p(1 - p), default) or ``poisson`` (E: FunnelPlotR's SR, which
        overstates the standard error of a common outcome; the ``funnel`` command keeps
        it). Stated in the methods text.
    Returns
    -------
    BenchmarkResult

    Raises
    ------
    SpecError
        Unknown indicator or unit, a verdict or alert level not among ``limits``, bad
        ``min_expected``, ``fdr`` or ``pool_rare``. An indicator whose funnel cannot be
        computed (too few units, no records in the selection) is listed in ``notes``
        and its units are ``not_assessed``.

    Examples
    --------
    >>> import saz_geboortezorg as sg
    >>> data = sg.load(sg.synthetic.default_dataset())             # doctest: +SKIP
    >>> res = benchmark(data, ["cs", "oasis"], unit="region")       # doctest: +SKIP
    >>> res.flags()                                                 # doctest: +SKIP
    >>> res.family()["expected_false_verdicts"]                     # doctest: +SKIP
    """

    chosen = _indicator_list(indicators)
    cache = cache if cache is not None else BenchmarkCache()
    levels = tuple(sorted(float(x) for x in limits))
    if not levels:
        raise SpecError("limits: give at least one level, e.g. (95, 99.8)")
    verdict_level = _level(levels[-1] if verdict is None else verdict, levels, "verdict")
    if alert is None:
        alert_level = levels[0] if levels[0] < verdict_level else None
    else:
        alert_level = _level(alert, levels, "alert")
        if alert_level >= verdict_level:
            raise SpecError(
                f"alert={alert!r} must be narrower than the verdict limits ({verdict_level:g})"
            )
    if not (
        isinstance(min_expected, int | float)
        and not isinstance(min_expected, bool)
        and np.isfinite(min_expected)
        and min_expected >= 0
    ):
        raise SpecError(f"min_expected must be a number >= 0, not {min_expected!r}")
    if fdr is not None and not (
        isinstance(fdr, int | float) and not isinstance(fdr, bool) and 0 < fdr < 1
    ):
        raise SpecError(
            f"fdr must be a false discovery rate between 0 and 1 (e.g. 0.05), not {fdr!r}"
        )
    if pool_rare is not None:
        _check_years(pool_rare)
    frames, methods, funnels, notes = [], {}, {}, []
    unit_type = unit
    for ind in chosen:
        ind_period = period
        if pool_rare is not None and period is not None and ind.unit == "per_1000":
            ind_period = pooled_period(data, ind, period, pool_rare, cache=cache)
        try:
            ut = unit_table(
                data,
                ind,
                unit=unit,
                adjusted=adjusted,
                where=where,
                period=ind_period,
                cache=cache,
                attribution=attribution,
            )
        except SpecError as exc:
            if "no records in the selection" not in str(exc):
                raise
            notes.append(f"{ind.id}: {exc}")
            continue
        unit_type = ut.attrs["unit_type"]
        methods[ind.id] = ut.attrs["method"]
        if ut.attrs["adjusted"] and ut.attrs["family"] == "binomial":
            methods[ind.id] += (
                "; funnel with the binomial variance sum p(1 - p)"
                if variance == "binomial"
                else "; funnel with the Poisson variance E (FunnelPlotR)"
            )
        m = ut.attrs["multiplier"]
        rows = pd.DataFrame(
            {
                "indicator": ind.id,
                "name_en": ind.name_en,
                "name_nl": ind.name_nl,
                "domain": ind.domain,
                "measure": ind.unit,
                "better": ind.better,
                "attribution": ut.attrs["attribution"],
                "window": _window_text(ind_period),
                "unit": ut["unit"],
                "n": ut["n"],
                "observed": ut["observed"],
                "expected": ut["expected"],
                "value": ut["value"] * m,
                "target": ut.attrs["overall"] * m,
                "ratio": ut["ratio"],
                "adjusted": ut["adjusted"],
            }
        )
        rows["expected_events"] = expected_events(ut)
        try:
            fr = funnel_for(ut, limits=levels, overdispersion=overdispersion, variance=variance)
        except SazError as exc:
            notes.append(f"{ind.id}: not assessed ({exc})")
            fr = None
        else:
            funnels[ind.id] = fr
        judgement = funnel_judgement(
            fr, ut["unit"], rows["expected_events"], levels=levels, min_expected=min_expected
        )
        for col in judgement.columns:
            rows[col] = judgement[col].to_numpy()
        frames.append(rows)
    if not frames:
        raise SpecError("no indicator has records in the selection; widen the selection")
    frames = judge(frames, verdict_level=verdict_level, alert_level=alert_level, fdr=fdr)
    table = pd.concat(frames, ignore_index=True).drop(columns="z")
    # units a clinician will ask about (NICU centres receive in-utero transfers)
    from saz_geboortezorg.compare.attribution import booking_caveat, unit_notes

    caveat = booking_caveat(data)
    if caveat and (table["attribution"] == "booking").any():
        notes.append(caveat)
    by_rule = {rule: unit_notes(data, unit_type, rule) for rule in ("booking", "birth")}
    table["note"] = [
        by_rule[rule].get(str(u), "")
        for rule, u in zip(table["attribution"], table["unit"], strict=True)
    ]
    return BenchmarkResult(
        table=table,
        unit_type=unit_type,
        limits=levels,
        overdispersion=bool(overdispersion),
        adjusted=bool(adjusted),
        methods=methods,
        funnels=funnels,
        notes=notes,
        verdict_level=verdict_level,
        alert_level=alert_level,
        min_expected=float(min_expected),
        fdr=None if fdr is None else float(fdr),
        variance=variance,
    )
