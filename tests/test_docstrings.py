"""Every docstring example in the package runs and gives what it shows.

The examples are the documentation users copy from, so they are tested like code.
Examples that need the default dataset or write files are marked ``# doctest: +SKIP``.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import saz_geboortezorg

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(saz_geboortezorg.__path__, prefix="saz_geboortezorg.")
    if not m.name.endswith("__main__")
)


def test_modules_found():
    assert len(MODULES) > 40


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


#: Modules without examples of their own: the command line (tested through
#: saz_geboortezorg.cli.main in the command tests), exceptions, and result containers
#: whose examples live with the functions that build them.
NO_EXAMPLES_NEEDED = (
    "saz_geboortezorg.cli",
    "saz_geboortezorg.commands",
    "saz_geboortezorg.errors",
)
NO_EXAMPLES_YET = ("saz_geboortezorg.model.problems", "saz_geboortezorg.model.result")


def test_modules_have_examples():
    """Every module with code documents it with at least one runnable example."""
    packages = {
        m.name
        for m in pkgutil.walk_packages(saz_geboortezorg.__path__, prefix="saz_geboortezorg.")
        if m.ispkg
    }
    without = []
    for name in MODULES:
        if name.startswith(NO_EXAMPLES_NEEDED) or name in NO_EXAMPLES_YET or name in packages:
            continue
        tests = doctest.DocTestFinder().find(importlib.import_module(name))
        if not any(t.examples for t in tests):
            without.append(name)
    assert without == []
