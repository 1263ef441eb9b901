"""The examples in the io docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "saz_geboortezorg.io",
    "saz_geboortezorg.io.problems",
    "saz_geboortezorg.io.read",
    "saz_geboortezorg.io.convert",
    "saz_geboortezorg.io.fast",
    "saz_geboortezorg.io.validate",
    "saz_geboortezorg.io.identifiers",
    "saz_geboortezorg.io.decode",
    "saz_geboortezorg.io.link",
    "saz_geboortezorg.io.completeness",
    "saz_geboortezorg.io.dataset",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    if name != "saz_geboortezorg.io.problems":
        assert result.attempted > 0
