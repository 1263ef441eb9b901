"""Cost per pregnancy from the claims: first and second line, care phase, product groups.

The loader already attaches cost columns to ``women`` (``cost_first_line``,
``cost_second_line``, ``cost_pregnancy``, ``cost_birth``, ``cost_postpartum``,
``cost_total``; see :mod:`saz_geboortezorg.io.link`). This module checks them against
the claims, adds the split by care product (zorgproduct group), reports the claims
that could not be linked to a birth, and summarises cost per unit with intervals.
Every euro of the claims file is accounted for: the total over women plus the
unlinked claims equals the total of all claims.

A pregnancy without any linked claim has unknown costs (NaN), not EUR 0: it is left
out of the means (the cost indicator excludes it as 'no claims linked') and the
summaries count it per unit (``n_without_claims``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SazError
from saz_geboortezorg.expressions import evaluate
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import attribution_for, indicator_outcome, resolve_unit
from saz_geboortezorg.result import Result
from saz_geboortezorg.stats.intervals import wilson

__all__ = [
    "PregnancyCosts",
    "CostSummary",
    "CostDrivers",
    "cost_per_pregnancy",
    "cost_population",
    "cost_summary",
    "cost_drivers",
    "driver_flags",
    "DRIVERS",
    "LINE_COLUMNS",
    "PHASE_COLUMNS",
]

#: Cost columns of ``women`` per line of care and per care phase (zorgfase).
LINE_COLUMNS = {1: "cost_first_line", 2: "cost_second_line"}
PHASE_COLUMNS = {
    "zwangerschap": "cost_pregnancy",
    "baring": "cost_birth",
    "kraambed": "cost_postpartum",
}

#: Cost drivers (kostendrijvers): name -> label (flags made by :func:`driver_flags`).
DRIVERS: dict[str, str] = {
    "caesarean": "Caesarean section",
    "induction": "Induction of labour",
    "instrumental": "Instrumental vaginal birth",
    "epidural": "Epidural",
    "postpartum_admission": "Postpartum hospital admission",
    "nicu": "NICU admission",
    "second_line_birth": "Birth in the second line",
}

#: Cents of rounding allowed between the loader's columns and the claims.
_TOLERANCE = 0.01


@dataclass(repr=False)
class PregnancyCosts(Result):
    """Costs per pregnancy, reconciled with the claims (from :func:`cost_per_pregnancy`).

    A result: ``summary()`` reports the reconciliation, ``chart()`` the mean cost per
    pregnancy by care product group, ``to_dict()`` the reconciliation and the table
    (not ``long`` nor ``unlinked``, which are claim-level detail).

    Attributes
    ----------
    table : DataFrame
        One row per pregnancy (the rows of ``women``, same order): ``pregnancy_id``,
        ``hospital_id``, ``region_id``, ``practice_id``, ``booking_hospital_id``,
        ``booking_region_id``, ``n_claims``, the loader's
        cost columns (``cost_first_line``, ``cost_second_line``, ``cost_pregnancy``,
        ``cost_birth``, ``cost_postpartum``, ``cost_total``) and one column per care
        product group, ``product_<zorgproduct>`` (lower case). Every cost column is
        NaN for a pregnancy without claims (``n_claims`` 0).
    long : DataFrame
        Tidy: ``pregnancy_id``, ``line`` (1, 2), ``phase`` (zorgfase), ``product``,
        ``n_claims``, ``cost``; one row per combination a pregnancy has claims for.
    unlinked : DataFrame
        The claims not linked to a birth, with the loader's ``reason``.
    reconciliation : DataFrame
        ``part`` (all claims, linked to a pregnancy, not linked), ``n_claims``, ``cost``.
    """

    table: pd.DataFrame
    long: pd.DataFrame
    unlinked: pd.DataFrame
    reconciliation: pd.DataFrame

    _json_exclude = ("long", "unlinked")

    def summary(self) -> str:
        """Plain text: pregnancies with and without claims, and where the claims went."""
        with_claims = int((self.table["n_claims"] > 0).sum())
        n = len(self.table)
        rec = self.reconciliation.set_index("part")
        lines = [
            f"Cost per pregnancy: {n} pregnancies, {with_claims} with linked claims "
            f"({n - with_claims} without: cost unknown)",
            f"mean cost per pregnancy with claims: EUR {self.table['cost_total'].mean():,.0f}",
        ]
        for part in rec.index:
            lines.append(
                f"{part}: {int(rec.loc[part, 'n_claims'])} claims, EUR {rec.loc[part, 'cost']:,.0f}"
            )
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """Mean cost per pregnancy by care product group:
        :func:`saz_geboortezorg.present.value_chart.pregnancy_costs_chart`."""
        from saz_geboortezorg.present.value_chart import pregnancy_costs_chart

        return pregnancy_costs_chart(self, **options)


@dataclass(repr=False)
class CostSummary(Result):
    """Mean cost per pregnancy per unit, split by line and care phase (from
    :func:`cost_summary`).

    Attributes
    ----------
    table : DataFrame
        Tidy, one row per unit and part (see :func:`cost_summary`).
    unit : str or None
        The unit column the costs are counted against (None: all pregnancies).
    confidence : float
        Confidence level of the intervals of the mean (0.95).
    bootstrap_below : int
        Units with fewer pregnancies have bootstrap percentile intervals.
    bootstrap_draws : int
        Bootstrap resamples per unit.
    """

    table: pd.DataFrame
    unit: str | None = None
    confidence: float = 0.95
    bootstrap_below: int = 1000
    bootstrap_draws: int = 1000

    def summary(self) -> str:
        """Plain text: units, pregnancies and the range of the mean total cost.

        Examples
        --------
        >>> import pandas as pd
        >>> w = pd.DataFrame({"booking_hospital_id": ["A", "A", "B"], "ga_days": [280] * 3,
        ...     "cost_first_line": [100.0, 300.0, 0.0], "cost_second_line": [0.0, 200.0, 900.0],
        ...     "cost_pregnancy": [100.0, 100.0, 300.0], "cost_birth": [0.0, 300.0, 600.0],
        ...     "cost_postpartum": [0.0, 100.0, 0.0], "cost_total": [100.0, 500.0, 900.0]})
        >>> print(cost_summary(w, unit="hospital").summary())
        Mean cost per pregnancy per booking_hospital_id: 2 units, 3 pregnancies with claims
        mean total cost from EUR 300 (A) to EUR 900 (B)
        95% intervals: normal for units of 1000 pregnancies or more, bootstrap below
        """
        total = self.table[self.table["part"] == "total"].sort_values("mean", kind="stable")
        level = f"per {self.unit}" if self.unit else "of all pregnancies"
        lines = [
            f"Mean cost per pregnancy {level}: {len(total)} unit{'s' if len(total) != 1 else ''}, "
            f"{int(total['n'].sum())} pregnancies with claims"
        ]
        missing = int(total["n_without_claims"].sum())
        if missing:
            lines.append(f"{missing} pregnancies without linked claims left out (cost unknown)")
        if len(total):
            lo, hi = total.iloc[0], total.iloc[-1]
            lines.append(
                f"mean total cost from EUR {lo['mean']:,.0f} ({lo['unit']}) "
                f"to EUR {hi['mean']:,.0f} ({hi['unit']})"
            )
        lines.append(
            f"{self.confidence:.0%} intervals: normal for units of {self.bootstrap_below} "
            "pregnancies or more, bootstrap below"
        )
        return "\n".join(lines)

    def chart(self, split: str = "line", **options: Any) -> Any:
        """Stacked mean cost per unit by ``split`` (``line`` or ``phase``):
        :func:`saz_geboortezorg.present.value_chart.cost_summary_chart`."""
        from saz_geboortezorg.present.value_chart import cost_summary_chart

        return cost_summary_chart(self, split=split, **options)


@dataclass(repr=False)
class CostDrivers(Result):
    """Cost drivers per unit (from :func:`cost_drivers`).

    Attributes
    ----------
    table : DataFrame
        Tidy, one row per unit and driver (see :func:`cost_drivers`).
    unit : str or None
        The unit column the costs are counted against (None: all pregnancies).
    """

    table: pd.DataFrame
    unit: str | None = None

    def summary(self) -> str:
        """Plain text: per driver, its share of all pregnancies and the mean cost of
        pregnancies with and without it (all units together)."""
        t = self.table
        level = f"per {self.unit}" if self.unit else "of all pregnancies"
        lines = [f"Cost drivers {level}: {t['unit'].nunique()} units"]
        for driver, g in t.groupby("driver", sort=False):
            count, n = g["count"].sum(), g["n"].sum()
            with_ = (g["mean_cost_with"] * g["count"]).sum() / count if count else np.nan
            without = (g["mean_cost_without"] * (g["n"] - g["count"])).sum() / (n - count)
            lines.append(
                f"{DRIVERS[driver]}: {100 * count / n:.1f}% of pregnancies; mean cost "
                f"EUR {with_:,.0f} with, EUR {without:,.0f} without"
            )
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """Share of each driver and mean cost with and without it, per unit:
        :func:`saz_geboortezorg.present.value_chart.cost_drivers_chart`."""
        from saz_geboortezorg.present.value_chart import cost_drivers_chart

        return cost_drivers_chart(self, **options)


def _claims(data: Any) -> pd.DataFrame:
    sources = getattr(data, "sources", None)
    if not isinstance(sources, Mapping) or "dbc_declaraties" not in sources:
        raise SazError(
            "costs need the claims extract (dbc_declaraties): load a folder that has it "
            "with sg.load(...)"
        )
    return sources["dbc_declaraties"]


def cost_per_pregnancy(data: Any) -> PregnancyCosts:
    """Cost per pregnancy from the claims, by line, care phase and product group.

    The loader's cost columns of ``women`` are checked against the claims (to the
    cent) and reused; the split by care product is added from the claims.

    Parameters
    ----------
    data : Dataset
        A loaded dataset with the claims extract (``dbc_declaraties``).

    Returns
    -------
    PregnancyCosts

    Raises
    ------
    SazError
        Without a claims extract, or when the women's cost columns do not match the
        claims (a sign the data were changed after loading).

    Examples
    --------
    >>> import tempfile
    >>> import saz_geboortezorg as sg
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = generate(births=300, seed=1, progress=False).write(tmp.name)
    >>> costs = cost_per_pregnancy(sg.load(tmp.name))
    >>> rec = costs.reconciliation.set_index("part")["cost"]
    >>> bool(abs(rec["linked"] + rec["not linked"] - rec["all claims"]) < 0.01)
    True
    >>> bool(abs(costs.table["cost_total"].sum() - rec["linked"]) < 0.01)
    True
    >>> tmp.cleanup()
    """
    claims = _claims(data)
    women = data.women
    position = pd.Series(np.arange(len(women)), index=women["pregnancy_id"].astype("string"))
    position = position[~position.index.duplicated()]
    who = (
        claims["zwangerschap_id"]
        .astype("string")
        .map(position)
        .to_numpy(dtype="float64", na_value=np.nan)
    )
    linked = ~np.isnan(who)
    # a missing amount stays unknown in the pregnancy's costs; the reconciliation of the
    # claims file adds up the amounts that are there
    amount_or_nan = claims["tarief"].to_numpy(dtype="float64", na_value=np.nan)
    amount = np.nan_to_num(amount_or_nan, nan=0.0)
    idx = who[linked].astype("int64")
    n = len(women)
    n_claims = np.bincount(idx, minlength=n).astype("int64")
    without_claims = n_claims == 0

    def total(mask: np.ndarray | None = None) -> np.ndarray:
        a = amount_or_nan[linked]
        w = a if mask is None else np.where(mask[linked], a, 0.0)
        out = np.bincount(idx, weights=w, minlength=n)
        out[without_claims] = np.nan  # no claim linked: cost unknown, not 0
        return out

    line = claims["lijn"].to_numpy(dtype="float64", na_value=np.nan)
    phase = claims["zorgfase"].astype("string").fillna("").to_numpy(dtype=object)
    product = claims["zorgproduct"].astype("string").fillna("unknown").to_numpy(dtype=object)

    checks = {c: total(line == k) for k, c in LINE_COLUMNS.items()}
    checks |= {c: total(phase == k) for k, c in PHASE_COLUMNS.items()}
    checks["cost_total"] = total()
    for column, recomputed in checks.items():
        if column not in women.columns:
            raise SazError(f"women has no column {column!r}: load the data with sg.load(...)")
        given = women[column].to_numpy(dtype="float64", na_value=np.nan)
        bad = ~(
            (np.abs(given - recomputed) <= _TOLERANCE) | (np.isnan(given) & np.isnan(recomputed))
        )
        if bad.any():
            raise SazError(
                f"{column} of {int(bad.sum())} pregnancies does not match the claims "
                f"(first: {women['pregnancy_id'].iloc[np.flatnonzero(bad)[0]]}); "
                "were women or the claims changed after loading? Load the data again."
            )

    ids = (
        "pregnancy_id",
        "hospital_id",
        "region_id",
        "practice_id",
        "booking_hospital_id",
        "booking_region_id",
    )
    keep = [c for c in ids if c in women]
    table = women[keep].reset_index(drop=True).copy()
    table["n_claims"] = n_claims
    for column in [*LINE_COLUMNS.values(), *PHASE_COLUMNS.values(), "cost_total"]:
        table[column] = women[column].to_numpy(dtype="float64")
    for code in sorted(set(product)):
        table[f"product_{code.lower()}"] = total(product == code)

    lc = claims.loc[linked]
    long = (
        pd.DataFrame(
            {
                "pregnancy_id": women["pregnancy_id"].to_numpy()[idx],
                "line": lc["lijn"].to_numpy(),
                "phase": lc["zorgfase"].to_numpy(),
                "product": lc["zorgproduct"].to_numpy(),
                "cost": amount[linked],
            }
        )
        .groupby(["pregnancy_id", "line", "phase", "product"], observed=True, sort=True)
        .agg(n_claims=("cost", "size"), cost=("cost", "sum"))
        .reset_index()
    )

    unlinked = claims.loc[~linked].copy()
    excluded = getattr(data, "excluded", None)
    if excluded is not None and len(excluded):
        ex = excluded[excluded["source"] == "dbc_declaraties"]
        reason = pd.Series(ex["reason"].to_numpy(), index=ex["row_in_file"].to_numpy())
        unlinked["reason"] = reason.reindex(unlinked.index).fillna("not linked to a birth")
    else:
        unlinked["reason"] = "not linked to a birth"

    reconciliation = pd.DataFrame(
        {
            "part": ["all claims", "linked", "not linked"],
            "n_claims": [len(claims), int(linked.sum()), int((~linked).sum())],
            "cost": [amount.sum(), amount[linked].sum(), amount[~linked].sum()],
        }
    )
    return PregnancyCosts(table, long, unlinked, reconciliation)


def _population_mask(women: pd.DataFrame) -> np.ndarray:
    """Women in the cost indicator's population (births from 22+0 weeks, claims linked)."""

    mask, _ = indicator_outcome(women, get("cost_per_pregnancy"))
    return mask.to_numpy(bool)


