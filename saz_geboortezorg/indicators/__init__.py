"""Clinical indicators, defined as data.

Every indicator (caesarean section overall and per Robson group, instrumental birth,
OASIS, postpartum haemorrhage, low Apgar, perinatal mortality, Big4, referrals, care
outside the guidelines, cost per pregnancy, ...) is one entry in ``catalogue.yaml``
in this folder: population, exclusions and numerator written as readable filters.
Lead professionals can read and discuss the definitions without reading code.

Examples
--------
>>> from saz_geboortezorg import indicators
>>> cat = indicators.catalogue()
>>> cat.loc[cat.id == "oasis", ["name_en", "unit", "better"]].iloc[0].tolist()
['Obstetric anal sphincter injury (3rd/4th-degree tear, OASIS)', 'percent', 'lower']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.compute import UNIT_COLUMNS, compute_indicator
from saz_geboortezorg.indicators.definitions import Indicator, load_catalogue
from saz_geboortezorg.indicators.indicator_rates import IndicatorRates
from saz_geboortezorg.indicators.user import find_indicator, read_user_catalogue

__all__ = ["catalogue", "get", "compute", "Indicator", "IndicatorRates", "UNIT_COLUMNS"]


def catalogue(path: str | Path | None = None, *, user: str | Path | None = None) -> pd.DataFrame:
    """The indicator catalogue as a DataFrame, one row per indicator.

    Parameters
    ----------
    path : str or Path, optional
        A catalogue file in the same format; default: the shipped catalogue.
    user : str or Path, optional
        A user catalogue (``mijn_indicatoren.yaml``, :mod:`.user`): its indicators
        follow.

    Returns
    -------
    DataFrame
        ``id``, ``name_nl``, ``name_en``, ``domain``, ``level``, ``population_text``,
        ``population``, ``numerator`` (or ``value``), ``exclusions`` (reasons),
        ``unit``, ``better``, ``case_mix``, ``attribution`` (booking or birth),
        ``source``.
    """
    rows = []
    found = list(load_catalogue(path).values())
    if user is not None:
        found += list(read_user_catalogue(user).indicators.values())
    for ind in found:
        rows.append(
            {
                "id": ind.id,
                "name_nl": ind.name_nl,
                "name_en": ind.name_en,
                "domain": ind.domain,
                "level": ind.level,
                "population_text": ind.population_text,
                "population": ind.population,
                "numerator": ind.numerator or "",
                "value": ind.value or "",
                "exclusions": "; ".join(e.reason for e in ind.exclusions),
                "unit": ind.unit,
                "better": ind.better,
                "case_mix": ind.case_mix or "",
                "attribution": ind.attribution,
                "source": ind.source,
            }
        )
    return pd.DataFrame(rows)


@renamed_arguments(path="catalogue")
def get(indicator: str | Indicator, catalogue: str | Path | None = None) -> Indicator:
    """One indicator definition by id (a clear error names the known ids).

    ``catalogue`` is a user catalogue file (:mod:`~saz_geboortezorg.indicators.user`,
    e.g. ``<data folder>/mijn_indicatoren.yaml``): its indicators are looked up after
    the shipped ones.

    Examples
    --------
    >>> get("pph").unit
    'percent'
    >>> get("ppph")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: unknown indicator 'ppph'. Did you mean pph? 'saz-geboortezorg indicators' lists them all.
    """
    return find_indicator(indicator, catalogue)


@renamed_arguments(by="unit", level="confidence", catalogue_path="catalogue")
def compute(
    table: Any,
    indicator: str | Indicator,
    unit: str | None = "hospital",
    *,
    confidence: float = 0.95,
    sga_reference: Any = None,
    catalogue: str | Path | None = None,
    attribution: str | None = None,
) -> IndicatorRates:
    """Compute an indicator per unit.

    Parameters
    ----------
    table : Dataset or DataFrame
        A loaded :class:`saz_geboortezorg.io.Dataset` (the indicator's level picks
        the ``women`` or ``births`` table) or an analysis table. Derived columns
        (Robson group, SGA, ``cs``) are read, never derived here: ``sg.load`` adds
        them, ``sg.add_derived(table)`` adds them to a hand-made table.
    indicator : str or Indicator
        An id from :func:`catalogue`.
    unit : str or None
        ``hospital``, ``region``, ``practice``, any column name, or ``all``/None.
    confidence : float
        Confidence level of the intervals.
    sga_reference : DataFrame or path, optional
        No longer used here: SGA is derived once, with the data
        (``sg.load(path, sga_reference=...)`` or ``sg.add_derived(table,
        sga_reference=...)``); given, it raises a :class:`SpecError` saying so.
    catalogue : str or Path, optional
        A user catalogue file (``<data folder>/mijn_indicatoren.yaml``, see
        :mod:`saz_geboortezorg.indicators.user`): ``indicator`` may then be one of its
        ids too. Formerly ``catalogue_path`` (deprecated).
    attribution : {"booking", "birth"}, optional
        Who an outcome is counted against: the unit where care started (``booking``,
        intention to treat) or the unit responsible at birth (``birth``). Default: the
        indicator's own rule in the catalogue (population outcomes such as preterm
        birth and perinatal mortality: booking; outcomes of care during birth: birth).

    Returns
    -------
    IndicatorRates
        A result (:class:`~saz_geboortezorg.indicators.indicator_rates.IndicatorRates`:
        ``.table``, ``.summary()``, ``.chart()``, ``.to_dict()``; it prints as its table)
        whose fields say ``indicator``, ``unit_type``, ``measure``, ``attribution`` (the
        rule applied), ``confidence`` and the ``overall`` rate. Its ``.table`` has
        one row per unit: ``indicator``, ``unit``, ``unit_type``, ``measure``,
        ``attribution`` (the rule used; empty for ``all``),
        ``denominator``, ``numerator``, ``rate`` (in the indicator's unit: %, per
        1,000), Wilson (``wilson_lcl``, ``wilson_ucl``) and exact Clopper-Pearson
        (``exact_lcl``, ``exact_ucl``) intervals, ``outside_population`` and one
        ``excluded: <reason>`` column per exclusion with the records it removed,
        then ``excluded: population unknown (missing data)`` and ``excluded: outcome
        unknown (missing data)`` for records whose place still depends on a missing
        value: every record of the table is in exactly one of ``denominator``,
        ``outside_population`` and the ``excluded:`` columns (records outside the
        population are those whose known values put them there).
        Cost indicators give ``total``, ``rate`` (the mean) and a t-interval
        (``mean_lcl``, ``mean_ucl``) instead.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"hospital_id": ["A", "A", "B"], "ga_days": [280, 275, 270],
    ...                       "cs": [1, 0, None]})
    >>> r = compute(women, "cs", unit="hospital")
    >>> r.table[["unit", "denominator", "numerator", "rate"]]
      unit  denominator  numerator  rate
    0    A            2          1  50.0
    1    B            0          0   NaN
    >>> int(r.table.loc[1, "excluded: mode of birth unknown"])
    1
    >>> r.attribution, r.target
    ('birth', 50.0)
    """
    definition = get(indicator, catalogue)
    if isinstance(table, pd.DataFrame):
        frame = table
    else:
        attribute = "women" if definition.level == "woman" else "births"
        frame = getattr(table, attribute, None)
        if not isinstance(frame, pd.DataFrame):
            raise SpecError(
                f"compute needs a DataFrame or a loaded Dataset with a {attribute!r} table"
            )
    return compute_indicator(
        frame,
        definition,
        unit,
        confidence=confidence,
        sga_reference=sga_reference,
        attribution=attribution,
    )
