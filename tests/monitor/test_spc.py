"""Run chart and p-chart: limits by hand and each signal rule on constructed data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.spc import p_chart, run_chart


def test_p_chart_limits_by_hand():
    ev, n = [2, 5, 3, 10], [50, 100, 80, 40]
    pc = p_chart(ev, n)
    pbar = 20 / 270
    for i, ni in enumerate(n):
        se = math.sqrt(pbar * (1 - pbar) / ni)
        assert pc.centre[i] == pytest.approx(pbar)
        assert pc.ucl[i] == pytest.approx(pbar + 3 * se)
        assert pc.lcl[i] == pytest.approx(max(0.0, pbar - 3 * se))
    # period 4: 10/40 = 0.25; ucl = 0.0741 + 3*0.0414 = 0.198 -> rule 1
    assert pc.rules.tolist() == ["", "", "", "1"]
    assert pc.lcl.iloc[3] == 0.0 or pc.lcl.iloc[3] > 0


def test_baseline_centre():
    pc = p_chart([10, 10, 40], [100, 100, 100], baseline=[True, True, False])
    assert pc.centre[0] == pytest.approx(0.1)
    assert pc.signal.tolist() == [False, False, True]


def _events_for(z, p=0.1, n=10_000):
    se = math.sqrt(p * (1 - p) / n)
    return [n * (p + zi * se) for zi in z], [n] * len(z)


def _chart(z, rules=None):
    # first 20 points at z = 0 fix the centre line at p = 0.1 exactly
    ev, n = _events_for([0.0] * 20 + list(z))
    extra = {} if rules is None else {"rules": rules}
    pc = p_chart(ev, n, baseline=[True] * 20 + [False] * len(z), **extra)
    return pc.rules.tolist()[20:]


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
    pts, s = run_chart(v, shift_length=8, baseline=[True] * 5 + [False] * 11)
    assert s["median"] == 5
    # eight 6's with a point on the median (5) in between: a shift
    assert pts["shift"].tolist() == [False] * 5 + [True] * 3 + [False] + [True] * 5 + [False] * 2
    pts, s = run_chart(v, shift_length=9, baseline=[True] * 5 + [False] * 11)
    assert not s["shift"]


def test_run_chart_trend_ties_ignored():
    pts, s = run_chart([1, 2, 2, 3, 4, 5, 1, 1, 1], trend_length=5)
    assert pts["trend"].tolist() == [True] * 6 + [False] * 3
    pts, s = run_chart([1, 2, 2, 3, 4, 1, 1, 1], trend_length=5)
    assert not s["trend"]


def test_runs_limits():
    # 20 useful points; crossings ~ Binomial(19, 1/2); 5% lower quantile is 6
    # (P(X <= 5) = 0.0318, P(X <= 6) = 0.0835), upper 13 (P(X >= 14) = 0.0318).
    alternating = [1, 2] * 10
    _, s = run_chart(alternating)
    assert s["runs"] == 20 and s["runs_lower"] == 7 and s["runs_upper"] == 14
    assert s["too_many_runs"] and not s["too_few_runs"]
    blocks = [1] * 5 + [2] * 5 + [1] * 5 + [2] * 5  # 3 crossings, 4 runs
    _, s = run_chart(blocks)
    assert s["runs"] == 4 and s["too_few_runs"]


def test_p_chart_false_alarm_rate_rule_1():
    """In control, rule 1 flags about 0.27% of points (normal approximation, large n)."""
    rng = np.random.default_rng(5)
    n = np.full(20_000, 2_000)
    ev = rng.binomial(n, 0.2)
    pc = p_chart(ev, n, rules=["1"])
    assert 0.0015 < pc.signal.mean() < 0.0045
