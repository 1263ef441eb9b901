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
