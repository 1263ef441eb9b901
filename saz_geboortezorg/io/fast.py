"""Fast paths for text columns backed by Arrow (the pandas 3 default string dtype).

``Series.isin`` and ``pd.to_numeric`` on Arrow-backed text go through Python
objects and are 20-40 times slower than the Arrow compute kernels. These helpers
use the kernels when they can and fall back to pandas otherwise, with the same
result.

Examples
--------
>>> import pandas as pd
>>> isin(pd.Series(["a", None, "c"], dtype="str"), ["c", "d"]).tolist()
[False, False, True]
>>> text_to_float(pd.Series(["1", "2.5", None], dtype="str")).tolist()
[1.0, 2.5, nan]
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from saz_geboortezorg.memory import small_pages

__all__ = [
    "isin",
    "text_to_float",
    "arrow_text",
    "bulk_memory_pool",
    "int_parts",
    "all_bytes_in",
    "main_arena_thread",
]


# glibc malloc: mallopt parameters and the values a bulk load uses (see _glibc_malloc_tuning)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
# flags in a chunk's size field: from the operating system directly, not from the main arena
_IS_MMAPPED, _NON_MAIN_ARENA = 0x2, 0x4
_BULK_MMAP_THRESHOLD = 32 * 1024 * 1024  # the ceiling of glibc's sliding threshold (64-bit)
_BULK_TRIM_THRESHOLD = 1024 * 1024 * 1024
_AFTER_TRIM_THRESHOLD = 2 * _BULK_MMAP_THRESHOLD  # glibc's sliding rule: twice the mmap one
_tuning_lock = threading.Lock()
_tuning_depth = 0


def _glibc() -> Any | None:
    """glibc's C library through ctypes, or None (not Linux/glibc, or malloc tuned by env)."""

    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    if any(k.startswith("MALLOC_") and k.endswith("_") for k in os.environ):
        return None  # the user tuned malloc (MALLOC_TRIM_THRESHOLD_ etc.): leave it alone
    if "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # pragma: no cover
        return None


@contextlib.contextmanager
def _glibc_malloc_tuning() -> Iterator[None]:
    """Raise glibc malloc's mmap and trim thresholds while the block runs (Linux only).

    By default glibc serves every block above its (sliding, at most 32 MiB) mmap
    threshold with a fresh ``mmap`` and gives it back on ``free``, and trims the heap's
    top once more than twice that is free; each new page then faults in again. A bulk
    load frees and allocates gigabytes of NumPy/pandas arrays, so it sets the mmap
    threshold to the sliding threshold's ceiling (32 MiB) from the start and lets the
    heap keep up to 1 GiB of freed memory for reuse. On exit the trim threshold goes to
    what glibc's sliding rule gives at that ceiling (64 MiB) and ``malloc_trim(0)``
    hands the freed pages back. glibc has no call to read the previous values, and any
    ``mallopt`` switches its sliding thresholds off for the rest of the process: they
    stay at 32 and 64 MiB, about where a large load leaves the sliding ones anyway.
    Measured at 2,000,000 pregnancies: ~2 s less system time and ~500 MB less resident
    after the load (docs/performance-national.md, fourth round). Nested and concurrent
    blocks share one setting. A no-op off glibc and when the user tuned malloc through
    ``MALLOC_*_`` variables or ``GLIBC_TUNABLES``. Values never depend on it.

    Examples
    --------
    >>> with _glibc_malloc_tuning():
    ...     total = sum(range(10))
    >>> total
    45
    """

    global _tuning_depth
    libc = _glibc()
    if libc is None:
        yield
        return
    with _tuning_lock:
        _tuning_depth += 1
        if _tuning_depth == 1:
            libc.mallopt(_M_MMAP_THRESHOLD, _BULK_MMAP_THRESHOLD)
            libc.mallopt(_M_TRIM_THRESHOLD, _BULK_TRIM_THRESHOLD)
    try:
        yield
    finally:
        with _tuning_lock:
            _tuning_depth -= 1
            if _tuning_depth == 0:
                libc.mallopt(_M_TRIM_THRESHOLD, _AFTER_TRIM_THRESHOLD)
                libc.malloc_trim(0)


def _user_set_arenas() -> bool:
    """True if the environment chose glibc's number of arenas (``MALLOC_ARENA_MAX`` etc.)."""

    return any(k.startswith("MALLOC_ARENA_") for k in os.environ) or (
        "glibc.malloc.arena" in os.environ.get("GLIBC_TUNABLES", "")
    )


def _on_main_arena(libc: Any) -> bool:
    """True if glibc malloc serves the calling thread from its main arena.

    A block of 2,000 bytes is too big for the thread's cache (tcache), so it comes
    from the thread's own arena; glibc marks a chunk from any other arena with the
    ``NON_MAIN_ARENA`` bit of the size field just before the block.
    """

    malloc, free = libc.malloc, libc.free
    malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    free.restype, free.argtypes = None, [ctypes.c_void_p]
    block = malloc(2000)
    if not block:  # pragma: no cover (out of memory)
        return False
    try:
        size = ctypes.c_size_t.from_address(block - ctypes.sizeof(ctypes.c_size_t)).value
    finally:
        free(block)
    return not size & (_NON_MAIN_ARENA | _IS_MMAPPED)  # an mmapped block tells nothing