def _without_claims_mask(women: pd.DataFrame) -> np.ndarray:
    """Women of the cost indicator's population whose cost is unknown (no claims linked).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"ga_days": [280, 280, 140], "cost_total": [900.0, None, None]})
    >>> _without_claims_mask(w).tolist()
    [False, True, False]
    """

    population = evaluate(get("cost_per_pregnancy").population, women).to_numpy(bool)
    unknown = pd.to_numeric(women["cost_total"], errors="coerce").isna().to_numpy()
    return population & unknown


def cost_population(women: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``women`` in the cost indicator's population (births from 22+0 weeks,
    claims linked); :mod:`saz_geboortezorg.compare.value` fits its cost model on them."""
    return women.loc[_population_mask(women)]


def _unit_column(by: str | None, columns, attribution: str | None = None) -> str | None:
    """The unit column of costs: by default the cost indicator's attribution (booking:
    a pregnancy's costs count against the unit where its care started)."""

    return resolve_unit(by, columns, attribution_for(get("cost_per_pregnancy"), attribution))


def _units(women: pd.DataFrame, column: str | None) -> pd.Series:
    """Unit label per woman; a missing unit is ``unknown`` (as in the case-mix tables)."""
    if column is None:
        return pd.Series("all", index=women.index, dtype="string")
    return women[column].astype("string").fillna("unknown")


