"""The user catalogue: indicators and theme filters a lead professional defines.

A user catalogue is a YAML file in the format of the shipped ``catalogue.yaml`` (an
``indicators:`` list, read by :mod:`~saz_geboortezorg.indicators.definitions`) with one
more list, ``themes:``: named filters over an analysis table (e.g. "nulliparous under
25": ``parity == 0 and maternal_age < 25``) that the explorer offers among its theme
filters. It lives beside the data, never in the package: by default
``<data folder>/mijn_indicatoren.yaml`` (Dutch for "my indicators",
:data:`USER_CATALOGUE`). Every expression is in the safe filter language of
:mod:`saz_geboortezorg.expressions` (comparisons, ``in``, ``and``/``or``/``not``,
``missing()``/``present()``; nothing is ever run as code).

Wherever an indicator is looked up by id (``sg.compute``, ``sg.benchmark``, the
explorer, the ``report`` and ``rates`` commands) a user catalogue is honoured through
the argument ``catalogue=`` (``--catalogue FILE`` on the command line): its indicators
are added to the shipped ones. A user id may not shadow a shipped id.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> path = user_catalogue_path(folder)
>>> path.name
'mijn_indicatoren.yaml'
>>> ind = define_indicator("cs_young", name_en="Caesarean under 25",
...                        name_nl="Sectio onder 25 jaar", level="woman",
...                        population="ga_days >= 154 and maternal_age < 25",
...                        numerator="cs == 1", better="lower")
>>> save_user_entry(ind, path) == path
True
>>> sorted(read_user_catalogue(path).indicators)
['cs_young']
>>> merged_catalogue(path)["cs_young"].population
'ga_days >= 154 and maternal_age < 25'
>>> remove_user_entry("cs_young", path)
>>> read_user_catalogue(path).indicators
{}
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.expressions import columns_used, evaluate, evaluate_known
from saz_geboortezorg.indicators.definitions import (
    LEVELS,
    Exclusion,
    Indicator,
    load_catalogue,
    parse,
)

__all__ = [
    "USER_CATALOGUE",
    "USER_SOURCE",
    "Theme",
    "UserCatalogue",
    "user_catalogue_path",
    "define_indicator",
    "define_theme",
    "read_user_catalogue",
    "save_user_entry",
    "remove_user_entry",
    "merged_catalogue",
    "find_indicator",
    "user_themes",
    "expression_problems",
    "indicator_problems",
    "theme_problems",
    "table_for",
]

#: The default file name of a user catalogue, in the data folder: Dutch for
#: "my indicators".
USER_CATALOGUE = "mijn_indicatoren.yaml"
#: The ``source`` a user-defined indicator gets when none is given.
USER_SOURCE = "user catalogue (defined by a lead professional)"
_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_HEADER = """\
# mijn_indicatoren.yaml: indicators and theme filters defined by lead professionals
# (the user catalogue; "mijn indicatoren" is Dutch for "my indicators").
#
# Written by saz_geboortezorg (the dashboard's indicator editor, or
# sg.save_user_entry); the format of the shipped catalogue.yaml, see
# docs/user-indicators.md. Expressions use the columns of the analysis tables and the
# safe filter language: == != < <= > >= in, not in, and/or/not, missing(column),
# present(column). Use it with catalogue=FILE in Python or --catalogue FILE on the
# command line.
"""


@dataclass(frozen=True)
class Theme:
    """A user theme filter: a named expression over an analysis table.

    In the explorer a theme is a filter with the choices ``yes`` (the expression holds),
    ``no`` (it does not) and ``unknown`` (it depends on a missing value), like the
    column filters (SES quintile, parity, ...). As a key of ``where=`` in
    :func:`~saz_geboortezorg.compare.benchmark.unit_table` it selects the same.

    Examples
    --------
    >>> t = Theme("young_nullip", "Nulliparous under 25", "Nullipara jonger dan 25",
    ...           "parity == 0 and maternal_age < 25")
    >>> import pandas as pd
    >>> w = pd.DataFrame({"parity": [0, 0, 1, None], "maternal_age": [22, 30, 20, 21]})
    >>> t.values(w).tolist()
    ['yes', 'no', 'no', 'unknown']
    """

    id: str
    name_en: str
    name_nl: str
    expression: str
    level: str = "woman"

    def values(self, table: pd.DataFrame) -> pd.Series:
        """Per record ``yes``, ``no`` or ``unknown`` (three-valued logic)."""
        true, known = evaluate_known(self.expression, table)
        out = np.where(true.to_numpy(), "yes", np.where(known.to_numpy(), "no", "unknown"))
        return pd.Series(out, index=table.index, dtype=object)

    def label(self, language: str = "en") -> str:
        """The theme's name in the language (English with the Dutch name, or Dutch)."""
        if language == "nl" or self.name_nl.lower() == self.name_en.lower():
            return self.name_nl if language == "nl" else self.name_en
        return f"{self.name_en} – {self.name_nl}"


