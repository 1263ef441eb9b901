"""Computing an indicator per unit: denominator, numerator, rate and intervals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.expressions import evaluate, evaluate_known
from saz_geboortezorg.indicators.definitions import Indicator
from saz_geboortezorg.indicators.indicator_rates import INTERVAL_TEXT, IndicatorRates

__all__ = [
    "compute_indicator",
    "indicator_outcome",
    "indicator_records",
    "POPULATION_UNKNOWN",
    "OUTCOME_UNKNOWN",
    "prepare_table",
    "DERIVED",
    "resolve_unit",
    "attribution_for",
    "UNIT_COLUMNS",
    "BOOKING_COLUMNS",
    "ATTRIBUTION_TEXT",
]

#: Friendly unit names and the analysis-table columns they stand for (attribution
#: ``birth``: the unit responsible at birth).
UNIT_COLUMNS = {"hospital": "hospital_id", "region": "region_id", "practice": "practice_id"}
#: The same under attribution ``booking`` (where care started; the practice is where a
#: first-line start booked in either case).
BOOKING_COLUMNS = {
    "hospital": "booking_hospital_id",
    "region": "booking_region_id",
    "practice": "practice_id",
}
#: Attribution rules in words, for tables, charts, reports and the methods text.
ATTRIBUTION_TEXT = {
    "booking": "attributed to where care started (booking, intention to treat)",
    "birth": "attributed to the unit responsible at birth",
}
ATTRIBUTION_TEXT_NL = {
    "booking": "toegerekend aan waar de zorg begon (boeking, intention to treat)",
    "birth": "toegerekend aan de eenheid verantwoordelijk bij de geboorte",
}


def attribution_for(indicator: Indicator | None, attribution: str | None = None) -> str:
    """The attribution rule to use: ``attribution`` if given, else the indicator's own.

    Examples
    --------
    >>> from saz_geboortezorg.indicators import get
    >>> attribution_for(get("preterm")), attribution_for(get("cs"))
    ('booking', 'birth')
    >>> attribution_for(get("preterm"), "birth")
    'birth'
    """
    from saz_geboortezorg.indicators.definitions import ATTRIBUTIONS

    if attribution is None:
        return indicator.attribution if indicator is not None else "birth"
    if attribution not in ATTRIBUTIONS:
        raise SpecError(
            f"attribution must be one of {', '.join(ATTRIBUTIONS)} (or None: the "
            f"indicator's own), not {attribution!r}"
        )
    return attribution


@renamed_arguments(by="unit")
def resolve_unit(unit: str | None, columns, attribution: str = "birth") -> str | None:
    """The column for a unit name (``hospital`` -> ``hospital_id``); ``None``/``all`` -> overall.

    With ``attribution="booking"`` a level names the unit where care started
    (``hospital`` -> ``booking_hospital_id``). A table without the booking columns (an
    analysis table made before they existed, a hand-made frame) falls back to the birth
    columns only where the two cannot differ: never silently for a real dataset, whose
    loader always adds them. A table with neither column but one named as the level
    itself (a flat CSV with ``hospital``) is compared by that column.

    Examples
    --------
    >>> resolve_unit("hospital", ["hospital_id", "booking_hospital_id"], "booking")
    'booking_hospital_id'
    >>> resolve_unit("region", ["region_id"])
    'region_id'

    A flat table with a literal ``hospital`` column (and no ``hospital_id``) is compared
    by that column, whatever the attribution:

    >>> resolve_unit("hospital", ["hospital", "cs"]), resolve_unit("hospital", ["hospital"], "booking")
    ('hospital', 'hospital')
    """
    if unit in (None, "all"):
        return None
    names = BOOKING_COLUMNS if attribution == "booking" else UNIT_COLUMNS
    column = names.get(unit, unit)
    if column not in columns and UNIT_COLUMNS.get(unit) not in columns and unit in columns:
        return unit  # a flat table's own column of that name (``hospital``)
    if column not in columns and attribution == "booking" and UNIT_COLUMNS.get(unit) in columns:
        raise SpecError(
            f"cannot attribute by booking: the data has no column {column!r} "
            f"(load the extracts with this version, or pass attribution='birth')"
        )
    if column not in columns:
        raise SpecError(
            f"cannot compare by {unit!r}: the data has no column {column!r} "
            f"(use hospital, region, practice, all or a column name)"
        )
    return column


#: Columns the derive step adds (``sg.load`` adds them to ``births`` and ``women``;
#: ``sg.add_derived(table)`` to a hand-made table), with what each stands for.
DERIVED = {
    "robson": "Robson group",
    "robson_main": "Robson group without subgroups",
    "sga": "small for gestational age",
    "cs": "caesarean per woman",
}


def prepare_table(
    table: pd.DataFrame, indicator: Indicator, sga_reference: Any = None
) -> pd.DataFrame:
    """The table, checked to have every column the indicator's definition uses.

    Indicators only read columns: derived ones (Robson group, SGA, a caesarean flag)
    are added once by the derive step, which ``sg.load`` runs; a hand-made table gets
    them with ``sg.add_derived(table)``. A missing column raises a :class:`SpecError`
    that names it and says how to add it.

    Examples
    --------
    >>> from saz_geboortezorg.indicators import get
    >>> prepare_table(pd.DataFrame({"ga_days": [280], "mode": ["vacuum"]}), get("cs"))
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: indicator 'cs' needs column(s) cs (caesarean per woman), which the data does not have; cs is a derived column: add it with sg.add_derived(table) (sg.load adds it)
    """
    if sga_reference is not None:
        raise SpecError(
            "sga_reference is no longer an argument of an indicator: SGA is derived once, "
            "with the data; use sg.load(path, sga_reference=...) or "
            "sg.add_derived(table, sga_reference=...)"
        )
    needed = indicator.columns()
    lacking = sorted(needed - set(table.columns))
    if lacking:
        named = [f"{c} ({DERIVED[c]})" if c in DERIVED else c for c in lacking]
        derived = [c for c in lacking if c in DERIVED]
        hint = ""
        if derived:
            one = len(derived) == 1
            hint = (
                f"; {', '.join(derived)} {'is a derived column' if one else 'are derived columns'}"
                f": add {'it' if one else 'them'} with sg.add_derived(table) (sg.load adds "
                f"{'it' if one else 'them'})"
            )
        raise SpecError(
            f"indicator {indicator.id!r} needs column(s) {', '.join(named)}, "
            f"which the data does not have{hint}"
        )
    return table


#: Catalogue-wide exclusion reasons for records whose place cannot be decided because a
#: value the definition reads is missing (after the indicator's own exclusions, which
#: name the common cases): every record is counted in the denominator, outside the
#: population, or excluded with a reason.
POPULATION_UNKNOWN = "population unknown (missing data)"
OUTCOME_UNKNOWN = "outcome unknown (missing data)"


def _accounts(table: pd.DataFrame, indicator: Indicator) -> dict[str, Any]:
    """Where every record of a prepared table goes: outside the population, one named
    exclusion, or the denominator (with its event or amount).

    The population and the numerator are evaluated in three-valued logic
    (:func:`~saz_geboortezorg.expressions.evaluate_known`): a record is outside
    the population only when its known values put it there. A record that may be in
    the population is subject to the exclusions; one whose population or outcome
    still depends on a missing value is excluded as :data:`POPULATION_UNKNOWN` or
    :data:`OUTCOME_UNKNOWN`. The first reason that applies counts.
    """
    pop_true, pop_known = evaluate_known(indicator.population, table)
    candidates = pop_true | ~pop_known
    remaining = candidates.copy()
    exclusions: list[tuple[str, pd.Series]] = []
    for exclusion in indicator.exclusions:
        hit = evaluate(exclusion.when, table) & remaining
        exclusions.append((exclusion.reason, hit))
        remaining &= ~hit
    hit = remaining & ~pop_known
    exclusions.append((POPULATION_UNKNOWN, hit))
    remaining &= ~hit
    if indicator.is_mean:
        values = pd.to_numeric(table[indicator.value], errors="coerce").astype(float)
        hit = remaining & values.isna()
        event = None
    else:
        event, known = evaluate_known(indicator.numerator, table)
        hit = remaining & ~known
        values = None
    exclusions.append((OUTCOME_UNKNOWN, hit))
    remaining &= ~hit
    return {
        "outside": ~candidates,
        "exclusions": exclusions,
        "denominator": remaining,
        "event": None if event is None else event & remaining,
        "values": None if values is None else values.where(remaining),
    }


def indicator_records(
    table: pd.DataFrame, indicator: Indicator, *, sga_reference: Any = None
) -> pd.Series:
    """Per record, where it goes for an indicator: the audit trail of the counts.

    Returns
    -------
    Series
        Same index as ``table``: ``outside population``, ``excluded: <reason>`` (the
        first reason that applies), ``event`` / ``no event`` (rate indicators) or
        ``counted`` (amounts).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.indicators import get
    >>> births = pd.DataFrame({"ga_days": [280, 120, None, 250],
    ...                        "perinatal_death": [0, 0, 0, 1]})
    >>> indicator_records(births, get("perinatal_mortality")).tolist()
    ['no event', 'outside population', 'excluded: gestational age unknown', 'event']
    """
    table = prepare_table(table, indicator, sga_reference)
    acc = _accounts(table, indicator)
    out = pd.Series("outside population", index=table.index, dtype="object")
    for reason, hit in acc["exclusions"]:
        out[hit.to_numpy()] = f"excluded: {reason}"
    den = acc["denominator"].to_numpy()
    if indicator.is_mean:
        out[den] = "counted"
    else:
        event = acc["event"].to_numpy()
        out[den & event] = "event"
        out[den & ~event] = "no event"
    return out.astype("string")


def indicator_outcome(
    table: pd.DataFrame, indicator: Indicator, *, sga_reference: Any = None
) -> tuple[pd.Series, pd.Series]:
    """An indicator as a record-level outcome, for models (case-mix adjustment).

    Parameters
    ----------
    table : DataFrame
        An analysis table (``women`` or ``births``, as the indicator's level says).
    indicator : Indicator
        The definition.
    sga_reference : DataFrame or path, optional
        No longer used: SGA is derived once, with the data (``sg.add_derived(table,
        sga_reference=...)``); given, it raises a :class:`SpecError`.

    Returns
    -------
    (in_denominator, outcome) : tuple of Series
        ``in_denominator`` is True for records in the population and not excluded;
        ``outcome`` is 0.0/1.0 (the numerator) for event indicators and the amount for
        cost indicators, NaN outside the denominator.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.indicators import get
    >>> women = pd.DataFrame({"ga_days": [280, 275, 270],
    ...                       "cs": [1, 0, None]})
    >>> keep, y = indicator_outcome(women, get("cs"))
    >>> keep.tolist(), y.tolist()[:2]
    ([True, True, False], [1.0, 0.0])
    """
    table = prepare_table(table, indicator, sga_reference)
    acc = _accounts(table, indicator)
    remaining = acc["denominator"].astype(bool)
    values = acc["values"] if indicator.is_mean else acc["event"].astype(float)
    return remaining, values.where(remaining)


@renamed_arguments(by="unit", level="confidence")
def compute_indicator(
    table: pd.DataFrame,
    indicator: Indicator,
    unit: str | None = "hospital",
    *,
    confidence: float = 0.95,
    sga_reference: Any = None,
    attribution: str | None = None,
) -> IndicatorRates:
    """Compute one indicator on one analysis table (see :func:`saz_geboortezorg.compute`):
    an :class:`~saz_geboortezorg.indicators.indicator_rates.IndicatorRates`."""
    from saz_geboortezorg.stats.intervals import clopper_pearson, wilson

    rule = attribution_for(indicator, attribution)
    unit_col = resolve_unit(unit, table.columns, rule)
    table = prepare_table(table, indicator, sga_reference)
    units = (
        table[unit_col].astype("string").fillna("unknown")
        if unit_col
        else pd.Series("all", index=table.index, dtype="string")
    )
    acc = _accounts(table, indicator)
    frame = pd.DataFrame({"unit": units, "outside_population": acc["outside"]})
    excluded_cols = []
    for reason, hit in acc["exclusions"]:
        column = f"excluded: {reason}"
        frame[column] = hit
        excluded_cols.append(column)
    frame["denominator"] = acc["denominator"]
    if indicator.is_mean:
        values = acc["values"]
        frame["_value"] = values
        frame["_sq"] = values**2
    else:
        frame["numerator"] = acc["event"]

    sums = frame.drop(columns=["unit"]).groupby(frame["unit"], sort=True).sum()
    out = pd.DataFrame(index=sums.index)
    out["denominator"] = sums["denominator"].astype(int)
    n = out["denominator"].to_numpy(float)
    if indicator.is_mean:
        from scipy.stats import t as student_t

        total = sums["_value"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, total / n, np.nan)
            var = np.where(n > 1, (sums["_sq"].to_numpy(float) - n * mean**2) / (n - 1), np.nan)
            half = student_t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)) * np.sqrt(var / n)
        out["total"] = total
        out["rate"] = mean
        out["mean_lcl"] = mean - half
        out["mean_ucl"] = mean + half
    else:
        x = sums["numerator"].to_numpy(float)
        m = indicator.multiplier
        out["numerator"] = x.astype(int)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["rate"] = np.where(n > 0, m * x / n, np.nan)
        lo, hi = wilson(x, n, confidence)
        out["wilson_lcl"], out["wilson_ucl"] = m * lo, m * hi
        lo, hi = clopper_pearson(x, n, confidence)
        out["exact_lcl"], out["exact_ucl"] = m * lo, m * hi
    out["outside_population"] = sums["outside_population"].astype(int)
    for column in excluded_cols:
        out[column] = sums[column].astype(int)
    out = out.reset_index()
    out.insert(0, "indicator", indicator.id)
    out.insert(2, "unit_type", unit if unit_col else "all")
    out.insert(3, "measure", indicator.unit)
    out.insert(4, "attribution", rule if unit_col else "")
    n_all = float(n.sum())
    amount = float(out["total"].sum()) if indicator.is_mean else float(out["numerator"].sum())
    overall = amount / n_all if n_all > 0 else math.nan
    scale = 1.0 if indicator.is_mean else float(indicator.multiplier)
    return IndicatorRates(
        table=out,
        indicator=indicator.id,
        unit_type=unit if unit_col else "all",
        measure=indicator.unit,
        multiplier=scale,
        attribution=rule,
        confidence=float(confidence),
        mean=bool(indicator.is_mean),
        overall=overall,
        target=overall * scale,
        interval=INTERVAL_TEXT["mean" if indicator.is_mean else "binomial"],
    )
