"""Linkage of the hand-made extracts: every path, every derived column, reconciliation."""

from __future__ import annotations

import handmade
import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg import schema
from saz_geboortezorg.io import load
from saz_geboortezorg.io.decode import MAPS, decode


def _birth(data, pregnancy_id, baby_no=1):
    b = data.births
    row = b[(b["pregnancy_id"] == pregnancy_id) & (b["baby_no"] == baby_no)]
    assert len(row) == 1
    return row.iloc[0]


def test_columns_follow_analysis_yaml(data):
    assert list(data.births.columns) == list(schema.analysis()["births"]["columns"])
    for col in schema.analysis()["women"]["columns"]:
        assert col in data.women.columns
    assert not data.births.duplicated(["pregnancy_id", "baby_no"]).any()
    assert data.women["pregnancy_id"].is_unique


def test_births_are_lvr2_rows_plus_first_line_births(data):
    assert sorted(zip(data.births["pregnancy_id"], data.births["baby_no"], strict=True)) == [
        ("Z001", 1),
        ("Z002", 1),
        ("Z003", 1),
        ("Z005", 1),
        ("Z006", 1),
        ("Z010", 1),
        ("Z010", 2),
        ("Z011", 1),
    ]
    lvr1 = data.sources["perined_lvr1"]
    first_line = lvr1["eindverantwoordelijke_baring"].eq(1) & ~lvr1["zwangerschap_id"].isin(
        data.sources["perined_lvr2"]["zwangerschap_id"]
    )
    assert len(data.births) == len(data.sources["perined_lvr2"]) + int(first_line.sum())


def test_referred_during_labour(data):
    b = _birth(data, "Z002")
    assert (b["start_line"], b["referral_labour"], b["line_at_birth"]) == (1, 1, 2)
    assert b["referral_labour_reason"] == "failure_to_progress"
    assert b["referral_pregnancy"] == 0 and pd.isna(b["referral_pregnancy_reason"])
    assert b["birth_source"] == "lvr2"
    assert b["practice_id"] == "VP001" and b["hospital_id"] == "ZH01" and b["region_id"] == "R1"
    assert b["risk_status_booking"] == "first_line"
    assert b["mode"] == "vacuum" and b["pain_relief_method"] == "epidural"
    assert b["intended_place"] == "home" and b["actual_place"] == "hospital_obstetrician"


def test_referred_in_pregnancy(data):
    b = _birth(data, "Z003")
    assert (b["start_line"], b["referral_pregnancy"], b["referral_labour"], b["line_at_birth"]) == (
        1,
        1,
        0,
        2,
    )
    assert b["referral_pregnancy_reason"] == "post_term"
    assert b["onset"] == "induced" and b["mode"] == "spontaneous"
    assert b["hospital_id"] == "ZH02" and b["region_id"] == "R2" and b["practice_id"] == "VP002"
    assert b["ga_days"] == 290 and b["ga_weeks"] == 41


def test_first_line_home_birth(data):
    b = _birth(data, "Z001")
    assert (b["birth_source"], b["start_line"], b["line_at_birth"]) == ("lvr1", 1, 1)
    assert (b["referral_pregnancy"], b["referral_labour"], b["referral_postpartum"]) == (0, 0, 0)
    assert b["hospital_id"] == "ZH01"  # the practice's hospital
    assert b["actual_place"] == "home" and b["mode"] == "spontaneous"
    assert b["bmi"] == pytest.approx(23.4) and b["bmi_band"] == "18.5_25"
    assert b["smoking"] == "no" and b["migration"] == "dutch" and b["ses_quintile"] == "3"
    assert b["sex"] == "female" and b["pain_relief_method"] == "none"
    assert b["birth_date"] == pd.Timestamp("2024-08-01") and b["year"] == 2024
    assert b["month"] == pd.Timestamp("2024-08-01")


def test_first_line_birth_referred_postpartum(data):
    b = _birth(data, "Z006")
    assert (b["line_at_birth"], b["referral_postpartum"]) == (1, 1)
    assert b["referral_postpartum_reason"] == "postpartum_haemorrhage"
    assert b["blood_loss"] == 1200
    assert b["age_band"] == "40+" and b["parity_group"] == "2+"
    assert np.isnan(b["bmi"]) and b["bmi_band"] == "unknown"
    assert b["actual_place"] == "hospital_midwife"


