"""Progress bars of the commands: on a terminal only, never under --quiet or in CI, and
never in what a command prints on standard output (its JSON stays the same)."""

from __future__ import annotations

import io
import json
import sys

import pytest
from progress_terminal import Terminal

from saz_geboortezorg.cli import main

pytestmark = pytest.mark.usefixtures("progress_automatic")


def run(argv, monkeypatch, capsys, stderr=None):
    """Run the command with ``stderr`` as standard error; return (status, stdout, stderr)."""
    stderr = Terminal() if stderr is None else stderr
    monkeypatch.setattr(sys, "stderr", stderr)
    code = main(argv)
    return code, capsys.readouterr().out, stderr.getvalue()


RATES = ["rates", "--indicator", "pph", "--unit", "region", "--json"]


def test_rates_json_is_the_same_with_and_without_the_bar(synthetic_dir, monkeypatch, capsys):
    argv = [RATES[0], str(synthetic_dir), *RATES[1:]]
    code, out, err = run(argv, monkeypatch, capsys)
    assert code == 0
    assert "load: done, 6 steps in " in err and "reading perined_lvr2.parquet" in err
    code_q, out_q, err_q = run([*argv, "--quiet"], monkeypatch, capsys)
    assert code_q == 0 and err_q == ""
    assert out == out_q and json.loads(out)["indicator"] == "pph"
    # not a terminal (a pipe, a log): nothing either, without --quiet
    code_p, out_p, err_p = run(argv, monkeypatch, capsys, stderr=io.StringIO())
    assert (code_p, out_p, err_p) == (0, out, "")


def test_silent_in_ci_on_a_terminal(synthetic_dir, monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    code, out, err = run([RATES[0], str(synthetic_dir), *RATES[1:]], monkeypatch, capsys)
    assert code == 0 and err == "" and json.loads(out)["rows"]


def test_validate_shows_the_files_and_linking(synthetic_dir, monkeypatch, capsys):
    code, out, err = run(["validate", str(synthetic_dir), "--json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["ok"] is True
    for name in (
        "reading organisaties.parquet",
        "4/5 reading dbc_declaraties.parquet",
        "5/5 linking",
    ):
        assert name in err
    assert err.endswith("\n") and err.count("\n") == 1 and "load: done, 5 steps" in err


def test_an_error_ends_the_bar_before_the_message(tmp_path, monkeypatch, capsys):
    (tmp_path / "organisaties.csv").write_text("not,a,valid\nfile,at,all\n", encoding="utf-8")
    code, _, err = run(["validate", str(tmp_path)], monkeypatch, capsys)
    assert code == 2
    lines = err.split("\n")
    stopped = [i for i, line in enumerate(lines) if "load: stopped at step 1" in line]
    assert len(stopped) == 1 and "(reading organisaties.csv) after " in lines[stopped[0]]
    assert lines[stopped[0] + 1].startswith("saz-geboortezorg validate: error: ")


def test_synth_on_a_terminal_and_quiet(tmp_path, monkeypatch, capsys):
    argv = ["synth", "--births", "600", "--hospitals", "3", "--practices", "4",
            "--format", "parquet", "--out", str(tmp_path / "a")]  # fmt: skip
    code, out, err = run(argv, monkeypatch, capsys)
    assert code == 0 and "600 births" in out
    assert "1/5 generating 600 births › generate 7/7 truth" in err
    assert "5/5 writing dbc_declaraties.parquet" in err
    assert err.count("\n") == 1 and "synth: done, 5 steps in " in err
    code, out_q, err_q = run([*argv[:-1], str(tmp_path / "b"), "--quiet"], monkeypatch, capsys)
    assert code == 0 and err_q == ""
    for name in ("perined_lvr1.parquet", "dbc_declaraties.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize(
    "command", ["synth", "validate", "completeness", "rates", "casemix", "funnel", "report"]
)
def test_long_commands_offer_quiet(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--quiet" in capsys.readouterr().out
