"""Run chart and p-chart: limits by hand and each signal rule on constructed data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.spc import (
    RUN_CHART_LIMITS,
    family_false_alarm,
    p_chart,
    p_chart_false_alarm,
    run_chart,
    run_chart_false_alarm,
    run_limits,
)


def test_p_chart_limits_by_hand():
    ev, n = [2, 5, 3, 10], [50, 100, 80, 40]
    chart = p_chart(ev, n)
    pc = chart.table
    pbar = 20 / 270
    assert chart.centre == pytest.approx(pbar) and chart.baseline_periods == 4
    for i, ni in enumerate(n):
        se = math.sqrt(pbar * (1 - pbar) / ni)
        assert pc.centre[i] == pytest.approx(pbar)
        assert pc.ucl[i] == pytest.approx(pbar + 3 * se)
        assert pc.lcl[i] == pytest.approx(max(0.0, pbar - 3 * se))
    # period 4: 10/40 = 0.25; ucl = 0.0741 + 3*0.0414 = 0.198 -> rule 1
    assert pc.rules.tolist() == ["", "", "", "1"]
    assert pc.lcl.iloc[3] == 0.0 or pc.lcl.iloc[3] > 0


def test_baseline_centre():
    chart = p_chart([10, 10, 40], [100, 100, 100], baseline=[True, True, False])
    pc = chart.table
    assert pc.centre[0] == pytest.approx(0.1) == chart.centre
    assert chart.baseline_periods == 2 and chart.signals == 1
    assert pc.signal.tolist() == [False, False, True]


def _events_for(z, p=0.1, n=10_000):
    se = math.sqrt(p * (1 - p) / n)
    return [n * (p + zi * se) for zi in z], [n] * len(z)


def _chart(z, rules=None):
    # first 20 points at z = 0 fix the centre line at p = 0.1 exactly
    ev, n = _events_for([0.0] * 20 + list(z))
    extra = {} if rules is None else {"rules": rules}
    pc = p_chart(ev, n, baseline=[True] * 20 + [False] * len(z), **extra)
    return pc.table.rules.tolist()[20:]


def test_rule_2_two_of_three_beyond_2_sigma():
    assert _chart([2.5, 0.5, 2.2, 0.0], rules=["2"]) == ["2", "", "2", ""]
    assert _chart([2.5, 0.5, 0.5, 2.2], rules=["2"]) == ["", "", "", ""]
    assert _chart([2.5, -2.5, 0.0], rules=["2"]) == ["", "", ""]  # opposite sides


def test_rule_3_four_of_five_beyond_1_sigma():
    assert _chart([-1.5, -1.2, 0.0, -1.1, -1.3], rules=["3"]) == ["3", "3", "", "3", "3"]
    assert _chart([-1.5, -1.2, 0.0, 0.0, -1.3], rules=["3"]) == [""] * 5


def test_rule_4_eight_on_one_side():
    assert _chart([0.3] * 8, rules=["4"]) == ["4"] * 8
    assert _chart([0.3] * 7 + [-0.3], rules=["4"]) == [""] * 8


def test_rule_5_trend_of_six():
    z = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0, 0.0]
    assert _chart(z, rules=["5"]) == ["5"] * 6 + [""]
    assert _chart(z[1:], rules=["5"]) == [""] * 6


def test_default_rules_are_western_electric():
    assert _chart([-0.3] * 6 + [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])[-1] == ""  # no rule 5
    assert _chart([3.5])[0] == "1"


def test_p_chart_errors():
    with pytest.raises(SpecError, match="rule"):
        p_chart([1], [10], rules=["9"])
    with pytest.raises(SpecError):
        p_chart([1, 2], [10])


def test_run_chart_shift_skips_points_on_median():
    v = [5, 5, 5, 5, 5] + [6, 6, 6, 5, 6, 6, 6, 6, 6] + [4, 4]
    s = run_chart(v, shift_length=8, baseline=[True] * 5 + [False] * 11)
    pts = s.table
    assert s.median == 5
    # eight 6's with a point on the median (5) in between: a shift
    assert pts["shift"].tolist() == [False] * 5 + [True] * 3 + [False] + [True] * 5 + [False] * 2
    s = run_chart(v, shift_length=9, baseline=[True] * 5 + [False] * 11)
    pts = s.table
    assert not s.shift


def test_run_chart_trend_ties_ignored():
    s = run_chart([1, 2, 2, 3, 4, 5, 1, 1, 1], trend=True, trend_length=5)
    pts = s.table
    assert pts["trend"].tolist() == [True] * 6 + [False] * 3
    s = run_chart([1, 2, 2, 3, 4, 1, 1, 1], trend=True, trend_length=5)
    pts = s.table
    assert not s.trend


def test_trend_rule_is_off_by_default():
    rising = list(range(1, 13))
    s = run_chart(rising)
    pts = s.table
    assert not s.trend_rule and not s.trend and not pts["trend"].any()
    assert "trend" not in s.rules
    s = run_chart(rising, trend=True)
    assert s.trend_rule and s.trend and "trend" in s.rules


def _crossing_limit(n):
    """qbinom(0.05, n - 1, 0.5) from the binomial probabilities summed by hand."""
    total, x = 0.0, 0
    while True:
        total += math.comb(n - 1, x) / 2 ** (n - 1)
        if total >= 0.05 - 1e-12:
            return x
        x += 1


def test_anhoej_limits_table():
    from scipy.stats import binom

    assert sorted(RUN_CHART_LIMITS) == list(range(10, 41))
    for n, (longest, crossings) in RUN_CHART_LIMITS.items():
        assert longest == math.floor(math.log2(n) + 3 + 0.5)
        assert crossings == _crossing_limit(n) == int(binom.ppf(0.05, n - 1, 0.5))
        assert run_limits(n) == (longest, crossings)
    # Published: qicharts2 output (n.useful, longest.run.max, n.crossings.min):
    # (24, 8, 8), (23, 8, 7), (43, 8, 16); a published longest-run table: 6 for n = 10-11,
    # 7 for 12-22, 8 for 23-40; Anhøj: with 13 points, fewer than 3 crossings signal.
    assert RUN_CHART_LIMITS[24] == (8, 8) and RUN_CHART_LIMITS[23] == (8, 7)
    assert run_limits(43) == (8, 16)
    assert RUN_CHART_LIMITS[13][1] == 3
    assert [RUN_CHART_LIMITS[n][0] for n in range(10, 41)] == [6] * 2 + [7] * 11 + [8] * 18
    # n = 36: a run of 9 or more, or 12 or fewer crossings (P(X <= 12) = 0.045 for
    # Binomial(35, 1/2); P(X <= 13) = 0.088), signal.
    assert RUN_CHART_LIMITS[36] == (8, 13)


def _series(sides):
    """Values 1 (below) / 3 (above); with 18 of each the median is 2."""
    return [3.0 if x > 0 else 1.0 for x in sides]


def test_anhoej_shift_rule_on_36_points():
    nine = [1] * 9 + [-1] * 9 + [1, -1] * 9  # a run of 9 above, 9 below, then alternating
    s = run_chart(_series(nine))
    pts = s.table
    assert s.useful == 36 and s.longest_run == 9 and s.longest_run_limit == 8
    assert s.shift and s.signal and not s.too_few_crossings
    assert pts["shift"].tolist() == [True] * 18 + [False] * 18
    eight = [1] * 8 + [-1] * 8 + [1, -1] * 10
    s = run_chart(_series(eight))
    assert s.longest_run == 8 and not s.shift and not s.signal


def test_anhoej_crossings_rule_on_36_points():
    twelve = [1, 1, 1, -1, -1, -1] * 5 + [1, 1, -1, -1, -1, 1]  # 13 runs
    s = run_chart(_series(twelve))
    assert s.useful == 36 and s.crossings == 12 and s.crossings_limit == 13
    assert s.too_few_crossings and s.signal and not s.shift
    thirteen = [1, 1, 1, -1, -1, -1] * 5 + [1, 1, -1, 1, -1, -1]  # 14 runs
    s = run_chart(_series(thirteen))
    assert s.crossings == 13 and not s.too_few_crossings and not s.signal


def test_runs_count_skips_points_on_the_median():
    blocks = [1] * 5 + [2] * 5 + [1] * 5 + [2] * 5  # 3 crossings, 4 runs
    s = run_chart(blocks)
    assert s.runs == 4 and s.crossings == 3 and s.too_few_crossings
    assert s.crossings_limit == 6  # n = 20: P(X <= 5) = 0.0318, P(X <= 6) = 0.0835
    s = run_chart([1, 2, 1.5, 1, 2], baseline=[True, True, True, False, False])
    assert s.useful == 4 and s.crossings == 3  # the 1.5 on the median is skipped


def test_run_chart_false_alarm_by_simulation():
    """In-control 36-point series: the Anhøj rules signal on about 4% (<= 10%); the old
    rules (8 in a row, two-sided runs test, trend of 5) far more often."""
    from scipy.stats import binom

    rng = np.random.default_rng(2024)
    reps, n = 2000, 36
    new = shift = crossings = trend = old_runs = old_shift = 0
    lo, hi = int(binom.ppf(0.05, n - 1, 0.5)), int(binom.isf(0.05, n - 1, 0.5))
    for _ in range(reps):
        x = rng.standard_normal(n)
        s = run_chart(x, trend=True)
        new += s.shift or s.too_few_crossings
        shift += s.shift
        crossings += s.too_few_crossings
        trend += s.trend
        # the old rules, written out here: a run of 8 or more, too few OR too many runs
        side = np.sign(x - np.median(x))
        c = int((side[1:] != side[:-1]).sum())
        old_runs += c < lo or c > hi
        lengths = np.diff(np.flatnonzero(np.diff(np.r_[0, side, 0]) != 0))
        old_shift += lengths.max() >= 8
    rate = new / reps
    print(
        f"36 points, {reps} series: Anhoej {rate:.3f} (shift {shift / reps:.3f}, crossings "
        f"{crossings / reps:.3f}); old: trend {trend / reps:.3f}, two-sided runs "
        f"{old_runs / reps:.3f}, 8 in a row {old_shift / reps:.3f}"
    )
    assert 0.02 < rate <= 0.10
    assert shift / reps < 0.04 and crossings / reps < 0.05
    assert 0.33 < trend / reps < 0.43  # the trend rule alone: about 38%
    assert 0.06 < old_runs / reps < 0.12  # the old two-sided runs test: about 9%
    assert 0.035 < old_shift / reps < 0.07  # 8 in a row: about 5%
    # the library's vectorised simulation agrees (independent streams, within 4 SE)
    lib = run_chart_false_alarm(n, n_sim=20_000, seed=7)
    se = math.sqrt(rate * (1 - rate) / reps)
    assert abs(lib["any"] - rate) < 4 * se
    assert abs(lib["trend"] - trend / reps) < 0.045
    with_trend = run_chart_false_alarm(n, trend=True, n_sim=20_000, seed=7)
    assert with_trend["any"] > 0.35 and lib["any"] < 0.10


def test_laney_p_prime_by_hand():
    ev, n = [500, 600, 430, 530, 620], [10_000, 10_000, 10_000, 10_000, 12_000]
    pbar = sum(ev) / sum(n)
    se = [math.sqrt(pbar * (1 - pbar) / ni) for ni in n]
    z = [(e / ni - pbar) / s for e, ni, s in zip(ev, n, se, strict=True)]
    mr = [abs(z[i] - z[i - 1]) for i in range(1, len(z))]
    sigma_z = sum(mr) / len(mr) / 1.128
    chart = p_chart(ev, n, laney=True)
    pc = chart.table
    assert pc["sigma_z"].iloc[0] == pytest.approx(sigma_z) == chart.sigma_z
    for i in range(len(ev)):
        assert pc.ucl[i] == pytest.approx(pbar + 3 * se[i] * sigma_z)
        assert pc.lcl[i] == pytest.approx(pbar - 3 * se[i] * sigma_z)
        assert pc.z[i] == pytest.approx(z[i] / sigma_z)
    assert "Laney" in chart.method and chart.laney
    # The binomial chart flags points that the Laney chart, with sigma_z > 2, does not.
    plain = p_chart(ev, n)
    assert plain.table.signal.any() and not pc.signal.any()
    assert plain.table["sigma_z"].eq(1.0).all() and "binomial" in plain.method
    assert plain.sigma_z == 1.0 and not plain.laney


def test_laney_with_a_baseline_uses_baseline_moving_ranges():
    ev, n = [50, 60, 40, 200], [1000] * 4
    pc = p_chart(ev, n, laney=True, baseline=[True, True, True, False]).table
    pbar = 150 / 3000
    se = math.sqrt(pbar * (1 - pbar) / 1000)
    z = [(e / 1000 - pbar) / se for e in ev[:3]]
    sigma_z = (abs(z[1] - z[0]) + abs(z[2] - z[1])) / 2 / 1.128
    assert pc["sigma_z"].iloc[0] == pytest.approx(sigma_z)
    assert pc.rules.iloc[3] == "1"
    with pytest.raises(SpecError, match="two baseline"):
        p_chart(ev, n, laney=True, baseline=[True, False, False, False])


def test_p_chart_false_alarm_agrees_with_charts_drawn_one_by_one():
    rng = np.random.default_rng(11)
    n = np.array([400, 500, 450, 600, 550, 500, 480, 520, 610, 390, 500, 450])
    reps = 1500
    for laney in (False, True):
        hits = 0
        for _ in range(reps):
            ev = rng.binomial(n, 0.15)
            hits += p_chart(ev, n, laney=laney).table.signal.any()
        direct = hits / reps
        sim = p_chart_false_alarm(n, 0.15, laney=laney, n_sim=20_000, seed=3)
        se = math.sqrt(direct * (1 - direct) / reps)
        assert abs(sim - direct) < 4 * se + 0.005, (laney, sim, direct)
    # Rule 1 alone on 36 in-control periods: about 1 - (1 - 0.0027)^36 = 9%, a bit less
    # because the centre line comes from the same points.
    a = p_chart_false_alarm([2000] * 36, 0.2, rules=["1"], n_sim=20_000, seed=4)
    assert 0.06 < a < 0.10
    assert p_chart_false_alarm([2000] * 36, 0.2, n_sim=20_000, seed=4) > 0.15  # rules 1-4


def test_family_false_alarm():
    assert family_false_alarm(0.05, 17) == pytest.approx(1 - 0.95**17)
    assert family_false_alarm([0.1, 0.2, 0.3]) == pytest.approx(1 - 0.9 * 0.8 * 0.7)
    assert family_false_alarm(0.05, 0) == 0.0
    with pytest.raises(SpecError):
        family_false_alarm([0.1, float("nan")])
    with pytest.raises(SpecError):
        family_false_alarm(1.5, 3)


def test_p_chart_false_alarm_rate_rule_1():
    """In control, rule 1 flags about 0.27% of points (normal approximation, large n)."""
    rng = np.random.default_rng(5)
    n = np.full(20_000, 2_000)
    ev = rng.binomial(n, 0.2)
    pc = p_chart(ev, n, rules=["1"]).table
    assert 0.0015 < pc.signal.mean() < 0.0045


def test_run_chart_tuple_unpacking_still_works_with_a_warning():
    """``points, summary = run_chart(...)`` (the former return value) for one release."""
    from saz_geboortezorg.deprecation import SazDeprecationWarning

    result = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    with pytest.warns(SazDeprecationWarning, match="unpacking"):
        points, summary = result
    assert points is result.table
    assert list(summary) == [
        "median", "useful", "longest_run", "longest_run_limit", "crossings",
        "crossings_limit", "runs", "shift", "too_few_crossings", "trend", "trend_rule",
        "signal", "rules",
    ]  # fmt: skip
    assert summary["median"] == 6.5 and summary["too_few_crossings"] is True


def test_periods_become_a_column():
    months = ["2022-01-01", "2022-02-01", "2022-03-01"]
    rc = run_chart([1.0, 2.0, 3.0], periods=months)
    assert rc.table.columns[0] == "period" and rc.table.period.dt.month.tolist() == [1, 2, 3]
    pc = p_chart([1, 2, 3], [10, 10, 10], periods=months)
    assert list(pc.table.columns[:3]) == ["period", "n", "events"]
    with pytest.raises(SpecError, match="periods"):
        run_chart([1.0, 2.0], periods=months)


def test_simulated_signals_match_the_rules_chart_by_chart():
    """The vectorised check of the simulation (every chart at once) flags exactly the
    charts the one-chart rules flag, rule by rule and together, missing points included."""
    from saz_geboortezorg.monitor.spc import _any_signal, _rule_flags

    rng = np.random.default_rng(5)
    z = rng.normal(0, 1.6, size=(600, 14))
    z[rng.random(z.shape) < 0.05] = np.nan
    z[:40, 3:11] = np.abs(z[:40, 3:11]) + 0.1  # some runs of 8 on one side
    rate = 0.2 + 0.01 * np.nan_to_num(z)
    for rules in (("1",), ("2",), ("3",), ("4",), ("5",), ("1", "2", "3", "4", "5")):
        hits = _any_signal(z, rate, rules, 3.0)
        by_chart = [
            any(f.any() for f in _rule_flags(z[i], rate[i], rules, 3.0).values())
            for i in range(len(z))
        ]
        assert hits.tolist() == by_chart, rules
        assert 0 < hits.sum() < len(z), rules  # the data exercise both outcomes
