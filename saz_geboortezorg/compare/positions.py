"""How case-mix adjustment changes positions: crude against adjusted rank and funnel flag.

A mirror meeting first sees crude rates; the case-mix model then asks how each unit
compares *given the women it serves*. This module puts the two views side by side
per unit:

- **rank** on the crude rate and on the adjusted rate (observed/expected, which
  orders units as the standardised rate does); rank 1 is the lowest rate;
- **funnel flag** on each: the crude rate in a proportion funnel (``PR``, target the
  overall rate) and the adjusted ratio in an O/E funnel (``SR``, target 1), both with
  the same limits and overdispersion choice;
- optionally the **expected rank** of the shrunken random-intercept effect, which
  takes the uncertainty of small units into account.

It computes nothing new about the model: the observed and expected counts come from
the case-mix result, the flags from :func:`saz_geboortezorg.funnel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.result import Result
from saz_geboortezorg.stats.intervals import level_tag

__all__ = ["Positions", "crude_vs_adjusted", "funnel_status"]

_REQUIRED = ("unit", "n", "observed", "expected")


@dataclass(repr=False)
class Positions(Result):
    """Crude against case-mix adjusted positions per unit (a result: ``table``,
    ``summary()``, ``chart()``, ``to_dict()``; it prints as its table).

    Attributes
    ----------
    table : DataFrame
        One row per unit (sorted by unit): ``unit``, ``n``, ``observed``,
        ``expected``, ``crude_rate`` (observed / n), ``oe`` (observed / expected),
        ``standardised_rate`` (O/E x overall rate), ``crude_rank`` and
        ``adjusted_rank`` (1 = lowest; ties share the lowest rank), ``rank_change``
        (adjusted minus crude: positive = moves towards the higher rates),
        ``crude_status`` and ``adjusted_status`` (see :func:`funnel_status`),
        ``status_changed``, and ``shrunken_rank`` (expected rank of the random
        intercept; NaN without random effects). Rates are proportions.
    crude_funnel, adjusted_funnel : FunnelResult
        The proportion funnel of the crude rates and the O/E funnel.
    overall_rate : float
        Observed events over all records (the crude funnel's target).
    """

    table: pd.DataFrame
    crude_funnel: Any
    adjusted_funnel: Any
    overall_rate: float

    #: the two funnels are results of their own (their ``to_dict`` is the funnel's JSON)
    _json_exclude = ("crude_funnel", "adjusted_funnel")

    def summary(self) -> str:
        """Plain text: how many units change rank and funnel status with adjustment.

        Examples
        --------
        >>> t = pd.DataFrame({"unit": ["A", "B", "C", "D", "E", "F"],
        ...     "n": [1000] * 6, "observed": [100, 150, 200, 250, 300, 180],
        ...     "expected": [100.0, 150.0, 250.0, 250.0, 200.0, 180.0]})
        >>> print(crude_vs_adjusted(t, overdispersion=False).summary())
        Crude against case-mix adjusted positions: 6 units, overall rate 19.67%
        Rank changed for 4 units (rank 1 = lowest rate); largest move: C, 3 places lower
        Funnel status changed for 4 units:
          A: lower (99.8%) -> within
          B: lower (99.8%) -> within
          C: within -> lower (99.8%)
          D: higher (99.8%) -> within
        """
        t = self.table
        lines = [
            f"Crude against case-mix adjusted positions: {len(t)} units, "
            f"overall rate {100 * self.overall_rate:.2f}%"
        ]
        moved = t[t["rank_change"] != 0]
        if len(moved):
            big = moved.loc[moved["rank_change"].abs().idxmax()]
            change = int(big["rank_change"])
            lines.append(
                f"Rank changed for {len(moved)} unit{'s' if len(moved) != 1 else ''} "
                f"(rank 1 = lowest rate); largest move: {big['unit']}, {abs(change)} "
                f"place{'s' if abs(change) != 1 else ''} {'higher' if change > 0 else 'lower'}"
            )
        else:
            lines.append("No unit changed rank.")
        changed = t[t["status_changed"]]
        if len(changed):
            lines.append(
                f"Funnel status changed for {len(changed)} unit{'s' if len(changed) != 1 else ''}:"
            )
            lines += [
                f"  {r.unit}: {r.crude_status} -> {r.adjusted_status}"
                for r in changed.itertuples(index=False)
            ]
        else:
            lines.append("No unit changed funnel status.")
        return "\n".join(lines)

    def chart(self, highlight: str | list[str] | None = None, **options: Any) -> Any:
        """Slope chart of crude against adjusted rank (see
        :func:`saz_geboortezorg.present.positions_chart.positions_chart`)."""
        from saz_geboortezorg.present.positions_chart import positions_chart

        return positions_chart(self.table, highlight=highlight, **options)


def funnel_status(result: Any) -> pd.Series:
    """One word per unit of a funnel: ``within``, or the direction and widest limit crossed.

    Parameters
    ----------
    result : FunnelResult

    Returns
    -------
    Series
        Indexed by unit (``group``): ``within``, ``higher (95%)``, ``higher (99.8%)``,
        ``lower (95%)`` or ``lower (99.8%)``; a unit outside the 99.8% limits is also
        outside the 95% limits and gets the 99.8% label.

    Examples
    --------
    >>> import pandas as pd, saz_geboortezorg as sg
    >>> d = pd.DataFrame({"h": list("ABCDEFGHIJ"), "o": [5, 9, 12, 20, 31, 8, 15, 40, 3, 22],
    ...                   "e": [6.1, 8.0, 15.2, 18.9, 25.0, 9.5, 14.1, 33.3, 4.2, 20.0]})
    >>> funnel_status(sg.funnel(d, "o", "e", "h", overdispersion=False)).value_counts().to_dict()
    {'within': 10}
    """

    table = result.table
    status = pd.Series("within", index=table["group"].astype(str).to_numpy(), dtype=object)
    for level in sorted(result.levels):  # the widest limit crossed wins
        flag = table[f"flag{level_tag(level)}"].to_numpy()
        outside = flag != "within"
        status[outside] = [f"{f} ({level:g}%)" for f in flag[outside]]
    status.index.name = "unit"
    return status


def _unit_table(result: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The per-unit counts and, when fitted, the random-effects table."""
    if isinstance(result, pd.DataFrame):
        table, effects = result, None
    else:
        family = getattr(result, "family", None)
        if family != "binomial":
            raise SpecError(
                f"crude_vs_adjusted needs a 0/1 outcome (a binomial case-mix model), not "
                f"family {family!r}: costs have no proportion funnel"
            )
        table = result.table
        re = getattr(result, "random_effects", None)
        effects = re.table if re is not None else None
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise SpecError(
            f"crude_vs_adjusted needs the column(s) {', '.join(missing)} "
            "(pass a CaseMixResult or its .table)"
        )
    return table, effects


def crude_vs_adjusted(
    result: Any,
    *,
    limits: Sequence[float] = (95, 99.8),
    overdispersion: bool = True,
    sr_method: str = "SHMI",
) -> Positions:
    """Rank and funnel flag of every unit, crude and case-mix adjusted.

    Parameters
    ----------
    result : CaseMixResult or DataFrame
        A binomial case-mix result (``sg.casemix(...)``), or a table with one row per
        unit and the columns ``unit``, ``n`` (records), ``observed`` (events) and
        ``expected`` (expected events).
    limits : sequence of float
        Funnel limit levels in percent.
    overdispersion : bool
        Widen both funnels for overdispersion (as :func:`saz_geboortezorg.funnel`).
    sr_method : {"SHMI", "CQC"}
        Method of the O/E funnel.

    Returns
    -------
    Positions

    Raises
    ------
    SpecError
        For a gamma (cost) result, missing columns, or units without records or
        without expected events.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["A", "B", "C", "D", "E", "F"],
    ...     "n": [1000] * 6, "observed": [100, 150, 200, 250, 300, 180],
    ...     "expected": [100.0, 150.0, 250.0, 250.0, 200.0, 180.0]})
    >>> p = crude_vs_adjusted(t, overdispersion=False)
    >>> p.table[["unit", "crude_rank", "adjusted_rank", "crude_status", "adjusted_status"]]
      unit  crude_rank  adjusted_rank    crude_status adjusted_status
    0    A           1              2   lower (99.8%)          within
    1    B           2              2   lower (99.8%)          within
    2    C           4              1          within   lower (99.8%)
    3    D           5              2  higher (99.8%)          within
    4    E           6              6  higher (99.8%)  higher (99.8%)
    5    F           3              2          within          within
    """
    from saz_geboortezorg.compare.funnel import funnel

    table, effects = _unit_table(result)
    t = pd.DataFrame(
        {
            "unit": table["unit"].astype(str).to_numpy(),
            "n": pd.to_numeric(table["n"]).to_numpy(dtype=float),
            "observed": pd.to_numeric(table["observed"]).to_numpy(dtype=float),
            "expected": pd.to_numeric(table["expected"]).to_numpy(dtype=float),
        }
    )
    bad = t[
        (t["n"] <= 0) | (t["expected"] <= 0) | t[["n", "observed", "expected"]].isna().any(axis=1)
    ]
    if len(bad):
        raise SpecError(
            "crude_vs_adjusted: unit(s) without records or expected events: "
            + ", ".join(bad["unit"])
        )
    t = t.sort_values("unit", kind="stable").reset_index(drop=True)
    overall = float(t["observed"].sum() / t["n"].sum())
    t["crude_rate"] = t["observed"] / t["n"]
    t["oe"] = t["observed"] / t["expected"]
    t["standardised_rate"] = t["oe"] * overall
    t["crude_rank"] = t["crude_rate"].rank(method="min").astype(int)
    t["adjusted_rank"] = t["oe"].rank(method="min").astype(int)
    t["rank_change"] = t["adjusted_rank"] - t["crude_rank"]

    options = {"limits": limits, "overdispersion": overdispersion}
    crude = funnel(t, "observed", "n", "unit", data_type="PR", **options)
    adjusted = funnel(
        t, "observed", "expected", "unit", data_type="SR", sr_method=sr_method, **options
    )
    t["crude_status"] = t["unit"].map(funnel_status(crude))
    t["adjusted_status"] = t["unit"].map(funnel_status(adjusted))
    t["status_changed"] = t["crude_status"] != t["adjusted_status"]
    if effects is not None and "expected_rank" in effects:
        ranks = pd.Series(
            effects["expected_rank"].to_numpy(dtype=float), index=effects["unit"].astype(str)
        )
        t["shrunken_rank"] = t["unit"].map(ranks).astype(float)
    else:
        t["shrunken_rank"] = np.nan
    return Positions(table=t, crude_funnel=crude, adjusted_funnel=adjusted, overall_rate=overall)
