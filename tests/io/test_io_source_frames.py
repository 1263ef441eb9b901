"""The source frames built with fewer copies equal what pandas' own conversions give.

Each test compares with an independent definition: ``pd.read_parquet`` for the raw
Parquet frame, a plain Python check of 0/1 for flags, ``min``/``max`` of the values
present for the packing bounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from saz_geboortezorg.io.convert import convert
from saz_geboortezorg.io.packed import PackedFrame, _bounds
from saz_geboortezorg.io.read import _parquet_frame, read_raw


@pytest.fixture(autouse=True)
def split_read_for_small_files(monkeypatch):
    """The split Parquet read (used from 250,000 rows) for these small files too."""
    import saz_geboortezorg.io.read as read

    monkeypatch.setattr(read, "_SPLIT_READ_ROWS", 0)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zwangerschap_id": ["ZW1", " ZW2", None, "", "ZW5", "ZW6"],
            "flag": pd.array([0, 1, None, 2, 1, None], dtype="Int64"),
            "whole": pd.array([5, -3, 7, None, 0, 12], dtype="Int64"),
            "plain": np.array([1, 2, 3, 4, 5, 6], dtype="int64"),
            "bmi": [21.5, np.nan, 30.0, 18.25, 22.0, 25.0],
            "datum": pd.to_datetime(["2020-01-01", None, "2021-02-03", "2022-03-04", None, None]),
        }
    )


@pytest.mark.parametrize("row_group_size", [None, 2, 4])
def test_parquet_frame_equals_pandas_reader(tmp_path, row_group_size, monkeypatch):
    import saz_geboortezorg.io.read as read

    built = []
    original = read._int64_array
    monkeypatch.setattr(read, "_int64_array", lambda c: built.append(1) or original(c))
    path = tmp_path / "x.parquet"
    _frame().to_parquet(path, row_group_size=row_group_size)
    expected = pd.read_parquet(path).reset_index(drop=True)
    got = _parquet_frame(path)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["flag"].dtype == "Int64"
    assert len(built) == 2  # flag and whole were built from Arrow here, not by pandas


def test_parquet_with_time_zone_and_without_int64_equals_pandas_reader(tmp_path):
    zoned = _frame().assign(
        datum=pd.to_datetime(["2020-01-01"] * 6).tz_localize("Europe/Amsterdam")
    )
    no_ints = _frame().drop(columns=["flag", "whole"])
    for name, frame in (("zoned", zoned), ("no_ints", no_ints)):
        path = tmp_path / f"{name}.parquet"
        frame.to_parquet(path)
        expected = pd.read_parquet(path).reset_index(drop=True)
        pd.testing.assert_frame_equal(_parquet_frame(path), expected, check_exact=True)


def test_parquet_without_pandas_metadata_and_with_stored_index(tmp_path):
    bare = tmp_path / "bare.parquet"
    pq.write_table(pa.table({"a": pa.array([1, None, 3]), "b": [1, 2, 3]}), bare)
    pd.testing.assert_frame_equal(_parquet_frame(bare), pd.read_parquet(bare), check_exact=True)
    indexed = tmp_path / "indexed.parquet"
    pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}, index=[5, 7]).to_parquet(indexed)
    got = _parquet_frame(indexed)
    assert got.columns.tolist() == ["a"] and got["a"].tolist() == [1, pd.NA]


def test_parquet_int64_null_slots_hold_zero(tmp_path):
    path = tmp_path / "x.parquet"
    _frame().to_parquet(path, row_group_size=2)
    raw = read_raw(path).frame
    assert raw.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert raw["whole"].to_numpy(dtype="int64", na_value=0).tolist() == [5, -3, 7, 0, 0, 12]
    assert raw["zwangerschap_id"].isna().tolist() == [False, False, True, True, False, False]


def test_int64_flags_and_integers_convert_as_their_text_does():
    values = [0, 1, None, 2, 1, None, -1]
    raw = pd.Series(pd.array(values, dtype="Int64"))
    text = pd.Series([None if v is None else str(v) for v in values], dtype="str")
    for type_ in ("flag", "integer"):
        got, want = convert(raw, type_), convert(text, type_)
        pd.testing.assert_series_equal(got.values, want.values, check_names=False)
        assert got.bad.tolist() == want.bad.tolist()
        assert got.filled.tolist() == [v is not None for v in values]
    assert convert(raw, "flag").bad.tolist() == [v is not None and v not in (0, 1) for v in values]


def _smallest(present):
    """The smallest signed type holding the values present (int8 when none is)."""
    for dtype in (np.int8, np.int16, np.int32, np.int64):
        info = np.iinfo(dtype)
        if all(info.min <= v <= info.max for v in present):
            return np.dtype(dtype)


@pytest.mark.parametrize(
    "values",
    [[3, None, -2], [None, None], [7], [300, None, 5], [2**20, -(2**20), None], [0, 0, None]],
)
@pytest.mark.parametrize("under_mask", [0, 1000, 2**40])
def test_packed_type_is_the_smallest_for_the_values_present(values, under_mask):
    mask = np.array([v is None for v in values])
    data = np.array([under_mask if v is None else v for v in values], dtype="int64")
    array = pd.arrays.IntegerArray(data, mask)
    present = [v for v in values if v is not None]
    packed = PackedFrame(pd.DataFrame({"a": array}), sample=len(values))
    part = packed.parts[0]
    if _smallest(present) == np.int64:
        assert part is array
    else:
        assert part.values.dtype == _smallest(present)
    pd.testing.assert_frame_equal(packed.frame(), pd.DataFrame({"a": array}))
    if not present:
        assert _bounds(pd.array([], dtype="Int64")) is None


def test_packed_int64_with_garbage_under_the_mask_round_trips():
    data = np.array([5, 123456, -4, 99], dtype="int64")  # 123456 and 99 are masked
    mask = np.array([False, True, False, True])
    frame = pd.DataFrame({"a": pd.arrays.IntegerArray(data, mask)})
    packed = PackedFrame(frame, sample=4)
    assert type(packed.parts[0]).__name__ == "_Integers"
    assert packed.parts[0].values.dtype == np.int8
    pd.testing.assert_frame_equal(packed.frame(), frame)


@pytest.mark.parametrize(
    "regex",
    ["^[A-Za-z0-9_-]{1,40}$", "[a-z]{3}", "^[-a-c0]+$", "[A-Z_]*", "^[a-z]{2,}$", "[xy]"],
)
@pytest.mark.parametrize("sliced", [False, True])
@pytest.mark.parametrize("only_class", [False, True])  # True: every byte in the class
def test_char_class_id_checks_equal_python_fullmatch(regex, sliced, only_class):
    import re

    from saz_geboortezorg.io.validate import _char_class_checks, _id_checks

    reserved = {"all", "total", "abc"}
    pool = ["ZH01", "ALL", "Total", "x" * 40, "x" * 41, "abc", "AbC", "a-b", "", "--", "y", "x"]
    pool += ["a0", "xyx", "ab", "ZZ_", "a b", "é"]
    klass = "[" + regex.split("[")[1].split("]")[0] + "]*"
    if only_class:
        pool = [v for v in pool if re.fullmatch(klass, v)]
    rng = np.random.default_rng(11)
    values = list(rng.choice(np.array(pool + [None], dtype=object), 3000)) + pool + [None]
    chunks = [pa.array(values[:1000], type=pa.large_string()), pa.array(values[1000:])]
    arr = pa.chunked_array([chunks[0], chunks[1].cast(pa.large_string())])
    if sliced:
        arr, values = arr.slice(7, 2500), values[7:2507]
    text = pd.Series(pd.array(arr, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))
    no_match, hit = _id_checks(text, regex, reserved)
    assert no_match.tolist() == [v is None or re.fullmatch(regex, v) is None for v in values]
    assert hit.tolist() == [v is not None and v.lower() in reserved for v in values]
    clean = all(v is None or re.fullmatch(klass, v) for v in values)
    assert (_char_class_checks(arr, regex, reserved) is not None) == clean
    assert clean == only_class


@pytest.mark.parametrize("unit", ["D", "s", "ms", "us", "ns"])
@pytest.mark.parametrize("with_time", [False, True])
def test_dates_packed_by_day_give_back_every_value(unit, with_time):
    from saz_geboortezorg.io.packed import _day_codes

    rng = np.random.default_rng(2)
    days = np.datetime64("2014-01-01") + rng.integers(0, 3650, 5000).astype("timedelta64[D]")
    values = days.astype(f"datetime64[{unit}]")
    values[rng.random(5000) < 0.1] = np.datetime64("NaT")
    if with_time and unit != "D":
        values[7] += np.timedelta64(1, unit)  # one value not at midnight
    packed = _day_codes(values)
    if with_time and unit != "D":
        assert packed is None
    else:
        back = packed.array()
        assert back.dtype == values.dtype
        assert (np.isnat(back) == np.isnat(values)).all()
        assert (back[~np.isnat(values)] == values[~np.isnat(values)]).all()
    frame = pd.DataFrame({"d": np.repeat(values, 20)})  # 100,000 rows, 3,651 days at most
    packed_frame = PackedFrame(frame, sample=1000)
    assert type(packed_frame.parts[0]).__name__ == "_Codes"
    pd.testing.assert_frame_equal(packed_frame.frame(), frame)


def test_dates_spanning_too_many_days_or_all_missing_are_left_to_factorize():
    from saz_geboortezorg.io.packed import _day_codes

    wide = np.array(["1900-01-01", "2100-01-01"], dtype="datetime64[ms]")
    assert _day_codes(wide) is None
    assert _day_codes(np.array(["NaT", "NaT"], dtype="datetime64[ms]")) is None
    assert _day_codes(np.array(["2020-01"], dtype="datetime64[M]")) is None


def _python_integer(text, flag):
    """The documented rule in plain Python: a finite whole number (decimal comma allowed)."""
    if text is None:
        return None, False
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None, True
    ok = np.isfinite(number) and number == int(number) and (not flag or number in (0, 1))
    return (int(number), False) if ok else (None, True)


@pytest.mark.parametrize("flag", [False, True])
@pytest.mark.parametrize("plain", [False, True])  # True: Arrow parses every value
def test_text_integers_and_flags_follow_the_plain_rule(flag, plain):
    values = ["1", "0", "1.0", "01", "-0", "1e3", "7", None, "2.5", "-3"]
    if not plain:
        values += ["x", "inf", "nan", "1,0", "+1", "-0.5"]
    got = convert(pd.Series(values, dtype="str"), "flag" if flag else "integer")
    want = [_python_integer(v, flag) for v in values]
    assert got.values.astype(object).where(got.values.notna(), None).tolist() == [
        w[0] for w in want
    ]
    assert got.bad.tolist() == [w[1] for w in want]
    assert str(got.values.dtype) == "Int64"


@pytest.mark.parametrize("content", [b"", b"not a parquet file", "truncated"])
def test_unreadable_parquet_reports_pandas_error(tmp_path, content):
    from saz_geboortezorg.errors import ExtractError

    path = tmp_path / "x.parquet"
    if content == "truncated":
        _frame().to_parquet(path)
        content = path.read_bytes()[:200]
    path.write_bytes(content)
    try:
        pd.read_parquet(path)
    except Exception as exc:  # what pandas says about the file
        expected = f"x.parquet: cannot be read as a Parquet file ({type(exc).__name__}: {exc})"
    with pytest.raises(ExtractError) as got:
        read_raw(path)
    assert str(got.value) == expected
