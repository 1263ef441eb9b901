"""The fast loader of the package's own YAML files builds what ``yaml.safe_load`` builds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import saz_geboortezorg
from saz_geboortezorg.schema import shipped_yaml

PACKAGE = Path(saz_geboortezorg.__file__).parent
SHIPPED = sorted(PACKAGE.rglob("*.yaml"))


def test_the_package_ships_yaml_files():
    names = {p.name for p in SHIPPED}
    assert {"extracts.yaml", "catalogue.yaml", "parameters.yaml"} <= names
    assert any(p.parent.name == "case_mix" for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_shipped_yaml_equals_safe_load(path):
    text = path.read_text(encoding="utf-8")
    assert shipped_yaml(text) == yaml.safe_load(text)


def test_yaml_1_1_scalars_read_alike():
    # the scalars where YAML loaders differ most: booleans, octal-looking codes, dates
    text = "a: yes\nb: 'no'\nc: 010\nd: 2024-01-31\ne: 1e3\nf: .5\ng: ~\nh: '0012'\n"
    assert shipped_yaml(text) == yaml.safe_load(text)
