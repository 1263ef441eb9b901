"""sg.load runs on Arrow's jemalloc pool and tuned glibc malloc (speed only), and undoes both."""

import handmade
import pandas as pd
import pyarrow as pa
import pytest

from saz_geboortezorg.io import dataset, fast, load

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


# --- glibc malloc thresholds during the load (fourth round) -------------------------

ON_GLIBC = fast._glibc() is not None


class _FakeLibc:
    """Records the calls bulk_memory_pool makes to the C library."""

    def __init__(self):
        self.calls = []

    def mallopt(self, param, value):
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


def test_thresholds_are_raised_for_the_block_and_lowered_and_trimmed_after(monkeypatch):
    libc = _FakeLibc()
    monkeypatch.setattr(fast, "_glibc", lambda: libc)
    M_TRIM, M_MMAP = -1, -3  # glibc's malloc.h
    with fast.bulk_memory_pool():
        with fast.bulk_memory_pool():  # nested: set once, undone once
            during = list(libc.calls)
        assert libc.calls == during
    assert during == [("mallopt", M_MMAP, 32 * 2**20), ("mallopt", M_TRIM, 2**30)]
    assert libc.calls[2:] == [("mallopt", M_TRIM, 64 * 2**20), ("malloc_trim", 0)]


def test_thresholds_are_undone_when_the_load_fails(monkeypatch, tmp_path):
    libc = _FakeLibc()
    monkeypatch.setattr(fast, "_glibc", lambda: libc)
    with pytest.raises(Exception, match="folder not found"):
        load(tmp_path / "nothing here")
    assert [c[0] for c in libc.calls] == ["mallopt", "mallopt", "mallopt", "malloc_trim"]


@pytest.mark.parametrize(
    "name, value",
    [
        ("MALLOC_TRIM_THRESHOLD_", "131072"),
        ("MALLOC_MMAP_THRESHOLD_", "1048576"),
        ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072"),
    ],
)
def test_malloc_tuned_by_the_user_is_left_alone(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    assert fast._glibc() is None


@pytest.mark.skipif(not ON_GLIBC, reason="glibc only (Linux)")
def test_on_glibc_a_16_mib_array_comes_from_the_heap_inside_the_block():
    import ctypes

    import numpy as np

    class Mallinfo2(ctypes.Structure):  # glibc >= 2.33, all fields size_t
        _fields_ = [
            (n, ctypes.c_size_t)
            for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
        ]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = Mallinfo2
    with fast.bulk_memory_pool():
        mapped = libc.mallinfo2().hblkhd
        a = np.ones(16 * 2**20, dtype=np.uint8)  # below the 32 MiB mmap threshold
        assert libc.mallinfo2().hblkhd == mapped  # not a separate mmap
        del a
