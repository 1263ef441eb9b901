"""Progress of long operations: a bar in the terminal, a widget in a notebook.

Loading (``sg.load``), generating synthetic data (``synth``), the open benchmark
(``sg.benchmark``) and the reports take from seconds to minutes at national scale.
They announce their steps through this module, with one API::

    with steps("load", total=6, enabled=progress) as p:
        p.step("reading perined_lvr1.parquet")
        ...

Where the progress goes (``enabled=None``, the default, decides by itself):

* in a Jupyter kernel: an ``ipywidgets`` bar with the step and the elapsed time,
  displayed as a widget only (no text output, so nbval sees nothing); it shows
  'done' at the end;
* in a terminal (standard error is a TTY): one line on standard error, redrawn with
  ``\\r``, replaced at the end by one final line with the elapsed time;
* anywhere else (a pipe, a log file, pytest): nothing, unless asked for with
  ``enabled=True`` (then one plain line per step).

It is silent for a call with ``progress=False``, when the environment variable ``CI``
is set (to anything but ``""``, ``0`` or ``false``; continuous integration sets it),
when ``SAZ_GEBOORTEZORG_PROGRESS=0`` (``tools/execute_notebooks.py`` and ``make test``
set it, so that committed notebooks hold no widget), under a command's ``--quiet``, and after ``configure(False)`` (``sg.setup(progress=False)``).
The order: a call's own ``progress=True`` or ``False`` wins, then ``CI``, then
``SAZ_GEBOORTEZORG_PROGRESS`` (``0`` or ``1``), then :func:`configure`, then the
automatic choice above.

Steps of an operation started inside another one (the benchmark inside a report,
``sg.load`` inside ``synth``'s scoring) do not open a second bar: they are shown
after the outer step on the same line, and the outer bar fills in proportion.

Functions deep inside an operation announce a step without a handle with
:func:`step` (it does nothing unless that operation is the innermost one running);
:func:`with_progress` gives a function the ``progress=`` keyword.

Examples
--------
>>> import io
>>> class Terminal(io.StringIO):
...     def isatty(self):
...         return True
>>> screen = Terminal()
>>> with steps("load", total=2, enabled=True, stream=screen) as p:
...     p.step("reading perined_lvr1.csv")
...     p.step("linking")
>>> lines = screen.getvalue().replace(chr(27) + "[K", "").split("\\r")  # drop 'clear line'
>>> lines[1]  # at once: the bar, empty  # doctest: +ELLIPSIS
'load [--------------------] starting · ... s'
>>> [line for line in lines if "1/2" in line][0]  # doctest: +ELLIPSIS
'load [--------------------] 1/2 reading perined_lvr1.csv · ... s'
>>> lines[-1].startswith("load: done, 2 steps in ") and lines[-1].endswith(" s\\n")
True

Nothing at all when it is off:

>>> quiet = Terminal()
>>> with steps("load", total=2, enabled=False, stream=quiet) as p:
...     p.step("reading")
>>> quiet.getvalue()
''
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO, TypeVar

__all__ = [
    "Progress",
    "steps",
    "step",
    "with_progress",
    "configure",
    "quiet",
    "resolve",
    "in_notebook",
    "show_widget",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The environment variable that switches progress off (``0``) or on (``1``).
ENV = "SAZ_GEBOORTEZORG_PROGRESS"

#: The global setting: None (automatic), True or False; see :func:`configure`.
_setting: bool | None = None

#: Per thread, the operations running, outermost first (the first owns the display).
_threads = threading.local()


def _running() -> list[Progress]:
    if not hasattr(_threads, "running"):
        _threads.running = []
    return _threads.running


_FALSE = {"", "0", "false", "no", "off"}

#: Seconds between redraws of the elapsed time while a step runs (bar and widget).
TICK = 0.5

#: Serialises drawing between the operation and the clock thread.
_lock = threading.Lock()


def configure(enabled: bool | None) -> bool | None:
    """Set progress on (True), off (False) or automatic (None) for this process.

    ``sg.setup(progress=False)`` calls it. A call's own ``progress=`` keyword still
    wins. Returns the previous setting, so that it can be restored.

    Examples
    --------
    >>> previous = configure(False)
    >>> resolve(None)
    False
    >>> configure(previous)
    False
    """
    global _setting
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"progress must be True, False or None, not {enabled!r}")
    previous, _setting = _setting, enabled
    return previous


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Switch progress off inside the block (a command's ``--quiet``).

    Examples
    --------
    >>> with quiet():
    ...     resolve(None)
    False
    """
    previous = _setting
    configure(False)
    try:
        yield
    finally:
        configure(previous)


