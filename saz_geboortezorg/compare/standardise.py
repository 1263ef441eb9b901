"""Indirect standardisation of an indicator per unit: the first step of the benchmark.

How a unit's expected count is found (indirect standardisation with a fixed model)
----------------------------------------------------------------------------------
For an indicator with a case-mix model (the catalogue's ``case_mix`` spec), the model is
fitted **once**, on every record of the indicator's population (fixed effects only, no
unit term). Each record then gets its expected value under that national standard: its
expected risk of the event (logistic model,
:meth:`FittedModel.fitted_values <saz_geboortezorg.model.fitted.FittedModel.fitted_values>`,
what :meth:`~saz_geboortezorg.model.fitted.FittedModel.predict` gives for the same
records, read from the fit's covariate patterns) or its expected cost (gamma model with
log link). A unit's expected count is the **sum** of its
records' expected values, exactly as :func:`saz_geboortezorg.casemix` computes it; O/E compares the
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

Per unit, observed, expected, O/E and its interval come from the same engine as
:func:`saz_geboortezorg.casemix` (:func:`saz_geboortezorg.model.fitted.oe_sums`), summed
over the selected records instead of covariate patterns. For amounts (cost per
pregnancy) observed is the total claimed and expected the sum of the model's expected
cost per pregnancy; how amounts are put on a funnel is explained in
:mod:`saz_geboortezorg.compare.benchmark`.

A :class:`BenchmarkCache` keeps the per-record outcomes and expected values per
(dataset, indicator): changing the level, period, filters, limits or overdispersion
never refits; ``cache.fits`` counts the model fits.

Trend tables (the same sums per calendar period) are monitoring over time:
:func:`saz_geboortezorg.monitor.trends.trend_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import (
    UNIT_COLUMNS,
    attribution_for,
    resolve_unit,
)
from saz_geboortezorg.indicators.rate_table import RateTable
from saz_geboortezorg.indicators.user import Theme
from saz_geboortezorg.model import casemix, load_spec
from saz_geboortezorg.model.design import factorize_units
from saz_geboortezorg.model.fitted import oe_sums
from saz_geboortezorg.model.prepare import TableMemo

__all__ = [
    "BenchmarkCache",
    "IndicatorRecords",
    "Selection",
    "unit_table",
    "select_records",
    "require_records",
    "summarise_units",
    "THEME_COLUMNS",
    "DATE_COLUMN",
    "TREND_FREQUENCIES",
]

#: Columns the theme filters use (``robson_main``: Robson group 1-10 without a/b split,
#: added by the derive step at load).
THEME_COLUMNS = ("ses_quintile", "migration", "parity_group", "robson_main")
#: The date a record belongs to for period selections.
DATE_COLUMN = "birth_date"
#: Trend periods and their pandas period codes.
TREND_FREQUENCIES = {"year": "Y", "quarter": "Q", "month": "M"}


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


class Selection:
    """The records of an indicator's denominator under a selection mask: their
    positions, outcomes and totals, and their expected values scaled by a calibration
    factor, each made once for the unit table and the trend of one state.

    The values are those of the masked copies (``rec.y[keep]``, ...), in the same order,
    so every sum over them is the sum over the masked copies.

    Attributes
    ----------
    whole : bool
        Every record is selected (``idx`` is None and ``y`` is ``rec.y`` itself).
    idx : ndarray of int or None
        Positions of the selected records in the denominator.
    y : ndarray
        Their outcomes.
    count, y_total
        How many there are and the sum of their outcomes.

    Examples
    --------
    >>> women = pd.DataFrame({"region_id": ["A", "B", "B"], "ga_days": 280, "cs": [1, 0, 1]})
    >>> cache = BenchmarkCache()
    >>> sel = Selection(cache.records(women, "cs"), np.array([True, False, True]))
    >>> sel.idx.tolist(), sel.y.tolist(), int(sel.count), float(sel.y_total)
    ([0, 2], [1.0, 1.0], 2, 2.0)
    """

    def __init__(self, rec: IndicatorRecords, keep: np.ndarray) -> None:
        self.rec = rec
        self.whole = bool(keep.all())
        self.idx = None if self.whole else np.flatnonzero(keep)
        self.y = rec.y if self.idx is None else rec.y[self.idx]
        self.count = np.int64(len(keep)) if self.whole else keep.sum()
        self.y_total = self.y.sum()
        self._expected_total: Any = None
        self._scaled: tuple[float, np.ndarray] | None = None

    def _expected(self) -> np.ndarray:
        expected = self.rec.expected
        return expected if self.idx is None else expected[self.idx]

    def expected_total(self) -> Any:
        """The sum of the selected records' expected values (the model is fitted)."""
        if self._expected_total is None:
            self._expected_total = self._expected().sum()
        return self._expected_total

    def expected(self, factor: float) -> np.ndarray:
        """The selected records' expected values times ``factor`` (the last one kept)."""
        if self._scaled is None or self._scaled[0] != factor:
            values = self._expected()
            self._scaled = (factor, values if factor == 1.0 else values * factor)
        return self._scaled[1]


