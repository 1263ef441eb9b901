"""Indicator per unit x group and indicators as flags (hand-made tables)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.subgroups import group_rates, indicator_flag
from saz_geboortezorg.derive.tables import add_derived
from saz_geboortezorg.errors import SpecError


def _women() -> pd.DataFrame:
    """Five women by hand with their derived columns (cs from the mode), as sg.load."""
    women = pd.DataFrame(
        {
            "pregnancy_id": ["p1", "p2", "p3", "p4", "p5"],
            "region_id": ["R1", "R1", "R1", "R2", "R2"],
            "ses_quintile": ["1", "1", "5", "1", None],
            "ga_days": [280, 280, 280, 280, 150],
            "mode": ["prelabour_cs", "spontaneous", "intrapartum_cs", "unknown", "spontaneous"],
            "cs_indication": ["maternal_request", None, None, None, None],
        }
    )
    return add_derived(women)


def test_counts_per_unit_and_group():
    r = group_rates(_women(), "cs", by=["region", "ses_quintile"])
    assert list(r.columns[:4]) == ["indicator", "region", "ses_quintile", "measure"]
    got = r.set_index(["region", "ses_quintile"])[["denominator", "numerator"]]
    # R1/1: 2 women, 1 CS; R1/5: 1 of 1; R2/1: mode unknown (excluded);
    # R2/unknown: before 22 weeks (outside the population)
    assert got.loc[("R1", "1")].tolist() == [2, 1]
    assert got.loc[("R1", "5")].tolist() == [1, 1]
    assert got.loc[("R2", "1")].tolist() == [0, 0]
    assert got.loc[("R2", "unknown")].tolist() == [0, 0]
    assert r.loc[r["region"] == "R1", "rate"].tolist() == [50.0, 100.0]
    assert np.isnan(r.loc[r["region"] == "R2", "rate"]).all()


def test_wilson_interval_and_per_1000():
    r = group_rates(_women(), "cs_maternal_request", by="region")
    row = r[r["region"] == "R1"].iloc[0]
    # 1 of 3 per 1,000; Wilson 95% for 1/3 is 0.0615 to 0.7923
    assert row["rate"] == pytest.approx(1000 / 3)
    assert row["wilson_lcl"] == pytest.approx(61.5, abs=0.1)
    assert row["wilson_ucl"] == pytest.approx(792.3, abs=0.1)


def test_robson_groups_are_read_and_sorted():
    n = 12
    women = pd.DataFrame(
        {
            "parity": [0] * 6 + [1] * 6,
            "prev_cs": [0] * 12,
            "n_babies": [1] * 12,
            "presentation": ["cephalic"] * 12,
            "ga_days": [280] * 10 + [250] * 2,
            "onset": ["spontaneous", "induced"] * 6,
            "mode": ["spontaneous"] * n,
        }
    )
    with pytest.raises(SpecError, match=r"no column 'robson' \(a derived column: add it with sg"):
        group_rates(women, "cs", by="robson")
    r = group_rates(add_derived(women), "cs", by="robson")
    assert r["robson"].tolist() == ["1", "2a", "3", "4a", "10"]
    assert r["denominator"].tolist() == [3, 3, 2, 2, 2]


def test_errors():
    with pytest.raises(SpecError, match="no column"):
        group_rates(_women(), "cs", by=["hospital"])
    with pytest.raises(SpecError, match="mean"):
        group_rates(_women(), "cost_per_pregnancy", by="region")


def test_flag_on_women_and_copied_to_babies():
    women = _women()
    flag = indicator_flag(women, "cs_maternal_request")
    assert flag.tolist() == ["yes", "no", "no", "not in population", "not in population"]
    births = pd.DataFrame({"pregnancy_id": ["p1", "p1", "p2", "p9"]})
    data = SimpleNamespace(women=women, births=births)
    baby = indicator_flag(data, "cs_maternal_request", record="baby")
    assert baby.tolist() == ["yes", "yes", "no", "not in population"]
    with pytest.raises(SpecError):
        indicator_flag(women, "cs_maternal_request", record="baby")


def test_outcomes_by_flag_with_restriction_and_difference():
    from saz_geboortezorg.compare.subgroups import outcomes_by_flag

    women = pd.DataFrame(
        {
            "pregnancy_id": ["a", "b", "c", "d", "e", "f"],
            "n_babies": 1,
            "ga_days": [296, 296, 290, 290, 250, 296],
            "onset": [
                "spontaneous",
                "spontaneous",
                "induced",
                "spontaneous",
                "spontaneous",
                "induced",
            ],
            "blood_loss": [1500, 200, 1100, 300, 2000, 400],
        }
    )
    data = SimpleNamespace(women=women, births=women.assign(baby_no=1))
    # flag: >= 42+0 weeks without induction: a, b; others: c, d, e (preterm), f
    r = outcomes_by_flag(data, "post_term_no_induction", ["pph"], where="ga_days >= 287")
    assert r["flag"].tolist() == ["no", "yes"]
    assert r["denominator"].tolist() == [3, 2]  # e (preterm) is restricted away
    assert r["numerator"].tolist() == [1, 1]
    assert r.loc[1, "difference"] == pytest.approx(50 - 100 / 3)
    assert np.isnan(r.loc[0, "difference"])
