"""Who an outcome is counted against, in words, and the units a clinician will ask about.

Every indicator in the catalogue declares its attribution (``booking`` or ``birth``, see
``indicators/catalogue.yaml``). Very preterm births are transferred in utero to the NICU
centres (the ``nicu`` organisation feature), so counted where the baby was born a NICU
centre collects other hospitals' high-risk pregnancies. This module gives the methods text
for the rule and the notes that mark the NICU centres in funnel tooltips and reports.
Nothing here computes a statistic, and no note carries a count (a count of transfers
could be small and identify women).

Examples
--------
>>> from saz_geboortezorg.indicators import get
>>> attribution_lines([get("preterm"), get("cs")])[0]
'Population outcomes (preterm) are counted against the unit where care started (booking, intention to treat): the first-line practice and its hospital and region, or the booking hospital when care started in the second line; an in-utero transfer counts at the hospital where the woman booked.'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["attribution_lines", "nicu_units", "unit_notes", "booking_caveat", "NICU_NOTE"]

#: The tooltip / report note for a unit with a NICU centre, by attribution and language.
NICU_NOTE = {
    "en": {
        "booking": (
            "{who}: receives in-utero transfers of very preterm births; these count "
            "against the hospital where the woman booked"
        ),
        "birth": (
            "{who}: receives in-utero transfers of very preterm births, counted here "
            "(attribution at birth)"
        ),
        "hospital": "NICU centre",
        "region": "NICU centre in this region",
    },
    "nl": {
        "booking": (
            "{who}: ontvangt in-utero-overplaatsingen van zeer vroeggeboortes; die "
            "tellen bij het ziekenhuis waar de vrouw geboekt was"
        ),
        "birth": (
            "{who}: ontvangt in-utero-overplaatsingen van zeer vroeggeboortes, hier "
            "meegeteld (toerekening bij de geboorte)"
        ),
        "hospital": "NICU-centrum",
        "region": "NICU-centrum in deze regio",
    },
}


def attribution_lines(indicators: Iterable[Any], attribution: str | None = None) -> list[str]:
    """The attribution rule in words, one line per rule in use (for a methods text).

    Parameters
    ----------
    indicators : iterable of Indicator
    attribution : {"booking", "birth"}, optional
        One rule forced on every indicator (default: each indicator's own).

    Examples
    --------
    >>> from saz_geboortezorg.indicators import get
    >>> attribution_lines([get("cs")], attribution="birth")[0][:60]
    'Outcomes of care during birth (cs) are counted against the u'
    """
    groups: dict[str, list[str]] = {"booking": [], "birth": []}
    for ind in indicators:
        groups[attribution or ind.attribution].append(ind.id)
    out = []
    if groups["booking"]:
        out.append(
            f"Population outcomes ({', '.join(groups['booking'])}) are counted against the unit "
            "where care started (booking, intention to treat): the first-line practice and "
            "its hospital and region, or the booking hospital when care started in the second "
            "line; an in-utero transfer counts at the hospital where the woman booked."
        )
    if groups["birth"]:
        out.append(
            f"Outcomes of care during birth ({', '.join(groups['birth'])}) are counted against "
            "the unit responsible at birth: the hospital where a second-line birth took place, "
            "or for a first-line birth its practice's hospital."
        )
    return out


def booking_caveat(data: Any) -> str | None:
    """A sentence when the booking hospital of some second-line starts is not known
    (the birth hospital stands in), else None: attribution 'booking' is then partly
    attribution at birth, and a report must say so.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> births = pd.DataFrame({"pregnancy_id": ["a", "b", "b"],
    ...                        "booking_from": ["practice"] + ["birth hospital (stand-in)"] * 2})
    >>> booking_caveat(SimpleNamespace(births=births))[:46]
    "attribution 'booking': for 1 pregnancies whose"
    """
    births = getattr(data, "births", None)
    if not isinstance(births, pd.DataFrame) or "booking_from" not in births:
        return None
    stand_in = births["booking_from"].astype(str).str.startswith("birth hospital")
    if not stand_in.any():
        return None
    n = births.loc[stand_in, "pregnancy_id"].nunique()
    return (
        f"attribution 'booking': for {n:,} pregnancies whose care started in the second line "
        "the extract gives no booking hospital, so the birth hospital stands in (an in-utero "
        "transfer among them counts at the receiving hospital)"
    )


def nicu_units(data: Any, unit: str = "hospital") -> list[str]:
    """Units (hospitals, or regions with one) that are NICU centres, from ``organisaties``.

    Returns an empty list when the data has no organisation table or no ``nicu`` column
    (then nothing is marked; the absence is not read as 'no NICU').

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> org = pd.DataFrame({"organisatie_id": ["ZH01", "ZH02", "VP001"],
    ...                     "organisatie_type": ["ZH", "ZH", "VP"],
    ...                     "regio_id": ["R01", "R02", "R01"], "nicu": [1, 0, None]})
    >>> d = SimpleNamespace(sources={"organisaties": org})
    >>> nicu_units(d, "hospital"), nicu_units(d, "region"), nicu_units(d, "practice")
    (['ZH01'], ['R01'], [])
    """
    sources = getattr(data, "sources", None) or {}
    org = sources.get("organisaties")
    if not isinstance(org, pd.DataFrame) or "nicu" not in org.columns:
        return []
    hospitals = org[org["organisatie_type"].astype(str) == "ZH"]
    is_nicu = pd.to_numeric(hospitals["nicu"], errors="coerce").eq(1).to_numpy()
    column = {"hospital": "organisatie_id", "region": "regio_id"}.get(unit)
    if column is None:
        return []
    return sorted({str(u) for u in hospitals[column][is_nicu]})


def unit_notes(
    data: Any, unit: str = "hospital", attribution: str = "birth", language: str = "en"
) -> dict[str, str]:
    """Unit -> note for units a clinician would ask about ("why is this hospital different?").

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> org = pd.DataFrame({"organisatie_id": ["ZH01"], "organisatie_type": ["ZH"],
    ...                     "regio_id": ["R01"], "nicu": [1]})
    >>> unit_notes(SimpleNamespace(sources={"organisaties": org}), "hospital", "booking")
    {'ZH01': 'NICU centre: receives in-utero transfers of very preterm births; these count against the hospital where the woman booked'}
    """
    words = NICU_NOTE[language]
    note = words[attribution].format(who=words.get(unit, words["hospital"]))
    return {u: note for u in nicu_units(data, unit)}
