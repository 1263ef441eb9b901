"""The explorer's option lists, as plain data (no widgets).

Each function returns ``[(label, value), ...]`` pairs, the form ipywidgets' ``options``
take, so the same lists serve the widgets, scripts and tests. Values are stable ids
(indicator ids, level names, ``"2022"``); labels follow the language
(:mod:`saz_geboortezorg.explore.labels`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.explore.labels import indicator_label, label, value_label

__all__ = [
    "LEVELS",
    "THEMES",
    "LIMITS",
    "indicator_options",
    "level_options",
    "period_options",
    "period_bounds",
    "adjustment_options",
    "overdispersion_options",
    "limit_options",
    "language_options",
    "unit_options",
    "theme_options",
    "user_theme",
    "THEME_PREFIX",
]

#: Levels of comparison, in the order the control lists them.
LEVELS = ("hospital", "region", "practice")
#: Theme filters (columns of the analysis tables; ``robson_main`` is added at load).
THEMES = ("ses_quintile", "migration", "parity_group", "robson_main")
#: Prefix of a user theme filter's key (``theme:<id>``; the theme is in the user catalogue).
THEME_PREFIX = "theme:"
#: The choices of a user theme filter, in words.
THEME_VALUES = {
    "en": {"yes": "yes (in this group)", "no": "no (not in it)", "unknown": "unknown"},
    "nl": {"yes": "ja (in deze groep)", "no": "nee (niet erin)", "unknown": "onbekend"},
}
#: Limit choices: key -> levels in percent.
LIMITS = {"both": (95.0, 99.8), "95": (95.0,), "998": (99.8,)}

_ROBSON = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "unclassifiable"]


def _women(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    women = getattr(data, "women", None)
    if not isinstance(women, pd.DataFrame):
        raise SpecError("the explorer needs a loaded Dataset (with a women table) or a DataFrame")
    return women


def indicator_options(language: str = "en", catalogue: Any = None) -> list[tuple[str, str]]:
    """Every catalogue indicator, grouped by domain (mother, child, process, care path,
    cost), labelled ``"<Domain> · <name>"``; with a user catalogue file (``catalogue``,
    :mod:`saz_geboortezorg.indicators.user`) its indicators too, in their domains.

    Examples
    --------
    >>> options = indicator_options()
    >>> options[0]
    ('Mother · Episiotomy – Episiotomie', 'episiotomy')
    >>> options[-1][1], len(options)
    ('cost_per_pregnancy', 33)
    >>> indicator_options("nl")[-1][0]
    'Kosten · Kosten per zwangerschap'
    """
    from saz_geboortezorg.indicators.user import merged_catalogue
    from saz_geboortezorg.present.benchmark_chart import DOMAIN_ORDER

    indicators = list(merged_catalogue(catalogue).values())
    rank = {d: i for i, d in enumerate(DOMAIN_ORDER)}
    indicators.sort(key=lambda ind: rank.get(ind.domain, len(rank)))  # stable: catalogue order
    return [
        (f"{label(ind.domain, language)} · {indicator_label(ind, language)}", ind.id)
        for ind in indicators
    ]


def level_options(data: Any = None, language: str = "en") -> list[tuple[str, str]]:
    """Hospital, region and practice (only those the data has a column for).

    Examples
    --------
    >>> level_options(language="nl")
    [('Ziekenhuis', 'hospital'), ('Regio', 'region'), ('Verloskundigenpraktijk', 'practice')]
    >>> import pandas as pd
    >>> level_options(pd.DataFrame({"region_id": ["R1"]}))
    [('Region (regio)', 'region')]
    """
    from saz_geboortezorg.indicators.compute import UNIT_COLUMNS

    columns = None if data is None else set(_women(data).columns)
    return [
        (label(lv, language), lv) for lv in LEVELS if columns is None or UNIT_COLUMNS[lv] in columns
    ]


def period_options(data: Any, language: str = "en") -> list[tuple[str, str]]:
    """All years together, then each calendar year in the data (by birth date).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"birth_date": pd.to_datetime(["2022-03-01", "2021-12-31"])})
    >>> period_options(w)
    [('All years', 'all'), ('Year 2021', '2021'), ('Year 2022', '2022')]
    """
    from saz_geboortezorg.compare.benchmark import DATE_COLUMN

    women = _women(data)
    options = [(label("all_periods", language), "all")]
    if DATE_COLUMN in women.columns:
        options += [(label("year", language, year=y), str(y)) for y in _years(women[DATE_COLUMN])]
    return options


def _years(dates: pd.Series) -> list[int]:
    """The calendar years of the dates present, sorted (missing dates left out); a
    datetime64 column is read as years since 1970 and counted, without making a
    Timestamp or a year per record (``pd.to_datetime(dates).dt.year`` for others)."""
    if dates.dtype.kind != "M":
        return sorted(int(y) for y in pd.to_datetime(dates).dt.year.dropna().unique())
    values = dates.to_numpy()
    unit, count = np.datetime_data(values.dtype)
    ticks = values.view(np.int64)
    ticks = ticks[ticks != np.iinfo(np.int64).min]  # NaT
    if not len(ticks):
        return []
    per_day = int(np.timedelta64(1, "D") // np.timedelta64(count, unit))
    days = ticks // per_day  # floor: days since 1970 (before 1970 too)
    low = int(days.min())
    present = np.flatnonzero(np.bincount(days - low)) + low
    years = present.astype("datetime64[D]").astype("datetime64[Y]").view(np.int64)
    return [1970 + int(y) for y in np.unique(years)]


def period_bounds(key: str) -> tuple[str, str] | None:
    """The (start, end) dates of a period key (``None`` for all years).

    Examples
    --------
    >>> period_bounds("2022"), period_bounds("all")
    (('2022-01-01', '2022-12-31'), None)
    """
    if key in (None, "all"):
        return None
    if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
        raise SpecError(f"period must be 'all' or a year such as '2022', not {key!r}")
    return (f"{key}-01-01", f"{key}-12-31")


def adjustment_options(language: str = "en") -> list[tuple[str, bool]]:
    """Case-mix adjusted or crude.

    Examples
    --------
    >>> adjustment_options()
    [('Case-mix adjusted (gecorrigeerd)', True), ('Crude (ruw)', False)]
    """
    return [(label("adjusted", language), True), (label("crude", language), False)]


def overdispersion_options(language: str = "en") -> list[tuple[str, bool]]:
    """Overdispersion-adjusted funnel limits on or off.

    Examples
    --------
    >>> [value for _, value in overdispersion_options()]
    [True, False]
    """
    return [
        (label("overdispersion_on", language), True),
        (label("overdispersion_off", language), False),
    ]


def limit_options(language: str = "en") -> list[tuple[str, tuple[float, ...]]]:
    """Funnel limits: 95% and 99.8%, or one of them.

    Examples
    --------
    >>> limit_options()[0]
    ('95% and 99.8%', (95.0, 99.8))
    """
    return [(label(f"limits_{key}", language), levels) for key, levels in LIMITS.items()]


def language_options() -> list[tuple[str, str]]:
    """English or Dutch labels.

    Examples
    --------
    >>> language_options()
    [('English', 'en'), ('Nederlands (Dutch)', 'nl')]
    """
    return [(label("language_en"), "en"), (label("language_nl"), "nl")]


@renamed_arguments(level="unit")
def unit_options(data: Any, unit: str, language: str = "en") -> list[tuple[str, str | None]]:
    """'My unit' choices at a level: none, then every unit in the data.

    Examples
    --------
    >>> import pandas as pd
    >>> unit_options(pd.DataFrame({"region_id": ["R2", "R1", "R2"]}), "region")
    [('(none)', None), ('R1', 'R1'), ('R2', 'R2')]
    """
    from saz_geboortezorg.indicators.compute import resolve_unit

    women = _women(data)
    column = resolve_unit(unit, women.columns)
    units = [] if column is None else sorted(_distinct_text(women[column]))
    return [(label("no_unit", language), None)] + [(u, u) for u in units]


def theme_options(
    data: Any, language: str = "en", catalogue: Any = None
) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Theme filters: column -> (title, [(label, value), ...]).

    Values are as in the data (SES quintile ``"1"`` ... ``"5"``, ``"unknown"``);
    Robson groups are 1-10 and unclassifiable (offered when the data has the columns
    to classify women). Choosing nothing means everybody. The themes of a user
    catalogue (``catalogue``) follow, keyed ``theme:<id>`` (:data:`THEME_PREFIX`), with
    the values ``yes``, ``no`` and ``unknown`` (whether the theme's expression holds).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"ses_quintile": ["2", "1", "unknown"], "migration": ["dutch"] * 3,
    ...                   "parity_group": ["0", "1", "2+"]})
    >>> themes = theme_options(w)
    >>> themes["ses_quintile"]
    ('SES quintile', [('SES quintile 1', '1'), ('SES quintile 2', '2'), ('unknown', 'unknown')])
    >>> list(themes)
    ['ses_quintile', 'migration', 'parity_group']
    """
    women = _women(data)
    out = {}
    for column in THEMES:
        if column == "robson_main":
            if column not in women.columns:
                continue  # no Robson group (sg.load adds it; sg.add_derived to a table)
            values = _ROBSON
        elif column in women.columns:
            values = sorted(_distinct_text(women[column]), key=_order)
        else:
            continue
        out[column] = (
            label(column, language),
            [(value_label(column, v, language), v) for v in values],
        )
    if catalogue is not None:
        from saz_geboortezorg.indicators.user import user_themes

        words = THEME_VALUES["nl" if language == "nl" else "en"]
        for theme in user_themes(catalogue).values():
            out[THEME_PREFIX + theme.id] = (
                theme.label(language),
                [(words[v], v) for v in ("yes", "no", "unknown")],
            )
    return out


