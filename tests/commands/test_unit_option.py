"""Every command that compares units spells the level of comparison ``--unit``.

The spellings of earlier releases are a public contract: ``rates --by``,
``completeness --by`` and ``funnel --group`` stay as aliases and give the same JSON.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from saz_geboortezorg.cli import build_parser, main


def _json(argv, capsys) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture()
def small_table(tmp_path):
    path = tmp_path / "units.csv"
    pd.DataFrame(
        {
            "hospital": list("ABCDEFGH"),
            "events": [12, 30, 8, 22, 15, 40, 9, 18],
            "expected": [10.0, 20.0, 11.0, 20.0, 14.0, 25.0, 10.0, 17.0],
            "ga_days": 280,
        }
    ).to_csv(path, index=False)
    return path


def test_funnel_group_is_an_alias_of_unit(small_table, capsys):
    base = ["funnel", str(small_table), "--numerator", "events", "--denominator", "expected"]
    new = _json([*base, "--unit", "hospital", "--test-draws", "0", "--json"], capsys)
    old = _json([*base, "--group", "hospital", "--test-draws", "0", "--json"], capsys)
    assert new == old
    # the JSON keeps FunnelPlotR's field name for the unit
    assert sorted(row["group"] for row in new["units"]) == list("ABCDEFGH")


def test_funnel_needs_a_unit_column(small_table, capsys):
    base = ["funnel", str(small_table), "--numerator", "events", "--denominator", "expected"]
    with pytest.raises(SystemExit) as exit_info:
        main(base)
    assert exit_info.value.code == 2
    assert "--unit" in capsys.readouterr().err


def test_two_spellings_at_once_are_refused(small_table, capsys):
    base = ["funnel", str(small_table), "--numerator", "events", "--denominator", "expected"]
    with pytest.raises(SystemExit) as exit_info:
        main([*base, "--unit", "hospital", "--group", "hospital"])
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_rates_by_is_an_alias_of_unit(synthetic_dir, capsys):
    base = ["rates", str(synthetic_dir), "--indicator", "cs", "--json"]
    new = _json([*base, "--unit", "region"], capsys)
    old = _json([*base, "--by", "region"], capsys)
    assert new == old
    assert {row["unit_type"] for row in new["rows"]} == {"region"}
    default = _json(base, capsys)  # hospital, as before
    assert {row["unit_type"] for row in default["rows"]} == {"hospital"}


def test_completeness_by_is_an_alias_of_unit(synthetic_dir, capsys):
    base = ["completeness", str(synthetic_dir), "--json"]
    new = _json([*base, "--unit", "practice"], capsys)
    old = _json([*base, "--by", "practice"], capsys)
    assert new == old
    assert any(str(row["unit"]).startswith("VP") for row in new)


def test_every_unit_option_is_spelled_unit():
    """Commands that compare units offer --unit; old spellings say 'alias of --unit'."""
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    with_unit = {}
    for name, sub in commands.items():
        options = {o: a for a in sub._actions for o in a.option_strings}
        for old in ("--by", "--group"):
            if old in options:
                assert options[old].dest == "unit", (name, old)
                assert options[old].help == "alias of --unit", (name, old)
        if "--unit" in options:
            with_unit[name] = sorted(o for o in ("--by", "--group") if o in options)
    assert with_unit == {
        "casemix": [],
        "completeness": ["--by"],
        "funnel": ["--group"],
        "rates": ["--by"],
    }