def _check_costs(costs: PregnancyCosts, women: pd.DataFrame) -> None:
    """``costs`` must come from the same data: one row per woman, same pregnancies."""
    ids = women["pregnancy_id"].astype("string").to_numpy()
    given = costs.table["pregnancy_id"].astype("string").to_numpy()
    if len(given) != len(ids) or not (given == ids).all():
        raise SazError(
            "costs do not belong to these data (other pregnancies or another order): "
            "compute them with cost_per_pregnancy(data) on the same dataset"
        )


#: Two-sided 95% standard normal quantile, ``scipy.stats.norm.ppf(0.975)`` (a test
#: checks it against :func:`saz_geboortezorg.stats.intervals.z_value`). A constant so
#: that :func:`cost_summary` does not import ``scipy.stats`` (about 3 s on first use).
_Z95 = 1.959963984540054

#: (split, part) of :func:`cost_summary` -> cost column of ``women``.
_SUMMARY_PARTS = {
    ("total", "total"): "cost_total",
    ("line", "first_line"): "cost_first_line",
    ("line", "second_line"): "cost_second_line",
    ("phase", "pregnancy"): "cost_pregnancy",
    ("phase", "birth"): "cost_birth",
    ("phase", "postpartum"): "cost_postpartum",
}


@renamed_arguments(by="unit")
def cost_summary(
    data: Any, unit: str | None = "hospital", *, costs: PregnancyCosts | None = None
) -> CostSummary:
    """Mean cost per pregnancy per unit, in total and split by line and care phase.

    The population is that of the ``cost_per_pregnancy`` indicator (births from 22+0
    weeks with claims). Intervals are 95% intervals of the mean: normal approximation
    (``mean +- 1.96 sd / sqrt(n)``) for units of at least :data:`BOOTSTRAP_BELOW`
    pregnancies, and bootstrap percentile intervals (seeded, :data:`BOOTSTRAP_DRAWS`
    resamples, the same resamples for every part) for smaller units, whose mean cost is
    too skewed for the normal one (a practice of 159 pregnancies: skewness 9). Column
    ``interval`` says which. The parts of a split add up to the total.

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded dataset or its ``women`` table.
    unit : str or None
        ``hospital``, ``region``, ``practice``, a column, or ``None``/``all`` (overall).
    costs : PregnancyCosts, optional
        The result of :func:`cost_per_pregnancy` for the same data. When given, the
        cost columns are read from its (claims-reconciled) ``table``, so a notebook
        uses one cost table throughout; the numbers are the same as without it.

    Returns
    -------
    CostSummary
        ``table``, tidy: ``unit``, ``split`` (``total``, ``line``, ``phase``), ``part``
        (``total``, ``first_line``, ``second_line``, ``pregnancy``, ``birth``,
        ``postpartum``), ``n`` (pregnancies with claims), ``n_without_claims``
        (pregnancies of the population without any linked claim: their cost is
        unknown, so they are not in ``n`` nor in the mean), ``mean``, ``sd``,
        ``lcl95``, ``ucl95``, ``interval`` (``normal`` or ``bootstrap``), ``share`` (of
        the unit's mean total).

    Raises
    ------
    SazError
        When ``costs`` has other pregnancies (or another order) than the women.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"booking_hospital_id": ["A", "A", "B"], "ga_days": [280, 280, 280],
    ...     "cost_first_line": [100.0, 300.0, 0.0], "cost_second_line": [0.0, 200.0, 900.0],
    ...     "cost_pregnancy": [100.0, 100.0, 300.0], "cost_birth": [0.0, 300.0, 600.0],
    ...     "cost_postpartum": [0.0, 100.0, 0.0], "cost_total": [100.0, 500.0, 900.0]})
    >>> s = cost_summary(w, unit="hospital").table
    >>> s[(s.unit == "A") & s.part.isin(["total", "first_line"])][["part", "mean"]].values.tolist()
    [['total', 300.0], ['first_line', 200.0]]
    """
    women = data.women if hasattr(data, "women") else data
    columns = list(_SUMMARY_PARTS.values())
    if costs is not None:
        _check_costs(costs, women)
        source = costs.table
    else:
        source = women
    mask = _population_mask(women)
    no_claims = _without_claims_mask(women)
    values = pd.DataFrame(
        {c: source[c].to_numpy(dtype="float64", na_value=np.nan)[mask] for c in columns}
    )
    row_unit = _units(women, _unit_column(unit, women.columns))
    row_unit = pd.Series(row_unit.to_numpy()[mask], dtype="string", name="unit")
    # one grouped pass over all six cost columns (the same kernels as column by column)
    stats = values.groupby(row_unit, sort=True).agg(["size", "mean", "std"])
    frames = []
    for (split, part), col in _SUMMARY_PARTS.items():
        s = stats[col].rename(columns={"size": "n", "std": "sd"})
        half = _Z95 * s["sd"] / np.sqrt(s["n"])
        s["lcl95"] = s["mean"] - half
        s["ucl95"] = s["mean"] + half
        s.insert(0, "part", part)
        s.insert(0, "split", split)
        frames.append(s.reset_index())
    out = pd.concat(frames, ignore_index=True)
    out["interval"] = "normal"
    _bootstrap_small_units(out, values, row_unit, columns)
    totals = stats[("cost_total", "mean")]
    out["share"] = out["mean"] / out["unit"].map(totals)
    all_units = _units(women, _unit_column(unit, women.columns)).to_numpy()
    counts = pd.Series(no_claims.astype("int64"), dtype="int64").groupby(all_units).sum()
    out["n_without_claims"] = out["unit"].map(counts).fillna(0).astype("int64")
    keep = ["unit", "split", "part", "n", "n_without_claims", "mean", "sd", "lcl95"]
    keep += ["ucl95", "interval", "share"]
    return CostSummary(
        out[keep],
        unit=_unit_column(unit, women.columns),
        bootstrap_below=BOOTSTRAP_BELOW,
        bootstrap_draws=BOOTSTRAP_DRAWS,
    )


