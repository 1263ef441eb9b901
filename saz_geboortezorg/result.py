"""One result protocol: what every analysis returns.

Every analysis of the toolkit (a funnel, a case-mix model, the open benchmark, a
control chart, ...) returns one object that follows the same four-part protocol, in
the manner of lifelines (the fitter is its result) and FunnelPlotR (one result class
with accessors):

============  ==========================================================================
``.table``    a :class:`pandas.DataFrame`, one row per unit (or period, group, ...); the
              numbers a reader sees, on the indicator's own scale
``.summary()`` plain text, a few lines a clinician can read (method, sample, findings)
``.chart()``  an Altair chart drawn by ``present`` (options: ``highlight=`` 'my unit',
              ``language=`` 'en' or 'nl', ...)
``.to_dict()`` a JSON-ready dict (no NaN, no numpy types, no timestamps): the command
              line's ``--json`` output is built from it
============  ==========================================================================

Metadata (the method, the level of comparison, warnings, the confidence level) are
fields of the result, never ``DataFrame.attrs`` (pandas drops ``attrs`` in many
operations). A result shows its table when printed, so a notebook cell that ends with a
result displays the same table as before.

:class:`Result` is the base class of the dataclass results: it supplies ``to_dict`` (all
fields, the table as records), a default ``summary`` and the display; a subclass gives
its own ``chart`` (importing its ``present`` module inside the method: see
:mod:`saz_geboortezorg.layers`) and usually its own ``summary``. :class:`ResultProtocol`
is the structural type, for code that accepts any result.

Examples
--------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(repr=False)
... class Counts(Result):
...     table: pd.DataFrame
...     unit: str = "region"
...     def summary(self) -> str:
...         return f"{len(self.table)} {self.unit}s"
>>> r = Counts(pd.DataFrame({"unit": ["R01", "R02"], "rate": [12.5, float("nan")]}))
>>> r.summary()
'2 regions'
>>> r.to_dict()
{'result': 'Counts', 'unit': 'region', 'table': [{'unit': 'R01', 'rate': 12.5}, {'unit': 'R02', 'rate': None}]}
>>> isinstance(r, ResultProtocol)
True
>>> print(r)
  unit  rate
0  R01  12.5
1  R02   NaN
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = ["Result", "ResultProtocol", "jsonable"]


@runtime_checkable
class ResultProtocol(Protocol):
    """What every analysis returns (see the module docstring)."""

    table: pd.DataFrame

    def summary(self) -> str: ...

    def chart(self, **options: Any) -> Any: ...

    def to_dict(self) -> dict: ...


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: NaN and NaT become None, numpy scalars Python ones,
    timestamps ISO strings, DataFrames lists of records, dataclasses dicts.

    Examples
    --------
    >>> jsonable({"p": np.float64(0.5), "n": np.int64(3), "x": float("nan"),
    ...           "d": pd.Timestamp("2023-01-31"), "t": (1, 2)})
    {'p': 0.5, 'n': 3, 'x': None, 'd': '2023-01-31T00:00:00', 't': [1, 2]}
    >>> jsonable(pd.DataFrame({"a": [1, None]}))
    [{'a': 1.0}, {'a': None}]
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, pd.DataFrame):
        frame = value.reset_index(drop=True)
        return [{str(k): jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]
    if isinstance(value, pd.Series):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return str(value)


class Result:
    """Base class of the dataclass results (see the module docstring).

    Subclasses are dataclasses with a ``table`` field (or property). ``to_dict`` puts
    every field except those listed in ``_json_exclude`` (e.g. the data a result keeps
    for redrawing) into the dict, the table last as records.
    """

    #: Field names left out of :meth:`to_dict` (large or not JSON: data, fitted objects).
    _json_exclude: tuple[str, ...] = ()

    def summary(self) -> str:
        """Plain text: the kind of result and the size of its table."""
        rows = len(self.table)
        return f"{type(self).__name__}: {rows} row{'s' if rows != 1 else ''}"

    def chart(self, **options: Any) -> Any:
        """The result drawn as an Altair chart (each result defines its own)."""
        raise NotImplementedError(f"{type(self).__name__} does not define a chart")

    def to_dict(self) -> dict:
        """JSON-ready: ``result`` (the class name), every field, the table as records."""
        out: dict[str, Any] = {"result": type(self).__name__}
        names = [f.name for f in dataclasses.fields(self)] if dataclasses.is_dataclass(self) else []
        for name in names:
            if name == "table" or name in self._json_exclude or name.startswith("_"):
                continue
            out[name] = jsonable(getattr(self, name))
        out["table"] = jsonable(self.table)
        return out

    # display: a result prints as its table (notebook cells keep showing the table)
    def __repr__(self) -> str:
        return repr(self.table)

    def _repr_html_(self) -> str | None:
        return self.table._repr_html_()
