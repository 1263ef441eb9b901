"""sg.load runs on Arrow's jemalloc pool (speed only) and hands the default pool back."""

import handmade
import pandas as pd
import pyarrow as pa
import pytest

from saz_geboortezorg.io import dataset, load

try:
    pa.jemalloc_memory_pool()
    HAS_JEMALLOC = True
except NotImplementedError:  # pragma: no cover (pyarrow without jemalloc, e.g. Windows)
    HAS_JEMALLOC = False


def _load_seeing_pool(folder, monkeypatch):
    """load(folder) and the backend of Arrow's default pool while it links."""
    seen = []
    real = dataset.link

    def spy(*args, **kwargs):
        seen.append(pa.default_memory_pool().backend_name)
        return real(*args, **kwargs)

    monkeypatch.setattr(dataset, "link", spy)
    return load(folder, salt="pool"), seen


@pytest.mark.skipif(not HAS_JEMALLOC, reason="pyarrow built without jemalloc")
def test_load_uses_jemalloc_and_restores_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    before = pa.default_memory_pool().backend_name
    _, seen = _load_seeing_pool(handmade.write(tmp_path / "x"), monkeypatch)
    assert seen == ["jemalloc"]
    assert pa.default_memory_pool().backend_name == before


def test_a_chosen_pool_is_respected_and_values_do_not_depend_on_the_pool(tmp_path, monkeypatch):
    folder = handmade.write(tmp_path / "x")
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    default, _ = _load_seeing_pool(folder, monkeypatch)
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    chosen, seen = _load_seeing_pool(folder, monkeypatch)
    assert seen == [pa.default_memory_pool().backend_name]  # not switched
    for name in ("births", "women", "excluded", "linkage"):
        pd.testing.assert_frame_equal(getattr(chosen, name), getattr(default, name))
    assert chosen.notes == default.notes
