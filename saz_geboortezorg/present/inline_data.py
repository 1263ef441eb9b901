"""A chart's data as JSON-ready rows, made quickly.

altair turns every DataFrame it meets into rows when a chart is serialised
(``to_dict``), checking each column's type with pandas; for the explorer's small
tables that costs several milliseconds per table, on every redraw. :func:`inline_data`
makes the same rows from plain numpy columns in well under a millisecond, and altair
uses them as they are. The values are those altair would write: NaN and infinities
become ``None``, numpy numbers Python numbers, timestamps ISO text.

:func:`chart_data` wraps the rows so that altair does not copy them: altair copies every
layer of a layered chart, data included, each time the chart is built and again each
time it is serialised (a funnel plot's limit curves are thousands of rows), which was a
large part of the explorer's redraw time. The rows are never changed after they are
made, so sharing them is safe; the Vega-Lite spec is the same.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["inline_data", "chart_data"]


def _column(values: pd.Series) -> list[Any]:
    kind = values.dtype.kind
    if kind == "f":
        numbers = values.to_numpy(dtype=float)
        finite = np.isfinite(numbers)
        out = numbers.tolist()
        if not finite.all():
            out = [v if ok else None for v, ok in zip(out, finite.tolist(), strict=True)]
        return out
    if kind in "iub":
        return values.to_numpy().tolist()
    if kind == "M":
        if values.dt.tz is not None:
            raise ValueError("inline_data: time zones are not supported; convert to local time")
        return [None if pd.isna(v) else v.isoformat() for v in values]
    out = []
    for v in values.tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and not np.isfinite(v)):
            out.append(None)
        elif isinstance(v, (str, bool, int, float)):
            out.append(v)
        else:
            raise ValueError(f"inline_data: column {values.name!r} holds {type(v).__name__}")
    return out


def inline_data(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """``{"values": rows}`` for ``alt.Chart(...)``: one dict per row of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Columns of numbers, booleans, text or (time-zone naive) timestamps.

    Returns
    -------
    dict
        Inline data altair writes to the spec's ``datasets`` as it is (the same rows
        ``to_dict`` would make from the DataFrame).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"unit": ["A", None], "rate": [0.5, float("nan")],
    ...                       "n": [3, 4], "mine": [True, False],
    ...                       "period": pd.to_datetime(["2022-01-01", "2022-04-01"])})
    >>> inline_data(frame)["values"][0]
    {'unit': 'A', 'rate': 0.5, 'n': 3, 'mine': True, 'period': '2022-01-01T00:00:00'}
    >>> inline_data(frame)["values"][1]["unit"], inline_data(frame)["values"][1]["rate"]
    (None, None)
    """
    names = [str(c) for c in frame.columns]
    columns = [_column(frame[c]) for c in frame.columns]
    return {"values": [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]}


@functools.cache
def _shared_rows_class() -> type:
    """``altair.InlineData`` whose (deep) copies are the object itself (made on first use:
    altair is imported only when a chart is drawn)."""
    import altair as alt

    class SharedRows(alt.InlineData):
        """Inline rows that altair keeps by reference when it copies a chart."""

        def __deepcopy__(self, memo: Any = None) -> SharedRows:
            return self

    return SharedRows


def chart_data(frame: pd.DataFrame) -> Any:
    """The rows of :func:`inline_data` as chart data that altair does not copy.

    Parameters
    ----------
    frame : DataFrame
        As for :func:`inline_data`.

    Returns
    -------
    altair.InlineData
        Give it to ``alt.Chart(...)``; the spec holds the same rows as with
        ``inline_data(frame)`` (moved to the spec's ``datasets``), but copies of the chart
        (altair makes several when layering and serialising) share them.

    Examples
    --------
    >>> import copy, pandas as pd
    >>> data = chart_data(pd.DataFrame({"unit": ["A", "B"], "rate": [0.5, 0.25]}))
    >>> data.values
    [{'unit': 'A', 'rate': 0.5}, {'unit': 'B', 'rate': 0.25}]
    >>> copy.deepcopy(data) is data
    True
    """
    from altair.utils.schemapi import debug_mode

    with debug_mode(False):  # no schema validation of every row at construction
        return _shared_rows_class()(values=inline_data(frame)["values"])
