"""Every class of bad input gives a message naming file, column, rows, values and what was expected."""

from __future__ import annotations

import handmade
import pytest

from saz_geboortezorg import schema
from saz_geboortezorg.errors import ExtractError
from saz_geboortezorg.io import load, read_extract


def _error(tmp_path, change) -> str:
    """Write the hand-made extracts after ``change(tables)``; return the load error text."""
    tables = handmade.tables()
    change(tables)
    folder = handmade.write(tmp_path / "x", tables)
    with pytest.raises(ExtractError) as exc:
        load(folder, salt="s")
    return str(exc.value)


def _file_error(tmp_path, source, change) -> str:
    """As :func:`_error` for a check within one file, reading only that file (faster)."""
    tables = handmade.tables()
    change(tables)
    folder = handmade.write(tmp_path / "x", {source: tables[source]})
    with pytest.raises(ExtractError) as exc:
        read_extract(folder / f"{source}.csv", salt="s")
    return str(exc.value)


def _set(source, row, column, value):
    def change(t):
        t[source].loc[row, column] = value

    return change


def test_valid_extracts_load(folder):
    data = load(folder, salt="s")
    assert len(data.sources["perined_lvr2"]) == 6


def test_missing_file(tmp_path, folder):
    (folder / "perined_lvr1.csv").unlink()
    with pytest.raises(ExtractError) as exc:
        load(folder)
    msg = str(exc.value)
    assert "perined_lvr1.csv or perined_lvr1.parquet" in msg
    assert "missing" in msg
    assert "organisaties.csv" in msg  # lists the files that were found


def test_missing_folder(tmp_path):
    with pytest.raises(ExtractError, match="folder not found"):
        load(tmp_path / "nope")


def test_claims_are_optional(folder):
    (folder / "dbc_declaraties.csv").unlink()
    data = load(folder, salt="s")
    assert data.women["cost_total"].isna().all()
    assert any("dbc_declaraties" in n for n in data.notes)


def test_missing_column(tmp_path):
    msg = _file_error(tmp_path, "perined_lvr2", lambda t: t["perined_lvr2"].pop("geboortegewicht"))
    assert "perined_lvr2.csv, column 'geboortegewicht': column missing from the file" in msg
    assert "integer column 'geboortegewicht' (birth weight (g))" in msg


def test_unparseable_number(tmp_path):
    msg = _file_error(tmp_path, "perined_lvr2", _set("perined_lvr2", 1, "geboortegewicht", "3.6kg"))
    assert (
        "perined_lvr2.csv, column 'geboortegewicht': not a whole number in 1 row (line 3 '3.6kg')"
        in msg
    )
    assert "expected a whole number" in msg
    assert "header = line 1" in msg


def test_unparseable_float_and_date_and_flag(tmp_path):
    def change(t):
        t["perined_lvr1"].loc[0, "bmi"] = "twintig"
        t["perined_lvr1"].loc[1, "datum_eerste_consult"] = "2024-13-01"
        t["perined_lvr2"].loc[2, "roken"] = "2"

    msg = _error(tmp_path, change)
    assert (
        "perined_lvr1.csv, column 'bmi': not a number (e.g. 24.5 or 24,5) in 1 row (line 2 'twintig')"
        in msg
    )
    assert "column 'datum_eerste_consult': not a date as yyyy-mm-dd" in msg
    assert "(line 3 '2024-13-01')" in msg
    assert (
        "perined_lvr2.csv, column 'roken': not 0 or 1 in 1 row (line 4 '2'); expected 0 (no) or 1 (yes)"
        in msg
    )


def test_code_not_in_list(tmp_path):
    msg = _file_error(
        tmp_path, "perined_lvr2", _set("perined_lvr2", 2, "ligging_bij_geboorte", "5")
    )
    assert (
        "perined_lvr2.csv, column 'ligging_bij_geboorte': code not in the code list in 1 row (line 4 '5')"
        in msg
    )
    assert (
        "list 'ligging': 1 (hoofdligging), 2 (stuitligging), 3 (dwars- of schuinligging), 9 (onbekend)"
        in msg
    )


