"""The examples in the funnel modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "saz_geboortezorg.compare.funnel.aggregate",
    "saz_geboortezorg.compare.funnel.transform",
    "saz_geboortezorg.compare.funnel.overdispersion",
    "saz_geboortezorg.compare.funnel.limits",
    "saz_geboortezorg.compare.funnel.result",
    "saz_geboortezorg.compare.funnel.api",
    "saz_geboortezorg.present.funnel_chart",
    "saz_geboortezorg.present.caterpillar",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