#: Units with fewer pregnancies get bootstrap percentile intervals of the mean cost.
BOOTSTRAP_BELOW = 1000
#: Bootstrap resamples per unit (seeded: the same intervals on every run).
BOOTSTRAP_DRAWS = 1000


def _bootstrap_small_units(
    out: pd.DataFrame, values: pd.DataFrame, unit: pd.Series, columns: list[str]
) -> None:
    """Replace the normal intervals of units under :data:`BOOTSTRAP_BELOW` pregnancies
    by bootstrap percentile intervals (in place)."""
    rng = np.random.default_rng(20261206)
    part_of = {c: p for (_, p), c in _SUMMARY_PARTS.items()}
    found: dict[tuple[str, str], tuple[float, float]] = {}
    labels = unit.to_numpy()
    matrix = values[columns].to_numpy(dtype=float)
    for u in pd.unique(labels):
        rows = np.flatnonzero(labels == u)
        n = len(rows)
        if n >= BOOTSTRAP_BELOW or n < 2:
            continue
        draws = rng.integers(0, n, size=(BOOTSTRAP_DRAWS, n))
        # how often each pregnancy is drawn in each resample, then all parts at once
        offset = (np.arange(BOOTSTRAP_DRAWS)[:, None] * n + draws).ravel()
        counts = np.bincount(offset, minlength=BOOTSTRAP_DRAWS * n).reshape(-1, n)
        means = counts @ np.nan_to_num(matrix[rows]) / n  # (draws, parts)
        lo, hi = np.quantile(means, [0.025, 0.975], axis=0)
        for k, col in enumerate(columns):
            found[(u, part_of[col])] = (lo[k], hi[k])
    if not found:
        return
    keys = list(zip(out["unit"], out["part"], strict=True))
    hit = np.array([k in found for k in keys])
    bounds = np.array([found[k] for k in keys if k in found])
    out.loc[hit, "lcl95"] = bounds[:, 0]
    out.loc[hit, "ucl95"] = bounds[:, 1]
    out.loc[hit, "interval"] = "bootstrap"


