"""compute(): per-unit tables, intervals, exclusion counts, errors."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import saz_geboortezorg as sg
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import catalogue, compute, get


@pytest.fixture
def women() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 900
    # a hand-made table gets its derived columns (here cs from the mode) as sg.load does
    return sg.add_derived(
        pd.DataFrame(
            {
                "hospital_id": rng.choice(["H1", "H2", "H3"], n),
                "region_id": "R1",
                "ga_days": rng.integers(240, 295, n),
                "mode": rng.choice(
                    ["spontaneous", "vacuum", "intrapartum_cs", "prelabour_cs", "unknown"],
                    n,
                    p=[0.7, 0.08, 0.1, 0.1, 0.02],
                ),
                "blood_loss": np.where(rng.random(n) < 0.05, np.nan, rng.gamma(2, 250, n)),
            }
        )
    )


def test_a_missing_derived_column_is_named_with_the_way_to_add_it():
    """Indicators read derived columns, they never derive them: the error names the
    column and sg.add_derived."""
    women = pd.DataFrame({"hospital_id": ["H1"], "ga_days": [280], "mode": ["vacuum"]})
    with pytest.raises(SpecError, match=r"needs column\(s\) cs .*sg\.add_derived\(table\)"):
        compute(women, "cs")
    robson = pd.DataFrame({"hospital_id": ["H1"], "cs": [1.0]})
    with pytest.raises(SpecError, match=r"robson \(Robson group\).*sg\.add_derived"):
        compute(robson, "cs_robson_1")
    assert compute(sg.add_derived(women), "cs").table["numerator"].tolist() == [0]


def test_sga_reference_moved_to_the_derive_step():
    births = pd.DataFrame({"hospital_id": ["H1"], "sga": [1.0]})
    with pytest.raises(SpecError, match=r"sg\.add_derived\(table, sga_reference="):
        compute(births, "sga", unit=None, sga_reference="some.csv")


def test_counts_and_rates_by_hand(women):
    r = compute(women, "cs", unit="hospital").table.set_index("unit")
    for h, block in women.groupby("hospital_id"):
        known = block[block["mode"] != "unknown"]
        cs = known["mode"].isin(["prelabour_cs", "intrapartum_cs"]).sum()
        assert r.loc[h, "denominator"] == len(known)
        assert r.loc[h, "numerator"] == cs
        assert r.loc[h, "rate"] == pytest.approx(100 * cs / len(known))
        assert r.loc[h, "excluded: mode of birth unknown"] == (block["mode"] == "unknown").sum()
        assert r.loc[h, "outside_population"] == 0
    # every record is accounted for
    assert (r["denominator"] + r["excluded: mode of birth unknown"]).sum() == len(women)


def test_intervals_agree_with_statsmodels(women):
    r = compute(women, "pph", unit="hospital").table
    for _, row in r.iterrows():
        x, n = row["numerator"], row["denominator"]
        lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
        assert row["wilson_lcl"] == pytest.approx(100 * lo, abs=1e-10)
        assert row["wilson_ucl"] == pytest.approx(100 * hi, abs=1e-10)
        lo, hi = proportion_confint(x, n, alpha=0.05, method="beta")
        assert row["exact_lcl"] == pytest.approx(100 * lo, abs=1e-10)
        assert row["exact_ucl"] == pytest.approx(100 * hi, abs=1e-10)


def test_per_1000_scales_rate_and_intervals():
    t = pd.DataFrame({"ga_days": [280] * 1000, "perinatal_death": [1] * 5 + [0] * 995})
    row = compute(t, "perinatal_mortality", unit=None).table.iloc[0]
    assert row["rate"] == pytest.approx(5.0)
    lo, hi = proportion_confint(5, 1000, method="wilson")
    assert (row["wilson_lcl"], row["wilson_ucl"]) == pytest.approx((1000 * lo, 1000 * hi))


def test_zero_events_and_empty_unit():
    t = pd.DataFrame(
        {"hospital_id": ["A", "A", "B"], "ga_days": [280, 280, 100], "blood_loss": [100, 200, 2000]}
    )
    r = compute(t, "pph", unit="hospital").table.set_index("unit")
    assert r.loc["A", "numerator"] == 0 and r.loc["A", "exact_lcl"] == 0
    assert r.loc["A", "exact_ucl"] == pytest.approx(100 * (1 - 0.025 ** (1 / 2)))
    assert r.loc["B", "denominator"] == 0 and np.isnan(r.loc["B", "rate"])
    assert np.isnan(r.loc["B", "wilson_lcl"])


def test_by_region_all_and_column_name(women):
    assert compute(women, "cs", unit="region").table["unit"].tolist() == ["R1"]
    overall = compute(women, "cs", unit="all")
    assert overall.table["unit"].tolist() == ["all"] and overall.table["unit_type"].iloc[0] == "all"
    assert overall.unit_type == "all"
    assert len(compute(women, "cs", unit="hospital_id").table) == 3


def test_dataset_dispatch_by_level(women):
    births = pd.DataFrame({"hospital_id": ["H1"], "ga_days": [250]})
    data = types.SimpleNamespace(women=women, births=births)
    assert compute(data, "cs", unit="all").table["denominator"].iloc[0] > 1  # woman level
    assert compute(data, "preterm", unit="all").table["numerator"].iloc[0] == 1  # baby level
    with pytest.raises(SpecError, match="Dataset"):
        compute(types.SimpleNamespace(), "cs")


def test_unknown_indicator_suggests_close_ids():
    with pytest.raises(SpecError, match="unknown indicator 'oasiss'.*oasis"):
        get("oasiss")
    with pytest.raises(SpecError, match="unknown indicator"):
        sg.compute(pd.DataFrame(), "nonsense")


def test_missing_column_is_named(women):
    with pytest.raises(SpecError, match="blood_loss"):
        compute(women.drop(columns="blood_loss"), "pph")
    with pytest.raises(SpecError, match="practice_id"):
        compute(women, "cs", unit="practice")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "  - {id: x, name_nl: a, name_en: a, domain: mother, level: woman, population: 'ga_days > 1', unit: percent, better: lower}",
            "lacks field",
        ),
        (
            "  - {id: x, name_nl: a, name_en: a, domain: moon, level: woman, population: 'ga_days > 1', numerator: 'x == 1', unit: percent, better: lower, source: s}",
            "domain 'moon'",
        ),
        (
            "  - {id: x, name_nl: a, name_en: a, domain: mother, level: woman, population: 'ga_days >', numerator: 'x == 1', unit: percent, better: lower, source: s}",
            "cannot read the expression",
        ),
        (
            "  - {id: x, name_nl: a, name_en: a, domain: mother, level: woman, population: '__import__(\"os\")', numerator: 'x == 1', unit: percent, better: lower, source: s}",
            "only missing",
        ),
        (
            "  - {id: x, name_nl: a, name_en: a, domain: mother, level: woman, population: 'ga_days > 1', unit: percent, better: lower, source: s}",
            "numerator",
        ),
        (
            "  - {id: x, name_nl: a, name_en: a, domain: mother, level: woman, population: 'ga_days > 1', numerator: 'x == 1', unit: percent, better: lower, source: s, colour: red}",
            "unknown field",
        ),
        (
            "  - {id: x, name_nl: a, name_en: a, domain: mother, level: woman, population: 'ga_days > 1', numerator: 'x == 1', unit: percent, better: lower, source: s, exclusions: [{why: a}]}",
            "reason",
        ),
    ],
)
def test_malformed_definitions_are_reported(tmp_path, entry, message):
    path = tmp_path / "catalogue.yaml"
    path.write_text("indicators:\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(SpecError, match=message):
        catalogue(path)


def test_duplicate_ids_and_bad_yaml(tmp_path):
    entry = "  - {id: x, name_nl: a, name_en: a, domain: mother, level: woman, population: 'ga_days > 1', numerator: 'x == 1', unit: percent, better: lower, source: s}\n"
    path = tmp_path / "c.yaml"
    path.write_text("indicators:\n" + entry + entry, encoding="utf-8")
    with pytest.raises(SpecError, match="defined twice"):
        catalogue(path)
    path.write_text("indicators: [", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        catalogue(path)


def test_catalogue_lists_required_fields():
    cat = catalogue()
    assert cat["id"].is_unique
    assert set(cat["domain"]) == {"mother", "child", "process", "care_path", "cost"}
    assert cat["name_nl"].str.len().gt(0).all() and cat["source"].str.len().gt(0).all()
    robson = cat[cat["id"].str.startswith("cs_robson_")]
    assert len(robson) == 10
