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
