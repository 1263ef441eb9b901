"""Rates of an indicator per unit and calendar period (month or quarter).

The indicator's own population, exclusions and numerator decide which records count
(:func:`saz_geboortezorg.indicators.compute.indicator_outcome`); the period is the
calendar month or quarter of the record's date (default ``birth_date``).

:func:`period_rates` is the counting table of the control charts (``n``, ``events`` and
``rate`` as a proportion, every period from a unit's first to its last, empty ones
included): a plain DataFrame, which the run and p-charts read. The units of one period
as the one rate table (:class:`~saz_geboortezorg.indicators.rate_table.RateTable`, on
the indicator's own scale, with its interval and method) come from
:func:`period_rate_table`, built from the same counts by
:meth:`RateTable.from_counts <saz_geboortezorg.indicators.rate_table.RateTable.from_counts>`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import UNIT_COLUMNS, indicator_outcome, resolve_unit
from saz_geboortezorg.indicators.rate_table import RateTable

__all__ = [
    "period_rates",
    "period_rate_table",
    "indicator_records",
    "indicator_table",
    "FREQUENCIES",
]

#: Period names and their pandas period codes.
FREQUENCIES = {"month": "M", "quarter": "Q"}


def indicator_table(data: Any, indicator: Any) -> pd.DataFrame:
    """The analysis table an indicator is computed on: ``data`` itself when it is a
    DataFrame, else the dataset's ``women`` or ``births`` table by the indicator's level.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from saz_geboortezorg.indicators import get
    >>> data = SimpleNamespace(women=pd.DataFrame({"w": [1]}), births=pd.DataFrame({"b": [1]}))
    >>> list(indicator_table(data, get("oasis")).columns)
    ['w']
    """
    if isinstance(data, pd.DataFrame):
        return data
    name = "women" if indicator.level == "woman" else "births"
    table = getattr(data, name, None)
    if not isinstance(table, pd.DataFrame):
        raise SpecError(f"indicator {indicator.id!r} needs the {name} table, which the data lacks")
    return table


def indicator_records(data: Any, indicator: Any, *, date: str = "birth_date") -> pd.DataFrame:
    """The records in an indicator's denominator with their 0/1 outcome, in date order.

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded dataset (the indicator's table is picked) or an analysis table.
    indicator : str or Indicator
        An indicator id such as ``"oasis"``.
    date : str
        The date column.

    Returns
    -------
    DataFrame
        The table's rows in the denominator, sorted by date (stable), with an extra
        column ``outcome`` (0.0/1.0); the original index is kept.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"birth_date": pd.to_datetime(["2022-02-01", "2022-01-05",
    ...                                                 "2022-01-09"]),
    ...                   "ga_days": [280, 275, 270],
    ...                   "cs": [1, 0, None]})
    >>> indicator_records(t, "cs")[["birth_date", "outcome"]].values.tolist()
    [[Timestamp('2022-01-05 00:00:00'), 0.0], [Timestamp('2022-02-01 00:00:00'), 1.0]]
    """

    table, keep, y = _denominator(data, indicator, date)
    out = table.loc[keep].assign(outcome=y)
    return out.sort_values(date, kind="stable")


def _denominator(
    data: Any, indicator: Any, date: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(the indicator's table, a boolean mask of its records in the denominator with a date,
    their 0/1 outcome as floats): :func:`indicator_records` without copying the table."""
    ind = get(indicator) if isinstance(indicator, str) else indicator
    if ind.is_mean:
        raise SpecError(f"indicator {ind.id!r} is an amount; monitoring needs a 0/1 indicator")
    table = indicator_table(data, ind)
    if date not in table.columns:
        raise SpecError(f"the data has no date column {date!r}")
    keep, y = indicator_outcome(table, ind)
    keep = keep & table[date].notna()
    return table, keep.to_numpy(bool), y[keep].to_numpy(float)


def period_rates(
    data: Any,
    indicator: Any,
    *,
    unit: str | None = "hospital",
    freq: str = "month",
    date: str = "birth_date",
) -> pd.DataFrame:
    """Events, denominator and rate of an indicator per unit and month or quarter.

    Parameters
    ----------
    data : Dataset or DataFrame
    indicator : str or Indicator
        A 0/1 indicator (``"oasis"``, ``"cs_robson_1"``, ...).
    unit : str or None
        ``hospital``, ``region``, ``practice``, a column, or ``None``/``"all"`` for
        everybody together (unit ``"all"``). A level is resolved by the indicator's
        attribution (catalogue: ``booking`` or ``birth``).
    freq : {"month", "quarter"}
    date : str
        The date column that decides the period.

    Returns
    -------
    DataFrame
        ``unit``, ``period`` (Timestamp of the first day), ``n``, ``events``, ``rate``;
        one row per unit and period from each unit's first to last period, with
        ``n = 0`` and rate NaN for periods without records.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"birth_date": pd.to_datetime(["2022-01-05", "2022-01-20",
    ...                                                 "2022-03-02"]),
    ...                   "hospital_id": ["A", "A", "A"], "ga_days": [280, 281, 282],
    ...                   "cs": [1, 0, 0]})
    >>> period_rates(t, "cs").values.tolist()     # doctest: +NORMALIZE_WHITESPACE
    [['A', Timestamp('2022-01-01 00:00:00'), 2, 1.0, 0.5],
     ['A', Timestamp('2022-02-01 00:00:00'), 0, 0.0, nan],
     ['A', Timestamp('2022-03-01 00:00:00'), 1, 0.0, 0.0]]
    """

    return _period_counts(data, indicator, unit=unit, freq=freq, date=date)[0]


