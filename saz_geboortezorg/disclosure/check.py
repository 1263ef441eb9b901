"""The last gate before anything is shared: scan tables and chart specs for disclosive values.

Independent of how a table was protected, :func:`check_table` looks at what is about to be
written and reports:

- **patient-level columns**: pregnancy or baby ids, dates of birth, ages, weights, postcodes
  (any column in :data:`PATIENT_COLUMNS`), or more rows than there are units;
- **small counts**: a whole number from 1 to ``threshold - 1`` in a count column (a column
  whose name says it counts women, babies or events, see :func:`is_count_column`);
- **rates that reveal a hidden count**: in a row where a count is hidden, a rate, percentage,
  ratio or interval still shown;
- **rates that reveal a small count**: a rate (or percentage) times a shown denominator in the
  same row gives a number from 1 to ``threshold - 1``.

:func:`check_chart` applies the same to every dataset embedded in a Vega-Lite spec
(``datasets`` and inline ``data.values``, at any depth), :func:`check_html` to every spec
embedded in a report (control-limit curves, datasets with a ``limit`` column and no unit,
are a grid of sizes rather than counts and are checked without their size column).
:func:`assert_safe` raises :class:`DisclosureError` on any finding.

Examples
--------
>>> import pandas as pd
>>> check_table(pd.DataFrame({"unit": ["A", "B"], "n": [120, 7]}))
[Finding(where='table', row=1, column='n', problem='small count (1 to 9)')]
"""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.disclosure.suppress import DEFAULT_THRESHOLD
from saz_geboortezorg.errors import SazError

__all__ = [
    "PATIENT_COLUMNS",
    "DisclosureError",
    "Finding",
    "assert_safe",
    "check_chart",
    "check_html",
    "check_table",
    "check_text",
    "count_free",
    "is_count_column",
    "is_hidden",
]

#: Column names that only a patient-level (row per woman or baby) table has.
PATIENT_COLUMNS = frozenset(
    {
        "pregnancy_id",
        "zwangerschap_id",
        "baby_id",
        "baby_no",
        "patient_id",
        "bsn",
        "claim_id",
        "birth_date",
        "date_of_birth",
        "geboortedatum",
        "maternal_age",
        "bmi",
        "birth_weight",
        "ga_days",
        "postcode",
        "patient_name",
        "naam",
        "address",
        "adres",
    }
)

_COUNT_NAMES = {
    "n",
    "count",
    "events",
    "observed",
    "numerator",
    "denominator",
    "women",
    "babies",
    "births",
    "cs",
    "records",
    "excluded",
    "outcome_n",
    "outcome_events",
    "cost_n",
}
_COUNT_WORDS = ("count", "women", "babies", "births", "records", "events", "numerator")
_DERIVED = re.compile(
    r"rate|pct|percent|share|contribution|relative|oe|lcl|ucl|lower|upper|centre|expected"
    r"|ratio|adjusted|(^|_)value($|_)"
)
_POINT_RATE = re.compile(r"(^|_)(rate|pct|percent|value|crude)($|_)")
_NOT_POINT = re.compile(
    r"lcl|ucl|lower|upper|std|standardised|limit|target|overall|contribution|relative|share"
)
#: Columns holding the events of a rate (its numerator).
_NUMERATOR_NAMES = {"observed", "events", "numerator", "outcome_events", "cs", "k"}
#: Shares of a unit's total (relative size of a group) depend on the group size only.
_SIZE_SHARE = re.compile(r"relative|size")
_SIZE_COUNTS = {"n", "women", "babies", "births", "denominator", "outcome_n", "cost_n"}
_DENOMINATOR_NAMES = ("n", "denominator", "women", "outcome_n")
_SCALE = {"percent": 100.0, "per_1000": 1000.0, "proportion": 1.0}


class DisclosureError(SazError):
    """Something about to be shared would disclose a small count or patient-level data."""


