"""Map a foreign extract (other column names, codes, units, date formats) onto the schema.

A hospital's or practice's own export rarely uses the column names, codes and units of
``schema/extracts.yaml``. A *mapping file* (YAML, one per source, kept beside the
extracts) says how to translate it; the file itself is never changed. The commented
example shipped with the package is ``saz_geboortezorg/io/mapping_example.yaml``.

Per target column (a column of the schema) one rule::

    columns:
      zwangerschap_id: ZwangerschapNr              # rename: our name <- their column
      geboortegewicht: {from: Gewicht_kg, unit: kg}            # kilograms -> grams
      zwangerschapsduur: {from: [AD_weken, AD_dagen], unit: weeks+days}
      bloedverlies: {from: Bloedverlies_liter, unit: l}        # litres -> millilitres
      datum_baring: {from: Geboortedatum, date_format: dd-mm-yyyy}
      geslacht: {from: Geslacht, codes: {jongen: 1, meisje: 2}, default: 9}
      praktijk_id: {value: VP001}                  # a constant column
      eerdere_sectio: {expression: "aantal_eerdere_sectio >= 1"}  # derived (0/1, empty if unknown)

A rule is applied to the raw text before validation, so the mapped extract is then
validated exactly like one in our own format. Mapping errors are collected per file and
raised together as one :class:`~saz_geboortezorg.errors.MappingError` that names the
mapping file and line and the data rows; nothing is written.

Examples
--------
>>> import pandas as pd
>>> from saz_geboortezorg.io.read import RawExtract
>>> m = parse_mapping('''
... source: perined_lvr2
... columns:
...   geboortegewicht: {from: Gewicht, unit: kg}
...   geslacht: {from: Sekse, codes: {jongen: 1, meisje: 2}, default: 9}
... ''', "map.yaml")["perined_lvr2"]
>>> raw = RawExtract(pd.DataFrame({"gewicht": ["3,456", None], "sekse": ["Meisje", "?"]},
...                  index=pd.RangeIndex(2, 4, name="line")), "x.csv", "line")
>>> mapped, report = apply_mapping(raw, m)
>>> mapped.frame["geboortegewicht"].tolist(), mapped.frame["geslacht"].tolist()
([3456.0, nan], ['2', '9'])
>>> report.loc[report["target"] == "geslacht", ["recoded", "defaulted"]].values.tolist()
[[2, 1]]

``recoded`` counts the values a rule changed, ``defaulted`` those given the default.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg import schema
from saz_geboortezorg.errors import MappingError, SazError
from saz_geboortezorg.expressions import columns_used, evaluate_known
from saz_geboortezorg.io.convert import convert
from saz_geboortezorg.io.problems import Problem, first_rows
from saz_geboortezorg.io.read import RawExtract

__all__ = [
    "ColumnRule",
    "SourceMapping",
    "UNITS",
    "parse_mapping",
    "read_mappings",
    "apply_mapping",
    "date_format",
]

#: unit name -> (factor to the schema's unit, the schema's unit). ``weeks+days`` takes
#: two columns (weeks, days) or one text column such as ``39+2``.
UNITS: dict[str, tuple[float, str]] = {
    "g": (1.0, "g"),
    "kg": (1000.0, "g"),
    "ml": (1.0, "ml"),
    "l": (1000.0, "ml"),
    "days": (1.0, "days"),
    "weeks": (7.0, "days"),
    "weeks+days": (7.0, "days"),
}

_RULE_KEYS = {"from", "unit", "codes", "default", "date_format", "value", "expression"}
_TOP_KEYS = {"source", "file", "date_format", "columns", "sources"}


class _Lines(dict):
    """A dict that remembers the line (1-based) of each key in the YAML text."""

    line: int = 0
    lines: dict[str, int]


def _loader():
    import yaml

    class Loader(yaml.BaseLoader):  # every scalar stays text: 'no', '01', '2024-01-01'
        def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN202
            out = _Lines()
            out.line = node.start_mark.line + 1
            out.lines = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                out[key] = self.construct_object(value_node, deep=True)
                out.lines[key] = key_node.start_mark.line + 1
            return out

    Loader.add_constructor("tag:yaml.org,2002:map", lambda ld, n: ld.construct_mapping(n, True))
    return Loader


@dataclass
class ColumnRule:
    """How one target column is made from the foreign file.

    Attributes
    ----------
    target : str
        Column of the schema.
    line : int
        Line of the rule in the mapping file.
    sources : list of str
        Foreign column(s) read (normalised: lower case), empty for a constant or derived column.
    unit : str or None
        A key of :data:`UNITS`.
    codes : dict or None
        Foreign value (lower case) -> our code (text; empty text means missing).
    default : str or None
        Our code for a filled value not in ``codes`` (None: such a value is an error).
    date_format : str or None
        A ``strftime`` format (``%d-%m-%Y``).
    value : str or None
        A constant for every row.
    expression : str or None
        A derived 0/1 column in the filter language (:mod:`saz_geboortezorg.expressions`).
    implicit : bool
        Made from the mapping's ``date_format`` for a date column the file has under our
        own name (skipped when the file lacks it).
    """

    target: str
    line: int
    sources: list[str] = field(default_factory=list)
    unit: str | None = None
    codes: dict[str, str] | None = None
    default: str | None = None
    date_format: str | None = None
    value: str | None = None
    expression: str | None = None
    implicit: bool = False

    @property
    def kind(self) -> str:
        """``rename``, ``recode``, ``unit``, ``date``, ``constant`` or ``derived``."""
        if self.value is not None:
            return "constant"
        if self.expression is not None:
            return "derived"
        if self.codes is not None:
            return "recode"
        if self.unit is not None:
            return "unit"
        if self.date_format is not None:
            return "date"
        return "rename"


@dataclass
class SourceMapping:
    """The mapping of one source: its rules and where they were written.

    Attributes
    ----------
    source : str
        Source name (``perined_lvr2``).
    path : str
        Mapping file name, for messages.
    file : str or None
        The extract's file name in the folder (default: the schema's name).
    rules : dict of ColumnRule
        By target column.
    """

    source: str
    path: str
    file: str | None = None
    rules: dict[str, ColumnRule] = field(default_factory=dict)

    def where(self, rule: ColumnRule) -> str:
        """``map.yaml line 7 (geboortegewicht)``: where a rule is written."""
        return f"{self.path} line {rule.line} ({rule.target})"


_TOKENS = [("yyyy", "%Y"), ("yy", "%y"), ("mm", "%m"), ("dd", "%d"), ("HH", "%H"), ("MI", "%M")]


def date_format(text: str) -> str:
    """A date format as ``strftime`` codes; ``dd-mm-yyyy`` style is translated.

    Examples
    --------
    >>> date_format("dd-mm-yyyy"), date_format("yyyymmdd"), date_format("%d/%m/%Y")
    ('%d-%m-%Y', '%Y%m%d', '%d/%m/%Y')
    """
    if "%" in text:
        return text
    out = text
    for token, code in _TOKENS:
        out = out.replace(token, code)
    return out


def _norm(name: str) -> str:
    return str(name).strip().lstrip("\ufeff").strip().lower()


def _fail(path: str, line: int, message: str) -> SazError:
    return MappingError(f"{path} line {line}: {message}")


def _parse_rule(
    target: str, spec: Any, line: int, path: str, default_date: str | None
) -> ColumnRule:
    rule = ColumnRule(target, line)
    if isinstance(spec, str):
        if not spec.strip():
            raise _fail(path, line, f"{target}: no foreign column given")
        rule.sources = [_norm(spec)]
    elif isinstance(spec, dict):
        unknown = sorted(set(spec) - _RULE_KEYS)
        if unknown:
            raise _fail(
                path,
                spec.lines.get(unknown[0], line),
                f"{target}: unknown key {unknown[0]!r}; a rule has {', '.join(sorted(_RULE_KEYS))}",
            )
        given = [k for k in ("from", "value", "expression") if k in spec]
        if len(given) != 1:
            raise _fail(
                path,
                line,
                f"{target}: give exactly one of 'from' (a foreign column), 'value' (a constant) "
                f"or 'expression' (a derived column); found {', '.join(given) or 'none'}",
            )
        src = spec.get("from")
        if src is not None:
            rule.sources = [_norm(s) for s in (src if isinstance(src, list) else [src])]
        rule.value = spec.get("value")
        rule.expression = spec.get("expression")
        if rule.expression is not None:
            try:
                columns_used(rule.expression)
            except SazError as exc:
                raise _fail(path, line, f"{target}: {exc}") from None
        unit = spec.get("unit")
        if unit is not None:
            if unit not in UNITS:
                raise _fail(
                    path,
                    spec.lines["unit"],
                    f"{target}: unknown unit {unit!r}; known: {', '.join(UNITS)}",
                )
            rule.unit = unit
        n_src = len(rule.sources)
        if n_src > 2 or (n_src == 2 and unit != "weeks+days"):
            raise _fail(path, line, f"{target}: two foreign columns need unit: weeks+days")
        codes = spec.get("codes")
        if codes is not None:
            if not isinstance(codes, dict):
                raise _fail(path, spec.lines["codes"], f"{target}: codes must be value: code pairs")
            rule.codes = {_norm(k): str(v).strip() for k, v in codes.items()}
        rule.default = spec.get("default")
        if rule.default is not None and rule.codes is None:
            raise _fail(path, spec.lines["default"], f"{target}: 'default' needs 'codes'")
        if "date_format" in spec:
            rule.date_format = date_format(spec["date_format"])
    else:
        raise _fail(path, line, f"{target}: expected a column name or a rule {{from: ...}}")
    if rule.date_format is None and default_date and rule.sources and rule.kind == "rename":
        rule.date_format = default_date  # checked against the column type below
    return rule


def _parse_source(block: Any, path: str, line: int, source: str | None) -> SourceMapping:
    if not isinstance(block, dict):
        raise _fail(path, line, "expected a mapping block with 'source' and 'columns'")
    source = source or block.get("source")
    if not source:
        raise _fail(path, line, "no 'source:' (one of " + ", ".join(schema.sources()) + ")")
    if source not in schema.sources():
        close = difflib.get_close_matches(source, list(schema.sources()), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise _fail(
            path,
            block.lines.get("source", line),
            f"unknown source {source!r}{hint} (known: {', '.join(schema.sources())})",
        )
    unknown = sorted(set(block) - _TOP_KEYS)
    if unknown:
        raise _fail(
            path,
            block.lines[unknown[0]],
            f"unknown key {unknown[0]!r}; a mapping has source, file, date_format, columns",
        )
    declared = schema.source(source)["columns"]
    default_date = date_format(block["date_format"]) if "date_format" in block else None
    columns = block.get("columns") or _Lines()
    if not isinstance(columns, dict):
        raise _fail(path, block.lines.get("columns", line), "'columns' must be target: rule pairs")
    m = SourceMapping(source, path, block.get("file"))
    for target, spec in columns.items():
        at = columns.lines[target]
        if target not in declared:
            close = difflib.get_close_matches(target, list(declared), n=2, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise _fail(path, at, f"{target!r} is not a column of {source}{hint}")
        rule = _parse_rule(target, spec, at, path, default_date)
        if rule.date_format and declared[target].get("type") != "date":
            if rule.kind == "date" and "date_format" in (spec if isinstance(spec, dict) else {}):
                raise _fail(path, at, f"{target} is not a date column; remove date_format")
            rule.date_format = None
        m.rules[target] = rule
    if default_date:
        for name, decl in declared.items():
            if decl.get("type") == "date" and name not in m.rules:
                m.rules[name] = ColumnRule(
                    name,
                    block.lines["date_format"],
                    [name],
                    date_format=default_date,
                    implicit=True,
                )
    return m


def parse_mapping(text: str, path: str = "mapping") -> dict[str, SourceMapping]:
    """Parse mapping YAML text: one source (``source:``) or several (``sources:``).

    Raises
    ------
    MappingError
        Bad YAML, an unknown source, key, unit or target column; with the line.

    Examples
    --------
    >>> parse_mapping("source: perined_lvr2\\ncolumns:\\n  gewicht: Gewicht_kg\\n", "m.yaml")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.MappingError: m.yaml line 3: 'gewicht' is not a column of perined_lvr2; did you mean 'geslacht' or 'geboortegewicht'?
    """
    import yaml

    try:
        doc = yaml.load(text, Loader=_loader())  # noqa: S506 (BaseLoader: text only)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise _fail(path, line, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(doc, dict):
        raise _fail(path, 1, "expected 'source:' and 'columns:' (see mapping_example.yaml)")
    if "sources" in doc:
        blocks = doc["sources"]
        if not isinstance(blocks, dict):
            raise _fail(path, doc.lines["sources"], "'sources' must be source: block pairs")
        return {s: _parse_source(b, path, blocks.lines[s], s) for s, b in blocks.items()}
    m = _parse_source(doc, path, 1, None)
    return {m.source: m}


def read_mappings(mapping: Any) -> dict[str, SourceMapping]:
    """Mappings by source from a file, a list of files, or parsed mappings.

    Examples
    --------
    >>> read_mappings(None)
    {}
    >>> read_mappings("/no/such.yaml")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.MappingError: /no/such.yaml: mapping file not found
    """
    if mapping is None:
        return {}
    if isinstance(mapping, SourceMapping):
        return {mapping.source: mapping}
    if isinstance(mapping, dict):
        return dict(mapping)
    items = mapping if isinstance(mapping, list | tuple) else [mapping]
    out: dict[str, SourceMapping] = {}
    for item in items:
        if isinstance(item, SourceMapping):
            found = {item.source: item}
        else:
            p = Path(item)
            if not p.is_file():
                raise MappingError(f"{p}: mapping file not found")
            found = parse_mapping(p.read_text(encoding="utf-8"), str(p))
        for source, m in found.items():
            if source in out:
                raise MappingError(
                    f"two mappings for source {source}: {out[source].path} and {m.path}"
                )
            out[source] = m
    return out


def _text(s: pd.Series) -> pd.Series:
    """Any raw column as text (NA stays NA)."""
    return convert(s, "string").values.where(s.notna().to_numpy())


def _problem(
    raw: RawExtract, m: SourceMapping, rule: ColumnRule, what: str, mask, values, expected
):  # noqa: ANN001, ANN202
    n, rows, vals = first_rows(mask, raw.frame.index.to_numpy(), values)
    column = ", ".join(rule.sources) or rule.target
    return Problem(
        raw.file, column, f"{what} ({m.where(rule)})", rows, vals, expected, raw.row_label, n
    )


def _typed(frame: pd.DataFrame, declared: dict, names: set[str]) -> pd.DataFrame:
    out = {}
    for c in names:
        if c not in frame.columns:
            continue
        if c in declared:
            out[c] = convert(frame[c], declared[c].get("type", "string")).values
        else:
            num = convert(frame[c], "float")
            out[c] = num.values if not (num.bad.any()) else _text(frame[c])
    return pd.DataFrame(out, index=frame.index)


def apply_mapping(raw: RawExtract, mapping: SourceMapping) -> tuple[RawExtract, pd.DataFrame]:
    """Translate a raw foreign extract into our column names, codes and units.

    Parameters
    ----------
    raw : RawExtract
        As read by :func:`saz_geboortezorg.io.read.read_raw`.
    mapping : SourceMapping
        The rules of this source.

    Returns
    -------
    (RawExtract, DataFrame)
        The extract in our format (still to be validated; foreign columns no rule reads are
        kept as they are) and a report with one row per rule: ``target, kind, from, line,
        filled, recoded, defaulted``.

    Raises
    ------
    MappingError
        A foreign column missing from the file, a code with no translation, a date that does
        not fit its format, a value outside the plausible range after a unit conversion.
    """
    spec = schema.source(mapping.source)["columns"]
    frame = raw.frame
    out: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    report = []
    n = len(frame)
    for target, rule in mapping.rules.items():
        missing = [s for s in rule.sources if s not in frame.columns]
        if missing and rule.implicit:
            continue
        if missing:
            close = difflib.get_close_matches(missing[0], list(frame.columns), n=2, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            problems.append(
                Problem(
                    raw.file,
                    missing[0],
                    f"column missing from the file ({mapping.where(rule)})",
                    expected=f"a column {missing[0]!r} to map onto {target}{hint}",
                    row_label=raw.row_label,
                )
            )
            continue
        recoded = defaulted = 0
        if rule.value is not None:
            values = pd.Series([rule.value] * n, index=frame.index, dtype="str")
        elif rule.expression is not None:
            continue  # after the other rules, on their result
        elif rule.codes is not None:
            text = _text(frame[rule.sources[0]])
            key = text.str.strip().str.lower()
            filled = key.notna().to_numpy()
            known = key.isin(list(rule.codes)).to_numpy(dtype=bool) & filled
            mapped = key.map(rule.codes)
            unknown = filled & ~known
            if unknown.any() and rule.default is None:
                seen = sorted(set(text[unknown].tolist()))
                problems.append(
                    _problem(
                        raw,
                        mapping,
                        rule,
                        f"{len(seen)} value(s) with no translation: "
                        + ", ".join(repr(v) for v in seen[:8])
                        + (", ..." if len(seen) > 8 else ""),
                        unknown,
                        text,
                        "a value listed under codes:, or a 'default:' code for the others",
                    )
                )
                continue
            values = mapped.where(known)
            if rule.default is not None:
                values = values.where(~unknown, rule.default)  # empty cells stay empty
            values = values.where(values.fillna("").str.len().to_numpy() > 0)
            recoded = int((known & (key != mapped).fillna(False).to_numpy(dtype=bool)).sum())
            defaulted = int(unknown.sum())
            recoded += defaulted
        elif rule.unit is not None:
            factor, base = UNITS[rule.unit]
            first = frame[rule.sources[0]]
            if rule.unit == "weeks+days" and len(rule.sources) == 1:
                parts = _text(first).str.extract(r"^\s*(\d+)\s*(?:\+\s*(\d+))?\s*$")
                weeks = pd.to_numeric(parts[0], errors="coerce")
                days = pd.to_numeric(parts[1], errors="coerce").fillna(0)
                number = weeks * 7 + days
                bad = first.notna().to_numpy() & number.isna().to_numpy()
                shown = first
            elif len(rule.sources) == 2:
                w = convert(first, "float")
                d = convert(frame[rule.sources[1]], "float")
                number = w.values * 7 + d.values
                bad = w.bad | d.bad | (w.filled != d.filled)
                shown = _text(first) + "+" + _text(frame[rule.sources[1]]).fillna("")
                shown = shown.where(~pd.isna(shown), _text(frame[rule.sources[1]]))
            else:
                conv = convert(first, "float")
                number = conv.values * factor
                bad = conv.bad
                shown = first
            if bad.any():
                problems.append(
                    _problem(
                        raw, mapping, rule, f"not a number in {rule.unit}", bad, shown, "numbers"
                    )
                )
                continue
            values = pd.Series(np.round(number.to_numpy(dtype="float64"), 6), index=frame.index)
            lo_hi = spec[target].get("range")
            if lo_hi is not None:
                arr = values.to_numpy()
                outside = np.isfinite(arr) & ((arr < lo_hi[0]) | (arr > lo_hi[1]))
                if outside.any():
                    problems.append(
                        _problem(
                            raw,
                            mapping,
                            rule,
                            f"outside the plausible range {lo_hi[0]}-{lo_hi[1]} {base} after "
                            f"converting from {rule.unit}",
                            outside,
                            shown,
                            f"values in {rule.unit}; check the unit of the column",
                        )
                    )
                    continue
        elif rule.date_format is not None:
            text = _text(frame[rule.sources[0]])
            values = pd.to_datetime(text, format=rule.date_format, errors="coerce")
            bad = text.notna().to_numpy() & values.isna().to_numpy()
            if bad.any():
                problems.append(
                    _problem(
                        raw,
                        mapping,
                        rule,
                        "date not in the format " + rule.date_format,
                        bad,
                        text,
                        f"dates as {rule.date_format}",
                    )
                )
                continue
        else:
            values = frame[rule.sources[0]]
        out[target] = values
        report.append(
            (
                target,
                rule.kind,
                ", ".join(rule.sources),
                rule.line,
                int(values.notna().sum()),
                recoded,
                defaulted,
            )
        )
    if not problems:
        used = {s for r in mapping.rules.values() for s in r.sources}
        kept = {c: frame[c] for c in frame.columns if c not in used and c not in out}
        result = pd.DataFrame({**kept, **out}, index=frame.index)
        for target, rule in mapping.rules.items():
            if rule.expression is None:
                continue
            names = columns_used(rule.expression)
            absent = sorted(names - set(result.columns))
            if absent:
                problems.append(
                    Problem(
                        raw.file,
                        target,
                        f"the expression uses column(s) not in the file or mapping: "
                        f"{', '.join(absent)} ({mapping.where(rule)})",
                        row_label=raw.row_label,
                    )
                )
                continue
            value, known = evaluate_known(rule.expression, _typed(result, spec, names))
            flag = pd.Series(
                np.where(value.to_numpy(dtype=bool), 1.0, 0.0), index=frame.index
            ).where(known.to_numpy(dtype=bool))
            result[target] = flag
            report.append(
                (target, "derived", rule.expression, rule.line, int(flag.notna().sum()), 0, 0)
            )
    if problems:
        raise MappingError(
            f"cannot map {raw.file} with {mapping.path} (nothing was loaded)",
            [str(p) for p in problems],
        )
    notes = list(raw.notes)
    n_recoded = sum(r[5] for r in report)
    notes.append(
        f"{raw.file}: mapped with {mapping.path} ({len(report)} column rule(s), "
        f"{n_recoded} value(s) recoded)"
    )
    table = pd.DataFrame(
        report, columns=["target", "kind", "from", "line", "filled", "recoded", "defaulted"]
    )
    return replace(raw, frame=result, notes=notes), table
