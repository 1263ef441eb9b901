"""``saz-geboortezorg casemix``: the JSON fields are a public contract."""

from __future__ import annotations

import json

from saz_geboortezorg.cli import main

MINIMAL = """\
name: caesarean
outcome: cs
population: null
unit: hospital
covariates:
  age_band: {type: categorical, reference: "25_29"}
  parity_group: {type: categorical, reference: "0"}
  prev_cs: {type: binary}
random_effects: true
"""


def test_json_contract(tmp_path, capsys):
    from casemix_helpers import REFERENCE

    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL)
    rc = main(["casemix", str(REFERENCE / "births.csv"), "--spec", str(spec), "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("indicator", "n", "coefficients", "c_statistic", "units", "random_effects"):
        assert key in out
    assert out["indicator"] == "cs" and out["n"] == 3000
    assert set(out["coefficients"][0]) == {"term", "estimate", "se"}
    unit_keys = {
        "unit",
        "n",
        "observed",
        "expected",
        "oe",
        "oe_lcl95",
        "oe_ucl95",
        "standardised_rate",
    }
    assert unit_keys <= set(out["units"][0])
    re = out["random_effects"]
    assert {"tau2", "rankability", "units"} <= set(re)
    re_keys = {"unit", "effect", "se", "odds_ratio", "or_lcl95", "or_ucl95"}
    assert re_keys <= set(re["units"][0])
    assert len(out["units"]) == len(re["units"]) == 12


def test_text_output_and_unit_option(tmp_path, capsys):
    from casemix_helpers import REFERENCE

    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL.replace("random_effects: true", "random_effects: false"))
    rc = main(["casemix", str(REFERENCE / "births.csv"), "--spec", str(spec), "--unit", "all"])
    assert rc == 0
    assert "observed" in capsys.readouterr().out


def test_bad_spec_exits_2(tmp_path, capsys):
    from casemix_helpers import REFERENCE

    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL.replace('reference: "25_29"', 'reference: "99"'))
    rc = main(["casemix", str(REFERENCE / "births.csv"), "--spec", str(spec)])
    assert rc == 2
    assert "reference level '99' does not occur" in capsys.readouterr().err
