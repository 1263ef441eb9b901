"""Small-number protection of a benchmark table (one row per indicator and unit).

The one rule every published benchmark table follows: the reports
(:mod:`saz_geboortezorg.report.protect`), the federated benchmark and the explorer's
"Save this view" (:mod:`saz_geboortezorg.explore.save`). It lives here, below both the
reports and the explorer, so that they share it.
"""

from __future__ import annotations

import pandas as pd

from saz_geboortezorg.disclosure.suppress import Protected, suppress

__all__ = ["protect_benchmark", "DERIVED_COLUMNS"]

#: Columns computed from a unit's counts (``observed`` and ``n``): hidden with them.
#: ``expected`` and ``adjusted`` go with n (for a 3-birth unit ``expected`` estimates its
#: size); ``lower``, ``upper`` and ``flag`` are the explorer's interval and funnel flag.
DERIVED_COLUMNS = (
    "value",
    "ratio",
    "flag95",
    "flag998",
    "assessment",
    "outside",
    "expected",
    "adjusted",
    "alert",
    "judged",
    "expected_events",
    "p_value",
    "p_funnel",
    "p_exact",
    "q_value",
    "lower",
    "upper",
    "flag",
)


def protect_benchmark(
    table: pd.DataFrame, threshold: int = 10, force: pd.DataFrame | None = None
) -> list[Protected]:
    """The benchmark table's protection, as every report applies it: one
    :class:`Protected` for the counts, one for amounts when the table has them.

    Counts ``n`` and ``observed`` from 1 to ``threshold - 1`` are hidden, with secondary
    suppression across the units of each indicator (whose total is known), and every
    column of :data:`DERIVED_COLUMNS` in the table goes with them. Amounts (``measure``
    ``euro``) protect ``n`` only.

    Parameters
    ----------
    table : DataFrame
        Columns ``indicator``, ``measure``, ``unit``, ``n``, ``observed`` and any
        derived ones.
    threshold : int
    force : DataFrame of bool, optional
        ``n`` / ``observed`` cells to hide anyway (same index as ``table``).

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": "a", "measure": "percent", "unit": list("ABC"),
    ...                   "n": [300, 250, 280], "observed": [40, 4, 35],
    ...                   "expected": [38.0, 20.0, 21.0], "assessment": "within"})
    >>> protect_benchmark(t)[0].table["observed"].isna().tolist()
    [False, True, True]
    """
    derived_cols = [c for c in DERIVED_COLUMNS if c in table.columns]
    counts = table[table["measure"] != "euro"]
    euros = table[table["measure"] == "euro"]
    out = [
        suppress(
            counts,
            ["n", "observed"],
            lines=[("indicator",)],
            denominators={"observed": "n"},
            force=None if force is None else force.loc[counts.index].reset_index(drop=True),
            derived={c: ["observed", "n"] for c in derived_cols},
            threshold=threshold,
            name="benchmark table",
            label=["unit", "indicator"],
        )
    ]
    if len(euros):
        out.append(
            suppress(
                euros,
                ["n"],
                lines=[("indicator",)],
                derived={c: ["n"] for c in [*derived_cols, "observed"]},
                threshold=threshold,
                name="benchmark table (costs)",
                label=["unit", "indicator"],
            )
        )
    return out
