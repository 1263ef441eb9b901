"""RateTable: one per-unit rate table, its intervals and its method fields.

Expected numbers are derived by hand here (formulas written out, or published values),
never from the code under test.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta, chi2, norm

import saz_geboortezorg as sg
from saz_geboortezorg.compare.standardise import unit_table
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.rate_table import RATE_COLUMNS, RateTable, ratio_interval

Z = norm.ppf(0.975)


def _wilson(x: float, n: float, z: float = Z) -> tuple[float, float]:
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def test_crude_proportion_in_percent_with_wilson():
    t = RateTable.from_counts(["A", "B"], [100, 40], [15, 0], indicator="cs", measure="percent")
    assert list(t.table.columns) == list(RATE_COLUMNS)
    a = t.table.iloc[0]
    # R: prop.test(15, 100, correct = FALSE)$conf.int = 0.09306, 0.23284
    assert a["value"] == pytest.approx(15.0) and a["rate"] == pytest.approx(15.0)
    assert a["lower"] == pytest.approx(9.306, abs=1e-3)
    assert a["upper"] == pytest.approx(23.284, abs=1e-3)
    lo, hi = _wilson(0, 40)
    b = t.table.iloc[1]
    assert b["lower"] == 0.0 and b["upper"] == pytest.approx(100 * hi)
    assert a["variance"] == pytest.approx(100 * 0.15 * 0.85)
    assert np.isnan(t.table["expected"]).all() and np.isnan(t.table["ratio"]).all()
    assert not t.adjusted and not t.table["adjusted"].any()
    assert t.overall == pytest.approx(15 / 140) and t.target == pytest.approx(1500 / 140)
    assert t.multiplier == 100 and t.interval == "Wilson score interval"


def test_exact_interval_per_1000_and_empty_units_left_out():
    t = RateTable.from_counts(
        ["A", "B", "C"],
        [20, 0, 50],
        [0, 0, 3],
        indicator="perinatal_mortality",
        measure="per_1000",
        crude_interval="exact",
        confidence=0.9,
    )
    assert t.table["unit"].tolist() == ["A", "C"]  # B has no records
    # 0 of 20: the exact upper end is 1 - (alpha / 2)^(1 / n)
    assert t.table["upper"].iloc[0] == pytest.approx(1000 * (1 - 0.05 ** (1 / 20)))
    c = t.table.iloc[1]
    assert c["value"] == pytest.approx(60.0)  # 3 / 50 per 1,000
    assert c["lower"] == pytest.approx(1000 * beta.ppf(0.05, 3, 48))
    assert c["upper"] == pytest.approx(1000 * beta.ppf(0.95, 4, 47))
    assert t.confidence == 0.9 and t.interval.startswith("exact")


def test_adjusted_binary_uses_the_binomial_variance():
    t = RateTable.from_counts(
        ["A"], [50], [10], expected=[10.0], variance=[8.0], overall=0.2,
        indicator="cs", measure="percent", method="case-mix model 'x'", calibration=1.1,
    )  # fmt: skip
    row = t.table.iloc[0]
    # equivalent Poisson events: k = E / V = 1.25, O* = E* = 12.5, Garwood interval / E*
    lo = chi2.ppf(0.025, 25) / 2 / 12.5
    hi = chi2.ppf(0.975, 27) / 2 / 12.5
    assert row["ratio"] == 1.0
    assert row["value"] == pytest.approx(20.0)
    assert row["lower"] == pytest.approx(100 * 0.2 * lo) and row["upper"] == pytest.approx(
        100 * 0.2 * hi
    )
    assert (round(lo, 4), round(hi, 4)) == (0.5248, 1.7278)  # as in stats.intervals
    assert t.adjusted and t.calibration == 1.1 and "binomial variance" in t.interval
    assert "method: case-mix model 'x'" in t.summary()


def test_amounts_crude_and_adjusted():
    # crude: one unit with 100, 200 and 600 euro
    t = RateTable.from_counts(
        ["A"], [3], [900.0], sumsq=[410_000.0], family="gamma",
        indicator="cost_per_pregnancy", measure="euro",
    )  # fmt: skip
    row = t.table.iloc[0]
    sd = math.sqrt(((100 - 300) ** 2 + (200 - 300) ** 2 + (600 - 300) ** 2) / 2)
    assert row["value"] == pytest.approx(300.0)
    assert row["lower"] == pytest.approx(300 - Z * sd / math.sqrt(3))
    assert row["variance"] == pytest.approx(3 * sd**2)
    assert t.multiplier == 1 and t.target == pytest.approx(300.0)
    # adjusted: normal on the total with its (robust) variance, divided by E
    t = RateTable.from_counts(
        ["A"], [2], [1000.0], expected=[800.0], variance=[10_000.0], family="gamma",
        overall=500.0, indicator="cost_per_pregnancy", measure="euro",
    )  # fmt: skip
    row = t.table.iloc[0]
    assert row["value"] == pytest.approx(1.25 * 500)
    assert row["lower"] == pytest.approx((1000 - Z * 100) / 800 * 500)
    assert row["upper"] == pytest.approx((1000 + Z * 100) / 800 * 500)
    lo, hi = ratio_interval(1000.0, 800.0, 10_000.0, "gamma")
    assert (lo, hi) == pytest.approx(((1000 - Z * 100) / 800, (1000 + Z * 100) / 800))


def test_clear_errors():
    with pytest.raises(SpecError, match="measure must be"):
        RateTable.from_counts(["A"], [1], [0], indicator="x", measure="promille")
    with pytest.raises(SpecError, match="needs the variance"):
        RateTable.from_counts(["A"], [1], [0], expected=[1.0], indicator="x", measure="percent")
    with pytest.raises(SpecError, match="one value per unit"):
        RateTable.from_counts(["A", "B"], [1], [0], indicator="x", measure="percent")
    with pytest.raises(SpecError, match="sumsq"):
        RateTable.from_counts(["A"], [2], [5.0], family="gamma", indicator="x", measure="euro")
    with pytest.raises(SpecError, match="crude_interval"):
        RateTable.from_counts(
            ["A"], [1], [0], indicator="x", measure="percent", crude_interval="wald"
        )


def test_unit_table_is_a_rate_table_on_the_indicator_scale():
    women = pd.DataFrame(
        {
            "region_id": ["A"] * 4 + ["B"] * 6,
            "ga_days": 280,
            "mode": ["intrapartum_cs"] * 3 + ["spontaneous"] + ["intrapartum_cs"] + ["spontaneous"] * 5,
        }
    )  # fmt: skip
    t = unit_table(sg.add_derived(women), "cs", adjusted=False)  # cs from the mode
    assert isinstance(t, RateTable)
    assert t.table["value"].tolist() == pytest.approx([75.0, 100 / 6])
    lo, hi = _wilson(3, 4)
    assert t.table["lower"].iloc[0] == pytest.approx(100 * lo)
    assert (t.indicator, t.unit_type, t.attribution, t.measure) == (
        "cs",
        "region",
        "birth",
        "percent",
    )
    assert t.target == pytest.approx(40.0) and t.overall == pytest.approx(0.4)
    d = t.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["result"] == "RateTable" and d["table"][0]["expected"] is None
    text = t.summary()
    assert "cs per region (percent), crude: 2 units, 10 records" in text
    assert "75.00 (A)" in text


def test_chart_is_a_caterpillar_with_the_target():
    t = RateTable.from_counts(["A", "B"], [100, 80], [20, 8], indicator="cs", measure="percent")
    spec = t.chart(highlight="A").to_dict()
    rows = [r for data in spec.get("datasets", {}).values() for r in data]
    assert {r["unit"] for r in rows if r.get("is_highlight")} == {"A"}
    assert any(r.get("estimate") == pytest.approx(20.0) for r in rows)
    # the reference line is the overall rate, 28 of 180 in percent
    assert str(100 * 28 / 180) in json.dumps(spec)
    assert spec["title"]["text"] == "cs per unit"
    assert "cs per unit (percent), crude: 2 units, 180 records" in t.summary()
    everybody = RateTable.from_counts(["all"], [180], [28], indicator="cs", measure="percent",
                                      unit_type="all")  # fmt: skip
    assert everybody.summary().startswith("cs all units together (percent), crude: 1 unit,")
    assert everybody.chart().to_dict()["title"]["text"] == "cs overall"
