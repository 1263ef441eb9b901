"""Old import path of the expression language, now :mod:`saz_geboortezorg.expressions`.

The filter language moved below ``io`` because ``io``, ``indicators``, ``model`` and
``compare`` all evaluate definitions with it (see :mod:`saz_geboortezorg.layers`).
This module re-exports its public names for code that still imports them from here.

Examples
--------
>>> from saz_geboortezorg.derive.expressions import columns_used
>>> sorted(columns_used("parity == 0 and not missing(ga_days)"))
['ga_days', 'parity']
"""

from __future__ import annotations

from saz_geboortezorg.expressions import (
    UNKNOWN_LABEL,
    check,
    columns_used,
    evaluate,
    evaluate_known,
)

__all__ = ["evaluate", "evaluate_known", "columns_used", "check", "UNKNOWN_LABEL"]