def user_theme(key: str, catalogue: Any) -> Any:
    """The user :class:`~saz_geboortezorg.indicators.user.Theme` of a theme filter key
    ``theme:<id>`` (a clear error when the catalogue has no such theme).

    Examples
    --------
    >>> user_theme("theme:x", None)
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: theme filter 'theme:x' needs a user catalogue with theme 'x' (none given)
    """
    from saz_geboortezorg.indicators.user import user_themes

    ident = key.removeprefix(THEME_PREFIX)
    themes = user_themes(catalogue)
    if ident not in themes:
        where = "none given" if catalogue is None else f"{catalogue} has {sorted(themes)}"
        raise SpecError(
            f"theme filter {key!r} needs a user catalogue with theme {ident!r} ({where})"
        )
    return themes[ident]


def _distinct_text(values: pd.Series) -> list[str]:
    """The distinct values as text (``values.dropna().astype(str).unique()``), converting
    only the distinct ones: a label column is categorical, and converting its millions of
    rows to text first is what a control change would wait for."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # the categories that occur, from the codes (no copy of the column)
        categories = values.cat.categories
        used = np.zeros(len(categories) + 1, dtype=bool)
        used[values.cat.codes.to_numpy()] = True  # a missing value (-1) marks the last
        return list(dict.fromkeys(str(v) for v in categories[used[:-1]]))
    return list(dict.fromkeys(str(v) for v in values.dropna().unique()))


def _order(value: str) -> tuple[int, str]:
    return (1, value) if value == "unknown" else (0, value)
