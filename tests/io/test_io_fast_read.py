"""The fast paths of reading and validation give what the plain definitions give.

Each test compares with an independent definition: Python's own string and
``pandas`` operations (``str.strip``-like trimming via Arrow's kernel, ``float()``
on the text, ``DataFrame.duplicated``), never with the fast path's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from saz_geboortezorg.io.convert import convert
from saz_geboortezorg.io.read import RawExtract, _records_in, clean_text, read_raw
from saz_geboortezorg.io.validate import check_extract, duplicated

TEXT = ["a", " b", "c ", "\u00a0d\u00a0", "", "  ", None, "\te\n", "Zoë", "ë ", "\u3000f", "x y"]


def _expected_clean(values):
    """Arrow's Unicode trim, then empty text as missing (the documented rule)."""
    trimmed = pc.utf8_trim_whitespace(pa.array(values, type=pa.large_string())).to_pylist()
    return [None if v is None or v == "" else v for v in trimmed]


@pytest.mark.parametrize(
    "values",
    [
        TEXT,
        ["ZW1", "ZW2", "", None, "ZW3"],  # plain ASCII: no trimming needed, empty -> NA
        ["ZW1", "ZW2"],  # nothing to change at all
        ["a b", "c\td"],  # inner whitespace only: the bytes scan fails, the edges pass
        ["a b", "", "ZW2 "],  # whitespace at the very end, an empty value between
        ["\tZW1", "ZW2"],  # a control character at the very start
        ["ZW1", "\u00a0ZW2\u2003", "é"],  # non-ASCII whitespace and letters
        ["", ""],
        [None, None],
    ],
)
def test_clean_text_trims_and_makes_empty_missing(values):
    got = clean_text(pd.DataFrame({"a": pd.Series(values, dtype=object)}))["a"]
    want = _expected_clean(values)
    assert [None if pd.isna(v) else v for v in got.tolist()] == want
    assert got.isna().tolist() == [v is None for v in want]


def test_clean_text_of_chunked_and_sliced_arrow_columns():
    chunks = [pa.array(TEXT, type=pa.large_string()).slice(2), pa.array([" q", "", "r"])]
    column = pa.chunked_array([chunks[0], chunks[1].cast(pa.large_string())])
    series = pd.Series(pd.array(column, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))
    got = clean_text(pd.DataFrame({"a": series}))["a"]
    want = _expected_clean(TEXT[2:] + [" q", "", "r"])
    assert [None if pd.isna(v) else v for v in got.tolist()] == want


def test_clean_text_leaves_numbers_alone():
    frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "t": [" 1", "2 "]})
    out = clean_text(frame)
    assert out["n"].dtype == "Int64" and out["n"].tolist() == [1, pd.NA]
    assert out["t"].tolist() == ["1", "2"]


@pytest.mark.parametrize("type_", ["integer", "flag"])
def test_parquet_integers_convert_like_their_text(type_):
    values = [0, 1, 2, -7, None, 2**53 + 1]
    typed = convert(pd.Series(values, dtype="Int64"), type_)
    ok = [v is not None and (type_ == "integer" or v in (0, 1)) for v in values]
    assert typed.bad.tolist() == [v is not None and not k for v, k in zip(values, ok, strict=True)]
    assert typed.values.tolist() == [v if k else pd.NA for v, k in zip(values, ok, strict=True)]
    assert typed.values.dtype == "Int64"
    # the same values as text (up to 2**53, where float text parsing is exact)
    text = convert(
        pd.Series([None if v is None else str(v) for v in values[:-1]], dtype="str"), type_
    )
    assert text.values.tolist() == typed.values.tolist()[:-1]
    assert text.bad.tolist() == typed.bad.tolist()[:-1]


def test_text_numbers_follow_float_parsing():
    text = ["3", "3.0", "1e1", "-2", "3.5", "0x1A", "+5", "inf", "nan", "24,0", "x", None]
    got = convert(pd.Series(text, dtype="str"), "integer")
    want = []
    for t in text:
        try:
            f = float(t.replace(",", ".")) if t is not None else None
        except ValueError:
            f = None
        want.append(int(f) if f is not None and np.isfinite(f) and f == int(f) else pd.NA)
    assert got.values.tolist() == want


def _reference_duplicated(frame, key):
    dup = frame.duplicated(subset=key, keep=False).to_numpy()
    return dup & frame[key].notna().all(axis=1).to_numpy()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("order", ["random", "sorted"])
def test_duplicated_agrees_with_pandas(seed, order):
    rng = np.random.default_rng(seed)
    n = 2000
    ids = pd.Series([f"ZW{i:05d}" for i in rng.integers(0, 1500, n)], dtype="str")
    rank = pd.Series(rng.integers(1, 3, n), dtype="Int64")
    if order == "random":
        ids[rng.choice(n, 20, replace=False)] = None
        rank[rng.choice(n, 20, replace=False)] = None
    frame = pd.DataFrame({"id": ids, "rank": rank})
    if order == "sorted":
        frame = frame.drop_duplicates().sort_values(["id", "rank"]).reset_index(drop=True)
    for key in (["id"], ["id", "rank"], ["rank"]):
        assert duplicated(frame, key).tolist() == _reference_duplicated(frame, key).tolist()


