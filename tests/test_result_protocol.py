"""Every analysis returns a result that follows the protocol (saz_geboortezorg.result).

Blocks per area; each test name starts with its area.
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.result import ResultProtocol

# ---------------------------------------------------------------------------------------
# monitor: run chart, p-chart, monitor_unit (VLAD, CUSUMs), segmented regression,
# change point
# ---------------------------------------------------------------------------------------

MONTHS = pd.date_range("2022-01-01", periods=12, freq="MS")


def _monitor_protocol(result):
    """The four parts of the protocol; returns the dict for further checks."""
    assert isinstance(result, ResultProtocol)
    assert isinstance(result.table, pd.DataFrame)
    text = result.summary()
    assert isinstance(text, str) and text.strip()
    out = result.to_dict()
    json.dumps(out, allow_nan=False)  # JSON-ready: no NaN, numpy or timestamps
    assert out["result"] == type(result).__name__
    assert isinstance(result.chart(), alt.TopLevelMixin)
    assert repr(result) == repr(result.table)  # prints as its table
    return out


def _monitor_records(n=6000, seed=0, start="2022-07-01"):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {"birth_date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1095, n), "D")}
    )
    d["outcome"] = rng.binomial(1, np.where(d.birth_date >= start, 0.06, 0.12))
    return d


def test_monitor_run_chart_result():
    from saz_geboortezorg.monitor.spc import RunChart, run_chart

    values = [2, 1, 2, 1, 3, 3, 3, 3, 3, 3, 3, 3]
    r = run_chart(values, baseline=[True] * 4 + [False] * 8, periods=MONTHS)
    assert isinstance(r, RunChart)
    out = _monitor_protocol(r)
    # by hand: median of 2, 1, 2, 1 is 1.5; eight 3's in a row (limit for 12 points: 7)
    assert r.median == 1.5 and r.longest_run == 8 and r.longest_run_limit == 7
    assert r.shift and r.signal and not r.too_few_crossings
    assert out["median"] == 1.5 and out["shift"] is True
    assert out["table"][0]["period"] == "2022-01-01T00:00:00"
    assert "signals: shift" in r.summary()


def test_monitor_p_chart_result_has_method_as_a_field():
    from saz_geboortezorg.monitor.spc import PChart, p_chart

    ev = [500, 600, 430, 530, 620, 510, 560, 480, 520, 590, 450, 540]
    pc = p_chart(ev, [10_000] * 12, laney=True, periods=MONTHS)
    assert isinstance(pc, PChart)
    out = _monitor_protocol(pc)
    assert pc.table.attrs == {}  # metadata are fields, not attrs
    assert pc.method.startswith("Laney p' chart") and pc.laney
    assert pc.centre == pytest.approx(sum(ev) / 120_000)
    assert out["method"] == pc.method and out["rules_applied"] == ["1", "2", "3", "4"]
    plain = p_chart([5, 4, 20], [100, 100, 100], baseline=[True, True, False])
    assert plain.method == "p-chart (binomial limits)" and plain.sigma_z == 1.0
    assert "1 period signals: period 3 (rule 1)" in plain.summary()
    # without periods the chart's x axis is the period number
    spec = plain.chart().to_dict()
    assert spec["layer"][0]["encoding"]["x"]["type"] == "quantitative"


def test_monitor_segmented_regression_result():
    from saz_geboortezorg.monitor.its import Effect, ITSResult, Overdispersion, segmented_regression

    r = segmented_regression(_monitor_records(), "2022-07-01", slope_change=False)
    assert isinstance(r, ITSResult)
    out = _monitor_protocol(r)
    assert isinstance(r.level_change, Effect) and isinstance(r.overdispersion, Overdispersion)
    assert r.coefficients is r.table and "level_change" in set(r.table.term)
    row = r.table.set_index("term").loc["level_change"]
    assert r.level_change.odds_ratio == pytest.approx(row.odds_ratio)
    assert out["level_change"]["estimate"] == pytest.approx(row.estimate)
    assert out["slope_change"]["estimate"] is None  # not fitted: missing, not 0
    assert out["overdispersion"]["method"] == r.overdispersion.method
    assert "slope change: not fitted" in r.summary()


def test_monitor_change_point_result():
    from saz_geboortezorg.monitor.change_point import ChangePoint, ChangeTest, change_point

    cp = change_point(_monitor_records(), n_boot=49)
    assert isinstance(cp, ChangePoint) and isinstance(cp.test, ChangeTest)
    out = _monitor_protocol(cp)
    assert out["confidence"] == 0.95 and out["test"]["n_boot"] == 49
    assert out["estimate"] == cp.estimate.isoformat()
    assert len(out["confidence_set"]) == int(cp.table.in_set.sum())
    row = cp.summary_frame()
    assert row.set_months[0] == len(cp.confidence_set)
    assert f"estimated start {cp.estimate:%Y-%m}" in cp.summary()


@pytest.fixture(scope="module")
def monitor_unit_data():
    from saz_geboortezorg.monitor.unit import monitor_unit

    rng = np.random.default_rng(2)
    n = 4000
    df = pd.DataFrame(
        {
            "hospital_id": rng.choice(["A", "B"], n),
            "birth_date": pd.Timestamp("2022-01-01")
            + pd.to_timedelta(rng.integers(0, 730, n), unit="D"),
            "prev_cs": rng.integers(0, 2, n),
        }
    )
    worse = (df.hospital_id == "A") & (df.birth_date >= "2023-01-01")
    df["y"] = rng.binomial(1, np.where(worse, 0.3, 0.1) + 0.05 * df.prev_cs)
    spec = {
        "name": "d",
        "outcome": "y",
        "random_effects": False,
        "covariates": {"prev_cs": "binary"},
    }
    return df, monitor_unit(df, spec, "A", baseline_end="2023-01-01", n_sim=200)


def test_monitor_unit_result_has_typed_cusums(monitor_unit_data):
    from saz_geboortezorg.monitor.unit import CusumChart, UnitMonitor

    df, m = monitor_unit_data
    assert isinstance(m, UnitMonitor)
    out = _monitor_protocol(m)
    assert m.records is m.table and list(m.table.columns)[-1] == "vlad"
    base = df[(df.hospital_id == "A") & (df.birth_date < "2023-01-01")]
    assert m.baseline_n == len(base) and m.baseline_observed == base.y.sum()
    assert set(m.cusums) == {2.0, 0.5}
    for ratio, c in m.cusums.items():
        assert isinstance(c, CusumChart) and c.odds_ratio == ratio
        assert c.false_alarm == pytest.approx(0.025)
        assert (c.table.date.to_numpy() == m.table.date.to_numpy()).all()
        _monitor_protocol(c)
    assert [c["odds_ratio"] for c in out["cusums"]] == [2.0, 0.5]
    assert m.cusums[2.0].first_signal is not None and "deterioration" in m.summary()
    assert isinstance(m.chart(odds_ratio=0.5), alt.TopLevelMixin)


def test_monitor_former_dict_access_warns(monitor_unit_data):
    """The typed parts that were dicts answer the old keys for one release, warning."""
    from saz_geboortezorg.deprecation import SazDeprecationWarning
    from saz_geboortezorg.monitor.change_point import change_point
    from saz_geboortezorg.monitor.its import segmented_regression

    _, m = monitor_unit_data
    c = m.cusums[0.5]
    with pytest.warns(SazDeprecationWarning, match=r"use \.h instead"):
        assert c["h"] == c.h
    with pytest.warns(SazDeprecationWarning, match=r"use \.cusum instead"):
        old = c["chart"]
    assert list(old.columns) == ["weight", "s", "signal"] and old.index.equals(m.table.index)
    with pytest.raises(KeyError):
        c["nothing"]
    r = segmented_regression(_monitor_records(), "2022-07-01")
    with pytest.warns(SazDeprecationWarning):
        assert r.level_change["lcl95"] == r.level_change.lcl95
    with pytest.warns(SazDeprecationWarning):
        assert r.overdispersion["phi"] == r.overdispersion.phi
    cp = change_point(_monitor_records(), n_boot=19)
    with pytest.warns(SazDeprecationWarning):
        assert cp.test["p_value"] == cp.test.p_value
    with pytest.warns(SazDeprecationWarning, match="confidence"):
        assert cp.level == cp.confidence == 0.95
