"""The value view: per unit, an adjusted outcome against adjusted cost per pregnancy.

Outcome: an indicator of the catalogue (default the uncomplicated-birth composite),
case-mix adjusted with the indicator's own case-mix spec (standardised rate = O/E x
overall rate), or crude when the indicator has no spec; the result says which.
Cost: the gamma model ``case_mix/cost.yaml`` (adjusted mean = O/E x overall mean
cost per pregnancy, with its interval). Two lines split the plane into four quadrants:
by default the medians of the units' adjusted outcome and adjusted cost (``cut="median"``),
or the overall means (``cut="mean"``). A few very expensive pregnancies (neonatal
intensive care) pull the mean up: counted where the baby was born, the two NICU hospitals
put 15 of the 17 hospitals of the default synthetic data below it, so "lower cost" said
little; the median halves the units (or use the mean with
``exclude_products=["ZH_NEONATOLOGIE"]``). Costs are counted where care started (the cost
indicator's attribution ``booking``), so a transferred baby's neonatal care counts at the
hospital where its mother booked. A unit whose 95% interval of
the outcome or of the cost contains its line is ``uncertain``: the data do not say on
which side it lies, so it is put in no quadrant.

Outcome and cost each keep their own indicator population (e.g. singleton term births
for the uncomplicated-birth composite, all births from 22+0 weeks for cost), so
``outcome_n`` and ``cost_n`` differ. A pregnancy without any linked claim has an
unknown cost: it is not in ``cost_n`` nor in the cost model (never counted as EUR 0),
and a baby with a missing item of its composite is not in ``outcome_n``. The cost model
does not adjust for the mode of birth or the line of care (they are the care decisions
being compared), nor for a hospital's level of neonatal care.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.derive.costs import cost_per_pregnancy, cost_population
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import compute, get
from saz_geboortezorg.indicators.compute import UNIT_COLUMNS
from saz_geboortezorg.model import casemix
from saz_geboortezorg.model.spec import load_spec
from saz_geboortezorg.result import Result
from saz_geboortezorg.stats.intervals import wilson

__all__ = ["ValueView", "value_view", "assign_quadrants"]


def assign_quadrants(
    outcome: Any,
    cost: Any,
    outcome_line: float,
    cost_line: float,
    better: str = "higher",
    *,
    outcome_ci: tuple[Any, Any] | None = None,
    cost_ci: tuple[Any, Any] | None = None,
) -> np.ndarray:
    """Quadrant label per unit from its outcome and cost against the two lines.

    Lower cost is better. ``better`` says which outcome direction is good
    (``higher``, ``lower``, or ``neither`` for process measures, which are then
    labelled ``higher rate`` / ``lower rate``). A unit exactly on the outcome line
    counts as not better (``worse outcome``; ``lower rate`` for ``neither``), one
    exactly on the cost line as ``lower cost``; a missing value gives ``unknown``.
    With ``outcome_ci`` and/or ``cost_ci`` (lower and upper 95% limits per unit), a
    unit whose interval contains its line (limits included), or lacks a limit, is
    ``uncertain``.

    Examples
    --------
    >>> assign_quadrants([40, 30, 40, 30], [2000, 2000, 4000, 4000], 35, 3000).tolist()
    ['better outcome, lower cost', 'worse outcome, lower cost', 'better outcome, higher cost', 'worse outcome, higher cost']
    >>> assign_quadrants([1.0], [100.0], 2.0, 50.0, better="lower").tolist()
    ['better outcome, higher cost']
    >>> assign_quadrants([40, 40], [2000, 2000], 35, 3000,
    ...                  outcome_ci=([36, 33], [44, 47])).tolist()
    ['better outcome, lower cost', 'uncertain']
    """
    o = np.asarray(outcome, dtype="float64")
    c = np.asarray(cost, dtype="float64")
    if better not in ("higher", "lower", "neither"):
        raise SpecError(f"better must be 'higher', 'lower' or 'neither', not {better!r}")
    above = o > outcome_line
    if better == "neither":
        first = np.where(above, "higher rate", "lower rate")
    else:
        good = above if better == "higher" else o < outcome_line
        first = np.where(good, "better outcome", "worse outcome")
    second = np.where(c > cost_line, "higher cost", "lower cost")
    labels = np.char.add(np.char.add(first.astype(str), ", "), second.astype(str)).astype(object)
    uncertain = np.zeros(len(labels), bool)
    for ci, line in ((outcome_ci, outcome_line), (cost_ci, cost_line)):
        if ci is None:
            continue
        lo = np.asarray(ci[0], dtype="float64")
        hi = np.asarray(ci[1], dtype="float64")
        if lo.shape != labels.shape or hi.shape != labels.shape:
            raise SpecError("an interval needs a lower and an upper limit for every unit")
        # a missing limit: the side is not known either
        uncertain |= np.isnan(lo) | np.isnan(hi) | ((lo <= line) & (line <= hi))
    labels[uncertain] = "uncertain"
    labels[np.isnan(o) | np.isnan(c)] = "unknown"
    return labels


@dataclass(repr=False)
class ValueView(Result):
    """Adjusted outcome against adjusted cost per unit (a result: ``table``,
    ``summary()``, ``chart()``, ``to_dict()``; it prints as its table).

    Attributes
    ----------
    table : DataFrame
        Per unit: ``unit``; outcome ``outcome_n`` (denominator), ``outcome_events``,
        ``outcome_crude``, ``outcome_rate`` (adjusted, or crude when
        ``outcome_adjusted`` is False; in the indicator's unit, e.g. percent) with
        ``outcome_lcl95``, ``outcome_ucl95``, ``outcome_oe``; cost ``cost_n``,
        ``cost_crude`` (mean), ``cost_oe`` with ``cost_oe_lcl95``/``cost_oe_ucl95``,
        ``adjusted_cost`` (O/E x overall mean) with ``adjusted_cost_lcl95``/
        ``adjusted_cost_ucl95``; ``quadrant`` (against ``outcome_line`` and
        ``cost_line``; ``uncertain`` when either 95% interval contains its line,
        ``unknown`` when a value is missing).
    outcome, outcome_label, outcome_unit, better : str
        Indicator id, its English name, its unit (``percent``, ``per_1000``) and which
        direction is good.
    outcome_adjusted : bool
    outcome_method : str
        In words: the case-mix spec used, or why the outcome is crude.
    overall_outcome, overall_cost : float
        Overall outcome rate (indicator unit) and overall mean cost per pregnancy (euro).
    unit_type : str
    outcome_model, cost_model : CaseMixResult or None
    cost_excluded : tuple of str
        Care products left out of the cost (empty: all claims).
    cut : str
        Where the quadrant lines are: ``median`` (of the units' adjusted outcome and
        adjusted cost) or ``mean`` (the overall means).
    outcome_line, cost_line : float
        The quadrant lines (default: the medians of the units' values).
    """

    table: pd.DataFrame
    outcome: str
    outcome_label: str
    outcome_unit: str
    better: str
    outcome_adjusted: bool
    outcome_method: str
    overall_outcome: float
    overall_cost: float
    unit_type: str
    outcome_model: Any = field(default=None, repr=False)
    cost_model: Any = field(default=None, repr=False)
    cost_excluded: tuple[str, ...] = ()
    cut: str = "mean"
    outcome_line: float | None = None
    cost_line: float | None = None

    #: the two case-mix fits are results of their own (large; see their ``to_dict``)
    _json_exclude = ("outcome_model", "cost_model")

    def __post_init__(self) -> None:
        if self.outcome_line is None:
            self.outcome_line = self.overall_outcome
        if self.cost_line is None:
            self.cost_line = self.overall_cost

    @property
    def cut_text(self) -> str:
        """Where the quadrant lines are, in words (for titles and report text)."""
        if self.cut == "median":
            outcome = "adjusted outcome" if self.outcome_adjusted else "outcome"
            return f"the medians of the {self.unit_type}s' {outcome} and adjusted cost"
        return "the overall means"

    def summary(self) -> str:
        """Plain text: the outcome and cost, the quadrant lines and how many units each
        quadrant holds.

        Examples
        --------
        >>> t = pd.DataFrame({"unit": ["A", "B", "C"],
        ...                   "quadrant": ["better outcome, lower cost", "uncertain",
        ...                                "uncertain"]})
        >>> v = ValueView(t, "uncomplicated_birth", "Uncomplicated birth", "percent",
        ...               "higher", False, "crude (no case-mix spec)", 61.2, 4321.0,
        ...               "hospital", outcome_line=60.0, cost_line=4000.0)
        >>> print(v.summary())
        Value: Uncomplicated birth against case-mix adjusted cost per pregnancy, 3 hospitals
        Outcome: crude (no case-mix spec)
        Overall: 61.2 percent, EUR 4,321 per pregnancy (all claims)
        Quadrant lines (the overall means): 60.0 percent and EUR 4,000
        Units per quadrant: uncertain: 2; better outcome, lower cost: 1
        """
        excluded = (
            f"without {', '.join(self.cost_excluded)}" if self.cost_excluded else "all claims"
        )
        counts = self.table["quadrant"].value_counts()
        return "\n".join(
            [
                f"Value: {self.outcome_label} against case-mix adjusted cost per "
                f"pregnancy, {len(self.table)} {self.unit_type}s",
                f"Outcome: {self.outcome_method}",
                f"Overall: {self.overall_outcome:.1f} {self.outcome_unit}, "
                f"EUR {self.overall_cost:,.0f} per pregnancy ({excluded})",
                f"Quadrant lines ({self.cut_text}): {self.outcome_line:.1f} "
                f"{self.outcome_unit} and EUR {self.cost_line:,.0f}",
                "Units per quadrant: " + "; ".join(f"{q}: {n}" for q, n in counts.items()),
            ]
        )

    def rate_table(self) -> Any:
        """The outcome per unit as a
        :class:`~saz_geboortezorg.indicators.rate_table.RateTable`, on the indicator's own
        scale: adjusted, the outcome model's (:meth:`CaseMixResult.rate_table
        <saz_geboortezorg.model.result.CaseMixResult.rate_table>`: its records, which
        leave out those the spec's missing-data policy drops, so ``n`` may be below
        ``outcome_n``); crude, ``outcome_n`` and ``outcome_events`` with the Wilson
        interval. Its ``value``, ``lower`` and ``upper`` are this table's
        ``outcome_rate``, ``outcome_lcl95`` and ``outcome_ucl95``.

        Examples
        --------
        >>> t = pd.DataFrame({"unit": ["A", "B"], "outcome_n": [40, 60],
        ...                   "outcome_events": [10.0, 6.0], "quadrant": "uncertain"})
        >>> v = ValueView(t, "cs", "Caesarean section", "percent", "lower", False,
        ...               "crude", 16.0, 4000.0, "region")
        >>> v.rate_table().table[["unit", "n", "value", "lower", "upper"]].round(2)
          unit   n  value  lower  upper
        0    A  40   25.0  14.19  40.19
        1    B  60   10.0   4.66  20.15
        """
        from saz_geboortezorg.indicators.rate_table import RateTable

        if self.outcome_adjusted:
            if self.outcome_model is None:
                raise SpecError("this value view does not keep its outcome model")
            return self.outcome_model.rate_table(measure=self.outcome_unit)
        t = self.table.dropna(subset=["outcome_n"])
        return RateTable.from_counts(
            t["unit"].astype(str).tolist(),
            t["outcome_n"].to_numpy(),
            t["outcome_events"].to_numpy(),
            indicator=self.outcome,
            measure=self.outcome_unit,
            unit_type=self.unit_type,
            attribution=get(self.outcome).attribution,
            method=self.outcome_method,
        )

    def chart(self, highlight: str | list[str] | None = None, **options: Any) -> Any:
        """The value scatter (see :func:`saz_geboortezorg.present.value_chart.value_chart`;
        ``options``: ``labels``, ``intervals``)."""
        from saz_geboortezorg.present.value_chart import value_chart

        return value_chart(self, highlight=highlight, **options)


def _outcome_table(data: Any, indicator: Any, unit: str | None) -> tuple[pd.DataFrame, dict]:
    mult = indicator.multiplier
    crude = compute(data, indicator.id, unit=unit).table
    crude = crude.rename(columns={"denominator": "outcome_n", "numerator": "outcome_events"})
    crude["outcome_crude"] = crude["outcome_events"] / crude["outcome_n"] * mult
    crude = crude[["unit", "outcome_n", "outcome_events", "outcome_crude"]]
    overall_events, overall_n = crude["outcome_events"].sum(), crude["outcome_n"].sum()
    info: dict[str, Any] = {"model": None}
    if indicator.case_mix:
        res = casemix(data, indicator.case_mix, unit=unit, random_effects=False)
        t = res.table
        adj = pd.DataFrame(
            {
                "unit": t["unit"].astype(str),
                "outcome_rate": t["standardised_rate"] * mult,
                "outcome_lcl95": t["std_lcl95"] * mult,
                "outcome_ucl95": t["std_ucl95"] * mult,
                "outcome_oe": t["oe"],
            }
        )
        info.update(
            model=res,
            adjusted=True,
            overall=res.overall_rate * mult,
            method=f"case-mix adjusted: standardised rate (O/E x overall rate) with the "
            f"'{indicator.case_mix}' spec (case_mix/{indicator.case_mix}.yaml)",
        )
        if res.notes:
            info["method"] += " (" + "; ".join(res.notes) + ")"
    else:
        lo, hi = wilson(crude["outcome_events"].to_numpy(), crude["outcome_n"].to_numpy())
        adj = pd.DataFrame(
            {
                "unit": crude["unit"].astype(str),
                "outcome_rate": crude["outcome_crude"],
                "outcome_lcl95": lo * mult,
                "outcome_ucl95": hi * mult,
                "outcome_oe": np.nan,
            }
        )
        info.update(
            adjusted=False,
            overall=overall_events / overall_n * mult,
            method=f"crude (not case-mix adjusted): indicator {indicator.id!r} has no "
            "case-mix spec; Wilson 95% intervals",
        )
    crude = crude.assign(unit=crude["unit"].astype(str))
    return crude.merge(adj, on="unit", how="outer"), info


def _cost_model(data: Any, unit: str, exclude: tuple[str, ...]) -> Any:
    """The gamma cost model (case_mix/cost.yaml) on all claims, or without some products."""
    # costs count against the unit where care started (the cost indicator's attribution)
    rule = get("cost_per_pregnancy").attribution
    if not exclude:
        return casemix(data, "cost", unit=unit, random_effects=False, attribution=rule)
    table = cost_per_pregnancy(data).table
    columns = {f"product_{code.lower()}": code for code in exclude}
    unknown = [code for col, code in columns.items() if col not in table.columns]
    if unknown:
        known = sorted(c[len("product_") :].upper() for c in table if c.startswith("product_"))
        raise SpecError(
            f"no claims for care product(s) {', '.join(unknown)}; products in the data: "
            + ", ".join(known)
        )
    women = data.women.reset_index(drop=True)
    women = women.assign(
        cost_value=women["cost_total"].to_numpy() - table[list(columns)].sum(axis=1).to_numpy()
    )
    women = cost_population(women)
    raw = dict(load_spec("cost").raw)
    raw["outcome"] = "cost_value"
    return casemix(women, raw, unit=unit, random_effects=False, attribution=rule)


@renamed_arguments(by="unit")
def value_view(
    data: Any,
    outcome: str = "uncomplicated_birth",
    unit: str | None = "hospital",
    *,
    exclude_products: Sequence[str] = (),
    cut: str = "median",
) -> ValueView:
    """Per unit: the adjusted outcome against the case-mix adjusted cost per pregnancy.

    Parameters
    ----------
    data : Dataset
        A loaded dataset with the claims extract.
    outcome : str
        A rate indicator of the catalogue (``sg.indicators`` lists them); adjusted with
        its case-mix spec when it has one, crude otherwise (``outcome_method`` says).
    unit : str
        ``hospital``, ``region``, ``practice`` or a column.
    exclude_products : sequence of str
        Care products (zorgproduct codes, e.g. ``ZH_NEONATOLOGIE``) left out of the
        cost, for example to compare hospitals without the neonatal intensive care
        that only some of them provide. Default: all claims.
    cut : str
        Quadrant lines at the ``median`` of the units' adjusted outcome and adjusted
        cost (default; each line has as many units on either side), or at the overall
        ``mean`` (pulled towards the few hospitals with neonatal intensive care).
        Either way a unit whose 95% interval contains a line is ``uncertain``.

    Returns
    -------
    ValueView

    Examples
    --------
    >>> import tempfile
    >>> import saz_geboortezorg as sg
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = generate(births=2000, seed=3, progress=False).write(tmp.name)
    >>> v = value_view(sg.load(tmp.name), "uncomplicated_birth", unit="hospital")
    >>> v.outcome_adjusted, v.outcome_unit
    (False, 'percent')
    >>> list(v.table.columns[:2])
    ['unit', 'outcome_n']
    >>> bool(v.overall_cost > 0), v.cut
    (True, 'median')
    >>> bool(v.cost_line == v.table["adjusted_cost"].median())
    True
    >>> tmp.cleanup()
    """
    indicator = get(outcome)
    if indicator.is_mean:
        raise SpecError(
            f"outcome {outcome!r} is an amount, not a rate; choose a rate indicator such "
            "as 'uncomplicated_birth', 'cs' or 'nicu'"
        )
    if cut not in ("median", "mean"):
        raise SpecError(f"cut must be 'median' or 'mean', not {cut!r}")
    if unit in (None, "all"):
        raise SpecError(
            "the value view compares units: pass unit='hospital', 'region' or 'practice'"
        )
    out_table, info = _outcome_table(data, indicator, unit)

    cost = _cost_model(data, unit, tuple(exclude_products))
    t = cost.table
    cost_table = pd.DataFrame(
        {
            "unit": t["unit"].astype(str),
            "cost_n": t["n"],
            "cost_crude": t["crude_rate"],
            "cost_oe": t["oe"],
            "cost_oe_lcl95": t["oe_lcl95"],
            "cost_oe_ucl95": t["oe_ucl95"],
            "adjusted_cost": t["oe"] * cost.overall_rate,
            "adjusted_cost_lcl95": t["oe_lcl95"] * cost.overall_rate,
            "adjusted_cost_ucl95": t["oe_ucl95"] * cost.overall_rate,
        }
    )
    table = out_table.merge(cost_table, on="unit", how="outer").sort_values("unit")
    better = indicator.better if indicator.better in ("higher", "lower") else "neither"
    if cut == "median":
        outcome_line = float(table["outcome_rate"].median())
        cost_line = float(table["adjusted_cost"].median())
    else:
        outcome_line, cost_line = float(info["overall"]), float(cost.overall_rate)
    table["quadrant"] = assign_quadrants(
        table["outcome_rate"],
        table["adjusted_cost"],
        outcome_line,
        cost_line,
        better,
        outcome_ci=(table["outcome_lcl95"], table["outcome_ucl95"]),
        cost_ci=(table["adjusted_cost_lcl95"], table["adjusted_cost_ucl95"]),
    )
    return ValueView(
        table=table.reset_index(drop=True),
        outcome=indicator.id,
        outcome_label=indicator.name_en,
        outcome_unit=indicator.unit,
        better=better,
        outcome_adjusted=info["adjusted"],
        outcome_method=info["method"],
        overall_outcome=float(info["overall"]),
        overall_cost=float(cost.overall_rate),
        unit_type=unit if unit in UNIT_COLUMNS else str(unit),
        outcome_model=info["model"],
        cost_model=cost,
        cost_excluded=tuple(exclude_products),
        cut=cut,
        outcome_line=outcome_line,
        cost_line=cost_line,
    )
