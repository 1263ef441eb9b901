"""Attack suite (issue 14): invert published statistics over candidate hidden counts.

An attacker who holds every regional report knows each indicator's total (the public
figure), every shown count and, generously, everything about a hidden unit except its count.
They enumerate the hidden counts from 1 to 9 that add up to the total and keep those that
reproduce the published phi, tau², target, funnel limits and trend centre lines. A test fails
when any hidden count is pinned to one value.

The data are built to contain small cells: the 3,000-birth synthetic set has regions of a
few dozen births, so most indicators hide several regional counts.
"""

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.report.build import _refit_shown, shown_only
from saz_geboortezorg.report.charts import quarterly_p_chart
from saz_geboortezorg.report.protect import protect

LIMIT_COLUMNS = ["lcl95", "ucl95", "lcl998", "ucl998"]


@pytest.fixture(scope="module")
def analysis(small_analysis):
    return small_analysis


@pytest.fixture(scope="module")
def published(analysis):
    return shown_only(protect(analysis, threshold=10))


def _hidden_counts(analysis, shared, ind):
    """{unit: true count} for the units whose count of ``ind`` is hidden (1-9 only)."""
    b, h = shared.benchmark, shared.hidden["benchmark"]
    rows = (b["indicator"] == ind).to_numpy() & h["observed"].to_numpy()
    full = analysis.benchmark.table
    full = full[full["indicator"] == ind].set_index("unit")["observed"]
    out = {str(u): int(full.loc[u]) for u in b.loc[rows, "unit"]}
    return {u: c for u, c in out.items() if 1 <= c <= 9}


def _with_counts(result, counts):
    """The all-unit funnel input with hidden counts replaced (numerator scaled per unit:
    the attacker is granted each unit's expected count and variance, only the count unknown).
    """
    t = result.table.copy()
    for unit, (true, new) in counts.items():
        i = t.index[t["group"].astype(str) == unit]
        t.loc[i, "numerator"] = t.loc[i, "numerator"] * new / true
    return dataclasses.replace(result, table=t)


def _stats(result):
    return np.array([result.phi, result.tau2, result.target]), result.table[LIMIT_COLUMNS]


def _candidates(true):
    """Every assignment of 1-9 to the hidden units adding up to the true total."""
    units = list(true)
    total = sum(true.values())
    for combo in itertools.product(range(1, 10), repeat=len(units)):
        if sum(combo) == total:
            yield dict(zip(units, combo, strict=True))


def _pinned(fits, units):
    """Units whose value is the same in every fitting candidate."""
    return [u for u in units if len({c[u] for c in fits}) == 1]


def test_the_data_has_small_hidden_cells(analysis, published):
    hidden = {ind: _hidden_counts(analysis, published, ind) for ind in published.funnels}
    assert sum(len(h) for h in hidden.values()) >= 30
    assert sum(2 <= len(h) <= 4 for h in hidden.values()) >= 5


def test_phi_tau2_of_all_units_pin_hidden_counts(analysis, published):
    """The leak the fix closes: fitted on every unit, phi and tau² single out the counts."""
    pinned = {}
    for ind in published.funnels:
        true = _hidden_counts(analysis, published, ind)
        if not 2 <= len(true) <= 4:
            continue
        full = analysis.benchmark.funnels[ind]
        target, _ = _stats(full)
        fits = []
        for cand in _candidates(true):
            refit = _refit_shown(_with_counts(full, {u: (true[u], cand[u]) for u in true}))
            if np.allclose(_stats(refit)[0], target, rtol=1e-8, atol=1e-12):
                fits.append(cand)
        assert true in fits  # the attack keeps the truth
        pinned[ind] = _pinned(fits, list(true))
    # on this data one candidate fits on each of the 10 enumerable indicators (4 to 456
    # candidates): every hidden count there is pinned
    assert (
        sum(len(v) == len(_hidden_counts(analysis, published, k)) for k, v in pinned.items()) >= 5
    )


