"""Monitoring charts draw what the monitor functions computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.its import segmented_regression
from saz_geboortezorg.monitor.risk_adjusted import cusum, vlad
from saz_geboortezorg.monitor.spc import p_chart, run_chart
from saz_geboortezorg.present.monitor_charts import (
    change_point_plot,
    cusum_plot,
    its_plot,
    p_chart_plot,
    run_chart_plot,
    vlad_plot,
)

MONTHS = pd.date_range("2022-01-01", periods=12, freq="MS")


def _rows(spec, layer):
    return spec["datasets"][layer["data"]["name"]]


def test_p_chart_plot_marks_signals_and_limits():
    ev = [5, 6, 4, 5, 30, 5, 6, 4, 5, 6, 5, 4]
    n = [100] * 4 + [120] + [100] * 7
    pc = p_chart(ev, n)
    spec = p_chart_plot(MONTHS, pc, start="2022-06-01").to_dict()
    band, centre, line, dots, sig = spec["layer"][:5]
    signals = _rows(spec, sig)
    assert len(signals) == 1 and signals[0]["rate"] == 25.0  # 30/120 in percent
    ucl = [r["ucl"] for r in _rows(spec, band)]
    assert ucl[4] < ucl[0]  # limits narrow with larger n
    assert "rules fired: 1" in spec["title"]["subtitle"]


def test_run_chart_plot():
    # 12 points, median 1.5 from the first 4: a run of 8 above (limit 7), 4 crossings
    values = [2, 1, 2, 1, 3, 3, 3, 3, 3, 3, 3, 3]
    s = run_chart(values, baseline=[True] * 4 + [False] * 8)
    pts = s.table
    assert s.longest_run == 8 and s.shift and not s.too_few_crossings
    spec = run_chart_plot(MONTHS, pts, s.statistics()).to_dict()  # the former call
    assert len(_rows(spec, spec["layer"][3])) == int(pts.signal.sum()) == 8
    assert run_chart_plot(s, periods=MONTHS).to_dict() == spec  # the result
    first, second = spec["title"]["subtitle"]
    assert "longest run 8 (signal above 7)" in first
    assert "crossings 4 (signal below 3)" in first
    assert second == "rules: shift, crossings (Anhøj); signals: shift"
    s = run_chart([1, 2, 3, 4, 5, 6, 3, 2, 3, 2, 3, 2], trend=True)
    pts = s.table
    spec = (
        run_chart([1, 2, 3, 4, 5, 6, 3, 2, 3, 2, 3, 2], trend=True, periods=MONTHS)
        .chart()
        .to_dict()
    )
    assert "trend" in spec["title"]["subtitle"][1]
    assert len(_rows(spec, spec["layer"][3])) == int(pts.signal.sum()) == 6


def test_p_chart_plot_says_laney_adjustment_and_false_alarm_rate():
    ev = [500, 600, 430, 530, 620, 510, 560, 480, 520, 590, 450, 540]
    n = [10_000] * 12
    pc = p_chart(ev, n, laney=True)
    spec = p_chart_plot(MONTHS, pc, adjusted=False, false_alarm=0.034).to_dict()
    sub = spec["title"]["subtitle"]
    assert f"sigma_z {pc.sigma_z:.2f}" in sub and "Laney p'" in sub
    assert "crude rates, not case-mix adjusted" in sub
    assert "false-alarm rate of this chart in control 3%" in sub
    band = _rows(spec, spec["layer"][0])
    assert [r["ucl"] for r in band] == pytest.approx((100 * pc.table.ucl).tolist())
    spec = p_chart_plot(MONTHS, p_chart(ev, n), adjusted=True).to_dict()
    assert "3-sigma limits" in spec["title"]["subtitle"]
    assert "risk-adjusted (observed/expected)" in spec["title"]["subtitle"]


def test_vlad_and_cusum_plots():
    y = np.array([0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0])
    p = np.full(12, 0.2)
    spec = vlad_plot(MONTHS, vlad(y, p)).to_dict()
    rows = _rows(spec, spec["layer"][1])
    assert rows[-1]["vlad"] == np.cumsum(y - p)[-1]
    cs = cusum(y, p, odds_ratio=2, h=0.9)
    spec = cusum_plot(MONTHS, cs, 0.9, label="deterioration (OR 2)").to_dict()
    assert _rows(spec, spec["layer"][1]) == [{"h": 0.9}]
    assert len(_rows(spec, spec["layer"][2])) == int(cs.signal.sum())
    assert "h = 0.90" in spec["title"]["subtitle"]


def test_its_plot_shows_effect():
    rng = np.random.default_rng(0)
    d = pd.DataFrame(
        {
            "birth_date": pd.Timestamp("2022-01-01")
            + pd.to_timedelta(rng.integers(0, 365, 3000), "D")
        }
    )
    d["outcome"] = rng.binomial(1, 0.1, 3000)
    r = segmented_regression(d, "2022-07-01")
    spec = its_plot(r).to_dict()
    assert "level change OR" in spec["title"]["subtitle"][1]
    assert len(_rows(spec, spec["layer"][0])) == 12


def test_change_point_plot_shows_set_cut_off_and_estimate():
    from saz_geboortezorg.monitor.change_point import change_point

    # a hand-made profile: 2 months, the step at 2022-02 fits (4/10 then 0/10 events)
    d = pd.DataFrame(
        {
            "birth_date": pd.to_datetime(
                ["2022-01-10"] * 10 + ["2022-02-10"] * 10 + ["2022-03-10"] * 10
            ),
            "outcome": [1] * 4 + [0] * 6 + [0] * 10 + [1] * 4 + [0] * 6,
        }
    )
    cp = change_point(d, ["2022-02-01", "2022-03-01"], test=False, critical=1.0)
    spec = change_point_plot(cp, truth="2022-02-01").to_dict()
    line, dots, cut, best, truth = spec["layer"]
    rows = _rows(spec, dots)
    assert [r["where"] for r in rows] == [
        "in the confidence set" if x else "outside" for x in cp.table.in_set
    ]
    assert _rows(spec, cut) == [{"c": 1.0}]
    assert len(_rows(spec, best)) == 1
    assert "step-only" in spec["title"]["subtitle"][1]
    assert f"estimate {cp.estimate:%Y-%m}" in spec["title"]["subtitle"][0]


def test_monitor_charts_draw_the_results_as_the_former_calls_did():
    from saz_geboortezorg.monitor.unit import CusumChart

    ev = [5, 6, 4, 5, 30, 5, 6, 4, 5, 6, 5, 4]
    n = [100] * 4 + [120] + [100] * 7
    pc = p_chart(ev, n, periods=MONTHS)
    new = pc.chart(start="2022-06-01").to_dict()
    old = p_chart_plot(MONTHS, pc.table.drop(columns="period"), start="2022-06-01").to_dict()
    assert new["title"] == old["title"]
    assert _rows(new, new["layer"][4]) == _rows(old, old["layer"][4])
    # Laney's limits are named from the result's method field (no attrs needed)
    ev = [500, 600, 430, 530, 620, 510, 560, 480, 520, 590, 450, 540]
    lp = p_chart(ev, [10_000] * 12, laney=True)
    assert "Laney p' limits" in p_chart_plot(lp, periods=MONTHS).to_dict()["title"]["subtitle"]
    y = np.array([0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0])
    p = np.full(12, 0.2)
    cs = cusum(y, p, odds_ratio=2, h=0.9)
    chart = CusumChart(
        table=cs.assign(date=MONTHS)[["date", *cs.columns]],
        odds_ratio=2.0,
        h=0.9,
        false_alarm=0.025,
    )
    new = cusum_plot(chart).to_dict()
    old = cusum_plot(MONTHS, cs, 0.9, label="deterioration (odds ratio 2)").to_dict()
    assert new["title"] == old["title"]
    assert _rows(new, new["layer"][2]) == _rows(old, old["layer"][2])
    with pytest.raises(SpecError, match="start"):
        p_chart([5, 4, 20], [100, 100, 100]).chart(start="2022-02-01")
