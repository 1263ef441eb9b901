"""``--json`` is the result's ``to_dict()``: the commands add nothing and drop nothing."""

from __future__ import annotations

import json

import pandas as pd

from saz_geboortezorg.cli import main


def test_funnel_json_is_the_results_to_dict(tmp_path, capsys):
    from saz_geboortezorg.compare.funnel import funnel

    table = pd.DataFrame(
        {
            "unit": list("ABCDEFGH"),
            "observed": [40, 120, 150, 60, 70, 260, 55, 130],
            "expected": [48.0, 110.0, 160.0, 70.0, 90.0, 230.0, 70.0, 125.0],
        }
    )
    path = tmp_path / "units.csv"
    table.to_csv(path, index=False)
    argv = ["funnel", str(path), "--numerator", "observed", "--denominator", "expected"]
    assert main([*argv, "--unit", "unit", "--test-draws", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = funnel(table, "observed", "expected", "unit", test_draws=0).to_dict()
    assert out == json.loads(json.dumps(expected, allow_nan=False))
    # the kind of result is named; the fields fixed by earlier issues are all still there
    assert out["result"] == "FunnelResult"
    assert {"data_type", "sr_method", "target", "phi", "tau2", "overdispersed", "units"} <= set(out)
    # value is O/E of each unit, by hand
    assert [u["value"] for u in out["units"]] == [
        o / e for o, e in zip(table["observed"], table["expected"], strict=True)
    ]