def _env_set(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in _FALSE


def resolve(enabled: bool | None, stream: TextIO | None = None) -> bool:
    """Whether an operation called with ``progress=enabled`` shows its progress.

    Examples
    --------
    >>> import io
    >>> resolve(False), resolve(None, io.StringIO())  # not a terminal, not a notebook
    (False, False)
    """
    if enabled is not None:
        return bool(enabled)
    if _env_set("CI"):
        return False
    env = os.environ.get(ENV, "").strip().lower()
    if env in {"0", "false", "no", "off"}:
        return False
    if env in {"1", "true", "yes", "on"}:
        return True
    if _setting is not None:
        return _setting
    if in_notebook():
        return True
    stream = sys.stderr if stream is None else stream
    return _isatty(stream)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def in_notebook() -> bool:
    """True inside a Jupyter kernel (a notebook, JupyterLab, Voila).

    Examples
    --------
    >>> in_notebook()  # a doctest runs in plain Python
    False
    """
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel brings IPython
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def show_widget(widget: Any) -> None:
    """Display a widget in the notebook as a widget only, without a text fallback.

    The output then holds only the ``application/vnd.jupyter.widget-view+json`` view,
    which nbval does not compare, so a notebook's outputs stay the same with or
    without the progress bar.

    Examples
    --------
    >>> show_widget  # doctest: +ELLIPSIS
    <function show_widget at ...>
    """
    from IPython.display import display

    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    display({"application/vnd.jupyter.widget-view+json": view}, raw=True)


def _clock(seconds: float) -> str:
    """Elapsed time as ``4.2 s``, ``1:05`` or ``1:02:03``.

    Examples
    --------
    >>> _clock(4.21), _clock(65.2), _clock(3723)
    ('4.2 s', '1:05', '1:02:03')
    """
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class _Silent:
    def update(self, run: Progress) -> None:
        pass

    def finish(self, run: Progress, failed: bool) -> None:
        pass


class _Lines:
    """One plain line per step (standard error is not a terminal, progress asked for)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def update(self, run: Progress) -> None:
        self.stream.write(f"[{run.label} {run.elapsed:6.1f} s] {run.describe()}\n")
        self.stream.flush()

    def finish(self, run: Progress, failed: bool) -> None:
        self.stream.write(f"[{run.label} {run.elapsed:6.1f} s] {run.outcome(failed)}\n")
        self.stream.flush()


class _Bar:
    """One line on a terminal, redrawn in place with ``\\r``."""

    WIDTH = 20

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def update(self, run: Progress) -> None:
        fraction = run.fraction()
        if fraction is None:
            bar = ""
        else:
            filled = int(round(fraction * self.WIDTH))
            bar = "[" + "#" * filled + "-" * (self.WIDTH - filled) + "] "
        head, tail = f"{run.label} {bar}", f" · {_clock(run.elapsed)}"
        room = shutil.get_terminal_size((100, 24)).columns - 1 - len(head) - len(tail)
        text = run.describe()
        if len(text) > max(room, 10):  # shorten the steps, keep the bar and the time
            text = text[: max(room, 10) - 1] + "…"
        self.stream.write("\r" + head + text + tail + "\x1b[K")
        self.stream.flush()

    def finish(self, run: Progress, failed: bool) -> None:
        self.stream.write("\r\x1b[K" + run.outcome(failed) + "\n")
        self.stream.flush()


class _Widget:
    """An ``ipywidgets`` bar with a label, in a notebook."""

    def __init__(self, label: str, total: int | None) -> None:
        import ipywidgets as widgets

        self.bar = widgets.IntProgress(
            value=0, min=0, max=1000, description=label, layout={"width": "260px"}
        )
        self.text = widgets.Label(value="")
        self.box = widgets.HBox([self.bar, self.text])
        show_widget(self.box)

    def update(self, run: Progress) -> None:
        fraction = run.fraction()
        self.bar.value = int(round(1000 * (fraction or 0.0)))
        self.text.value = f"{run.describe()} · {_clock(run.elapsed)}"

    def finish(self, run: Progress, failed: bool) -> None:
        if failed:
            self.bar.bar_style = "danger"
        else:
            self.bar.value = self.bar.max
            self.bar.bar_style = "success"
        self.text.value = run.outcome(failed).removeprefix(f"{run.label}: ")


class Progress:
    """One running operation: its label, its steps so far and its display.

    Made by :func:`steps`; call :meth:`step` when a step starts.
    """

    def __init__(self, label: str, total: int | None, shown: bool, display: Any) -> None:
        self.label = label
        self.total = total
        self.shown = shown
        self.started = 0
        self.current = ""
        self.start = time.perf_counter()
        self._display = display
        self._parent: Progress | None = None
        self._child: Progress | None = None
        self._inner_done = 0.0  # 1.0 once an inner operation of the current step ended

    @property
    def elapsed(self) -> float:
        """Seconds since the operation started."""
        return time.perf_counter() - self.start

    def step(self, name: str, *, total: int | None = None) -> None:
        """Start the next step, ``name``; ``total`` corrects the number of steps.

        Examples
        --------
        >>> with steps("benchmark", total=3, enabled=False) as p:
        ...     p.step("cs")
        ...     p.step("oasis")
        ...     (p.started, p.current)
        (2, 'oasis')
        """
        if total is not None:
            self.total = total
        self.started += 1
        self.current = str(name)
        self._inner_done = 0.0
        self._redraw()

    def fraction(self) -> float | None:
        """The share done, counting the steps finished and the share of the running one's
        inner operation (None when the number of steps is not known)."""
        if not self.total:
            return None
        child = self._child  # read once: the clock thread redraws while it may change
        inner = child.fraction() if child is not None else self._inner_done
        done = max(self.started - 1, 0) + (inner or 0.0)
        return min(done / self.total, 1.0)

    def describe(self) -> str:
        """``2/6 reading perined_lvr2.csv``, followed by any inner operation's step."""
        count = f"{self.started}/{self.total}" if self.total else f"{self.started}"
        text = f"{count} {self.current}".rstrip() if self.started else "starting"
        child = self._child
        if child is not None and child.shown and child.started:
            text += f" › {child.label} {child.describe()}"
        return text

    def outcome(self, failed: bool) -> str:
        """The final line: done (with the number of steps) or where it stopped."""
        if failed:
            return (
                f"{self.label}: stopped at step {self.started} ({self.current}) "
                f"after {_clock(self.elapsed)}"
            )
        steps = f"{self.started} step{'' if self.started == 1 else 's'}"
        return f"{self.label}: done, {steps} in {_clock(self.elapsed)}"

    def _redraw(self) -> None:
        if not self.shown:
            return
        root = self
        while root._parent is not None:
            root = root._parent
        with _lock:
            if root._display is not None:
                root._display.update(root)


@contextlib.contextmanager
def steps(
    label: str,
    total: int | None = None,
    *,
    enabled: bool | None = None,
    stream: TextIO | None = None,
) -> Iterator[Progress]:
    """Show the progress of an operation of ``total`` steps while the block runs.

    Parameters
    ----------
    label : str
        What runs (``load``, ``synth``, ``benchmark``, ``report``).
    total : int, optional
        The number of steps, if known (the bar then fills); :meth:`Progress.step` may
        correct it.
    enabled : bool or None
        The caller's ``progress=`` keyword: True, False or None (automatic: on in a
        terminal and in a notebook); see the module documentation for the order.
    stream : file, optional
        Where the terminal bar goes (default: standard error at the time of the call).

    Examples
    --------
    >>> import io
    >>> log = io.StringIO()  # not a terminal: one line per step when asked for
    >>> with steps("synth", total=2, enabled=True, stream=log) as p:
    ...     p.step("population")
    ...     with steps("claims", total=1) as inner:  # inside: joins the outer display
    ...         inner.step("drawing")
    >>> print(log.getvalue().replace("\\n", "|"))  # doctest: +ELLIPSIS
    [synth ... s] 1/2 population|[synth ... s] 1/2 population › claims 1/1 drawing|[synth ... s] synth: done, 1 step in ... s|
    """
    stream = sys.stderr if stream is None else stream
    running = _running()
    parent = running[-1] if running else None
    if parent is not None:
        # Inside another operation: shown in its display, unless either is off.
        shown = parent.shown and enabled is not False
        run = Progress(label, total, shown, None)
        run._parent, parent._child = parent, run
    else:
        shown = resolve(enabled, stream)
        if not shown:
            display: Any = _Silent()
        elif in_notebook():
            display = _Widget(label, total)
        elif _isatty(stream):
            display = _Bar(stream)
        else:
            display = _Lines(stream)
        run = Progress(label, total, shown, display)
    running.append(run)
    clock = None
    if parent is None and isinstance(run._display, _Bar | _Widget):
        run._redraw()  # the bar appears at once, before the first step
        clock = _Clock(run)
    failed = True
    try:
        yield run
        failed = False
    finally:
        if clock is not None:
            clock.stop()
        running.remove(run)
        if parent is not None:
            parent._child = None
            parent._inner_done = 1.0
            parent._redraw()
        elif shown:
            with _lock:
                run._display.finish(run, failed)


class _Clock:
    """Redraws an operation every :data:`TICK` seconds, so that the elapsed time moves
    during a long step."""

    def __init__(self, run: Progress) -> None:
        self.run = run
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._tick, name="saz-progress", daemon=True)
        self.thread.start()

    def _tick(self) -> None:
        while not self.done.wait(TICK):
            self.run._redraw()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def step(label: str, name: str, *, total: int | None = None) -> None:
    """Start step ``name`` of the running operation ``label``, if it is the innermost one.

    For a function deep inside an operation that has no handle on it (``io.load``
    reading one file inside ``sg.load``). Called outside that operation, it does
    nothing.

    Examples
    --------
    >>> step("load", "reading perined_lvr1.csv")  # nothing runs: nothing happens
    >>> with steps("load", total=2, enabled=False) as p:
    ...     step("load", "linking")
    ...     step("benchmark", "cs")  # not the innermost operation: ignored
    ...     p.current, p.started
    ('linking', 1)
    """
    running = _running()
    if running and running[-1].label == label:
        running[-1].step(name, total=total)


def with_progress(label: str, total: int | None = None) -> Callable[[F], F]:
    """Run a function inside :func:`steps` ``(label, total)``, switched by its ``progress=``.

    The function declares the keyword ``progress: bool | None = None`` itself (so that
    it shows in its signature and documentation) and announces its steps with
    :func:`step`.

    Examples
    --------
    >>> @with_progress("count", total=2)
    ... def count(n, *, progress=None):
    ...     for i in range(n):
    ...         step("count", f"item {i}")
    ...     return _running()[-1].started
    >>> count(2, progress=False)
    2
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with steps(label, total=total, enabled=kwargs.get("progress")):
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]

    return decorate
