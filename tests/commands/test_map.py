"""The map command (draft, check) and --mapping on the commands that read extracts."""

from __future__ import annotations

import json

import foreign_extracts as fx
import pandas as pd
import pytest

from saz_geboortezorg.cli import main
from saz_geboortezorg.commands.map import draft
from saz_geboortezorg.io.mapping import parse_mapping


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    original = fx.write_original(tmp_path_factory.mktemp("original"), births=600, seed=3)
    foreign = fx.write_foreign(original, tmp_path_factory.mktemp("foreign"))
    return original, foreign


def _mapping_args(foreign):
    return [a for m in fx.mappings(foreign) for a in ("--mapping", str(m))]


def test_draft_proposes_the_right_names(tmp_path):
    # a header as another registry might write it: Dutch terms, other spellings
    header = {
        "ZwangerschapNr": "zwangerschap_id",
        "Rangnummer": "kind_rangnummer",
        "Leeftijd moeder": "leeftijd_moeder",
        "Pariteit": "pariteit",
        "Geslacht kind": "geslacht",
        "Apgarscore na 5 minuten": "apgar_5",
        "Datum partus": "datum_baring",
        "Gewicht (kg)": "geboortegewicht",
        "AD_weken": "zwangerschapsduur",
        "AD_dagen": "zwangerschapsduur",
        "Hoeveelheid bloedverlies (liter)": "bloedverlies",
    }
    row = ["ZW1", "1", "31", "0", "meisje", "9", "31-01-2024", "3,4", "39", "2", "0,3"]
    p = tmp_path / "export.csv"
    p.write_text(";".join(header) + "\n" + ";".join(row) + "\n", encoding="utf-8")
    text = draft(p, "perined_lvr2")
    rules = parse_mapping(text, "draft.yaml")["perined_lvr2"].rules
    proposed = {s: t for t, r in rules.items() for s in r.sources}
    # a column already under our own name needs no rule
    assert proposed == {k.lower(): v for k, v in header.items() if k.lower() != v}
    assert rules["geboortegewicht"].unit == "kg" and rules["bloedverlies"].unit == "l"
    assert rules["zwangerschapsduur"].unit == "weeks+days"
    assert rules["datum_baring"].date_format == "%d-%m-%Y"
    assert rules["geslacht"].codes == {"meisje": "2"}
    # required columns still unmapped are listed
    tail = text.split("# Required columns still unmapped")[1]
    assert "#   ziekenhuis_id:" in tail and "#   geslacht:" not in tail


def test_draft_on_the_foreign_export_then_check(folders, tmp_path, capsys):
    _, foreign = folders
    assert main(["map", "draft", str(foreign / "Export_LVR2.csv"), "--source", "perined_lvr2"]) == 0
    text = capsys.readouterr().out
    rules = parse_mapping(text, "draft.yaml")["perined_lvr2"].rules
    wanted = parse_mapping(fx.LVR2_MAPPING, "lvr2.yaml")["perined_lvr2"].rules
    for target, rule in wanted.items():
        if rule.expression is None:  # a derived column cannot be guessed from a header
            assert rules[target].sources == rule.sources, target
            assert rules[target].unit == rule.unit, target
    assert "#   pijnbestrijding:" in text  # the derived one is listed as unmapped


def test_check_reports_what_maps(folders, capsys):
    _, foreign = folders
    code = main(["map", "check", str(foreign), *_mapping_args(foreign), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True
    lvr2 = out["sources"]["perined_lvr2"]
    raw = pd.read_csv(foreign / "Export_LVR2.csv", sep=";", dtype=str)
    assert lvr2["recoded"] == int(raw["Geslacht"].notna().sum() + raw["Ligging"].notna().sum())
    assert lvr2["missing"] == [] and lvr2["problems"] == []
    by_target = {r["target"]: r for r in lvr2["rules"]}
    assert by_target["geboortegewicht"]["filled"] == int(raw["Gewicht_kg"].notna().sum())
    lines = fx.LVR2_MAPPING.splitlines()
    assert by_target["geslacht"]["line"] == lines.index("  geslacht:") + 1
    assert "aantal_eerdere_sectio" in lvr2["already_ours"]


def test_check_text_and_unfinished_mapping(folders, tmp_path, capsys):
    _, foreign = folders
    partial = tmp_path / "partial.yaml"
    partial.write_text(fx.LVR2_MAPPING.replace("  ziekenhuis_id: Ziekenhuis\n", ""))
    code = main(["map", "check", str(foreign), "--mapping", str(partial)])
    out = capsys.readouterr().out
    assert code == 1
    assert "required columns still missing: ziekenhuis_id" in out
    assert "not mapped (kept as extra columns): ziekenhuis" in out


def test_rates_through_a_mapping_equal_the_original(folders, capsys):
    original, foreign = folders
    assert main(["rates", str(original), "--indicator", "cs", "--json"]) == 0
    want = json.loads(capsys.readouterr().out)
    args = ["rates", str(foreign), "--indicator", "cs", "--json", *_mapping_args(foreign)]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == want


def test_validate_with_mapping(folders, capsys):
    _, foreign = folders
    assert main(["validate", str(foreign), *_mapping_args(foreign)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "Export_LVR2.csv: mapped with" in out


@pytest.mark.parametrize("command", ["validate", "completeness", "casemix", "report"])
def test_mapping_error_exit_2_without_traceback(folders, tmp_path, capsys, command):
    _, foreign = folders
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: perined_lvr2\ncolumns:\n  gewicht: Gewicht_kg\n")
    extra = {
        "casemix": ["--spec", "caesarean"],
        "report": ["--all-regions", "--out", str(tmp_path / "r")],
    }
    code = main([command, str(foreign), "--mapping", str(bad), *extra.get(command, [])])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert f"{bad} line 3: 'gewicht' is not a column of perined_lvr2" in err
    assert not (tmp_path / "r").exists()  # nothing written


def test_mapping_on_a_flat_table_is_refused(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("hospital_id,x\nZH01,1\n")
    code = main(["rates", str(table), "--indicator", "cs", "--mapping", "m.yaml"])
    assert code == 2
    assert "--mapping applies to a folder of extracts" in capsys.readouterr().err


def test_draft_matches_the_national_standards_element_names(tmp_path):
    """A header written in the Kernset Geboortezorg 2.3 element names (the names an
    extract following the national standard carries) is mapped through the schema's
    kernset entries, and the draft says so."""
    header = {
        "Geboortedatum": "datum_baring",
        "Aantal geboren kinderen": "aantal_foetussen",
    }
    p = tmp_path / "kernset.csv"
    p.write_text(";".join(header) + "\n31-01-2024;1\n", encoding="utf-8")
    text = draft(p, "perined_lvr1")
    rules = parse_mapping(text, "draft.yaml")["perined_lvr1"].rules
    proposed = {s: t for t, r in rules.items() for s in r.sources}
    assert proposed["geboortedatum"] == "datum_baring"
    assert proposed["aantal geboren kinderen"] == "aantal_foetussen"
    assert "kernset element 'Geboortedatum'" in text
