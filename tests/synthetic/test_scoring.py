"""Scoring a benchmark against the generator's truth (saz_geboortezorg.synthetic.scoring).

Hand-built truths and benchmark tables, with the counts worked out by hand; plus checks
of the truth map against the generator's parameters and the indicator catalogue.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from saz_geboortezorg.compare.benchmark import BenchmarkResult
from saz_geboortezorg.errors import SazError
from saz_geboortezorg.indicators.definitions import load_catalogue
from saz_geboortezorg.synthetic import params as params_mod
from saz_geboortezorg.synthetic.scoring import (
    NULL_INDICATORS,
    OUTLIER_INDICATORS,
    TRUTH_MAP,
    acceptance,
    score_cells,
    stated_rate,
    summarise,
    truth_status,
    verdict_level,
)

H = ["ZH01", "ZH02", "ZH03"]


def _truth():
    return {
        "hospital_effects": {
            "preterm": dict.fromkeys(H, 0.0),
            "perinatal_death": dict.fromkeys(H, 0.0),
            "nicu": dict.fromkeys(H, 0.0),
            "intrapartum_cs": {"ZH01": 0.6, "ZH02": -0.1, "ZH03": -0.5},
            "prelabour_cs": {"ZH01": 0.0, "ZH02": 0.0, "ZH03": 0.0},
            "episiotomy": {"ZH01": 0.1, "ZH02": -1.0, "ZH03": 0.0},
        },
        "outliers": [
            {"outcome": "intrapartum_cs", "effect": 0.6, "label": "more", "hospital_id": "ZH01"},
            {"outcome": "episiotomy", "effect": -1.0, "label": "fewer", "hospital_id": "ZH02"},
        ],
        "hospital_features": {h: {"region_id": f"R{h[-2:]}"} for h in H},
    }


def _result(rows, limits=(95.0, 99.8), unit_type="hospital", verdict_level=None):
    table = pd.DataFrame(rows, columns=["indicator", "unit", "flag95", "flag998", "assessment"])
    return BenchmarkResult(table, unit_type, limits, True, True, verdict_level=verdict_level)


# ------------------------------------------------------------------ the truth map
def test_truth_map_names_catalogue_indicators_and_generator_models():
    catalogue = load_catalogue()
    models = params_mod.load()["models"]
    assert set(TRUTH_MAP) <= set(catalogue)
    for indicator, outcomes in TRUTH_MAP.items():
        assert set(outcomes) <= set(models), indicator
    for outcome, indicator in OUTLIER_INDICATORS.items():
        assert TRUTH_MAP[indicator] == (outcome,)


def test_every_deliberate_outlier_has_an_indicator():
    outcomes = {o["outcome"] for o in params_mod.load()["outliers"]}
    assert outcomes == set(OUTLIER_INDICATORS)


def test_null_indicators_have_no_hospital_term_in_the_generator():
    """The issue's premise, read from parameters.yaml: no random effect, no outlier."""
    p = params_mod.load()
    outlier_outcomes = {o["outcome"] for o in p["outliers"]}
    for indicator in NULL_INDICATORS:
        for outcome in TRUTH_MAP[indicator]:
            assert p["models"][outcome]["hospital_sd"] == 0, outcome
            assert outcome not in outlier_outcomes


# ------------------------------------------------------------------ truth of a cell
def test_truth_status_single_composite_unknown_and_missing_unit():
    t = _truth()
    assert truth_status("preterm", "ZH02", t) == ("null", 0.0)
    assert truth_status("cs_robson_1", "ZH02", t) == ("non-null", -0.1)
    # overall cs counts both kinds of caesarean: null only when both effects are zero
    status, effect = truth_status("cs", "ZH03", t)
    assert status == "non-null" and effect == pytest.approx(-0.5)
    assert truth_status("episiotomy", "ZH03", t) == ("null", 0.0)
    status, effect = truth_status("home_birth", "ZH01", t)
    assert status == "unknown" and math.isnan(effect)
    assert truth_status("preterm", "unknown", t)[0] == "no hospital"
    assert truth_status("preterm", None, t)[0] == "no hospital"


def test_truth_status_names_a_missing_model():
    t = _truth()
    del t["hospital_effects"]["nicu"]
    with pytest.raises(SazError, match="no hospital effects for nicu"):
        truth_status("nicu", "ZH01", t)


# ------------------------------------------------------------------ cells
def test_score_cells_verdicts_judgements_and_outliers():
    rows = [
        # preterm: one verdict, one 'too few to judge' (not judged even though outside),
        # one not assessed
        ["preterm", "ZH01", "higher", "higher", "worse"],
        ["preterm", "ZH02", "higher", "within", "too few to judge"],
        ["preterm", "ZH03", "", "", "not_assessed"],
        # cs_robson_1: outlier ZH01 (+0.6) outside 95% higher, within 99.8%
        ["cs_robson_1", "ZH01", "higher", "within", "within"],
        ["cs_robson_1", "ZH02", "lower", "lower", "different"],
        ["cs_robson_1", "ZH03", "within", "within", "within"],
        # episiotomy: outlier ZH02 (-1.0) flagged in the wrong direction is not found
        ["episiotomy", "ZH01", "within", "within", "within"],
        ["episiotomy", "ZH02", "higher", "higher", "different"],
        ["episiotomy", "ZH03", "lower", "within", "within"],
    ]
    cells = score_cells(_result(rows), _truth())
    by = cells.set_index(["indicator", "unit"])
    assert by["judged"].tolist() == [True, False, False] + [True] * 6
    assert by["verdict"].tolist() == [True, False, False, False, True, False, False, True, False]
    assert by["truth"].tolist() == ["null"] * 3 + ["non-null"] * 5 + ["null"]
    assert by.loc[("cs_robson_1", "ZH01"), "outlier"] == "higher"
    assert bool(by.loc[("cs_robson_1", "ZH01"), "found95"])
    assert by.loc[("episiotomy", "ZH02"), "outlier"] == "lower"
    assert not bool(by.loc[("episiotomy", "ZH02"), "found95"])
    assert (cells["outlier"] != "").sum() == 2
    assert cells["alert"].isna().all()


