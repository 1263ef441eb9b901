"""Reading files: Dutch spreadsheet CSV, BOM, UTF-16, Parquet round trip."""

from __future__ import annotations

import handmade
import pandas as pd
import pytest

from saz_geboortezorg.io import load
from saz_geboortezorg.io.read import read_raw


def _same(a, b):
    for name in ("births", "women", "linkage"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=True)
    # Row numbers differ between CSV (line, header = 1) and Parquet (row from 1).
    offset = 1 if a.sources["perined_lvr2"].index.name == "row" else 0
    pd.testing.assert_frame_equal(
        a.excluded.assign(row_in_file=a.excluded["row_in_file"] + offset), b.excluded
    )
    for source in a.sources:
        pd.testing.assert_frame_equal(
            a.sources[source].reset_index(drop=True), b.sources[source].reset_index(drop=True)
        )


def test_dutch_excel_export_reads_like_utf8_comma(tmp_path, data):
    folder = handmade.write(tmp_path / "nl", sep=";", decimal=",", encoding="latin-1")
    raw = (folder / "organisaties.csv").read_bytes()
    assert "René".encode("latin-1") in raw and b";" in raw  # really latin-1 and semicolons
    assert b"23,4" in (folder / "perined_lvr1.csv").read_bytes()  # and a decimal comma
    dutch = load(folder, salt="test-salt")
    _same(dutch, data)
    assert "Verloskundigen René & Café de Wieg" in dutch.sources["organisaties"]["naam"].tolist()
    assert any("read as cp1252" in n for n in dutch.notes)
    assert any("semicolon-separated" in n for n in dutch.notes)


def test_utf8_bom_and_crlf(tmp_path, data):
    folder = handmade.write(tmp_path / "bom", encoding="utf-8-sig")
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert (folder / "organisaties.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    _same(load(folder, salt="test-salt"), data)


def test_utf16_with_tabs(tmp_path, data):
    folder = handmade.write(tmp_path / "u16", sep="\t", encoding="utf-16")
    _same(load(folder, salt="test-salt"), data)


def test_parquet_round_trip_of_typed_sources(tmp_path, data):
    folder = tmp_path / "pq"
    folder.mkdir()
    for source, frame in data.sources.items():
        frame.reset_index(drop=True).to_parquet(folder / f"{source}.parquet", index=False)
    again = load(folder, salt="test-salt")
    _same(again, data)
    assert again.sources["perined_lvr2"].index[0] == 1  # Parquet rows count from 1


def test_parquet_of_text_columns(tmp_path, data):
    folder = handmade.write(tmp_path / "pqtext", fmt="parquet")
    _same(load(folder, salt="test-salt"), data)


def test_parquet_problems_name_rows(tmp_path):
    tables = handmade.tables()
    tables["perined_lvr2"].loc[2, "apgar_5"] = "12"
    folder = handmade.write(tmp_path / "bad", tables, fmt="parquet")
    with pytest.raises(Exception) as exc:
        load(folder)
    msg = str(exc.value)
    assert (
        "perined_lvr2.parquet, column 'apgar_5': value outside the plausible range in 1 row (row 3 '12')"
        in msg
    )
    assert "Parquet row numbers count data rows from 1" in msg


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n\n  ,  \n3,4\n", encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame.index.tolist() == [2, 5]
    assert any("2 blank line(s) skipped" in n for n in raw.notes)


def test_column_names_are_normalised(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(" Zwangerschap_ID ;BMI\nZ1; 24,5 \n", encoding="utf-8")
    raw = read_raw(path)
    assert list(raw.frame.columns) == ["zwangerschap_id", "bmi"]
    assert raw.frame["bmi"].tolist() == ["24,5"]


def test_duplicate_column_names(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,A\n1,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="column name\\(s\\) appear more than once: a"):
        read_raw(path)


def test_unknown_suffix(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(Exception, match="unknown file type '.xlsx'; expected .csv or .parquet"):
        read_raw(path)


def test_dutch_thousands_separator_and_dates(tmp_path):
    tables = handmade.tables()
    tables["dbc_declaraties"].loc[0, "tarief"] = "1.310,75"
    tables["dbc_declaraties"].loc[1, "datum_begin"] = "10-01-2024"
    folder = handmade.write(tmp_path / "nl", tables, sep=";")
    claims = load(folder, salt="s").sources["dbc_declaraties"]
    assert claims["tarief"].iloc[0] == 1310.75
    assert claims["datum_begin"].iloc[1] == pd.Timestamp("2024-01-10")


def test_separator_at_end_of_every_line(tmp_path, data):
    folder = handmade.write(tmp_path / "trailing", sep=";")
    for path in folder.iterdir():
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(line + ";" for line in lines) + "\n", encoding="utf-8")
    again = load(folder, salt="test-salt")
    pd.testing.assert_frame_equal(again.births, data.births)
    assert any("empty column(s) without a name dropped" in n for n in again.notes)


def test_empty_header_above_values_is_an_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(Exception, match="empty column names above columns with values"):
        read_raw(path)


def test_line_breaks_inside_values(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('a,b\n1,"two\nlines"\n3,4\n', encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame["b"].tolist() == ["two\nlines", "4"]
    assert any("contain line breaks" in n for n in raw.notes)
