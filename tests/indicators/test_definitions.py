"""Every indicator definition, checked on hand-made records.

Each case is one woman/baby (a default uncomplicated term birth with some fields
changed) and the expected classification for one indicator: an event, a non-event,
outside the population, or removed by a named exclusion.
"""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg import indicators
from saz_geboortezorg.derive.tables import add_derived
from saz_geboortezorg.indicators import compute

REFERENCE = pd.DataFrame(
    {
        "sex": ["male", "female", "male", "female"],
        "parity_group": ["0", "0", "1+", "1+"],
        "ga_weeks": [40, 40, 40, 40],
        "p10": [3000, 2900, 3100, 3000],
    }
)

DEFAULT = {
    "hospital_id": "H1",
    "region_id": "R1",
    "ga_days": 282,
    "n_babies": 1,
    "parity": 0,
    "prev_cs": 0,
    "presentation": "cephalic",
    "onset": "spontaneous",
    "mode": "spontaneous",
    "cs_indication": None,
    "pain_relief": 0,
    "pain_relief_method": "none",
    "epidural_wanted_not_received": 0,
    "episiotomy": 0,
    "perineum": 1,
    "blood_loss": 300,
    "actual_place": "hospital_midwife",
    "intended_place": "hospital_midwife",
    "risk_status_before_labour": "first_line",
    "start_line": 1,
    "referral_pregnancy": 0,
    "referral_labour": 0,
    "birth_weight": 3500,
    "sex": "male",
    "apgar5": 9,
    "perinatal_death": 0,
    "perinatal_death_phase": None,
    "congenital_anomaly": 0,
    "nicu": 0,
    "cost_total": 3000.0,
    "n_prev_cs": None,
}

EVENT, NON_EVENT, OUTSIDE = "event", "non-event", "outside"
GA_UNKNOWN = "gestational age unknown"
POPULATION_UNKNOWN = "population unknown (missing data)"
OUTCOME_UNKNOWN = "outcome unknown (missing data)"
ROBSON_UNKNOWN = "Robson group unknown (a classification variable is missing)"

