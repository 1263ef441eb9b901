"""Every indicator computes on the synthetic data, with rates in plausible Dutch ranges.

Ranges come from ../shared/domain.md section 4 (Dutch base rates), widened for the
sample size of the shared test dataset and for regional variation.
"""

from __future__ import annotations

import pytest

from saz_geboortezorg import compute, indicators

PLAUSIBLE = {
    # id: (low, high) in the indicator's unit
    "cs": (14, 21),  # 16-18% (2014-2021)
    "cs_robson_1": (6, 15),  # 9.9% (2000-2010)
    "cs_robson_2": (15, 50),
    "cs_robson_3": (0.5, 6),
    "cs_robson_4": (5, 30),
    "cs_robson_5": (30, 80),
    # the brief gives no Dutch figure for breech groups: vaginal breech birth is still
    # offered in NL, so only a loose range
    "cs_robson_6": (50, 100),
    "cs_robson_7": (40, 100),
    "cs_robson_8": (30, 80),
    "cs_robson_9": (80, 100.0001),
    "cs_robson_10": (15, 50),
    "instrumental": (6, 13),  # nulliparae 16-19%, multiparae 3-4%
    "induction": (18, 32),  # 25%
    "pain_relief": (25, 60),
    "epidural": (15, 32),  # 21.7% of births; nulliparae 32.7%
    "epidural_wanted_not_received": (0.5, 15),
    "episiotomy": (10, 55),  # 52.3% of second-line labours
    "oasis": (1, 5),
    "pph": (3, 8),  # 4.5-6.4%
    "low_apgar": (2, 15),  # per 1,000
    "perinatal_mortality": (3, 11),  # 7.3 per 1,000 from 22 weeks
    "preterm": (5.5, 8.5),  # 6.9%
    "sga": (7, 13),  # 9.7%
    "big4": (12, 24),  # 16.7% of singletons
    "nicu": (2, 15),  # 5.58 per 1,000 term live births
    "uncomplicated_birth": (20, 80),
    "home_birth": (9, 19),  # 14.8%
    "labour_start_first_line": (35, 65),  # 47.7% midwife-led at onset
    "referral_labour": (25, 55),  # 37.8%
    "planned_home_birth_high_risk": (0.1, 60),  # per 1,000
    "post_term_no_induction": (0.1, 20),  # per 1,000
    "cs_maternal_request": (0.1, 12),  # under 1% of births
    "cost_per_pregnancy": (2500, 6500),  # EUR; NZa EUR 2,600 hospital + 940 midwife
}


def test_every_indicator_has_a_plausible_range():
    assert set(PLAUSIBLE) == set(indicators.catalogue()["id"])


@pytest.mark.parametrize("indicator", sorted(PLAUSIBLE))
def test_overall_rate_is_plausible(dataset, indicator):
    row = compute(dataset, indicator, unit="all").table.iloc[0]
    low, high = PLAUSIBLE[indicator]
    assert row["denominator"] > 0
    assert low <= row["rate"] <= high, f"{indicator}: {row['rate']:.2f} outside {low}-{high}"


@pytest.mark.parametrize("indicator", ["cs", "oasis", "low_apgar", "cost_per_pregnancy"])
def test_per_hospital_accounts_for_every_record(dataset, indicator):
    per_hospital = compute(dataset, indicator, unit="hospital").table
    overall = compute(dataset, indicator, unit="all").table.iloc[0]
    assert per_hospital["denominator"].sum() == overall["denominator"]
    excluded = [c for c in per_hospital.columns if c.startswith("excluded: ")]
    level = indicators.get(indicator).level
    table = dataset.women if level == "woman" else dataset.births
    accounted = per_hospital[["denominator", "outside_population", *excluded]].to_numpy().sum()
    assert accounted == len(table)


def test_pregnancies_without_claims_are_excluded_and_the_cost_model_fits(dataset):
    """A birth without any linked claim has an unknown cost: excluded with its reason,
    and the gamma cost model (which needs positive amounts) fits on the others."""
    import saz_geboortezorg as sg

    women = dataset.women
    claimed = set(dataset.sources["dbc_declaraties"]["zwangerschap_id"])
    without = ~women["pregnancy_id"].isin(claimed)
    assert without.sum() > 0  # the generator leaves ~0.3% of births without claims
    assert women.loc[without, "cost_total"].isna().all()
    assert women.loc[~without, "cost_total"].notna().all()
    row = compute(dataset, "cost_per_pregnancy", unit="all").table.iloc[0]
    in_population = women["ga_days"] >= 154
    assert row["excluded: no claims linked"] == (without & in_population).sum()
    assert row["denominator"] == (~without & in_population).sum()
    res = sg.casemix(dataset, "cost", random_effects=False)
    assert res.table["n"].sum() == row["denominator"]
    assert res.overall_rate == pytest.approx(row["rate"])


def _missing(series):
    """Missing values as the analysis tables write them: empty, or a category label."""
    values = series.astype("object")
    return values.isna() | values.isin(["unknown", "unclassifiable"])


