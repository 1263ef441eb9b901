"""Small-number protection of the all-unit report tables, once, before any report is drawn.

Each table is protected across **all** units at once (a region's report shows its own row
next to every other region, and all 17 reports are shared), so a hidden cell is hidden in
every report and the secondary cells are the same everywhere. Lines whose totals are known:

- benchmark: per indicator, the units (the all-units total is the target rate's base);
- Robson table: per unit across groups and per group across units (two-way);
- rates by SES quintile: per indicator and unit across quintiles, and per indicator and
  quintile across units (two-way; the all-units row is the margin and is shown);
- value view: the units; trends: per indicator and unit across quarters, and per indicator
  and quarter across units (two-way).

Funnel plots and charts only get what survived: a unit whose count is hidden is left out of
the funnel plot, and the report refits each funnel on the shown units only
(:func:`saz_geboortezorg.report.build.shown_only`), so its phi, tau², target and limits do not
depend on a hidden count; a trend chart of a unit with a hidden quarter has no centre line or
limits.

Examples
--------
>>> from saz_geboortezorg.report.protect import protect          # doctest: +SKIP
>>> shared = protect(analysis, threshold=10)                      # doctest: +SKIP
>>> shared.summary()[:1]                                          # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from saz_geboortezorg.disclosure import Disclosure, Protected, suppress
from saz_geboortezorg.disclosure.benchmark import protect_benchmark

__all__ = ["Shared", "protect", "protect_benchmark"]

_RATE_COLS = ("rate", "wilson_lcl", "wilson_ucl")


@dataclass
class Shared:
    """The protected tables every report draws from (see :func:`protect`)."""

    threshold: int
    benchmark: pd.DataFrame
    funnels: dict[str, Any]
    robson: pd.DataFrame
    groups: pd.DataFrame
    equity: pd.DataFrame
    value: Any
    trends: pd.DataFrame
    exclusions: pd.DataFrame
    protected: list[Protected] = field(default_factory=list)
    hidden: dict[str, pd.DataFrame] = field(default_factory=dict)
    benchmark_result: Any = None

    def summary(self) -> list[str]:
        """One plain-words sentence per protected table."""
        return [p.describe() for p in self.protected]

    def log(self) -> pd.DataFrame:
        """Every hidden value (table, row, column, kind, reason), never the value itself."""
        frames = [p.log_frame() for p in self.protected]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _benchmark(
    table: pd.DataFrame, threshold: int, force: pd.DataFrame | None = None
) -> list[Protected]:
    return protect_benchmark(table, threshold, force)


def _protect_equity(equity: pd.DataFrame, groups: pd.DataFrame, hidden: pd.DataFrame) -> Protected:
    """Hide the gap and inequality indices of a unit whose quintile table has a hidden cell.

    The gap, SII and RII are computed from all quintile rates of a unit: with the other
    rates shown, one hidden rate could be solved from them. So they go whenever any cell of
    that unit and indicator is hidden; ``n_most`` / ``n_least`` (group sizes) whenever
    that group's size is hidden.
    """

    groups = groups.reset_index(drop=True)
    hidden = hidden.reset_index(drop=True)
    any_hidden = hidden[["denominator", "numerator"]].any(axis=1)
    touched = set(
        zip(groups.loc[any_hidden, "indicator"], groups.loc[any_hidden, "unit"], strict=True)
    )
    size_hidden = set(
        zip(
            groups.loc[hidden["denominator"], "indicator"],
            groups.loc[hidden["denominator"], "unit"],
            groups.loc[hidden["denominator"], "group"].astype(str),
            strict=True,
        )
    )
    t = equity.reset_index(drop=True).copy()
    mask = pd.DataFrame(False, index=t.index, columns=t.columns)
    derived = [
        c
        for c in t.columns
        if c.startswith(("rate_", "difference", "ratio", "sii", "rii", "mean_rate"))
    ]
    log = []
    for i, row in t.iterrows():
        if (row["indicator"], row["unit"]) in touched:
            mask.loc[i, derived] = True
        for col, g in (("n_most", "1"), ("n_least", "5")):
            if col in t.columns and (row["indicator"], row["unit"], g) in size_hidden:
                mask.loc[i, col] = True
        for col in mask.columns[mask.loc[i]]:
            log.append(
                Disclosure(
                    "gap and slope index by SES",
                    f"{row['unit']}, {row['indicator']}",
                    col,
                    "forced" if col.startswith("n_") else "derived",
                )
            )
    for col in mask.columns:
        if mask[col].any():
            t[col] = t[col].astype(float).mask(mask[col])
    return Protected(t, mask, log, name="gap and slope index by SES")


def _robson(robson: pd.DataFrame, threshold: int, force: pd.DataFrame | None) -> Protected:
    return suppress(
        robson,
        ["women", "cs"],
        lines=[("unit",), ("group",)],
        denominators={"cs": "women"},
        derived={
            "relative_size_pct": ["women"],
            "cs_rate_pct": ["cs", "women"],
            "contribution_pct": ["cs", "women"],
            "share_of_cs_pct": ["cs", "women"],
        },
        force=force,
        threshold=threshold,
        name="Robson table",
        label=["unit", "group"],
    )


def _linked(bench: pd.DataFrame, robson: pd.DataFrame) -> list[tuple[int, int]]:
    """(benchmark row, Robson row) pairs holding the same counts: ``cs_robson_<g>`` of a unit
    is Robson group g of that unit (n = women, observed = caesareans)."""
    where = {
        (str(u), str(g)): i
        for i, (u, g) in enumerate(zip(robson["unit"], robson["group"], strict=True))
    }
    pairs = []
    for i, (ind, u) in enumerate(zip(bench["indicator"], bench["unit"], strict=True)):
        if str(ind).startswith("cs_robson_"):
            g = str(ind)[len("cs_robson_") :].replace("_", ".")
            if (str(u), g) in where:
                pairs.append((i, where[(str(u), g)]))
    return pairs


def _benchmark_and_robson(analysis: Any, threshold: int) -> tuple[list[Protected], Protected]:
    """Protect the benchmark and the Robson table so that the counts they share (Robson group
    1 women = ``n`` of ``cs_robson_1``) are hidden alike: a cell hidden in one is forced in
    the other, repeated until neither changes (issue 14, leak 5).

    Examples
    --------
    >>> bench, robson = _benchmark_and_robson(analysis, 10)          # doctest: +SKIP
    """
    table = analysis.benchmark.table.reset_index(drop=True)
    rob = analysis.robson.reset_index(drop=True)
    pairs = _linked(table, rob)
    force_b = pd.DataFrame(False, index=table.index, columns=["n", "observed"])
    force_r = pd.DataFrame(False, index=rob.index, columns=["women", "cs"])
    for _ in range(6):
        bench = _benchmark(table, threshold, force_b)
        hb = pd.concat(
            [p.hidden.set_index(idx) for p, idx in zip(bench, _parts_index(table), strict=True)]
        ).sort_index()
        robson = _robson(rob, threshold, force_r)
        changed = False
        for i, j in pairs:
            for cb, cr in (("n", "women"), ("observed", "cs")):
                hidden = bool(hb.loc[i, cb]) or bool(robson.hidden.loc[j, cr])
                if hidden and not (force_b.loc[i, cb] and force_r.loc[j, cr]):
                    force_b.loc[i, cb] = force_r.loc[j, cr] = True
                    changed = True
        if not changed:
            break
    return bench, robson


def _parts_index(table: pd.DataFrame) -> list[pd.Index]:
    """Row positions of the count part and the euro part of the benchmark (as in _benchmark)."""
    euro = (table["measure"] == "euro").to_numpy()
    parts = [table.index[~euro]]
    if euro.any():
        parts.append(table.index[euro])
    return parts


def protect(analysis: Any, threshold: int = 10) -> Shared:
    """Protect every table of an :class:`~saz_geboortezorg.report.analysis.Analysis`.

    Parameters
    ----------
    analysis : Analysis
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden.

    Returns
    -------
    Shared
        Protected tables, funnel results without hidden units, and the suppression log.

    Examples
    --------
    >>> shared = protect(analysis, threshold=10)                      # doctest: +SKIP
    """
    protected: list[Protected] = []
    bench, robson = _benchmark_and_robson(analysis, threshold)
    protected += bench
    bench_table = pd.concat([p.table for p in bench], ignore_index=True)
    hidden_bench = pd.concat([p.hidden for p in bench], ignore_index=True)
    hidden_obs = hidden_bench
    hidden_pairs = set(
        zip(
            bench_table.loc[hidden_obs["observed"].to_numpy(), "indicator"],
            bench_table.loc[hidden_obs["observed"].to_numpy(), "unit"],
            strict=True,
        )
    )
    funnels = {}
    for ind, result in analysis.benchmark.funnels.items():
        keep = [(ind, str(g)) not in hidden_pairs for g in result.table["group"]]
        funnels[ind] = dataclasses.replace(result, table=result.table[keep].reset_index(drop=True))

    protected.append(robson)

    group_tables, group_hidden = [], []
    for theme, part in analysis.groups.groupby("theme", sort=False):
        p = suppress(
            part,
            ["denominator", "numerator"],
            lines=[("indicator", "unit"), ("indicator", "group")],
            denominators={"numerator": "denominator"},
            derived={c: ["numerator", "denominator"] for c in _RATE_COLS},
            threshold=threshold,
            name={"pain": "pain relief by SES quintile"}.get(
                theme, "outcomes by SES quintile (vulnerable women)"
            ),
            label=["unit", "indicator", "group"],
        )
        protected.append(p)
        group_tables.append(p.table)
        group_hidden.append(p.hidden)

    equity = _protect_equity(analysis.equity, analysis.groups, pd.concat(group_hidden))
    protected.append(equity)

    view = analysis.value
    vt = view.table
    value_derived = {
        c: ["outcome_events", "outcome_n"]
        for c in vt.columns
        if c.startswith("outcome_") and c not in ("outcome_n", "outcome_events")
    }
    value_derived.update(
        {c: ["cost_n"] for c in vt.columns if c.startswith(("cost_", "adjusted_"))}
    )
    value_derived.pop("cost_n", None)
    value_derived["quadrant"] = ["outcome_events", "outcome_n", "cost_n"]
    pv = suppress(
        vt,
        ["outcome_n", "outcome_events", "cost_n"],
        denominators={"outcome_events": "outcome_n"},
        derived=value_derived,
        threshold=threshold,
        name="outcomes against costs",
        label=["unit"],
    )
    protected.append(pv)
    shown = ~pv.hidden[["outcome_events", "outcome_n", "cost_n"]].any(axis=1).to_numpy()
    value = dataclasses.replace(view, table=pv.table[shown].reset_index(drop=True))

    trends = suppress(
        analysis.trends,
        ["n", "events"],
        lines=[("indicator", "unit"), ("indicator", "period")],
        denominators={"events": "n"},
        # control limits (and the centre line and signals drawn from them) depend on the
        # quarter's n and events: hidden with them
        derived={
            c: ["events", "n"]
            for c in analysis.trends.columns
            if c in ("rate", "z", "signal", "rules") or c.startswith(("centre", "lcl", "ucl"))
        },
        threshold=threshold,
        name="trends per quarter",
        label=["unit", "indicator", "period"],
    )
    protected.append(trends)

    exclusions = suppress(
        analysis.exclusions,
        ["records"],
        threshold=threshold,
        name="records excluded at linkage",
        label=["source", "reason"],
    )
    protected.append(exclusions)
    result = dataclasses.replace(analysis.benchmark, table=bench_table, funnels=funnels)
    return Shared(
        benchmark_result=result,
        threshold=threshold,
        benchmark=bench_table,
        funnels=funnels,
        robson=robson.table,
        groups=pd.concat(group_tables, ignore_index=True),
        equity=equity.table,
        value=value,
        trends=trends.table,
        exclusions=exclusions.table,
        protected=protected,
        hidden={
            "benchmark": hidden_bench,
            "robson": robson.hidden,
            "groups": pd.concat(group_hidden, ignore_index=True),
            "value": pv.hidden[shown].reset_index(drop=True),
            "equity": equity.hidden,
            "trends": trends.hidden,
            "exclusions": exclusions.hidden,
        },
    )