def test_second_line_only_twins(data):
    for baby in (1, 2):
        b = _birth(data, "Z010", baby)
        assert (b["start_line"], b["line_at_birth"], b["n_babies"]) == (2, 2, 2)
        assert pd.isna(b["practice_id"]) and pd.isna(b["risk_status_booking"])
        assert (b["referral_pregnancy"], b["referral_labour"], b["referral_postpartum"]) == (
            0,
            0,
            0,
        )
        assert b["mode"] == "prelabour_cs" and b["onset"] == "prelabour_cs"
        assert b["cs_indication"] == "fetal"
        assert np.isnan(b["episiotomy"]) and np.isnan(b["perineum"])  # not applicable to CS
        assert b["age_band"] == "35_39" and b["ga_weeks"] == 36
    assert _birth(data, "Z010", 2)["nicu"] == 1


def test_prelabour_cs_without_indication(data):
    b = _birth(data, "Z011")
    assert b["presentation"] == "breech"
    assert b["cs_indication"] == "none_recorded"
    assert pd.isna(_birth(data, "Z002")["cs_indication"])  # empty for other modes


def test_birth_in_both_lines_lvr2_wins(data):
    b = _birth(data, "Z005")
    assert b["birth_source"] == "lvr2" and b["line_at_birth"] == 2
    assert b["start_line"] == 1  # the LVR-1 care path is still joined
    assert b["age_band"] == "<20"
    assert (data.births["pregnancy_id"] == "Z005").sum() == 1
    ex = data.excluded.set_index(["source", "record_id"])
    assert "both LVR-1 and LVR-2" in ex.loc[("perined_lvr1", "Z005"), "reason"]


def test_excluded_records_with_reasons_and_rows(data):
    ex = data.excluded
    assert sorted(ex["record_id"]) == ["C05", "C06", "Z004", "Z005"]
    z4 = ex[ex["record_id"] == "Z004"].iloc[0]
    assert z4["source"] == "perined_lvr1" and z4["row_in_file"] == 5
    assert "no birth in the registry" in z4["reason"]
    assert "in no Perined source" in ex[ex["record_id"] == "C06"].iloc[0]["reason"]
    assert "no birth record" in ex[ex["record_id"] == "C05"].iloc[0]["reason"]


def test_linkage_reconciles(data):
    summary = data.linkage_summary()
    assert summary["reconciles"].all()
    counts = summary.set_index("source")
    assert counts.loc["perined_lvr1"].tolist()[:3] == [6, 4, 2]
    assert counts.loc["perined_lvr2"].tolist()[:3] == [6, 6, 0]
    assert counts.loc["dbc_declaraties"].tolist()[:3] == [7, 5, 2]
    excluded = data.excluded.groupby("source").size()
    assert excluded.to_dict() == counts["excluded"][counts["excluded"] > 0].to_dict()


def test_referral_without_lvr2_record_is_excluded(tmp_path):
    tables = handmade.tables()
    tables["perined_lvr2"] = tables["perined_lvr2"][
        tables["perined_lvr2"]["zwangerschap_id"] != "Z003"
    ]
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    assert "Z003" not in set(data.births["pregnancy_id"])
    ex = data.excluded.set_index("record_id")
    assert "no LVR-2 record" in ex.loc["Z003", "reason"]
    assert data.linkage_summary()["reconciles"].all()


def test_women_one_row_per_pregnancy_with_costs(data):
    w = data.women.set_index("pregnancy_id")
    assert sorted(w.index) == ["Z001", "Z002", "Z003", "Z005", "Z006", "Z010", "Z011"]
    assert w.loc["Z010", "cs"] == 1 and w.loc["Z002", "cs"] == 0
    assert w.loc["Z010", "nicu"] == 1  # any baby
    assert w.loc["Z010", "cost_second_line"] == 4800 and w.loc["Z010", "cost_postpartum"] == 800
    assert w.loc["Z002", "cost_first_line"] == pytest.approx(487.05)
    assert w.loc["Z002", "cost_birth"] == 2500
    assert w.loc["Z002", "cost_total"] == pytest.approx(2987.05)
    linked = data.sources["dbc_declaraties"]
    linked = linked[linked["zwangerschap_id"].isin(w.index)]
    assert w["cost_total"].sum() == pytest.approx(linked["tarief"].sum())
    assert (w["cost_first_line"] + w["cost_second_line"]).sum() == pytest.approx(
        w["cost_total"].sum()
    )
    parts = w[["cost_pregnancy", "cost_birth", "cost_postpartum"]].sum(axis=1, min_count=1)
    assert parts.to_numpy() == pytest.approx(w["cost_total"].to_numpy(), nan_ok=True)