def test_text_code_not_in_list(tmp_path):
    msg = _file_error(
        tmp_path, "perined_lvr2", _set("perined_lvr2", 0, "type_partus", "1,77184E+08")
    )
    assert "column 'type_partus': code not in the code list in 1 row (line 2 '1,77184E+08')" in msg
    assert "177184002 (spontaan)" in msg


def _ranged():
    for source, spec in schema.sources().items():
        for column, decl in spec["columns"].items():
            if "range" in decl:
                yield source, column, *decl["range"]


def _text(x):
    return str(int(x)) if float(x).is_integer() else str(x)


@pytest.fixture(scope="module")
def range_messages(tmp_path_factory):
    """Per (source, 'low'/'high'): the error of a file whose first row has every ranged
    column just outside its range (one read per file instead of one per column)."""
    messages = {}
    for bound in ("low", "high"):
        tables = handmade.tables()
        for source, column, lo, hi in _ranged():
            tables[source].loc[0, column] = _text(lo - 1 if bound == "low" else hi + 1)
        for source in {s for s, *_ in _ranged()}:
            folder = handmade.write(tmp_path_factory.mktemp(bound), {source: tables[source]})
            with pytest.raises(ExtractError) as exc:
                read_extract(folder / f"{source}.csv", salt="s")
            messages[source, bound] = str(exc.value)
    return messages


@pytest.mark.parametrize("bound", ["low", "high"])
@pytest.mark.parametrize("source, column, lo, hi", list(_ranged()), ids=lambda v: str(v))
def test_out_of_range(range_messages, source, column, lo, hi, bound):
    text = _text(lo - 1 if bound == "low" else hi + 1)
    msg = range_messages[source, bound]
    assert (
        f"{source}.csv, column '{column}': value outside the plausible range in 1 row (line 2 '{text}')"
        in msg
    )
    assert f"expected a value from {lo} to {hi}" in msg
    assert "header = line 1" in msg


def test_value_at_the_range_limits_is_accepted(tmp_path):
    tables = handmade.tables()
    for source, column, lo, _hi in _ranged():
        tables[source].loc[0, column] = _text(lo)
    for source, column, _lo, hi in _ranged():
        tables[source].loc[1, column] = _text(hi)
    folder = handmade.write(tmp_path / "limits", tables)
    for source in ("perined_lvr1", "perined_lvr2", "dbc_declaraties"):
        read_extract(folder / f"{source}.csv", salt="s")  # no error


def test_gestational_age_range_is_22_to_45_weeks():
    decl = schema.source("perined_lvr2")["columns"]["zwangerschapsduur"]
    assert decl["range"] == [22 * 7, 45 * 7]


def test_duplicate_key(tmp_path):
    def change(t):
        t["perined_lvr2"].loc[len(t["perined_lvr2"])] = t["perined_lvr2"].loc[0]

    msg = _error(tmp_path, change)
    assert (
        "perined_lvr2.csv, column 'zwangerschap_id/kind_rangnummer': duplicate key in 2 rows" in msg
    )
    assert "(lines 2 'Z002/1', 8 'Z002/1')" in msg
    assert "expected each zwangerschap_id + kind_rangnummer to occur once" in msg


def test_unknown_reference(tmp_path):
    msg = _error(tmp_path, _set("perined_lvr1", 3, "praktijk_id", "VP999"))
    assert (
        "perined_lvr1.csv, column 'praktijk_id': unknown reference (not in organisaties.csv) in 1 row (line 5 'VP999')"
        in msg
    )
    assert "expected a value of column 'organisatie_id' in organisaties.csv" in msg


def test_date_out_of_order(tmp_path):
    msg = _file_error(
        tmp_path,
        "perined_lvr1",
        _set("perined_lvr1", 2, "datum_verwijzing_zwangerschap", "2023-12-01"),
    )
    assert "perined_lvr1.csv, column 'datum_eerste_consult/datum_verwijzing_zwangerschap'" in msg
    assert (
        "datum_verwijzing_zwangerschap is before datum_eerste_consult in 1 row (line 4 '2024-01-10 > 2023-12-01')"
        in msg
    )


