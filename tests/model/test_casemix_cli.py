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
    assert out["result"] == "CaseMixResult"  # --json is CaseMixResult.to_dict()
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
    # Issue 13: added, not renamed.
    assert {"tau2_lcl95", "tau2_ucl95", "median_odds_ratio", "mor_lcl95", "mor_ucl95"} <= set(re)
    assert {"rank_method", "ranks_reliable", "interval_method", "tau2_p_zero"} <= set(re)
    assert "empirical Bayes" in re["rank_method"]
    assert re["tau2_lcl95"] <= re["tau2"] <= re["tau2_ucl95"]
    new_keys = {"or_lcl95_conditional", "or_ucl95_conditional", "effect_posterior_mean"}
    assert new_keys | {"se_posterior"} <= set(re["units"][0])
    for u in re["units"]:
        assert u["or_lcl95"] < u["odds_ratio"] < u["or_ucl95"]
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
