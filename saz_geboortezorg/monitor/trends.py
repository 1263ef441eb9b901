"""An indicator per calendar period, for everybody and for one unit ('my unit').

The trend tables of the explorer and the reports: the benchmark's indirect
standardisation (:mod:`saz_geboortezorg.compare.standardise`) summed per year, quarter
or month instead of per unit. (Moved here from :mod:`saz_geboortezorg.compare.benchmark`:
trends are monitoring over time.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.standardise import (
    DATE_COLUMN,
    TREND_FREQUENCIES,
    BenchmarkCache,
    require_records,
    select_records,
    summarise_units,
)
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.compute import attribution_for, resolve_unit

__all__ = ["trend_table", "TREND_FREQUENCIES"]


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
        ``label`` (e.g. ``2022Q3``) and the columns of the
        :class:`~saz_geboortezorg.indicators.rate_table.RateTable` of
        :func:`unit_table` (``n``, ``observed``, ``expected``, ``rate``, ``ratio``,
        ``value``, ``lower``, ``upper``: rates on the indicator's own scale, percent,
        per 1,000 or euro); periods without records are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"region_id": ["A", "A", "B", "B"], "ga_days": 280,
    ...                       "birth_date": pd.to_datetime(["2022-01-05", "2022-04-01",
    ...                                                     "2022-01-09", "2022-05-05"]),
    ...                       "cs": [1, 0, 0, 0]})
    >>> t = trend_table(women, "cs", highlight="A", adjusted=False)
    >>> t[["series", "label", "n", "value"]].values.tolist()
    [['all', '2022Q1', 2, 50.0], ['all', '2022Q2', 2, 0.0], ['A', '2022Q1', 1, 100.0], ['A', '2022Q2', 1, 0.0]]
    """
    if freq not in TREND_FREQUENCIES:
        raise SpecError(f"freq must be one of {', '.join(TREND_FREQUENCIES)}, not {freq!r}")
    cache = cache if cache is not None else BenchmarkCache()
    rec = cache.records(data, indicator)
    table = rec.table
    rule = attribution_for(rec.indicator, attribution)
    if DATE_COLUMN not in table.columns:
        raise SpecError(f"a trend needs the column {DATE_COLUMN!r}, which the data lacks")
    keep = select_records(cache, rec, where, period)
    require_records(rec, keep, where, period)
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
        rates = summarise_units(cache, rec, keep, codes, labels, adjusted, calibrate, groups=groups)
        part = rates.table
        part.insert(0, "series", name)
        part.insert(1, "period", [uniques[labels.index(u)].start_time for u in part["unit"]])
        frames.append(part.rename(columns={"unit": "label"}))
    out = pd.concat(frames, ignore_index=True)
    # The method of the rate tables (RateTable fields) until trends become a result.
    out.attrs.update(
        indicator=rates.indicator,
        adjusted=rates.adjusted,
        method=rates.method,
        family=rates.family,
        overall=rates.overall,
        multiplier=rates.multiplier,
        calibration=rates.calibration,
        freq=freq,
        attribution=rule,
        unit_type=unit,
    )
    return out