def _period_counts(
    data: Any, indicator: Any, *, unit: str | None, freq: str, date: str
) -> tuple[pd.DataFrame, Any, str]:
    """(the :func:`period_rates` table, the indicator, the unit type)."""
    if freq not in FREQUENCIES:
        raise SpecError(f"freq must be one of {', '.join(FREQUENCIES)}, got {freq!r}")
    ind = get(indicator) if isinstance(indicator, str) else indicator
    # the records of indicator_records, without copying or date-sorting the whole table:
    # only the unit and the date of the records in the denominator are taken (the counts
    # per unit and period do not depend on the order of the records)
    table, keep, y = _denominator(data, ind, date)
    column = resolve_unit(unit, table.columns, ind.attribution)
    unit_type = "all" if column is None else (unit if unit in UNIT_COLUMNS else column)
    where = np.flatnonzero(keep)
    if column is None:
        units = np.full(len(where), "all", dtype=object)
    else:
        units = table[column].iloc[where].astype(object).to_numpy()
    period = pd.to_datetime(table[date].iloc[where]).dt.to_period(FREQUENCIES[freq])
    frame = pd.DataFrame({"unit": units, "period": period.array, "y": y}).dropna(subset=["unit"])
    grouped = frame.groupby(["unit", "period"], sort=True)["y"].agg(["size", "sum"])
    rows = []
    for u, g in grouped.groupby(level=0, sort=True):
        g = g.droplevel(0)
        full = pd.period_range(g.index.min(), g.index.max(), freq=FREQUENCIES[freq])
        g = g.reindex(full, fill_value=0)
        rows.append(
            pd.DataFrame(
                {
                    "unit": u,
                    "period": full.to_timestamp(),
                    "n": g["size"].to_numpy(np.int64),
                    "events": g["sum"].to_numpy(float),
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["unit", "period", "n", "events", "rate"]), ind, unit_type
    out = pd.concat(rows, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = np.where(out["n"] > 0, out["events"] / out["n"].replace(0, 1), np.nan)
    return out, ind, unit_type


def period_rate_table(
    data: Any,
    indicator: Any,
    period: Any,
    *,
    unit: str | None = "hospital",
    freq: str = "month",
    date: str = "birth_date",
    confidence: float = 0.95,
    crude_interval: str = "wilson",
) -> RateTable:
    """The units of one month or quarter as the one rate table.

    The counts are :func:`period_rates`' (same records, units and periods); the rate
    table holds the units with records in ``period`` (crude: ``value`` is ``100 *
    rate`` for a percentage, with the Wilson or exact interval), its fields the
    indicator, level, attribution and method.

    Parameters
    ----------
    data, indicator, unit, freq, date
        As for :func:`period_rates`.
    period : str, Timestamp or Period
        Any date in the month or quarter (``"2022-01"``, ``"2022Q1"``, a Timestamp).
    confidence : float
    crude_interval : {"wilson", "exact"}

    Returns
    -------
    RateTable
        ``unit_type`` the level; ``method`` names the period.

    Raises
    ------
    SpecError
        No records in the period.

    Examples
    --------
    >>> t = pd.DataFrame({"birth_date": pd.to_datetime(["2022-01-05", "2022-01-20",
    ...                                                 "2022-01-09", "2022-03-02"]),
    ...                   "hospital_id": ["A", "A", "B", "A"], "ga_days": [280, 281, 279, 282],
    ...                   "cs": [1, 0, 0, 0]})
    >>> r = period_rate_table(t, "cs", "2022-01")
    >>> r.table[["unit", "n", "observed", "value"]]
      unit  n  observed  value
    0    A  2       1.0   50.0
    1    B  1       0.0    0.0
    >>> r.unit_type, r.measure, r.method
    ('hospital', 'percent', 'crude, month 2022-01')
    """
    counts, ind, unit_type = _period_counts(data, indicator, unit=unit, freq=freq, date=date)
    try:
        which = pd.Period(period, freq=FREQUENCIES[freq])
    except (ValueError, TypeError) as exc:
        raise SpecError(f"period {period!r} is not a date in a {freq}: {exc}") from None
    rows = counts[(counts["period"] == which.start_time) & (counts["n"] > 0)]
    if rows.empty:
        raise SpecError(f"indicator {ind.id!r}: no records in {freq} {which}")
    return RateTable.from_counts(
        rows["unit"].tolist(),
        rows["n"].to_numpy(),
        rows["events"].to_numpy(),
        indicator=ind.id,
        measure=ind.unit,
        confidence=confidence,
        crude_interval=crude_interval,
        unit_type=unit_type,
        attribution=ind.attribution,
        method=f"crude, {freq} {which}",
    )