@dataclass
class UserCatalogue:
    """The contents of a user catalogue file: ``indicators`` and ``themes`` by id."""

    path: Path | None
    indicators: dict[str, Indicator] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)


def user_catalogue_path(folder: str | Path) -> Path:
    """The default user catalogue of a data folder: ``<folder>/mijn_indicatoren.yaml``.

    Given a file (an extract or an analysis table), its folder is used.

    Examples
    --------
    >>> user_catalogue_path("/data/2024").as_posix()
    '/data/2024/mijn_indicatoren.yaml'
    """
    folder = Path(folder)
    if folder.suffix and not folder.is_dir():
        folder = folder.parent
    return folder / USER_CATALOGUE


def _shipped_ids() -> set[str]:
    return set(load_catalogue())


def _check_id(ident: Any, what: str, taken: Iterable[str] = ()) -> str:
    if not isinstance(ident, str) or not _ID.match(ident):
        raise SpecError(
            f"{what} id {ident!r}: use 2 to 40 lowercase letters, digits and underscores, "
            "starting with a letter (e.g. cs_young_nullip)"
        )
    if ident in _shipped_ids():
        raise SpecError(
            f"{what} id {ident!r} is a shipped indicator's id; a user catalogue may not "
            "shadow it: choose another id"
        )
    if ident in set(taken):
        raise SpecError(f"{what} id {ident!r} is already used in this user catalogue")
    return ident


def define_indicator(
    id: str,
    *,
    name_en: str,
    name_nl: str,
    population: str,
    numerator: str,
    level: str = "woman",
    exclusions: Iterable[Any] = (),
    better: str = "lower",
    unit: str = "percent",
    domain: str | None = None,
    population_text: str = "",
    attribution: str = "birth",
    source: str = USER_SOURCE,
) -> Indicator:
    """An indicator from its parts, checked as the shipped catalogue is checked.

    Parameters
    ----------
    id : str
        Short name (lowercase letters, digits, ``_``); not a shipped indicator's id.
    name_en, name_nl : str
        English and Dutch name.
    population : str
        Who is in the denominator, as an expression (e.g. ``ga_days >= 259 and
        parity == 0``).
    numerator : str
        Who counts as an event, among the population.
    level : {"woman", "baby"}
        The table: ``woman`` (one row per pregnancy, ``women``) or ``baby``
        (``births``).
    exclusions : list
        Records removed from the denominator with a reason: ``(reason, when)`` pairs or
        ``{"reason": ..., "when": ...}`` mappings.
    better : {"lower", "higher", "neither"}
        Direction: ``lower`` when a higher rate is worse.
    unit : {"percent", "per_1000"}
        Scale of the rate.
    domain : str, optional
        ``mother``, ``child``, ``process`` or ``care_path`` (default: ``mother`` for the
        woman level, ``child`` for the baby level).
    population_text : str
        The population in words (default: the expression).
    attribution : {"birth", "booking"}
        Who the outcome is counted against (see ``catalogue.yaml``).
    source : str

    Returns
    -------
    Indicator

    Raises
    ------
    SpecError
        A bad id, a missing name, an expression the safe language cannot read, or a
        field with a value outside its choices.

    Examples
    --------
    >>> ind = define_indicator("induction_nullip", name_en="Induction, nulliparous",
    ...                        name_nl="Inductie bij nulliparae",
    ...                        population="parity == 0", numerator="onset == 'induced'",
    ...                        exclusions=[("onset unknown", "onset == 'unknown'")])
    >>> ind.level, ind.domain, [e.reason for e in ind.exclusions]
    ('woman', 'mother', ['onset unknown'])
    >>> define_indicator("cs", name_en="x", name_nl="x", population="ga_days > 0",
    ...                  numerator="cs == 1")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: indicator id 'cs' is a shipped indicator's id; a user catalogue may not shadow it: choose another id
    """
    _check_id(id, "indicator")
    if level not in LEVELS:
        raise SpecError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if unit == "euro":
        raise SpecError("a user indicator counts events: unit must be percent or per_1000")
    entry = {
        "id": id,
        "name_nl": str(name_nl or "").strip(),
        "name_en": str(name_en or "").strip(),
        "domain": domain or ("mother" if level == "woman" else "child"),
        "level": level,
        "population": str(population or "").strip(),
        "population_text": str(population_text or "").strip() or str(population or "").strip(),
        "exclusions": [_exclusion(e) for e in exclusions],
        "numerator": str(numerator or "").strip(),
        "unit": unit,
        "better": better,
        "attribution": attribution,
        "source": source,
    }
    return parse(entry, "user catalogue")