def test_sorted_unique_key_has_no_duplicates_and_a_repeat_is_found():
    frame = pd.DataFrame({"id": pd.Series([f"D{i:07d}" for i in range(1000)], dtype="str")})
    assert not duplicated(frame, ["id"]).any()
    frame.loc[500, "id"] = "D0000499"  # still sorted, but a repeat
    assert np.flatnonzero(duplicated(frame, ["id"])).tolist() == [499, 500]


def test_missing_key_is_an_empty_value_not_a_duplicate():
    raw = RawExtract(
        pd.DataFrame(
            {
                "declaratie_id": [None, None, "D2", "D2"],
                "zwangerschap_id": ["ZW1"] * 4,
                "zorgaanbieder_id": ["ZH01"] * 4,
                "lijn": ["2"] * 4,
                "zorgproduct": ["P"] * 4,
                "zorgfase": ["F"] * 4,
                "datum_begin": ["2021-01-01"] * 4,
                "datum_eind": ["2021-01-02"] * 4,
                "tarief": ["100"] * 4,
            },
            dtype="str",
            index=pd.RangeIndex(2, 6, name="line"),
        ),
        "claims.csv",
        "line",
    )
    problems = [str(p) for p in check_extract(raw, "dbc_declaraties").problems]
    assert any("'declaratie_id': empty value in 2 rows (lines 2, 3)" in p for p in problems)
    dup = [p for p in problems if "duplicate key" in p]
    assert len(dup) == 1 and "(lines 4 'D2', 5 'D2')" in dup[0]


@pytest.mark.parametrize(
    "text", ["a\nb\n", "a\nb", "a\r\nb\r\n\r\n", "\n\n", "a", "", "a\n\nb\n\n", "a\rb\r"]
)
def test_record_count_from_bytes(text):
    assert _records_in(text.encode("utf-8")) == text.rstrip("\r\n").count("\n")


def test_utf8_csv_with_bom_non_ascii_and_padding(tmp_path):
    p = tmp_path / "x.csv"
    rows = "naam;n\n" + "".join(f" Zoë {i} ;{i}\n" for i in range(3000)) + "\n\n"
    p.write_bytes(b"\xef\xbb\xbf" + rows.encode("utf-8"))
    raw = read_raw(p)
    assert raw.encoding == "utf-8-sig" and raw.separator == ";"
    assert raw.frame["naam"].tolist()[:2] == ["Zoë 0", "Zoë 1"]
    assert raw.frame.index[-1] == 3001 and len(raw.frame) == 3000
    assert "x.csv: 2 blank line(s) skipped" in raw.notes


def test_utf8_csv_without_trailing_blank_lines_has_no_line_break_note(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    assert not any("line breaks" in n for n in read_raw(p).notes)
    p.write_text('a,b\n"1\nx",2\n3,4\n', encoding="utf-8")
    assert any("line breaks" in n for n in read_raw(p).notes)


def test_latin1_csv_is_still_detected(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes("naam,n\nCafé,1\n".encode("latin-1"))
    raw = read_raw(p)
    assert raw.encoding == "cp1252" and raw.frame["naam"].tolist() == ["Café"]


@pytest.mark.parametrize("with_line_break", [False, True])
def test_id_checks_agree_with_pandas_string_methods(with_line_break):
    from saz_geboortezorg import schema
    from saz_geboortezorg.io.validate import _id_checks

    pat = schema.patterns()["safe_id"]
    reserved = {str(r).lower() for r in pat["reserved"]}
    values = ["ZH01", "a b", "ALL", "Total", None, "x" * 40, "x" * 41, "é", "İ", "NaN", "-"]
    values += ["\u212aall", "a/b", "<b>", "ZW_1"] + (["a\nb", "ab\n"] if with_line_break else [])
    text = pd.Series(values, dtype="str")
    no_match, hit = _id_checks(text, pat["regex"], reserved)
    assert no_match.tolist() == (~text.str.fullmatch(pat["regex"]).fillna(False)).tolist()
    assert hit.tolist() == text.str.lower().isin(reserved).tolist()
    assert no_match[[1, 6, 7, 12]].all() and hit[[2, 3, 9]].all()  # and they find something


@pytest.mark.parametrize(
    "pool",
    [
        ["2021-03-05", "2020-02-29", None],
        ["2021-03-05", "05-03-2021", "x", "2023-02-30", None, "2021-3-5"],
        ["2021-03-05T10:00", "2021-03-05 10:00:00.123456789", "2021-03-05"],
        ["31-12-2020", "01-01-2021"],
    ],
)
def test_text_dates_parsed_once_per_distinct_value_as_pandas_does(pool):
    rng = np.random.default_rng(5)
    text = pd.Series(rng.choice(np.array(pool, dtype=object), 5000), dtype="str")
    got = convert(text, "date").values
    want = pd.to_datetime(text, format="ISO8601", errors="coerce")
    retry = want.isna() & text.notna()
    if retry.any():
        want = want.copy()
        want[retry] = pd.to_datetime(text[retry], format="%d-%m-%Y", errors="coerce")
    assert got.dtype == want.dtype
    pd.testing.assert_series_equal(got, want, check_names=False)
