"""Direct identifiers are hashed on load and never reach births or women."""

from __future__ import annotations

import hashlib

import handmade
import pytest

from saz_geboortezorg import schema
from saz_geboortezorg.io import load, read_extract

BSN = ["123456782", "111222333", "999888777", "123123123", "456456456", "789789789"]


def _with_identifiers(tmp_path, name="x"):
    tables = handmade.tables()
    lvr2 = tables["perined_lvr2"]
    lvr2["bsn"] = BSN
    lvr2["naam"] = "Jansen"
    lvr2["postcode6"] = "1234AB"
    lvr2["geboortedatum_moeder"] = "1990-05-17"
    tables["perined_lvr1"]["bsn_moeder"] = BSN
    return handmade.write(tmp_path / name, tables)


def test_identifiers_are_hashed_with_the_salt(tmp_path):
    data = load(_with_identifiers(tmp_path), salt="geheim")
    lvr2 = data.sources["perined_lvr2"]
    for col in ("bsn", "naam", "postcode6", "geboortedatum_moeder"):
        assert col not in lvr2.columns
        assert f"{col}_hash" in lvr2.columns
    expected = hashlib.sha256(b"geheim" + BSN[0].encode()).hexdigest()
    assert lvr2["bsn_hash"].iloc[0] == expected
    assert "bsn_moeder_hash" in data.sources["perined_lvr1"].columns
    assert any("replaced by salted SHA-256 hashes" in n for n in data.notes)
    assert not any("not reproducible" in n for n in data.notes)


def test_identifiers_never_reach_analysis_tables(tmp_path):
    data = load(_with_identifiers(tmp_path), salt="geheim")
    identifiers = set(schema.identifiers())
    for table in (data.births, data.women, data.excluded, data.linkage):
        assert not any(c in identifiers or c.endswith("_hash") for c in table.columns)
        text = table.astype(str).to_numpy().ravel().tolist()
        for raw in (*BSN, "Jansen", "1234AB", "1990-05-17"):
            assert raw not in text


def test_organisation_name_is_not_hashed(data):
    assert "naam" in data.sources["organisaties"].columns
    assert "Ziekenhuis Noord" in data.sources["organisaties"]["naam"].tolist()


def test_salt_from_environment_is_reproducible(tmp_path, monkeypatch):
    monkeypatch.setenv("SAZ_SALT", "uit-de-omgeving")
    folder = _with_identifiers(tmp_path)
    a = read_extract(folder / "perined_lvr2.csv")["bsn_hash"]
    b = read_extract(folder / "perined_lvr2.csv")["bsn_hash"]
    assert a.tolist() == b.tolist()
    assert a.iloc[0] == hashlib.sha256(b"uit-de-omgeving" + BSN[0].encode()).hexdigest()
    other = read_extract(folder / "perined_lvr2.csv", salt="anders")["bsn_hash"]
    assert other.iloc[0] != a.iloc[0]


def test_without_salt_a_note_says_hashes_are_not_reproducible(tmp_path, monkeypatch):
    monkeypatch.delenv("SAZ_SALT", raising=False)
    data = load(_with_identifiers(tmp_path))
    assert any("not reproducible" in n for n in data.notes)
    assert data.sources["perined_lvr2"]["bsn_hash"].str.len().eq(64).all()


@pytest.mark.parametrize("value", ["", None])
def test_empty_identifier_stays_empty(tmp_path, value):
    tables = handmade.tables()
    tables["perined_lvr2"]["bsn"] = [value] + BSN[1:]
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    assert data.sources["perined_lvr2"]["bsn_hash"].isna().tolist() == [True] + [False] * 5


def _eleven(text):
    """The BSN eleven-test written out independently of the package."""
    d = [int(c) for c in text]
    return (
        9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7] - d[8]
    ) % 11 == 0


# Six 9-digit numbers that pass the eleven-test (checked below, by hand-written arithmetic).
VALID_BSN = ["111222333", "123456782", "799642630", "578230859", "132845751", "570178216"]
OTHER_SPELLINGS = {
    "Burgerservicenummer": VALID_BSN,
    "geboortedatum": ["1990-05-17"] * 6,
    "NAAM_MOEDER": ["de Vries"] * 6,
    "telefoon": ["0612345678"] * 6,
    "postcode6_moeder": ["9712 CP"] * 6,
    "kenmerk": VALID_BSN,  # no known name: recognised by the value check
}


def test_valid_bsn_examples_pass_the_eleven_test_by_hand():
    from saz_geboortezorg.io.identifiers import bsn_eleven_test

    assert all(_eleven(b) for b in VALID_BSN)
    assert all(bsn_eleven_test(b) for b in VALID_BSN)
    assert not _eleven("123456789") and not bsn_eleven_test("123456789")
    assert not bsn_eleven_test("000000000")  # sum 0 is not a BSN


def test_other_spellings_and_bsn_values_are_hashed_and_never_analysed(tmp_path):
    tables = handmade.tables()
    for col, values in OTHER_SPELLINGS.items():
        tables["perined_lvr2"][col] = values
    data = load(handmade.write(tmp_path / "x", tables), salt="geheim")
    lvr2 = data.sources["perined_lvr2"]
    columns = {c.lower() for c in lvr2.columns}
    for col in OTHER_SPELLINGS:  # headers are read case-insensitively (lower case)
        assert col.lower() not in columns
        assert f"{col.lower()}_hash" in columns
    expected = hashlib.sha256(b"geheim" + VALID_BSN[1].encode()).hexdigest()
    assert lvr2["burgerservicenummer_hash"].iloc[1] == expected
    assert lvr2["kenmerk_hash"].iloc[1] == expected
    raw_values = {v for values in OTHER_SPELLINGS.values() for v in values}
    for name, table in data.sources.items():
        if name == "organisaties":
            continue
        text = set(table.astype(str).to_numpy().ravel().tolist())
        assert not raw_values & text, name
    for table in (data.births, data.women, data.excluded, data.linkage):
        assert not any(c.lower() in {k.lower() for k in OTHER_SPELLINGS} for c in table.columns)
        assert not any(c.endswith("_hash") for c in table.columns)
        assert not raw_values & set(table.astype(str).to_numpy().ravel().tolist())
    assert not any("kept as text: " in n and "kenmerk" in n for n in data.notes)


def test_a_column_of_ordinary_numbers_is_not_taken_for_a_bsn(tmp_path):
    tables = handmade.tables()
    # 9-digit numbers that fail the eleven-test: an ordinary code, kept as text.
    tables["perined_lvr2"]["volgnummer"] = [str(123456784 + i) for i in range(6)]
    assert not any(_eleven(v) for v in tables["perined_lvr2"]["volgnummer"])
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    assert "volgnummer" in data.sources["perined_lvr2"].columns