def driver_flags(women: pd.DataFrame, costs: PregnancyCosts | None = None) -> pd.DataFrame:
    """0/1 flags of the cost drivers per woman (columns named as in :data:`DRIVERS`).

    ``postpartum_admission`` comes from the claims (a ``ZH_KRAAMBED_OPNAME`` claim):
    pass ``costs`` (from :func:`cost_per_pregnancy`, same rows as ``women``) or a
    ``women`` table with a ``product_zh_kraambed_opname`` column; otherwise it is left
    out. The other flags come from the registry.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"cs": [1, 0], "onset": ["prelabour_cs", "induced"],
    ...     "mode": ["prelabour_cs", "vacuum"], "pain_relief_method": ["none", "epidural"],
    ...     "nicu": [0.0, 1.0], "line_at_birth": [2, 2]})
    >>> driver_flags(w).astype(int).values.tolist()
    [[1, 0, 0, 0, 0, 1], [0, 1, 1, 1, 1, 1]]
    """

    def eq(col: str, value: Any) -> pd.Series:
        return women[col].eq(value).fillna(False).astype(bool)

    flags = {
        "caesarean": women["cs"].eq(1).fillna(False).astype(bool),
        "induction": eq("onset", "induced"),
        "instrumental": women["mode"].isin(["vacuum", "forceps"]).fillna(False).astype(bool),
        "epidural": eq("pain_relief_method", "epidural"),
    }
    admission = None
    if costs is not None and "product_zh_kraambed_opname" in costs.table:
        admission = costs.table["product_zh_kraambed_opname"].to_numpy() > 0
    elif "product_zh_kraambed_opname" in women:
        admission = women["product_zh_kraambed_opname"].to_numpy() > 0
    if admission is not None:
        flags["postpartum_admission"] = pd.Series(admission, index=women.index)
    flags["nicu"] = eq("nicu", 1)
    flags["second_line_birth"] = eq("line_at_birth", 2)
    return pd.DataFrame(flags, index=women.index)


