"""Fixtures for the io tests: a tiny consistent set of extracts (see handmade.py)."""

from __future__ import annotations

import handmade
import pytest


@pytest.fixture
def folder(tmp_path):
    """A fresh folder with the four hand-made extracts as UTF-8 comma CSV (may be changed)."""
    return handmade.write(tmp_path / "extracts")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The hand-made extracts loaded with salt 'test-salt' (shared: do not modify)."""
    from saz_geboortezorg.io import load

    return load(handmade.write(tmp_path_factory.mktemp("extracts")), salt="test-salt")
