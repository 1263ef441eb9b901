"""What :func:`saz_geboortezorg.compute` returns: an indicator per unit with its audit trail.

:class:`IndicatorRates` follows the result protocol (:mod:`saz_geboortezorg.result`):
``.table``, ``.summary()``, ``.chart()``, ``.to_dict()``. Its table keeps the columns
``compute`` has always returned (they are the ``rates`` command's ``--json`` fields, a
public contract): ``indicator``, ``unit``, ``unit_type``, ``measure``, ``attribution``,
``denominator``, ``numerator``, ``rate`` (on the indicator's own scale), the Wilson
(``wilson_lcl``, ``wilson_ucl``) and exact Clopper-Pearson (``exact_lcl``,
``exact_ucl``) intervals, or for amounts ``total``, ``rate`` (the mean) and a Student-t
interval (``mean_lcl``, ``mean_ucl``), then ``outside_population`` and one
``excluded: <reason>`` column per exclusion.

Why not a :class:`~saz_geboortezorg.indicators.rate_table.RateTable`: the rate table
is what is *compared* (one interval, units with records only), while ``compute`` is the
*account* of every record: a unit whose records were all excluded keeps its row (rate
NaN) so the exclusion counts add up to the records of the table, both intervals of a
proportion are shown, and a mean has the Student-t interval. :meth:`IndicatorRates.rate_table`
gives the RateTable of the same counts (Wilson or exact interval) for proportions.

Examples
--------
>>> import pandas as pd
>>> from saz_geboortezorg import add_derived, compute
>>> w = add_derived(pd.DataFrame({"hospital_id": list("AABB"), "ga_days": [280] * 4,
...     "mode": ["intrapartum_cs", "spontaneous", "spontaneous", "unknown"]}))
>>> r = compute(w, "cs")
>>> r.indicator, r.unit_type, r.measure, r.attribution, round(r.target, 2)
('cs', 'hospital', 'percent', 'birth', 33.33)
>>> print(r.summary())
cs per hospital (percent): 2 units, 3 records in the denominator; overall 33.33
rate from 0.00 (B) to 50.00 (A); 95% Wilson score and exact (Clopper-Pearson) intervals
1 record excluded (mode of birth unknown: 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.result import Result

__all__ = ["IndicatorRates", "INTERVAL_TEXT"]

#: The intervals of a proportion and of a mean, in words.
INTERVAL_TEXT = {
    "binomial": "Wilson score and exact (Clopper-Pearson) intervals",
    "mean": "Student-t interval of the mean",
}


@dataclass(repr=False)
class IndicatorRates(Result):
    """An indicator per unit with the records each exclusion removed (see the module
    docstring).

    Fields: ``indicator`` (id), ``unit_type`` (``hospital``, ``region``, ``practice``, a
    column name, or ``all``), ``measure`` (``percent``, ``per_1000``, ``euro``),
    ``multiplier`` (the scale of a proportion: 100, 1000; 1 for amounts),
    ``attribution`` (the rule applied: ``booking`` or ``birth``), ``confidence``,
    ``mean`` (True for amounts), ``overall`` (the rate of all units together as a
    proportion, or the mean amount), ``target`` (``overall`` on the indicator's scale)
    and ``interval`` (the intervals in words).
    """

    table: pd.DataFrame
    indicator: str
    unit_type: str = "all"
    measure: str = "percent"
    multiplier: float = 100.0
    attribution: str = "birth"
    confidence: float = 0.95
    mean: bool = False
    overall: float = math.nan
    target: float = math.nan
    interval: str = ""

    @property
    def exclusions(self) -> dict[str, int]:
        """Records removed per exclusion reason, over all units (reasons with none left out).

        Examples
        --------
        >>> import pandas as pd
        >>> from saz_geboortezorg import compute
        >>> compute(pd.DataFrame({"ga_days": [280, None], "perinatal_death": [0, 0]}),
        ...         "perinatal_mortality", unit="all").exclusions
        {'gestational age unknown': 1}
        """
        out = {}
        for column in self.table.columns:
            if column.startswith("excluded: "):
                count = int(self.table[column].sum())
                if count:
                    out[column.removeprefix("excluded: ")] = count
        return out

    def summary(self) -> str:
        """A few lines: indicator, level, records, overall rate, range, exclusions."""
        t = self.table
        where = "all units together" if self.unit_type == "all" else f"per {self.unit_type}"
        n = int(t["denominator"].sum())
        lines = [
            f"{self.indicator} {where} ({self.measure}): {len(t)} unit{'s' if len(t) != 1 else ''}"
            f", {n} record{'s' if n != 1 else ''} in the denominator; overall "
            + (f"{self.target:.2f}" if math.isfinite(self.target) else "not available")
        ]
        rates = t["rate"].astype(float)
        if rates.notna().any():
            lo, hi = rates.idxmin(), rates.idxmax()
            lines.append(
                f"rate from {rates[lo]:.2f} ({t['unit'][lo]}) to {rates[hi]:.2f} "
                f"({t['unit'][hi]}); {self.confidence:.0%} {self.interval}"
            )
        excluded = self.exclusions
        if excluded:
            total = sum(excluded.values())
            reasons = ", ".join(f"{r}: {c}" for r, c in excluded.items())
            lines.append(f"{total} record{'s' if total != 1 else ''} excluded ({reasons})")
        return "\n".join(lines)

    def chart(
        self,
        *,
        highlight: str | None = None,
        interval: str | None = None,
        title: str | None = None,
        **options: Any,
    ) -> Any:
        """Dot-and-whisker chart of the rate per unit with the overall rate as the
        reference line (:func:`saz_geboortezorg.present.rates_chart.rate_chart`);
        ``interval`` is ``wilson`` (default for proportions), ``exact`` or ``mean``
        (amounts)."""
        from saz_geboortezorg.present.rates_chart import rate_chart

        if interval is None:
            interval = "mean" if self.mean else "wilson"
        return rate_chart(
            self.table,
            overall=self.target if math.isfinite(self.target) else None,
            highlight=highlight,
            interval=interval,
            title=title,
            **options,
        )

    def rate_table(self, interval: str = "wilson") -> Any:
        """The :class:`~saz_geboortezorg.indicators.rate_table.RateTable` of the same
        counts (units with records only; ``interval`` ``wilson`` or ``exact``), for the
        benchmark's tools (funnels, positions). Proportions only: a RateTable's interval
        of a mean is normal, not this table's Student-t.

        Examples
        --------
        >>> import pandas as pd
        >>> from saz_geboortezorg import add_derived, compute
        >>> w = add_derived(pd.DataFrame({"hospital_id": list("AABB"), "ga_days": [280] * 4,
        ...     "mode": ["intrapartum_cs", "spontaneous", "spontaneous", "unknown"]}))
        >>> compute(w, "cs").rate_table().table[["unit", "n", "observed", "value"]]
          unit  n  observed  value
        0    A  2       1.0   50.0
        1    B  1       0.0    0.0
        """
        from saz_geboortezorg.indicators.rate_table import RateTable

        if self.mean:
            raise SpecError(
                f"{self.indicator} is an amount: its Student-t interval has no RateTable; "
                "use sg.unit_table(data, indicator, adjusted=False) for the benchmark's table"
            )
        t = self.table
        return RateTable.from_counts(
            t["unit"].astype(str).tolist(),
            t["denominator"].to_numpy(),
            t["numerator"].to_numpy(),
            indicator=self.indicator,
            measure=self.measure,
            confidence=self.confidence,
            crude_interval=interval,
            unit_type=self.unit_type,
            attribution=self.attribution,
        )
