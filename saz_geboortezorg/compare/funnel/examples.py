"""Ten small units with observed and expected counts, for the docstring examples.

Examples
--------
>>> d = example_units()
>>> d.columns.tolist(), len(d), d.loc[0, ["o", "e"]].tolist()
(['h', 'o', 'e'], 10, [5.0, 6.1])
>>> example_units(A=(9, 20.9)).loc[0, ["o", "e"]].tolist()
[9.0, 20.9]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["example_units"]

_OBSERVED = [5, 9, 12, 20, 31, 8, 15, 40, 3, 22]
_EXPECTED = [6.1, 8.0, 15.2, 18.9, 25.0, 9.5, 14.1, 33.3, 4.2, 20.0]


def example_units(**changes: tuple[float, float]) -> pd.DataFrame:
    """Units ``A`` to ``J`` with ``o`` (observed) and ``e`` (expected) counts; a keyword
    ``A=(o, e)`` replaces one unit's counts."""
    d = pd.DataFrame({"h": list("ABCDEFGHIJ"), "o": [float(x) for x in _OBSERVED], "e": _EXPECTED})
    for unit, (o, e) in changes.items():
        d.loc[d["h"] == unit, ["o", "e"]] = [float(o), float(e)]
    return d
