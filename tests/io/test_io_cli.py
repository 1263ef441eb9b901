"""The validate and completeness commands: output, JSON/CSV, exit code 2 without traceback."""

from __future__ import annotations

import json

import handmade
import pytest

from saz_geboortezorg import cli


def test_validate_ok(folder, capsys):
    assert cli.main(["validate", str(folder), "--salt", "s"]) == 0
    out = capsys.readouterr().out
    assert "OK  perined_lvr2.csv" in out
    assert "perined_lvr1     in 6 = linked 4 + excluded 2: reconciles" in out
    assert "ZH01 (perined_lvr2): bmi 33.3%" in out


def test_validate_json(folder, capsys):
    assert cli.main(["validate", str(folder), "--salt", "s", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["births"] == 8 and out["women"] == 7
    assert all(r["reconciles"] for r in out["linkage_summary"])


@pytest.mark.parametrize("command", ["validate", "completeness"])
def test_bad_input_exit_2_without_traceback(tmp_path, command, capsys):
    tables = handmade.tables()
    tables["perined_lvr2"].loc[3, "zwangerschapsduur"] = "400"
    folder = handmade.write(tmp_path / "bad", tables)
    before = sorted(p.name for p in folder.iterdir())
    assert cli.main([command, str(folder)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert (
        "perined_lvr2.csv, column 'zwangerschapsduur': value outside the plausible range"
        in captured.err
    )
    assert "(line 5 '400')" in captured.err and "from 154 to 315" in captured.err
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written


def test_missing_folder_exit_2(tmp_path, capsys):
    assert cli.main(["validate", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "folder not found" in err and "Traceback" not in err


def test_completeness_text(folder, capsys):
    assert cli.main(["completeness", str(folder), "--by", "region", "--threshold", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "Completeness by region" in out
    assert "R1 (perined_lvr2): bmi 33.3%" in out


def test_completeness_csv_and_json(folder, tmp_path, capsys):
    target = tmp_path / "completeness.csv"
    assert cli.main(["completeness", str(folder), "--csv", str(target)]) == 0
    import pandas as pd

    table = pd.read_csv(target)
    assert {"unit", "source", "variable", "share", "flagged"} <= set(table.columns)
    capsys.readouterr()
    assert cli.main(["completeness", str(folder), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == len(table)


def test_completeness_bad_threshold(folder, capsys):
    assert cli.main(["completeness", str(folder), "--threshold", "5"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