def test_score_cells_reads_an_alert_column_and_unknown_verdict_labels():
    result = _result(
        [["nicu", "ZH01", "higher", "within", "within"], ["nicu", "ZH02", "lower", "lower", "odd"]]
    )
    result.table["alert"] = [True, False]
    cells = score_cells(result, _truth())
    assert cells["alert"].tolist() == [True, False]
    result.table["alert"] = ["higher", ""]  # an alert given as its direction
    assert score_cells(result, _truth())["alert"].tolist() == [True, False]
    # a label the scorer does not know is counted as a verdict, never ignored
    assert cells["verdict"].tolist() == [False, True]


def test_score_cells_region_units_map_to_their_hospital():
    result = _result([["preterm", "R01", "within", "within", "within"]], unit_type="region")
    cells = score_cells(result, _truth())
    assert cells[["hospital", "truth"]].values.tolist() == [["ZH01", "null"]]
    with pytest.raises(SazError, match="practice"):
        score_cells(_result([], unit_type="practice"), _truth())


def test_score_cells_needs_the_contract_columns():
    result = _result([["preterm", "ZH01", "within", "within", "within"]])
    result.table = result.table.drop(columns="flag95")
    with pytest.raises(SazError, match="flag95"):
        score_cells(result, _truth())


# ------------------------------------------------------------------ verdict level
def test_verdict_level_is_the_stated_one_and_checked_against_the_flags():
    narrow = [["preterm", "ZH01", "higher", "within", "worse"]]
    wide = [["preterm", "ZH01", "higher", "within", "within"]]
    both = [["preterm", "ZH01", "higher", "higher", "worse"]]
    assert verdict_level(_result(narrow, verdict_level=95.0)) == 95.0
    assert verdict_level(_result(wide)) == 99.8
    assert verdict_level(_result(both)) == 99.8
    # outside the limits but no verdict (the exact test on the count disagreed): fine
    overruled = [["preterm", "ZH01", "higher", "higher", "within"]]
    assert verdict_level(_result(overruled)) == 99.8
    # cells without a judgement do not count against a level
    too_few = both + [["preterm", "ZH02", "higher", "within", "too_few"]]
    assert verdict_level(_result(too_few)) == 99.8
    # a verdict inside the stated limits: the verdicts follow another rule
    with pytest.raises(SazError, match="inside the 99.8% limits"):
        verdict_level(_result(narrow))


def test_stated_rate():
    assert stated_rate(99.8) == 0.002
    assert stated_rate(95) == 0.05


# ------------------------------------------------------------------ summaries
def test_summarise_and_acceptance_count_by_hand():
    rows = [
        ["preterm", "ZH01", "higher", "higher", "worse"],
        ["preterm", "ZH02", "lower", "within", "within"],
        ["preterm", "ZH03", "within", "within", "within"],
        ["nicu", "ZH01", "within", "within", "within"],
        ["nicu", "ZH02", "", "", "too few to judge"],
        ["nicu", "ZH03", "higher", "within", "within"],
        ["cs_robson_1", "ZH01", "higher", "higher", "different"],
        ["episiotomy", "ZH02", "lower", "within", "within"],
        ["home_birth", "ZH01", "higher", "higher", "different"],
    ]
    cells = score_cells(_result(rows), _truth())
    s = summarise(cells, 99.8).set_index("indicator")
    assert s.loc["preterm", ["null_judged", "false_verdicts", "false_outside95"]].tolist() == [
        3,
        1,
        2,
    ]
    assert s.loc["preterm", "false_outside998"] == 1
    assert s.loc["preterm", "false_rate"] == pytest.approx(1 / 3)
    assert s.loc[
        "nicu", ["null_judged", "false_verdicts", "false_outside95", "not_judged"]
    ].tolist() == [
        2,
        0,
        1,
        1,
    ]
    assert s.loc["cs_robson_1", ["outliers", "found95", "found998", "found_verdict"]].tolist() == [
        1,
        1,
        1,
        1,
    ]
    assert s.loc["episiotomy", ["outliers", "found95", "found998", "found_verdict"]].tolist() == [
        1,
        1,
        0,
        0,
    ]
    assert s.loc["home_birth", "truth"] == "unknown"
    assert s.loc["home_birth", "null_judged"] == 0
    # issue 12's counts: verdicts on preterm/perinatal mortality/NICU, outliers at 95%
    assert acceptance(cells) == {"null_verdicts": 1, "outliers": 2, "found95": 2}
