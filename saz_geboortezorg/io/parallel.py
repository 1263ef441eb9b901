"""Run one function call in a fresh Python process and get its result back cheaply.

:func:`saz_geboortezorg.io.load` reads its biggest extract in a worker while it reads
the others itself, so a national load uses the machine's second core. The worker is a
new interpreter (running :func:`worker_main`), not a ``multiprocessing``
child: it needs no ``if __name__ == "__main__"`` guard in the user's script, inherits no
threads or locks from the caller (as ``fork`` would), and behaves the same on Linux,
macOS and Windows. The call travels over the worker's stdin; the result comes back over
a pipe as a pickle (protocol 5) whose large buffers (NumPy and Arrow data) are sent
out of band, each copied once, straight into the caller's memory. An exception raised
by the function is raised again by :meth:`Worker.result`, with the same type and
message; warnings it emitted are emitted again in the caller.

Examples
--------
>>> w = Worker.start("operator:add", (2, 3))
>>> w.result()
5
>>> Worker.start("operator:truediv", (1, 0)).result()
Traceback (most recent call last):
...
ZeroDivisionError: division by zero
"""

from __future__ import annotations

import importlib
import os
import pickle
import struct
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

__all__ = ["Worker", "WorkerLost", "can_start", "worker_main"]

_LENGTH = struct.Struct("<Q")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class WorkerLost(RuntimeError):
    """The worker process ended without sending a result (killed, out of memory)."""


def can_start() -> bool:
    """Whether a worker interpreter can be started (not in a frozen application).

    Examples
    --------
    >>> isinstance(can_start(), bool)
    True
    """

    return bool(sys.executable) and not getattr(sys, "frozen", False)


class Worker:
    """One call ``module:function(*args)`` running in a fresh Python process.

    Start it with :meth:`start`, do other work, then collect with :meth:`result` (it
    waits). :meth:`close` stops a worker whose result is no longer wanted.
    """

    def __init__(self, proc: subprocess.Popen):
        self._proc = proc

    @classmethod
    def start(cls, target: str, args: tuple) -> Worker:
        """Start ``target`` (``"package.module:function"``) on ``args`` in a new process.

        Raises OSError when no process can be started.
        """

        env = dict(os.environ)
        # the worker imports this very package, wherever the caller found it
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        # -P: the caller's working directory does not shadow installed modules
        code = f"from {__name__} import worker_main; worker_main()"
        proc = subprocess.Popen(
            [sys.executable, "-P", "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            bufsize=0,
        )
        try:
            proc.stdin.write(pickle.dumps((target, args), protocol=5))
            proc.stdin.close()
        except OSError:
            proc.kill()
            proc.wait()
            raise
        return cls(proc)

    def result(self) -> Any:
        """Wait for the call and return its value, or raise its exception."""

        try:
            status, value, caught = _receive(self._proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self.close()
            raise WorkerLost(f"worker process ended without a result ({exc})") from None
        finally:
            self._proc.stdout.close()
            self._proc.wait()
        for message, category, filename, lineno in caught:
            warnings.warn_explicit(message, category, filename, lineno)
        if status == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop the worker (if still running) and release its pipe."""

        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if not self._proc.stdout.closed:
            self._proc.stdout.close()


def _read_exactly(stream: BinaryIO, into: memoryview) -> None:
    got = 0
    while got < len(into):
        n = stream.readinto(into[got:])
        if not n:
            raise EOFError("pipe closed early")
        got += n


def _receive(stream: BinaryIO) -> tuple[str, Any, list]:
    head = bytearray(_LENGTH.size * 2)
    _read_exactly(stream, memoryview(head))
    n_header, n_buffers = struct.unpack("<QQ", head)
    header = bytearray(n_header)
    _read_exactly(stream, memoryview(header))
    buffers = []
    size = bytearray(_LENGTH.size)
    for _ in range(n_buffers):
        _read_exactly(stream, memoryview(size))
        # np.empty, not bytearray: no zero-filling; the data lands here once, writable
        buf = np.empty(_LENGTH.unpack(size)[0], dtype=np.uint8)
        _read_exactly(stream, memoryview(buf))
        buffers.append(buf)
    return pickle.loads(header, buffers=buffers)


def _send(stream: BinaryIO, message: tuple) -> None:
    buffers: list[pickle.PickleBuffer] = []
    header = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    stream.write(struct.pack("<QQ", len(header), len(buffers)))
    stream.write(header)
    for b in buffers:
        raw = b.raw()
        stream.write(_LENGTH.pack(raw.nbytes))
        stream.write(raw)
    stream.flush()


def _call(target: str, args: tuple) -> tuple[str, Any, list]:
    module, _, name = target.partition(":")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = getattr(importlib.import_module(module), name)(*args)
            status = "ok"
        except Exception as exc:  # raised again in the caller
            value, status = exc, "error"
    seen = [(w.message, w.category, w.filename, w.lineno) for w in caught]
    return status, value, seen


def worker_main() -> None:  # pragma: no cover (runs in the worker process)
    """The worker process: read one call from stdin, send its outcome back on stdout."""

    # the result goes to a private copy of stdout; anything printed goes to stderr
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    target, args = pickle.loads(sys.stdin.buffer.read())
    message = _call(target, args)
    try:
        _send(out, message)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        _send(out, ("error", RuntimeError(f"{target}: result cannot be sent: {exc}"), []))
    out.close()