CASES = [
    # caesarean section overall
    ("cs", {"mode": "intrapartum_cs"}, EVENT),
    ("cs", {"mode": "prelabour_cs", "onset": "prelabour_cs"}, EVENT),
    ("cs", {"mode": "vacuum"}, NON_EVENT),
    ("cs", {"mode": "unknown"}, "mode of birth unknown"),
    ("cs", {"ga_days": 150}, OUTSIDE),
    ("cs", {"ga_days": 154, "mode": "intrapartum_cs"}, EVENT),  # 22+0 exactly is in
    ("cs", {"ga_days": None}, GA_UNKNOWN),  # not silently outside the population
    # a caesarean per woman is any baby by caesarean (the women table's cs), as in the
    # Robson table: twins with the first born vaginally and the second by caesarean
    ("cs", {"n_babies": 2, "mode": "spontaneous", "cs": 1}, EVENT),
    ("cs", {"mode": "spontaneous", "cs": None}, "mode of birth unknown"),
    # per Robson group
    ("cs_robson_1", {"mode": "intrapartum_cs"}, EVENT),
    ("cs_robson_1", {"onset": "induced"}, OUTSIDE),
    ("cs_robson_1", {"prev_cs": None, "mode": "intrapartum_cs"}, EVENT),  # nullipara: not needed
    ("cs_robson_1", {"ga_days": None}, ROBSON_UNKNOWN),
    ("cs_robson_3", {"parity": 1, "prev_cs": None}, ROBSON_UNKNOWN),
    ("cs_robson_5", {"parity": 1, "prev_cs": 1, "n_prev_cs": 2, "mode": "prelabour_cs"}, EVENT),
    ("cs_robson_5", {"parity": 1, "prev_cs": 1, "n_prev_cs": 1}, NON_EVENT),
    ("cs_robson_8", {"n_babies": 2, "mode": "spontaneous", "cs": 1}, EVENT),  # 2nd twin CS
    ("cs_robson_2", {"onset": "induced", "mode": "intrapartum_cs"}, EVENT),
    ("cs_robson_2", {"onset": "prelabour_cs", "mode": "prelabour_cs"}, EVENT),
    ("cs_robson_3", {"parity": 2}, NON_EVENT),
    ("cs_robson_4", {"parity": 1, "onset": "induced"}, NON_EVENT),
    ("cs_robson_5", {"parity": 1, "prev_cs": 1, "mode": "prelabour_cs"}, EVENT),
    ("cs_robson_6", {"presentation": "breech", "mode": "prelabour_cs"}, EVENT),
    ("cs_robson_7", {"presentation": "breech", "parity": 1, "prev_cs": 1}, NON_EVENT),
    ("cs_robson_8", {"n_babies": 2, "mode": "intrapartum_cs"}, EVENT),
    ("cs_robson_9", {"presentation": "transverse", "mode": "prelabour_cs"}, EVENT),
    ("cs_robson_10", {"ga_days": 258, "parity": 1, "prev_cs": 1}, NON_EVENT),
    ("cs_robson_10", {"ga_days": 259}, OUTSIDE),
    # instrumental and induction
    ("instrumental", {"mode": "vacuum"}, EVENT),
    ("instrumental", {"mode": "forceps"}, EVENT),
    ("instrumental", {"mode": "intrapartum_cs"}, NON_EVENT),
    ("induction", {"onset": "induced"}, EVENT),
    ("induction", {"onset": "prelabour_cs", "mode": "prelabour_cs"}, NON_EVENT),
    ("induction", {"onset": "unknown"}, "onset of labour unknown"),
    # pain relief
    ("pain_relief", {"pain_relief": 1, "pain_relief_method": "remifentanil"}, EVENT),
    ("pain_relief", {"onset": "prelabour_cs", "mode": "prelabour_cs"}, OUTSIDE),
    ("pain_relief", {"pain_relief": None}, "pain relief not registered"),
    ("epidural", {"pain_relief": 1, "pain_relief_method": "epidural"}, EVENT),
    ("epidural", {"pain_relief": 1, "pain_relief_method": "pethidine"}, NON_EVENT),
    ("epidural_wanted_not_received", {"epidural_wanted_not_received": 1}, EVENT),
    ("epidural_wanted_not_received", {"pain_relief_method": "epidural"}, OUTSIDE),
    ("epidural_wanted_not_received", {"epidural_wanted_not_received": None}, "item not registered"),
    # mother
    ("episiotomy", {"episiotomy": 1}, EVENT),
    ("episiotomy", {"mode": "intrapartum_cs", "episiotomy": None}, OUTSIDE),
    ("episiotomy", {"episiotomy": None}, "episiotomy not registered"),
    ("episiotomy", {"mode": "unknown", "episiotomy": None}, "mode of birth unknown"),
    ("oasis", {"perineum": 3}, EVENT),
    ("oasis", {"perineum": 4, "mode": "forceps"}, EVENT),
    ("oasis", {"perineum": 2}, NON_EVENT),
    ("oasis", {"perineum": None}, "perineal condition unknown"),
    ("oasis", {"mode": "prelabour_cs"}, OUTSIDE),
    ("pph", {"blood_loss": 1000}, EVENT),
    ("pph", {"blood_loss": 999}, NON_EVENT),
    ("pph", {"blood_loss": None}, "blood loss not registered"),
    ("pph", {"ga_days": None, "blood_loss": None}, GA_UNKNOWN),
    # child
    ("low_apgar", {"apgar5": 6}, EVENT),
    ("low_apgar", {"apgar5": 7}, NON_EVENT),
    ("low_apgar", {"ga_days": 258, "apgar5": 3}, OUTSIDE),
    ("low_apgar", {"n_babies": 2, "apgar5": 3}, OUTSIDE),
    (
        "low_apgar",
        {"perinatal_death": 1, "perinatal_death_phase": "antepartum", "apgar5": 0},
        OUTSIDE,
    ),
    ("low_apgar", {"perinatal_death": 1, "perinatal_death_phase": "neonatal", "apgar5": 2}, EVENT),
    ("low_apgar", {"apgar5": None}, "Apgar score not registered"),
    ("low_apgar", {"ga_days": None}, GA_UNKNOWN),
    ("low_apgar", {"ga_days": None, "n_babies": 2}, OUTSIDE),  # a twin whatever its GA
    # a death of unknown phase: liveborn or not cannot be told
    ("low_apgar", {"perinatal_death": 1, "perinatal_death_phase": None}, POPULATION_UNKNOWN),
    ("perinatal_mortality", {"perinatal_death": 1, "perinatal_death_phase": "intrapartum"}, EVENT),
    ("perinatal_mortality", {}, NON_EVENT),
    ("perinatal_mortality", {"ga_days": 153, "perinatal_death": 1}, OUTSIDE),
    ("perinatal_mortality", {"ga_days": None, "perinatal_death": 1}, GA_UNKNOWN),
    ("preterm", {"ga_days": None}, GA_UNKNOWN),
    ("preterm", {"ga_days": 258}, EVENT),
    ("preterm", {"ga_days": 259}, NON_EVENT),
    ("sga", {"birth_weight": 2999}, EVENT),
    ("sga", {"birth_weight": 3000}, NON_EVENT),
    ("sga", {"birth_weight": 2950, "parity": 1}, EVENT),  # multiparous p10 = 3100
    ("sga", {"birth_weight": 2950, "sex": "female"}, NON_EVENT),  # female p10 = 2900
    (
        "sga",
        {"birth_weight": None},
        "birth weight, sex or gestational age missing or outside the reference",
    ),
    (
        "sga",
        {"ga_days": 300},
        "birth weight, sex or gestational age missing or outside the reference",
    ),
    ("big4", {"congenital_anomaly": 1}, EVENT),
    ("big4", {"birth_weight": 2500}, EVENT),
    ("big4", {"apgar5": 5}, EVENT),
    ("big4", {}, NON_EVENT),
    # complete cases: a missing component excludes the baby whatever the others say
    # (keeping the determined events only would bias a unit with missing data upwards)
    ("big4", {"birth_weight": None}, "SGA cannot be determined"),
    ("big4", {"birth_weight": None, "congenital_anomaly": 1}, "SGA cannot be determined"),
    ("big4", {"birth_weight": None, "ga_days": 250}, "SGA cannot be determined"),
    ("big4", {"apgar5": None}, "Apgar score not registered (liveborn)"),
    ("big4", {"apgar5": None, "congenital_anomaly": 1}, "Apgar score not registered (liveborn)"),
    ("big4", {"congenital_anomaly": None}, "congenital anomaly not registered"),
    ("big4", {"ga_days": None}, GA_UNKNOWN),
    ("nicu", {"nicu": 1}, EVENT),
    ("nicu", {"ga_days": 250, "nicu": 1}, OUTSIDE),
    ("nicu", {"nicu": None}, "NICU admission not registered"),
    ("uncomplicated_birth", {}, EVENT),
    ("uncomplicated_birth", {"pain_relief": 1, "pain_relief_method": "remifentanil"}, EVENT),
    ("uncomplicated_birth", {"pain_relief": 1, "pain_relief_method": "epidural"}, NON_EVENT),
    ("uncomplicated_birth", {"onset": "induced"}, NON_EVENT),
    ("uncomplicated_birth", {"episiotomy": 1}, NON_EVENT),
    ("uncomplicated_birth", {"perineum": 3}, NON_EVENT),
    ("uncomplicated_birth", {"blood_loss": 1200}, NON_EVENT),
    ("uncomplicated_birth", {"nicu": 1}, NON_EVENT),
    ("uncomplicated_birth", {"n_babies": 2}, OUTSIDE),
    # a missing component is not 'no complication', and not a reason to keep only the
    # complicated births either: complete cases of the components that apply
    ("uncomplicated_birth", {"blood_loss": None}, "blood loss not registered"),
    ("uncomplicated_birth", {"blood_loss": None, "onset": "induced"}, "blood loss not registered"),
    (
        "uncomplicated_birth",
        {"apgar5": None},
        "Apgar score or NICU admission not registered (liveborn)",
    ),
    (
        "uncomplicated_birth",
        {"nicu": None},
        "Apgar score or NICU admission not registered (liveborn)",
    ),
    (
        "uncomplicated_birth",
        {"episiotomy": None},
        "episiotomy or perineum not registered (vaginal birth)",
    ),
    (
        "uncomplicated_birth",
        {"apgar5": None, "perineum": 3},
        "Apgar score or NICU admission not registered (liveborn)",
    ),
    (
        "uncomplicated_birth",
        {"pain_relief": None, "pain_relief_method": "unknown"},
        "pain relief not registered",
    ),
    # components that do not apply are not required: no episiotomy item after a caesarean
    (
        "uncomplicated_birth",
        {"mode": "intrapartum_cs", "episiotomy": None, "perineum": None},
        NON_EVENT,
    ),
    ("uncomplicated_birth", {"ga_days": None}, GA_UNKNOWN),
    ("uncomplicated_birth", {"mode": None}, "mode of birth or onset unknown"),
    # care path
    ("home_birth", {"actual_place": "home"}, EVENT),
    ("home_birth", {"actual_place": "unknown"}, "place of birth unknown"),
    ("labour_start_first_line", {}, EVENT),
    ("labour_start_first_line", {"referral_pregnancy": 1}, NON_EVENT),
    ("labour_start_first_line", {"start_line": 2}, NON_EVENT),
    ("referral_labour", {"referral_labour": 1}, EVENT),
    ("referral_labour", {"start_line": 2, "referral_labour": 0}, OUTSIDE),
    ("referral_labour", {"onset": "unknown"}, "onset of labour unknown"),
    ("referral_labour", {"referral_pregnancy": None}, POPULATION_UNKNOWN),
    (
        "planned_home_birth_high_risk",
        {"risk_status_before_labour": "second_line", "intended_place": "home"},
        EVENT,
    ),
    ("planned_home_birth_high_risk", {"intended_place": "home"}, OUTSIDE),
    (
        "planned_home_birth_high_risk",
        {"risk_status_before_labour": "unknown", "intended_place": "home"},
        "risk status before labour unknown",
    ),
    ("post_term_no_induction", {"ga_days": 294}, EVENT),
    ("post_term_no_induction", {"ga_days": 293}, NON_EVENT),
    ("post_term_no_induction", {"ga_days": 296, "onset": "induced"}, NON_EVENT),
    ("post_term_no_induction", {"ga_days": None}, GA_UNKNOWN),
    (
        "cs_maternal_request",
        {"mode": "prelabour_cs", "onset": "prelabour_cs", "cs_indication": "maternal_request"},
        EVENT,
    ),
    (
        "cs_maternal_request",
        {"mode": "prelabour_cs", "onset": "prelabour_cs", "cs_indication": "none_recorded"},
        EVENT,
    ),
    (
        "cs_maternal_request",
        {"mode": "prelabour_cs", "onset": "prelabour_cs", "cs_indication": "breech"},
        NON_EVENT,
    ),
]


