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

__all__ = ["UnitMonitor", "monitor_unit"]


@dataclass
class UnitMonitor:
    """Result of :func:`monitor_unit`.

    Attributes
    ----------
    records : DataFrame
        The unit's records from ``baseline_end`` on, in date order: ``date``,
        ``outcome``, ``expected`` (model), ``recalibrated``, ``vlad`` (cumulative O - E
        with the recalibrated risks).
    cusums : dict
        Per odds ratio: ``{"h": threshold, "chart": DataFrame from cusum(),
        "first_signal": Timestamp or None, "change_start": Timestamp or None}``;
        ``change_start`` is the CUSUM's estimate of when the change behind the first
        signal began (:func:`~.risk_adjusted.cusum_change_start`): a second timing
        estimate beside :func:`~saz_geboortezorg.monitor.change_point.change_point`.
    baseline : dict
        ``n``, ``observed``, ``expected`` (model) in the baseline.
    false_alarm : float
        The stated probability that an in-control unit signals on any chart.
    """

    records: pd.DataFrame
    cusums: dict
    baseline: dict
    false_alarm: float


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
    >>> m.cusums[2.0]["first_signal"] is not None, m.cusums[0.5]["first_signal"]
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
        charts[ratio] = {
            "h": h,
            "chart": chart,
            "first_signal": pd.Timestamp(hits.iloc[0]) if len(hits) else None,
            "change_start": pd.Timestamp(out.date.iloc[starts[0]]) if len(starts) else None,
        }
    return UnitMonitor(
        records=out,
        cusums=charts,
        baseline={
            "n": int(base.sum()),
            "observed": float(y[base].sum()),
            "expected": float(expected[base].sum()),
        },
        false_alarm=false_alarm,
    )
