"""The ``saz-geboortezorg funnel`` command: JSON contract and text output."""

from __future__ import annotations

import argparse
import json

import pytest

from saz_geboortezorg.cli import COMMANDS
from saz_geboortezorg.commands import funnel as command
from saz_geboortezorg.errors import SazError
from tests.compare.funnel import reference as ref

INPUT = str(ref.REF / "input_sr_od.csv")
UNIT_FIELDS = {
    "group", "numerator", "denominator", "value", "z",
    "lcl95", "ucl95", "lcl998", "ucl998",
    "lcl95_unadj", "ucl95_unadj", "lcl998_unadj", "ucl998_unadj",
    "flag95", "flag998",
}  # fmt: skip


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="saz-geboortezorg")
    sub = parser.add_subparsers(dest="command")
    command.add_parser(sub)
    return command.run(parser.parse_args(argv))


def test_registered():
    assert "funnel" in COMMANDS


@pytest.mark.parametrize("method", ["SHMI", "CQC"])
def test_json_contract(method, capsys):
    args = ["funnel", INPUT, "--numerator", "observed", "--denominator", "expected"]
    assert (
        run(
            [
                *args,
                "--group",
                "unit",
                "--data-type",
                "SR",
                "--sr-method",
                method,
                "--trim-by",
                "0.1",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert {"data_type", "sr_method", "target", "phi", "tau2", "overdispersed", "units"} <= set(out)
    assert out["data_type"] == "SR" and out["sr_method"] == method
    assert out["overdispersed"] is True and out["target"] == 1
    assert len(out["units"]) == 60
    for unit in out["units"]:
        assert set(unit) == UNIT_FIELDS
        assert unit["flag95"] in ("higher", "lower", "within")
    # the limits in force are the adjusted ones here
    s = ref.settings(f"sr_od_{method.lower()}_adj")
    assert out["phi"] == pytest.approx(s["phi"], rel=1e-12)
    h02 = next(u for u in out["units"] if u["group"] == "H02")
    r = ref.units(f"sr_od_{method.lower()}_adj").set_index("group").loc["H02"]
    assert h02["lcl95"] == r["lcl95_adj"] and h02["ucl998_unadj"] == r["ucl998_unadj"]


def test_json_no_overdispersion(capsys):
    args = ["funnel", str(ref.REF / "input_pr_od.csv"), "--numerator", "observed"]
    run(
        [
            *args,
            "--denominator",
            "expected",
            "--group",
            "unit",
            "--data-type",
            "pr",
            "--no-overdispersion",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert out["overdispersed"] is False and out["sr_method"] is None
    assert all(u["lcl95"] == u["lcl95_unadj"] for u in out["units"])


def test_text_output_and_chart(tmp_path, capsys):
    svg = tmp_path / "funnel.svg"
    args = [
        "funnel",
        INPUT,
        "--numerator",
        "observed",
        "--denominator",
        "expected",
        "--group",
        "unit",
    ]
    assert run([*args, "--chart", str(svg), "--highlight", "H02"]) == 0
    out = capsys.readouterr().out
    assert "Dispersion ratio phi" in out and "H02" in out and "Outside the 99.8% limits" in out
    assert svg.read_text().lstrip().startswith("<svg")


def test_errors(tmp_path):
    args = ["funnel", INPUT, "--numerator", "nope", "--denominator", "expected", "--group", "unit"]
    with pytest.raises(SazError, match="'nope' not in the data"):
        run(args)
    with pytest.raises(SazError, match="no such file"):
        run(
            [
                "funnel",
                str(tmp_path / "x.csv"),
                "--numerator",
                "a",
                "--denominator",
                "b",
                "--group",
                "c",
            ]
        )
    with pytest.raises(SazError, match="must end in"):
        run([*args[:3], "observed", *args[4:], "--chart", str(tmp_path / "x.gif")])


def test_options_limits_multiplier_exact(capsys):
    args = ["funnel", str(ref.REF / "input_pr_nood.csv"), "--numerator", "observed"]
    args += ["--denominator", "expected", "--group", "unit", "--data-type", "PR"]
    run([*args, "--limits", "90", "99", "--multiplier", "100", "--pr-limits", "exact", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["limits"] == [90.0, 99.0] and out["multiplier"] == 100
    unit = out["units"][0]
    assert {"lcl90", "ucl99_unadj", "flag99"} <= set(unit)
    assert unit["lcl99"] <= unit["lcl90"] <= unit["value"] <= unit["ucl90"] <= unit["ucl99"]
