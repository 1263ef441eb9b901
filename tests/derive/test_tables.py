"""Derive once: sg.load builds the analysis tables with every derived column, and the
analyses only read them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import saz_geboortezorg as sg
from saz_geboortezorg.derive import robson as robson_module
from saz_geboortezorg.derive import sga as sga_module
from saz_geboortezorg.derive.tables import add_derived, derive_dataset
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.io import load as load_extracts


@pytest.fixture(scope="module")
def linked(synthetic_dir):
    """The same extracts, linked by io only (no derived columns)."""
    return load_extracts(synthetic_dir)


def test_io_alone_has_no_derived_columns(linked):
    assert not {"robson", "robson_main", "sga"} & set(linked.women.columns)
    assert not {"robson", "robson_main", "sga", "cs"} & set(linked.births.columns)
    assert "cs" in linked.women.columns  # any baby by caesarean: made by the linkage


def test_load_adds_every_derived_column(dataset, linked):
    women, births = dataset.women, dataset.births
    assert {"robson", "robson_main", "cs"} <= set(women.columns)
    assert {"robson", "robson_main", "sga", "cs"} <= set(births.columns)
    # the linked columns are untouched, row for row
    pd.testing.assert_frame_equal(women[linked.women.columns], linked.women)
    pd.testing.assert_frame_equal(births[linked.births.columns], linked.births)


def test_cs_per_baby_from_the_mode_by_hand(dataset):
    births = dataset.births
    mode = births["mode"].astype("object")
    expected = np.where(
        mode.isna() | (mode == "unknown"),
        np.nan,
        mode.isin(["prelabour_cs", "intrapartum_cs"]).astype(float),
    )
    np.testing.assert_array_equal(births["cs"].to_numpy(float), expected)


def test_robson_group_1_by_hand(dataset):
    """Group 1 is nulliparous, singleton, cephalic, >= 37+0 weeks, spontaneous labour."""
    w = dataset.women
    by_hand = (
        (w["parity"] == 0)
        & (w["n_babies"] == 1)
        & (w["presentation"] == "cephalic")
        & (w["ga_days"] >= 259)
        & (w["onset"] == "spontaneous")
    )
    assert ((w["robson"] == "1") == by_hand).all()
    assert (w.loc[w["robson"].isin(["2a", "2b"]), "robson_main"] == "2").all()


def test_a_present_column_is_kept_and_an_sga_reference_derives_again():
    b = pd.DataFrame(
        {"birth_weight": [2900, 3100], "sex": "male", "parity": 0, "ga_days": 280, "sga": 0.0}
    )
    assert add_derived(b)["sga"].tolist() == [0.0, 0.0]  # kept: derived once
    ref = pd.DataFrame({"sex": ["male"], "parity_group": ["0"], "ga_weeks": [40], "p10": [3000]})
    assert add_derived(b, sga_reference=ref)["sga"].tolist() == [1.0, 0.0]


def test_nothing_to_derive_from_leaves_the_table_alone():
    t = pd.DataFrame({"hospital_id": ["A"], "ga_days": [280]})
    assert add_derived(t) is t


def test_derive_dataset_copies(linked):
    derived = derive_dataset(linked)
    assert derived is not linked and "robson" not in linked.women.columns
    assert derived.sources is linked.sources and derived.linkage is linked.linkage


def test_analyses_never_re_enter_derive(dataset, monkeypatch):
    """After load, the benchmark (indicators, case-mix models, comparisons) and the
    subgroup rates only read the derived columns: classifying or computing SGA again
    would fail here."""

    def forbidden(*args, **kwargs):
        raise AssertionError("derived again after load")

    monkeypatch.setattr(robson_module, "classify", forbidden)
    monkeypatch.setattr(sga_module, "sga", forbidden)
    result = sg.benchmark(dataset, ["cs", "cs_robson_1", "sga", "big4"], unit="region")
    assert len(result.table) > 0
    rates = sg.group_rates(dataset, "cs", by=["region", "robson_main"])
    assert set(rates["robson_main"]) >= {"1", "5", "10"}


def test_a_hand_made_table_without_a_derived_column_says_how_to_add_it():
    women = pd.DataFrame({"region_id": ["R1"], "ga_days": [280], "mode": ["vacuum"]})
    with pytest.raises(SpecError, match=r"cs is a derived column: add it with sg\.add_derived"):
        sg.unit_table(women, "cs", unit="region", adjusted=False)
    assert sg.unit_table(add_derived(women), "cs", unit="region", adjusted=False).table[
        "n"
    ].tolist() == [1]


def test_load_derives_women_as_add_derived_would(dataset, linked):
    """sg.load takes single-baby pregnancies' Robson/SGA from births: same as deriving."""
    pd.testing.assert_frame_equal(dataset.women, add_derived(linked.women))


def _twins_and_a_mismatch():
    """Pregnancy b: twins born on different days; c: declared single, two baby rows."""
    births = pd.DataFrame(
        {
            "pregnancy_id": ["a", "b", "b", "c", "c"],
            "baby_no": [1, 1, 2, 1, 2],
            "parity": [0, 1, 1, 0, 0],
            "prev_cs": [0, 0, 0, 0, 0],
            "n_babies": [1, 2, 2, 1, 1],
            "presentation": ["cephalic"] * 5,
            "onset": ["spontaneous"] * 5,
            "mode": ["spontaneous"] * 5,
            "ga_days": [280.0, 280.0, 230.0, 280.0, 250.0],
            "birth_weight": [3500.0, 2500.0, 1500.0, 2700.0, 2000.0],
            "sex": ["male", "female", "male", "female", "female"],
        }
    )
    women = births.iloc[[0, 1, 3]].drop(columns="baby_no").reset_index(drop=True)
    women["ga_days"] = [280.0, 230.0, 250.0]  # the shortest of the babies, as link does
    women["cs"] = 0
    return births, women


@pytest.mark.parametrize("reference", [None, "table"])
def test_carry_over_derives_multi_row_pregnancies_again(reference):
    from saz_geboortezorg.derive.tables import _carry_over

    births, women = _twins_and_a_mismatch()
    ref = None
    if reference == "table":
        ref = pd.DataFrame(
            {
                "sex": ["male", "female"] * 2,
                "parity_group": ["0", "0", "1+", "1+"],
                "ga_days": [0] * 4,
                "p10": [2600.0, 2600.0, 2600.0, 2600.0],
            }
        )
        ref = pd.concat([ref.assign(ga_days=d) for d in range(220, 300)], ignore_index=True)
    derived_births = add_derived(births, sga_reference=ref)
    got = _carry_over(derived_births, women, ref)
    expected = add_derived(women, sga_reference=ref)
    pd.testing.assert_frame_equal(got, expected)
    # by hand: c's first baby is term (group 1) but the pregnancy ended at 250 days
    assert derived_births["robson"].tolist()[3] == "1"
    assert got["robson"].tolist() == ["1", "8", "10"]
    # a table not in the loader's order is derived in full, with the same result
    shuffled = women.iloc[[2, 0, 1]]
    pd.testing.assert_frame_equal(
        _carry_over(derived_births, shuffled, ref), add_derived(shuffled, sga_reference=ref)
    )