@pytest.mark.parametrize("indicator", sorted(PLAUSIBLE))
def test_every_record_is_accounted_for_with_a_reason(dataset, indicator):
    """Every record is in the denominator, outside the population, or excluded with a
    reason; and a record with a missing value that the population reads is outside
    only if it would be outside whatever that value is (checked by filling in every
    value the column takes in the data, not by the code's own three-valued logic)."""
    import itertools

    from saz_geboortezorg.expressions import columns_used, evaluate
    from saz_geboortezorg.indicators.compute import indicator_records, prepare_table

    definition = indicators.get(indicator)
    table = dataset.women if definition.level == "woman" else dataset.births
    row = compute(dataset, indicator, unit="all").table.iloc[0]
    reasons = [c for c in row.index if c.startswith("excluded: ")]
    assert row["outside_population"] + row[reasons].sum() + row["denominator"] == len(table)
    status = indicator_records(table, definition)
    assert (status == "outside population").sum() == row["outside_population"]
    for reason in reasons:
        assert (status == reason).sum() == row[reason]

    prepared = prepare_table(table, definition).reset_index(drop=True)
    columns = sorted(columns_used(definition.population))
    missing = {c: _missing(prepared[c]).to_numpy() for c in columns}
    outside = (status == "outside population").to_numpy()
    for c in columns:
        suspects = prepared[outside & missing[c]]
        if suspects.empty:
            continue
        others = [o for o in columns if o != c and missing[o][suspects.index].any()]
        choices = [list(prepared.loc[~missing[col], col].drop_duplicates()) for col in [c, *others]]
        for values in itertools.product(*choices):
            filled = suspects.copy()
            for col, value in zip([c, *others], values, strict=True):
                filled.loc[missing[col][filled.index], col] = value
            inside = evaluate(definition.population, filled)
            assert not inside.any(), (
                f"{indicator}: {int(inside.sum())} records outside the population only "
                f"because {c} is missing (filled with {values})"
            )


def test_caesarean_per_woman_is_the_same_in_the_robson_table_and_the_indicators(dataset):
    """A woman counts as a caesarean when any of her babies was born by caesarean, in the
    Robson table and in cs / cs_robson_*; twins with a vaginal first and a caesarean
    second baby (made by the generator) show the difference with the first baby."""
    from saz_geboortezorg.derive.robson import robson_table

    births, women = dataset.births, dataset.women
    baby_cs = births["mode"].isin(["prelabour_cs", "intrapartum_cs"])
    any_cs = baby_cs.groupby(births["pregnancy_id"]).any()
    first_cs = baby_cs[births["baby_no"] == 1].groupby(births["pregnancy_id"]).any()
    discordant = any_cs & ~first_cs.reindex(any_cs.index)
    assert discordant.sum() > 0
    cs = women.set_index("pregnancy_id")["cs"]
    assert (cs.reindex(any_cs.index) == any_cs.astype(int)).all()

    table = robson_table(women, split_ab=False).table.set_index("group")
    for group in [str(g) for g in range(1, 11)]:
        row = compute(dataset, f"cs_robson_{group}", unit="all").table.iloc[0]
        assert row["numerator"] == table.loc[group, "cs"], group
        assert row["denominator"] == table.loc[group, "women"], group
    overall = compute(dataset, "cs", unit="all").table.iloc[0]
    known_ga = women["ga_days"].notna()
    assert overall["numerator"] == int((women["cs"] == 1)[known_ga].sum())
    by_any_baby = int(any_cs.reindex(women.loc[known_ga, "pregnancy_id"]).sum())
    assert overall["numerator"] == by_any_baby
    # group 8 (multiple pregnancies) holds the discordant twins
    in_8 = women["pregnancy_id"].isin(discordant[discordant].index)
    assert (women.loc[in_8, "n_babies"] > 1).all()


@pytest.mark.parametrize(
    ("indicator", "column"), [("big4", "birth_weight"), ("uncomplicated_birth", "blood_loss")]
)
def test_missing_at_random_does_not_move_a_composite(dataset, indicator, column):
    """Items missing at random in one hospital leave its composite rate where it was
    (complete cases). Counting the babies whose status is settled by another component
    would keep its events and drop its non-events: Big4 up by about a quarter here."""
    import numpy as np

    import saz_geboortezorg as sg

    births = dataset.births.copy()
    unit = "booking_hospital_id" if indicator == "big4" else "hospital_id"
    target = births[unit].value_counts().index[0]
    rng = np.random.default_rng(5)
    mine = (births[unit] == target).to_numpy()
    blank = mine & (rng.random(len(births)) < 0.4)
    full = sg.compute(births, indicator, unit="hospital").table.set_index("unit").loc[target]
    births[column] = births[column].where(~blank)
    births = sg.add_derived(births.drop(columns="sga"))  # derive SGA again from the edited items
    part = sg.compute(births, indicator, unit="hospital").table.set_index("unit").loc[target]
    assert part["denominator"] < 0.7 * full["denominator"]  # the items really went missing
    p, n = full["rate"] / 100, part["denominator"]
    # a random 60% of the same babies: the rates differ by sampling alone
    se = np.sqrt(p * (1 - p) / n * 0.4)
    assert abs(part["rate"] / 100 - p) < 3 * se
