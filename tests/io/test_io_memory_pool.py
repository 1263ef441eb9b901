"""sg.load runs on Arrow's jemalloc pool and tuned glibc malloc (speed only), and undoes both."""

import os
import threading

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


# --- one glibc arena for the second reader thread (seventh round) -------------------


class _ArenaLibc(_FakeLibc):
    """A C library whose threads are on the main arena after ``misses`` other threads."""

    def __init__(self, misses=0):
        super().__init__()
        self.misses = misses
        self.caller_on_main = True


@pytest.fixture
def fake_arenas(monkeypatch):
    libc = _ArenaLibc()
    probes = []

    def on_main_arena(lib):
        if threading.current_thread() is threading.main_thread():
            return lib.caller_on_main  # the calling thread
        probes.append(threading.current_thread())
        return len(probes) > lib.misses

    monkeypatch.setattr(fast, "_glibc", lambda: libc)
    monkeypatch.setattr(fast, "_on_main_arena", on_main_arena)
    for name in ("MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST", "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    return libc, probes


def test_the_helper_thread_is_one_that_glibc_serves_from_the_main_arena(fake_arenas):
    libc, probes = fake_arenas
    libc.misses = 2  # the first two threads got arenas of their own
    with fast.main_arena_thread() as helper:
        name = helper.submit(lambda: threading.current_thread().name).result()
    assert libc.calls == [("mallopt", -8, 1)]  # M_ARENA_MAX 1, before any thread starts
    assert len(probes) == 3 and len({id(t) for t in probes}) == 3  # a new thread each try
    assert name == probes[-1].name and name.startswith("saz-load")


def test_no_helper_when_no_thread_gets_the_main_arena(fake_arenas):
    libc, probes = fake_arenas
    libc.misses = 99
    with fast.main_arena_thread(tries=3) as helper:
        assert helper is None
    assert len(probes) == 3


def test_no_helper_and_no_cap_when_the_caller_has_an_arena_of_its_own(fake_arenas):
    libc, probes = fake_arenas
    libc.caller_on_main = False  # e.g. sg.load run in a thread of a web server
    with fast.main_arena_thread() as helper:
        assert helper is None
    assert libc.calls == [] and probes == []


def test_arenas_chosen_by_the_user_are_not_capped(fake_arenas, monkeypatch):
    libc, _ = fake_arenas
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    with fast.main_arena_thread() as helper:
        assert helper is not None
    assert libc.calls == []


def test_no_helper_off_glibc(monkeypatch):
    monkeypatch.setattr(fast, "_glibc", lambda: None)
    with fast.main_arena_thread() as helper:
        assert helper is None


@pytest.mark.skipif(not ON_GLIBC, reason="glibc only (Linux)")
def test_the_arena_check_tells_a_thread_with_its_own_arena(tmp_path):
    """In a fresh process (no cap yet) a new thread gets an arena of its own, and a load
    run in it gets no helper; the main thread's helper shares the main arena."""
    import subprocess
    import sys

    script = (
        "import threading\n"
        "from saz_geboortezorg.io import fast\n"
        "libc = fast._glibc()\n"
        "seen = []\n"
        "def inside():\n"
        "    seen.append(fast._on_main_arena(libc))\n"
        "    with fast.main_arena_thread() as helper:\n"
        "        seen.append(helper is None)\n"
        "t = threading.Thread(target=inside)\n"
        "t.start(); t.join()\n"  # its arena is now free: the next new thread takes it
        "with fast.main_arena_thread() as helper:\n"
        "    shared = helper.submit(fast._on_main_arena, libc).result()\n"
        "print(fast._on_main_arena(libc), seen[0], seen[1], shared)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_"))}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    # this thread: main arena; a new thread: its own, and no helper for it; the helper
    # found after the cap: the main arena
    assert out.stdout.split() == ["True", "False", "True", "True"]
