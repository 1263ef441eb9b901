"""Care flows: hand-made women with known paths, and flows that add up on synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.referrals import referral_funnel
from saz_geboortezorg.derive.flows import (
    CATEGORIES,
    STAGES,
    care_flows,
    flow_links,
    referral_rates,
    referral_reasons,
    stage_categories,
)
from saz_geboortezorg.errors import SpecError

NAN = np.nan

#: Ten women with paths written out by hand (see PATHS for what each one must give).
ROWS = [
    # id, region, practice, parity, start, ref_preg, preg_reason, onset, ref_lab, lab_reason,
    # place, mode, line_at_birth, ref_pp, pp_reason
    ("A", "R1", "P1", 0, 1, 0, None, "spontaneous", 1, "failure_to_progress",
     "hospital_obstetrician", "intrapartum_cs", 2, 0, None),
    ("B", "R1", "P1", 1, 1, 0, None, "spontaneous", 0, None,
     "home", "spontaneous", 1, 1, "postpartum_haemorrhage"),
    ("C", "R1", "P1", 0, 1, 1, "post_term", "induced", 0, None,
     "hospital_obstetrician", "vacuum", 2, 0, None),
    ("D", "R1", None, 2, 2, 0, None, "prelabour_cs", 0, None,
     "hospital_obstetrician", "prelabour_cs", 2, 0, None),
    ("E", "R2", "P2", 0, 1, 0, None, "spontaneous", 0, None,
     "hospital_midwife", "spontaneous", 1, 0, None),
    ("F", "R2", None, 1, 2, 0, None, "spontaneous", 0, None,
     "hospital_obstetrician", "forceps", 2, 0, None),
    ("G", "R2", "P2", 0, 1, 0, None, "spontaneous", 1, "pain_relief_request",
     "hospital_obstetrician", "spontaneous", 2, 0, None),
    ("H", "R2", None, 0, NAN, NAN, None, "unknown", NAN, None,
     None, "unknown", NAN, NAN, None),
    ("I", "R2", "P2", 1, 1, 0, None, "spontaneous", 0, None,
     "home", "spontaneous", 1, 0, None),
    ("J", "R1", "P1", 2, 1, 1, "growth_restriction", "spontaneous", 0, None,
     "hospital_obstetrician", "spontaneous", 2, 0, None),
]  # fmt: skip
COLUMNS = [
    "pregnancy_id", "region_id", "practice_id", "parity", "start_line", "referral_pregnancy",
    "referral_pregnancy_reason", "onset", "referral_labour", "referral_labour_reason",
    "actual_place", "mode", "line_at_birth", "referral_postpartum",
    "referral_postpartum_reason",
]  # fmt: skip

#: The expected category of each woman at each stage, derived by hand from ROWS.
PATHS = {
    "A": ("first_line", "first_line", "referred", "hospital_obstetrician", "intrapartum_cs",
          "second_line"),
    "B": ("first_line", "first_line", "first_line", "home", "spontaneous", "referred"),
    "C": ("first_line", "referred", "second_line_induced", "hospital_obstetrician",
          "instrumental", "second_line"),
    "D": ("second_line", "second_line", "no_labour", "hospital_obstetrician", "prelabour_cs",
          "second_line"),
    "E": ("first_line", "first_line", "first_line", "hospital_midwife", "spontaneous",
          "first_line"),
    "F": ("second_line", "second_line", "second_line_spontaneous", "hospital_obstetrician",
          "instrumental", "second_line"),
    "G": ("first_line", "first_line", "referred", "hospital_obstetrician", "spontaneous",
          "second_line"),
    "H": ("unknown",) * 6,
    "I": ("first_line", "first_line", "first_line", "home", "spontaneous", "first_line"),
    "J": ("first_line", "referred", "second_line_spontaneous", "hospital_obstetrician",
          "spontaneous", "second_line"),
}  # fmt: skip


@pytest.fixture
def women() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def test_every_woman_walks_her_known_path(women):
    cats = stage_categories(women)
    assert list(cats.columns) == list(STAGES)
    rows = cats.itertuples(index=False)
    got = {pid: tuple(row) for pid, row in zip(women.pregnancy_id, rows, strict=True)}
    assert got == PATHS


def test_first_line_labour_referred_for_failure_to_progress_ends_in_intrapartum_cs(women):
    """Woman A: started in the first line, referred in labour, caesarean in hospital."""
    links = flow_links(women, "region_id", "R1").table
    a = links.set_index(["source_stage", "target_stage", "source", "target"])["n"]
    assert a[("pregnancy", "labour", "first_line", "referred")] == 1
    assert a[("labour", "place", "referred", "hospital_obstetrician")] == 1
    reasons = referral_reasons(women, moment="labour").table.set_index(["unit", "reason"])
    assert reasons.loc[("R1", "failure_to_progress"), "n"] == 1
    assert reasons.loc[("R1", "failure_to_progress"), "pct"] == 100.0


def test_counts_per_region_by_hand(women):
    f = care_flows(women).table.set_index(["unit", "stage", "category"])
    # R1 = A, B, C, D, J; R2 = E, F, G, H, I
    assert f.loc[("R1", "start", "first_line"), "n"] == 4
    assert f.loc[("R1", "start", "second_line"), "n"] == 1
    assert f.loc[("R1", "pregnancy", "referred"), "n"] == 2  # C, J
    assert f.loc[("R1", "labour", "referred"), "n"] == 1
    assert f.loc[("R1", "labour", "referred"), "pct"] == 20.0
    assert f.loc[("R1", "labour", "first_line"), "n"] == 1  # B; J was referred before
    assert f.loc[("R1", "labour", "second_line_spontaneous"), "n"] == 1  # J
    assert f.loc[("R2", "labour", "referred"), "n"] == 1
    assert f.loc[("R2", "labour", "first_line"), "n"] == 2  # E and I
    assert f.loc[("R2", "labour", "unknown"), "n"] == 1  # H
    assert f.loc[("R2", "place", "home"), "pct"] == 20.0  # I of five
    assert f.loc[("R2", "mode", "instrumental"), "n"] == 1  # F, forceps
    assert f.loc[("R1", "postpartum", "referred"), "n"] == 1  # B
    assert f.loc[("all", "place", "hospital_obstetrician"), "n"] == 6  # A C D F G J
    assert f.loc[("all", "mode", "instrumental"), "n"] == 2  # C vacuum, F forceps
    assert f.loc[("R1", "start", "unknown"), "n"] == 0  # zero rows are kept


def test_each_stage_partitions_the_units_women(women):
    f = care_flows(women).table
    per_stage = f.groupby(["unit", "stage"])["n"].sum().unstack()
    expected = {"R1": 5, "R2": 5, "all": 10}
    for unit, n in expected.items():
        assert (per_stage.loc[unit] == n).all()
    assert np.allclose(f.groupby(["unit", "stage"])["pct"].sum(), 100.0)
    # every category of every stage is listed for every unit
    assert len(f) == 3 * sum(len(c) for c in CATEGORIES.values())


def test_overall_is_the_sum_of_units(women):
    f = care_flows(women, unit="practice_id").table
    units = f[f.unit != "all"].groupby(["stage", "category"])["n"].sum()
    overall = f[f.unit == "all"].set_index(["stage", "category"])["n"]
    assert units.sort_index().equals(overall.sort_index())
    # women without a practice (care started in the second line) are a unit of their own
    none = f[(f.unit == "(none)") & (f.stage == "start")].set_index("category")["n"]
    assert none["second_line"] == 2 and none["unknown"] == 1


def test_no_units_and_stage_subset(women):
    f = care_flows(women, unit=None, stages=["mode", "start"]).table
    assert set(f.unit) == {"all"}
    assert list(dict.fromkeys(f.stage)) == ["start", "mode"]  # path order
    assert f.groupby("stage")["n"].sum().eq(10).all()


def test_links_add_up(women):
    result = flow_links(women)
    links = result.table
    assert result.women == 10 and result.stages == list(STAGES) and result.follow is None
    assert (links.groupby("step")["n"].sum() == 10).all()
    s = links[links.step == 0].set_index(["source", "target"])["n"]
    assert s.to_dict() == {
        ("first_line", "first_line"): 5,
        ("first_line", "referred"): 2,
        ("second_line", "second_line"): 2,
        ("unknown", "unknown"): 1,
    }
    # what leaves a category equals what arrived in it
    counts = care_flows(women, unit=None).table.set_index(["stage", "category"])["n"]
    out = links.groupby(["source_stage", "source"])["n"].sum()
    into = links.groupby(["target_stage", "target"])["n"].sum()
    for (stage, cat), n in out.items():
        assert counts[(stage, cat)] == n
    for (stage, cat), n in into.items():
        assert counts[(stage, cat)] == n


def test_links_of_one_unit(women):
    result = flow_links(women, "region_id", "R2", stages=["start", "labour"])
    links = result.table
    assert result.women == 5 and set(links.unit) == {"R2"}
    assert (result.unit, result.unit_id, result.stages) == ("region_id", "R2", ["start", "labour"])
    assert links.set_index(["source", "target"])["n"].to_dict() == {
        ("first_line", "first_line"): 2,
        ("first_line", "referred"): 1,
        ("second_line", "second_line_spontaneous"): 1,
        ("unknown", "unknown"): 1,
    }
    assert links["target_nl"].tolist()[1] == "verwezen durante partu"


def test_referral_rate_per_practice_by_hand(women):
    r = referral_rates(women).table.set_index("unit")
    assert list(r.index) == ["P1", "P2"]  # no unit for women without a practice
    # P1: A and B laboured in the first line (C and J were referred in pregnancy); A referred
    assert (r.loc["P1", "denominator"], r.loc["P1", "numerator"]) == (2, 1)
    assert r.loc["P1", "rate"] == 50.0
    # P2: E, G, I laboured in the first line; G referred
    assert (r.loc["P2", "denominator"], r.loc["P2", "numerator"]) == (3, 1)
    assert r.loc["P2", "rate"] == pytest.approx(100 / 3)
    nulli = referral_rates(women, parity="nulliparous").table.set_index("unit")
    assert nulli.loc["P1", ["denominator", "numerator"]].tolist() == [1, 1]  # A
    assert nulli.loc["P2", ["denominator", "numerator"]].tolist() == [2, 1]  # E, G
    multi = referral_rates(women, parity="multiparous").table.set_index("unit")
    assert multi["numerator"].tolist() == [0, 0] and multi["denominator"].tolist() == [1, 1]


def test_referral_rates_other_moments_by_hand(women):
    preg = referral_rates(women, moment="pregnancy").table.set_index("unit")
    assert preg.loc["P1", ["denominator", "numerator"]].tolist() == [4, 2]  # A B C J; C J
    assert preg.loc["P2", ["denominator", "numerator"]].tolist() == [3, 0]
    booked = women.assign(booking_region_id=women["region_id"])
    pp = referral_rates(booked, unit="region", moment="postpartum").table.set_index("unit")
    assert pp.loc["R1", ["denominator", "numerator"]].tolist() == [1, 1]  # B
    assert pp.loc["R2", ["denominator", "numerator"]].tolist() == [2, 0]  # E, I


def test_referral_rates_count_where_care_started_at_every_moment(women):
    """A care-path rate counts a woman against the region where her care started, also
    for referral in pregnancy and after birth: C (P1, booked in R1) gave birth in R2."""
    moved = women.assign(booking_region_id=women["region_id"])
    moved.loc[moved["pregnancy_id"] == "C", "region_id"] = "R2"
    for moment in ("pregnancy", "labour", "postpartum"):
        r = referral_rates(moved, unit="region", moment=moment)
        assert set(r.table["attribution"]) == {"booking"} and r.attribution == "booking", moment
    preg = referral_rates(moved, unit="region", moment="pregnancy").table.set_index("unit")
    assert preg.loc["R1", ["denominator", "numerator"]].tolist() == [4, 2]  # A B C J; C J
    assert preg.loc["R2", ["denominator", "numerator"]].tolist() == [3, 0]  # E G I


def test_reasons_share_of_referred(women):
    r = referral_reasons(women, unit=None, moment="labour").table.set_index("reason")
    assert r["referred"].eq(2).all()
    assert r.loc["failure_to_progress", "pct"] == 50.0
    assert r.loc["pain_relief_request", "label_nl"] == "wens pijnbestrijding"
    pp = referral_reasons(women, moment="postpartum").table
    assert set(pp.unit) == {"R1"}  # R2 referred nobody after birth
    assert pp.set_index("reason").loc["postpartum_haemorrhage", "n"] == 1


def test_clear_errors(women):
    with pytest.raises(SpecError, match="onset"):
        care_flows(women.drop(columns="onset"))
    with pytest.raises(SpecError, match="hospital_id"):
        care_flows(women, unit="hospital_id")
    with pytest.raises(SpecError, match="stage"):
        care_flows(women, stages=["delivery"])
    with pytest.raises(SpecError, match="moment"):
        referral_rates(women, moment="booking")
    with pytest.raises(SpecError, match="parity"):
        referral_rates(women, parity="primiparous")
    with pytest.raises(SpecError, match="R9"):
        flow_links(women, "region_id", "R9")


# ---- the synthetic dataset -------------------------------------------------------


@pytest.fixture(scope="module")
def synth(dataset) -> pd.DataFrame:
    return dataset.women


def test_synthetic_flows_add_up_per_region(synth):
    f = care_flows(synth).table
    women_per_region = synth["region_id"].value_counts()
    totals = f.groupby(["unit", "stage"])["n"].sum().unstack()
    for region, n in women_per_region.items():
        assert (totals.loc[region] == n).all()
    assert (totals.loc["all"] == len(synth)).all()
    units = f[f.unit != "all"].groupby(["stage", "category"])["n"].sum()
    overall = f[f.unit == "all"].set_index(["stage", "category"])["n"]
    assert units.sort_index().equals(overall.sort_index())


def test_synthetic_flows_match_plain_counts(synth):
    f = care_flows(synth, unit=None).table.set_index(["stage", "category"])["n"]
    assert f[("start", "first_line")] == (synth.start_line == 1).sum()
    assert f[("pregnancy", "referred")] == (synth.referral_pregnancy == 1).sum()
    labour_first = (
        (synth.start_line == 1) & (synth.referral_pregnancy == 0) & (synth.onset == "spontaneous")
    )
    assert f[("labour", "referred")] == (labour_first & (synth.referral_labour == 1)).sum()
    assert f[("labour", "first_line")] == (labour_first & (synth.referral_labour == 0)).sum()
    induced = (synth.onset == "induced").sum()
    assert f[("labour", "second_line_induced")] == induced
    assert f[("place", "home")] == (synth.actual_place == "home").sum()
    assert f[("mode", "instrumental")] == synth["mode"].isin(["vacuum", "forceps"]).sum()
    assert f[("postpartum", "referred")] == (synth.referral_postpartum == 1).sum()


def test_synthetic_practice_rates_agree_with_the_catalogue(synth):
    import saz_geboortezorg as sg

    mine = referral_rates(synth).table.set_index("unit")
    catalogue = sg.compute(synth, "referral_labour", unit="practice").table.set_index("unit")
    catalogue = catalogue.drop(index="unknown", errors="ignore")  # women without practice
    assert mine["numerator"].equals(catalogue["numerator"])
    assert mine["denominator"].equals(catalogue["denominator"])
    # and with a plain count: labour started under first-line care, per practice
    first = synth[
        (synth.start_line == 1) & (synth.referral_pregnancy == 0) & (synth.onset == "spontaneous")
    ]
    plain = first.groupby("practice_id")["referral_labour"].agg(["size", "sum"])
    assert mine["denominator"].to_dict() == plain["size"].to_dict()
    assert mine["numerator"].to_dict() == plain["sum"].to_dict()


def test_funnel_returns_the_practices(synth):
    result = referral_funnel(synth)
    practices = set(synth["practice_id"].dropna())
    assert set(result.table["group"]) == practices
    rates = referral_rates(synth).table.set_index("unit")
    t = result.table.set_index("group")
    assert (t["numerator"] == rates["numerator"].reindex(t.index)).all()
    assert (t["denominator"] == rates["denominator"].reindex(t.index)).all()
    assert t["value"].to_numpy() == pytest.approx(
        (100 * rates["numerator"] / rates["denominator"]).reindex(t.index).to_numpy()
    )
    # the target is the pooled rate
    pooled = rates["numerator"].sum() / rates["denominator"].sum()
    assert result.target == pytest.approx(pooled)


def test_following_the_women_referred_in_labour(women):
    result = flow_links(women, follow="labour")
    links = result.table
    assert result.follow == "labour" and not links.attrs
    # A (failure to progress -> intrapartum CS) and G (pain relief -> spontaneous birth)
    referred = links[(links.group == "referred") & (links.source_stage == "place")]
    got = referred.set_index(["source", "target"])["n"].to_dict()
    assert got == {
        ("hospital_obstetrician", "intrapartum_cs"): 1,
        ("hospital_obstetrician", "spontaneous"): 1,
    }
    assert set(links.loc[links.group == "referred", "group_nl"]) == {"verwezen durante partu"}
    # splitting by group changes nothing when the groups are added up again
    plain = flow_links(women).table.set_index(["step", "source", "target"])["n"].sort_index()
    summed = links.groupby(["step", "source", "target"])["n"].sum().sort_index()
    assert summed.equals(plain)
    with pytest.raises(SpecError, match="stage"):
        flow_links(women, follow="birth")


def test_unknown_pregnancy_referral_leaves_the_labour_start_unknown():
    w = pd.DataFrame(
        {
            "start_line": [1, 1, 1, 2],
            "referral_pregnancy": [NAN, NAN, 0, 0],
            "onset": ["spontaneous", "induced", "induced", "spontaneous"],
            "referral_labour": [0, 0, 0, 0],
        }
    )
    cats = stage_categories(w, ["pregnancy", "labour"])
    assert cats["pregnancy"].tolist() == ["unknown", "unknown", "first_line", "second_line"]
    # spontaneous onset without a known referral status: could be first or second line;
    # an induction is second-line care whatever the record says
    assert cats["labour"].tolist() == [
        "unknown",
        "second_line_induced",
        "second_line_induced",
        "second_line_spontaneous",
    ]


def test_referral_funnel_keeps_its_old_import_path():
    """referral_funnel moved to compare.referrals; derive.flows still hands it out, with a
    deprecation warning."""
    from saz_geboortezorg.derive import flows

    with pytest.warns(DeprecationWarning, match="sg.referral_funnel"):
        assert flows.referral_funnel is referral_funnel
    assert "referral_funnel" not in flows.__all__
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        flows.nothing  # noqa: B018