def test_pregnancy_without_claims_has_unknown_cost_not_zero(data):
    """Z003 has no claim in the claims file: its cost is unknown (NaN), not EUR 0."""
    w = data.women.set_index("pregnancy_id")
    claims = data.sources["dbc_declaraties"]
    without = sorted(set(w.index) - set(claims["zwangerschap_id"]))
    assert "Z003" in without
    for column in ("cost_total", "cost_first_line", "cost_second_line", "cost_birth"):
        assert w.loc[without, column].isna().all(), column
    assert (w.loc[without, "n_claims"] == 0).all()
    counted = claims["zwangerschap_id"].value_counts()
    with_claims = w.index.difference(without)
    assert (w.loc[with_claims, "n_claims"] == counted.reindex(with_claims)).all()
    assert w.loc[with_claims, "cost_total"].notna().all()


def test_phase_without_claims_is_zero_for_a_pregnancy_with_claims(data):
    """Z002 has first-line and birth claims but no postpartum claim: 0 there, not NaN."""
    w = data.women.set_index("pregnancy_id")
    claims = data.sources["dbc_declaraties"]
    z2 = claims[claims["zwangerschap_id"] == "Z002"]
    assert not z2["zorgfase"].eq("kraambed").any()
    assert w.loc["Z002", "cost_postpartum"] == 0


def test_women_lowest_gestational_age_of_the_babies(tmp_path):
    tables = handmade.tables()
    lvr2 = tables["perined_lvr2"]
    lvr2.loc[
        (lvr2["zwangerschap_id"] == "Z010") & (lvr2["kind_rangnummer"] == "2"), "zwangerschapsduur"
    ] = "250"
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    w = data.women.set_index("pregnancy_id")
    assert w.loc["Z010", "ga_days"] == 250
    assert w.loc["Z010", "birth_weight"] == 3600  # baby 1


def test_missing_and_unknown_codes_become_unknown(tmp_path):
    tables = handmade.tables()
    lvr2 = tables["perined_lvr2"]
    z011 = lvr2["zwangerschap_id"] == "Z011"  # second line only: no LVR-1 fallback
    for column, value in {
        "migratieachtergrond": "9",
        "ses_kwintiel": "9",
        "ligging_bij_geboorte": "9",
        "type_partus": "99",
        "roken": "",
    }.items():
        lvr2.loc[z011, column] = value
    lvr2.loc[0, "conditie_perineum"] = "9"
    lvr2.loc[0, "roken"] = ""  # Z002: empty in LVR-2, LVR-1 says 0
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    b = _birth(data, "Z011")
    decoded = (b["migration"], b["ses_quintile"], b["presentation"], b["mode"], b["smoking"])
    assert decoded == ("unknown",) * 5
    assert np.isnan(_birth(data, "Z002")["perineum"])  # code 9 = unknown
    assert _birth(data, "Z002")["smoking"] == "no"  # taken from LVR-1 where LVR-2 is empty


def test_numeric_columns_have_numpy_dtypes(data):
    for col in ("ga_days", "birth_weight", "blood_loss", "apgar5", "bmi", "episiotomy"):
        assert data.births[col].dtype == "float64", col
    for col in ("baby_no", "n_babies", "parity", "start_line", "line_at_birth", "referral_labour"):
        assert data.births[col].dtype == "int64", col


def test_note_when_baby_rows_do_not_match_the_number_born(tmp_path):
    tables = handmade.tables()
    lvr2 = tables["perined_lvr2"]
    tables["perined_lvr2"] = lvr2[
        ~((lvr2["zwangerschap_id"] == "Z010") & (lvr2["kind_rangnummer"] == "2"))
    ]
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    assert any(
        "1 pregnancies have a different number of baby rows" in n and "Z010" in n
        for n in data.notes
    )
    assert (data.births["pregnancy_id"] == "Z010").sum() == 1


