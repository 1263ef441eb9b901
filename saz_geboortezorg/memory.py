"""Memory settings of long operations: no transparent huge pages for NumPy's arrays.

On Linux NumPy asks the kernel for transparent huge pages (2 MiB instead of 4 KiB)
for every array of 4 MiB or more (``madvise(MADV_HUGEPAGE)``; it matters when
``/sys/kernel/mm/transparent_hugepage/enabled`` says ``madvise`` or ``always``). On
bare metal that saves page faults. On a virtual machine whose hypervisor takes freed
memory back (free page reporting of the virtio balloon, which reports free blocks of
2 MiB and more), each huge page comes from a block the host has dropped, so one
huge-page fault costs 512 host faults: ~5 ms on the machine this toolkit is measured
on, against ~0.5 ms for a huge page the host still backs. A national load allocates
gigabytes of fresh arrays; with NumPy's advice on, 1,260 huge-page faults added
~7 s of system time to a 2,000,000-pregnancy load (docs/performance-national.md,
"Sixth round": load 24-28 s against 17.1-17.5 s, ``synth`` 34 against 24 s, the
benchmark per region 21 against 14-17 s, the explorer's first view 6.0 against 4.3 s).
Without the advice the kernel serves 4 KiB pages from memory the host still backs.
On bare metal the price is the extra small-page faults: about 650,000 more at 2,000,000
pregnancies (1.59 M against 0.95 M), a fraction of a second at the ~0.5 us a fault
costs there (an estimate: not measured on bare metal).

:func:`small_pages` therefore switches NumPy's advice off while a long operation runs
(``sg.load``, ``synth``, the benchmark, the reports, an explorer redraw, every
command) and restores NumPy's setting afterwards; nested and concurrent blocks share
one switch. It does nothing when ``NUMPY_MADVISE_HUGEPAGE`` is set in the environment
(NumPy's own variable, read when NumPy is imported: the user's choice wins), off
Linux, or when NumPy lacks its switch. Values never depend on it.

Examples
--------
>>> import numpy as np
>>> with small_pages():
...     total = np.ones(1_000_000).sum()
>>> float(total)
1000000.0
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["small_pages", "with_small_pages"]

F = TypeVar("F", bound=Callable[..., Any])

ENV = "NUMPY_MADVISE_HUGEPAGE"  # NumPy's own variable; when set, the user's choice wins
_lock = threading.Lock()
_depth = 0
_before = True


def numpy_switch() -> Callable[[bool], bool] | None:
    """NumPy's switch of its huge-page advice (``_set_madvise_hugepage``), or None.

    None off Linux, when ``NUMPY_MADVISE_HUGEPAGE`` is set (the user chose) and when
    this NumPy has no such switch. The switch takes the new setting and returns the
    previous one.

    Examples
    --------
    >>> switch = numpy_switch()
    >>> switch is None or callable(switch)
    True
    """

    if not sys.platform.startswith("linux") or ENV in os.environ:
        return None
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        switch = getattr(module, "_set_madvise_hugepage", None)
        if callable(switch):
            return switch
    return None


@contextlib.contextmanager
def small_pages() -> Iterator[None]:
    """NumPy's huge-page advice off while the block runs (see the module's text).

    Nested and concurrent blocks share one switch: the first to enter turns the
    advice off, the last to leave restores what NumPy had before, also when the
    block raises.

    Examples
    --------
    >>> with small_pages():
    ...     with small_pages():
    ...         inner = sum(range(4))
    >>> inner
    6
    """

    global _depth, _before
    switch = numpy_switch()
    if switch is None:
        yield
        return
    with _lock:
        _depth += 1
        if _depth == 1:
            _before = bool(switch(False))
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                switch(_before)


def with_small_pages(func: F) -> F:
    """Run ``func`` inside :func:`small_pages` (a decorator for long operations).

    Examples
    --------
    >>> @with_small_pages
    ... def total(n):
    ...     return sum(range(n))
    >>> total(5)
    10
    """

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with small_pages():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]
