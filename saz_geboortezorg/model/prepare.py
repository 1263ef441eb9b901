"""From data and a spec to the analysed records: table, outcome, population, units, design.

:func:`prepare` is the first step of every fit (:func:`~saz_geboortezorg.model.fit.casemix`)
and of every application of a fitted model to data
(:class:`~saz_geboortezorg.model.fitted.FittedModel`): the same records, outcome and
missing-data policy either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.expressions import check, evaluate
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import (
    UNIT_COLUMNS,
    attribution_for,
    indicator_outcome,
    resolve_unit,
)
from saz_geboortezorg.model.design import CovariateColumns, build_design, factorize_units
from saz_geboortezorg.model.spec import CaseMixSpec, load_spec

__all__ = ["Prepared", "TableMemo", "prepare", "pick_table"]


class TableMemo:
    """What every model on one analysis table shares, computed once: each catalogue
    indicator's outcome (:func:`~saz_geboortezorg.indicators.compute.indicator_outcome`)
    and each covariate column's codes
    (:class:`~saz_geboortezorg.model.design.CovariateColumns`).

    Pass it to :func:`prepare` or :func:`~saz_geboortezorg.model.fit.casemix`
    (``memo=``) for every model fitted to the same table, as the benchmark does with
    one model per indicator. The table must not change while the memo is in use.

    Parameters
    ----------
    table : DataFrame
        The analysis table (``women`` or ``births``).

    Examples
    --------
    >>> women = pd.DataFrame({"ga_days": [280, 275, 270], "cs": [1, 0, None]})
    >>> memo = TableMemo(women)
    >>> rows, y = memo.outcome(get("cs"))
    >>> rows.tolist(), y.tolist()
    ([0, 1], [1.0, 0.0])
    >>> memo.outcome(get("cs"))[0] is rows
    True
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.columns = CovariateColumns(table)
        self._outcomes: dict[Any, tuple[np.ndarray, np.ndarray]] = {}

    def outcome(self, indicator: Any) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the records in the indicator's denominator and their outcome
        (0/1, or the amount)."""
        indicator = get(indicator)
        # keyed by the whole (frozen) definition: an indicator redefined under its id
        # (a user catalogue) is evaluated afresh
        if indicator not in self._outcomes:
            keep, y = indicator_outcome(self.table, indicator)
            rows = np.flatnonzero(keep.to_numpy(bool))
            self._outcomes[indicator] = (rows, y.to_numpy(float)[rows])
        return self._outcomes[indicator]


class Prepared:
    """Records of the analysis with their outcome, units and design."""

    def __init__(
        self,
        spec,
        design,
        label,
        unit_type,
        better,
        family,
        notes,
        attribution="birth",
        mask=None,
        index=None,
    ):
        self.attribution = attribution
        #: The index of the table the records come from (``mask`` is over its rows).
        self.index = index
        #: Records of the table in the outcome's denominator and the spec's population
        #: (before any left out for a missing covariate).
        self.mask = mask
        self.spec = spec
        self.design = design
        self.label = label
        self.unit_type = unit_type
        self.better = better
        self.family = family
        self.notes = notes

    def result_fields(self) -> dict:
        """What a result says about these records: ``indicator`` (the outcome),
        ``unit_type``, ``attribution`` and ``family``."""
        return {
            "indicator": self.label,
            "unit_type": self.unit_type,
            "attribution": self.attribution,
            "family": self.family,
        }


def pick_table(data: Any, spec: CaseMixSpec) -> pd.DataFrame:
    """The table a spec's outcome lives in: the DataFrame given, or ``women``/``births``
    of a loaded Dataset (by the outcome indicator's level, else the table with the
    outcome column)."""
    if isinstance(data, pd.DataFrame):
        return data
    tables = {k: getattr(data, k, None) for k in ("women", "births")}
    tables = {k: v for k, v in tables.items() if isinstance(v, pd.DataFrame)}
    if not tables:
        raise SpecError("casemix needs a DataFrame or a loaded Dataset (with women/births tables)")
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


def _outcome(table: pd.DataFrame, spec: CaseMixSpec, family: str | None, memo=None):
    """(mask, y, label, better, family) for the spec's outcome."""
    indicator = None
    try:
        indicator = get(spec.outcome)
    except SpecError:
        pass
    explicit = "family" in spec.raw
    if indicator is not None:
        try:
            if memo is None:
                mask, y = indicator_outcome(table, indicator)
                mask, y = mask.to_numpy(bool), y.to_numpy(float)
            else:
                rows, y_rows = memo.outcome(indicator)
                mask = np.zeros(len(table), dtype=bool)
                mask[rows] = True
                y = np.full(len(table), np.nan)
                y[rows] = y_rows
            fam = spec.family if explicit else ("gamma" if indicator.is_mean else "binomial")
            better = (
                spec.better
                if "better" in spec.raw
                else (indicator.better if indicator.better != "neither" else "lower")
            )
            return mask, y, indicator.id, better, fam
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
    memo: TableMemo | None = None,
):
    """Outcome, population, units and design of a spec on data (no fitting).

    ``attribution`` (``booking``/``birth``) picks the unit columns; default: the rule of
    the spec's outcome indicator (``birth`` for an outcome that is a plain column).
    ``memo``: the table's :class:`TableMemo`, shared by every model on the table
    (outcomes and covariate codes computed once).

    Returns
    -------
    Prepared
        ``design`` (the analysed records' terms, outcome and units), ``mask`` (the
        table's records in the outcome's denominator and the population), ``family``,
        ``unit_type``, ``attribution`` and ``notes``.

    Examples
    --------
    >>> df = pd.DataFrame({"hospital_id": ["A", "A", "B", "B"], "y": [1, 0, None, 0],
    ...                    "parity_group": ["0", "1", "0", None]})
    >>> p = prepare(df, {"name": "d", "outcome": "y", "covariates": {"parity_group": {
    ...     "type": "categorical", "reference": "0"}}})
    >>> p.mask.tolist(), p.design.n, p.design.names, p.family
    ([True, True, False, True], 3, ['(Intercept)', 'parity_group[1]', 'parity_group[unknown]'], 'binomial')
    """
    spec = load_spec(spec)
    table = pick_table(data, spec)
    if len(table) == 0:
        raise SpecError("the data has no records")
    if memo is not None and memo.table is not table:
        raise SpecError("the TableMemo was made for another table than the one analysed")
    mask, y, label, better, family = _outcome(table, spec, None, memo)
    notes = []
    if spec.population:
        check(spec.population, table.columns, what="the population of the case-mix spec")
        mask = mask & evaluate(spec.population, table).to_numpy(bool)
    unit_name = unit or spec.unit
    try:
        outcome_indicator = get(spec.outcome)
    except SpecError:
        outcome_indicator = None
    rule = attribution_for(outcome_indicator, attribution)
    unit_col = resolve_unit(unit_name, table.columns, rule)
    if unit_col is None:
        all_codes = np.zeros(len(table), dtype=np.int8)
        units_all = pd.Series(pd.Categorical.from_codes(all_codes, ["all"]), index=table.index)
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
    # the covariates are read for the whole table and their codes taken for the records
    # (a missing column is reported by build_design)
    rows = None if mask.all() else np.flatnonzero(mask)
    design = build_design(
        table,
        spec,
        y[mask],
        units_all if rows is None else units_all.iloc[rows],
        rows=rows,
        columns=memo.columns if memo is not None else None,
    )
    if empty:
        extra = pd.DataFrame(
            {"records": 0, "excluded_missing": 0, "n": 0}, index=pd.Index(empty, name="unit")
        )
        design.counts = pd.concat([design.counts, extra])
        notes.append(f"{unit_type} without records in the population: {', '.join(empty)}")
    notes += design.notes
    return Prepared(
        spec, design, label, unit_type, better, family, notes, rule, mask, index=table.index
    )
