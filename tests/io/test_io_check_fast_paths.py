"""The checks' shortcuts give what their plain definitions give.

Each test compares with an independent definition: ``np.isin`` for the code lookup,
Python's ``re.fullmatch`` for ids checked piece by piece, ``pd.read_parquet`` for
numbers and times used on Arrow's buffers, a plain Python check for flags and ranges.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from saz_geboortezorg.io.read import RawExtract, _parquet_frame
from saz_geboortezorg.io.validate import _char_class_checks, _not_codes, check_extract


@pytest.mark.parametrize("seed", range(6))
def test_code_lookup_equals_isin(seed):
    rng = np.random.default_rng(seed)
    low = int(rng.integers(-50, 50))
    span = int(rng.choice([1, 10, 300, 200_000]))  # the last is wider than the table
    data = rng.integers(low, low + span, 500)
    codes = np.unique(rng.integers(low - 2, low + span + 2, int(rng.integers(1, 9))))
    assert _not_codes(data, codes).tolist() == (~np.isin(data, codes)).tolist()
    inside = rng.choice(codes, 50)  # every value a code: nothing outside
    assert not _not_codes(inside, codes).any()


def test_id_lengths_checked_in_pieces_equal_fullmatch(monkeypatch):
    import saz_geboortezorg.io.validate as validate

    monkeypatch.setattr(validate, "_PIECE", 7)  # many pieces, some across chunk ends
    regex, reserved = "^[A-Za-z0-9_-]{2,6}$", {"all", "total"}
    rng = np.random.default_rng(3)
    pool = ["ZH01", "all", "TOTAL", "x", "abcdefg", "ab", "a-b_c", None]
    values = list(rng.choice(np.array(pool, dtype=object), 200))
    arr = pa.chunked_array([values[:55], values[55:]], type=pa.large_string()).slice(3)
    values = values[3:]
    no_match, hit = _char_class_checks(arr, regex, reserved)
    assert no_match.tolist() == [v is None or re.fullmatch(regex, v) is None for v in values]
    assert hit.tolist() == [v is not None and v.lower() in reserved for v in values]


def test_numbers_and_times_with_missing_values_equal_pandas_reader(tmp_path, monkeypatch):
    import saz_geboortezorg.io.read as read

    monkeypatch.setattr(read, "_SPLIT_READ_ROWS", 0)
    rng = np.random.default_rng(5)
    n = 3000
    days = np.datetime64("2020-01-01") + rng.integers(0, 900, n).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "n": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "x": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "t_ms": pd.Series(days.astype("datetime64[ms]")).where(rng.random(n) > 0.3),
            "t_us": pd.Series(days.astype("datetime64[us]")),
            "z": pd.Series(days.astype("datetime64[ms]")).dt.tz_localize("UTC"),
        }
    )
    frame.loc[rng.random(n) < 0.1, "n"] = pd.NA
    path = tmp_path / "x.parquet"
    for row_group_size in (None, 700):
        frame.to_parquet(path, row_group_size=row_group_size)
        expected = pd.read_parquet(path).reset_index(drop=True)
        pd.testing.assert_frame_equal(_parquet_frame(path), expected, check_exact=True)


def test_flags_and_ranges_found_as_plainly_defined():
    flags = [0, 1, None, 1, 0] * 5
    ages = [30, None, 40, 13, 54] * 5
    frame = pd.DataFrame(
        {
            "zwangerschap_id": [f"ZW{i}" for i in range(25)],
            "eerdere_sectio": pd.array(flags, dtype="Int64"),
            "leeftijd_moeder": pd.array(ages, dtype="Int64"),
        },
        index=pd.RangeIndex(1, 26, name="row"),
    )
    good = check_extract(RawExtract(frame, "lvr1.parquet", "row"), "perined_lvr1")
    found = {(p.column, p.what) for p in good.problems}
    assert ("eerdere_sectio", "not 0 or 1") not in found
    assert ("leeftijd_moeder", "value outside the plausible range") not in found
    bad = frame.assign(
        eerdere_sectio=pd.array([2 if i == 4 else f for i, f in enumerate(flags)], dtype="Int64"),
        leeftijd_moeder=pd.array([99 if i == 7 else a for i, a in enumerate(ages)], dtype="Int64"),
    )
    ext = check_extract(RawExtract(bad, "lvr1.parquet", "row"), "perined_lvr1")
    rows = {(p.column, p.what): p.count for p in ext.problems}
    assert rows[("eerdere_sectio", "not 0 or 1")] == 1
    assert rows[("leeftijd_moeder", "value outside the plausible range")] == 1
    assert ext.frame["eerdere_sectio"].isna().sum() == flags.count(None) + 1
    assert ext.frame["leeftijd_moeder"].isna().sum() == ages.count(None) + 1
