"""Edge cases of saz_geboortezorg.funnel: each gives a defined result or a clear SpecError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import saz_geboortezorg as sg
from saz_geboortezorg.compare.funnel import funnel
from saz_geboortezorg.errors import SpecError


def frame(observed, expected, units=None) -> pd.DataFrame:
    units = units if units is not None else [f"U{i:02d}" for i in range(len(observed))]
    return pd.DataFrame({"unit": units, "o": observed, "e": expected})


RNG = np.random.default_rng(11)
E20 = np.round(RNG.uniform(20, 400, 20), 3)
O20 = RNG.poisson(E20 * np.exp(RNG.normal(0, 0.3, 20))).astype(float)


def test_top_level_funnel_is_lazy():
    import subprocess
    import sys

    code = (
        "import sys, saz_geboortezorg as sg; "
        "assert not {'scipy', 'altair'} & set(sys.modules); "
        "f = sg.funnel; assert 'scipy' in sys.modules; assert 'altair' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- zero events -------------------------------------------------------------------
def test_shmi_zero_event_unit_is_truncated_with_enough_units():
    o = O20.copy()
    o[0] = 0
    r = funnel(frame(o, E20), "o", "e", "unit")
    row = r.table.iloc[0]
    assert row["value"] == 0 and row["z_unadj"] == -np.inf and not row["in_phi"]
    assert np.isfinite(r.phi) and row["flag998"] in ("lower", "within")


def test_shmi_zero_event_unit_that_survives_truncation_is_a_clear_error():
    d = frame([0, 5, 9, 12], [3.0, 6.0, 8.0, 11.0])
    with pytest.raises(SpecError, match="0 observed events.*CQC"):
        funnel(d, "o", "e", "unit")
    r = funnel(d, "o", "e", "unit", overdispersion=False)  # defined without phi
    assert np.isnan(r.phi) and not r.overdispersed and r.table["flag95"].iloc[0] == "lower"
    r = funnel(d, "o", "e", "unit", sr_method="CQC")  # finite z on the sqrt scale
    assert np.isfinite(r.phi)


@pytest.mark.parametrize("data_type", ["PR", "RC"])
def test_zero_events_pr_rc(data_type):
    d = frame([0, 10, 20, 15, 30], [50, 100, 120, 90, 200])
    r = funnel(d, "o", "e", "unit", data_type=data_type)
    assert r.table["value"].iloc[0] == 0 and np.isfinite(r.table["z_unadj"].iloc[0])


def test_all_numerators_zero():
    d = frame([0, 0, 0], [50, 100, 120])
    r = funnel(d, "o", "e", "unit", data_type="PR")
    assert r.target == 0 and (r.table["flag95"] == "within").all()
    assert (r.table["lcl95"] == 0).all()
    with pytest.raises(SpecError, match="every numerator is 0"):
        funnel(d, "o", "e", "unit", data_type="RC")


# ---- bad denominators and values ---------------------------------------------------------
@pytest.mark.parametrize("data_type", ["SR", "PR", "RC"])
def test_zero_denominator(data_type):
    with pytest.raises(SpecError, match="denominator of group.*U01"):
        funnel(frame([1, 0, 3], [5.0, 0.0, 7.0]), "o", "e", "unit", data_type=data_type)


def test_denominator_rounding_to_zero_under_shmi():
    with pytest.raises(SpecError, match="rounds to 0"):
        funnel(frame([0, 2, 3], [0.004, 2.0, 7.0]), "o", "e", "unit")


def test_negative_values():
    with pytest.raises(SpecError, match="negative denominator"):
        funnel(frame([1, 2, 3], [5.0, -2.0, 7.0]), "o", "e", "unit")
    with pytest.raises(SpecError, match="negative numerator"):
        funnel(frame([1, -2, 3], [5.0, 2.0, 7.0]), "o", "e", "unit")


@pytest.mark.parametrize("column", ["o", "e"])
def test_nan_values(column):
    d = frame([1.0, 2.0, 3.0], [5.0, 2.0, 7.0])
    d.loc[1, column] = np.nan
    with pytest.raises(SpecError, match="missing or infinite.*U01"):
        funnel(d, "o", "e", "unit")


def test_nan_group_and_non_numeric():
    d = frame([1, 2, 3], [5.0, 2.0, 7.0], units=["A", None, "C"])
    with pytest.raises(SpecError, match="group column 'unit' has 1 missing"):
        funnel(d, "o", "e", "unit")
    d = frame(["1", "x", "3"], [5.0, 2.0, 7.0])
    with pytest.raises(SpecError, match="non-numeric"):
        funnel(d, "o", "e", "unit")


def test_proportion_above_one_and_missing_columns():
    with pytest.raises(SpecError, match="exceeds denominator"):
        funnel(frame([1, 9], [5, 8]), "o", "e", "unit", data_type="PR")
    with pytest.raises(SpecError, match="'x' not in the data"):
        funnel(frame([1, 2], [5, 8]), "x", "e", "unit")
    with pytest.raises(SpecError, match="no rows"):
        funnel(frame([], []), "o", "e", "unit")
    with pytest.raises(SpecError, match="same column"):
        funnel(frame([1, 2], [5, 8]), "o", "o", "unit")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"data_type": "XX"}, "data_type"),
        ({"sr_method": "HSMR"}, "sr_method"),
        ({"trim_by": 0.5}, "trim_by"),
        ({"trim_by": -0.1}, "trim_by"),
        ({"limits": (95, 120)}, "limits"),
        ({"limits": (95, 95.0)}, "duplicate"),
        ({"multiplier": 0}, "multiplier"),
        ({"pr_limits": "wilson"}, "pr_limits"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(SpecError, match=message):
        funnel(frame(O20, E20), "o", "e", "unit", **kwargs)


# ---- few units, trimming -------------------------------------------------------------------
@pytest.mark.parametrize("data_type", ["SR", "PR", "RC"])
def test_single_unit(data_type):
    d = frame([12], [40])
    with pytest.raises(SpecError, match="at least 2 units"):
        funnel(d, "o", "e", "unit", data_type=data_type)
    r = funnel(d, "o", "e", "unit", data_type=data_type, overdispersion=False)
    assert len(r.table) == 1 and np.isnan(r.phi) and not r.overdispersed
    if data_type != "SR":  # the target is the unit itself
        assert r.table["flag998"].iloc[0] == "within"
        assert r.table["value"].iloc[0] == pytest.approx(r.target)


def test_fewer_units_than_trimming_needs():
    # SHMI, trim_by 0.4: k = 2.5 rank bands, 2 units -> only 1 left for phi
    d = frame([5, 9], [6.0, 8.0])
    with pytest.raises(SpecError, match="1 left of 2.*trim_by=0.4"):
        funnel(d, "o", "e", "unit", trim_by=0.4)
    # 10% truncation of 5 units removes nothing (rank bands need 9 units): defined
    r = funnel(frame([5, 9, 12, 20, 31], [6.0, 8.0, 15.0, 19.0, 25.0]), "o", "e", "unit")
    assert r.table["in_phi"].all() and r.n_phi == 5


def test_trim_by_zero_keeps_every_unit():
    """FunnelPlotR drops every unit with trim_by=0 (k = 1/0); here it means no trimming."""
    r = funnel(frame(O20, E20), "o", "e", "unit", trim_by=0)
    assert r.n_phi == 20
    z = r.table["z_unadj"].to_numpy()
    assert r.phi == pytest.approx(np.mean(z**2))
    r_cqc = funnel(frame(O20, E20), "o", "e", "unit", sr_method="CQC", trim_by=0)
    assert r_cqc.phi == pytest.approx(np.mean(r_cqc.table["z_unadj"] ** 2))


# ---- identical units, duplicates ---------------------------------------------------------------
@pytest.mark.parametrize("data_type", ["SR", "PR", "RC"])
def test_all_units_identical(data_type):
    # identical units on the target (SR: observed = expected)
    d = frame([100 if data_type == "SR" else 20] * 6, [100] * 6)
    r = funnel(d, "o", "e", "unit", data_type=data_type)
    assert r.tau2 == 0 and not r.overdispersed
    assert (r.table["flag95"] == "within").all()
    if data_type == "RC":  # the +0.5 in the RC transformation leaves small z-scores
        assert r.phi < 0.01
    else:
        assert r.phi == pytest.approx(0, abs=1e-20)


def test_identical_units_off_target_are_overdispersed():
    """SR target is fixed at 1: six identical units at 0.2 differ from it beyond chance.

    The random-effects limits absorb a shared shift into tau2 (all within); the
    unadjusted limits flag every unit.
    """
    r = funnel(frame([20] * 6, [100] * 6), "o", "e", "unit")
    assert r.overdispersed and r.phi > 100
    assert (r.table["flag998"] == "within").all()
    r = funnel(frame([20] * 6, [100] * 6), "o", "e", "unit", overdispersion=False)
    assert (r.table["flag998"] == "lower").all()


@pytest.mark.parametrize("data_type", ["SR", "PR", "RC"])
def test_duplicate_groups_are_aggregated(data_type):
    whole = frame([30, 12, 50, 8, 40, 22], [100, 40, 150, 30, 120, 70])
    split = pd.concat(
        [
            whole.assign(o=whole.o // 2, e=whole.e // 2),
            whole.assign(o=whole.o - whole.o // 2, e=whole.e - whole.e // 2),
        ]
    ).sample(frac=1, random_state=1)
    a = funnel(whole, "o", "e", "unit", data_type=data_type)
    b = funnel(split, "o", "e", "unit", data_type=data_type)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.phi == b.phi and a.tau2 == b.tau2


# ---- result object -------------------------------------------------------------------------
def test_table_columns_and_limits_in_force():
    r = sg.funnel(frame(O20, E20), "o", "e", "unit", data_type="SR", sr_method="SHMI")
    expected = {"group", "numerator", "denominator", "value", "z_unadj", "z_adj", "z", "in_phi"}
    for tag in ("95", "998"):
        expected |= {f"lcl{tag}", f"ucl{tag}", f"lcl{tag}_adj", f"ucl{tag}_adj"}
        expected |= {f"lcl{tag}_unadj", f"ucl{tag}_unadj", f"flag{tag}"}
    assert set(r.table.columns) == expected
    assert r.overdispersed
    assert (r.table["lcl95"] == r.table["lcl95_adj"]).all()
    assert (r.table["z"] == r.table["z_adj"]).all()
    assert set(r.table["flag998"]) <= {"higher", "lower", "within"}
    # adjusted z is the unadjusted one shrunk by the extra variance
    t = r.table
    s = 1 / np.sqrt(t["denominator"])
    np.testing.assert_allclose(t["z_adj"], t["z_unadj"] * s / np.sqrt(s**2 + r.tau2))
    assert r.test is not None and 0 <= r.test.p_value <= 1 and r.test.df == r.n_phi


def test_no_overdispersion_switch_uses_unadjusted_limits():
    r = funnel(frame(O20, E20), "o", "e", "unit", overdispersion=False)
    assert not r.overdispersed and r.phi > 1  # still reported
    assert (r.table["ucl998"] == r.table["ucl998_unadj"]).all()


def test_limits_curve_and_multiplier():
    r1 = funnel(frame(O20, E20), "o", "e", "unit", data_type="RC")
    r100 = funnel(frame(O20, E20), "o", "e", "unit", data_type="RC", multiplier=100)
    grid = [10, 100, 1000]
    a, b = r1.limits(grid), r100.limits(grid)
    np.testing.assert_allclose(b["ucl998"], 100 * a["ucl998"], rtol=1e-14)
    np.testing.assert_allclose(r100.table["value"], 100 * r1.table["value"])
    assert list(r1.limits().columns[:2]) == ["denominator", "target"]
    assert (np.diff(a["ucl95"]) < 0).all()  # the funnel narrows


def test_custom_levels():
    r = funnel(frame(O20, E20), "o", "e", "unit", limits=(90, 99))
    assert {"lcl90", "ucl99", "flag99"} <= set(r.table.columns)
    assert (r.table["ucl99"] > r.table["ucl90"]).all()


# ---- exact binomial limits -------------------------------------------------------------------
def test_exact_binomial_limits_interpolate_spiegelhalter():
    from scipy import stats

    d = frame([3, 10, 25, 40], [20, 60, 100, 200])
    r = funnel(d, "o", "e", "unit", data_type="PR", pr_limits="exact", overdispersion=False)
    p0 = r.target
    for row in r.table.itertuples():
        n = int(row.denominator)
        for p, col in ((0.001, "lcl998_unadj"), (0.999, "ucl998_unadj")):
            # smallest r with P(R <= r) >= p, by scanning (independent of binom.ppf)
            cdf = stats.binom.cdf(np.arange(n + 1), n, p0)
            r_p = int(np.argmax(cdf >= p))
            below = cdf[r_p - 1] if r_p > 0 else 0.0
            alpha = (cdf[r_p] - p) / (cdf[r_p] - below)
            expected = max(0.0, (r_p - alpha) / n)  # r_p = 0 can give a negative value
            assert getattr(row, col) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    with pytest.raises(SpecError, match="whole-number"):
        funnel(frame([1, 2], [5.5, 8]), "o", "e", "unit", data_type="PR", pr_limits="exact")


def test_json_is_strict_and_groups_plain():
    """Infinite z-scores (SHMI, 0 events) and NaN phi become null; int groups stay ints."""
    import json

    d = pd.DataFrame({"g": [1, 2, 3, 4], "o": [0, 5, 9, 12], "e": [3.0, 6.0, 8.0, 11.0]})
    out = json.loads(
        json.dumps(funnel(d, "o", "e", "g", overdispersion=False).to_dict(), allow_nan=False)
    )
    assert out["phi"] is None and out["overdispersed"] is False
    assert out["units"][0]["group"] == 1 and out["units"][0]["z"] is None
    assert out["units"][0]["flag95"] == "lower"
