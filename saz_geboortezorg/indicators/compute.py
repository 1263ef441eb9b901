"""Computing an indicator per unit: denominator, numerator, rate and intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.derive.expressions import evaluate
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.definitions import Indicator

__all__ = [
    "compute_indicator",
    "indicator_outcome",
    "prepare_table",
    "resolve_unit",
    "UNIT_COLUMNS",
]

#: Friendly unit names and the analysis-table columns they stand for.
UNIT_COLUMNS = {"hospital": "hospital_id", "region": "region_id", "practice": "practice_id"}


def resolve_unit(by: str | None, columns) -> str | None:
    """The column for a unit name (``hospital`` -> ``hospital_id``); ``None``/``all`` -> overall."""
    if by in (None, "all"):
        return None
    column = UNIT_COLUMNS.get(by, by)
    if column not in columns:
        raise SpecError(
            f"cannot compare by {by!r}: the data has no column {column!r} "
            f"(use hospital, region, practice, all or a column name)"
        )
    return column


def _enrich(table: pd.DataFrame, needed: set[str], sga_reference: Any) -> pd.DataFrame:
    """Add derived columns (Robson group, SGA) that a definition needs and the table lacks."""
    extra = {}
    if {"robson", "robson_main"} & needed and not {"robson", "robson_main"} <= set(table.columns):
        from saz_geboortezorg.derive.robson import classify

        extra.update(classify(table)[["robson", "robson_main"]].to_dict("series"))
    if "sga" in needed and "sga" not in table.columns:
        from saz_geboortezorg.derive.sga import sga

        extra["sga"] = sga(table, sga_reference)
    return table.assign(**extra) if extra else table


def prepare_table(
    table: pd.DataFrame, indicator: Indicator, sga_reference: Any = None
) -> pd.DataFrame:
    """The table with the derived columns the indicator needs (Robson, SGA), checked to
    have every column its definition uses (a clear error names the missing ones)."""
    needed = indicator.columns()
    table = _enrich(table, needed, sga_reference)
    lacking = sorted(needed - set(table.columns))
    if lacking:
        raise SpecError(
            f"indicator {indicator.id!r} needs column(s) {', '.join(lacking)}, "
            "which the data does not have"
        )
    return table


def indicator_outcome(
    table: pd.DataFrame, indicator: Indicator, *, sga_reference: Any = None
) -> tuple[pd.Series, pd.Series]:
    """An indicator as a record-level outcome, for models (case-mix adjustment).

    Parameters
    ----------
    table : DataFrame
        An analysis table (``women`` or ``births``, as the indicator's level says).
    indicator : Indicator
        The definition.
    sga_reference : DataFrame or path, optional
        Birth-weight reference for SGA (default: the shipped one).

    Returns
    -------
    (in_denominator, outcome) : tuple of Series
        ``in_denominator`` is True for records in the population and not excluded;
        ``outcome`` is 0.0/1.0 (the numerator) for event indicators and the amount for
        cost indicators, NaN outside the denominator.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.indicators import get
    >>> women = pd.DataFrame({"ga_days": [280, 275, 270],
    ...                       "mode": ["intrapartum_cs", "spontaneous", "unknown"]})
    >>> keep, y = indicator_outcome(women, get("cs"))
    >>> keep.tolist(), y.tolist()[:2]
    ([True, True, False], [1.0, 0.0])
    """
    table = prepare_table(table, indicator, sga_reference)
    remaining = evaluate(indicator.population, table).astype(bool)
    for exclusion in indicator.exclusions:
        remaining &= ~evaluate(exclusion.when, table)
    if indicator.is_mean:
        values = pd.to_numeric(table[indicator.value], errors="coerce").astype(float)
        remaining &= values.notna()
    else:
        values = evaluate(indicator.numerator, table).astype(float)
    return remaining, values.where(remaining)


def compute_indicator(
    table: pd.DataFrame,
    indicator: Indicator,
    by: str | None = "hospital",
    *,
    level: float = 0.95,
    sga_reference: Any = None,
) -> pd.DataFrame:
    """Compute one indicator on one analysis table (see :func:`saz_geboortezorg.compute`)."""
    from saz_geboortezorg.stats.intervals import clopper_pearson, wilson

    unit_col = resolve_unit(by, table.columns)
    table = prepare_table(table, indicator, sga_reference)
    units = (
        table[unit_col].astype("string").fillna("unknown")
        if unit_col
        else pd.Series("all", index=table.index, dtype="string")
    )
    in_population = evaluate(indicator.population, table)
    frame = pd.DataFrame({"unit": units, "outside_population": ~in_population})
    remaining = in_population.copy()
    excluded_cols = []
    for exclusion in indicator.exclusions:
        hit = evaluate(exclusion.when, table) & remaining
        column = f"excluded: {exclusion.reason}"
        frame[column] = hit
        excluded_cols.append(column)
        remaining &= ~hit
    frame["denominator"] = remaining
    if indicator.is_mean:
        values = pd.to_numeric(table[indicator.value], errors="coerce").where(remaining)
        frame["_value"] = values
        frame["_sq"] = values**2
    else:
        frame["numerator"] = evaluate(indicator.numerator, table) & remaining

    sums = frame.drop(columns=["unit"]).groupby(frame["unit"], sort=True).sum()
    out = pd.DataFrame(index=sums.index)
    out["denominator"] = sums["denominator"].astype(int)
    n = out["denominator"].to_numpy(float)
    if indicator.is_mean:
        from scipy.stats import t as student_t

        total = sums["_value"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, total / n, np.nan)
            var = np.where(n > 1, (sums["_sq"].to_numpy(float) - n * mean**2) / (n - 1), np.nan)
            half = student_t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * np.sqrt(var / n)
        out["total"] = total
        out["rate"] = mean
        out["mean_lcl"] = mean - half
        out["mean_ucl"] = mean + half
    else:
        x = sums["numerator"].to_numpy(float)
        m = indicator.multiplier
        out["numerator"] = x.astype(int)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["rate"] = np.where(n > 0, m * x / n, np.nan)
        lo, hi = wilson(x, n, level)
        out["wilson_lcl"], out["wilson_ucl"] = m * lo, m * hi
        lo, hi = clopper_pearson(x, n, level)
        out["exact_lcl"], out["exact_ucl"] = m * lo, m * hi
    out["outside_population"] = sums["outside_population"].astype(int)
    for column in excluded_cols:
        out[column] = sums[column].astype(int)
    out = out.reset_index()
    out.insert(0, "indicator", indicator.id)
    out.insert(2, "unit_type", by if unit_col else "all")
    out.insert(3, "measure", indicator.unit)
    return out