@contextlib.contextmanager
def main_arena_thread(tries: int = 8) -> Iterator[ThreadPoolExecutor | None]:
    """A one-thread executor whose thread takes its memory where this thread does, or None.

    glibc malloc gives each new thread its own arena (heap): what a second thread frees
    stays in its arena, where the main thread cannot reuse it. When a load reads files
    on a second thread and links them on the first, at 2,000,000 pregnancies that
    raised the peak from 2.6 to 3.2 GB and doubled the system time (fresh page faults),
    which ate the gain of the second core. With one arena (``M_ARENA_MAX`` 1) the
    threads share the freed memory and the load was 1.5-2 s faster
    (docs/performance-national.md, seventh round).

    So on glibc (Linux), unless the environment chose the number of arenas, this caps
    glibc at one arena for new threads: **for the rest of the process** (glibc fixes the
    limit the first time a thread needs an arena and has no call to undo it; threads
    that already have an arena keep it). A Python process does its memory work under
    the GIL, so sharing one arena costs it nothing measurable. Then it starts a thread
    and checks that glibc gives it the main arena (a process that had other threads
    before the cap may have more arenas: a new thread takes first the arena of a thread
    that ended, then the arenas in turn): up to ``tries`` threads are tried, each kept
    running until the choice is made. None when no thread gets the main arena, when the
    calling thread itself is not on the main arena (then nothing is capped), off glibc
    (other allocators are not measured: the caller then works alone), or when the
    environment tuned malloc (see ``_glibc``). The executor is shut down when the block
    ends, its queued work cancelled.

    Examples
    --------
    >>> with main_arena_thread() as helper:
    ...     answer = helper.submit(sum, [1, 2]).result() if helper else sum([1, 2])
    >>> answer
    3
    """

    libc = _glibc()
    executor = None
    # a caller on an arena of its own (load run in a thread of a server or an executor)
    # could not share the helper's memory either way
    if libc is not None and _on_main_arena(libc):
        if not _user_set_arenas():
            libc.mallopt(_M_ARENA_MAX, 1)
        missed = []  # kept running while trying: an ended thread's arena goes to the next
        for _ in range(tries):
            candidate = ThreadPoolExecutor(max_workers=1, thread_name_prefix="saz-load")
            if candidate.submit(_on_main_arena, libc).result():
                executor = candidate
                break
            missed.append(candidate)
        for candidate in missed:
            candidate.shutdown(wait=True)
    try:
        yield executor
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def bulk_memory_pool() -> Iterator[None]:
    """Memory settings for a bulk load: Arrow on jemalloc, glibc malloc keeping pages.

    A national load allocates and frees gigabytes of Arrow buffers (Parquet pages,
    text columns, takes). pyarrow's default pool on Linux (mimalloc) hands freed
    memory back to the operating system soon, so the next buffers fault their pages
    in again; on a virtual machine those faults cost more than the work (at 2,000,000
    pregnancies: 23 s of system time in a 40 s load). jemalloc keeps freed pages for
    reuse and, measured there, cuts the load by a third with a lower peak. Buffers
    remember the pool that made them, so restoring the previous default afterwards
    is safe; the pages jemalloc kept are handed back when the block ends. Nothing
    changes when jemalloc is not built into pyarrow (Windows) or when
    ``ARROW_DEFAULT_MEMORY_POOL`` chooses a pool. NumPy and pandas arrays come from
    glibc malloc, tuned the same way for the block (see ``_glibc_malloc_tuning``),
    and NumPy asks for no transparent huge pages in it (``saz_geboortezorg.memory``).
    Values never depend on it.

    Examples
    --------
    >>> import pyarrow as pa
    >>> before = pa.default_memory_pool().backend_name
    >>> with bulk_memory_pool():
    ...     _ = pa.array(["a", "b"])
    >>> pa.default_memory_pool().backend_name == before
    True
    """

    with _glibc_malloc_tuning(), small_pages():
        pool = None
        if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
            try:
                pool = pa.jemalloc_memory_pool()
            except (NotImplementedError, pa.ArrowNotImplementedError):  # pragma: no cover
                pool = None
        if pool is None:
            yield
            return
        previous = pa.default_memory_pool()
        pa.set_memory_pool(pool)
        try:
            yield
        finally:
            pa.set_memory_pool(previous)
            pool.release_unused()  # pages freed in the block go back now