@dataclass(frozen=True)
class Finding:
    """One disclosive value: where, which row and column, and what is wrong."""

    where: str
    row: Any
    column: str
    problem: str


def is_count_column(name: str) -> bool:
    """Whether a column name says it holds counts of women, babies or events.

    Examples
    --------
    >>> [is_count_column(c) for c in ["n", "outcome_events", "cs_rate_pct", "expected"]]
    [True, True, False, False]
    """
    low = str(name).lower()
    if _DERIVED.search(low) and low not in _COUNT_NAMES:
        return False
    if low in _COUNT_NAMES or low.startswith("n_") or low.startswith("excluded"):
        return True
    return any(w in low for w in _COUNT_WORDS)


def is_hidden(value: Any) -> bool:
    """True for a hidden value: missing, or a band/marker string such as ``"<10"`` or ``"x"``.

    Examples
    --------
    >>> [is_hidden(v) for v in [float("nan"), "<10", "x", 0, 12]]
    [True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in {"x", ""} or value.strip().startswith("<")
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _numeric(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def check_table(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    where: str = "table",
    max_rows: int | None = None,
    counts: Iterable[str] | None = None,
) -> list[Finding]:
    """Findings for one table about to be shared (empty list: nothing disclosive found).

    Parameters
    ----------
    table : DataFrame
    threshold : int
        Counts from 1 to ``threshold - 1`` must not appear.
    where : str
        Name used in the findings.
    max_rows : int, optional
        More rows than this (e.g. the number of units times the number of categories) means
        the table may be patient level.
    counts : list of str, optional
        Count columns; default: recognised by name (:func:`is_count_column`).

    Examples
    --------
    A hidden count whose rate is still shown, and a rate that reveals 5 of 250:

    >>> t = pd.DataFrame({"n": [200, 250], "events": [float("nan"), 40], "rate_pct": [30.0, 2.0]})
    >>> [f.problem for f in check_table(t)]  # doctest: +NORMALIZE_WHITESPACE
    ['rate or interval shown while a count in the row is hidden',
     'rate times denominator reveals a small count (about 5)']
    """
    found: list[Finding] = []
    columns = [str(c) for c in table.columns]
    for c in columns:
        if c.lower() in PATIENT_COLUMNS:
            found.append(Finding(where, None, c, "patient-level column"))
    if max_rows is not None and len(table) > max_rows:
        found.append(
            Finding(where, None, "", f"{len(table)} rows: more than the {max_rows} units expected")
        )
    t = table.reset_index(drop=True)
    t.columns = columns
    count_cols = [c for c in (counts if counts is not None else columns) if is_count_column(c)]
    if counts is not None:
        count_cols = list(counts)
    for c in count_cols:
        v = _numeric(t[c])
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(v) & (v >= 1) & (v < threshold) & (np.abs(v - np.round(v)) < 1e-9)
        for i in np.flatnonzero(bad):
            found.append(Finding(where, int(i), c, f"small count (1 to {threshold - 1})"))
    derived = [c for c in columns if c not in count_cols and _DERIVED.search(c.lower())]
    if count_cols and derived:
        hidden = {c: t[c].map(is_hidden).to_numpy(dtype=bool) for c in count_cols}
        for c in derived:
            deps = count_cols
            if _SIZE_SHARE.search(c.lower()):
                deps = [d for d in count_cols if d.lower() in _SIZE_COUNTS] or count_cols
            hidden_row = np.zeros(len(t), dtype=bool)
            for d in deps:
                hidden_row |= hidden[d]
            shown = ~t[c].map(is_hidden).to_numpy(dtype=bool)
            for i in np.flatnonzero(hidden_row & shown):
                found.append(
                    Finding(
                        where,
                        int(i),
                        c,
                        "rate or interval shown while a count in the row is hidden",
                    )
                )
    dens = [c for c in columns if c.lower() in _DENOMINATOR_NAMES]
    rates = [
        c for c in columns if _POINT_RATE.search(c.lower()) and not _NOT_POINT.search(c.lower())
    ]
    measure = next((c for c in ("measure", "unit") if c in columns), None)
    # a row whose own numerator is shown and not small: a rate that looks like a small count
    # is an adjusted rate, not the crude one (e.g. 4.6 per 1,000 of 1,735 with 10 observed)
    # (only in tables with expected counts, whose ``value`` is O/E times the target)
    nums = [c for c in columns if c.lower() in _NUMERATOR_NAMES] if "expected" in columns else []
    known_large = np.zeros(len(t), dtype=bool)
    for c in nums:
        with np.errstate(invalid="ignore"):
            known_large |= _numeric(t[c]) >= threshold
    for r in rates:
        rv = _numeric(t[r])
        if "pct" in r.lower() or "percent" in r.lower():
            scale = np.full(len(t), 100.0)
        elif measure is not None and t[measure].isin(list(_SCALE) + ["euro"]).any():
            scale = t[measure].map(_SCALE).to_numpy(dtype=float)  # euro etc.: NaN, skipped
        elif np.nanmax(np.abs(rv), initial=0) <= 1:
            scale = np.ones(len(t))
        else:
            continue
        for d in dens:
            implied = rv * _numeric(t[d]) / scale
            with np.errstate(invalid="ignore"):
                bad = np.isfinite(implied) & (implied >= 0.5) & (implied < threshold - 0.5)
            bad &= ~known_large
            for i in np.flatnonzero(bad):
                found.append(
                    Finding(
                        where,
                        int(i),
                        r,
                        f"rate times denominator reveals a small count (about {implied[i]:.0f})",
                    )
                )
    return found


def _datasets(spec: Any, path: str = "") -> Iterable[tuple[str, list]]:
    if isinstance(spec, dict):
        for name, values in (spec.get("datasets") or {}).items():
            if isinstance(values, list):
                yield f"{path}datasets/{name}", values
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            yield f"{path}data", data["values"]
        for key, value in spec.items():
            if key not in ("datasets", "data"):
                yield from _datasets(value, f"{path}{key}/")
    elif isinstance(spec, list):
        for i, value in enumerate(spec):
            yield from _datasets(value, f"{path}{i}/")


def check_chart(
    spec: Any, threshold: int = DEFAULT_THRESHOLD, *, where: str = "chart"
) -> list[Finding]:
    """Findings for every dataset embedded in a Vega-Lite spec (dict or altair chart).

    Examples
    --------
    >>> spec = {"datasets": {"d1": [{"unit": "A", "observed": 3}]}, "mark": "point"}
    >>> [(f.where, f.column) for f in check_chart(spec)]
    [('chart: datasets/d1', 'observed')]
    """
    if hasattr(spec, "to_dict"):
        spec = spec.to_dict()
    found = []
    for path, values in _datasets(spec):
        records = [v for v in values if isinstance(v, dict)]
        if not records:
            continue
        frame = pd.DataFrame(records)
        if (
            "limit" in frame.columns
            and "group" not in frame.columns
            and "unit" not in frame.columns
        ):
            # control-limit curves: a grid of sizes, computed from the target, not from units
            frame = frame.drop(columns=[c for c in frame.columns if is_count_column(c)])
        found += check_table(frame, threshold, where=f"{where}: {path}")
    return found + check_spec_text(spec, threshold, where=where)


_SPEC_BLOCK = re.compile(
    r'<script type="application/json"[^>]*data-vega-lite[^>]*>(.*?)</script>', re.S
)


def embedded_specs(html: str) -> list[dict]:
    """The Vega-Lite specs embedded in a report (``<script type="application/json" data-vega-lite>``).

    Examples
    --------
    >>> embedded_specs('<script type="application/json" data-vega-lite>{"mark": "bar"}</script>')
    [{'mark': 'bar'}]
    """
    return [json.loads(block.replace("<\\/", "</")) for block in _SPEC_BLOCK.findall(html)]


def check_html(
    html: str, threshold: int = DEFAULT_THRESHOLD, *, where: str = "report"
) -> list[Finding]:
    """Findings for every chart spec embedded in a report's HTML.

    Examples
    --------
    >>> page = ('<script type="application/json" data-vega-lite>'
    ...         '{"data": {"values": [{"n": 4}]}}</script>')
    >>> len(check_html(page))
    1
    """
    found = check_text(html_text(html), threshold, where=f"{where}: text")
    for i, spec in enumerate(embedded_specs(html)):
        found += check_chart(spec, threshold, where=f"{where}: chart {i + 1}")
    return found


#: Nouns that make a number next to them a count of people or records.
_COUNT_NOUNS = (
    r"records?|women|woman|babies|baby|births?|pregnanc(?:y|ies)|deliver(?:y|ies)|mothers?"
    r"|patients?|cases?|events?|caesareans?|deaths?|claims?|individuals?|persons?|people"
)
_NUM = r"(\d[\d,]*)"
#: Small counts in context: "6 records", "6 eligible women", "of the 6", "n = 6", "6 of 40".
_TEXT_PATTERNS = (
    re.compile(rf"(?<![\w.,-]){_NUM}\s+(?:[a-z-]+\s+)?(?:{_COUNT_NOUNS})\b", re.I),
    re.compile(rf"\b(?:of|among|in)\s+(?:the|these|those|all)\s+{_NUM}(?![\w.,%])", re.I),
    re.compile(rf"(?<![\w.-])(?:n|k|count|events|observed)\s*[=:]\s*{_NUM}(?![\w.,%])", re.I),
    re.compile(rf"(?<![\w.,-]){_NUM}\s+(?:out\s+)?of\s+(?:the\s+)?\d[\d,]*(?![\w.,%])", re.I),
)


_RULE_BEFORE = re.compile(
    r"(?:fewer|less|more|greater|lower|higher)\s+than\s+$|at\s+(?:least|most)\s+$"
    r"|(?:from|every|per|min(?:imum)?|max(?:imum)?|threshold)\s+$|[<>≤≥]\s*$",
    re.I,
)


def check_text(
    text: str, threshold: int = DEFAULT_THRESHOLD, *, where: str = "text"
) -> list[Finding]:
    """Findings for small counts in free text (a number from 1 to ``threshold - 1`` in context).

    A number counts when it stands before a count noun ("6 records", "3 eligible women"),
    after "of the" / "among the" ("all of the 6"), after ``n =``, or as ``x of y``. Years,
    percentages, decimals and numbers elsewhere (e.g. "Robson group 5", "quarter 2") do not.

    Examples
    --------
    >>> [f.problem for f in check_text("all of the 6 records with presentation = 'transverse'")]
    ['small count (1 to 9) in text: "6 records"', 'small count (1 to 9) in text: "of the 6"']
    >>> check_text("fewer than 5 expected events; 2.5% of births; Robson group 5; n = 250")
    []
    """
    found = []
    for pattern in _TEXT_PATTERNS:
        for m in pattern.finditer(text):
            value = int(m.group(1).replace(",", ""))
            if _RULE_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
                continue  # "fewer than 5 expected events": a rule, not a count
            if 1 <= value < threshold:
                snippet = " ".join(m.group(0).split())
                found.append(
                    Finding(
                        where,
                        None,
                        "text",
                        f'small count (1 to {threshold - 1}) in text: "{snippet}"',
                    )
                )
    return found


def count_free(text: str) -> str:
    """Free text with the counts next to count nouns removed, for method text that is shared.

    Examples
    --------
    >>> count_free("separation: all of the 6 records with presentation = 'transverse' had "
    ...            "outcome 'cs', so its odds ratio is infinite")
    "separation: all of the records with presentation = 'transverse' had outcome 'cs', so its odds ratio is infinite"
    >>> count_free("n = 12; 3 of 40 women")
    'n = ·; some of the women'
    """
    text = re.sub(
        rf"(?<![\w.,-]){_NUM}\s+(?:out\s+)?of\s+(?:the\s+)?\d[\d,]*(?![\w.,%])",
        "some of the",
        text,
    )
    text = re.sub(
        rf"\b((?:of|among|in)\s+(?:the|these|those|all))\s+{_NUM}(?![\w.,%])\s*", r"\1 ", text
    )
    text = re.sub(rf"(?<![\w.,-]){_NUM}\s+((?:[a-z-]+\s+)?(?:{_COUNT_NOUNS})\b)", r"\2", text)
    text = re.sub(
        rf"(?<![\w.-])((?:n|k|count|events|observed)\s*[=:]\s*){_NUM}(?![\w.,%])", r"\1·", text
    )
    return text


def _spec_text(spec: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """Every string of a chart spec outside its data (titles, subtitles, tooltips, labels)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("datasets", "values", "$schema"):
                continue  # data is checked as tables by check_chart
            yield from _spec_text(value, f"{path}{key}/")
    elif isinstance(spec, list):
        for i, value in enumerate(spec):
            yield from _spec_text(value, f"{path}{i}/")
    elif isinstance(spec, str):
        yield path.rstrip("/"), spec