def _exclusion(item: Any) -> dict[str, str]:
    if isinstance(item, Exclusion):
        return {"reason": item.reason, "when": item.when}
    if isinstance(item, Mapping):
        reason, when = item.get("reason"), item.get("when")
    elif isinstance(item, tuple | list) and len(item) == 2:
        reason, when = item
    else:
        raise SpecError(f"an exclusion is (reason, when) or {{reason, when}}, not {item!r}")
    if not str(reason or "").strip() or not str(when or "").strip():
        raise SpecError("each exclusion needs a reason and a 'when' expression")
    return {"reason": str(reason).strip(), "when": str(when).strip()}


def define_theme(
    id: str, *, name_en: str, name_nl: str, expression: str, level: str = "woman"
) -> Theme:
    """A theme filter from its parts: a named expression over the ``women`` (``woman``)
    or ``births`` (``baby``) table.

    Examples
    --------
    >>> define_theme("young_nullip", name_en="Nulliparous under 25",
    ...              name_nl="Nullipara jonger dan 25",
    ...              expression="parity == 0 and maternal_age < 25").level
    'woman'
    >>> define_theme("t1", name_en="x", name_nl="x", expression="import os")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: theme 't1': cannot read the expression 'import os': invalid syntax
    """
    _check_id(id, "theme")
    if level not in LEVELS:
        raise SpecError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    names = {"name_en": str(name_en or "").strip(), "name_nl": str(name_nl or "").strip()}
    lacking = [k for k, v in names.items() if not v]
    expression = str(expression or "").strip()
    if not expression:
        lacking.append("expression")
    if lacking:
        raise SpecError(f"theme {id!r} lacks field(s) {', '.join(lacking)}")
    try:
        columns_used(expression)
    except SpecError as exc:
        raise SpecError(f"theme {id!r}: {exc}") from None
    return Theme(id, names["name_en"], names["name_nl"], expression, level)


