"""Risk-adjusted monitoring of one unit in one call: the steps the pieces need.

1. fit the case-mix model on all units' records before ``baseline_end`` (the national
   standard before the period being judged);
2. expected risk of every record of the unit (:func:`~.risk_adjusted.expected_risks`);
3. recalibrate the risks to the unit's own baseline (records before ``baseline_end``),
   so that the charts show *change* rather than a steady difference from the standard;
4. from ``baseline_end`` on: VLAD (cumulative observed minus expected) and one CUSUM
   per odds ratio, each with its threshold calibrated to ``false_alarm / len(odds_ratios)``
   over the monitoring period (so the charts together have the stated rate), by
   default including the uncertainty of the baseline recalibration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from saz_geboortezorg.deprecation import DeprecatedItemAccess
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import resolve_unit
from saz_geboortezorg.model import casemix
from saz_geboortezorg.model.spec import load_spec
from saz_geboortezorg.monitor.periods import indicator_records, indicator_table
from saz_geboortezorg.monitor.risk_adjusted import (
    calibrate_threshold,
    cusum,
    cusum_change_start,
    expected_risks,
    recalibrate,
    vlad,
)
from saz_geboortezorg.result import Result

__all__ = ["CusumChart", "UnitMonitor", "monitor_unit"]


def _date(value: Any) -> str:
    return "none" if value is None else f"{pd.Timestamp(value):%Y-%m-%d}"


@dataclass(repr=False)
class CusumChart(DeprecatedItemAccess, Result):
    """One risk-adjusted CUSUM of :func:`monitor_unit` (one odds ratio).

    Attributes
    ----------
    table : DataFrame
        One row per monitored record (index as :attr:`UnitMonitor.table`): ``date``,
        ``weight``, ``s`` (the CUSUM after the record) and ``signal``
        (:func:`~.risk_adjusted.cusum`).
    odds_ratio : float
        The change the chart looks for (above 1: deterioration, below 1: improvement).
    h : float
        The threshold, calibrated to ``false_alarm``.
    false_alarm : float
        This chart's share of the unit's stated false-alarm probability.
    first_signal : Timestamp or None
        Date of the first record at which the CUSUM reached ``h``.
    change_start : Timestamp or None
        The CUSUM's estimate of when the change behind the first signal began
        (:func:`~.risk_adjusted.cusum_change_start`): a second timing estimate beside
        :func:`~saz_geboortezorg.monitor.change_point.change_point`.

    It used to be a dict; ``chart["h"]``, ``chart["chart"]`` (the CUSUM table without
    ``date``), ``chart["first_signal"]`` and ``chart["change_start"]`` still work for one
    release, with a deprecation warning.
    """

    table: pd.DataFrame
    odds_ratio: float
    h: float
    false_alarm: float
    first_signal: pd.Timestamp | None = None
    change_start: pd.Timestamp | None = None

    _item_aliases = {"chart": "cusum"}

    @property
    def cusum(self) -> pd.DataFrame:
        """The CUSUM table as :func:`~.risk_adjusted.cusum` returns it (no ``date``)."""
        return self.table.drop(columns="date")

    @property
    def signals(self) -> int:
        """Number of records at which the chart signalled (it restarts at 0 after each)."""
        return int(self.table["signal"].sum())

    @property
    def label(self) -> str:
        """What the chart detects, e.g. ``"improvement (odds ratio 0.5)"``."""
        kind = "deterioration" if self.odds_ratio > 1 else "improvement"
        return f"{kind} (odds ratio {self.odds_ratio:g})"

    def summary(self) -> str:
        """One line: what the chart detects, its threshold and its signals."""
        return (
            f"CUSUM {self.label}: threshold h = {self.h:.2f} (false alarm "
            f"{self.false_alarm:.3g}), {self.signals} signal{'s' if self.signals != 1 else ''}"
            f", first {_date(self.first_signal)}, change start {_date(self.change_start)}"
        )

    def chart(self, **options: Any) -> Any:
        """The CUSUM with its threshold
        (:func:`~saz_geboortezorg.present.monitor_charts.cusum_plot`; options ``title=``,
        ``start=``, ``label=``)."""
        from saz_geboortezorg.present.monitor_charts import cusum_plot

        return cusum_plot(self, **options)


@dataclass(repr=False)
class UnitMonitor(Result):
    """Result of :func:`monitor_unit`.

    Attributes
    ----------
    table : DataFrame
        The unit's records from ``baseline_end`` on, in date order: ``date``,
        ``outcome``, ``expected`` (model), ``recalibrated``, ``vlad`` (cumulative O - E
        with the recalibrated risks). Also :attr:`records`.
    cusums : dict of float to CusumChart
        One :class:`CusumChart` per odds ratio (``threshold``, table, first signal,
        change start), e.g. ``m.cusums[0.5].first_signal``.
    unit, unit_id, outcome : str
        The level, the unit monitored and the outcome.
    baseline_end : Timestamp
        First day of monitoring.
    baseline_n : int
        The unit's records in the baseline.
    baseline_observed, baseline_expected : float
        Events observed and expected (model) in the baseline.
    false_alarm : float
        The stated probability that an in-control unit signals on any chart.
    account_for_baseline : bool
        Whether the thresholds allow for the baseline's estimation error.
    """

    table: pd.DataFrame
    cusums: dict[float, CusumChart]
    unit: str
    unit_id: str
    outcome: str
    baseline_end: pd.Timestamp
    baseline_n: int
    baseline_observed: float
    baseline_expected: float
    false_alarm: float
    account_for_baseline: bool = True

    _json_exclude = ("cusums",)

    @property
    def records(self) -> pd.DataFrame:
        """The monitored records (the same as :attr:`table`)."""
        return self.table

    @property
    def baseline(self) -> dict[str, float]:
        """``n``, ``observed``, ``expected`` in the baseline (as the fields)."""
        return {
            "n": self.baseline_n,
            "observed": self.baseline_observed,
            "expected": self.baseline_expected,
        }

    def summary(self) -> str:
        """Plain text: the unit, the baseline, the VLAD at the end and each CUSUM."""
        rec = self.table
        last = float(rec["vlad"].iloc[-1]) if len(rec) else 0.0
        lines = [
            f"Risk-adjusted monitoring of {self.outcome} in {self.unit} {self.unit_id} from "
            f"{self.baseline_end:%Y-%m-%d}: {len(rec)} records",
            f"baseline: {self.baseline_n} records, {self.baseline_observed:g} events observed,"
            f" {self.baseline_expected:.1f} expected (case-mix model; the charts use risks "
            "recalibrated to the baseline)",
            f"VLAD at the end: {last:+.1f} events (observed minus expected)",
            *(c.summary() for c in self.cusums.values()),
            f"false-alarm probability over all charts: {self.false_alarm:g}",
        ]
        return "\n".join(lines)

    def chart(self, odds_ratio: float | None = None, **options: Any) -> Any:
        """The VLAD chart, or with ``odds_ratio`` that CUSUM
        (:func:`~saz_geboortezorg.present.monitor_charts.vlad_plot`,
        :func:`~saz_geboortezorg.present.monitor_charts.cusum_plot`)."""
        if odds_ratio is not None:
            if odds_ratio not in self.cusums:
                raise SpecError(
                    f"no CUSUM for odds ratio {odds_ratio}; there are {sorted(self.cusums)}"
                )
            return self.cusums[odds_ratio].chart(**options)
        from saz_geboortezorg.present.monitor_charts import vlad_plot

        return vlad_plot(self, **options)

    def to_dict(self) -> dict:
        """JSON-ready: the fields, each CUSUM (``odds_ratio``, ``h``, signals, its table)
        under ``cusums`` and the records under ``table``."""
        out = super().to_dict()
        table = out.pop("table")
        out["cusums"] = [c.to_dict() for c in self.cusums.values()]
        out["table"] = table
        return out


def _records(table: pd.DataFrame, outcome: str, date: str) -> pd.DataFrame:
    try:
        get(outcome)
    except SpecError:
        if outcome not in table.columns:
            raise SpecError(f"outcome {outcome!r} is neither an indicator nor a column") from None
        rec = table[table[outcome].notna() & table[date].notna()]
        return rec.assign(outcome=rec[outcome].astype(float)).sort_values(date, kind="stable")
    return indicator_records(table, outcome, date=date)


def monitor_unit(
    data: Any,
    spec: Any,
    unit_id: str,
    *,
    baseline_end: Any,
    unit: str = "hospital",
    date: str = "birth_date",
    odds_ratios: Sequence[float] = (2.0, 0.5),
    false_alarm: float = 0.05,
    account_for_baseline: bool = True,
    n_sim: int = 2000,
    seed: int = 20261123,
) -> UnitMonitor:
    """VLAD and CUSUMs of one unit against its case-mix adjusted baseline.

    Parameters
    ----------
    data : Dataset or DataFrame
    spec : str, dict or CaseMixSpec
        Case-mix spec (e.g. ``"oasis"``); its outcome is monitored.
    unit_id : str
        The unit to monitor (e.g. ``"ZH09"``).
    baseline_end : date-like
        First day of monitoring; records before it are the baseline.
    unit : str
        ``hospital``, ``region``, ``practice`` or a column.
    date : str
    odds_ratios : sequence of float
        One CUSUM per odds ratio (default deterioration 2 and improvement 0.5).
    false_alarm : float
        Probability that an in-control unit signals on any of the charts over the
        monitoring period (split equally over the charts).
    account_for_baseline : bool
        Calibrate the thresholds for the baseline's estimation error too (default;
        see :func:`~.risk_adjusted.calibrate_threshold`); ``False`` treats the
        recalibrated risks as known, which gives more false alarms than stated.
    n_sim, seed
        Threshold simulation.

    Returns
    -------
    UnitMonitor

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> n = 6000
    >>> df = pd.DataFrame({"hospital_id": rng.choice(["A", "B"], n),
    ...                    "birth_date": pd.Timestamp("2022-01-01")
    ...                    + pd.to_timedelta(rng.integers(0, 730, n), unit="D"),
    ...                    "prev_cs": rng.integers(0, 2, n)})
    >>> worse = (df.hospital_id == "A") & (df.birth_date >= "2023-01-01")
    >>> df["y"] = rng.binomial(1, np.where(worse, 0.3, 0.1) + 0.05 * df.prev_cs)
    >>> spec = {"name": "d", "outcome": "y", "random_effects": False,
    ...         "covariates": {"prev_cs": "binary"}}
    >>> m = monitor_unit(df, spec, "A", baseline_end="2023-01-01", n_sim=300)
    >>> m.cusums[2.0].first_signal is not None, m.cusums[0.5].first_signal
    (True, None)
    """

    spec = load_spec(spec)
    start = pd.Timestamp(baseline_end)
    if isinstance(data, pd.DataFrame):
        table = data
    else:
        table = indicator_table(data, get(spec.outcome))
    if date not in table.columns:
        raise SpecError(f"the data has no date column {date!r}")
    try:  # a level is resolved by the outcome indicator's attribution
        rule = get(spec.outcome).attribution
    except SpecError:  # the outcome is a plain column
        rule = "birth"
    column = resolve_unit(unit, table.columns, rule)
    if column is None:
        raise SpecError("monitor_unit needs a unit (hospital, region, practice or a column)")
    before = table[table[date] < start]
    if before.empty:
        raise SpecError(f"no records before {start.date()} to fit the case-mix model on")
    fit = casemix(before, spec, unit="all", random_effects=False)
    p = expected_risks(fit, table)
    rec = _records(table, spec.outcome, date)
    rec = rec[rec[column].astype(str) == str(unit_id)]
    if rec.empty:
        raise SpecError(f"{unit} {unit_id!r} has no records of {spec.outcome!r}")
    expected = p.loc[rec.index].to_numpy()
    y = rec["outcome"].to_numpy(float)
    base = (rec[date] < start).to_numpy()
    if base.all() or not base.any():
        raise SpecError(f"{unit_id!r} needs records both before and after {start.date()}")
    q = recalibrate(expected, y, base)
    mon = ~base
    out = pd.DataFrame(
        {
            "date": rec[date].to_numpy()[mon],
            "outcome": y[mon],
            "expected": expected[mon],
            "recalibrated": q[mon],
        },
        index=rec.index[mon],
    )
    out["vlad"] = vlad(out.outcome, out.recalibrated)
    each = false_alarm / len(odds_ratios)
    charts = {}
    for ratio in odds_ratios:
        h = calibrate_threshold(
            out.recalibrated,
            odds_ratio=ratio,
            false_alarm=each,
            baseline=q[base] if account_for_baseline else None,
            n_sim=n_sim,
            seed=seed,
        )
        chart = cusum(out.outcome, out.recalibrated, odds_ratio=ratio, h=h)
        chart.index = out.index
        hits = out.date[chart.signal.to_numpy()]
        starts = cusum_change_start(chart)
        charts[ratio] = CusumChart(
            table=chart.assign(date=out.date)[["date", *chart.columns]],
            odds_ratio=float(ratio),
            h=h,
            false_alarm=each,
            first_signal=pd.Timestamp(hits.iloc[0]) if len(hits) else None,
            change_start=pd.Timestamp(out.date.iloc[starts[0]]) if len(starts) else None,
        )
    return UnitMonitor(
        table=out,
        cusums=charts,
        unit=unit,
        unit_id=str(unit_id),
        outcome=spec.outcome,
        baseline_end=start,
        baseline_n=int(base.sum()),
        baseline_observed=float(y[base].sum()),
        baseline_expected=float(expected[base].sum()),
        false_alarm=false_alarm,
        account_for_baseline=account_for_baseline,
    )
