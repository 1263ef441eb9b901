"""Disclosure control: small-number protection between *compare* and *present*.

Everything meant to be shared (report tables, chart data, exports) passes through
:func:`~saz_geboortezorg.disclosure.suppress.suppress` (primary and secondary suppression of
counts from 1 to 9, and of the rates derived from them) and, as a last gate, through
:func:`~saz_geboortezorg.disclosure.check.check_table` / ``check_chart`` / ``check_html``.

Examples
--------
>>> import pandas as pd
>>> from saz_geboortezorg.disclosure import suppress, check_table
>>> p = suppress(pd.DataFrame({"n": [50, 4, 60]}), counts=["n"])
>>> check_table(p.table)
[]
"""

from saz_geboortezorg.disclosure.check import (
    DisclosureError,
    Finding,
    assert_safe,
    check_chart,
    check_html,
    check_table,
)
from saz_geboortezorg.disclosure.suppress import (
    DEFAULT_THRESHOLD,
    Disclosure,
    Protected,
    protect_cells,
    suppress,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Disclosure",
    "DisclosureError",
    "Finding",
    "Protected",
    "assert_safe",
    "check_chart",
    "check_html",
    "check_table",
    "protect_cells",
    "suppress",
]
