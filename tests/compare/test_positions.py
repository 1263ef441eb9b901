"""Crude against adjusted positions: ranks and funnel flags checked by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.positions import crude_vs_adjusted, funnel_status
from saz_geboortezorg.errors import SpecError

Z95, Z998 = 1.959964, 3.090232


@pytest.fixture
def units() -> pd.DataFrame:
    # Crude rates 10, 15, 20, 25, 30, 18%; O/E 1, 1, 0.8, 1, 1.5, 1.
    return pd.DataFrame(
        {
            "unit": ["F", "B", "C", "D", "E", "A"],  # not sorted: the result is
            "n": [1000, 1000, 1000, 1000, 1000, 1000],
            "observed": [180, 150, 200, 250, 300, 100],
            "expected": [180.0, 150.0, 250.0, 250.0, 200.0, 100.0],
        }
    )


def _status(z: np.ndarray) -> list[str]:
    out = []
    for v in z:
        side = "higher" if v > 0 else "lower"
        out.append(
            f"{side} (99.8%)" if abs(v) > Z998 else f"{side} (95%)" if abs(v) > Z95 else "within"
        )
    return out


def test_ranks_and_flags_without_overdispersion(units):
    p = crude_vs_adjusted(units, overdispersion=False)
    t = p.table
    assert t["unit"].tolist() == list("ABCDEF")
    # ranks by hand: crude 10 < 15 < 18 < 20 < 25 < 30; O/E 0.8 < 1 (four ties) < 1.5
    assert t["crude_rank"].tolist() == [1, 2, 4, 5, 6, 3]
    assert t["adjusted_rank"].tolist() == [2, 2, 1, 2, 6, 2]
    assert t["rank_change"].tolist() == [1, 0, -3, -3, 0, -1]
    assert p.overall_rate == pytest.approx(1180 / 6000)
    # crude: arcsine z-scores, 2 sqrt(n) (asin sqrt p - asin sqrt p0)
    rate = np.array([0.10, 0.15, 0.20, 0.25, 0.30, 0.18])
    z_crude = 2 * np.sqrt(1000) * (np.arcsin(np.sqrt(rate)) - np.arcsin(np.sqrt(1180 / 6000)))
    assert t["crude_status"].tolist() == _status(z_crude)
    # adjusted (SHMI): log(O/E) / (1 / sqrt(E))
    oe = np.array([1, 1, 0.8, 1, 1.5, 1])
    e = np.array([100, 150, 250, 250, 200, 180])
    z_adj = np.log(oe) * np.sqrt(e)
    assert t["adjusted_status"].tolist() == _status(z_adj)
    assert t["adjusted_status"].tolist() == [
        "within",
        "within",
        "lower (99.8%)",
        "within",
        "higher (99.8%)",
        "within",
    ]
    assert t["status_changed"].tolist() == [True, True, True, True, False, False]
    assert t["standardised_rate"].tolist() == pytest.approx(oe * 1180 / 6000)
    assert t["shrunken_rank"].isna().all()


def test_overdispersion_widens_both_funnels(units):
    narrow = crude_vs_adjusted(units, overdispersion=False)
    wide = crude_vs_adjusted(units, overdispersion=True)
    assert wide.crude_funnel.overdispersed and wide.adjusted_funnel.overdispersed
    outside = lambda t, c: int((t[c] != "within").sum())  # noqa: E731
    for column in ("crude_status", "adjusted_status"):
        assert outside(wide.table, column) <= outside(narrow.table, column)
    # the unit at the target stays within whatever the limits
    assert wide.table.set_index("unit").loc["F", "crude_status"] == "within"


def test_funnel_status_takes_the_widest_limit():
    table = pd.DataFrame(
        {
            "group": ["a", "b", "c", "d"],
            "flag95": ["higher", "lower", "within", "higher"],
            "flag998": ["higher", "within", "within", "within"],
        }
    )
    result = SimpleNamespace(table=table, levels=(95.0, 99.8))
    assert funnel_status(result).tolist() == [
        "higher (99.8%)",
        "lower (95%)",
        "within",
        "higher (95%)",
    ]


def test_with_a_casemix_result(dataset):
    import saz_geboortezorg as sg

    res = sg.casemix(dataset, "caesarean", unit="region")
    p = crude_vs_adjusted(res)
    t = p.table.set_index("unit")
    ref = res.table.assign(unit=res.table["unit"].astype(str)).set_index("unit")
    assert t["oe"].to_numpy() == pytest.approx((ref["observed"] / ref["expected"]).loc[t.index])
    assert t["crude_rate"].to_numpy() == pytest.approx(ref["crude_rate"].loc[t.index])
    re = res.random_effects.table.assign(unit=res.random_effects.table["unit"].astype(str))
    assert t["shrunken_rank"].to_numpy() == pytest.approx(
        re.set_index("unit")["expected_rank"].loc[t.index]
    )
    assert p.crude_funnel.target == pytest.approx(ref["observed"].sum() / ref["n"].sum())
    assert sorted(t["adjusted_rank"]) == sorted(ref["oe"].rank(method="min").astype(int))


def test_refuses_costs_and_bad_tables(units):
    with pytest.raises(SpecError, match="binomial"):
        crude_vs_adjusted(SimpleNamespace(family="gamma", table=units))
    with pytest.raises(SpecError, match="expected"):
        crude_vs_adjusted(units.drop(columns="expected"))
    with pytest.raises(SpecError, match="C"):
        crude_vs_adjusted(units.assign(expected=np.where(units["unit"] == "C", 0.0, 1.0)))
