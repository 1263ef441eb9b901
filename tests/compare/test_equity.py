"""Equity measures: Newcombe difference, log-ratio interval, ridits, SII/RII.

Expected values are published (Newcombe 1998, table II) or computed by hand in the
comments; the SII and RII are also checked against a record-level regression
(statsmodels OLS) and against base R (tests/compare/reference/make_equity_reference.R,
values in equity_sii.csv; CI reads the CSV and does not need R).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.equity import (
    equity_table,
    inequality_gap,
    log_ratio_interval,
    newcombe_difference,
    ridits,
    slope_index,
)
from saz_geboortezorg.derive.tables import add_derived
from saz_geboortezorg.errors import SpecError

Z = 1.959963984540054


# Newcombe (1998) Stat Med 17:873, table II, method 10 (hybrid score).
@pytest.mark.parametrize(
    "x1, n1, x2, n2, lower, upper",
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_newcombe_against_published_table(x1, n1, x2, n2, lower, upper):
    d, lo, hi = newcombe_difference(x1, n1, x2, n2)
    assert float(d) == pytest.approx(x1 / n1 - x2 / n2)
    assert float(lo) == pytest.approx(lower, abs=5e-5)
    assert float(hi) == pytest.approx(upper, abs=5e-5)


def test_newcombe_empty_group_is_nan():
    d, lo, hi = newcombe_difference(3, 10, 0, 0)
    assert np.isnan(d) and np.isnan(lo) and np.isnan(hi)


def test_log_ratio_interval_by_hand():
    # 30/100 vs 10/200: RR = 6; se = sqrt(1/30 - 1/100 + 1/10 - 1/200) = sqrt(0.118333)
    r, lo, hi = log_ratio_interval(30, 100, 10, 200)
    se = math.sqrt(1 / 30 - 1 / 100 + 1 / 10 - 1 / 200)
    assert float(r) == pytest.approx(6.0)
    assert float(lo) == pytest.approx(6 * math.exp(-Z * se))
    assert float(hi) == pytest.approx(6 * math.exp(Z * se))
    assert float(lo) == pytest.approx(3.06, abs=0.01)  # 6 * exp(-0.6742)


def test_log_ratio_zero_events():
    r, lo, hi = log_ratio_interval(0, 50, 5, 50)
    assert float(r) == 0.0 and np.isnan(lo) and np.isnan(hi)
    r, lo, hi = log_ratio_interval(5, 50, 0, 50)
    assert np.isnan(r) and np.isnan(lo) and np.isnan(hi)


def test_ridits():
    assert ridits([100, 300, 100]).tolist() == pytest.approx([0.1, 0.5, 0.9])
    assert ridits([1, 1]).tolist() == pytest.approx([0.25, 0.75])
    assert np.isnan(ridits([0, 0])).all()


def _three_groups(extra_empty: bool = False) -> pd.DataFrame:
    q = ["1", "2", "3"]
    x = [30, 60, 10]
    n = [100, 300, 100]
    if extra_empty:
        q, x, n = ["1", "1b", "2", "3"], [30, 0, 60, 10], [100, 0, 300, 100]
    return pd.DataFrame({"q": q, "numerator": x, "denominator": n, "measure": "percent"})


# Hand calculation for rates 30%, 20%, 10% in groups of 100, 300, 100:
#   ridits 0.1, 0.5, 0.9; weights 0.2, 0.6, 0.2; mean ridit 0.5; Sxx = 0.064
#   b = (0.2 * -0.4 * 0.3 + 0.2 * 0.4 * 0.1) / 0.064 = -0.25; a = 0.2 + 0.125 = 0.325
#   SII = 0.25 (25 points); RII = 0.325 / 0.075 = 4.3333
#   c = w (r - 0.5) / Sxx = (-1.25, 0, 1.25); Var(p) = (0.0021, 0.00053333, 0.0009)
#   Var(b) = 1.5625 * 0.003 = 0.0046875; se = 0.0684653
#   log RII gradient g = d / a - (d + c) / (a + b), d = w - 0.5 c = (0.825, 0.6, -0.425):
#   g = (8.205128, -6.153846, -12.307692); Var = 0.297909; se = 0.545811
SII_SE = math.sqrt(0.0046875)
RII_SE = math.sqrt(8.205128**2 * 0.0021 + 6.153846**2 * 0.0016 / 3 + 12.307692**2 * 0.0009)


def test_slope_index_by_hand():
    s = slope_index(_three_groups(), group="q", order=["1", "2", "3"], unit=None).iloc[0]
    assert s["groups"] == 3 and s["n"] == 500
    assert s["mean_rate"] == pytest.approx(20.0)
    assert s["sii"] == pytest.approx(25.0)
    assert s["sii_lcl"] == pytest.approx(25 - Z * 100 * SII_SE)
    assert s["sii_ucl"] == pytest.approx(25 + Z * 100 * SII_SE)
    assert s["sii_lcl"] == pytest.approx(11.58, abs=0.01)
    assert s["rii"] == pytest.approx(0.325 / 0.075)
    assert s["rii_lcl"] == pytest.approx(0.325 / 0.075 * math.exp(-Z * RII_SE), rel=1e-5)
    assert s["rii_ucl"] == pytest.approx(0.325 / 0.075 * math.exp(Z * RII_SE), rel=1e-5)


def test_slope_equals_record_level_regression_and_robust_se():
    """Independent route: OLS of the 0/1 outcome on the ridit of each woman (the
    WLS on group rates is the same line); here the rates lie exactly on the line, so
    the heteroscedasticity-robust (HC0) variance equals the binomial variance used."""
    sm = pytest.importorskip("statsmodels.api")
    y = np.concatenate(
        [
            np.r_[np.ones(30), np.zeros(70)],
            np.r_[np.ones(60), np.zeros(240)],
            np.r_[np.ones(10), np.zeros(90)],
        ]
    )
    r = np.repeat([0.1, 0.5, 0.9], [100, 300, 100])
    fit = sm.OLS(y, sm.add_constant(r)).fit(cov_type="HC0")
    s = slope_index(_three_groups(), group="q", order=["1", "2", "3"], unit=None).iloc[0]
    assert s["sii"] == pytest.approx(-100 * fit.params[1])
    assert (s["sii_ucl"] - s["sii"]) / Z == pytest.approx(100 * fit.bse[1])


def test_empty_group_is_left_out():
    a = slope_index(_three_groups(), group="q", order=["1", "2", "3"], unit=None)
    b = slope_index(_three_groups(True), group="q", order=["1", "1b", "2", "3"], unit=None)
    cols = ["sii", "sii_lcl", "sii_ucl", "rii", "rii_lcl", "rii_ucl"]
    assert b[cols].to_numpy() == pytest.approx(a[cols].to_numpy())
    assert int(b["groups"].iloc[0]) == 3


def test_groups_not_in_order_are_ignored_and_order_matters():
    t = pd.concat(
        [_three_groups(), pd.DataFrame({"q": ["unknown"], "numerator": [50], "denominator": [50]})]
    )
    s = slope_index(t, group="q", order=["1", "2", "3"], unit=None).iloc[0]
    assert s["sii"] == pytest.approx(25.0) and s["n"] == 500
    reverse = slope_index(t, group="q", order=["3", "2", "1"], unit=None).iloc[0]
    assert reverse["sii"] == pytest.approx(-25.0)
    assert reverse["rii"] == pytest.approx(0.075 / 0.325)


def test_zero_events_everywhere_and_single_group():
    t = pd.DataFrame({"q": ["1", "2"], "numerator": [0, 0], "denominator": [50, 50]})
    s = slope_index(t, group="q", order=["1", "2"], unit=None).iloc[0]
    assert s["sii"] == 0.0 and s["sii_lcl"] == 0.0 and np.isnan(s["rii"])
    one = slope_index(t.iloc[:1], group="q", order=["1", "2"], unit=None).iloc[0]
    assert one["groups"] == 1 and np.isnan(one["sii"])
    with pytest.raises(SpecError):
        slope_index(t, group="q", order=["1"], unit=None)


def test_per_unit_and_missing_group_in_gap():
    t = pd.DataFrame(
        {
            "region": ["A", "A", "B"],
            "q": ["1", "5", "1"],
            "numerator": [20, 10, 5],
            "denominator": [100, 100, 50],
            "measure": "per_1000",
        }
    )
    g = inequality_gap(t, group="q", unit="region")
    assert g["unit"].tolist() == ["A", "B"]
    assert g.loc[0, "difference"] == pytest.approx(100.0)  # 200 - 100 per 1,000
    assert g.loc[0, "ratio"] == pytest.approx(2.0)
    assert g.loc[1, "n_least"] == 0 and np.isnan(g.loc[1, "difference"])
    with pytest.raises(SpecError, match="numerator"):
        inequality_gap(t.drop(columns="numerator"), group="q", unit="region")


def test_equity_table_on_records():
    # R1: most deprived 3/4 CS, least 1/4; R2: 1/4 vs 0/4; overall 4/8 vs 1/8
    women = pd.DataFrame(
        {
            "region_id": ["R1"] * 8 + ["R2"] * 8,
            "ses_quintile": (["1"] * 4 + ["5"] * 4) * 2,
            "ga_days": [280] * 16,
            "mode": ["prelabour_cs"] * 3
            + ["spontaneous"]
            + ["prelabour_cs"]
            + ["spontaneous"] * 3
            + ["intrapartum_cs"]
            + ["spontaneous"] * 7,
        }
    )
    t = equity_table(add_derived(women), "cs", order=["1", "2", "3", "4", "5"])
    assert t["unit"].tolist() == ["all", "R1", "R2"]
    assert t["difference"].tolist() == pytest.approx([37.5, 50.0, 25.0])
    # two equal groups at ridits 0.25 and 0.75: SII is twice the gap
    assert t["sii"].tolist() == pytest.approx([75.0, 100.0, 50.0])
    assert np.isnan(t.loc[2, "ratio"])  # no event in R2's least deprived group


REFERENCE = Path(__file__).parent / "reference" / "equity_sii.csv"


@pytest.mark.parametrize("case", ["five_groups", "with_empty_and_zero", "falling_gradient"])
def test_slope_index_against_r(case):
    """Values from tests/compare/reference/make_equity_reference.R (lm on records)."""
    ref = pd.read_csv(REFERENCE).set_index("case").loc[case]
    x = [int(v) for v in ref["x"].split(";")]
    n = [int(v) for v in ref["n"].split(";")]
    groups = [str(i) for i in range(1, len(x) + 1)]
    rates = pd.DataFrame({"q": groups, "numerator": x, "denominator": n})
    s = slope_index(rates, group="q", order=groups, unit=None).iloc[0]
    for column in ("sii", "sii_lcl", "sii_ucl"):
        assert s[column] == pytest.approx(ref[column], rel=1e-9, abs=1e-12)
    if ref["rii"] > 0:
        for column in ("rii", "rii_lcl", "rii_ucl"):
            assert s[column] == pytest.approx(ref[column], rel=1e-9)
    else:  # fitted rate at the most deprived end below 0: RII undefined
        assert np.isnan(s["rii"]) and np.isnan(s["rii_lcl"])