def _record(changes: dict) -> pd.DataFrame:
    """One record with its derived columns (Robson group, SGA, caesarean), as sg.load
    gives them."""
    return add_derived(pd.DataFrame([{**DEFAULT, **changes}]), sga_reference=REFERENCE)


@pytest.mark.parametrize(("indicator", "changes", "expected"), CASES)
def test_definition_on_one_record(indicator, changes, expected):
    row = compute(_record(changes), indicator, unit=None).table.iloc[0]
    if expected == OUTSIDE:
        assert row["outside_population"] == 1 and row["denominator"] == 0
    elif expected in (EVENT, NON_EVENT):
        assert row["outside_population"] == 0 and row["denominator"] == 1
        assert row["numerator"] == (1 if expected == EVENT else 0)
    else:
        assert row[f"excluded: {expected}"] == 1 and row["denominator"] == 0


def test_every_indicator_has_a_case():
    covered = {case[0] for case in CASES} | {"cost_per_pregnancy"}
    assert set(indicators.catalogue()["id"]) == covered


def test_cost_per_pregnancy_is_a_mean_with_t_interval():
    table = pd.DataFrame([{**DEFAULT, "cost_total": c} for c in (1000.0, 2000.0, 6000.0)])
    table.loc[3] = {**DEFAULT, "cost_total": None}
    row = compute(table, "cost_per_pregnancy", unit=None).table.iloc[0]
    assert row["denominator"] == 3 and row["excluded: no claims linked"] == 1
    assert row["outside_population"] == 0
    assert row["rate"] == pytest.approx(3000.0)
    # t interval by hand: sd = 2645.751, se = 1527.525, t(0.975, 2) = 4.302653
    assert row["mean_lcl"] == pytest.approx(3000 - 4.302653 * 1527.525, rel=1e-6)
    assert row["mean_ucl"] == pytest.approx(3000 + 4.302653 * 1527.525, rel=1e-6)


def test_cost_of_a_record_without_gestational_age_is_excluded_with_its_reason():
    table = pd.DataFrame([{**DEFAULT, "cost_total": 1000.0}, {**DEFAULT, "ga_days": None}])
    row = compute(table, "cost_per_pregnancy", unit=None).table.iloc[0]
    assert row["denominator"] == 1 and row["outside_population"] == 0
    assert row["excluded: gestational age unknown"] == 1
    assert row["excluded: no claims linked"] == 0
