"""The dashboard's first view, fast: the slow work is done before a visitor arrives.

``make dashboard`` serves ``notebooks/dashboard.ipynb`` with Voila's *preheated
kernels* (``--preheat_kernel=True --pool_size=1``): Voila starts a kernel and runs the
notebook as soon as it starts, and again after each visitor has taken the prepared
kernel. A visitor then gets a page whose slow part has already run. The notebook
does, in this order:

1. :func:`dashboard_data` (or the synthetic data) and ``sg.load``: the data (the slow
   part at 2,000,000 births);
2. :func:`prepare`: imports altair and ipywidgets, fits the case-mix model of the first
   indicator and builds its charts once, and bundles the offline Vega libraries (a few
   seconds each, all before the visitor);
3. :func:`wait_for_visitor`: in a preheated kernel, says on Voila's terminal that the
   dashboard is ready and waits for the visitor's request, so that what depends on the
   page's address (``?unit=``, in Voila's ``QUERY_STRING``) is read after it arrived;
4. ``sg.Explorer(data, ..., cache=cache)``: the explorer itself, with the fitted model
   from the cache (well under a second).

Outside a preheated Voila kernel (JupyterLab, nbval, a plain Voila page)
:func:`wait_for_visitor` returns at once, and the notebook runs top to bottom as before.

The time from the page request to the first chart is measured in the browser test
(``tests/dashboard/test_browser.py``) and by ``make bench`` (``benchmarks/bench_dashboard.py``).

Examples
--------
>>> import saz_geboortezorg as sg
>>> DATA = dashboard_data() or sg.synthetic.default_dataset()  # doctest: +SKIP
>>> data = sg.load(DATA)                                        # doctest: +SKIP
>>> cache = prepare(data)                                       # doctest: +SKIP
>>> wait_for_visitor()            # outside preheated Voila: returns at once
>>> sg.Explorer(data, cache=cache).widget                       # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from saz_geboortezorg.errors import SazError

__all__ = ["DATA_VARIABLE", "READY_MESSAGE", "dashboard_data", "prepare", "wait_for_visitor"]

#: Environment variable with a folder of extracts for the dashboard to show instead of
#: the default synthetic dataset.
DATA_VARIABLE = "SAZ_GEBOORTEZORG_DATA"
#: Written to Voila's terminal by a preheated kernel once the dashboard is ready.
READY_MESSAGE = "saz_geboortezorg: dashboard ready"
#: Set by Voila in a kernel it starts before a visitor arrives (``--preheat_kernel``).
_PREHEAT_VARIABLE = "VOILA_PREHEAT"


def dashboard_data() -> Path | None:
    """The folder of extracts named by ``SAZ_GEBOORTEZORG_DATA`` (:data:`DATA_VARIABLE`),
    or None when the variable is not set.

    A server can so show other data without editing the notebook
    (``SAZ_GEBOORTEZORG_DATA=/data/extracts make dashboard``); the notebook falls back
    to the default synthetic dataset
    (``sg.explore.dashboard_data() or sg.synthetic.default_dataset()``).

    Raises
    ------
    SazError
        The variable names a folder that does not exist.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> os.environ["SAZ_GEBOORTEZORG_DATA"] = folder
    >>> dashboard_data() == Path(folder)
    True
    >>> os.environ["SAZ_GEBOORTEZORG_DATA"] = folder + "/missing"
    >>> dashboard_data()
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SazError: SAZ_GEBOORTEZORG_DATA names .../missing, which is not a folder
    >>> del os.environ["SAZ_GEBOORTEZORG_DATA"]
    >>> dashboard_data() is None
    True
    """
    named = os.environ.get(DATA_VARIABLE, "").strip()
    if not named:
        return None
    folder = Path(named).expanduser()
    if not folder.is_dir():
        raise SazError(f"{DATA_VARIABLE} names {folder}, which is not a folder")
    return folder


def prepare(
    data: Any,
    *,
    catalogue: Any = None,
    indicator: str = "cs",
    unit: str = "region",
    cache: Any = None,
) -> Any:
    """Do the slow parts of the explorer's first view once, before a visitor arrives.

    Imports altair and ipywidgets, computes the view of ``indicator`` at ``unit``
    (fitting its case-mix model into the cache and building its charts) and switches
    the chart widgets to offline mode (vl-convert bundles Vega, Vega-Lite and
    vega-embed: seconds). An :class:`~saz_geboortezorg.explore.Explorer` made
    afterwards with ``cache=`` the returned cache draws its first view quickly, at any
    level, 'my unit' and language (the model belongs to the indicator).

    Parameters
    ----------
    data : Dataset or DataFrame
        The loaded data (``sg.load(...)``).
    catalogue : str or Path, optional
        The user catalogue the explorer will use (its indicators can be chosen).
    indicator, unit : str
        The explorer's first indicator and level (its defaults).
    cache : BenchmarkCache, optional
        Add to this cache instead of a new one.

    Returns
    -------
    BenchmarkCache
        Pass it to ``sg.Explorer(..., cache=cache)``. When the first view cannot be
        computed (a :class:`~saz_geboortezorg.errors.SazError`, such as data without the
        indicator's columns), nothing is prepared and nothing is raised: the explorer
        shows the message on the page, as it does for any choice of its controls.

    Examples
    --------
    >>> import saz_geboortezorg as sg
    >>> data = sg.load(sg.synthetic.default_dataset())            # doctest: +SKIP
    >>> cache = sg.explore.prepare(data)                          # doctest: +SKIP
    >>> sg.explore.wait_for_visitor()   # only waits in Voila's prepared kernel  # doctest: +SKIP
    >>> explorer = sg.Explorer(data, cache=cache)                 # doctest: +SKIP
    """
    import altair as alt
    import ipywidgets  # noqa: F401  (imported now, not when the visitor arrives)

    from saz_geboortezorg.compare.benchmark import BenchmarkCache
    from saz_geboortezorg.explore.view import ExplorerState, explorer_view

    cache = cache if cache is not None else BenchmarkCache()
    state = ExplorerState(
        indicator=indicator,
        level=unit,
        catalogue=None if catalogue is None else str(catalogue),
    )
    try:
        explorer_view(data, state, cache)
    except SazError:
        pass  # the explorer says what is wrong on the page itself (Explorer.refresh)
    alt.JupyterChart.enable_offline(True)
    return cache


def wait_for_visitor() -> None:
    """In a preheated Voila kernel: report that the dashboard is ready and wait for
    the visitor's request; anywhere else: return at once.

    Voila runs a preheated kernel's notebook before anybody asked for the page, so the
    request's details (the address's query string, ``?unit=R05``, in the environment
    variable ``QUERY_STRING``) are not there yet. This waits until a visitor's request
    takes the kernel (``voila.utils.wait_for_request``), which puts them in
    ``os.environ``; the cells after it see the visitor's address. Before waiting it
    writes :data:`READY_MESSAGE` to Voila's terminal (the kernel's own standard error,
    not the page), so whoever started the dashboard, and the browser test, can see that
    the page will now arrive quickly.

    Examples
    --------
    >>> import os
    >>> "VOILA_PREHEAT" in os.environ
    False
    >>> wait_for_visitor()    # not in a preheated kernel: nothing to wait for
    """
    if os.environ.get(_PREHEAT_VARIABLE, "False") != "True":
        return
    from voila.utils import wait_for_request

    terminal = sys.__stderr__
    if terminal is not None:
        print(f"{READY_MESSAGE} (pid {os.getpid()})", file=terminal, flush=True)
    wait_for_request()
