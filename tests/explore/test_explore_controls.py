"""Option lists and the English/Dutch label switch."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.derive.tables import add_derived
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.explore import controls
from saz_geboortezorg.explore.labels import WORDS, indicator_label, label, value_label
from saz_geboortezorg.indicators import catalogue


def test_every_english_label_has_a_dutch_one():
    assert set(WORDS["en"]) == set(WORDS["nl"])
    assert all(WORDS["nl"][k] for k in WORDS["nl"])


def test_indicators_grouped_by_domain_in_both_languages():
    cat = catalogue()
    en = controls.indicator_options("en")
    nl = controls.indicator_options("nl")
    assert [v for _, v in en] == [v for _, v in nl]
    assert sorted(v for _, v in en) == sorted(cat["id"])
    order = ["mother", "child", "process", "care_path", "cost"]
    domains = cat.set_index("id")["domain"]
    ranks = [order.index(domains[v]) for _, v in en]
    assert ranks == sorted(ranks)  # grouped by domain, mother first
    names = cat.set_index("id")
    oasis_nl = dict((v, k) for k, v in nl)["oasis"]
    assert oasis_nl == f"Moeder · {names.loc['oasis', 'name_nl']}"
    oasis_en = dict((v, k) for k, v in en)["oasis"]
    assert names.loc["oasis", "name_en"] in oasis_en and names.loc["oasis", "name_nl"] in oasis_en


def test_english_labels_carry_the_dutch_term():
    assert label("region") == "Region (regio)"
    assert label("practice") == "Midwifery practice (verloskundigenpraktijk)"
    assert label("adjusted", "nl") == "Gecorrigeerd voor case-mix"
    assert indicator_label("preterm", "nl") == "Vroeggeboorte (< 37 weken)"
    assert value_label("migration", "non_european", "nl") == "niet-Europees"
    with pytest.raises(SpecError, match="language"):
        label("region", "fr")


def test_levels_periods_units_and_themes(women):
    assert [v for _, v in controls.level_options(women)] == ["hospital", "region", "practice"]
    assert controls.period_options(women) == [
        ("All years", "all"),
        ("Year 2021", "2021"),
        ("Year 2022", "2022"),
        ("Year 2023", "2023"),
    ]
    assert controls.period_bounds("2023") == ("2023-01-01", "2023-12-31")
    with pytest.raises(SpecError, match="period must be"):
        controls.period_bounds("2023-Q1")
    units = controls.unit_options(women, "hospital")
    assert units[0] == ("(none)", None) and units[1] == ("H1", "H1") and len(units) == 9
    themes = controls.theme_options(women, "nl")
    assert list(themes) == ["ses_quintile", "migration", "parity_group"]  # no Robson columns
    robson = women.assign(parity=0, prev_cs=0, n_babies=1, presentation="cephalic")
    assert "robson_main" not in controls.theme_options(robson, "nl")  # not derived here
    themes = controls.theme_options(add_derived(robson), "nl")
    assert list(themes) == ["ses_quintile", "migration", "parity_group", "robson_main"]
    assert themes["migration"] == (
        "Migratieachtergrond",
        [("Nederlands", "dutch"), ("niet-Europees", "non_european")],
    )
    assert [v for _, v in themes["robson_main"][1]][-2:] == ["10", "unclassifiable"]
    assert [v for _, v in controls.limit_options()] == [(95.0, 99.8), (95.0,), (99.8,)]


def test_method_notes_in_dutch():
    from saz_geboortezorg.explore.labels import method_label

    notes = {
        "case-mix model 'caesarean' (indirect standardisation)": (
            "case-mixmodel 'caesarean' (indirecte standaardisatie)"
        ),
        "case-mix model 'pph' (indirect standardisation); problems: separation in parity": (
            "case-mixmodel 'pph' (indirecte standaardisatie); problemen: separation in parity"
        ),
        "crude (adjustment switched off)": "ruw (correctie voor case-mix uitgezet)",
        "crude: the catalogue gives no case-mix model for this indicator": (
            "ruw: de catalogus geeft geen case-mixmodel voor deze indicator"
        ),
    }
    for english, dutch in notes.items():
        assert method_label(english, "nl") == dutch
        assert method_label(english, "en") == english
    restricted = method_label(
        "crude: case-mix spec 'x' restricts the population further than the indicator; "
        "its expected values do not cover every record",
        "nl",
    )
    assert restricted.startswith("ruw: case-mixspecificatie 'x' beperkt de populatie")
    assert method_label("something new", "nl") == "something new"  # shown as it is


def test_options_of_categorical_label_columns_equal_those_of_text():
    """sg.load gives label columns as categories: the choices must not change."""
    from saz_geboortezorg.explore.controls import theme_options, unit_options

    text = pd.DataFrame(
        {
            "region_id": ["R2", "R1", None, "R2"],
            "ses_quintile": ["unknown", "2", "1", None],
            "migration": ["dutch", "other", "dutch", "unknown"],
            "parity_group": ["0", "2+", "1", "0"],
        },
        dtype="str",
    )
    cats = text.astype("category")
    assert unit_options(cats, "region") == unit_options(text, "region")
    assert unit_options(cats, "region") == [("(none)", None), ("R1", "R1"), ("R2", "R2")]
    assert theme_options(cats) == theme_options(text)
    assert [v for _, v in theme_options(cats)["ses_quintile"][1]] == ["1", "2", "unknown"]


def test_options_skip_categories_nobody_has():
    """A category no record has (left over from a subset) and a missing value are not
    choices; the years are those of the dates present, in any time unit."""
    from saz_geboortezorg.explore.controls import period_options, unit_options

    region = pd.Categorical(["R2", None, "R2"], categories=["R1", "R2", "R3"])
    frame = pd.DataFrame({"region_id": region})
    assert unit_options(frame, "region") == [("(none)", None), ("R2", "R2")]
    dates = pd.to_datetime(["1969-12-31 23:59", None, "2022-06-01", "2021-01-01"], format="ISO8601")
    for unit in ("ns", "us", "ms", "s"):
        w = pd.DataFrame({"birth_date": dates.astype(f"datetime64[{unit}]")})
        assert [v for _, v in period_options(w)] == ["all", "1969", "2021", "2022"]
    assert period_options(pd.DataFrame({"birth_date": pd.to_datetime([None])})) == [
        ("All years", "all")
    ]
