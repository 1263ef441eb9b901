"""schema/kernset_mapping.yaml maps only onto declared columns and valid codes.

Read with PyYAML's BaseLoader, as the mapping layer reads mapping files: every scalar
stays text, so `true`, `00` and `05` are codes, not a boolean and numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

SCHEMA = Path(__file__).resolve().parents[2] / "saz_geboortezorg" / "schema"
MAPPING = yaml.load(
    (SCHEMA / "kernset_mapping.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
)  # noqa: S506
EXTRACTS = yaml.safe_load((SCHEMA / "extracts.yaml").read_text(encoding="utf-8"))
CODES = yaml.safe_load((SCHEMA / "codes.yaml").read_text(encoding="utf-8"))

RULES = [
    (src, target, rule)
    for src, block in MAPPING["sources"].items()
    for target, rule in block["columns"].items()
]


def _valid_codes(src: str, target: str) -> set[str]:
    col = EXTRACTS["sources"][src]["columns"][target]
    if col["type"] == "flag":
        return {"0", "1"}
    return {str(c) for c in CODES[col["codes"]]["codes"]}


def test_only_perined_sources_are_mapped():
    assert set(MAPPING) == {"sources"}
    assert set(MAPPING["sources"]) == {"perined_lvr1", "perined_lvr2"}


@pytest.mark.parametrize(("src", "target", "rule"), RULES, ids=[f"{s}.{t}" for s, t, _ in RULES])
def test_target_is_a_declared_column(src, target, rule):
    assert target in EXTRACTS["sources"][src]["columns"], f"{src} has no column {target}"
    if isinstance(rule, str):  # a plain rename: a kernset name that differs from ours
        assert rule != target and rule == rule.lower(), rule
    else:
        assert rule["from"] == rule["from"].lower(), rule["from"]


@pytest.mark.parametrize(
    ("src", "target", "rule"),
    [r for r in RULES if isinstance(r[2], dict)],
    ids=[f"{s}.{t}" for s, t, r in RULES if isinstance(r, dict)],
)
def test_every_recode_target_is_a_valid_code(src, target, rule):
    assert set(rule) == {"from", "codes"}, "only renames and recodes, no defaults"
    bad = set(rule["codes"].values()) - _valid_codes(src, target)
    assert not bad, f"{src}.{target}: {sorted(bad)} are not codes of the column"


def test_kernset_booleans_recode_to_flags_and_unknown_stays_untranslated():
    for src, target, rule in RULES:
        if isinstance(rule, dict) and "true" in rule["codes"]:
            assert rule["codes"] == {"true": "1", "false": "0"}, (src, target)


def test_each_kernset_item_is_read_once_per_source():
    for src, block in MAPPING["sources"].items():
        names = [r if isinstance(r, str) else r["from"] for r in block["columns"].values()]
        assert len(names) == len(set(names)), src


def test_hospital_birth_follows_the_line_of_the_registry():
    # LVR-1 births are midwife-led (poliklinisch, 3); LVR-2 births obstetrician-led (klinisch, 4)
    lvr1 = MAPPING["sources"]["perined_lvr1"]["columns"]["werkelijke_plaats_baring"]["codes"]
    lvr2 = MAPPING["sources"]["perined_lvr2"]["columns"]["werkelijke_plaats_baring"]["codes"]
    assert CODES["plaats_baring"]["codes"][int(lvr1["22232009"])]["nl"] == "ziekenhuis poliklinisch"
    assert CODES["plaats_baring"]["codes"][int(lvr2["22232009"])]["nl"] == "ziekenhuis klinisch"


def test_the_kernset_mapping_is_read_by_the_mapping_layer():
    """The shipped kernset mapping is a valid mapping file for ``sg.load(path, mapping=...)``:
    the mapping layer parses it without error, with rules for both Perined sources."""
    from importlib.resources import files

    from saz_geboortezorg.io.mapping import read_mappings

    path = files("saz_geboortezorg.schema") / "kernset_mapping.yaml"
    parsed = read_mappings(str(path))
    assert set(parsed) == {"perined_lvr1", "perined_lvr2"}
    assert all(len(m.rules) > 10 for m in parsed.values())
