"""An indicator per calendar period, for everybody and for one unit ('my unit').

The trend tables of the explorer and the reports: the benchmark's indirect
standardisation (:mod:`saz_geboortezorg.compare.standardise`) summed per year, quarter
or month instead of per unit. (Moved here from :mod:`saz_geboortezorg.compare.benchmark`:
trends are monitoring over time.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from saz_geboortezorg.result import Result

__all__ = ["trend_table", "TrendTable", "TREND_FREQUENCIES"]

_SYMBOL = {"percent": "%", "per_1000": "per 1,000", "euro": "EUR"}


@dataclass(repr=False)
class TrendTable(Result):
    """An indicator per calendar period, for everybody and for one unit: what
    :func:`trend_table` returns.

    ``.table`` has ``series`` (``"all"`` or the highlighted unit), ``period``,
    ``label`` and the :class:`~saz_geboortezorg.indicators.rate_table.RateTable`
    columns (``n``, ``observed``, ``expected``, ``rate``, ``ratio``, ``value``,
    ``lower``, ``upper``, ``variance``, ``adjusted``) on the indicator's own scale. The
    method is in fields: ``indicator``, ``unit_type`` (the level ``highlight`` belongs
    to), ``highlight`` (None: everybody only), ``freq``, ``attribution``, ``measure``,
    ``multiplier``, ``adjusted``, ``family``, ``method``, ``overall`` (the selection's
    rate as a proportion or mean, unscaled), ``target`` (on the indicator's scale),
    ``confidence``, ``calibration`` and ``interval`` (in words).
    """

    table: pd.DataFrame
    indicator: str
    unit_type: str = "region"
    highlight: str | None = None
    freq: str = "quarter"
    attribution: str = ""
    measure: str = "percent"
    multiplier: float = 100.0
    adjusted: bool = False
    family: str = "binomial"
    method: str = ""
    overall: float = math.nan
    target: float = math.nan
    confidence: float = 0.95
    calibration: float = 1.0
    interval: str = ""

    def summary(self) -> str:
        """A few lines: indicator, periods, method, first and last value per series."""
        t = self.table
        how = "standardised" if self.adjusted else "crude"
        periods = t["label"].nunique()
        lines = [
            f"{self.indicator} per {self.freq} ({self.measure}), {how}: {periods} "
            f"period{'s' if periods != 1 else ''}, {int(t.loc[t['series'] == 'all', 'n'].sum())} "
            "records; overall "
            + (f"{self.target:.2f}" if math.isfinite(self.target) else "not available")
        ]
        for name, part in t.groupby("series", sort=False):
            part = part.sort_values("period")
            if len(part):
                first, last = part.iloc[0], part.iloc[-1]
                lines.append(
                    f"{name}: {first['value']:.2f} ({first['label']}) to "
                    f"{last['value']:.2f} ({last['label']})"
                )
        if self.interval:
            lines.append(f"{self.confidence:.0%} intervals: {self.interval}")
        return "\n".join(lines)

    def chart(
        self,
        *,
        title: str | None = None,
        language: str = "en",
        series_labels: dict[str, str] | None = None,
        **options: Any,
    ) -> Any:
        """Lines per period, everybody in grey and the highlighted unit in vermillion
        (:func:`saz_geboortezorg.present.benchmark_chart.trend_chart`; further
        ``options`` go to it)."""
        from saz_geboortezorg.present.benchmark_chart import trend_chart

        how = "standardised" if self.adjusted else "crude"
        options.setdefault("y_title", f"{self.indicator}, {how} ({_SYMBOL[self.measure]})")
        return trend_chart(
            self.table,
            multiplier=1.0,  # the table is on the indicator's own scale
            title=title if title is not None else f"{self.indicator} per {self.freq}",
            series_labels=series_labels
            if series_labels is not None
            else {"all": f"all {self.unit_type}s"},
            language=language,
            **options,
        )


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
) -> TrendTable:
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
    TrendTable
        A result (it prints as its table; the method is in its fields). ``.table``:
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
    >>> t.table[["series", "label", "n", "value"]].values.tolist()
    [['all', '2022Q1', 2, 50.0], ['all', '2022Q2', 2, 0.0], ['A', '2022Q1', 1, 100.0], ['A', '2022Q2', 1, 0.0]]
    >>> t.freq, t.highlight, t.adjusted, t.target
    ('quarter', 'A', False, 25.0)
    >>> print(t.summary())
    cs per quarter (percent), crude: 2 periods, 4 records; overall 25.00
    all: 50.00 (2022Q1) to 0.00 (2022Q2)
    A: 100.00 (2022Q1) to 0.00 (2022Q2)
    95% intervals: Wilson score interval
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
    uniques = cache.periods(table, freq)[1]
    codes = cache.record_codes(rec, freq, "period")
    if (codes < 0).any():  # records without a date are left out
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
        unit_labels = cache.codes(table, unit_col)[1]
        if str(highlight) not in unit_labels:
            raise SpecError(f"unit {highlight!r} is not a {unit} in the data")
        mine = cache.record_codes(rec, unit_col) == unit_labels.index(str(highlight))
        series.append((str(highlight), mine))
    for name, groups in series:
        rates = summarise_units(cache, rec, keep, codes, labels, adjusted, calibrate, groups=groups)
        part = rates.table
        part.insert(0, "series", name)
        part.insert(1, "period", [uniques[labels.index(u)].start_time for u in part["unit"]])
        frames.append(part.rename(columns={"unit": "label"}))
    return TrendTable(
        table=pd.concat(frames, ignore_index=True),
        indicator=rates.indicator,
        unit_type=unit,
        highlight=None if highlight is None else str(highlight),
        freq=freq,
        attribution=rule,
        measure=rates.measure,
        multiplier=rates.multiplier,
        adjusted=rates.adjusted,
        family=rates.family,
        method=rates.method,
        overall=rates.overall,
        target=rates.target,
        confidence=rates.confidence,
        calibration=rates.calibration,
        interval=rates.interval,
    )
