"""Every column of schema/extracts.yaml names its Kernset Geboortezorg 2.3 element.

The YAML is read directly here (not through ``saz_geboortezorg.schema``) so that the
test does not share the loader's assumptions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from saz_geboortezorg import schema

EXTRACTS = Path(__file__).resolve().parents[2] / "saz_geboortezorg" / "schema" / "extracts.yaml"
DOC = yaml.safe_load(EXTRACTS.read_text(encoding="utf-8"))
COLUMNS = [
    (src, col, spec) for src, s in DOC["sources"].items() for col, spec in s["columns"].items()
]


def _as_list(v):
    return v if isinstance(v, list) else [v]


@pytest.mark.parametrize(("src", "col", "spec"), COLUMNS, ids=[f"{s}.{c}" for s, c, _ in COLUMNS])
def test_every_column_has_a_kernset_element_or_a_reason(src, col, spec):
    k = spec.get("kernset")
    assert isinstance(k, dict), f"{src}.{col} has no kernset entry"
    if "none" in k:
        assert set(k) == {"none"}, f"{src}.{col}: none: together with an element"
        assert len(k["none"].split()) >= 4, f"{src}.{col}: none: needs a reason, not a word"
        return
    ids, names = _as_list(k["id"]), _as_list(k["nl"])
    assert ids and len(ids) == len(names)
    assert all(isinstance(i, int) and 10 <= i < 100000 for i in ids), ids
    assert all(isinstance(n, str) and n[0].isupper() for n in names), names
    for s in _as_list(k["source"]):
        assert s in DOC["kernset"]["sources"], s


def test_sources_are_addresses_of_public_files():
    for key, text in DOC["kernset"]["sources"].items():
        urls = re.findall(
            r"https://github\.com/Nictiz/[\w.-]+/(?:blob|tree)/([0-9a-f]{40})/\S+", text
        )
        assert urls, f"kernset source {key} names no pinned Nictiz address"


def test_the_issue_example_element():
    # The issue names peri23-dataelement-20290, 'Datum start zorgverantwoordelijkheid';
    # it is the start of care responsibility used for the booking hospital.
    k = DOC["sources"]["perined_lvr2"]["columns"]["ziekenhuis_aanvang_zorg"]["kernset"]
    i = k["id"].index(20290)
    assert k["nl"][i] == "Datum start zorgverantwoordelijkheid"
    assert schema.kernset_element_ids(k)[i] == "peri23-dataelement-20290"
    assert DOC["kernset"]["base"] == "2.16.840.1.113883.2.4.3.11.60.90.77.2.6"


@pytest.mark.parametrize("src", ["perined_lvr1", "perined_lvr2"])
def test_previous_caesareans_item_is_declared_with_its_element(src):
    col = DOC["sources"][src]["columns"]["aantal_eerdere_sectio"]
    assert col["optional"] is True and col["nullable"] is True
    assert col["kernset"]["id"] == 80624 and col["kernset"]["nl"] == "Type partus"
    assert "differs" in col["kernset"]


def test_same_column_same_element_across_registries():
    # A column declared in both Perined sources means the same item in both.
    lvr1 = DOC["sources"]["perined_lvr1"]["columns"]
    lvr2 = DOC["sources"]["perined_lvr2"]["columns"]
    for col in sorted(set(lvr1) & set(lvr2) - {"ziekenhuis_id"}):
        assert lvr1[col]["kernset"].get("id") == lvr2[col]["kernset"].get("id"), col


def test_claims_are_not_registry_items():
    for col, spec in DOC["sources"]["dbc_declaraties"]["columns"].items():
        assert "none" in spec["kernset"], col


def test_check_declarations_passes_and_catches_a_missing_entry():
    assert schema.check_declarations() == []
    broken = yaml.safe_load(EXTRACTS.read_text(encoding="utf-8"))
    del broken["sources"]["perined_lvr2"]["columns"]["apgar_5"]["kernset"]
    broken["sources"]["perined_lvr1"]["columns"]["roken"]["kernset"]["source"] = "nowhere"
    problems = schema.check_declarations(broken)
    assert len(problems) == 2
    assert problems[0].startswith("perined_lvr1.roken: kernset source")
    assert problems[1].startswith("perined_lvr2.apgar_5: no kernset entry")


def test_kernset_lookup_errors_name_the_column():
    with pytest.raises(Exception, match="no column 'apgar'"):
        schema.kernset("perined_lvr2", "apgar")
