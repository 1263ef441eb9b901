"""Single-threaded BLAS for the small matrices of collapsed fits.

Collapsed data are small (thousands of patterns by tens of terms). On a busy
two-core machine, multi-threaded BLAS on such matrices spends most of its time
waiting for the other thread: a collapsed logistic fit on 38,000 patterns took 2.2 s
with two OpenBLAS threads under load and 0.36 s with one. When the optional package
``threadpoolctl`` is installed, the fits below run with one BLAS thread; otherwise
nothing changes.
"""

from __future__ import annotations

import contextlib

__all__ = ["small_blas"]

#: Above this many matrix elements, BLAS threads are left alone (they help).
LIMIT = 5_000_000


def small_blas(rows: int, cols: int) -> contextlib.AbstractContextManager:
    """Context limiting BLAS to one thread for a ``rows`` x ``cols`` problem.

    Examples
    --------
    >>> with small_blas(1000, 10):
    ...     pass
    """
    if rows * cols > LIMIT:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
