"""The label columns of ``births`` and ``women`` are pandas ``category`` columns.

The contract (docs/performance-national.md, "Fourth round"): unordered; the
categories are the labels that occur in the column, sorted as Python sorts text, of
dtype ``str``; a missing value is NaN, never a category. ``pregnancy_id`` stays text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.derive.tables import add_derived
from saz_geboortezorg.io.decode import categorical, decode

#: The label columns, written out here (not taken from the code).
LABELS = [
    "birth_source",
    "hospital_id",
    "region_id",
    "practice_id",
    "booking_hospital_id",
    "booking_region_id",
    "booking_from",
    "age_band",
    "parity_group",
    "bmi_band",
    "smoking",
    "ses_quintile",
    "migration",
    "risk_status_booking",
    "risk_status_before_labour",
    "sex",
    "presentation",
    "onset",
    "mode",
    "cs_indication",
    "pain_relief_method",
    "perinatal_death_phase",
    "referral_pregnancy_reason",
    "referral_labour_reason",
    "referral_postpartum_reason",
    "intended_place",
    "actual_place",
    "robson",
    "robson_main",
]


def assert_label_column(s: pd.Series) -> None:
    """``s`` follows the category contract, checked against its own values as text."""
    assert isinstance(s.dtype, pd.CategoricalDtype), s.name
    assert not s.dtype.ordered, s.name
    assert s.cat.categories.dtype == "str", s.name
    values = s.astype(object)
    present = sorted({v for v in values if isinstance(v, str)})
    assert list(s.cat.categories) == present, s.name  # observed only, sorted as text
    assert not s.cat.categories.isna().any(), s.name
    # missing is NaN (code -1) and nothing else
    assert (s.cat.codes.to_numpy() == -1).sum() == values.isna().sum(), s.name


@pytest.mark.parametrize("table", ["births", "women"])
def test_label_columns_are_observed_sorted_categories(dataset, table):
    frame = getattr(dataset, table)
    for c in LABELS:
        assert_label_column(frame[c])
    others = [c for c in frame.columns if c not in LABELS]
    assert not [c for c in others if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    assert frame["pregnancy_id"].dtype == "str"


def test_missing_labels_stay_missing(dataset):
    """A caesarean indication only for a prelabour caesarean: elsewhere NaN, not a label."""
    b = dataset.births
    prelabour = b["mode"].astype(object).eq("prelabour_cs").to_numpy()
    assert prelabour.any() and (~prelabour).any()
    assert b["cs_indication"].isna().to_numpy().tolist() == (~prelabour).tolist()
    # a first-line start has a practice, a second-line start none
    first_line = b["start_line"].eq(1).to_numpy()
    assert b["practice_id"].isna().to_numpy().tolist() == (~first_line).tolist()


def test_sorting_and_counts_match_text(dataset):
    """Sorting, groupby order and value_counts of a whole table equal the text column's."""
    b = dataset.births
    for c in ("hospital_id", "mode", "robson", "age_band"):
        text = b[c].astype("str")
        assert b[c].sort_values(kind="stable").index.tolist() == (
            text.sort_values(kind="stable").index.tolist()
        )
        assert list(b.groupby(c).size().index) == list(
            b.assign(**{c: text}).groupby(c).size().index
        )
        counts = b[c].value_counts(sort=False)
        assert counts.to_dict() == text.value_counts(sort=False).sort_index().to_dict()


def test_women_categories_are_those_of_women(dataset):
    """women takes the first baby of each pregnancy: a label only a later baby has is
    not a category of women."""
    sex_births = set(dataset.births["sex"].dropna().astype(str))
    sex_women = set(dataset.women["sex"].dropna().astype(str))
    assert sex_women <= sex_births
    assert set(dataset.women["sex"].cat.categories) == sex_women


def test_add_derived_on_text_table_gives_the_same_dtypes(dataset):
    """A hand-made table with text columns gets the Robson groups as categories too,
    with the same values as the loaded table."""
    cols = ["parity", "prev_cs", "n_prev_cs", "n_babies", "presentation", "ga_days", "onset"]
    women = dataset.women
    text = women[cols].copy()
    for c in ("presentation", "onset"):
        text[c] = text[c].astype("str")
    derived = add_derived(text)
    for c in ("robson", "robson_main"):
        assert_label_column(derived[c])
        assert derived[c].dtype == women[c].dtype  # all groups occur in both
        assert derived[c].astype(str).tolist() == women[c].astype(str).tolist()


def test_add_derived_small_table_has_only_its_groups():
    table = pd.DataFrame(
        {
            "parity": [0, 0, 2],
            "prev_cs": [0, 0, 0],
            "n_babies": [1, 1, 1],
            "presentation": ["cephalic", "cephalic", "breech"],
            "ga_days": [280, 250, 280],
            "onset": ["spontaneous", "induced", "spontaneous"],
        }
    )
    derived = add_derived(table)
    assert derived["robson"].tolist() == ["1", "10", "7"]
    assert list(derived["robson"].cat.categories) == ["1", "10", "7"]  # text order
    assert_label_column(derived["robson_main"])


def test_categorical_merges_repeated_names_and_keeps_missing_out():
    s = categorical(np.array([3, -1, 0, 1, -1]), ["b", "a", "zz", "b"])
    assert s.astype(object).tolist() == ["b", np.nan, "b", "a", np.nan]
    assert list(s.cat.categories) == ["a", "b"]
    assert s.cat.codes.tolist() == [1, -1, 1, 0, -1]
    empty = categorical(np.array([-1, -1]), [])
    assert empty.isna().all() and len(empty.cat.categories) == 0


def test_decode_small_codes_reject_fractions_and_out_of_range():
    """The lookup table path: only whole codes in the map are labels."""
    values = pd.Series([1.0, 2.0, 1.5, -1.0, 300.0, np.nan, 2.0])
    s = decode(values, "sex")
    assert s.astype(object).tolist() == [
        "male",
        "female",
        "unknown",
        "unknown",
        "unknown",
        "unknown",
        "female",
    ]
    assert list(s.cat.categories) == ["female", "male", "unknown"]
    blank = decode(pd.Series([1, None, 7], dtype="Int64"), "sex", None)
    assert blank.astype(object).tolist() == ["male", np.nan, np.nan]
    assert list(blank.cat.categories) == ["male"]
