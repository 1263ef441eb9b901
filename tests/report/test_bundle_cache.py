"""The report's JavaScript bundle is cached on disk per vl-convert version, checked by
its SHA-256; a missing, damaged or unwritable cache falls back to vl-convert."""

from __future__ import annotations

import hashlib
import sys
import types

import pytest

from saz_geboortezorg.report import html


@pytest.fixture
def fake_vl(monkeypatch, tmp_path):
    """A stand-in vl_convert (counts its calls) and an empty user cache in tmp_path."""
    calls = []

    def javascript_bundle():
        calls.append(1)
        return "var vegaEmbed = 1; // </script> inside"

    module = types.SimpleNamespace(__version__="9.9.9", javascript_bundle=javascript_bundle)
    monkeypatch.setitem(sys.modules, "vl_convert", module)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    html.javascript_bundle.cache_clear()
    yield calls
    html.javascript_bundle.cache_clear()  # no fake bundle for later tests


def _fresh() -> str:
    html.javascript_bundle.cache_clear()  # the in-process cache; the disk cache stays
    return html.javascript_bundle()


EXPECTED = "var vegaEmbed = 1; // <\\/script> inside"


def test_written_once_then_read_from_disk(fake_vl, tmp_path):
    assert _fresh() == EXPECTED and len(fake_vl) == 1
    path = tmp_path / "saz_geboortezorg" / "vl_convert" / "javascript_bundle-9.9.9.js"
    digest, body = path.read_text(encoding="utf-8").split("\n", 1)
    assert body == EXPECTED
    assert digest == hashlib.sha256(EXPECTED.encode()).hexdigest()
    assert _fresh() == EXPECTED and len(fake_vl) == 1  # vl-convert not asked again
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_damaged_cache_is_made_again(fake_vl, tmp_path):
    _fresh()
    path = tmp_path / "saz_geboortezorg" / "vl_convert" / "javascript_bundle-9.9.9.js"
    digest, body = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(f"{digest}\n{body[:-3]}", encoding="utf-8")  # truncated
    assert _fresh() == EXPECTED and len(fake_vl) == 2
    assert path.read_text(encoding="utf-8") == f"{digest}\n{EXPECTED}"  # repaired
    path.write_text("no checksum", encoding="utf-8")
    assert _fresh() == EXPECTED and len(fake_vl) == 3


def test_unwritable_cache_still_gives_the_bundle(fake_vl, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can be made
    assert _fresh() == EXPECTED and _fresh() == EXPECTED and len(fake_vl) == 2


def test_no_version_no_disk_cache(fake_vl, tmp_path, monkeypatch):
    monkeypatch.delattr(sys.modules["vl_convert"], "__version__")
    assert _fresh() == EXPECTED
    assert not (tmp_path / "saz_geboortezorg").exists()
