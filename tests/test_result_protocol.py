"""Every analysis returns a result that follows the protocol of saz_geboortezorg.result.

Blocks per area (merged from parallel work); each checks, on small data, that the value
returned satisfies ``ResultProtocol``, that ``summary()`` is text, that ``to_dict()`` is
strict JSON (no NaN), that ``chart()`` is an altair chart, and that the metadata are
fields of the result.
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.result import ResultProtocol

_CHARTS = (alt.Chart, alt.LayerChart, alt.VConcatChart, alt.HConcatChart, alt.FacetChart)


def _check_protocol(result, chart_options=None) -> dict:
    """The four parts of the protocol; returns ``to_dict()`` after a strict JSON trip."""
    assert isinstance(result, ResultProtocol)
    assert isinstance(result.table, pd.DataFrame)
    text = result.summary()
    assert isinstance(text, str) and text.strip()
    as_dict = result.to_dict()
    assert json.loads(json.dumps(as_dict, allow_nan=False)) == as_dict
    assert as_dict["result"] == type(result).__name__
    chart = result.chart(**(chart_options or {}))
    assert isinstance(chart, _CHARTS)
    chart.to_dict()  # a valid Vega-Lite specification
    # a result prints as its table (notebook cells keep showing the table)
    assert repr(result) == repr(result.table)
    return as_dict


# ---------------------------------------------------------------- compare and model
# (wt-i15compare: FunnelResult, CaseMixResult, BenchmarkResult, Positions, ValueView,
# FeatureComparison)


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": list("ABCDEFGH"),
            "n": [400, 900, 1200, 300, 800, 1500, 600, 1000],
            "observed": [40, 120, 150, 60, 70, 260, 55, 130],
            "expected": [48.0, 110.0, 160.0, 70.0, 90.0, 230.0, 70.0, 125.0],
        }
    )


def test_compare_funnel_result():
    from saz_geboortezorg.compare.funnel import funnel

    t = _units()
    r = funnel(t, "observed", "expected", "unit", data_type="SR", test_draws=0)
    d = _check_protocol(r, {"highlight": "C"})
    # the command's JSON contract is kept: only "result" was added
    assert {"data_type", "phi", "tau2", "overdispersed", "limits", "units"} <= set(d)
    assert d["units"][0]["group"] == "A"
    assert d["units"][0]["value"] == pytest.approx(40 / 48)
    assert "Funnel plot: 8 units" in r.summary()


def _casemix_frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "hospital_id": rng.choice(list("ABCD"), 3000),
            "parity_group": rng.choice(["0", "1"], 3000),
        }
    )
    df["y"] = rng.binomial(1, np.where(df.parity_group == "0", 0.3, 0.1))
    return df


_SPEC = {
    "name": "d",
    "outcome": "y",
    "random_effects": False,
    "covariates": {"parity_group": {"type": "categorical", "reference": "0"}},
}


def _rows(spec, key: str) -> list[dict]:
    """Every data row of a Vega-Lite specification that has ``key`` (inline data)."""
    if isinstance(spec, dict):
        if key in spec and "unit" in spec:
            return [spec]
        return [row for value in spec.values() for row in _rows(value, key)]
    if isinstance(spec, list):
        return [row for value in spec for row in _rows(value, key)]
    return []


def test_compare_casemix_result():
    from saz_geboortezorg.model import casemix

    df = _casemix_frame()
    r = casemix(df, _SPEC)
    d = _check_protocol(r, {"highlight": "B"})
    assert d["unit_type"] == "hospital" and d["family"] == "binomial" and d["n"] == 3000
    # the default chart is the O/E caterpillar: one point per unit at observed/expected
    oe = {row["unit"]: row["estimate"] for row in _rows(r.chart().to_dict(), "estimate")}
    by_hand = df.groupby("hospital_id")["y"].sum() / r.table.set_index("unit")["expected"]
    assert oe == pytest.approx(by_hand.to_dict())
    assert isinstance(r.chart(kind="calibration"), _CHARTS)
    with pytest.raises(ValueError, match="random effects"):
        r.chart(kind="shrunken")
    with pytest.raises(ValueError, match="kind"):
        r.chart(kind="bars")


def test_compare_positions_result():
    from saz_geboortezorg.compare.positions import crude_vs_adjusted

    p = crude_vs_adjusted(_units(), overdispersion=False)
    d = _check_protocol(p, {"highlight": "A"})
    # the funnels are results of their own, left out of the JSON; the overall rate is a field
    assert "crude_funnel" not in d and "adjusted_funnel" not in d
    assert d["overall_rate"] == pytest.approx(885 / 6700)
    # crude order E G A C H B F D; by O/E E G A D C H B F: D, C, H, B and F move
    assert "Rank changed for 5 units" in p.summary()


def test_compare_feature_comparison_result():
    from saz_geboortezorg.compare.organisation_features import feature_comparison

    rates = pd.DataFrame(
        {
            "unit": list("ABCD"),
            "numerator": [15, 15, 10, 10],
            "denominator": [50, 50, 50, 50],
            "measure": "percent",
        }
    )
    r = feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 0, "D": 0}), name="f24")
    d = _check_protocol(r)
    assert d["feature"] == "f24" and d["confidence"] == 0.95 and d["measure"] == "percent"
    assert d["comparison"][0]["odds_ratio"] == pytest.approx((30 / 70) / (20 / 80))
    assert "yes: 2 hospitals, 30/100 = 30" in r.summary()


def test_compare_benchmark_and_value_results(dataset):
    import saz_geboortezorg as sg

    b = sg.benchmark(dataset, ["cs", "pph"], unit="region")
    d = _check_protocol(b, {"highlight": "R01"})
    assert d["unit_type"] == "region" and "funnels" not in d
    family = b.family()
    assert d["family"]["judged"] == family["judged"]
    verdicts = b.table["assessment"].isin(["better", "worse", "different"])
    assert int(verdicts.sum()) == d["family"]["verdicts"]
    text = b.summary()
    for row in b.table[verdicts].itertuples():
        assert f"{row.indicator} {row.unit} {row.assessment}" in text

    v = sg.value_view(dataset, "uncomplicated_birth", unit="hospital")
    d = _check_protocol(v)
    assert d["unit_type"] == "hospital" and d["cut"] == "median"
    assert "outcome_model" not in d and "cost_model" not in d
    assert d["cost_line"] == pytest.approx(float(v.table["adjusted_cost"].median()))
    for quadrant, n in v.table["quadrant"].value_counts().items():
        assert f"{quadrant}: {n}" in v.summary()


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


# ===================================================================== derive (i15derive)
# robson_table, care_flows, flow_links, referral_reasons, place_of_birth, cost_summary,
# cost_drivers, cost_per_pregnancy, calibration_deciles: metadata that used to be
# DataFrame.attrs are fields; no attrs are left on the tables.


def _derive_check(result, **fields) -> dict:
    """The four-part protocol on one result; returns its to_dict()."""
    assert isinstance(result, ResultProtocol)
    assert isinstance(result.table, pd.DataFrame) and len(result.table) > 0
    assert not result.table.attrs, "metadata belong in fields, not DataFrame.attrs"
    text = result.summary()
    assert isinstance(text, str) and text.strip()
    out = result.to_dict()
    json.dumps(out, allow_nan=False)  # JSON-ready: no NaN, no numpy types
    assert out["result"] == type(result).__name__
    assert len(out["table"]) == len(result.table)
    chart = result.chart()
    assert isinstance(chart, alt.TopLevelMixin)
    chart.to_dict()  # a valid spec
    for name, value in fields.items():
        assert getattr(result, name) == value, name
        assert out[name] == value, name
    # prints as its table (notebook cells show the same text as before)
    assert repr(result) == repr(result.table)
    return out


@pytest.fixture(scope="module")
def derive_women() -> pd.DataFrame:
    rng = np.random.default_rng(15)
    n = 400
    start = rng.choice([1, 2], n, p=[0.8, 0.2])
    referred_preg = np.where(start == 1, rng.binomial(1, 0.3, n), 0)
    onset = rng.choice(["spontaneous", "induced", "prelabour_cs"], n, p=[0.7, 0.2, 0.1])
    referred_lab = np.where(
        (start == 1) & (referred_preg == 0) & (onset == "spontaneous"), rng.binomial(1, 0.4, n), 0
    )
    return pd.DataFrame(
        {
            "region_id": rng.choice(["R1", "R2", "R3"], n),
            "hospital_id": rng.choice(["H1", "H2"], n),
            "start_line": start,
            "referral_pregnancy": referred_preg,
            "onset": onset,
            "referral_labour": referred_lab,
            "referral_labour_reason": np.where(
                referred_lab == 1, rng.choice(["failure_to_progress", "meconium"], n), None
            ),
            "actual_place": rng.choice(["home", "hospital_midwife", "hospital_obstetrician"], n),
            "mode": rng.choice(["spontaneous", "vacuum", "intrapartum_cs"], n),
            "line_at_birth": rng.choice([1, 2], n),
            "referral_postpartum": rng.binomial(1, 0.1, n),
            "robson": rng.choice(["1", "2a", "3", "5.1", "10"], n),
            "cs": np.where(rng.random(n) < 0.02, np.nan, rng.binomial(1, 0.2, n)),
        }
    )


def test_derive_robson_table_is_a_result(derive_women):
    from saz_geboortezorg.derive.robson import ROBSON_POPULATIONS, RobsonTable, robson_table

    result = robson_table(derive_women, unit="hospital_id")
    assert isinstance(result, RobsonTable)
    unknown = int(derive_women["cs"].isna().sum())
    assert unknown > 0
    _derive_check(
        result,
        unit="hospital_id",
        cs_unknown=unknown,
        population=ROBSON_POPULATIONS["all"],
        split_ab=True,
    )
    assert f"{unknown} women with unknown caesarean status" in result.summary()


def test_derive_care_flows_are_results(derive_women):
    from saz_geboortezorg.derive.flows import care_flows, flow_links, referral_reasons

    _derive_check(care_flows(derive_women), unit="region_id")
    _derive_check(care_flows(derive_women, stages=["start", "mode"]), stages=["start", "mode"])
    links = flow_links(derive_women, "region_id", "R2", follow="labour")
    _derive_check(
        links,
        women=int((derive_women["region_id"] == "R2").sum()),
        follow="labour",
        unit="region_id",
        unit_id="R2",
    )
    _derive_check(referral_reasons(derive_women, unit="hospital_id"), unit="hospital_id")
    _derive_check(referral_reasons(derive_women, moment="labour"), moment="labour")


def test_derive_place_of_birth_is_a_result(derive_women):
    from saz_geboortezorg.derive.profile import place_of_birth

    _derive_check(place_of_birth(derive_women, unit="hospital_id"), unit="hospital_id")


def test_derive_calibration_deciles_is_a_result():
    from saz_geboortezorg.model.diagnostics import calibration_deciles

    rng = np.random.default_rng(3)
    risk = rng.uniform(0.05, 0.6, 200)
    trials = rng.integers(5, 30, 200).astype(float)
    events = rng.binomial(trials.astype(int), risk).astype(float)
    result = calibration_deciles(risk, events, trials)
    out = _derive_check(result, df=8)
    assert out["hosmer_lemeshow"] == pytest.approx(result.hosmer_lemeshow)
    assert 0 <= out["p"] <= 1


@pytest.fixture(scope="module")
def derive_dataset(tmp_path_factory):
    import saz_geboortezorg as sg
    from saz_geboortezorg.synthetic import generate

    folder = tmp_path_factory.mktemp("derive_costs")
    generate(births=600, seed=15, progress=False).write(folder)
    return sg.load(folder)


def test_derive_costs_are_results(derive_dataset):
    from saz_geboortezorg.derive.costs import cost_drivers, cost_per_pregnancy, cost_summary

    costs = cost_per_pregnancy(derive_dataset)
    out = _derive_check(costs)
    assert "long" not in out and "unlinked" not in out  # claim-level detail stays out
    assert [r["part"] for r in out["reconciliation"]] == ["all claims", "linked", "not linked"]
    summary = cost_summary(derive_dataset, unit="hospital", costs=costs)
    _derive_check(summary, unit="booking_hospital_id", confidence=0.95)
    assert isinstance(summary.chart(split="phase"), alt.TopLevelMixin)
    _derive_check(
        cost_drivers(derive_dataset, unit="region", costs=costs), unit="booking_region_id"
    )
    overall = cost_summary(derive_dataset, unit=None, costs=costs)
    _derive_check(overall, unit=None)


# =================================================================== end derive (i15derive)


# ------------------------------------------------------------------- rate table (i15rate)
def _women_with_dates() -> pd.DataFrame:
    """Eight women by hand, with their derived columns (cs from the mode) as sg.load."""
    from saz_geboortezorg.derive.tables import add_derived

    return add_derived(pd.DataFrame(
        {
            "region_id": ["A", "A", "A", "B", "B", "B", "C", "C"],
            "ga_days": 280,
            "birth_date": pd.to_datetime(["2022-01-05", "2022-04-01", "2022-07-01"] * 2 + ["2022-02-02"] * 2),
            "mode": ["intrapartum_cs", "spontaneous", "spontaneous"] * 2 + ["prelabour_cs", "spontaneous"],
        }
    ))  # fmt: skip


def test_rate_unit_table_follows_the_protocol():
    import altair as alt

    from saz_geboortezorg.compare.standardise import unit_table
    from saz_geboortezorg.indicators.rate_table import RateTable

    res = unit_table(_women_with_dates(), "cs", adjusted=False)
    assert isinstance(res, RateTable) and isinstance(res, ResultProtocol)
    assert isinstance(res.summary(), str) and "cs per region" in res.summary()
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert isinstance(res.chart(highlight="B"), alt.TopLevelMixin)
    # what used to be DataFrame.attrs are fields (and in to_dict)
    for name in (
        "indicator",
        "adjusted",
        "method",
        "family",
        "overall",
        "multiplier",
        "calibration",
        "unit_type",
        "attribution",
    ):
        assert name in d and d[name] == getattr(res, name)
    assert res.table.attrs == {}
    assert (res.unit_type, res.multiplier, res.adjusted) == ("region", 100.0, False)
    # printed, a result shows its table
    assert repr(res) == repr(res.table)


# ------------------------------------------------------------ compute and trends (i15compute)
# sg.compute / compute_indicator / referral_rates return IndicatorRates, trend_table a
# TrendTable: what used to be DataFrame.attrs (attribution; the trend's method) are fields.


def _compute_women() -> pd.DataFrame:
    """Two hospitals by hand: A 1 caesarean of 2; B 0 of 1 plus one unknown mode; C only
    an unknown mode (kept, with its exclusion count, rate NaN); derived columns added as
    sg.load would."""
    from saz_geboortezorg.derive.tables import add_derived

    return add_derived(
        pd.DataFrame(
            {
                "hospital_id": ["A", "A", "B", "B", "C"],
                "ga_days": 280,
                "mode": ["intrapartum_cs", "spontaneous", "spontaneous", "unknown", "unknown"],
            }
        )
    )


def test_i15compute_compute_result():
    import saz_geboortezorg as sg

    res = sg.compute(_compute_women(), "cs", unit="hospital")
    assert isinstance(res, sg.IndicatorRates)
    d = _check_protocol(res, {"highlight": "A"})
    # metadata are fields (formerly attrs["attribution"]) and in to_dict
    assert (res.indicator, res.unit_type, res.measure, res.attribution) == (
        "cs",
        "hospital",
        "percent",
        "birth",
    )
    assert res.table.attrs == {}
    assert res.target == pytest.approx(100 / 3) and res.overall == pytest.approx(1 / 3)
    assert d["attribution"] == "birth" and d["mean"] is False
    # the empty unit keeps its row (rate null in JSON), and the exclusions add up
    assert [r["unit"] for r in d["table"]] == ["A", "B", "C"]
    assert d["table"][2]["rate"] is None
    assert res.exclusions == {"mode of birth unknown": 2}
    assert "2 records excluded (mode of birth unknown: 2)" in res.summary()
    # the chart draws the overall rate as the reference line
    spec = res.chart().to_dict()
    assert [{"overall": pytest.approx(100 / 3)}] in [
        v for v in spec["datasets"].values() if v and "overall" in v[0]
    ]
    # the same counts as a RateTable: units with records only, Wilson by default
    rt = res.rate_table()
    assert isinstance(rt, sg.RateTable) and rt.table["unit"].tolist() == ["A", "B"]
    np.testing.assert_allclose(rt.table["upper"], res.table["wilson_ucl"][:2], rtol=1e-12)
    exact = res.rate_table("exact").table
    np.testing.assert_allclose(exact["lower"], res.table["exact_lcl"][:2], rtol=1e-12)


def test_i15compute_mean_and_referral_results():
    import saz_geboortezorg as sg
    from saz_geboortezorg.errors import SpecError

    costs = pd.DataFrame(
        {"booking_hospital_id": ["A", "A", "B"], "ga_days": 280, "cost_total": [100.0, 300.0, 50.0]}
    )
    res = sg.compute(costs, "cost_per_pregnancy", unit="hospital")
    _check_protocol(res)
    assert res.mean and res.multiplier == 1.0 and res.target == pytest.approx(150.0)
    assert "Student-t" in res.interval
    with pytest.raises(SpecError, match="Student-t"):
        res.rate_table()
    w = pd.DataFrame(
        {
            "practice_id": ["P1", "P1", "P2"],
            "start_line": 1,
            "referral_pregnancy": 0,
            "onset": "spontaneous",
            "referral_labour": [1, 0, 1],
        }
    )
    ref = sg.referral_rates(w)
    _check_protocol(ref)
    assert ref.indicator == "referral_labour" and ref.attribution == "booking"
    assert ref.table["moment"].tolist() == ["labour", "labour"]
    # a funnel takes the result as its table
    fr = sg.funnel(ref, "numerator", "denominator", "unit", data_type="PR", test_draws=0)
    assert fr.table["group"].tolist() == ["P1", "P2"]


def test_i15compute_trend_result():
    import saz_geboortezorg as sg

    res = sg.trend_table(_women_with_dates(), "cs", highlight="A", adjusted=False)
    assert isinstance(res, sg.TrendTable)
    d = _check_protocol(res)
    assert res.table.attrs == {}
    for name, value in {
        "indicator": "cs",
        "unit_type": "region",
        "highlight": "A",
        "freq": "quarter",
        "adjusted": False,
        "measure": "percent",
        "multiplier": 100.0,
        "attribution": "birth",
    }.items():
        assert getattr(res, name) == value and d[name] == value, name
    # 3 caesareans among 8 women: the overall rate, unscaled and on the scale
    assert res.overall == pytest.approx(3 / 8) and res.target == pytest.approx(37.5)
    spec = res.chart().to_dict()
    assert spec["layer"][1]["encoding"]["color"]["scale"]["domain"] == ["all regions", "A"]


# ------------------------------------------------------- end compute and trends (i15compute)


# --------------------------------------------------------- one rate table (i15rate2)
# Every per-unit result hands out the one RateTable: CaseMixResult.rate_table(),
# ValueView.rate_table(), and monitor.periods.period_rate_table for one period. Each is
# checked against the result's own table and against counts made by hand.


def _i15rate2_wilson(x, n, z=1.959963984540054):
    """Wilson score interval written out (Wilson 1927), as proportions."""
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_i15rate2_casemix_rate_table_by_hand():
    from scipy.stats import chi2

    from saz_geboortezorg.indicators.rate_table import RateTable
    from saz_geboortezorg.model import casemix

    df = _casemix_frame(3)
    res = casemix(df, _SPEC)
    rt = res.rate_table()
    assert isinstance(rt, RateTable)
    _check_protocol(rt)
    assert (rt.indicator, rt.unit_type, rt.measure) == ("y", "hospital", "percent")
    assert rt.multiplier == 100.0
    assert rt.adjusted and rt.family == "binomial" and rt.attribution == res.attribution
    # by hand: one categorical covariate and no unit term, so the fitted risk of a
    # record is its parity group's observed share (the saturated logistic model)
    p = df.groupby("parity_group")["y"].transform("mean")
    g = df.assign(p=p, v=p * (1 - p)).groupby("hospital_id")
    o, e, v, n = g["y"].sum(), g["p"].sum(), g["v"].sum(), g.size()
    overall = df["y"].mean()
    t = rt.table.set_index("unit")
    assert t["n"].tolist() == n.loc[t.index].tolist()
    assert np.allclose(t["observed"], o.loc[t.index])
    assert np.allclose(t["expected"], e.loc[t.index], rtol=1e-8)
    assert np.allclose(t["variance"], v.loc[t.index], rtol=1e-8)
    assert np.allclose(t["value"], 100 * o / e * overall, rtol=1e-8)
    k = e / v  # equivalent events: exact Poisson interval of k O over k E
    assert np.allclose(t["lower"], 100 * overall * chi2.ppf(0.025, 2 * k * o) / 2 / (k * e))
    assert np.allclose(t["upper"], 100 * overall * chi2.ppf(0.975, 2 * k * o + 2) / 2 / (k * e))
    assert rt.target == pytest.approx(100 * overall)
    # and the numbers are the result's own table, scaled
    own = res.table.set_index("unit").loc[t.index]
    assert (t["n"] == own["n"]).all() and np.array_equal(t["observed"], own["observed"])
    assert np.array_equal(t["ratio"], own["oe"])
    for mine, theirs in (("value", "standardised_rate"), ("lower", "std_lcl95"),
                         ("upper", "std_ucl95")):  # fmt: skip
        assert np.allclose(t[mine], 100 * own[theirs], rtol=1e-12, atol=0), mine
    # the result's JSON is unchanged: no variance field
    assert "variance" not in res.to_dict()


def test_i15rate2_casemix_rate_table_amounts_and_imputation():
    from saz_geboortezorg.errors import SpecError
    from saz_geboortezorg.model import casemix

    rng = np.random.default_rng(5)
    df = _casemix_frame(4)
    df["amount"] = rng.gamma(4.0, np.where(df.parity_group == "0", 1000.0, 700.0) / 4.0)
    spec = {**_SPEC, "name": "g", "outcome": "amount", "family": "gamma"}
    res = casemix(df, spec)
    rt = res.rate_table()
    assert (rt.measure, rt.multiplier, rt.family) == ("euro", 1.0, "gamma")
    own = res.table.set_index("unit").loc[rt.table["unit"]]
    t = rt.table.set_index("unit")
    assert np.allclose(t["value"], df.groupby("hospital_id")["amount"].sum() / own["expected"]
                       * df["amount"].mean())  # fmt: skip
    for mine, theirs in (("value", "standardised_rate"), ("lower", "std_lcl95"),
                         ("upper", "std_ucl95")):  # fmt: skip
        assert np.allclose(t[mine], own[theirs], rtol=1e-12, atol=0), mine
    # a model applied to other data hands out its rate table too
    later = res.apply(_casemix_frame(6).assign(amount=df["amount"].to_numpy()))
    lt = later.rate_table().table
    assert np.allclose(lt["upper"], later.table["std_ucl95"], rtol=1e-12, atol=0)

    # multiple imputation of a 0/1 outcome: the pooled interval is Poisson (V = E)
    mi = _casemix_frame(7)
    mi.loc[np.random.default_rng(8).random(len(mi)) < 0.1, "parity_group"] = np.nan
    res = casemix(mi, {**_SPEC, "missing": {"policy": "impute", "imputations": 3}})
    t = res.rate_table().table
    assert np.allclose(t["variance"], res.table["expected"])
    assert np.allclose(t["lower"], 100 * res.table["std_lcl95"], rtol=1e-12, atol=0)
    assert np.allclose(t["upper"], 100 * res.table["std_ucl95"], rtol=1e-12, atol=0)
    # ... of an amount: the mean of the imputations' intervals has no rate table
    mi["amount"] = df["amount"].to_numpy()
    res = casemix(mi, {**spec, "missing": {"policy": "impute", "imputations": 3}})
    with pytest.raises(SpecError, match="no rate table"):
        res.rate_table()


def test_i15rate2_value_view_rate_table(dataset):
    import saz_geboortezorg as sg
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome, resolve_unit

    # crude outcome (no case-mix spec): counts and Wilson interval by hand
    v = sg.value_view(dataset, "uncomplicated_birth", unit="hospital")
    assert not v.outcome_adjusted
    rt = v.rate_table()
    _check_protocol(rt)
    ind = get("uncomplicated_birth")
    births = dataset.births
    keep, y = indicator_outcome(births, ind)
    unit_col = resolve_unit("hospital", births.columns, ind.attribution)
    frame = pd.DataFrame({"unit": births[unit_col], "y": y})[keep.to_numpy(bool)]
    g = frame.groupby("unit")["y"]
    t = rt.table.set_index("unit")
    n, x = g.size().loc[t.index], g.sum().loc[t.index]
    assert t["n"].tolist() == n.tolist() and np.allclose(t["observed"], x)
    lo, hi = _i15rate2_wilson(x.to_numpy(float), n.to_numpy(float))
    assert np.allclose(t["value"], 100 * x / n)
    assert np.allclose(t["lower"], 100 * lo) and np.allclose(t["upper"], 100 * hi)
    own = v.table.set_index("unit").loc[t.index]
    for mine, theirs in (("value", "outcome_rate"), ("lower", "outcome_lcl95"),
                         ("upper", "outcome_ucl95")):  # fmt: skip
        assert np.allclose(t[mine], own[theirs], rtol=1e-12, atol=0), mine
    assert (rt.indicator, rt.unit_type, rt.adjusted) == ("uncomplicated_birth", "hospital", False)

    # adjusted outcome: the outcome model's rate table, equal to the view's columns
    v = sg.value_view(dataset, "cs", unit="region")
    assert v.outcome_adjusted
    rt = v.rate_table()
    assert rt.adjusted and rt.indicator == "cs" and rt.unit_type == "region"
    t = rt.table.set_index("unit")
    own = v.table.set_index("unit").loc[t.index]
    for mine, theirs in (("value", "outcome_rate"), ("lower", "outcome_lcl95"),
                         ("upper", "outcome_ucl95")):  # fmt: skip
        assert np.allclose(t[mine], own[theirs], rtol=1e-12, atol=0), mine
    assert np.allclose(t["ratio"], own["outcome_oe"], rtol=1e-12, atol=0)


def test_i15rate2_period_rate_table_by_hand():
    from saz_geboortezorg.errors import SpecError
    from saz_geboortezorg.indicators.rate_table import RateTable
    from saz_geboortezorg.monitor.periods import period_rate_table, period_rates

    women = _women_with_dates()  # A, B: cs in Jan; C: cs in Feb; spontaneous otherwise
    q1 = period_rate_table(women, "cs", "2022Q1", unit="region", freq="quarter")
    assert isinstance(q1, RateTable)
    _check_protocol(q1)
    assert (q1.unit_type, q1.measure, q1.attribution) == ("region", "percent", "birth")
    assert not q1.adjusted
    # Q1: A 1/1 (Jan), B 1/1 (Jan), C 1/2 (Feb); Wilson by hand
    t = q1.table
    assert t["unit"].tolist() == ["A", "B", "C"] and t["n"].tolist() == [1, 1, 2]
    assert t["observed"].tolist() == [1.0, 1.0, 1.0]
    lo, hi = _i15rate2_wilson(np.array([1.0, 1.0, 1.0]), np.array([1.0, 1.0, 2.0]))
    assert np.allclose(t["value"], [100.0, 100.0, 50.0])
    assert np.allclose(t["lower"], 100 * lo) and np.allclose(t["upper"], 100 * hi)
    assert q1.target == pytest.approx(75.0)
    # the same counts as period_rates, its rate (a proportion) on the indicator's scale
    pr = period_rates(women, "cs", unit="region", freq="quarter")
    pr = pr[pr["period"] == pd.Timestamp("2022-01-01")]
    assert np.allclose(t["value"], 100 * pr["rate"].to_numpy())
    # Q3: A and B one spontaneous birth each; C has no record then
    q3 = period_rate_table(women, "cs", pd.Timestamp("2022-08-15"), unit="region", freq="quarter")
    assert q3.table["unit"].tolist() == ["A", "B"] and q3.table["value"].tolist() == [0.0, 0.0]
    exact = period_rate_table(women, "cs", "2022-02", unit="region", crude_interval="exact")
    assert exact.table["unit"].tolist() == ["C"] and exact.interval.startswith("exact")
    with pytest.raises(SpecError, match="no records"):
        period_rate_table(women, "cs", "2023-01", unit="region")
    with pytest.raises(SpecError, match="period"):
        period_rate_table(women, "cs", "not a date", unit="region")


# ----------------------------------------------------- end one rate table (i15rate2)
