"""Flat analysis tables: the dialect is sniffed from the first lines, the file parsed by pyarrow."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from saz_geboortezorg.errors import SazError
from saz_geboortezorg.io.flat import Dialect, read_flat_table, sniff_dialect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"a,b,c\n1,2,3\n", Dialect(",", ".", "utf-8")),
        # a semicolon inside a quoted field does not make it the separator
        (b'a,b\n"x;y;z",2\n"p;q;r",3\n', Dialect(",", ".", "utf-8")),
        (b"a;b\n1,5;2\n", Dialect(";", ",", "utf-8")),
        (b"a;b\n1.5;2\n", Dialect(";", ".", "utf-8")),
        (b"a\tb\n1\t2\n", Dialect("\t", ".", "utf-8")),
        (b"a|b|c\n1|2|3\n", Dialect("|", ".", "utf-8")),
        (b"\xef\xbb\xbfa;b\n1;2\n", Dialect(";", ".", "utf-8-sig")),
        ("naam;x\nZoë;1\n".encode("cp1252"), Dialect(";", ".", "cp1252")),
        # a comma in a comma-separated file is never a decimal mark
        (b"a,b\n1,5\n", Dialect(",", ".", "utf-8")),
    ],
)
def test_sniff_dialect(text, expected):
    assert sniff_dialect(text) == expected


def test_a_line_cut_by_the_sample_is_ignored():
    assert sniff_dialect(b"a;b\n1;2\n3;4,").separator == ";"


def test_no_steady_separator_is_a_clear_error():
    with pytest.raises(SazError, match="cannot tell the separator"):
        sniff_dialect(b"just one column\nof words\n")
    with pytest.raises(SazError, match="empty"):
        sniff_dialect(b"\n\n")


def test_dutch_export_reads_like_the_plain_file(tmp_path):
    frame = pd.DataFrame(
        {
            "hospital": ["ZH01", "ZH02", "ZH01", None],
            "cs": [1, 0, None, 1],
            "bmi": [23.5, 31.25, None, 19.0],
            "naam": ["Zoë", "Ångström", "a;b", "x"],
        }
    )
    plain, dutch = tmp_path / "plain.csv", tmp_path / "dutch.csv"
    frame.to_csv(plain, index=False)
    frame.to_csv(dutch, index=False, sep=";", decimal=",", encoding="cp1252")
    a, b = read_flat_table(plain), read_flat_table(dutch)
    pd.testing.assert_frame_equal(a, b)
    assert b["bmi"].tolist()[:2] == [23.5, 31.25] and math.isnan(b["bmi"].iloc[2])
    assert b["naam"].tolist() == ["Zoë", "Ångström", "a;b", "x"]
    assert b["hospital"].isna().tolist() == [False, False, False, True]
    assert b["cs"].isna().tolist() == [False, False, True, False]


def test_latin1_beyond_the_sample_is_still_decoded(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(("a;b\n" + "x;1,5\n" * 20_000 + "Zoë;2,5\n").encode("cp1252"))
    assert path.stat().st_size > 65_536  # the accent lies beyond the sniffed sample
    table = read_flat_table(path)
    assert table["a"].iloc[-1] == "Zoë" and table["b"].iloc[-1] == 2.5
    assert len(table) == 20_001


def test_parquet_and_missing_files(tmp_path):
    frame = pd.DataFrame({"hospital": ["A", "B"], "cs": [1, 0]})
    frame.to_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(read_flat_table(tmp_path / "t.parquet"), frame)
    with pytest.raises(SazError, match="no such file"):
        read_flat_table(tmp_path / "absent.csv")