def check_spec_text(
    spec: Any, threshold: int = DEFAULT_THRESHOLD, *, where: str = "chart"
) -> list[Finding]:
    """Small counts in a chart spec's own text: titles, subtitles, tooltips, aria labels.

    Examples
    --------
    >>> spec = {"title": {"text": "Caesareans", "subtitle": "n = 4"}, "data": {"values": []}}
    >>> [f.where for f in check_spec_text(spec)]
    ['chart: title/subtitle']
    """
    if hasattr(spec, "to_dict"):
        spec = spec.to_dict()
    found = []
    for path, text in _spec_text(spec):
        found += check_text(text, threshold, where=f"{where}: {path}")
    return found


_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(?:td|th|tr|li|p|div|h\d|br|caption|figcaption|pre|table)\b[^>]*>", re.I)
_ATTR_TEXT = re.compile(r'\b(?:aria-label|title|alt|data-tooltip)="([^"]*)"', re.I)


def html_text(page: str) -> str:
    """The visible text of an HTML page (and its aria-label/title/alt attributes).

    Examples
    --------
    >>> html_text('<p title="n = 3">Shown <b>text</b></p><script>var n = 4;</script>').split("\\n")
    ['n = 3', 'Shown text']
    """

    body = _SCRIPT_OR_STYLE.sub(" ", page)
    attrs = [_html.unescape(a) for a in _ATTR_TEXT.findall(body)]
    body = _BLOCK.sub(" | ", body)  # a number in one cell is not read with the next cell
    text = _html.unescape(_TAG.sub(" ", body))
    return "\n".join([*attrs, " ".join(text.split()).strip(" |")])


def assert_safe(findings: list[Finding], what: str = "output") -> None:
    """Raise :class:`DisclosureError` listing the findings (without values), if there are any.

    Examples
    --------
    >>> assert_safe([])
    >>> try:
    ...     assert_safe([Finding("t", 1, "n", "small count (1 to 9)")])
    ... except DisclosureError as exc:
    ...     print(exc)
    output would disclose small numbers; nothing was written:
      - t, row 1, column n: small count (1 to 9)
    """
    if not findings:
        return
    lines = [
        f"  - {f.where}{'' if f.row is None else f', row {f.row}'}, column {f.column}: {f.problem}"
        for f in findings[:20]
    ]
    more = f"\n  ... and {len(findings) - 20} more" if len(findings) > 20 else ""
    raise DisclosureError(
        f"{what} would disclose small numbers; nothing was written:\n" + "\n".join(lines) + more
    )
