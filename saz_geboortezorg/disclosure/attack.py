"""An outsider's attack on a folder of built reports: differencing by integer programming.

The attacker holds every regional report that :func:`~saz_geboortezorg.report.build_reports`
wrote (``<unit>.html`` and, with ``--exports``, ``<unit>/tables/*.csv``) and, generously,
every line total of every table (the regional and national totals that are public or could
be asked for). Nothing here uses the protection code: the files are read as an outsider
reads them, and the line totals come from the unprotected data through the public analysis
functions (:func:`known_totals`), never from the suppression pattern.

What the attacker does:

1. **Collects every published cell of every table across all reports.** A cell is one value
   of one table (``benchmark``, ``robson``, ``groups``, ``trends``, ``value``,
   ``exclusions``), identified by its key (indicator, unit, SES quintile, quarter, ...) and
   column, wherever it appears: in a CSV export or in the data of a chart embedded in a
   page (:func:`~saz_geboortezorg.disclosure.check.embedded_specs`). A cell hidden in one
   report but shown in another is a finding at once (:attr:`AttackResult.inconsistent`).
2. **Declares what each table means** (:data:`TABLES`): which columns are counts, which
   count is at most which (a numerator at most its denominator), which lines add up to a
   known total (benchmark: per indicator across units; Robson: per unit across groups and
   per group across units; SES quintiles and quarters: two-way; costs: across units), and
   which shown values are rates of counts (a rate with its numerator or denominator hidden
   narrows that count; a rounded rate narrows it to an interval).
3. **Solves, for every hidden count, its minimum and maximum integer value** under all of
   that (``scipy.optimize.milp`` with integrality), per connected block of hidden cells.

A **finding** is a hidden count whose true value is 1 to ``threshold - 1`` and whose integer
minimum equals its maximum (:attr:`AttackResult.findings`), with ``why``: ``totals`` (line
differencing alone pins it) or ``rates`` (a shown rate, ratio or percentage is needed).
Counts narrowed to two values are listed for information (:attr:`AttackResult.ranges2`).
An integer program that fails, or a shown count that differs from the data, is reported
(:attr:`AttackResult.errors`, :attr:`AttackResult.mismatches`): the attack model is then
wrong, which must never read as "safe".

What the attacker assumes (generous, but not omniscient):

- every line total is known (national totals per indicator, Robson group, SES quintile and
  quarter; each unit's totals), except a total from 1 to ``threshold - 1``: that is a small
  count itself, so only "between 1 and threshold - 1" is assumed of it;
- a line total that is itself a cell of another table (:data:`LINKS`: a unit's count over
  all quarters is its benchmark count, its caesareans over all Robson groups its benchmark
  caesarean count) is exactly as known as that cell, hidden or shown;
- a hidden count is at least 0 and at most its denominator; nothing else about the rule
  that hid it (a primary count lies in 1-9, but a secondary one can be anything);
- a value written with at most 6 decimals is taken as rounded to that many; a longer one is
  exact to 1e-7 (relative).

Not covered here (other attacks of the suite, ``tests/disclosure``): inverting fitted
statistics (phi, tau², funnel limits, Wilson intervals, p-chart limits, SII) and scanning
free text.

Examples
--------
>>> import saz_geboortezorg as sg
>>> from saz_geboortezorg.disclosure.attack import attack_reports, known_totals
>>> data = sg.load("extracts/")                                        # doctest: +SKIP
>>> result = attack_reports("reports/", known_totals(data))            # doctest: +SKIP
>>> print(result.summary())                                            # doctest: +SKIP
17 reports, 6 tables (153 CSV tables, 1054 chart datasets)
hidden counts: 961; attacked: 961
findings (hidden count 1-9 pinned to one value): 4
...

From the command line (exit status 1 when anything is found)::

    python -m saz_geboortezorg.disclosure.attack reports/ extracts/
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "TableModel",
    "TABLES",
    "Published",
    "AttackResult",
    "read_reports",
    "known_totals",
    "attack",
    "attack_reports",
    "candidates",
]

#: Unit type -> column of the women/births tables holding the unit.
_UNIT_COLUMNS = {"region": "region_id", "hospital": "hospital_id", "practice": "practice_id"}


@dataclass(frozen=True)
class TableModel:
    """What an attacker knows a table means.

    Attributes
    ----------
    name : str
    key : tuple of str
        Columns identifying a row.
    counts : tuple of str
        Count columns (whole numbers, at least 0).
    pairs : tuple of (str, str)
        (numerator, denominator): the first count is at most the second in the same row.
    lines : tuple of tuple of str
        Each entry: the key columns held fixed along a line; the count columns add up along
        it to a total the attacker knows. ``()`` is one line over the whole table.
    """

    name: str
    key: tuple[str, ...]
    counts: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...] = ()
    lines: tuple[tuple[str, ...], ...] = ()


#: The tables of a report and their meaning (see the module docstring).
TABLES = {
    t.name: t
    for t in (
        TableModel(
            "benchmark",
            ("indicator", "unit"),
            ("n", "observed"),
            (("observed", "n"),),
            (("indicator",),),
        ),
        TableModel(
            "robson",
            ("unit", "group"),
            ("women", "cs"),
            (("cs", "women"),),
            (("unit",), ("group",)),
        ),
        TableModel(
            "groups",
            ("indicator", "unit", "group"),
            ("denominator", "numerator"),
            (("numerator", "denominator"),),
            (("indicator", "unit"), ("indicator", "group")),
        ),
        TableModel(
            "trends",
            ("indicator", "unit", "period"),
            ("n", "events"),
            (("events", "n"),),
            (("indicator", "unit"), ("indicator", "period")),
        ),
        TableModel(
            "value",
            ("unit",),
            ("outcome_n", "outcome_events", "cost_n"),
            (("outcome_events", "outcome_n"),),
            ((),),
        ),
        TableModel("exclusions", ("source", "reason"), ("records",)),
    )
}

#: Indicators the reports show by SES quintile (pain relief, vulnerable women) and per
#: quarter: the attacker reads them off the reports' section headings.
SES_INDICATORS = (
    "pain_relief",
    "epidural",
    "epidural_wanted_not_received",
    "preterm",
    "sga",
    "big4",
    "cs",
)
TREND_INDICATORS = ("cs", "epidural", "oasis", "pph")

#: Key value of the all-unit rows (published totals, not part of a line across units).
ALL = "all"


# ---------------------------------------------------------------------------------------
# reading the reports
# ---------------------------------------------------------------------------------------


@dataclass
class _Seen:
    report: str
    source: str
    value: float | None  # None: hidden (empty)
    tol: float = 0.0  # half-width of the rounding of the written value


@dataclass
class Rate:
    """A shown value that is a rate of counts: ``value ≈ scale * numerator / denominator``.

    ``numerator`` and ``denominator`` are linear expressions: {cell: coefficient}, plus a
    constant (``den_const``) for a denominator that is a known total or a shown expected
    count.
    """

    table: str
    numerator: dict
    denominator: dict
    den_const: float
    value: float
    tol: float
    scale: float
    what: str


@dataclass
class Published:
    """Everything read from a folder of reports.

    ``cells``: (table, key, column) -> list of sightings (report, source, value or None);
    ``rates``: shown rates of counts; ``not_understood``: CSV files or chart datasets with
    numbers the attacker has no model for (they are not attacked: a test should keep it
    empty).
    """

    reports: list[str] = field(default_factory=list)
    cells: dict = field(default_factory=lambda: defaultdict(list))
    rates: list[Rate] = field(default_factory=list)
    csv_tables: int = 0
    chart_datasets: int = 0
    not_understood: list[str] = field(default_factory=list)
    measures: dict = field(default_factory=dict)  # indicator -> scale (100, 1000) or None
    crude: dict = field(default_factory=dict)  # indicator -> True when value = observed / n

    def see(self, table, key, column, report, source, raw):
        value, tol = _number(raw)
        self.cells[(table, tuple(str(k) for k in key), column)].append(
            _Seen(report, source, value, tol)
        )
        return value, tol


def _number(raw: Any) -> tuple[float | None, float]:
    """A written value and the half-width of its rounding.

    >>> value, tol = _number("12.34")
    >>> value, round(tol, 6), _number(""), _number(None), _number(0.1 + 0.2)[1] < 1e-6
    (12.34, 0.005, (None, 0.0), (None, 0.0), True)
    """
    if raw is None:
        return None, 0.0
    if isinstance(raw, float | int | np.floating | np.integer) and not isinstance(raw, bool):
        if not math.isfinite(float(raw)):
            return None, 0.0
        text = repr(float(raw))
    else:
        text = str(raw).strip()
        if text in ("", "nan", "NaN", "None", "·", "–", "-"):
            return None, 0.0
    try:
        value = float(text)
    except ValueError:
        return None, 0.0
    if "e" in text.lower():
        return value, 1e-7 * abs(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    if decimals <= 6:
        return value, 0.5 * 10.0**-decimals + 1e-9 * abs(value)
    return value, 1e-7 * max(abs(value), 1.0)


def _catalogue() -> tuple[dict[str, str], dict[str, float | None]]:
    from saz_geboortezorg.indicators import catalogue

    cat = catalogue()
    names = dict(zip(cat["name_en"], cat["id"], strict=True))
    scale = {"percent": 100.0, "per_1000": 1000.0}
    measures = {i: scale.get(u) for i, u in zip(cat["id"], cat["unit"], strict=True)}
    return names, measures


def _title(spec: dict) -> str:
    t = spec.get("title", "")
    if isinstance(t, dict):
        t = t.get("text", "")
    if isinstance(t, list):
        t = " ".join(str(x) for x in t)
    return str(t)


def _datasets(spec: Any):
    """(title, rows) of every dataset in a spec (named datasets and inline values)."""
    title = _title(spec) if isinstance(spec, dict) else ""
    if isinstance(spec, dict):
        for rows in (spec.get("datasets") or {}).values():
            yield title, rows
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            yield title, data["values"]
        for k in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(k, []) or []:
                for t, rows in _datasets(sub):
                    yield t or title, rows
        if isinstance(spec.get("spec"), dict):
            for t, rows in _datasets(spec["spec"]):
                yield t or title, rows


def _indicator_from(title: str, names: dict[str, str], sep: str) -> str | None:
    head = title.split(sep)[0].strip() if sep else title.strip()
    return names.get(head)


def _rate(pub, table, num_cell, den_cell, den_const, raw, scale, what):
    value, tol = _number(raw)
    if value is None or scale is None:
        return
    pub.rates.append(
        Rate(
            table,
            {num_cell: 1.0} if num_cell else {},
            {den_cell: 1.0} if den_cell else {},
            den_const,
            value,
            tol,
            scale,
            what,
        )
    )


def _read_chart(pub: Published, spec: dict, report: str, names, measures) -> None:
    for title, rows in _datasets(spec):
        if not rows or not isinstance(rows, list) or not isinstance(rows[0], dict):
            continue
        pub.chart_datasets += 1
        f = set().union(*(r.keys() for r in rows))
        src = f"{report}.html chart '{title[:50]}'"
        if {"name_en", "ratio", "unit"} <= f:  # position chart
            for r in rows:
                ind = names.get(r["name_en"])
                if ind:
                    pub.see("benchmark", (ind, r["unit"]), "ratio", report, src, r["ratio"])
        elif {"unit", "name", "value", "n", "target"} <= f:  # the open benchmark heat table
            for r in rows:
                ind = names.get(str(r["name"]).rsplit(" (", 1)[0])
                if ind is None:
                    continue
                key = (ind, r["unit"])
                pub.see("benchmark", key, "n", report, src, r.get("n"))
                pub.see("benchmark", key, "value", report, src, r.get("value"))
        elif {"unit", "numerator", "denominator", "value", "z"} <= f:  # funnel points
            ind = _indicator_from(title, names, "")
            if ind is None:
                pub.not_understood.append(f"{src}: funnel of an unknown indicator")
                continue
            for r in rows:
                pub.see("benchmark", (ind, r["unit"]), "ratio", report, src, r.get("value"))
        elif {"group", "unit", "cs_rate_pct"} <= f:  # Robson chart
            for r in rows:
                key = (r["unit"], r["group"])
                pub.see("robson", key, "cs_rate_pct", report, src, r["cs_rate_pct"])
        elif {"quintile", "rate"} <= f:  # rates by SES quintile (unit "all" without unit)
            ind = _indicator_from(title, names, " by socio-economic status")
            if ind is None:
                pub.not_understood.append(f"{src}: SES chart of an unknown indicator")
                continue
            for r in rows:
                key = (ind, r.get("unit", ALL), str(r["quintile"]).split()[-1])
                pub.see("groups", key, "rate", report, src, r["rate"])
        elif {"unit", "outcome", "cost"} <= f:  # value chart
            for r in rows:
                pub.see("value", (r["unit"],), "outcome_rate", report, src, r["outcome"])
        elif {"unit", "n", "events", "rate", "period"} <= f:  # p-charts
            ind = _indicator_from(title, names, ":")
            if ind is None:
                pub.not_understood.append(f"{src}: trend of an unknown indicator")
                continue
            for r in rows:
                key = (ind, r["unit"], str(r["period"])[:10])
                for col in ("n", "events", "rate", "centre"):
                    pub.see("trends", key, col, report, src, r.get(col))
        elif f <= {"denominator", "limit", "series", "side", "target", "cost_line"} | {
            "outcome_line",
            "x",
            "y",
            "text",
            "align",
            "baseline",
        }:
            continue  # funnel limit curves, reference lines and labels: no cell of a table
        else:
            pub.not_understood.append(f"{src}: dataset with fields {sorted(f)}")


def _read_csv(pub: Published, name: str, t: pd.DataFrame, report: str, names) -> None:
    src = f"{report}/tables/{name}.csv"
    pub.csv_tables += 1
    rows = t.to_dict("records")
    if name == "position":
        for r in rows:
            key = (r["indicator"], report)
            for col in ("n", "observed", "expected", "value", "target", "ratio"):
                pub.see("benchmark", key, col, report, src, r.get(col))
    elif name == "benchmark":  # wide: indicator x unit values
        for r in rows:
            for unit, raw in r.items():
                if unit != "indicator":
                    pub.see("benchmark", (r["indicator"], unit), "value", report, src, raw)
    elif name == "robson":
        for r in rows:
            key = (r["unit"], r["group"])
            for col in ("women", "cs", "relative_size_pct", "cs_rate_pct", "contribution_pct"):
                pub.see("robson", key, col, report, src, r.get(col))
            pub.see("robson", key, "share_of_cs_pct", report, src, r.get("share_of_cs_pct"))
    elif name in ("pain_relief", "vulnerable_women"):
        for r in rows:
            key = (r["indicator"], r["unit"], r["group"])
            for col in ("denominator", "numerator", "rate"):
                pub.see("groups", key, col, report, src, r.get(col))
    elif name in ("pain_relief_gap", "vulnerable_women_gap"):
        for r in rows:  # quintile 1 = most deprived, 5 = least deprived
            for group, side in (("1", "most"), ("5", "least")):
                key = (r["indicator"], r["unit"], group)
                pub.see("groups", key, "denominator", report, src, r.get(f"n_{side}"))
                pub.see("groups", key, "rate", report, src, r.get(f"rate_{side}"))
    elif name == "value":
        for r in rows:
            for col in ("outcome_n", "outcome_events", "outcome_rate", "cost_n"):
                if col in r:
                    pub.see("value", (r["unit"],), col, report, src, r[col])
    elif name == "exclusions":
        for r in rows:
            pub.see("exclusions", (r["source"], r["reason"]), "records", report, src, r["records"])
    else:
        pub.not_understood.append(f"{src}: no model for this table")


def read_reports(folder: str | Path) -> Published:
    """Every published cell of every report in ``folder`` (``<unit>.html``, ``<unit>/tables``).

    Examples
    --------
    >>> pub = read_reports("reports/")                                 # doctest: +SKIP
    >>> len(pub.reports), pub.csv_tables                               # doctest: +SKIP
    (17, 153)
    """
    from saz_geboortezorg.disclosure.check import embedded_specs
    from saz_geboortezorg.errors import SazError

    folder = Path(folder)
    pages = sorted(folder.glob("*.html"))
    if not pages:
        raise SazError(f"{folder}: no reports (*.html) to attack")
    names, measures = _catalogue()
    pub = Published(measures=measures)
    for page in pages:
        report = page.stem
        pub.reports.append(report)
        for spec in embedded_specs(page.read_text(encoding="utf-8")):
            _read_chart(pub, spec, report, names, measures)
        for csv in sorted((folder / report / "tables").glob("*.csv")):
            t = pd.read_csv(csv, dtype=str, keep_default_na=False)
            _read_csv(pub, csv.stem, t, report, names)
    return pub


# ---------------------------------------------------------------------------------------
# what the attacker knows besides the reports: the line totals
# ---------------------------------------------------------------------------------------


def known_totals(data: Any, *, unit: str = "region") -> dict[str, pd.DataFrame]:
    """The unprotected counts behind each table, from the public analysis functions.

    Used for the line totals (a generous attacker knows every one) and to tell whether a
    pinned count is truly 1-9. Independent of the protection code: the indicator, Robson,
    SES-quintile and per-quarter counts are computed here from the loaded data.

    Returns
    -------
    dict
        table name -> DataFrame with the table's key and count columns (keys as text).

    Examples
    --------
    >>> import saz_geboortezorg as sg
    >>> t = known_totals(sg.load(sg.synthetic.default_dataset()))      # doctest: +SKIP
    >>> sorted(t)                                                      # doctest: +SKIP
    ['benchmark', 'groups', 'robson', 'trends']
    """
    import warnings

    from saz_geboortezorg.compare.subgroups import group_rates
    from saz_geboortezorg.derive.robson import robson_table
    from saz_geboortezorg.indicators import catalogue, compute, get
    from saz_geboortezorg.indicators.compute import resolve_unit
    from saz_geboortezorg.monitor.periods import period_rates

    cat = catalogue()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = []
        for ind, measure in zip(cat["id"], cat["unit"], strict=True):
            if measure == "euro":
                continue
            r = compute(data, ind, unit=unit).table
            r = r[r["unit"].astype(str) != ALL]
            parts.append(
                pd.DataFrame(
                    {
                        "indicator": ind,
                        "unit": r["unit"].astype(str),
                        "n": r["denominator"].astype(float),
                        "observed": r["numerator"].astype(float),
                    }
                )
            )
        out["benchmark"] = pd.concat(parts, ignore_index=True)
        rob = robson_table(data.women, unit=_UNIT_COLUMNS[unit]).table
        rob = rob[rob["group"].astype(str) != "total"]
        out["robson"] = pd.DataFrame(
            {
                "unit": rob["unit"].astype(str),
                "group": rob["group"].astype(str),
                "women": rob["women"].astype(float),
                "cs": rob["cs"].astype(float),
            }
        )
        parts = []
        for ind in SES_INDICATORS:
            col = resolve_unit(unit, data.women.columns, get(ind).attribution)
            g = group_rates(data, ind, by=[col, "ses_quintile"])
            g = g[g["ses_quintile"].astype(str) != "unknown"]
            parts.append(
                pd.DataFrame(
                    {
                        "indicator": ind,
                        "unit": g[col].astype(str),
                        "group": g["ses_quintile"].astype(str),
                        "denominator": g["denominator"].astype(float),
                        "numerator": g["numerator"].astype(float),
                    }
                )
            )
        out["groups"] = pd.concat(parts, ignore_index=True)
        parts = []
        for ind in TREND_INDICATORS:
            p = period_rates(data, ind, unit=unit, freq="quarter")
            parts.append(
                pd.DataFrame(
                    {
                        "indicator": ind,
                        "unit": p["unit"].astype(str),
                        "period": pd.to_datetime(p["period"]).dt.strftime("%Y-%m-%d"),
                        "n": p["n"].astype(float),
                        "events": p["events"].astype(float),
                    }
                )
            )
        out["trends"] = pd.concat(parts, ignore_index=True)
    return out


# ---------------------------------------------------------------------------------------
# the attack
# ---------------------------------------------------------------------------------------


@dataclass
class AttackResult:
    """The outcome of :func:`attack`.

    Attributes
    ----------
    reports, tables, csv_tables, chart_datasets : int
    hidden : int
        Hidden counts (cells shown in no report, including rows no report contains).
    attacked : int
        Hidden counts whose range was computed.
    cells : DataFrame
        One row per attacked count: table, key, column, true (NaN without data), lo, hi,
        exact (False: lo/hi are values seen, the count takes at least three values), why
        (``totals``/``rates`` for a pinned count), published (False: a row no report has).
    findings : DataFrame
        Attacked counts with a true value from 1 to threshold - 1 and lo == hi.
    ranges2 : DataFrame
        Attacked counts with a true value from 1 to threshold - 1 narrowed to two values.
    inconsistent : DataFrame
        Cells hidden in one report and shown in another (table, key, column, shown_in,
        hidden_in, value).
    conflicts : DataFrame
        Cells shown with different values in different places.
    mismatches : DataFrame
        Shown counts that differ from the data (the attacker's model of a table is wrong).
    errors : list of str
        Integer programs that failed (infeasible: the model contradicts the reports).
    not_understood : list of str
    seconds : float
    threshold : int
    harmless : int
        Rates hidden in one place and shown in another whose counts are all shown (a gap
        table withheld as a whole, say): listed for information, not findings.
    """

    reports: int
    tables: int
    csv_tables: int
    chart_datasets: int
    hidden: int
    attacked: int
    cells: pd.DataFrame
    findings: pd.DataFrame
    ranges2: pd.DataFrame
    inconsistent: pd.DataFrame
    conflicts: pd.DataFrame
    mismatches: pd.DataFrame
    errors: list[str]
    not_understood: list[str]
    seconds: float
    threshold: int = 10
    harmless: int = 0

    @property
    def safe(self) -> bool:
        """No finding, no inconsistent cell, no failed program and no count contradicting the
        data."""
        return not (
            len(self.findings) or len(self.inconsistent) or self.errors or len(self.mismatches)
        )

    def summary(self) -> str:
        """The figures in a few lines.

        Examples
        --------
        >>> print(result.summary())                                  # doctest: +SKIP
        """
        t = self.threshold
        lines = [
            f"{self.reports} reports, {self.tables} tables ({self.csv_tables} CSV tables, "
            f"{self.chart_datasets} chart datasets)",
            f"hidden counts: {self.hidden}; attacked: {self.attacked}",
            f"findings (hidden count 1-{t - 1} pinned to one value): {len(self.findings)}",
            f"hidden counts 1-{t - 1} narrowed to 2 values: {len(self.ranges2)}",
            f"cells hidden in one report and shown in another: {len(self.inconsistent)} "
            f"(and {self.harmless} rates whose counts are shown anyway)",
            f"cells shown with different values: {len(self.conflicts)}",
            f"shown counts that differ from the data: {len(self.mismatches)}",
            f"failed integer programs: {len(self.errors)}",
            f"not understood (not attacked): {len(self.not_understood)}",
            f"runtime: {self.seconds:.1f} s",
        ]
        for _, f in self.findings.iterrows():
            lines.append(
                f"  FINDING {f['table']} {'/'.join(f['key'])} {f['column']} = {f['lo']:g} "
                f"(true {f['true']:g}; pinned by {f['why']})"
            )
        for _, f in self.inconsistent.iterrows():
            lines.append(
                f"  INCONSISTENT {f['table']} {'/'.join(f['key'])} {f['column']}: shown "
                f"{f['value']} in {f['shown_in']}, hidden in {f['hidden_in']}"
            )
        lines += [f"  ERROR {e}" for e in self.errors]
        lines += [f"  NOT UNDERSTOOD {e}" for e in self.not_understood[:20]]
        return "\n".join(lines)


def _shown_value(sightings: list[_Seen]) -> tuple[float | None, float]:
    shown = [s for s in sightings if s.value is not None]
    if not shown:
        return None, 0.0
    best = min(shown, key=lambda s: s.tol)
    return best.value, best.tol


def _derived_rates(pub: Published, truth: dict[str, pd.DataFrame], threshold: int) -> list[Rate]:
    """Rates that the tables imply: every shown rate-like column, as a constraint."""
    rates = list(pub.rates)
    line_total = _line_totals(truth, threshold)
    for (table, key, col), sightings in list(pub.cells.items()):
        value, tol = _shown_value(sightings)
        if value is None:
            continue
        c = lambda name, k=key, tb=table: (tb, k, name)  # noqa: E731
        if table == "benchmark":
            ind = key[0]
            scale = pub.measures.get(ind)
            expected, etol = _shown_value(pub.cells.get(c("expected"), []))
            target, _ = _shown_value(pub.cells.get(c("target"), []))
            crude = _crude(pub, ind)
            if col == "value" and scale is not None and crude:
                rates.append(
                    Rate(table, {c("observed"): 1}, {c("n"): 1}, 0, value, tol, scale, "rate")
                )
            if col == "ratio" and expected is not None:  # observed = ratio x expected
                rates.append(Rate(table, {c("observed"): 1}, {}, expected, value, tol, 1.0, "O/E"))
            if col == "value" and not crude and expected is not None and target:
                rates.append(
                    Rate(table, {c("observed"): 1}, {}, expected * target, value, tol, 1.0, "O/E")
                )
        elif table == "robson":
            unit = key[0]
            women_total = line_total.get(("robson", ("unit", unit), "women"))
            cs_total = line_total.get(("robson", ("unit", unit), "cs"))
            if col == "cs_rate_pct":
                rates.append(Rate(table, {c("cs"): 1}, {c("women"): 1}, 0, value, tol, 100, col))
            elif col == "relative_size_pct" and women_total:
                rates.append(Rate(table, {c("women"): 1}, {}, women_total, value, tol, 100, col))
            elif col == "contribution_pct" and women_total:
                rates.append(Rate(table, {c("cs"): 1}, {}, women_total, value, tol, 100, col))
            elif col == "share_of_cs_pct" and cs_total:
                rates.append(Rate(table, {c("cs"): 1}, {}, cs_total, value, tol, 100, col))
        elif table == "groups" and col == "rate":
            scale = pub.measures.get(key[0])
            if scale:
                rates.append(
                    Rate(
                        table, {c("numerator"): 1}, {c("denominator"): 1}, 0, value, tol, scale, col
                    )
                )
        elif table == "trends" and col == "rate":
            scale = pub.measures.get(key[0])
            if scale:
                rates.append(Rate(table, {c("events"): 1}, {c("n"): 1}, 0, value, tol, scale, col))
        elif table == "value" and col == "outcome_rate":
            rates.append(
                Rate(table, {c("outcome_events"): 1}, {c("outcome_n"): 1}, 0, value, tol, 100, col)
            )
    return rates


def _crude(pub: Published, ind: str) -> bool:
    """An indicator without a case-mix model (its expected column is empty wherever its
    observed count is shown): its value is observed / n."""
    if ind in pub.crude:
        return pub.crude[ind]
    shown_any = False
    for (table, key, col), sightings in pub.cells.items():
        if table == "benchmark" and key[0] == ind and col == "observed":
            if _shown_value(sightings)[0] is not None:
                shown_any = True
                if _shown_value(pub.cells.get((table, key, "expected"), []))[0] is not None:
                    pub.crude[ind] = False
                    return False
    pub.crude[ind] = shown_any
    return shown_any


#: Line totals that are cells of another table: (table, held columns, column) ->
#: (other table, how its key is built from the line's values, its column). A unit's
#: count over all quarters is its benchmark count; its caesareans over all Robson groups
#: are its benchmark caesarean count. Used only where the data agree.
LINKS = {
    ("trends", ("indicator", "unit"), "n"): ("benchmark", ("indicator", "unit"), "n"),
    ("trends", ("indicator", "unit"), "events"): ("benchmark", ("indicator", "unit"), "observed"),
    ("robson", ("unit",), "cs"): ("benchmark", ("=cs", "unit"), "observed"),
}


def _linked_cell(line: tuple) -> tuple | None:
    """The cell of another table that a line total equals, if any.

    >>> _linked_cell(("robson", ("unit", "R01"), "cs"))
    ('benchmark', ('cs', 'R01'), 'observed')
    >>> _linked_cell(("robson", ("group", "1"), "cs")) is None
    True
    """
    table, tag, col = line
    held = tuple(tag[0::2])
    named = dict(zip(tag[0::2], tag[1::2], strict=True))
    link = LINKS.get((table, held, col))
    if link is None:
        return None
    other, parts, other_col = link
    key = tuple(p[1:] if p.startswith("=") else named[p] for p in parts)
    return (other, key, other_col)


def _line_totals(truth: dict[str, pd.DataFrame], threshold: int) -> dict:
    """(table, (held columns..., values...), column) -> total, from the data."""
    out = {}
    for name, t in truth.items():
        model = TABLES[name]
        for held in model.lines:
            if not held:
                for col in model.counts:
                    if col in t:
                        out[(name, (), col)] = float(t[col].sum())
                continue
            for vals, part in t.groupby(list(held), sort=False):
                vals = vals if isinstance(vals, tuple) else (vals,)
                for col in model.counts:
                    if col in part:
                        tag = tuple(x for pair in zip(held, vals, strict=True) for x in pair)
                        out[(name, tag, col)] = float(part[col].sum())
    return out


def candidates(lo: float, hi: float) -> int:
    """Number of whole values from ``lo`` to ``hi`` (inf when unbounded).

    >>> candidates(3, 3), candidates(2, 3), candidates(0, float("inf"))
    (1, 2, inf)
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return math.inf
    return int(round(hi) - round(lo)) + 1


def _solve_block(vars_, rows, only=None, *, known=None, exact=False, seed=0):
    """Min and max whole value of each variable of one block.

    Returns {variable: (lo, hi, exact)}, where lo or hi is an error string when a program
    failed. Each end is found by the linear relaxation (fast); when its optimal vertex is
    whole in every variable it is also the integer optimum (the relaxation bounds the
    integer program and that vertex is feasible for it), otherwise the integer program is
    solved (``scipy.optimize.milp``).

    Unless ``exact``, a variable already seen at three or more whole values in feasible
    whole solutions (``known``, e.g. the true counts, and every whole vertex found on the
    way) is not solved: it can be neither pinned nor narrowed to two values, and its
    (lo, hi) are then the smallest and largest value seen (``exact`` False).

    >>> rows = [({"a": 1.0, "b": 1.0}, 7.0, 7.0), ({"a": 1.0}, -math.inf, 3.5)]
    >>> _solve_block(["a", "b"], rows, exact=True)
    {'a': (0.0, 3.0, True), 'b': (4.0, 7.0, True)}
    """
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    idx = {v: i for i, v in enumerate(vars_)}
    a = np.zeros((len(rows), len(vars_)))
    lo = np.empty(len(rows))
    hi = np.empty(len(rows))
    for r, (coef, rlo, rhi) in enumerate(rows):
        for v, x in coef.items():
            a[r, idx[v]] += x
        lo[r], hi[r] = rlo, rhi
    eq = np.isclose(lo, hi)
    up = ~eq & np.isfinite(hi)
    down = ~eq & np.isfinite(lo)
    a_ub = np.vstack([a[up], -a[down]])
    b_ub = np.concatenate([hi[up], -lo[down]])
    lp = {
        "A_ub": a_ub if len(b_ub) else None,
        "b_ub": b_ub if len(b_ub) else None,
        "A_eq": a[eq] if eq.any() else None,
        "b_eq": lo[eq] if eq.any() else None,
        "bounds": (0, None),
        "method": "highs",
    }
    cons = [LinearConstraint(a, lo, hi)] if len(rows) else []
    bounds = Bounds(np.zeros(len(vars_)), np.full(len(vars_), np.inf))
    integ = np.ones(len(vars_))
    seen = [set() for _ in vars_]

    def witness(x):
        if x is None or not np.allclose(x, np.round(x), atol=1e-7):
            return
        x = np.round(x)
        ax = a @ x
        if np.all(ax >= lo - 1e-6) and np.all(ax <= hi + 1e-6) and np.all(x >= 0):
            for i, xi in enumerate(x):
                if len(seen[i]) < 3:
                    seen[i].add(float(xi))

    if known is not None:
        witness(np.asarray(known, dtype=float))
    if not exact:  # a few vertices in random directions: many variables vary at once
        rng = np.random.default_rng(seed)
        for _ in range(6):
            res = linprog(rng.normal(size=len(vars_)), **lp)
            witness(res.x if res.status == 0 else None)
    out = {}
    for v, i in idx.items():
        if only is not None and v not in only:
            continue
        if not exact and len(seen[i]) >= 3:
            out[v] = (min(seen[i]), max(seen[i]), False)
            continue
        e = np.zeros(len(vars_))
        e[i] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            what = "min" if sign > 0 else "max"
            res = linprog(sign * e, **lp)
            if res.status == 3:
                ends.append(sign * math.inf)
                continue
            if res.status == 0 and np.allclose(res.x, np.round(res.x), atol=1e-7):
                witness(res.x)
                ends.append(float(np.round(sign * res.fun)))
                continue
            if res.status == 2:
                ends.append(f"{what}: {res.message}")
                continue
            res = milp(sign * e, constraints=cons, integrality=integ, bounds=bounds)
            if res.status == 0:
                witness(res.x)
                ends.append(float(np.round(sign * res.fun)))
            elif res.status == 3 or "unbounded" in str(res.message).lower():
                ends.append(sign * math.inf)
            else:
                ends.append(f"{what}: {res.message}")
        out[v] = (*ends, True)
    return out


def attack(
    pub: Published,
    truth: dict[str, pd.DataFrame] | None = None,
    *,
    threshold: int = 10,
    exact: bool = False,
    start: float | None = None,
) -> AttackResult:
    """Differencing by integer programming over every table of :func:`read_reports`.

    Parameters
    ----------
    pub : Published
    truth : dict, optional
        :func:`known_totals` of the data the reports were built from (line totals, and the
        true value of each hidden count). Without it only shown totals and bounds are used
        and no count is known to be 1-9 (``true`` is NaN; a pinned count is a finding if
        its pinned value is 1 to threshold - 1).
    threshold : int
        Counts from 1 to ``threshold - 1`` are meant to be hidden.
    exact : bool
        Compute the exact range of every hidden count. By default a count already seen at
        three or more values in feasible whole solutions (the true counts, and vertices in
        random directions) is not solved further: it can be neither pinned nor narrowed to
        two values, and its ``lo``/``hi`` in :attr:`AttackResult.cells` are the values seen
        (``exact`` False). Findings and ranges of two are exact either way.

    Examples
    --------
    >>> result = attack(read_reports("reports/"), known_totals(data))     # doctest: +SKIP
    >>> result.safe                                                        # doctest: +SKIP
    True
    """
    t0 = time.perf_counter() if start is None else start
    truth = truth or {}
    true_value: dict = {}
    for name, t in truth.items():
        model = TABLES[name]
        keys = list(zip(*(t[k].astype(str) for k in model.key), strict=True))
        for col in model.counts:
            for k, x in zip(keys, t[col].to_numpy(dtype=float), strict=True):
                true_value[(name, tuple(k), col)] = x

    # 1. consistency across reports, and shown counts against the data
    inconsistent, conflicts, mismatches = [], [], []
    harmless = 0
    for (table, key, col), sightings in pub.cells.items():
        shown = [s for s in sightings if s.value is not None]
        hidden = [s for s in sightings if s.value is None]
        if shown and hidden:
            counts_shown = all(
                _shown_value(pub.cells.get((table, key, c), []))[0] is not None
                for c in TABLES[table].counts
            )
            if col not in TABLES[table].counts and counts_shown:
                # a rate hidden in one place (e.g. a gap table withheld as a whole) but
                # shown elsewhere, whose counts are all shown anyway: nothing to learn
                harmless += 1
            else:
                inconsistent.append(
                    {
                        "table": table,
                        "key": key,
                        "column": col,
                        "value": shown[0].value,
                        "shown_in": sorted({s.source for s in shown})[:3],
                        "hidden_in": sorted({s.source for s in hidden})[:3],
                    }
                )
        if len(shown) > 1:
            vals = np.array([s.value for s in shown])
            tol = max(max(s.tol for s in shown), 1e-9)
            if vals.max() - vals.min() > 2 * tol:
                conflicts.append(
                    {"table": table, "key": key, "column": col, "values": sorted(set(vals))[:5]}
                )
        tv = true_value.get((table, key, col))
        if shown and tv is not None and col in TABLES[table].counts:
            if abs(shown[0].value - tv) > 1e-6:
                mismatches.append(
                    {"table": table, "key": key, "column": col, "shown": shown[0].value, "true": tv}
                )
    # 2. variables: every count cell (published or in the data), shown ones fixed
    counts = set()
    for table, key, col in list(pub.cells) + list(true_value):
        if col in TABLES[table].counts:
            counts.add((table, key, col))
    fixed = {}
    for cell in counts:
        v, _ = _shown_value(pub.cells.get(cell, []))
        if v is not None:
            fixed[cell] = v
    hidden_cells = sorted(c for c in counts if c not in fixed)

    # 3. constraints: lines, numerator <= denominator, rates
    totals = _line_totals(truth, threshold)
    rows_lines, rows_rates = [], []
    by_line = defaultdict(list)
    for cell in counts:
        table, key, col = cell
        model = TABLES[table]
        named = dict(zip(model.key, key, strict=True))
        if named.get("unit") == ALL:
            continue
        for held in model.lines:
            tag = tuple(x for h in held for x in (h, named[h]))
            by_line[(table, tag, col)].append(cell)
    for line, cells in by_line.items():
        total = totals.get(line)
        if total is None:
            continue
        linked = _linked_cell(line)
        if linked is not None and linked in counts and true_value.get(linked) == total:
            # the total is a cell of another table: as known as that cell is
            rows_lines.append(({**{c: 1.0 for c in cells}, linked: -1.0}, 0.0, 0.0))
            continue
        lo, hi = (1.0, threshold - 1.0) if 1 <= total <= threshold - 1 else (total, total)
        rows_lines.append(({c: 1.0 for c in cells}, lo, hi))
    for table, key, col in counts:
        for num, den in TABLES[table].pairs:
            if col == num and (table, key, den) in counts:
                rows_lines.append(({(table, key, num): 1.0, (table, key, den): -1.0}, -math.inf, 0))
    for r in _derived_rates(pub, truth, threshold):
        # (v - tol)/scale * den <= num <= (v + tol)/scale * den
        for bound, sign in (((r.value - r.tol) / r.scale, 1), ((r.value + r.tol) / r.scale, -1)):
            coef = defaultdict(float)
            for c, x in r.numerator.items():
                coef[c] += x
            for c, x in r.denominator.items():
                coef[c] -= bound * x
            const = -bound * r.den_const
            # sign 1: num - bound*den >= 0 ; sign -1: num - bound*den <= 0
            if sign == 1:
                rows_rates.append((dict(coef), -const, math.inf))
            else:
                rows_rates.append((dict(coef), -math.inf, -const))

    # a rate may refer to a count no table lists (e.g. the numerator of an all-unit row
    # only drawn as a rate): an unknown count too
    extra = {c for coef, _, _ in rows_rates for c in coef if c not in counts}
    counts |= extra
    hidden_cells = sorted(c for c in counts if c not in fixed)

    # 4. substitute the shown counts, split into blocks of hidden counts, solve
    def reduce(rows):
        out = []
        for coef, lo, hi in rows:
            const = sum(x * fixed[c] for c, x in coef.items() if c in fixed)
            free = {c: x for c, x in coef.items() if c not in fixed and x != 0}
            if free:
                out.append((free, lo - const, hi - const))
        return out

    def blocks(rows):
        parent = {c: c for c in hidden_cells}

        def find(c):
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        for coef, _, _ in rows:
            cs = list(coef)
            for c in cs[1:]:
                parent[find(c)] = find(cs[0])
        groups = defaultdict(list)
        for c in hidden_cells:
            groups[find(c)].append(c)
        member = defaultdict(list)
        for r in rows:
            member[find(next(iter(r[0])))].append(r)
        return [(groups[g], member[g]) for g in groups]

    errors: list[str] = []

    def ranges(rows, only=None, exact=exact):
        res = {}
        for vars_, brows in blocks(rows):
            if only is not None and not only.intersection(vars_):
                continue
            if not brows:  # no constraint: anything from 0 up
                res.update({v: (0.0, math.inf, True) for v in vars_})
                continue
            vars_ = sorted(vars_)
            known = [true_value.get(v) for v in vars_]
            if any(k is None for k in known):
                known = None
            else:
                for coef, rlo, rhi in brows:
                    x = sum(c * true_value[v] for v, c in coef.items())
                    if not rlo - 1e-6 <= x <= rhi + 1e-6:
                        errors.append(
                            "the true counts break a constraint the attacker derived from the "
                            f"reports: {sorted(coef.items())[:4]} in [{rlo}, {rhi}], true {x}"
                        )
                        known = None
                        break
            found = _solve_block(vars_, brows, only, known=known, exact=exact)
            for v, (lo, hi, ok) in found.items():
                if isinstance(lo, str) or isinstance(hi, str):
                    errors.append(
                        f"{v[0]} {'/'.join(v[1])} {v[2]}: {lo if isinstance(lo, str) else hi}"
                    )
                    lo, hi = (
                        (lo if not isinstance(lo, str) else -math.inf),
                        (hi if not isinstance(hi, str) else math.inf),
                    )
                res[v] = (lo, hi, ok)
        return res

    full = ranges(reduce(rows_lines + rows_rates))
    pinned = [c for c, (lo, hi, _) in full.items() if candidates(lo, hi) == 1]
    why = {}
    if pinned:
        base_errors = len(errors)
        only_totals = ranges(reduce(rows_lines), set(pinned), exact=True)
        del errors[base_errors:]  # reported once, from the full program
        why = {c: ("totals" if candidates(*only_totals[c][:2]) == 1 else "rates") for c in pinned}
    table_rows = []
    for c in hidden_cells:
        lo, hi, ok = full.get(c, (0.0, math.inf, True))
        table_rows.append(
            {
                "table": c[0],
                "key": c[1],
                "column": c[2],
                "true": true_value.get(c, math.nan),
                "lo": float(lo),
                "hi": float(hi),
                "exact": ok,
                "why": why.get(c, ""),
                "published": c in pub.cells,
            }
        )
    cells = pd.DataFrame(
        table_rows,
        columns=["table", "key", "column", "true", "lo", "hi", "exact", "why", "published"],
    )
    small = cells["true"].between(1, threshold - 1)
    if truth == {}:  # no data: judge by the pinned value itself
        small = cells["lo"].between(1, threshold - 1)
    width = [candidates(lo, hi) for lo, hi in zip(cells["lo"], cells["hi"], strict=True)]
    width = pd.Series(width, index=cells.index, dtype=float)
    return AttackResult(
        reports=len(pub.reports),
        tables=len({c[0] for c in pub.cells}),
        csv_tables=pub.csv_tables,
        chart_datasets=pub.chart_datasets,
        hidden=len(hidden_cells),
        attacked=len(full),
        cells=cells,
        findings=cells[small & (width == 1)].reset_index(drop=True),
        ranges2=cells[small & (width == 2)].reset_index(drop=True),
        inconsistent=pd.DataFrame(
            inconsistent, columns=["table", "key", "column", "value", "shown_in", "hidden_in"]
        ),
        conflicts=pd.DataFrame(conflicts, columns=["table", "key", "column", "values"]),
        mismatches=pd.DataFrame(mismatches, columns=["table", "key", "column", "shown", "true"]),
        errors=errors,
        not_understood=list(pub.not_understood),
        harmless=harmless,
        seconds=time.perf_counter() - t0,
        threshold=threshold,
    )


def attack_reports(
    folder: str | Path, truth: dict[str, pd.DataFrame] | None = None, *, threshold: int = 10
) -> AttackResult:
    """:func:`read_reports` then :func:`attack` (the runtime covers both).

    Examples
    --------
    >>> attack_reports("reports/", known_totals(data)).safe                # doctest: +SKIP
    True
    """
    t0 = time.perf_counter()
    return attack(read_reports(folder), truth, threshold=threshold, start=t0)


def main(argv: list[str] | None = None) -> int:
    """``python -m saz_geboortezorg.disclosure.attack REPORTS [DATA] [--threshold T] [--json]``.

    Exit status 0 when safe, 1 when anything is found, 2 on a usage error.

    >>> main(["/nonexistent/reports"])
    2
    """
    import argparse

    p = argparse.ArgumentParser(
        prog="python -m saz_geboortezorg.disclosure.attack",
        description="Attack a folder of built reports (with --exports) by differencing.",
    )
    p.add_argument("reports", type=Path)
    p.add_argument("data", type=Path, nargs="?", help="the extracts, for the line totals")
    p.add_argument("--threshold", type=int, default=10)
    p.add_argument("--unit", default="region", choices=sorted(_UNIT_COLUMNS))
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    import sys

    from saz_geboortezorg.errors import SazError

    try:
        truth = None
        if args.data is not None:
            from saz_geboortezorg.derive.tables import load

            truth = known_totals(load(args.data), unit=args.unit)
        result = attack_reports(args.reports, truth, threshold=args.threshold)
    except SazError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        cols = ["table", "key", "column", "true", "lo", "hi", "why"]
        print(
            json.dumps(
                {
                    "safe": result.safe,
                    "findings": result.findings[cols].to_dict("records"),
                    "ranges2": result.ranges2[cols].to_dict("records"),
                    "inconsistent": len(result.inconsistent),
                    "errors": result.errors,
                },
                default=str,
                indent=2,
            )
        )
    else:
        print(result.summary())
    return 0 if result.safe else 1


if __name__ == "__main__":
    raise SystemExit(main())