def test_claim_dates_out_of_order(tmp_path):
    msg = _file_error(
        tmp_path, "dbc_declaraties", _set("dbc_declaraties", 6, "datum_eind", "2024-08-01")
    )
    assert (
        "dbc_declaraties.csv, column 'datum_begin/datum_eind': datum_eind is before datum_begin in 1 row (line 8"
        in msg
    )


def test_empty_required_when(tmp_path):
    msg = _file_error(
        tmp_path, "perined_lvr1", _set("perined_lvr1", 2, "reden_verwijzing_zwangerschap", "")
    )
    assert (
        "perined_lvr1.csv, column 'reden_verwijzing_zwangerschap': empty although required when "
        "verwijzing_zwangerschap == 1 in 1 row (line 4)" in msg
    )


def test_empty_required_when_text_condition(tmp_path):
    msg = _file_error(tmp_path, "organisaties", _set("organisaties", 1, "nicu", ""))
    assert (
        "organisaties.csv, column 'nicu': empty although required when organisatie_type == 'ZH' in 1 row (line 3"
        in msg
    )


def test_empty_birth_items_of_first_line_birth(tmp_path):
    msg = _file_error(tmp_path, "perined_lvr1", _set("perined_lvr1", 0, "zwangerschapsduur", ""))
    assert (
        "column 'zwangerschapsduur': empty although required when eindverantwoordelijke_baring == 1"
        in msg
    )


def test_empty_non_nullable(tmp_path):
    msg = _file_error(tmp_path, "perined_lvr2", _set("perined_lvr2", 3, "geslacht", ""))
    assert "perined_lvr2.csv, column 'geslacht': empty value in 1 row (line 5)" in msg
    assert "expected a value in every row (sex of the baby)" in msg


def test_all_problems_of_all_files_are_listed(tmp_path):
    def change(t):
        t["perined_lvr2"].loc[0, "apgar_5"] = "11"
        t["perined_lvr2"].loc[1, "apgar_5"] = "12"
        t["dbc_declaraties"].loc[0, "zorgfase"] = "bevalling"

    with pytest.raises(ExtractError) as exc:
        load(handmade.write(tmp_path / "x", _changed(change)))
    err = exc.value
    assert len(err.problems) == 2
    assert "in 2 rows (lines 2 '11', 3 '12')" in str(err)
    assert "dbc_declaraties.csv, column 'zorgfase': code not in the code list" in str(err)


def test_many_bad_rows_show_the_first_five(tmp_path):
    def change(t):
        t["perined_lvr2"]["apgar_5"] = "x"

    with pytest.raises(ExtractError) as exc:
        load(handmade.write(tmp_path / "x", _changed(change)))
    assert "in 6 rows (lines 2 'x', 3 'x', 4 'x', 5 'x', 6 'x', ...)" in str(exc.value)


def _changed(change):
    t = handmade.tables()
    change(t)
    return t


def test_extra_column_is_a_note_not_an_error(tmp_path):
    def change(t):
        t["perined_lvr2"]["opmerking"] = "vrije tekst"

    data = load(handmade.write(tmp_path / "x", _changed(change)), salt="s")
    assert any(
        "extra column(s) not in the schema, kept as text: opmerking" in n for n in data.notes
    )
    assert "opmerking" not in data.births.columns


def test_empty_file(folder):
    (folder / "organisaties.csv").write_bytes(b"")
    with pytest.raises(ExtractError, match=r"organisaties.csv: the file is empty"):
        load(folder)


def test_header_only(folder):
    (folder / "perined_lvr2.csv").write_text(
        ",".join(handmade.tables()["perined_lvr2"].columns) + "\n"
    )
    with pytest.raises(
        ExtractError, match="perined_lvr2.csv: the file has a header but no data rows"
    ):
        load(folder)


def test_garbage_file(folder):
    (folder / "perined_lvr2.csv").write_bytes(bytes(range(256)) * 20)
    with pytest.raises(ExtractError) as exc:
        load(folder)
    assert (
        "perined_lvr2.csv: the file contains binary data (NUL bytes) and is not a CSV text file"
        in str(exc.value)
    )


