"""The ``synth`` command: writes files, prints a summary, refuses bad arguments."""

from __future__ import annotations

import json

import pytest

from saz_geboortezorg.cli import main


def test_synth_writes_files_and_prints_summary(tmp_path, capsys):
    out = tmp_path / "data"
    code = main(
        ["synth", "--births", "1500", "--seed", "3", "--out", str(out), "--years", "2022", "2023"]
    )
    assert code == 0
    captured = capsys.readouterr()
    for name in (
        "organisaties.csv",
        "perined_lvr1.csv",
        "perined_lvr2.csv",
        "dbc_declaraties.csv",
        "truth.json",
    ):
        assert (out / name).exists()
        assert name in captured.out or name == "truth.json"
    assert "1,500 births" in captured.out and str(out) in captured.out
    # progress is a bar on a terminal only (tests/commands/test_progress_commands.py);
    # captured standard error is not a terminal, so nothing is written there
    assert captured.err == ""
    truth = json.loads((out / "truth.json").read_text())
    assert truth["births"] == 1500 and truth["years"] == [2022, 2023]


def test_synth_parquet_quiet(tmp_path, capsys):
    code = main(["synth", "--births", "800", "--out", str(tmp_path), "--format", "parquet", "--quiet",
                 "--hospitals", "4", "--practices", "6"])  # fmt: skip
    assert code == 0
    assert (tmp_path / "perined_lvr2.parquet").exists()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--births", "0"], "births must be a positive"),
        (["--years", "2023", "2021"], "reversed"),
        (["--hospitals", "17", "--practices", "5"], "at least the number of hospitals"),
    ],
)
def test_synth_bad_arguments_exit_2(tmp_path, capsys, args, message):
    code = main(["synth", "--out", str(tmp_path / "x"), "--quiet", *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_synth_help_mentions_options(capsys):
    with pytest.raises(SystemExit):
        main(["synth", "--help"])
    text = capsys.readouterr().out
    for option in (
        "--births",
        "--seed",
        "--out",
        "--years",
        "--hospitals",
        "--practices",
        "--format",
        "--quiet",
    ):
        assert option in text