def all_bytes_in(data: memoryview, kept: bytes, piece: int = 1 << 16) -> bool:
    """True if every byte of ``data`` is one of ``kept``.

    ``bytes.translate`` deletes the kept bytes from a copy of each piece (64 KiB,
    so the copies stay in cache and no memory is newly touched): nothing may be
    left. No index array per byte, as a lookup table in numpy would need.

    Examples
    --------
    >>> all_bytes_in(memoryview(b"ZW01-a_"), b"-01AWZ_a"), all_bytes_in(memoryview(b"ZW 1"), b"1WZ")
    (True, False)
    >>> all_bytes_in(memoryview(b"abcabc"), b"abc", piece=4), all_bytes_in(memoryview(b"abcabd"), b"abc", piece=4)
    (True, False)
    """

    return not any(
        bytes(data[i : i + piece]).translate(None, kept) for i in range(0, len(data), piece)
    )


def arrow_text(s: pd.Series) -> Any | None:
    """The Arrow (chunked) array behind a text Series, or None if it has none."""

    arr = getattr(s.array, "_pa_array", None)
    if arr is None:
        return None
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    return None


def int_parts(values: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(data, missing mask) of a nullable ``Int64`` column without copying, else None.

    The arrays are the column's own buffers: read them, do not write to them. Data
    under the mask is unspecified (usually 0).

    Examples
    --------
    >>> import pandas as pd
    >>> data, missing = int_parts(pd.Series([4, None], dtype="Int64"))
    >>> int(data[0]), missing.tolist()
    (4, [False, True])
    >>> int_parts(pd.Series([1.5])) is None
    True
    """

    array = getattr(values, "array", values)
    if not isinstance(array, pd.arrays.IntegerArray) or not isinstance(array.dtype, pd.Int64Dtype):
        return None
    return array._data, array._mask


def isin(s: pd.Series, candidates: Any) -> np.ndarray:
    """Boolean array: is each value of ``s`` among ``candidates``? (NA -> False)

    Examples
    --------
    >>> import pandas as pd
    >>> isin(pd.Series([1, 2, None], dtype="Int64"), [2]).tolist()
    [False, True, False]
    """

    arr = arrow_text(s)
    if arr is None:
        return s.isin(candidates).fillna(False).to_numpy(dtype=bool)
    if (
        isinstance(candidates, pd.Series | pd.Index)
        and arrow_text(pd.Series(candidates)) is not None
    ):
        values = pc.unique(arrow_text(pd.Series(candidates)))
    else:
        uniq = pd.unique(np.asarray(list(candidates), dtype=object))
        values = pa.array(
            [str(v) for v in uniq if v is not None and not pd.isna(v)], type=pa.string()
        )
    values = values.drop_null().cast(arr.type)
    result = pc.fill_null(pc.is_in(arr, value_set=values), False)
    return np.asarray(result, dtype=bool)


def text_to_float(s: pd.Series) -> pd.Series:
    """Text to float64 (NaN where empty or not a number), via Arrow when every value parses.

    Examples
    --------
    >>> import pandas as pd
    >>> text_to_float(pd.Series(["3", "x"], dtype="str")).tolist()
    [3.0, nan]
    """

    arr = arrow_text(s)
    if arr is not None:
        try:
            out = pc.cast(arr, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:
            return pd.Series(out.to_numpy(), index=s.index, dtype="float64")
    return pd.to_numeric(s, errors="coerce").astype("float64")


def labels(index: np.ndarray, names: list[str], like: pd.Index | None = None) -> pd.Series:
    """Text Series ``names[index]``, NA where ``index`` is negative.

    Builds the Arrow text array directly instead of going through Python objects.

    Examples
    --------
    >>> import numpy as np
    >>> labels(np.array([1, -1, 0]), ["no", "yes"]).tolist()
    ['yes', nan, 'no']
    """

    idx = np.asarray(index, dtype="int64")
    taken = pc.take(pa.array(names, type=pa.string()), pa.array(idx, mask=idx < 0))
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.Series(pd.array(taken, dtype=dtype), index=like)


def factorize_together(*series: pd.Series) -> tuple[list[np.ndarray], np.ndarray]:
    """Integer codes for the text values of several Series, shared between them.

    Returns the codes per Series (-1 for NA) and, per code, its rank in sorted
    order of the values (to sort by the text without comparing strings again).

    Examples
    --------
    >>> import pandas as pd
    >>> (a, b), rank = factorize_together(pd.Series(["z", "a"]), pd.Series(["a", None]))
    >>> a.tolist(), b.tolist(), rank.tolist()
    ([0, 1], [1, -1], [1, 0])
    """

    arrays = []
    for s in series:
        arr = arrow_text(s)
        if arr is None:
            arr = pa.chunked_array(
                [pa.array(s.astype("str").to_numpy(dtype=object, na_value=None), type=pa.string())]
            )
        arrays.extend(arr.cast(pa.string()).chunks)
    combined = pa.concat_arrays(arrays) if arrays else pa.array([], type=pa.string())
    encoded = pc.dictionary_encode(combined)
    codes = np.asarray(pc.fill_null(encoded.indices, -1), dtype="int64")
    order = np.asarray(pc.sort_indices(encoded.dictionary), dtype="int64")
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    out, start = [], 0
    for s in series:
        out.append(codes[start : start + len(s)])
        start += len(s)
    return out, rank