def _load_yaml(text: str, path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{path} is not valid YAML: {exc}") from None
    if data is None:
        return {"indicators": [], "themes": []}
    if not isinstance(data, dict):
        raise SpecError(f"{path} must hold 'indicators:' and 'themes:' lists")
    unknown = sorted(set(data) - {"indicators", "themes"})
    if unknown:
        raise SpecError(f"{path}: unknown section(s) {', '.join(unknown)}")
    for key in ("indicators", "themes"):
        data[key] = data.get(key) or []
        if not isinstance(data[key], list):
            raise SpecError(f"{path}: {key!r} must be a list")
    return data


def read_user_catalogue(path: str | Path | None) -> UserCatalogue:
    """Read a user catalogue (an absent file is an empty catalogue).

    Every indicator is checked as :func:`define_indicator` checks it, every theme as
    :func:`define_theme` does; an id that shadows a shipped one is an error.

    Examples
    --------
    >>> read_user_catalogue(None).indicators
    {}
    """
    if path is None:
        return UserCatalogue(None)
    path = Path(path)
    if path.is_dir():
        path = user_catalogue_path(path)
    if not path.exists():
        return UserCatalogue(path)
    text = path.read_text(encoding="utf-8")
    key = (str(path.resolve()), text)
    if key not in _READ:
        if len(_READ) > 16:
            _READ.clear()
        _READ[key] = _parse_user(text, path)
    found = _READ[key]
    return UserCatalogue(path, dict(found.indicators), dict(found.themes))


#: Parsed user catalogues by (file, text): the explorer reads the file on every redraw,
#: and a file changed on disk (same name, new text) is parsed again.
_READ: dict[tuple[str, str], UserCatalogue] = {}


def _parse_user(text: str, path: Path) -> UserCatalogue:
    data = _load_yaml(text, path)
    out = UserCatalogue(path)
    where = str(path)
    for entry in data["indicators"]:
        ident = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(ident, str) and ident in _shipped_ids():
            raise SpecError(
                f"{where}: indicator id {ident!r} is a shipped indicator's id; a user "
                "catalogue may not shadow it: rename it"
            )
        indicator = parse(entry, where)
        if indicator.id in out.indicators:
            raise SpecError(f"{where}: indicator id {indicator.id!r} is defined twice")
        out.indicators[indicator.id] = indicator
    for entry in data["themes"]:
        if not isinstance(entry, dict):
            raise SpecError(f"{where}: every theme must be a mapping of fields")
        known = {"id", "name_en", "name_nl", "expression", "level"}
        extra = sorted(set(entry) - known)
        if extra:
            raise SpecError(f"{where}: theme {entry.get('id')!r} has unknown field(s) {extra}")
        try:
            theme = define_theme(
                entry.get("id"),
                name_en=entry.get("name_en"),
                name_nl=entry.get("name_nl"),
                expression=entry.get("expression"),
                level=entry.get("level", "woman"),
            )
        except SpecError as exc:
            raise SpecError(f"{where}: {exc}") from None
        if theme.id in out.themes or theme.id in out.indicators:
            raise SpecError(f"{where}: id {theme.id!r} is defined twice")
        out.themes[theme.id] = theme
    return out


def _indicator_entry(ind: Indicator) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": ind.id,
        "name_nl": ind.name_nl,
        "name_en": ind.name_en,
        "domain": ind.domain,
        "level": ind.level,
        "population": ind.population,
        "population_text": ind.population_text,
        "exclusions": [{"reason": e.reason, "when": e.when} for e in ind.exclusions],
        "numerator": ind.numerator,
        "unit": ind.unit,
        "better": ind.better,
        "attribution": ind.attribution,
        "source": ind.source,
    }
    if ind.case_mix:
        entry["case_mix"] = ind.case_mix
    return entry


