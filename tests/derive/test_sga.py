"""SGA with a pluggable birth-weight reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.derive.sga import load_reference, sga
from saz_geboortezorg.errors import SpecError


def test_daily_reference_and_boundaries(tmp_path):
    path = tmp_path / "hoftiezer_like.csv"
    pd.DataFrame(
        {
            "sex": ["Male", "male", "female", "female"],
            "parity_group": ["nulliparous", "nulliparous", "multiparous", "multiparous"],
            "ga_days": [280, 281, 280, 281],
            "p10": [3000, 3010, 3100, 3110],
        }
    ).to_csv(path, index=False)
    births = pd.DataFrame(
        {
            "birth_weight": [3005, 3005, 3105, 3105, 3000, 3000],
            "sex": ["male", "male", "female", "female", "male", "unknown"],
            "parity": [0, 0, 1, 3, 0, 0],
            "ga_days": [280, 281, 280, 281, 282, 280],
        }
    )
    flags = sga(births, path)
    assert flags.iloc[:4].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert np.isnan(flags.iloc[4])  # outside the reference's days
    assert np.isnan(flags.iloc[5])  # sex unknown


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"sex": ["male"], "ga_weeks": [40], "p10": [3000]}), "parity_group"),
        (
            pd.DataFrame({"sex": ["male"], "parity_group": ["0"], "p10": [3000]}),
            "ga_weeks or ga_days",
        ),
        (
            pd.DataFrame({"sex": ["x"], "parity_group": ["0"], "ga_weeks": [40], "p10": [3]}),
            "male/female",
        ),
        (
            pd.DataFrame({"sex": ["male"], "parity_group": ["0"], "ga_weeks": [40], "p10": [-3]}),
            "positive",
        ),
        (
            pd.DataFrame(
                {
                    "sex": ["male"] * 2,
                    "parity_group": ["0"] * 2,
                    "ga_weeks": [40] * 2,
                    "p10": [3] * 2,
                }
            ),
            "duplicate",
        ),
    ],
)
def test_bad_reference_is_reported(tmp_path, frame, message):
    path = tmp_path / "ref.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SpecError, match=message):
        load_reference(path)


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(SpecError, match="cannot read"):
        load_reference(tmp_path / "nope.csv")
    with pytest.raises(SpecError, match="birth_weight"):
        sga(pd.DataFrame({"sex": ["male"]}), pd.DataFrame())


def test_sex_in_any_case_and_a_repeated_index_by_hand():
    """Each row against its own p10: sex compared lower-cased, rows by position."""
    ref = pd.DataFrame(
        {
            "sex": ["male", "female", "male", "female"],
            "parity_group": ["0", "0", "1+", "1+"],
            "ga_weeks": [40] * 4,
            "p10": [3000, 2900, 3100, 3050],
        }
    )
    births = pd.DataFrame(
        {
            "birth_weight": [2950, 2950, 3090, 3090, 2000, 3000],
            "sex": ["MALE", "Female", "male", None, "female", "female"],
            "parity": [0, 0, 3, 1, None, 2],
            "ga_days": [281, 281, 286, 280, 280, 287],  # 287: outside week 40 (280-286)
        },
        index=[7, 7, 8, 8, 9, 9],
    )
    # by hand: 2950 < 3000; 2950 >= 2900; 3090 < 3100; no sex; no parity; ga outside
    expected = [1.0, 0.0, 1.0, np.nan, np.nan, np.nan]
    got = sga(births, ref)
    np.testing.assert_array_equal(got.to_numpy(), expected)
    assert got.index.tolist() == [7, 7, 8, 8, 9, 9]
    # a category column (as the loader makes it), with an unused category: the same
    births["sex"] = pd.Categorical(
        births["sex"], categories=["Female", "MALE", "female", "male", "x"]
    )
    np.testing.assert_array_equal(sga(births, ref).to_numpy(), expected)