class BenchmarkCache:
    """Fitted case-mix models and per-record values, per (dataset, indicator).

    Pass the same cache to :func:`unit_table` and
    :func:`~saz_geboortezorg.compare.benchmark.benchmark` calls on the same
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
    ...                       "ga_days": 280, "cs": rng.choice([0, 1], 500)})
    >>> cache = BenchmarkCache()
    >>> t = unit_table(women, "cs", adjusted=False, cache=cache)
    >>> t = unit_table(women, "cs", unit="all", adjusted=False, cache=cache)
    >>> t.table[["unit", "n"]].values.tolist(), cache.fits, len(cache)
    ([['all', 500]], 0, 1)
    """

    def __init__(self, *, random_effects: bool = False) -> None:
        self.random_effects = random_effects
        self.fits = 0
        self._tables: dict[int, pd.DataFrame] = {}
        self._records: dict[tuple[int, str], IndicatorRecords] = {}
        self._codes: dict[tuple[int, str], tuple[np.ndarray, list[str]]] = {}
        self._strings: dict[tuple[int, str], np.ndarray] = {}
        # per table: outcomes and covariate codes shared by every indicator's model
        self._memos: dict[int, TableMemo] = {}
        # per indicator's records: a column's codes at its rows, as small integers
        self._gathered: dict[tuple, tuple[IndicatorRecords, np.ndarray, Any]] = {}
        # the last selections (masks) and their totals: a unit table and a trend table
        # of the same state select and sum the same records once
        self._selections: list[tuple[Any, IndicatorRecords, np.ndarray]] = []
        self._totals: list[tuple[np.ndarray, IndicatorRecords, Selection]] = []
        self._references: dict[int, tuple[IndicatorRecords, Any]] = {}
        self._whole: list[tuple[IndicatorRecords, np.ndarray, Any, tuple]] = []

    def __len__(self) -> int:
        return len(self._records)

    def clear(self) -> None:
        """Forget every table and fit."""
        self._tables.clear()
        self._records.clear()
        self._codes.clear()
        self._strings.clear()
        self._memos.clear()
        self._gathered.clear()
        self._selections.clear()
        self._totals.clear()
        self._references.clear()
        self._whole.clear()

    # -- tables ---------------------------------------------------------------------
    def table(self, data: Any, indicator: Any) -> pd.DataFrame:
        """The indicator's analysis table, as it is: the derive step (``sg.load``,
        ``sg.add_derived``) added the derived columns. The cache keeps a reference, so
        that the table's ``id`` (the key of its records and codes) stays its own."""
        source = _source_table(data, indicator)
        self._tables[id(source)] = source
        return source

    def records(self, data: Any, indicator: Any) -> IndicatorRecords:
        """Outcome and expected value of every record in the indicator's denominator."""
        indicator = get(indicator)
        source = _source_table(data, indicator)
        # keyed by the whole definition: a user indicator redefined under its id is new
        key = (id(source), indicator)
        if key not in self._records:
            self._records[key] = self._build(data, indicator)
        return self._records[key]

    def codes(self, table: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
        """Sorted unit labels of a column and each record's code (missing: ``unknown``)."""
        key = (id(table), column)
        if key not in self._codes:
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

    def text_codes(self, table: pd.DataFrame, column: str | Theme) -> tuple[np.ndarray, np.ndarray]:
        """A column's distinct values as text (missing: ``unknown``) and each record's
        code into them: ``texts[codes]`` is :meth:`strings`, kept as small integers so
        that a theme filter tests a few texts, not every record's. A user
        :class:`~saz_geboortezorg.indicators.user.Theme` gives ``yes``/``no``/``unknown``."""
        key = (id(table), "text", column)
        if key not in self._codes:
            if isinstance(column, Theme):
                texts, codes = np.unique(self.strings(table, column), return_inverse=True)
                self._codes[key] = (np.asarray(codes, dtype=np.int64), texts)
                return self._codes[key]
            values = table[column]
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            if _codes_keep_text(values, uniques):
                texts = pd.Series(uniques).astype("string").fillna("unknown")
                texts = np.append(texts.to_numpy(dtype=object), "unknown")
                codes = np.where(codes < 0, len(texts) - 1, codes)
            else:  # values that compare equal but print differently (1 and 1.0)
                texts, codes = np.unique(self.strings(table, column), return_inverse=True)
            self._codes[key] = (np.asarray(codes, dtype=np.int64), texts)
        return self._codes[key]

    def dates(self, table: pd.DataFrame) -> np.ndarray:
        """Each record's :data:`DATE_COLUMN` as ``datetime64``."""
        key = (id(table), "dates")
        if key not in self._codes:
            self._codes[key] = (pd.to_datetime(table[DATE_COLUMN]).to_numpy(), None)
        return self._codes[key][0]

    def strings(self, table: pd.DataFrame, column: str | Theme) -> np.ndarray:
        """A column as text (missing: ``unknown``), for the theme filters; a user
        :class:`~saz_geboortezorg.indicators.user.Theme` as ``yes``/``no``/``unknown``."""
        key = (id(table), column)
        if key not in self._strings:
            if isinstance(column, Theme):
                self._strings[key] = column.values(table).to_numpy(dtype=object)
                return self._strings[key]
            values = table[column].astype("string").fillna("unknown")
            self._strings[key] = values.to_numpy(dtype=object)
        return self._strings[key]

    def memo(self, table: pd.DataFrame) -> TableMemo:
        """The table's outcomes and covariate codes, shared by every indicator's model
        (:class:`~saz_geboortezorg.model.prepare.TableMemo`)."""
        key = id(table)
        if key not in self._memos or self._memos[key].table is not table:
            self._memos[key] = TableMemo(table)
        return self._memos[key]

    # -- per indicator's records --------------------------------------------------------
    def record_codes(self, rec: IndicatorRecords, column: Any, kind: str = "unit") -> np.ndarray:
        """The codes of :meth:`codes` (``kind="unit"``), :meth:`text_codes` (``"text"``)
        or :meth:`periods` (``"period"``, ``column`` the frequency; -1 without a date) at
        the records ``rec.rows``, kept per indicator as the smallest integer type that
        holds them: a redraw selects and sums without gathering the column again."""
        key = (id(rec), kind, column)
        hit = self._gathered.get(key)
        if hit is None or hit[0] is not rec:
            if kind == "unit":
                codes, labels = self.codes(rec.table, column)
            elif kind == "text":
                codes, labels = self.text_codes(rec.table, column)
            else:
                codes, labels = self.periods(rec.table, column)
            small = _small_int(len(labels))
            gathered = np.take(codes, rec.rows).astype(small, copy=False)
            gathered.flags.writeable = False
            hit = self._gathered[key] = (rec, gathered, labels)
        return hit[1]

    def select(self, rec: IndicatorRecords, key: Any, make: Any) -> np.ndarray:
        """The selection mask under ``key`` (made by ``make()`` when not among the last
        few); read-only, shared by the callers."""
        for old_key, old_rec, mask in self._selections:
            if old_rec is rec and old_key == key:
                return mask
        mask = make()
        mask.flags.writeable = False
        self._selections = [(key, rec, mask), *self._selections[:3]]
        return mask

    def selection(self, rec: IndicatorRecords, keep: np.ndarray) -> Selection:
        """The :class:`Selection` of the records under ``keep``, kept for the last two
        masks (by identity): a unit table and a trend of one state share it."""
        for mask, old_rec, sel in self._totals:
            if mask is keep and old_rec is rec:
                return sel
        sel = Selection(rec, keep)
        self._totals = [(keep, rec, sel), *self._totals[:1]]
        return sel

    def whole_sums(self, rec: IndicatorRecords, codes: np.ndarray, key: Any, make: Any) -> tuple:
        """Per-group sums over every record of ``rec`` grouped by ``codes`` (an array the
        cache keeps, by identity), made by ``make()`` once and kept for the last 32
        (level, adjustment) choices; copies are returned, so that a table made from them
        cannot change them."""
        kept = [v for r, c, k, v in self._whole if r is rec and c is codes and k == key]
        if kept:
            n, obs, sums = kept[0]
        else:
            n, obs, sums = make()
            self._whole = [(rec, codes, key, (n, obs, sums)), *self._whole[:31]]
        return n.copy(), obs.copy(), {k: v.copy() for k, v in sums.items()}

    def reference(self, rec: IndicatorRecords) -> Any:
        """The whole population's overall O/E under the fitted model (kept per records)."""
        hit = self._references.get(id(rec))
        if hit is None or hit[0] is not rec:
            hit = self._references[id(rec)] = (rec, rec.y.sum() / rec.expected.sum())
        return hit[1]

    # -- fitting ----------------------------------------------------------------------
    def _build(self, data: Any, indicator: Any) -> IndicatorRecords:
        table = self.table(data, indicator)
        # indicator_outcome, kept for the indicator's case-mix fit
        rows, y = self.memo(table).outcome(indicator)
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
        # The outcome and the covariate codes come from the table's memo: computed once
        # for every indicator on the table, and no copy of the population's records.
        result = casemix(
            table,
            spec,
            unit="all",
            random_effects=self.random_effects,
            strict=False,
            memo=self.memo(table),
        )
        # each record's expected value from its covariate pattern in the fit (the same
        # as result.model.predict(slim), without preparing the table again)
        values = result.model.fitted_values().to_numpy(float)[rows]
        if np.isnan(values).any():
            raise SpecError(
                f"indicator {indicator.id!r}: the case-mix model {spec.name!r} gives no "
                "expected value for some records of the indicator's denominator"
            )
        method = f"case-mix model {spec.name!r} (indirect standardisation)"
        if result.problems:
            method += "; problems: " + "; ".join(result.problems)
        return values, float(result.model.scale), result, method


def _small_int(count: int) -> type:
    """The smallest signed integer type holding codes ``-1 .. count``."""
    for dtype in (np.int8, np.int16, np.int32):
        if count < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _selection_key(where: Mapping[str, Any] | None, period: Any) -> Any:
    """A hashable key of a selection, or None when a filter is not plain values (a
    generator, say: then the selection is not kept)."""
    items = []
    for column, allowed in (where or {}).items():
        if allowed is None or isinstance(allowed, str | int | float):
            items.append((column, allowed))
        elif isinstance(allowed, list | tuple | set | frozenset):
            items.append((column, tuple(sorted({str(v) for v in allowed}))))
        else:
            return None
    try:
        key = (tuple(items), None if period is None else tuple(period))
        hash(key)
    except TypeError:
        return None
    return key


def _codes_keep_text(values: pd.Series, uniques: Any) -> bool:
    """Whether records with the same factorize code always print as the same text:
    categorical, integer, boolean and text columns (not floats, -0.0 and 0.0, nor
    objects mixing 1, 1.0 and True)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype | pd.StringDtype):
        return True
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return True
    if pd.api.types.is_object_dtype(dtype):
        return pd.api.types.infer_dtype(uniques, skipna=True) in ("string", "empty")
    return pd.api.types.is_string_dtype(dtype)


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


# ------------------------------------------------------------------------- selection
def select_records(
    cache: BenchmarkCache,
    rec: IndicatorRecords,
    where: Mapping[str, Any] | None,
    period: Sequence[Any] | None,
) -> np.ndarray:
    """Boolean mask over the denominator's records: the theme filters ``where`` and the
    birth dates of ``period``, as in :func:`unit_table`.

    Examples
    --------
    >>> women = pd.DataFrame({"region_id": ["A", "B"], "ga_days": 280,
    ...                       "parity_group": ["0", "1"], "cs": 0})
    >>> cache = BenchmarkCache()
    >>> select_records(cache, cache.records(women, "cs"), {"parity_group": ["1"]}, None).tolist()
    [False, True]
    """

    def compute() -> np.ndarray:
        table = rec.table
        keep = np.ones(len(rec.rows), dtype=bool)
        for column, allowed in (where or {}).items():
            if not isinstance(column, Theme) and column not in table.columns:
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
                name = column.id if isinstance(column, Theme) else column
                raise SpecError(f"filter on {name!r}: choose at least one value")
            texts = cache.text_codes(table, column)[1]
            keep &= np.isin(texts, list(wanted))[cache.record_codes(rec, column, "text")]
        if period is not None:
            if DATE_COLUMN not in table.columns:
                raise SpecError(f"a period needs the column {DATE_COLUMN!r}, which the data lacks")
            try:
                start, end = period
            except (TypeError, ValueError):
                raise SpecError(f"period must be (start, end), not {period!r}") from None
            dates = cache.dates(table)[rec.rows]
            if start is not None:
                keep &= dates >= np.datetime64(pd.Timestamp(start))
            if end is not None:
                keep &= dates <= np.datetime64(pd.Timestamp(end))
        return keep

    key = _selection_key(where, period)
    return compute() if key is None else cache.select(rec, key, compute)


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
) -> RateTable:
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
        "robson_main": ["1"]}``; values are compared as text. A key may be a user
        :class:`~saz_geboortezorg.indicators.user.Theme` (values ``yes``, ``no``,
        ``unknown``: whether its expression holds).
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
        (catalogue ``attribution``). Recorded in the field ``attribution``.

    Returns
    -------
    RateTable
        Its ``table`` has one row per unit with records in the selection, sorted by
        unit: ``unit``, ``n``, ``observed`` (events or total amount), ``expected``
        (NaN when crude), ``rate`` (crude rate or mean), ``ratio`` (O/E, NaN when
        crude), ``value`` (what is plotted: O/E x the selection's overall rate when
        adjusted, else ``rate``), ``lower``/``upper`` (95% interval of ``value``: for
        O/E of a binary outcome the exact interval with the binomial variance sum
        p(1 - p), :func:`~saz_geboortezorg.stats.intervals.oe_interval`; Wilson for
        crude proportions; normal with the robust variance for amounts),
        ``variance`` (variance of ``observed`` under the standard) and ``adjusted``.
        ``rate``, ``value``, ``lower`` and ``upper`` are on the indicator's own scale
        (percent, per 1,000, euro). The fields hold ``indicator``, ``unit_type``,
        ``attribution``, ``measure``, ``multiplier``, ``adjusted``, ``method`` (in
        words), ``family``, ``overall`` (the selection's rate as a proportion, or
        mean), ``target`` (``overall`` on the indicator's scale), ``confidence``,
        ``calibration`` (the factor applied to the expected counts) and ``interval``
        (see :class:`~saz_geboortezorg.indicators.rate_table.RateTable`).

    Raises
    ------
    SpecError
        Unknown indicator, unit or filter column, or an empty selection.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"region_id": ["A", "A", "B", "B"], "ga_days": 280,
    ...                       "parity_group": ["0", "1", "0", "1"],
    ...                       "cs": [1, 0, 0, 0]})
    >>> t = unit_table(women, "cs", adjusted=False)
    >>> t.table[["unit", "n", "observed", "rate", "value"]]
      unit  n  observed  rate  value
    0    A  2       1.0  50.0   50.0
    1    B  2       0.0   0.0    0.0
    >>> t.unit_type, t.measure, t.adjusted, t.target
    ('region', 'percent', False, 25.0)
    >>> unit_table(women, "cs", where={"parity_group": ["0"]}, adjusted=False).table["n"].tolist()
    [1, 1]
    """
    cache = cache if cache is not None else BenchmarkCache()
    rec = cache.records(data, indicator)
    table = rec.table
    rule = attribution_for(rec.indicator, attribution)
    unit_col = resolve_unit(unit, table.columns, rule)
    keep = select_records(cache, rec, where, period)
    require_records(rec, keep, where, period)
    if unit_col is None:
        codes, labels = np.zeros(len(rec.rows), dtype=np.int64), ["all"]
    else:
        labels = cache.codes(table, unit_col)[1]
        codes = cache.record_codes(rec, unit_col)
    out = summarise_units(cache, rec, keep, codes, labels, adjusted, calibrate)
    unit_type = "all" if unit_col is None else (unit if unit in UNIT_COLUMNS else unit_col)
    return replace(out, unit_type=unit_type, attribution=rule)


def require_records(rec, keep, where, period) -> None:
    """Raise a :class:`SpecError` naming the selection when it holds no records."""
    if not keep.any():
        raise SpecError(
            f"indicator {rec.indicator.id!r}: no records in the selection (filters "
            f"{dict(where or {})}, period {period}); widen the selection"
        )


def summarise_units(
    cache: BenchmarkCache,
    rec: IndicatorRecords,
    keep: np.ndarray,
    codes: np.ndarray,
    labels: Sequence[Any],
    adjusted: bool,
    calibrate: bool,
    *,
    groups: np.ndarray | None = None,
) -> RateTable:
    """Per-group sums over the selected records as a :class:`RateTable` (``codes``:
    group of every denominator record; ``groups``: a subset of the selected records to
    summarise, by default all; the calibration and overall rate always come from the
    whole selection). Groups without records are left out."""
    # the selection's totals are shared by the calls on the same mask; every sum is
    # taken over the same records in the same order as over the masked copies
    sel = cache.selection(rec, keep)
    overall = sel.y_total / sel.count
    if groups is None:
        part, y = sel.idx, sel.y  # part None: every record
    else:
        part = np.flatnonzero(groups if sel.whole else keep & groups)
        y = rec.y[part]
    J = len(labels)
    if adjusted:
        cache.fit(rec)
    use_model = adjusted and rec.adjustable
    factor = 1.0
    if use_model:
        e_total = sel.expected_total()
        reference = cache.reference(rec)  # overall O/E of the whole population
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = float(sel.y_total / e_total / reference) if calibrate and e_total > 0 else 1.0

    def per_group() -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        c = codes if part is None else codes[part]
        n = np.bincount(c, minlength=J).astype(float)
        obs = np.bincount(c, weights=y, minlength=J)
        sums: dict[str, Any] = {}
        if use_model:
            if groups is None:
                e_rec = sel.expected(factor)
            else:
                e_rec = rec.expected[part]
                e_rec = e_rec if factor == 1.0 else e_rec * factor
            # the same engine as casemix (model.fitted.oe_sums), over records
            oe = oe_sums(c, J, y, e_rec, rec.family, rec.dispersion, totals=(n, obs))
            sums = {"expected": oe.expected, "variance": oe.variance}
        elif rec.family == "gamma":
            sums = {"sumsq": np.bincount(c, weights=y**2, minlength=J)}
        return n, obs, sums

    if groups is None and sel.whole and not codes.flags.writeable:
        # every record, grouped by codes the cache keeps: the same sums every time
        n, obs, sums = cache.whole_sums(rec, codes, (J, use_model, factor), per_group)
    else:
        n, obs, sums = per_group()
    if adjusted or not rec.indicator.case_mix:
        method = rec.method
    else:
        method = "crude (adjustment switched off)"
    return RateTable.from_counts(
        np.asarray(labels, dtype=object),
        n,
        obs,
        indicator=rec.indicator.id,
        measure=rec.indicator.unit,
        family=rec.family,
        overall=float(overall),
        method=method,
        calibration=factor,
        **sums,
    )
