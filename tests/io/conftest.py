"""Fixtures for the io tests: a tiny consistent set of extracts in tmp_path."""

from __future__ import annotations

import handmade
import pytest


@pytest.fixture
def folder(tmp_path):
    """A folder with the four hand-made extracts as UTF-8 comma CSV."""
    return handmade.write(tmp_path / "extracts")


@pytest.fixture
def data(folder):
    """The hand-made extracts loaded with a fixed salt."""
    from saz_geboortezorg.io import load

    return load(folder, salt="test-salt")