def test_garbage_without_nul_bytes(folder):
    (folder / "perined_lvr2.csv").write_bytes(bytes(range(1, 32)) * 200)
    with pytest.raises(
        ExtractError, match="perined_lvr2.csv: the file does not look like CSV text"
    ):
        load(folder)


def test_excel_workbook_named_csv(folder):
    (folder / "organisaties.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ExtractError, match="looks like an Excel workbook"):
        load(folder)


def test_corrupt_parquet(folder):
    (folder / "organisaties.csv").unlink()
    (folder / "organisaties.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(
        ExtractError, match="organisaties.parquet: cannot be read as a Parquet file"
    ):
        load(folder)


def test_broken_csv_structure(folder):
    path = folder / "organisaties.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "ZH09,ZH,x,R9,y,ZH09,1,1,1,0,extra,extra\n",
        encoding="utf-8",
    )
    with pytest.raises(ExtractError) as exc:
        load(folder)
    msg = str(exc.value)
    assert "organisaties.csv: the CSV structure is broken" in msg
    assert "line 6" in msg


def test_two_files_for_one_source(folder):
    handmade.tables()["organisaties"].to_parquet(folder / "organisaties.parquet")
    with pytest.raises(
        ExtractError,
        match="organisaties.csv and organisaties.parquet: two files for source organisaties",
    ):
        load(folder)


def test_read_extract_single_file(folder):
    frame = read_extract(folder / "perined_lvr2.csv")
    assert frame["zwangerschapsduur"].dtype == "Int64"
    assert frame.index.tolist() == [2, 3, 4, 5, 6, 7]


def test_read_extract_infers_source_from_columns(folder, tmp_path):
    target = tmp_path / "export_2024.csv"
    target.write_bytes((folder / "dbc_declaraties.csv").read_bytes())
    assert len(read_extract(target)) == 7


def test_read_extract_reports_problems(folder):
    path = folder / "perined_lvr2.csv"
    t = handmade.tables()["perined_lvr2"]
    t.loc[0, "apgar_5"] = "-1"
    t.to_csv(path, index=False)
    with pytest.raises(
        ExtractError,
        match=r"column 'apgar_5': value outside the plausible range in 1 row \(line 2 '-1'\)",
    ):
        read_extract(path)


def test_validate_false_keeps_problems_as_notes(tmp_path):
    folder = handmade.write(
        tmp_path / "x", _changed(lambda t: t["perined_lvr2"].loc.__setitem__((0, "apgar_5"), "11"))
    )
    data = load(folder, salt="s", validate=False)
    assert any("apgar_5" in n for n in data.notes)
    assert data.births.loc[data.births["pregnancy_id"] == "Z002", "apgar5"].isna().all()


def test_validate_false_cannot_link_without_required_columns(tmp_path):
    from saz_geboortezorg.errors import SazError

    folder = handmade.write(
        tmp_path / "x", _changed(lambda t: t["perined_lvr2"].pop("type_partus"))
    )
    with pytest.raises(SazError, match="cannot link the extracts without validation"):
        load(folder, salt="s", validate=False)


def test_missing_column_suggests_a_close_name(tmp_path):
    def change(t):
        t["perined_lvr2"] = t["perined_lvr2"].rename(
            columns={"geboortegewicht": "geboorte_gewicht"}
        )

    msg = _file_error(tmp_path, "perined_lvr2", change)
    assert "column 'geboortegewicht': column missing from the file" in msg
    assert "did you mean 'geboorte_gewicht'?" in msg


def test_type_error_names_the_meaning(tmp_path):
    msg = _file_error(
        tmp_path, "perined_lvr2", _set("perined_lvr2", 1, "zwangerschapsduur", "41+3")
    )
    assert "not a whole number in 1 row (line 3 '41+3')" in msg
    assert (
        "expected a whole number (gestational age at birth in days (22+0 = 154, 45+0 = 315))" in msg
    )
