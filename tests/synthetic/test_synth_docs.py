"""synthetic_data/README.md is current with the YAML files and the default dataset."""

from __future__ import annotations

import re

from saz_geboortezorg.synthetic import docs


def _block(text: str, name: str) -> str:
    m = re.search(
        rf"<!-- BEGIN generated: {re.escape(name)} -->\n(.*?)<!-- END generated -->", text, re.S
    )
    assert m, f"README lacks the generated block {name}"
    return m.group(1)


def test_readme_generated_blocks_are_current(large):
    text = docs.README.read_text(encoding="utf-8")
    # `large` is the default dataset (60,000 births, seed 2024)
    for name, body in docs.blocks(large.truth).items():
        assert _block(text, name) == body, (
            f"README block {name} is stale: run python -m saz_geboortezorg.synthetic.docs"
        )


def test_readme_documents_every_column():
    from saz_geboortezorg import schema

    text = docs.README.read_text(encoding="utf-8")
    for source, spec in schema.sources().items():
        assert f"### {source}" in text
        for col in spec["columns"]:
            assert f"| {col} |" in text, col


def test_every_parameter_has_a_source_or_is_structural():
    from saz_geboortezorg.synthetic.params import load

    p = load()
    for section in ("case_mix", "gestation", "care_path", "linkage", "tariffs", "organisations"):
        for key in p.values[section]:
            assert f"{section}.{key}" in p.sources, f"{section}.{key} has no source note"
    for name in p.values["models"]:
        assert p.sources.get(f"models.{name}"), name
