"""Mapping files: foreign extracts load to exactly the original tables; errors name lines."""

from __future__ import annotations

import shutil
from importlib import resources

import foreign_extracts as fx
import pandas as pd
import pytest

import saz_geboortezorg as sg
from saz_geboortezorg.errors import MappingError, SazError
from saz_geboortezorg.io import read_extract
from saz_geboortezorg.io.mapping import apply_mapping, parse_mapping, read_mappings
from saz_geboortezorg.io.read import RawExtract, read_raw


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    original = fx.write_original(tmp_path_factory.mktemp("original"))
    foreign = fx.write_foreign(original, tmp_path_factory.mktemp("foreign"))
    return original, foreign


@pytest.fixture(scope="module")
def loaded(folders):
    original, foreign = folders
    a = sg.load(original, salt="s")
    b = sg.load(foreign, salt="s", mapping=fx.mappings(foreign))
    return a, b


def _line_of(text: str, fragment: str) -> int:
    """1-based line of the first line of ``text`` that contains ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def _copy(foreign, tmp_path):
    out = tmp_path / "foreign"
    shutil.copytree(foreign, out)
    return out


# -- the foreign extracts load to the same analysis tables -------------------------------


def test_foreign_extracts_are_really_foreign(folders):
    _, foreign = folders
    head = (foreign / "Export_LVR2.csv").read_text(encoding="utf-8").splitlines()
    assert ";" in head[0] and "geboortegewicht" not in head[0] and "Gewicht_kg" in head[0]
    row = dict(zip(head[0].split(";"), head[1].split(";"), strict=True))
    assert row["Geslacht"] in {"Jongen", "Meisje", "onbekend"}
    assert "," in row["Gewicht_kg"] and len(row["Datum_partus"].split("-")[2]) == 4
    # the original loader does not accept it
    with pytest.raises(SazError):
        sg.load(foreign, salt="s")


def test_births_and_women_are_identical(loaded):
    a, b = loaded
    pd.testing.assert_frame_equal(a.births, b.births)
    pd.testing.assert_frame_equal(a.women, b.women)
    pd.testing.assert_frame_equal(a.linkage, b.linkage)


def test_mapped_sources_equal_the_originals(loaded):
    a, b = loaded
    for source in a.sources:
        left = a.sources[source]
        right = b.sources[source][left.columns]  # the foreign file orders its columns otherwise
        pd.testing.assert_frame_equal(left, right, check_index_type=False)


def test_notes_say_which_mapping_and_how_many_recoded(loaded, folders):
    _, foreign = folders
    _, b = loaded
    lvr2 = pd.read_csv(foreign / "Export_LVR2.csv", sep=";", dtype=str)
    recoded = int(lvr2["Geslacht"].notna().sum() + lvr2["Ligging"].notna().sum())
    note = next(n for n in b.notes if n.startswith("Export_LVR2.csv: mapped"))
    assert f"{recoded} value(s) recoded" in note and "lvr2.mapping.yaml" in note
    assert not any("mapping.yaml" in n for n in b.notes if "not used" in n)


def test_read_extract_with_a_mapping(folders, loaded):
    _, foreign = folders
    a, _ = loaded
    frame = read_extract(
        foreign / "Export_LVR2.csv", mapping=foreign / "lvr2.mapping.yaml", salt="s"
    )
    assert (
        frame["geboortegewicht"].tolist() == a.sources["perined_lvr2"]["geboortegewicht"].tolist()
    )


# -- rules on small frames ------------------------------------------------------------


def _raw(**columns):
    n = len(next(iter(columns.values())))
    return RawExtract(
        pd.DataFrame(columns, index=pd.RangeIndex(2, 2 + n, name="line")), "x.csv", "line"
    )


def test_units_constant_and_weeks_plus_days_text():
    m = parse_mapping(
        "source: perined_lvr1\n"
        "columns:\n"
        "  praktijk_id: {value: VP001}\n"
        "  zwangerschapsduur: {from: AD, unit: weeks+days}\n"
        "  zwangerschapsduur_eerste_consult: {from: AD_intake, unit: weeks}\n"
        "  bloedverlies: {from: Bloed, unit: l}\n",
        "m.yaml",
    )["perined_lvr1"]
    raw = _raw(ad=["39+2", "40", None], ad_intake=["10", "8,5", None], bloed=["0,35", "1", None])
    out, report = apply_mapping(raw, m)
    f = out.frame
    assert f["praktijk_id"].tolist() == ["VP001"] * 3
    assert f["zwangerschapsduur"].tolist()[:2] == [39 * 7 + 2, 280.0]
    assert f["zwangerschapsduur_eerste_consult"].tolist()[:2] == [70.0, 59.5]
    assert f["bloedverlies"].tolist()[:2] == [350.0, 1000.0]
    assert f.iloc[2, 1:].isna().all()
    assert report.set_index("target")["kind"].to_dict() == {
        "praktijk_id": "constant",
        "zwangerschapsduur": "unit",
        "zwangerschapsduur_eerste_consult": "unit",
        "bloedverlies": "unit",
    }


def test_default_code_and_empty_translation():
    m = parse_mapping(
        "source: perined_lvr2\ncolumns:\n"
        "  ligging_bij_geboorte: {from: L, codes: {hoofd: 1, stuit: 2, '?': ''}, default: 9}\n",
        "m.yaml",
    )["perined_lvr2"]
    out, report = apply_mapping(_raw(l=["Hoofd", "stuit", "dwars", "?", None]), m)
    assert out.frame["ligging_bij_geboorte"].tolist()[:3] == ["1", "2", "9"]
    assert out.frame["ligging_bij_geboorte"].isna().tolist()[3:] == [True, True]
    row = report.iloc[0]
    assert (row["recoded"], row["defaulted"]) == (4, 1)


def test_derived_column_is_unknown_where_its_input_is():
    m = parse_mapping(
        "source: perined_lvr2\ncolumns:\n"
        "  eerdere_sectio: {expression: 'aantal_eerdere_sectio >= 1'}\n",
        "m.yaml",
    )["perined_lvr2"]
    out, _ = apply_mapping(_raw(aantal_eerdere_sectio=["0", "2", None]), m)
    values = out.frame["eerdere_sectio"]
    assert values.tolist()[:2] == [0.0, 1.0] and pd.isna(values.iloc[2])


def test_the_shipped_example_parses():
    text = resources.files("saz_geboortezorg.io").joinpath("mapping_example.yaml").read_text()
    m = parse_mapping(text, "mapping_example.yaml")["perined_lvr2"]
    kinds = {r.kind for r in m.rules.values()}
    assert kinds == {"rename", "unit", "date", "recode", "constant", "derived"}
    assert m.rules["geboortegewicht"].line == _line_of(text, "geboortegewicht:")
    assert m.file == "Export_LVR2.csv"


# -- errors: clear, with the mapping line and the data rows, and nothing loaded ------------


def test_unknown_target_names_the_line():
    text = "source: perined_lvr2\ncolumns:\n  zwangerschap_id: Nr\n  geboorte_gewicht: kg\n"
    with pytest.raises(MappingError) as err:
        parse_mapping(text, "m.yaml")
    msg = str(err.value)
    assert f"m.yaml line {_line_of(text, 'geboorte_gewicht')}:" in msg
    assert "'geboorte_gewicht' is not a column of perined_lvr2" in msg
    assert "did you mean 'geboortegewicht'" in msg


@pytest.mark.parametrize(
    ("text", "fragment", "expected"),
    [
        ("source: perined_lvr3\ncolumns: {}\n", "perined_lvr3", "unknown source 'perined_lvr3'"),
        (
            "source: perined_lvr2\ncolumns:\n  geboortegewicht: {from: G, unit: pond}\n",
            "unit: pond",
            "unknown unit 'pond'",
        ),
        (
            "source: perined_lvr2\ncolumns:\n  geslacht: {from: G, kodes: {a: 1}}\n",
            "kodes",
            "unknown key 'kodes'",
        ),
        ("source: perined_lvr2\ncolumns:\n  geslacht: {from: [G\n", "geslacht", "not valid YAML"),
    ],
)
def test_malformed_mappings_name_the_line(text, fragment, expected):
    with pytest.raises(MappingError) as err:
        parse_mapping(text, "m.yaml")
    assert expected in str(err.value)
    assert str(err.value).startswith(f"m.yaml line {_line_of(text, fragment)}:") or (
        "not valid YAML" in expected and "m.yaml line" in str(err.value)
    )


def test_code_without_translation_names_line_and_rows(folders, tmp_path):
    _, foreign = folders
    folder = _copy(foreign, tmp_path)
    lvr2 = pd.read_csv(folder / "Export_LVR2.csv", sep=";", dtype=str, keep_default_na=False)
    lvr2.loc[[4, 9], "Geslacht"] = "tweeling"
    lvr2.to_csv(folder / "Export_LVR2.csv", sep=";", index=False)
    with pytest.raises(MappingError) as err:
        sg.load(folder, salt="s", mapping=fx.mappings(folder))
    msg = str(err.value)
    line = _line_of(fx.LVR2_MAPPING, "  geslacht:")
    assert f"lvr2.mapping.yaml line {line} (geslacht)" in msg
    assert "'tweeling'" in msg and "in 2 rows (lines 6 'tweeling', 11 'tweeling')" in msg


def test_value_outside_range_after_conversion(folders, tmp_path):
    _, foreign = folders
    folder = _copy(foreign, tmp_path)
    mapping = folder / "lvr2.mapping.yaml"
    # grams declared as kilograms: 3,332 kg is fine, 3332 kg is not
    lvr2 = pd.read_csv(folder / "Export_LVR2.csv", sep=";", dtype=str, keep_default_na=False)
    lvr2.loc[0, "Gewicht_kg"] = "3332"
    lvr2.to_csv(folder / "Export_LVR2.csv", sep=";", index=False)
    with pytest.raises(MappingError) as err:
        sg.load(folder, salt="s", mapping=fx.mappings(folder))
    msg = str(err.value)
    line = _line_of(mapping.read_text(), "geboortegewicht:")
    assert f"line {line} (geboortegewicht)" in msg
    assert "outside the plausible range 200-7000 g after converting from kg" in msg
    assert "(line 2 '3332')" in msg


def test_date_not_in_the_format_and_missing_column(folders, tmp_path):
    _, foreign = folders
    folder = _copy(foreign, tmp_path)
    lvr2 = pd.read_csv(folder / "Export_LVR2.csv", sep=";", dtype=str, keep_default_na=False)
    lvr2.loc[2, "Datum_partus"] = "2023-06-28"
    lvr2 = lvr2.rename(columns={"Rangnummer": "Rang"})
    lvr2.to_csv(folder / "Export_LVR2.csv", sep=";", index=False)
    with pytest.raises(MappingError) as err:
        sg.load(folder, salt="s", mapping=fx.mappings(folder))
    msg = str(err.value)
    assert f"line {_line_of(fx.LVR2_MAPPING, 'datum_baring')} (datum_baring)" in msg
    assert "date not in the format %d-%m-%Y" in msg and "(line 4 '2023-06-28')" in msg
    assert f"line {_line_of(fx.LVR2_MAPPING, 'Rangnummer')} (kind_rangnummer)" in msg
    assert "column 'rangnummer': column missing from the file" in msg


def test_two_mappings_for_one_source(folders):
    _, foreign = folders
    with pytest.raises(MappingError, match="two mappings for source perined_lvr2"):
        read_mappings([foreign / "lvr2.mapping.yaml", foreign / "lvr2.mapping.yaml"])


def test_header_read_case_insensitively(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("GESLACHT\nMeisje\n", encoding="utf-8")
    m = parse_mapping(
        "source: perined_lvr2\ncolumns:\n  geslacht: {from: Geslacht, codes: {MEISJE: 2}}\n"
    )
    out, _ = apply_mapping(read_raw(p), m["perined_lvr2"])
    assert out.frame["geslacht"].tolist() == ["2"]


def test_parquet_with_typed_columns(tmp_path):
    p = tmp_path / "x.parquet"
    pd.DataFrame({"Gewicht": [3.456, None, 0.95], "Sekse": [1.0, 2.0, None]}).to_parquet(p)
    m = parse_mapping(
        "source: perined_lvr2\ncolumns:\n"
        "  geboortegewicht: {from: Gewicht, unit: kg}\n"
        "  geslacht: {from: Sekse, codes: {1: 1, 2: 2}}\n"
    )["perined_lvr2"]
    out, _ = apply_mapping(read_raw(p), m)
    assert out.frame["geboortegewicht"].tolist()[::2] == [3456.0, 950.0]
    assert out.frame["geslacht"].tolist()[:2] == ["1", "2"]


def test_mapped_file_name_missing(folders, tmp_path):
    _, foreign = folders
    folder = _copy(foreign, tmp_path)
    (folder / "Export_LVR2.csv").unlink()
    with pytest.raises(SazError, match=r"required file Export_LVR2\.csv \(source perined_lvr2\)"):
        sg.load(folder, mapping=fx.mappings(folder))