def test_no_baby_count_note_for_consistent_extracts(data):
    assert not any("baby rows" in n for n in data.notes)


def test_excluded_records_are_the_full_source_rows(data):
    claims = data.excluded_records("dbc_declaraties")
    assert sorted(claims["declaratie_id"]) == ["C05", "C06"]
    assert claims.loc[7, "zwangerschap_id"] == "Z999"  # index = line in the file
    assert "in no Perined source" in claims.loc[7, "reason"]
    lvr1 = data.excluded_records("perined_lvr1")
    assert sorted(lvr1["zwangerschap_id"]) == ["Z004", "Z005"]
    assert data.excluded_records("perined_lvr2").empty


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("177184002", "274130007", 1),  # vaginal first twin, caesarean second: a caesarean
        ("274130007", "177184002", 1),
        ("177184002", "61586001", 0),  # both vaginal
        ("177184002", "99", None),  # second twin's mode unknown: cannot say 'no caesarean'
        ("99", "274130007", 1),  # a known caesarean settles it
    ],
)
def test_women_caesarean_is_any_baby_and_unknown_when_undecided(tmp_path, first, second, expected):
    tables = handmade.tables()
    lvr2 = tables["perined_lvr2"]
    z10 = lvr2["zwangerschap_id"] == "Z010"
    lvr2.loc[z10 & (lvr2["kind_rangnummer"] != "2"), "type_partus"] = first
    lvr2.loc[z10 & (lvr2["kind_rangnummer"] == "2"), "type_partus"] = second
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    w = data.women.set_index("pregnancy_id")
    if expected is None:
        assert pd.isna(w.loc["Z010", "cs"])
    else:
        assert w.loc["Z010", "cs"] == expected
    assert w.loc["Z002", "cs"] == 0  # a singleton vacuum birth


def test_number_of_previous_caesareans_is_an_optional_item(tmp_path, data):
    """Without the optional item n_prev_cs is empty; with it, it is read from LVR-2 (or
    LVR-1 for a first-line birth, or LVR-1 where the LVR-2 record leaves it empty)."""
    assert data.births["n_prev_cs"].isna().all()
    tables = handmade.tables()
    lvr1, lvr2 = tables["perined_lvr1"], tables["perined_lvr2"]
    lvr2["aantal_eerdere_sectio"] = ""
    lvr2.loc[lvr2["zwangerschap_id"] == "Z010", "aantal_eerdere_sectio"] = "2"
    lvr1["aantal_eerdere_sectio"] = ""
    lvr1.loc[lvr1["zwangerschap_id"] == "Z001", "aantal_eerdere_sectio"] = "0"  # first-line birth
    lvr1.loc[lvr1["zwangerschap_id"] == "Z002", "aantal_eerdere_sectio"] = "1"  # LVR-2 empty
    with_item = load(handmade.write(tmp_path / "x", tables), salt="s")
    b = with_item.births.set_index(["pregnancy_id", "baby_no"])["n_prev_cs"]
    assert b[("Z010", 1)] == 2 and b[("Z010", 2)] == 2
    assert b[("Z001", 1)] == 0
    assert b[("Z002", 1)] == 1
    assert pd.isna(b[("Z003", 1)])
    assert with_item.women.set_index("pregnancy_id").loc["Z010", "n_prev_cs"] == 2


@pytest.mark.parametrize("name", sorted(MAPS))
def test_decode_every_code_by_hand(name):
    """decode looks up distinct values; by hand: one dict look-up per row."""
    mapping = MAPS[name]
    codes = list(mapping) + ["987654", None] + list(mapping)[::-1]
    expected = [mapping.get(c, "unknown") if c is not None else "unknown" for c in codes]
    assert decode(pd.Series(codes, dtype="str"), name).tolist() == expected
    if all(c.isdigit() for c in mapping):
        numbers = pd.Series([int(c) if c is not None else None for c in codes], dtype="Int64")
        assert decode(numbers, name).tolist() == expected
        kept = decode(numbers, name, None).tolist()
        assert [k if isinstance(k, str) else None for k in kept] == [
            mapping.get(c) if c is not None else None for c in codes
        ]
