"""The dashboard's address: ``?unit=R05`` (or ``?unit=ZH05&level=hospital``) opens the
explorer with that unit highlighted, so each hospital bookmarks its own dashboard.

Voila hands the page's query string to the notebook's kernel in the environment
variable ``QUERY_STRING`` (the CGI convention; with ``--preheat_kernel`` it is filled
only once a visitor arrives, after ``voila.utils.wait_for_request()``). The query also
carries Voila's ``token``; only ``unit``, ``level`` and ``lang`` are read, the rest is
ignored. Nothing here raises for a bad address: the page must always open, so an
unknown unit or level gives a plain message and the explorer opens without it.

Examples
--------
>>> import pandas as pd
>>> w = pd.DataFrame({"region_id": ["R01", "R05"], "hospital_id": ["ZH01", "ZH05"]})
>>> choice_from_query(w, "token=abc&unit=ZH05&level=hospital")
QueryChoice(unit='ZH05', level='hospital', language=None, message='')
>>> choice_from_query(w, "unit=R09").message
"Unit 'R09' from the address is not in the data at level region (R01, R05): showing no unit highlighted."
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from saz_geboortezorg.errors import SazError
from saz_geboortezorg.explore.controls import LEVELS, level_options, unit_options
from saz_geboortezorg.explore.labels import LANGUAGES

__all__ = ["QueryChoice", "choice_from_query", "page_query"]

#: The environment variable in which Voila passes the page's query string to the kernel.
QUERY_VARIABLE = "QUERY_STRING"
#: Units listed in a message about an unknown unit (the rest as "...").
_LISTED = 20


@dataclass(frozen=True)
class QueryChoice:
    """What the address asks for, checked against the data.

    Attributes
    ----------
    unit : str or None
        The unit to highlight (None: none asked for, or not in the data).
    level : str or None
        The level of comparison (None: not asked for and no unit given).
    language : str or None
        ``"en"`` or ``"nl"`` from ``lang=`` (None: not asked for).
    message : str
        Empty, or why (part of) the address was not followed, in plain words.
    """

    unit: str | None = None
    level: str | None = None
    language: str | None = None
    message: str = ""


def page_query() -> str:
    """The page's query string as Voila passes it (empty outside Voila).

    Examples
    --------
    >>> import os
    >>> os.environ["QUERY_STRING"] = "unit=R05&token=abc"
    >>> page_query()
    'unit=R05&token=abc'
    >>> del os.environ["QUERY_STRING"]; page_query()
    ''
    """
    return os.environ.get(QUERY_VARIABLE, "")


def _first(values: dict[str, list[str]], key: str) -> str | None:
    found = values.get(key)
    return found[0].strip() if found and found[0].strip() else None


def _units(data: Any, level: str) -> list[str]:
    return [v for _, v in unit_options(data, level) if v is not None]


def _listing(units: list[str]) -> str:
    shown = ", ".join(units[:_LISTED])
    return shown + (", ..." if len(units) > _LISTED else "") if units else "no units"


def choice_from_query(
    data: Any, query: str | None = None, default_level: str = "region"
) -> QueryChoice:
    """Read ``unit``, ``level`` and ``lang`` from a query string and check them against
    the data; never raises for what a visitor typed.

    Parameters
    ----------
    data : Dataset or DataFrame
        The loaded data (the unit must occur in it).
    query : str, optional
        ``"unit=R05&level=region"`` (a leading ``?`` is allowed); None reads
        :func:`page_query` (Voila's ``QUERY_STRING``).
    default_level : str
        The level when the address gives a unit but no level and the unit is not
        found at another level.

    Returns
    -------
    QueryChoice
        Without ``level=``, the level is the first of ``default_level``, hospital,
        region, practice at which the unit occurs. An unknown unit, level or language
        is dropped with a message naming what exists.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"region_id": ["R01", "R05"], "hospital_id": ["ZH01", "ZH05"]})
    >>> choice_from_query(w, "?unit=ZH05")   # the level follows from the unit
    QueryChoice(unit='ZH05', level='hospital', language=None, message='')
    >>> choice_from_query(w, "unit=R05&level=practice&lang=nl")
    QueryChoice(unit='R05', level='region', language='nl', message="Level 'practice' from the address is not available (hospital, region): the level follows from the unit.")
    >>> choice_from_query(w, "")
    QueryChoice(unit=None, level=None, language=None, message='')
    """
    text = page_query() if query is None else str(query)
    values = parse_qs(text.lstrip("?"), keep_blank_values=False)
    unit, level, lang = _first(values, "unit"), _first(values, "level"), _first(values, "lang")
    messages: list[str] = []
    language = None
    if lang is not None:
        if lang.lower() in LANGUAGES:
            language = lang.lower()
        else:
            messages.append(
                f"Language {lang!r} from the address is not available "
                f"({', '.join(LANGUAGES)}): showing English."
            )
    try:
        levels = [v for _, v in level_options(data)]
    except SazError as exc:  # not a dataset: say so, open without the address
        return QueryChoice(message=f"The address could not be followed: {exc}")
    if level is not None and level.lower() not in levels:
        messages.append(
            f"Level {level!r} from the address is not available ({', '.join(levels)}): "
            "the level follows from the unit."
        )
        level = None
    level = None if level is None else level.lower()
    if unit is None:
        return QueryChoice(level=level, language=language, message=" ".join(messages))
    if level is None:
        order = [default_level, *(lv for lv in LEVELS if lv != default_level)]
        level = next((lv for lv in order if lv in levels and unit in _units(data, lv)), None)
        if level is None:
            where = default_level if default_level in levels else levels[0]
            messages.append(
                f"Unit {unit!r} from the address is not in the data at level {where} "
                f"({_listing(_units(data, where))}): showing no unit highlighted."
            )
            return QueryChoice(language=language, message=" ".join(messages))
        return QueryChoice(unit=unit, level=level, language=language, message=" ".join(messages))
    known = _units(data, level)
    if unit not in known:
        messages.append(
            f"Unit {unit!r} from the address is not in the data at level {level} "
            f"({_listing(known)}): showing no unit highlighted."
        )
        return QueryChoice(level=level, language=language, message=" ".join(messages))
    return QueryChoice(unit=unit, level=level, language=language, message=" ".join(messages))
