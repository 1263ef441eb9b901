"""Attribution: who an outcome is counted against (issue 12, section 1).

The expected values are derived here from the extracts and the generator's truth, not
from the code under test: the booking hospital is the practice's hospital in the
organisation table (care started in the first line) or the LVR-2 item
``ziekenhuis_aanvang_zorg`` (care started in the second line).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import saz_geboortezorg as sg
from saz_geboortezorg.cli import main
from saz_geboortezorg.compare.attribution import attribution_lines, nicu_units, unit_notes
from saz_geboortezorg.compare.benchmark import benchmark, unit_table
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import get

#: The issue's lists: population outcomes (intention to treat) and outcomes of care at birth.
POPULATION_OUTCOMES = ("preterm", "sga", "perinatal_mortality", "big4", "nicu")
BIRTH_CARE_OUTCOMES = ("cs", "instrumental", "episiotomy", "oasis", "pph", "epidural")


def test_catalogue_declares_the_issue_rules():
    for ind in POPULATION_OUTCOMES:
        assert get(ind).attribution == "booking", ind
    for ind in BIRTH_CARE_OUTCOMES + tuple(f"cs_robson_{g}" for g in range(1, 11)):
        assert get(ind).attribution == "birth", ind
    from saz_geboortezorg.indicators import catalogue

    cat = catalogue()
    assert set(cat["attribution"]) == {"booking", "birth"}


def _booking_by_hand(dataset) -> pd.Series:
    """Booking hospital per pregnancy from the extracts alone."""
    org = dataset.sources["organisaties"].set_index("organisatie_id")["ziekenhuis_id"]
    l1 = dataset.sources["perined_lvr1"]
    l2 = dataset.sources["perined_lvr2"]
    practice_hospital = l1.set_index("zwangerschap_id")["praktijk_id"].map(org)
    second_line = l2.drop_duplicates("zwangerschap_id").set_index("zwangerschap_id")[
        "ziekenhuis_aanvang_zorg"
    ]
    return practice_hospital.combine_first(second_line.astype(object))


def test_booking_hospital_from_the_extracts(dataset):
    w = dataset.women
    by_hand = _booking_by_hand(dataset)
    got = w.set_index("pregnancy_id")["booking_hospital_id"]
    np.testing.assert_array_equal(got.to_numpy(), by_hand.loc[got.index].astype(str).to_numpy())
    # the region is the booking hospital's region
    regions = dataset.sources["organisaties"].set_index("organisatie_id")["regio_id"]
    assert (w["booking_region_id"] == w["booking_hospital_id"].map(regions)).all()


def test_in_utero_transfers_go_to_nicu_centres_before_32_weeks(dataset, synthetic_dir):
    truth = json.loads((synthetic_dir / "truth.json").read_text(encoding="utf-8"))
    nicu = {h for h, f in truth["hospital_features"].items() if f["nicu"]}
    b = dataset.births
    moved = b["in_utero_transfer"] == 1
    assert moved.sum() > 0
    assert (b["booking_from"] != "birth hospital (stand-in)").all()  # the item is there
    # a transfer is a hospital birth elsewhere than booked: never a first-line birth
    assert (b.loc[moved, "line_at_birth"] == 2).all()
    assert (b.loc[moved, "hospital_id"] != b.loc[moved, "booking_hospital_id"]).all()
    assert set(b.loc[moved, "hospital_id"]) <= nicu
    assert (b.loc[moved, "ga_days"].dropna() < 224).all()
    # and everybody else gave birth where the outcome would be counted under either rule
    same = b.loc[~moved & (b["line_at_birth"] == 2)]
    assert (same["hospital_id"] == same["booking_hospital_id"]).all()


def test_without_the_booking_item_the_birth_hospital_stands_in(tmp_path):
    from saz_geboortezorg.synthetic import generate

    generate(births=1500, seed=3).write(tmp_path, format="csv")
    lvr2 = pd.read_csv(tmp_path / "perined_lvr2.csv", dtype=str, keep_default_na=False)
    lvr2.drop(columns=["ziekenhuis_aanvang_zorg"]).to_csv(
        tmp_path / "perined_lvr2.csv", index=False
    )
    data = sg.load(tmp_path)
    w = data.women
    second = w["start_line"] == 2
    assert (w.loc[second, "booking_hospital_id"] == w.loc[second, "hospital_id"]).all()
    assert (w.loc[second, "booking_from"] == "birth hospital (stand-in)").all()
    assert (w.loc[~second, "booking_from"] == "practice").all()
    assert (w.loc[second, "in_utero_transfer"] == 0).all()
    # never silently: the dataset and every benchmark using 'booking' say so
    n = int(second.sum())
    assert any(note.startswith(f"{n:,} pregnancies whose care started") for note in data.notes)
    res = benchmark(data, ["preterm", "pph"], unit="hospital")
    assert any(f"for {n:,} pregnancies" in note for note in res.notes)
    assert not any("stands in" in note for note in benchmark(data, ["pph"], unit="hospital").notes)


@pytest.mark.parametrize(
    ("rule", "column"), [("booking", "booking_hospital_id"), ("birth", "hospital_id")]
)
def test_rates_count_by_the_rule(dataset, rule, column):
    b = dataset.births
    pop = b["ga_days"] >= 154
    events = pop & (b["ga_days"] < 259)
    by_hand = pd.DataFrame({"unit": b[column], "n": pop, "x": events}).groupby("unit").sum()
    result = sg.compute(dataset, "preterm", unit="hospital", attribution=rule)
    got = result.table.set_index("unit")
    assert got["denominator"].tolist() == by_hand.loc[got.index, "n"].tolist()
    assert got["numerator"].tolist() == by_hand.loc[got.index, "x"].tolist()
    assert (got["attribution"] == rule).all() and result.attribution == rule
    assert not result.table.attrs  # the rule is a field, no longer DataFrame.attrs


def test_default_is_the_indicator_rule(dataset):
    default = sg.compute(dataset, "preterm", unit="region")
    booking = sg.compute(dataset, "preterm", unit="region", attribution="booking")
    pd.testing.assert_frame_equal(default.table, booking.table)
    assert sg.compute(dataset, "pph", unit="region").attribution == "birth"
    ut = unit_table(dataset, "perinatal_mortality", unit="hospital", adjusted=False)
    assert ut.attribution == "booking" and ut.to_dict()["attribution"] == "booking"


def test_casemix_follows_the_outcome_rule(dataset):
    res = sg.casemix(dataset, "perinatal_mortality", unit="hospital", random_effects=False)
    assert res.attribution == "booking" and res.to_dict()["attribution"] == "booking"
    assert "where care started" in res.summary()
    b = dataset.births
    counted = res.table.set_index("unit")["observed"]
    by_hand = b[b["ga_days"] >= 154].groupby("booking_hospital_id")["perinatal_death"].sum()
    assert counted.to_dict() == pytest.approx(by_hand.loc[counted.index].to_dict())


def test_benchmark_names_the_rule_and_marks_nicu_centres(dataset, synthetic_dir):
    truth = json.loads((synthetic_dir / "truth.json").read_text(encoding="utf-8"))
    nicu = sorted(h for h, f in truth["hospital_features"].items() if f["nicu"])
    assert nicu_units(dataset, "hospital") == nicu
    res = benchmark(dataset, ["preterm", "pph"], unit="hospital")
    t = res.table
    assert (t.loc[t["indicator"] == "preterm", "attribution"] == "booking").all()
    assert (t.loc[t["indicator"] == "pph", "attribution"] == "birth").all()
    marked = sorted(set(t.loc[t["note"] != "", "unit"]))
    assert marked == nicu
    assert all(not any(ch.isdigit() for ch in n) for n in t["note"])  # never a count
    forced = benchmark(dataset, ["preterm"], unit="hospital", attribution="birth").table
    assert (forced["attribution"] == "birth").all()
    assert "counted here" in forced.loc[forced["unit"] == nicu[0], "note"].iloc[0]


def test_hand_made_table_without_booking_columns_says_what_to_do():
    women = pd.DataFrame({"hospital_id": ["A", "B"], "ga_days": [280, 250]})
    with pytest.raises(SpecError, match="attribution='birth'"):
        sg.compute(women, "preterm", unit="hospital")
    assert (
        sg.compute(women, "preterm", unit="hospital", attribution="birth").table["numerator"].sum()
        == 1
    )
    with pytest.raises(SpecError, match="attribution must be one of"):
        sg.compute(women, "preterm", unit="hospital", attribution="delivery")


def test_methods_text_and_notes_in_both_languages():
    lines = attribution_lines([get("preterm"), get("pph"), get("nicu")])
    assert len(lines) == 2 and "(preterm, nicu)" in lines[0] and "(pph)" in lines[1]
    from types import SimpleNamespace

    org = pd.DataFrame(
        {"organisatie_id": ["ZH01"], "organisatie_type": ["ZH"], "regio_id": ["R01"], "nicu": [1]}
    )
    d = SimpleNamespace(sources={"organisaties": org})
    assert unit_notes(d, "region", "booking", "nl")["R01"].startswith("NICU-centrum")
    # without the feature nothing is marked (absence is not read as 'no NICU')
    assert nicu_units(SimpleNamespace(sources={}), "hospital") == []


def test_rates_command_attribution(synthetic_dir, capsys):
    args = ["rates", str(synthetic_dir), "--indicator", "preterm", "--by", "hospital"]
    assert main([*args, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["attribution"] == "booking"
    assert {r["attribution"] for r in payload["rows"]} == {"booking"}
    assert {"denominator", "numerator", "outside_population"} <= set(payload["rows"][0])
    assert main([*args, "--attribution", "birth"]) == 0
    assert "attributed to the unit responsible at birth" in capsys.readouterr().out