@renamed_arguments(by="unit")
def cost_drivers(
    data: Any, unit: str | None = "hospital", *, costs: PregnancyCosts | None = None
) -> CostDrivers:
    """Cost drivers per unit: share of women with each, and mean cost with and without.

    Drivers (kostendrijvers, :data:`DRIVERS`): caesarean, induction, instrumental
    birth, epidural, postpartum admission (from the claims), NICU admission and birth
    in the second line. The population is that of the ``cost_per_pregnancy`` indicator.

    Parameters
    ----------
    data : Dataset
        A loaded dataset with the claims extract.
    unit : str or None
        ``hospital``, ``region``, ``practice``, a column, or ``None``/``all``.
    costs : PregnancyCosts, optional
        The result of :func:`cost_per_pregnancy` for the same data, if already
        computed (saves reconciling the claims again, about a second on 60,000
        births); the result is the same.

    Returns
    -------
    CostDrivers
        ``table``, tidy: ``unit``, ``driver``, ``label``, ``n``, ``count``, ``share`` (with Wilson
        ``share_lcl95``, ``share_ucl95``), ``overall_share`` (all units together),
        ``mean_cost`` (all women of the unit), ``mean_cost_with``,
        ``mean_cost_without`` and ``cost_share`` (share of the unit's total cost spent
        on pregnancies with the driver).

    Raises
    ------
    SazError
        When ``costs`` has other pregnancies (or another order) than the women.

    Examples
    --------
    >>> import tempfile
    >>> import saz_geboortezorg as sg
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = generate(births=300, seed=1, progress=False).write(tmp.name)
    >>> data = sg.load(tmp.name)
    >>> costs = cost_per_pregnancy(data)
    >>> d = cost_drivers(data, unit=None, costs=costs)
    >>> cs = d.table.set_index("driver").loc["caesarean"]
    >>> bool(cs["mean_cost_with"] > cs["mean_cost_without"])
    True
    >>> tmp.cleanup()
    """

    women = data.women.reset_index(drop=True)
    if costs is None:
        costs = cost_per_pregnancy(data)
    else:
        _check_costs(costs, women)
    flags = driver_flags(women, costs)
    mask = _population_mask(women)
    women, flags = women.loc[mask], flags.loc[mask]
    row_unit = _units(women, _unit_column(unit, women.columns)).rename("unit")
    cost = women["cost_total"].astype("float64")
    # one wide frame, grouped once: per driver the flag, and the cost with / without it
    wide = {"c": cost}
    for driver in flags.columns:
        f = flags[driver]
        wide[f"f_{driver}"] = f.astype("int64")
        wide[f"cw_{driver}"] = cost.where(f)
        wide[f"co_{driver}"] = cost.where(~f)
    grouped = pd.DataFrame(wide).groupby(row_unit, sort=True)
    sums, means, size = grouped.sum(), grouped.mean(), grouped.size()
    rows = []
    for driver in flags.columns:
        f = flags[driver]
        g = pd.DataFrame(
            {
                "n": size,
                "count": sums[f"f_{driver}"],
                "mean_cost": means["c"],
                "mean_cost_with": means[f"cw_{driver}"],
                "mean_cost_without": means[f"co_{driver}"],
                "cost_with": sums[f"cw_{driver}"],
                "cost_all": sums["c"],
            }
        )
        g.insert(0, "label", DRIVERS[driver])
        g.insert(0, "driver", driver)
        g["share"] = g["count"] / g["n"]
        lo, hi = wilson(g["count"].to_numpy(), g["n"].to_numpy())
        g["share_lcl95"], g["share_ucl95"] = lo, hi
        g["overall_share"] = f.mean()
        g["cost_share"] = g["cost_with"] / g["cost_all"]
        rows.append(g.reset_index())
    out = pd.concat(rows, ignore_index=True)
    columns = ["unit", "driver", "label", "n", "count", "share", "share_lcl95", "share_ucl95"]
    columns += ["overall_share", "mean_cost", "mean_cost_with", "mean_cost_without"]
    columns += ["cost_share"]
    return CostDrivers(out[columns], unit=_unit_column(unit, women.columns))
