"""The user catalogue (issue 19, co-designed): indicators and themes a lead professional
defines, saved beside the data and honoured wherever an indicator is looked up.

Counts are checked against pandas masks written here from the definition, not through
the code under test.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

import saz_geboortezorg as sg
from saz_geboortezorg.deprecation import SazDeprecationWarning
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.definitions import load_catalogue
from saz_geboortezorg.indicators.user import (
    USER_CATALOGUE,
    expression_problems,
    indicator_problems,
    merged_catalogue,
)

POPULATION = "parity == 0 and maternal_age < 25 and ga_days >= 259"
NUMERATOR = "onset == 'induced'"


def young_nullip_induction(**changes):
    parts = {
        "name_en": "Induction, nulliparous under 25",
        "name_nl": "Inductie bij nulliparae jonger dan 25",
        "population": POPULATION,
        "numerator": NUMERATOR,
        "exclusions": [("gestational age unknown", "missing(ga_days)")],
        "better": "lower",
    }
    parts.update(changes)
    return sg.define_indicator("induction_young_nullip", **parts)


def hand_counts(women: pd.DataFrame, unit: str | None = None):
    """Denominator and numerator of the definition above, from pandas masks: in the
    population when every part is known and true, the exclusion removes a missing
    gestational age (outside the population anyway when it is known to fail), and the
    outcome must be known (onset not missing)."""
    in_population = (
        women["parity"].eq(0).fillna(False)
        & women["maternal_age"].lt(25).fillna(False)
        & women["ga_days"].ge(259).fillna(False)
    )
    outcome_known = women["onset"].notna() & women["onset"].ne("unknown")
    denominator = in_population & outcome_known
    numerator = denominator & women["onset"].eq("induced").fillna(False)
    if unit is None:
        return int(denominator.sum()), int(numerator.sum())
    frame = pd.DataFrame({"unit": women[unit], "d": denominator, "x": numerator})
    return frame.groupby("unit")[["d", "x"]].sum()


@pytest.fixture
def folder(tmp_path):
    return tmp_path


@pytest.fixture
def saved(folder):
    path = sg.user_catalogue_path(folder)
    sg.save_user_entry(young_nullip_induction(), path)
    return path


# -------------------------------------------------------------------- the file
def test_the_file_lives_beside_the_data_and_has_the_catalogue_format(saved, folder):
    assert saved == folder / USER_CATALOGUE == folder / "mijn_indicatoren.yaml"
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert [e["id"] for e in data["indicators"]] == ["induction_young_nullip"]
    # the shipped catalogue's reader reads it as it is
    read = load_catalogue(saved)["induction_young_nullip"]
    assert read == young_nullip_induction()
    assert read.population == POPULATION and read.numerator == NUMERATOR
    assert [(e.reason, e.when) for e in read.exclusions] == [
        ("gestational age unknown", "missing(ga_days)")
    ]
    # a folder stands for its default file
    assert sg.read_user_catalogue(folder).indicators == {"induction_young_nullip": read}


def test_save_replaces_remove_deletes_and_themes_share_the_file(saved):
    changed = young_nullip_induction(better="neither")
    sg.save_user_entry(changed, saved)
    theme = sg.define_theme(
        "young_nullip",
        name_en="Nulliparous under 25",
        name_nl="Nullipara jonger dan 25",
        expression="parity == 0 and maternal_age < 25",
    )
    sg.save_user_entry(theme, saved)
    cat = sg.read_user_catalogue(saved)
    assert list(cat.indicators) == ["induction_young_nullip"]
    assert cat.indicators["induction_young_nullip"].better == "neither"
    assert cat.themes == {"young_nullip": theme}
    sg.remove_user_entry("induction_young_nullip", saved)
    cat = sg.read_user_catalogue(saved)
    assert cat.indicators == {} and list(cat.themes) == ["young_nullip"]
    with pytest.raises(SpecError, match="not in the user catalogue.*young_nullip"):
        sg.remove_user_entry("nope", saved)
    # a theme and an indicator cannot share an id
    with pytest.raises(SpecError, match="already used"):
        sg.save_user_entry(dataclasses.replace(changed, id="young_nullip"), saved)


def test_an_absent_file_is_an_empty_catalogue(folder):
    cat = sg.read_user_catalogue(folder / "mijn_indicatoren.yaml")
    assert cat.indicators == {} and cat.themes == {}
    assert merged_catalogue(folder / "mijn_indicatoren.yaml") == load_catalogue()


def test_user_ids_never_shadow_shipped_ones(folder):
    with pytest.raises(SpecError, match="shipped indicator's id"):
        sg.define_indicator(
            "pph", name_en="x", name_nl="x", population="ga_days > 0", numerator="cs == 1"
        )
    with pytest.raises(SpecError, match="shipped indicator's id"):
        sg.define_theme("oasis", name_en="x", name_nl="x", expression="parity == 0")
    # a hand-edited file that redefines a shipped id is refused wherever it is read
    text = (
        importlib.resources.files("saz_geboortezorg.indicators")
        .joinpath("catalogue.yaml")
        .read_text(encoding="utf-8")
    )
    shipped = yaml.safe_load(text)["indicators"][0]
    path = folder / "mijn_indicatoren.yaml"
    path.write_text(yaml.safe_dump({"indicators": [shipped]}), encoding="utf-8")
    with pytest.raises(SpecError, match="'cs' is a shipped indicator's id"):
        sg.read_user_catalogue(path)
    with pytest.raises(SpecError, match="shipped indicator's id"):
        sg.compute(pd.DataFrame({"ga_days": [280], "cs": [1]}), "cs", catalogue=path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"population": "__import__('os').system('echo')"}, "may not use|may be called"),
        ({"numerator": "onset.upper() == 'X'"}, "may not use|may be called"),
        ({"numerator": "[x for x in onset]"}, "may not use"),
        ({"population": ""}, "lacks field"),
        ({"name_nl": ""}, "lacks field"),
        ({"better": "worse"}, "better 'worse'"),
        ({"unit": "euro"}, "counts events"),
        ({"level": "hospital"}, "level must be one of"),
        ({"exclusions": [("no reason", "")]}, "needs a reason and a 'when'"),
    ],
)
def test_parts_are_checked_before_the_data(changes, message):
    with pytest.raises(SpecError, match=message):
        young_nullip_induction(**changes)


@pytest.mark.parametrize("bad", ["Cs-young", "x", "1abc", "a b"])
def test_ids_are_short_names(bad):
    with pytest.raises(SpecError, match="lowercase letters"):
        sg.define_indicator(
            bad, name_en="x", name_nl="x", population="ga_days > 0", numerator="cs == 1"
        )


# ----------------------------------------------------------- checks on the data
@pytest.fixture(scope="module")
def women():
    return pd.DataFrame(
        {
            "hospital_id": ["A", "A", "B", "B", "C"],
            "parity": [0, 1, 0, 2, np.nan],
            "maternal_age": [22, 30, 24, 21, 20],
            "ga_days": [280, 270, 265, np.nan, 281],
            "onset": ["induced", "spontaneous", "induced", "induced", "unknown"],
        }
    )


def test_unknown_columns_and_values_are_named_with_close_matches(women):
    assert expression_problems("maternal_ag < 25", women, "population") == [
        "population: unknown column 'maternal_ag'; did you mean 'maternal_age'?"
    ]
    (problem,) = expression_problems("onset in ['induced', 'spontanous']", women, "numerator")
    assert "'spontanous' is not a value of onset" in problem
    assert "did you mean 'spontaneous'?" in problem
    assert "induced, spontaneous, unknown" in problem  # the column's code list
    (problem,) = expression_problems("onset == 1", women, "numerator")
    assert "onset holds text" in problem
    (problem,) = expression_problems("maternal_age >= 'old'", women, "population")
    assert "holds numbers" in problem
    assert expression_problems("parity == 0 and not missing(onset)", women, "x") == []


def test_a_definition_that_selects_nobody_or_counts_outside_its_population(women):
    nobody = young_nullip_induction(population="maternal_age > 60")
    assert indicator_problems(women, nobody) == ["population: selects nobody in the data"]
    none_events = young_nullip_induction(numerator="onset == 'prelabour_cs'")
    (problem,) = indicator_problems(women, none_events)
    assert "'prelabour_cs' is not a value of onset" in problem
    outside = young_nullip_induction(population="parity == 0", numerator="parity >= 1")
    assert indicator_problems(women, outside) == [
        "numerator: selects 2 records, but none of them in the population"
    ]
    everybody_out = young_nullip_induction(
        population="parity == 0", exclusions=[("all", "maternal_age > 0")]
    )
    assert indicator_problems(women, everybody_out) == [
        "exclusions: they remove everybody in the population"
    ]
    assert indicator_problems(women, young_nullip_induction()) == []


# ------------------------------------------------------ honoured where looked up
def test_compute_with_the_user_catalogue_matches_a_hand_count(dataset, saved):
    rates = sg.compute(dataset, "induction_young_nullip", unit="hospital", catalogue=saved)
    expected = hand_counts(dataset.women, "hospital_id")
    table = rates.table.set_index("unit")
    assert table["denominator"].to_dict() == expected["d"].astype(int).to_dict()
    assert table["numerator"].to_dict() == expected["x"].astype(int).to_dict()
    d, x = hand_counts(dataset.women)
    assert d > 300 and 0 < x < d
    assert rates.overall == pytest.approx(x / d)
    # every woman once: denominator, outside the population, or one exclusion
    excluded = [c for c in rates.table.columns if c.startswith("excluded: ")]
    total = rates.table[["denominator", "outside_population", *excluded]].to_numpy().sum()
    assert total == len(dataset.women)
    with pytest.raises(SpecError, match="unknown indicator 'induction_young_nullip'"):
        sg.compute(dataset, "induction_young_nullip")


def test_catalogue_path_still_works_with_a_deprecation_warning(dataset, saved):
    with pytest.warns(SazDeprecationWarning, match="use catalogue="):
        old = sg.compute(dataset, "induction_young_nullip", unit="all", catalogue_path=saved)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = sg.compute(dataset, "induction_young_nullip", unit="all", catalogue=saved)
    pd.testing.assert_frame_equal(old.table, new.table)
    assert sg.get_indicator("induction_young_nullip", saved).id == "induction_young_nullip"


def test_benchmark_takes_the_user_indicators(dataset, saved):
    res = sg.benchmark(dataset, ["cs", "induction_young_nullip"], unit="region", catalogue=saved)
    rows = res.table[res.table["indicator"] == "induction_young_nullip"].set_index("unit")
    expected = hand_counts(dataset.women, "region_id")
    assert rows["n"].to_dict() == expected["d"].astype(int).to_dict()
    assert rows["observed"].astype(int).to_dict() == expected["x"].astype(int).to_dict()
    assert (rows["name_nl"] == "Inductie bij nulliparae jonger dan 25").all()
    assert (~rows["adjusted"].astype(bool)).all()  # crude: no case-mix model
    # without a list: the shipped catalogue, then the user's
    every = sg.benchmark(dataset, unit="region", catalogue=saved, adjusted=False)
    order = list(pd.unique(every.table["indicator"]))
    assert order[-1] == "induction_young_nullip"
    assert order[:-1] == [i for i in load_catalogue() if i in set(order)]


def test_a_user_theme_filters_unit_tables_by_its_expression(dataset, folder):
    theme = sg.define_theme(
        "young_nullip",
        name_en="Nulliparous under 25",
        name_nl="Nullipara jonger dan 25",
        expression="parity == 0 and maternal_age < 25",
    )
    t = sg.unit_table(dataset, "cs", unit="region", adjusted=False, where={theme: ["yes"]})
    w = dataset.women
    in_theme = w["parity"].eq(0) & w["maternal_age"].lt(25)
    in_cs = w["ga_days"].ge(154).fillna(False) & w["cs"].notna()
    expected = (in_theme & in_cs).groupby(w["region_id"]).sum()
    assert t.table.set_index("unit")["n"].to_dict() == expected[expected > 0].to_dict()
