"""Problems and notes found while reading an extract, worded for a data manager.

A :class:`Problem` names the file, the column, how many rows are affected, the first
few row numbers with their values, and what was expected. All problems of a load
are collected and raised together as one :class:`~saz_geboortezorg.errors.ExtractError`.

Examples
--------
>>> p = Problem("lvr2.csv", "apgar_5", "value out of range", [4, 9], ["11", "12"],
...             "a whole number from 0 to 10", row_label="line")
>>> print(p)
lvr2.csv, column 'apgar_5': value out of range in 2 rows (lines 4 '11', 9 '12'); expected a whole number from 0 to 10
>>> print(Problem("lvr2.csv", "bmi", "not a number", [7], ["x"], "a number"))
lvr2.csv, column 'bmi': not a number in 1 row (line 7 'x'); expected a number
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Problem", "MAX_SHOWN", "first_rows"]

#: How many example rows a message shows.
MAX_SHOWN = 5


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    try:
        if pd.isna(value):
            return "(empty)"
    except (TypeError, ValueError):
        pass
    text = str(value)
    if text.strip() == "":
        return "(empty)"
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)


@dataclass
class Problem:
    """One problem in one column (or a set of columns) of one file.

    Parameters
    ----------
    file : str
        File name as the user knows it (``perined_lvr2.csv``).
    column : str
        Column name(s) concerned.
    what : str
        What is wrong, e.g. ``"not a whole number"``.
    rows : sequence of int
        Row numbers as in the file (all of them; only the first few are shown).
    values : sequence
        The offending values, aligned with ``rows`` (may be shorter or empty).
    expected : str
        What was expected, in plain words.
    row_label : str
        ``"line"`` for CSV (header = line 1) or ``"row"`` for Parquet (first row = 1).
    n : int, optional
        Number of affected rows when ``rows`` holds only the first few.
    """

    file: str
    column: str
    what: str
    rows: Sequence[int] = field(default_factory=list)
    values: Sequence[Any] = field(default_factory=list)
    expected: str = ""
    row_label: str = "line"
    n: int | None = None

    @property
    def count(self) -> int:
        """Number of affected rows."""
        return int(self.n if self.n is not None else len(self.rows))

    def __str__(self) -> str:
        where = f"{self.file}, column '{self.column}'" if self.column else self.file
        text = f"{where}: {self.what}"
        if self.count:
            shown = []
            for i, row in enumerate(list(self.rows)[:MAX_SHOWN]):
                value = f" {_show(self.values[i])}" if i < len(self.values) else ""
                shown.append(f"{row}{value}")
            more = ", ..." if self.count > len(shown) else ""
            plural = "s" if self.count != 1 else ""
            label = self.row_label + ("s" if len(shown) > 1 or more else "")
            text += f" in {self.count} row{plural} ({label} {', '.join(shown)}{more})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


def first_rows(mask: Any, row_numbers: Any, values: Any | None = None) -> tuple[int, list, list]:
    """Count the true entries of ``mask`` and return the first few row numbers and values.

    Examples
    --------
    >>> import numpy as np
    >>> first_rows(np.array([False, True, True]), np.array([2, 3, 4]), np.array(["a", "b", "c"]))
    (2, [3, 4], ['b', 'c'])
    """

    m = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(m)
    shown = idx[:MAX_SHOWN]
    rows = [int(r) for r in np.asarray(row_numbers)[shown]]
    if values is None:
        vals: list = []
    elif isinstance(values, pd.Series | pd.Index):
        vals = list(values.iloc[shown] if isinstance(values, pd.Series) else values[shown])
    else:
        vals = list(np.asarray(values, dtype=object)[shown])
    return int(idx.size), rows, vals