def test_published_funnel_statistics_do_not_depend_on_hidden_counts(analysis, published):
    """Every candidate reproduces the published phi, tau², target and limits: none pinned."""
    rng = np.random.default_rng(14)
    checked = 0
    for _ in range(2):
        funnels, changed = {}, {}
        for ind, full in analysis.benchmark.funnels.items():
            true = _hidden_counts(analysis, published, ind)
            new = {u: (c, int(rng.integers(1, 10))) for u, c in true.items()}
            changed[ind] = any(a != b for a, b in new.values())
            funnels[ind] = _with_counts(full, new)
        bench = dataclasses.replace(analysis.benchmark, funnels=funnels)
        attacked = shown_only(protect(dataclasses.replace(analysis, benchmark=bench)))
        assert set(attacked.funnels) == set(published.funnels)
        for ind, result in published.funnels.items():
            if not changed[ind]:
                continue
            stats, limits = _stats(result)
            stats2, limits2 = _stats(attacked.funnels[ind])
            np.testing.assert_array_equal(stats, stats2, err_msg=ind)
            pd.testing.assert_frame_equal(limits, limits2, obj=ind)
            checked += 1
    assert checked >= 10


def test_published_funnels_are_fitted_on_shown_units_only(analysis, published):
    """Independent of the hiding: the published units are exactly those with a shown count,
    and an indicator with nothing hidden keeps the all-unit fit unchanged."""
    b, h = published.benchmark, published.hidden["benchmark"]
    for ind, result in published.funnels.items():
        rows = (b["indicator"] == ind).to_numpy()
        shown = set(b.loc[rows & ~h["observed"].to_numpy(), "unit"].astype(str))
        assert set(result.table["group"].astype(str)) <= shown
        if not h.loc[rows, "observed"].any():
            full = analysis.benchmark.funnels[ind]
            assert result.phi == pytest.approx(full.phi, rel=1e-12)
            assert result.tau2 == pytest.approx(full.tau2, rel=1e-12, abs=1e-15)


def test_trend_centre_lines_of_units_with_hidden_counts_are_left_out(analysis, published):
    """centre × n is the unit's total: left out (with the limits and signals) wherever a
    quarterly count of that unit is hidden; elsewhere it is the unit's own all-quarter rate."""
    tr, hid = published.trends, published.hidden["trends"]
    any_hidden = hid[["n", "events"]].any(axis=1).to_numpy()
    touched = set(zip(tr.loc[any_hidden, "indicator"], tr.loc[any_hidden, "unit"], strict=True))
    assert touched
    leaks = []
    for (ind, unit), part in tr.groupby(["indicator", "unit"]):
        if (ind, unit) in touched:
            if part[["centre", "lcl", "ucl", "false_alarm"]].notna().any(axis=None):
                leaks.append((ind, unit))
            assert not part["signal"].any()
        else:
            centre = part["events"].sum() / part["n"].sum()
            assert part["centre"].to_numpy() == pytest.approx(centre, rel=1e-9)
    assert not leaks
    # the unprotected centre line does give the hidden total away (the attack is real)
    raw = analysis.trends
    ind, unit = sorted(touched)[0]
    part = raw[(raw["indicator"] == ind) & (raw["unit"] == unit)]
    assert round(part["centre"].iloc[0] * part["n"].sum()) == part["events"].sum()


def test_trend_charts_carry_no_centre_line_for_hidden_units(published):
    from saz_geboortezorg.report.analysis import TREND_INDICATORS

    tr, hid = published.trends, published.hidden["trends"]
    any_hidden = hid[["n", "events"]].any(axis=1).to_numpy()
    touched = set(zip(tr.loc[any_hidden, "indicator"], tr.loc[any_hidden, "unit"], strict=True))
    seen = 0
    for ind in TREND_INDICATORS:
        spec = quarterly_p_chart(tr, ind, ind).to_dict(validate=False)
        rows = [r for values in spec.get("datasets", {}).values() for r in values]
        for r in rows:
            if (ind, r.get("unit")) in touched:
                seen += 1
                for col in ("centre", "lcl", "ucl"):
                    v = r.get(col)
                    assert v is None or not np.isfinite(v), (ind, r.get("unit"), col)
    assert seen > 0