def save_user_entry(entry: Indicator | Theme, path: str | Path) -> Path:
    """Add an indicator or theme to a user catalogue file (replacing one with its id).

    The file is created when absent (its folder must exist); it is written whole
    through a temporary file, so a failed write leaves the old one.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    if path.is_dir():
        path = user_catalogue_path(path)
    if not path.parent.is_dir():
        raise SpecError(f"{path.parent} is not a folder: cannot save the user catalogue there")
    current = read_user_catalogue(path)
    if isinstance(entry, Indicator):
        _check_id(entry.id, "indicator", current.themes)
        current.indicators[entry.id] = entry
    elif isinstance(entry, Theme):
        _check_id(entry.id, "theme", current.indicators)
        current.themes[entry.id] = entry
    else:
        raise SpecError(
            f"save_user_entry takes an Indicator or a Theme, not {type(entry).__name__}"
        )
    _write(current, path)
    return path


def _write(current: UserCatalogue, path: Path) -> None:
    import yaml

    data = {
        "indicators": [_indicator_entry(i) for i in current.indicators.values()],
        "themes": [asdict(t) for t in current.themes.values()],
    }
    text = _HEADER + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def remove_user_entry(ident: str, path: str | Path) -> None:
    """Remove an indicator or theme from a user catalogue file (an unknown id is an
    error naming the ids there)."""
    path = Path(path)
    if path.is_dir():
        path = user_catalogue_path(path)
    current = read_user_catalogue(path)
    if ident in current.indicators:
        del current.indicators[ident]
    elif ident in current.themes:
        del current.themes[ident]
    else:
        there = sorted([*current.indicators, *current.themes])
        raise SpecError(
            f"{ident!r} is not in the user catalogue {path} "
            f"(it holds: {', '.join(there) or 'nothing'})"
        )
    _write(current, path)


def merged_catalogue(catalogue: str | Path | None = None) -> dict[str, Indicator]:
    """The shipped indicators, then those of the user catalogue ``catalogue`` (if any).

    Examples
    --------
    >>> len(merged_catalogue()) == len(load_catalogue())
    True
    """
    out = load_catalogue()
    if catalogue is not None:
        out.update(read_user_catalogue(catalogue).indicators)
    return out


def user_themes(catalogue: str | Path | None = None) -> dict[str, Theme]:
    """The theme filters of a user catalogue (none without one)."""
    return read_user_catalogue(catalogue).themes


def find_indicator(indicator: Any, catalogue: str | Path | None = None) -> Indicator:
    """An indicator by id, from the shipped and the user catalogue (an Indicator is
    returned as it is); an unknown id is a :class:`SpecError` with close matches."""
    if isinstance(indicator, Indicator):
        return indicator
    found = merged_catalogue(catalogue)
    if indicator not in found:
        close = difflib.get_close_matches(str(indicator), list(found), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        where = f" or in the user catalogue {catalogue}" if catalogue is not None else ""
        raise SpecError(
            f"unknown indicator {indicator!r}{where}.{hint} 'saz-geboortezorg indicators' "
            "lists them all."
        )
    return found[indicator]


# ---------------------------------------------------------------- checks on the data
def table_for(data: Any, level: str) -> pd.DataFrame:
    """The analysis table of a level: ``women`` (``woman``) or ``births`` (``baby``) of a
    Dataset; a DataFrame is used as it is."""
    if isinstance(data, pd.DataFrame):
        return data
    name = "women" if level == "woman" else "births"
    table = getattr(data, name, None)
    if not isinstance(table, pd.DataFrame):
        raise SpecError(f"a {level}-level definition needs a Dataset with a {name!r} table")
    return table


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


def _code_list(series: pd.Series, cache: dict) -> list[str]:
    key = series.name
    if key not in cache:
        if isinstance(series.dtype, pd.CategoricalDtype):
            values = [str(v) for v in series.cat.categories]
        else:
            values = [str(v) for v in series.dropna().unique()]
        cache[key] = sorted(values)
    return cache[key]


def _literals(node: ast.AST) -> list[Any] | None:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return [-node.operand.value] if isinstance(node.op, ast.USub) else None
    if isinstance(node, ast.List | ast.Tuple):
        out = []
        for element in node.elts:
            inner = _literals(element)
            if inner is None:
                return None
            out += inner
        return out
    return None


def expression_problems(expression: str, table: pd.DataFrame, what: str) -> list[str]:
    """What is wrong with one expression on a table, in words (empty: nothing).

    An expression the language cannot read; a column the table lacks (with the close
    matches); a text value that is not among the column's values (with its code list);
    a number compared with a text column, or text with a numeric column.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"onset": ["induced", "spontaneous"], "parity": [0, 1]})
    >>> expression_problems("parrity == 0", w, "population")
    ["population: unknown column 'parrity'; did you mean 'parity'?"]
    >>> expression_problems("onset == 'inducd'", w, "numerator")
    ["numerator: 'inducd' is not a value of onset (its values: induced, spontaneous); did you mean 'induced'?"]
    >>> expression_problems("parity == 'zero'", w, "population")
    ["population: parity holds numbers; compare it with a number, not 'zero'"]
    """
    try:
        used = columns_used(expression)
    except SpecError as exc:
        return [f"{what}: {exc}"]
    problems = []
    for column in sorted(used - set(table.columns)):
        close = difflib.get_close_matches(column, [str(c) for c in table.columns], n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        problems.append(f"{what}: unknown column {column!r}{hint}")
    if problems:
        return problems
    codes: dict = {}
    for node in ast.walk(ast.parse(expression.strip(), mode="eval")):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for a, b in zip(operands, operands[1:], strict=False):
            for name, other in ((a, b), (b, a)):
                if not isinstance(name, ast.Name) or name.id not in table.columns:
                    continue
                values = _literals(other)
                if values is None:
                    continue
                series = table[name.id]
                text = _is_text(series)
                for value in values:
                    if isinstance(value, str) and not text:
                        problems.append(
                            f"{what}: {name.id} holds numbers; compare it with a number, "
                            f"not {value!r}"
                        )
                    elif isinstance(value, int | float) and not isinstance(value, bool) and text:
                        known = _code_list(series, codes)
                        if str(value) in known:
                            problems.append(
                                f"{what}: {name.id} holds text; write the value in quotes: "
                                f"'{value}'"
                            )
                        else:
                            problems.append(
                                f"{what}: {name.id} holds text (its values: "
                                f"{', '.join(known[:15])}), not numbers"
                            )
                    elif isinstance(value, str):
                        known = _code_list(series, codes)
                        if value not in known:
                            close = difflib.get_close_matches(value, known, n=2)
                            hint = (
                                f"; did you mean {', '.join(repr(c) for c in close)}?"
                                if close
                                else ""
                            )
                            listed = ", ".join(known[:15]) + (", ..." if len(known) > 15 else "")
                            problems.append(
                                f"{what}: {value!r} is not a value of {name.id} "
                                f"(its values: {listed}){hint}"
                            )
    return list(dict.fromkeys(problems))


def indicator_problems(data: Any, indicator: Indicator) -> list[str]:
    """Everything wrong with a definition on this data, in words (empty: nothing).

    Beyond :func:`expression_problems` on every expression: a population that selects
    nobody, a numerator that selects nobody, or one whose events all fall outside the
    population, and a definition whose denominator is empty after the exclusions.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"parity": [0, 0, 1, 2], "onset": ["induced"] * 4})
    >>> ind = define_indicator("x_test", name_en="x", name_nl="x",
    ...                        population="parity == 0", numerator="parity >= 1")
    >>> indicator_problems(w, ind)
    ['numerator: selects 2 records, but none of them in the population']
    """
    table = table_for(data, indicator.level)
    problems = expression_problems(indicator.population, table, "population")
    problems += expression_problems(indicator.numerator or "", table, "numerator")
    for e in indicator.exclusions:
        problems += expression_problems(e.when, table, f"exclusion {e.reason!r}")
    if problems:
        return problems
    population = evaluate(indicator.population, table)
    if not population.any():
        return ["population: selects nobody in the data"]
    event = evaluate(indicator.numerator or "", table)
    if not event.any():
        problems.append("numerator: selects nobody in the data")
    elif not (event & population).any():
        problems.append(
            f"numerator: selects {int(event.sum())} records, but none of them in the population"
        )
    remaining = population.copy()
    for e in indicator.exclusions:
        remaining &= ~evaluate(e.when, table)
    if not remaining.any():
        problems.append("exclusions: they remove everybody in the population")
    return problems


def theme_problems(data: Any, theme: Theme) -> list[str]:
    """What is wrong with a theme filter on this data (empty: nothing); a theme that
    selects nobody, or everybody, is a problem too (it filters nothing useful)."""
    table = table_for(data, theme.level)
    problems = expression_problems(theme.expression, table, "theme")
    if problems:
        return problems
    hit = evaluate(theme.expression, table)
    if not hit.any():
        return ["theme: selects nobody in the data"]
    if hit.all():
        return ["theme: selects everybody in the data (it would filter nothing)"]
    return []
