"""``saz-geboortezorg map``: draft and check a mapping for extracts in another format.

``map draft FILE --source S`` reads a foreign file's header and a sample of its values
and prints a draft mapping (YAML): exact and close matches (:mod:`difflib`) of its
column names to ours and to their Dutch (kernset) terms, proposed recodings where the
values are not our codes (matched to the Dutch and English labels of the code list),
a unit where the values only fit the plausible range after conversion (kilograms,
litres, weeks, weeks+days), a date format where the dates are not ISO, and the
required columns still unmapped. Read it, fix it, keep it beside the extracts.

``map check DIR --mapping FILE`` applies the mapping(s) to the files in DIR and
reports what maps, what does not, and how many values were recoded; then whether the
mapped extracts pass validation. Nothing is written. A mapping error (a target that
does not exist, a code with no translation, a value outside the plausible range after
conversion) gives exit status 2 naming the mapping line and the data rows; mapped
extracts that still fail validation give exit status 1.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

HELP = "draft a mapping from a foreign file's header, or check a mapping against extracts"

#: Formats tried on non-ISO dates, in this order, written the way a mapping writes them.
DATE_FORMATS = ["dd-mm-yyyy", "dd/mm/yyyy", "dd.mm.yyyy", "yyyymmdd", "dd-mm-yy", "mm/dd/yyyy"]

#: Below this similarity (0-1, difflib ratio) a header is not proposed for a column.
CUTOFF = 0.72


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import add_mapping

    p = subparsers.add_parser(
        "map",
        help=HELP,
        description=(
            "Mapping files translate an extract in another format (column names, codes, "
            "units, date formats) into the schema (saz_geboortezorg/schema/extracts.yaml). "
            "'map draft' proposes one from a file's header; 'map check' tries one. The "
            "commented example is saz_geboortezorg/io/mapping_example.yaml."
        ),
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    d = sub.add_parser("draft", help="print a draft mapping for one foreign file")
    d.add_argument("file", metavar="FILE", type=Path, help="a foreign extract (.csv or .parquet)")
    d.add_argument("--source", required=True, help="which source it is, e.g. perined_lvr2")
    d.add_argument(
        "--sample", type=int, default=5000, help="rows sampled to propose recodings (5000)"
    )
    c = sub.add_parser("check", help="apply mapping(s) to a folder and report")
    c.add_argument("dir", metavar="DIR", type=Path, help="folder with the foreign extracts")
    add_mapping(c)
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    if args.action == "draft":
        print(draft(args.file, args.source, sample=args.sample), end="")
        return 0
    return _check(args)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_")


#: Words in foreign headers read as another word of ours (``ZwangerschapNr`` -> id).
SYNONYMS = {
    "nr": "id",
    "nummer": "id",
    "no": "id",
    "partus": "baring",
    "bevalling": "baring",
    "geboorte": "baring",
    "duur": "duur",
    "ad": "zwangerschapsduur",
}

#: Unit words in foreign headers -> the unit of a mapping rule.
UNIT_WORDS = {
    "kg": "kg",
    "kilo": "kg",
    "kilogram": "kg",
    "l": "l",
    "liter": "l",
    "litre": "l",
    "weken": "weeks",
    "weeks": "weeks",
    "wk": "weeks",
}


def _header_key(text: str) -> tuple[str, str | None]:
    """A header as a matching key (synonyms applied, unit words dropped) and its unit word.

    Examples
    --------
    >>> _header_key("ZwangerschapNr"), _header_key("Gewicht (kg)"), _header_key("Datum partus")
    (('zwangerschap_id', None), ('gewicht', 'kg'), ('datum_baring', None))
    """
    camel = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", str(text))
    tokens = [t for t in _key(camel).split("_") if t]
    unit = next((UNIT_WORDS[t] for t in tokens if t in UNIT_WORDS), None)
    kept = [SYNONYMS.get(t, t) for t in tokens if t not in UNIT_WORDS] or tokens
    return "_".join(kept), unit


def _score(fk: str, name: str, is_name: bool) -> float:
    import difflib

    if fk == name:
        return 1.0
    score = difflib.SequenceMatcher(None, fk, name).ratio()
    if is_name and len(fk) >= 5 and fk in name:
        score = max(score, 0.75 + 0.2 * len(fk) / len(name))
    return score


def _q(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _propose_columns(header: list[str], columns: dict) -> dict[str, tuple[str, float, str]]:
    """target -> (file column, score, why), greedy on the best score, each used once."""
    pairs = []
    for f in header:
        keys = {_key(f), _header_key(f)[0]}
        for target, decl in columns.items():
            names = [("name", _key(target)), ("Dutch term", _key(decl.get("nl", "")))]
            # the national standard's element name(s) (Kernset Geboortezorg 2.3), where the
            # column is one element (a derived column's elements name other things)
            kern = decl.get("kernset") or {}
            if isinstance(kern.get("nl"), str) and not str(kern.get("differs", "")).startswith(
                "derived"
            ):
                names.append(("kernset element", _key(kern["nl"])))
            for why, name in names:
                if not name:
                    continue
                score = max(_score(fk, name, why == "name") for fk in keys)
                pairs.append((score, f, target, why))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    chosen: dict[str, tuple[str, float, str]] = {}
    used: set[str] = set()
    for score, f, target, why in pairs:
        if score < CUTOFF or target in chosen or f in used:
            continue
        chosen[target] = (f, score, why)
        used.add(f)
    return chosen


def _weeks_days_pairs(header: list[str]) -> dict[str, tuple[str, str]]:
    """Columns that hold weeks and days of one duration: ``{prefix: (weeks, days)}``.

    Examples
    --------
    >>> _weeks_days_pairs(["ad_weken", "ad_dagen", "x"])
    {'ad': ('ad_weken', 'ad_dagen')}
    """
    weeks, days = {}, {}
    for c in header:
        m = re.fullmatch(r"(.*?)[_ ]*(weken|weeks|wk|dagen|days|d)", c)
        if m and m.group(1):
            (weeks if m.group(2) in ("weken", "weeks", "wk") else days)[m.group(1)] = c
    return {p: (weeks[p], days[p]) for p in weeks if p in days and p not in header}


def _propose_codes(values, list_name: str) -> tuple[dict[str, str], list[str]]:
    """Foreign value -> our code, by code, label (nl/en) or close label; and the unmatched."""
    import difflib

    from saz_geboortezorg import schema

    codes = schema.codes(list_name)
    labels: dict[str, str] = {}
    for code, names in codes.items():
        for lang in ("nl", "en"):
            if names.get(lang):
                labels.setdefault(_key(names[lang]), code)
    found, unmatched = {}, []
    for v in values:
        k = _key(v)
        if str(v) in codes:
            found[str(v)] = str(v)
        elif k in labels:
            found[str(v)] = labels[k]
        else:
            close = difflib.get_close_matches(k, list(labels), n=1, cutoff=0.6)
            prefix = [lab for lab in labels if lab.startswith(k) or k.startswith(lab)] if k else []
            if close:
                found[str(v)] = labels[close[0]]
            elif len(prefix) == 1:
                found[str(v)] = labels[prefix[0]]
            else:
                unmatched.append(str(v))
    return found, unmatched


def _propose_rule(target: str, decl: dict, values) -> tuple[dict, list[str]]:  # noqa: ANN001
    """Extra rule keys (codes, unit, date_format) for one column, and comments."""
    import pandas as pd

    from saz_geboortezorg import schema
    from saz_geboortezorg.io.convert import convert
    from saz_geboortezorg.io.mapping import date_format

    extra: dict = {}
    notes: list[str] = []
    if not len(values):
        return extra, ["no values in the sample"]
    text = convert(values, "string").values
    type_ = decl.get("type", "string")
    if "codes" in decl:
        distinct = sorted(set(text.tolist()))
        ours = set(schema.codes(decl["codes"]))
        if set(distinct) <= ours:
            return extra, notes
        if len(distinct) > 40:
            return extra, [f"{len(distinct)} distinct values: too many to propose a recoding"]
        found, unmatched = _propose_codes(distinct, decl["codes"])
        extra["codes"] = found
        if unmatched:
            notes.append(
                "no code found for "
                + ", ".join(repr(u) for u in unmatched)
                + f" (list {decl['codes']}); add them or a 'default:'"
            )
        return extra, notes
    if type_ == "date":
        iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if iso.notna().all():
            return extra, notes
        for fmt in DATE_FORMATS:
            if pd.to_datetime(text, format=date_format(fmt), errors="coerce").notna().all():
                extra["date_format"] = fmt
                return extra, notes
        return extra, ["dates in an unknown format: add date_format (e.g. dd-mm-yyyy)"]
    if type_ in ("integer", "float") and "range" in decl:
        lo, hi = decl["range"]
        if text.str.fullmatch(r"\s*\d+\s*\+\s*\d+\s*").all():
            extra["unit"] = "weeks+days"
            return extra, notes
        num = convert(values, "float")
        if num.bad.any():
            return extra, notes
        med = float(num.values.median())
        if lo <= med <= hi:
            return extra, notes
        unit = {"g": "kg", "ml": "l"}.get(_base_unit(decl))
        if unit and lo <= med * 1000 <= hi:
            extra["unit"] = unit
        elif _base_unit(decl) == "days" and lo <= med * 7 <= hi:
            extra["unit"] = "weeks"
        else:
            notes.append(f"median {med:g} is outside the plausible range {lo}-{hi}: which unit?")
    return extra, notes


def _base_unit(decl: dict) -> str | None:
    text = f"{decl.get('nl', '')} {decl.get('en', '')}".lower()
    for unit, words in (("g", ["(gram)", "(g)"]), ("ml", ["(ml)"]), ("days", ["(dagen)", "days"])):
        if any(w in text for w in words):
            return unit
    return None


def draft(path: Path, source: str, *, sample: int = 5000) -> str:
    """A draft mapping (YAML text) for one foreign file of ``source``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = p.write_text("Geslacht kind;Gewicht (kg);Datum partus\\nmeisje;3,4;31-01-2024\\n"
    ...                  "jongen;2,9;01-02-2024\\n")
    >>> print(draft(p, "perined_lvr2").split("columns:\\n")[1].split("# Required")[0], end="")
      datum_baring:  # 'datum partus' = name 'datum_baring'
        from: "datum partus"
        date_format: dd-mm-yyyy
      geboortegewicht:  # 'gewicht (kg)' ~ name 'geboortegewicht' (0.84)
        from: "gewicht (kg)"
        unit: kg
      geslacht:  # 'geslacht kind' = Dutch term 'geslacht kind'
        from: "geslacht kind"
        codes: {"jongen": "1", "meisje": "2"}
    """
    from saz_geboortezorg import schema
    from saz_geboortezorg.io.read import read_raw

    spec = schema.source(source)
    columns = spec["columns"]
    raw = read_raw(path)
    frame = raw.frame
    pairs = _weeks_days_pairs(list(frame.columns))
    paired = {c for pair in pairs.values() for c in pair}
    header = [c for c in frame.columns if c not in paired] + list(pairs)
    chosen = _propose_columns(header, columns)
    lines = [
        f"# Draft mapping for {Path(path).name} -> {source}, made by 'saz-geboortezorg map draft'.",
        "# Check every line: a close match is a guess. Then run 'saz-geboortezorg map check'.",
        f"source: {source}",
        f"file: {_q(Path(path).name)}",
        "columns:",
    ]
    for target, decl in columns.items():
        if target not in chosen:
            continue
        f, score, why = chosen[target]
        how = "=" if score == 1.0 else "~"
        what = {
            "Dutch term": decl.get("nl"),
            "kernset element": (decl.get("kernset") or {}).get("nl"),
        }
        what = what.get(why) or target
        shown = f"{what!r}" + ("" if score == 1.0 else f" ({score:.2f})")
        if f in pairs:
            lines.append(f"  {target}:  # {' + '.join(pairs[f])} {how} {why} {shown}")
            lines.append(f"    from: [{', '.join(_q(c) for c in pairs[f])}]")
            lines.append("    unit: weeks+days")
            continue
        values = frame[f].dropna().head(sample)
        extra, notes = _propose_rule(target, decl, values)
        unit = _header_key(f)[1]
        if unit and "unit" not in extra and decl.get("type") in ("integer", "float"):
            wanted = {"kg": "g", "l": "ml", "weeks": "days"}[unit]
            if _base_unit(decl) == wanted:
                extra["unit"] = unit
        if f == target and not extra and (not notes or not len(values)):
            continue  # already ours
        lines.append(f"  {target}:  # {f!r} {how} {why} {shown}")
        lines.append(f"    from: {_q(f)}")
        for k, v in extra.items():
            if k == "codes":
                pairs = ", ".join(f"{_q(a)}: {_q(b)}" for a, b in v.items())
                lines.append(f"    codes: {{{pairs}}}")
            else:
                lines.append(f"    {k}: {v}")
        lines += [f"    # {n}" for n in notes]
    mapped = set(chosen)
    unused = [f for f in header if f not in {c[0] for c in chosen.values()}]
    unused = [c for f in unused for c in pairs.get(f, (f,))]
    required = [c for c, d in columns.items() if c not in mapped and not d.get("optional")]
    required = [c for c in required if c not in header]
    optional = [c for c, d in columns.items() if c not in mapped and d.get("optional")]
    if required:
        lines.append("# Required columns still unmapped (give a rule, a value: or an expression:):")
        lines += [f"#   {c}: {columns[c].get('en', '')}" for c in required]
    if optional:
        lines.append("# Optional columns unmapped: " + ", ".join(optional))
    if unused:
        lines.append("# File columns not used (kept as extra columns): " + ", ".join(unused))
    return "\n".join(lines) + "\n"


def _check(args: argparse.Namespace) -> int:
    from saz_geboortezorg import schema
    from saz_geboortezorg.errors import SazError
    from saz_geboortezorg.io.dataset import find_files
    from saz_geboortezorg.io.mapping import apply_mapping, read_mappings
    from saz_geboortezorg.io.read import read_raw
    from saz_geboortezorg.io.validate import check_extract

    if not args.mapping:
        raise SazError("give at least one --mapping FILE")
    if not args.dir.is_dir():
        raise SazError(f"{args.dir}: not a folder")
    mappings = read_mappings(args.mapping)
    files, problems = find_files(args.dir, {s: m.file for s, m in mappings.items() if m.file})
    if problems:
        raise SazError("; ".join(problems))
    out = {}
    for source, m in mappings.items():
        if source not in files:
            raise SazError(f"{m.path}: maps source {source}, but {args.dir} has no file for it")
        raw = read_raw(files[source])
        foreign = list(raw.frame.columns)
        mapped, report = apply_mapping(raw, m)
        declared = schema.source(source)["columns"]
        used = {s for r in m.rules.values() for s in r.sources}
        ext = check_extract(mapped, source)
        out[source] = {
            "file": files[source].name,
            "mapping": m.path,
            "rules": report.to_dict("records"),
            "already_ours": [c for c in foreign if c in declared and c not in m.rules],
            "not_mapped": [c for c in foreign if c not in declared and c not in used],
            "missing": [
                c
                for c, d in declared.items()
                if c not in mapped.frame.columns and not d.get("optional")
            ],
            "recoded": int(report["recoded"].sum()),
            "problems": [str(p) for p in ext.problems],
        }
    ok = all(not v["problems"] for v in out.values())
    if args.json:
        print(json.dumps({"ok": ok, "sources": out}, indent=2, default=int))
        return 0 if ok else 1
    for source, v in out.items():
        print(f"{source}: {v['file']} with {v['mapping']}")
        for r in v["rules"]:
            frm = f" <- {r['from']}" if r["from"] else ""
            rec = f", {r['recoded']:,} recoded" if r["recoded"] else ""
            dflt = f" ({r['defaulted']:,} to the default)" if r["defaulted"] else ""
            print(
                f"  line {r['line']:>3}  {r['target']:<34} {r['kind']:<8}{frm}: "
                f"{r['filled']:,} filled{rec}{dflt}"
            )
        print(f"  already in our names: {len(v['already_ours'])} column(s)")
        if v["not_mapped"]:
            print(f"  not mapped (kept as extra columns): {', '.join(v['not_mapped'])}")
        if v["missing"]:
            print(f"  required columns still missing: {', '.join(v['missing'])}")
        print(f"  values recoded: {v['recoded']:,}")
        if v["problems"]:
            print(f"  validation after mapping: {len(v['problems'])} problem(s)")
            for p in v["problems"]:
                print(f"    - {p}")
        else:
            print("  validation after mapping: OK")
    return 0 if ok else 1
