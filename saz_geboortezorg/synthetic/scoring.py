"""Score a benchmark against the generator's truth: false verdicts and found outliers.

The synthetic data have a known truth (``truth.json``): every outcome model's true
hospital effects (log odds, by hospital id, zero-mean random effects plus the deliberate
outliers) and the list of deliberate outliers. This module joins the cells of a
:func:`saz_geboortezorg.benchmark` result (one row per indicator and unit) to that truth,
so that one can count

- **false verdicts**: verdicts (an assessment other than ``within``) on cells whose true
  hospital effect is zero, to be compared with the rate the limits promise (0.2% at
  two-sided 99.8% limits, 5% at 95% limits);
- **found outliers**: deliberate outliers whose cell lies outside the limits in the true
  direction (``flag95``: outside the 95% limits; at the verdict level: a verdict).

It is shared by the truth harness (``python benchmarks/run.py truth``) and the acceptance
test of issue 12 (``tests/compare/test_truth_acceptance.py``).

Which generator outcome drives an indicator (:data:`TRUTH_MAP`)
----------------------------------------------------------------
An indicator is mapped to the generator outcome(s) it counts (the keys of
``truth["hospital_effects"]``, the models of ``parameters.yaml``): ``cs_robson_1`` counts
caesareans of women in spontaneous labour, so only the ``intrapartum_cs`` model's hospital
effect acts on it; overall ``cs`` counts prelabour and intrapartum caesareans. A cell is
*null* when every outcome of its indicator has a true effect of exactly zero at that
hospital (outcomes with ``hospital_sd: 0`` and no outlier: preterm birth, perinatal
death, NICU admission), otherwise *non-null*. An empty tuple means the generator draws the
outcome without any hospital term (birth weight, hence SGA). Indicators missing from the
map (composites, the care path, cost, pain relief other than epidural) have no clear
counterpart: their truth is *unknown* and they are not scored.

The map counts direct effects only. A hospital effect also reaches some indicators
through a covariate of another model: episiotomy rises with instrumental birth, low Apgar
with caesarean and instrumental birth, NICU admission with low Apgar, induction and
epidural with hospital policies (``hospital_features``). The only such path into an
indicator the map calls null is NICU admission of term babies through low Apgar (hospital
sd 0.2, odds ratio exp(2.5)): about a tenth of term NICU admissions follow a low Apgar
(10.5% in the default dataset), so a hospital two standard deviations from the mean has
about 5% more term NICU admissions, far inside the funnel's limits for the 5 to 40
admissions a hospital has in 60,000 births.

Truth effects are those of the **birth** hospital (where the generator adds them). Under
booking attribution a cell is the booking hospital; for the null outcomes that does not
matter (zero everywhere), and the deliberate outliers all sit on birth-attributed
indicators.

Examples
--------
A two-hospital truth, a benchmark with a verdict on a null cell and an outlier found:

>>> import pandas as pd
>>> from saz_geboortezorg.compare.benchmark import BenchmarkResult
>>> truth = {"hospital_effects": {"preterm": {"ZH01": 0.0, "ZH02": 0.0},
...                               "pph": {"ZH01": 0.7, "ZH02": -0.1}},
...          "outliers": [{"outcome": "pph", "effect": 0.65, "label": "more PPH",
...                        "hospital_id": "ZH01"}]}
>>> table = pd.DataFrame({
...     "indicator": ["preterm", "preterm", "pph", "pph"], "unit": ["ZH01", "ZH02"] * 2,
...     "flag95": ["higher", "within", "higher", "within"],
...     "flag998": ["higher", "within", "within", "within"],
...     "assessment": ["worse", "within", "within", "within"]})
>>> result = BenchmarkResult(table, "hospital", (95.0, 99.8), True, True)
>>> cells = score_cells(result, truth)
>>> cells[["indicator", "unit", "truth", "verdict", "outlier", "found95"]].values.tolist()
[['preterm', 'ZH01', 'null', True, '', False], ['preterm', 'ZH02', 'null', False, '', False], \
['pph', 'ZH01', 'non-null', False, 'higher', True], ['pph', 'ZH02', 'non-null', False, '', False]]
>>> verdict_level(result)
99.8
>>> s = summarise(cells, verdict_level(result)).set_index("indicator")
>>> s.loc["preterm", ["null_judged", "false_verdicts", "false_outside95"]].tolist()
[2, 1, 1]
>>> s.loc["pph", ["outliers", "found95", "found_verdict"]].tolist()
[1, 1, 0]
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.benchmark import BenchmarkCache, benchmark
from saz_geboortezorg.derive.tables import load
from saz_geboortezorg.errors import SazError
from saz_geboortezorg.stats.intervals import level_tag

__all__ = [
    "TRUTH_MAP",
    "OUTLIER_INDICATORS",
    "NULL_INDICATORS",
    "NOT_JUDGED",
    "TruthRun",
    "truth_status",
    "score_cells",
    "verdict_level",
    "stated_rate",
    "summarise",
    "acceptance",
    "run_seed",
]

_CS = ("prelabour_cs", "intrapartum_cs")

#: Indicator id -> the generator outcomes (``truth["hospital_effects"]`` keys) it counts.
#: ``()``: drawn without a hospital term. Indicators not listed: truth unknown.
TRUTH_MAP: dict[str, tuple[str, ...]] = {
    "cs": _CS,
    # Robson 1 and 3: spontaneous labour, so every caesarean is an intrapartum one.
    "cs_robson_1": ("intrapartum_cs",),
    "cs_robson_3": ("intrapartum_cs",),
    **{f"cs_robson_{g}": _CS for g in (2, 4, 5, 6, 7, 8, 9, 10)},
    "instrumental": ("instrumental",),
    "induction": ("medical_induction",),
    "epidural": ("epidural",),
    "episiotomy": ("episiotomy",),
    "oasis": ("oasis",),
    "pph": ("pph",),
    "low_apgar": ("low_apgar",),
    "perinatal_mortality": ("perinatal_death",),
    "preterm": ("preterm",),
    "nicu": ("nicu",),
    # Birth weight (hence SGA) is drawn from case mix alone (synthetic/neonatal.py).
    "sga": (),
}

#: The indicator each deliberate outlier is meant to show on (issue 12).
OUTLIER_INDICATORS: dict[str, str] = {
    "intrapartum_cs": "cs_robson_1",
    "pph": "pph",
    "oasis": "oasis",
    "episiotomy": "episiotomy",
}

#: Indicators whose truth has no hospital effect at all (issue 12's acceptance).
NULL_INDICATORS: tuple[str, ...] = ("preterm", "perinatal_mortality", "nicu")

#: Assessments that are no judgement of the unit (no funnel, or too few to judge): such
#: cells are neither a verdict nor 'within'. Any other label except ``within`` counts as a
#: verdict (unknown labels too, so a new verdict is never silently ignored).
NOT_JUDGED = ("not_assessed", "too_few", "too few to judge", "too_few_to_judge")

_DIRECTIONS = ("higher", "lower")


def _not_judged(assessment: pd.Series) -> np.ndarray:
    text = assessment.astype("string").fillna("not_assessed").str.lower()
    return (
        text.isin(NOT_JUDGED) | text.str.startswith("too few") | text.str.startswith("too_few")
    ).to_numpy(bool)


_NO = ("", "false", "0", "no", "within", "none", "nan", "<na>")


def _as_flag(values: pd.Series) -> np.ndarray:
    """An alert column as bool: True/False, or a label (``higher``, ``alert``) vs empty.

    Examples
    --------
    >>> _as_flag(pd.Series([True, False, None])).tolist()
    [True, False, False]
    >>> _as_flag(pd.Series(["higher", "", "within", None])).tolist()
    [True, False, False, False]
    """
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).to_numpy(bool)
    text = values.astype("string").fillna("").str.strip().str.lower()
    return (~text.isin(_NO)).to_numpy(bool)


def truth_status(
    indicator: str, hospital: str | None, truth: Mapping[str, Any]
) -> tuple[str, float]:
    """Truth of one cell: ``(status, effect)``.

    ``status`` is ``null`` (every outcome of the indicator has a zero effect at this
    hospital), ``non-null``, ``unknown`` (indicator not in :data:`TRUTH_MAP`) or
    ``no hospital`` (the unit is not a hospital of the truth, e.g. ``unknown``).
    ``effect`` is the summed true log-odds effect of the indicator's outcomes (NaN when
    unknown).

    Examples
    --------
    >>> truth = {"hospital_effects": {"intrapartum_cs": {"ZH01": 0.6}, "prelabour_cs": {"ZH01": 0.1}}}
    >>> truth_status("cs_robson_1", "ZH01", truth)
    ('non-null', 0.6)
    >>> truth_status("big4", "ZH01", truth)
    ('unknown', nan)
    >>> truth_status("sga", "ZH01", truth)
    ('null', 0.0)
    >>> truth_status("cs_robson_1", "unknown", truth)
    ('no hospital', nan)
    """
    if indicator not in TRUTH_MAP:
        return "unknown", float("nan")
    effects = truth["hospital_effects"]
    outcomes = TRUTH_MAP[indicator]
    missing = [o for o in outcomes if o not in effects]
    if missing:
        raise SazError(
            f"the truth has no hospital effects for {', '.join(missing)} (indicator "
            f"{indicator!r}); is it a truth.json of another generator version?"
        )
    hospitals = set().union(*(effects[o] for o in outcomes or tuple(effects)))
    if hospital not in hospitals:
        return "no hospital", float("nan")
    values = [float(effects[o][hospital]) for o in outcomes]
    total = float(sum(values))
    return ("null" if all(v == 0.0 for v in values) else "non-null"), total


def _unit_hospital(truth: Mapping[str, Any], unit_type: str) -> dict[str, str] | None:
    """Unit label -> hospital id (None: the labels are hospital ids)."""
    if unit_type == "hospital":
        return None
    if unit_type == "region":
        features = truth.get("hospital_features") or {}
        return {f["region_id"]: h for h, f in features.items()}
    raise SazError(
        f"the truth holds hospital effects; score unit='hospital' or 'region' (one hospital "
        f"per region), not {unit_type!r}"
    )


def score_cells(result: Any, truth: Mapping[str, Any]) -> pd.DataFrame:
    """One row per benchmark cell, joined to the truth.

    Parameters
    ----------
    result : BenchmarkResult
        Uses ``table`` (``indicator``, ``unit``, ``assessment``, ``flag<level>`` per limit,
        ``alert`` when present), ``limits`` and ``unit_type``.
    truth : mapping
        ``truth.json``: ``hospital_effects`` and ``outliers``.

    Returns
    -------
    DataFrame
        ``indicator``, ``unit``, ``attribution`` (when the table has it), ``hospital``,
        ``truth`` (see :func:`truth_status`), ``effect``, ``judged`` (the assessment is a
        judgement: a verdict or ``within``), ``verdict`` (judged and not ``within``),
        ``outside95`` (``flag95`` is higher or lower), ``alert`` (the table's ``alert``
        column as bool, or NaN without one), one ``flag<tag>`` per limit, ``outlier``
        (``higher``/``lower``: the true direction of a deliberate outlier on one of the
        indicator's outcomes, else ``""``), ``found95`` (outlier and ``flag95`` in its
        direction). Non-hospital units get truth ``no hospital``.
    """
    table = result.table
    for column in ("indicator", "unit", "assessment", "flag95"):
        if column not in table.columns:
            raise SazError(f"the benchmark table has no column {column!r}")
    to_hospital = _unit_hospital(truth, getattr(result, "unit_type", "hospital"))
    units = table["unit"].astype(str)
    hospitals = [u if to_hospital is None else to_hospital.get(u) for u in units.to_numpy(object)]
    status = [truth_status(i, h, truth) for i, h in zip(table["indicator"], hospitals, strict=True)]
    out = pd.DataFrame(
        {
            "indicator": table["indicator"].to_numpy(),
            "unit": units.to_numpy(),
            "hospital": np.asarray(hospitals, dtype=object),
            "truth": [s for s, _ in status],
            "effect": [e for _, e in status],
        }
    )
    if "attribution" in table.columns:
        out.insert(2, "attribution", table["attribution"].to_numpy())
    judged = ~_not_judged(table["assessment"])
    out["assessment"] = table["assessment"].to_numpy()
    out["judged"] = judged
    out["verdict"] = judged & (table["assessment"].astype(str) != "within").to_numpy()
    for level in getattr(result, "limits", (95.0,)):
        tag = level_tag(level)
        if f"flag{tag}" in table.columns:
            out[f"flag{tag}"] = table[f"flag{tag}"].to_numpy()
    out["outside95"] = table["flag95"].isin(_DIRECTIONS).to_numpy()
    if "alert" in table.columns:
        out["alert"] = _as_flag(table["alert"])
    else:
        out["alert"] = np.nan
    # Deliberate outliers: the cell of (indicator counting the outcome, its hospital).
    direction = np.full(len(out), "", dtype=object)
    for o in truth.get("outliers", []):
        sign = "higher" if float(o["effect"]) > 0 else "lower"
        hit = out["hospital"].eq(o["hospital_id"]).to_numpy() & out["indicator"].map(
            lambda i, outcome=o["outcome"]: outcome in TRUTH_MAP.get(i, ())
        ).to_numpy(bool)
        direction[hit] = sign
    out["outlier"] = direction
    out["found95"] = (direction != "") & (out["flag95"].to_numpy() == direction)
    return out


def verdict_level(result: Any) -> float:
    """The limit (percent) the benchmark's verdicts are given at, read from the result.

    The result's own ``verdict_level``, checked against the table: every verdict lies
    outside that level's limits (a verdict also needs the exact test on the count to
    agree, so a cell outside the limits may still be ``within``).

    Raises
    ------
    SazError
        When a verdict lies inside the stated level's limits (the verdicts follow some
        other rule).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.compare.benchmark import BenchmarkResult
    >>> t = pd.DataFrame({"indicator": "x", "unit": ["A", "B"], "flag95": ["higher", "lower"],
    ...                   "flag998": ["higher", "within"], "assessment": ["worse", "within"]})
    >>> verdict_level(BenchmarkResult(t, "hospital", (95.0, 99.8), True, True))
    99.8
    >>> t["assessment"] = ["worse", "better"]
    >>> verdict_level(BenchmarkResult(t, "hospital", (95.0, 99.8), True, True, verdict_level=95.0))
    95.0
    """
    table = result.table
    level = float(getattr(result, "verdict_level", None) or max(result.limits))
    judged = ~_not_judged(table["assessment"])
    verdict = judged & (table["assessment"].astype(str) != "within").to_numpy()
    column = f"flag{level_tag(level)}"
    if column in table.columns and getattr(result, "fdr", None) is None:
        outside = table[column].isin(_DIRECTIONS).to_numpy()
        if (verdict & ~outside).any():
            raise SazError(
                f"a verdict lies inside the {level:g}% limits the result states: the "
                "verdicts follow another rule"
            )
    return level


def stated_rate(level: float) -> float:
    """The false-verdict rate two-sided limits at ``level`` percent promise per null cell.

    Examples
    --------
    >>> stated_rate(99.8), stated_rate(95)
    (0.002, 0.05)
    """
    return round((100.0 - float(level)) / 100.0, 12)


def summarise(cells: pd.DataFrame, level: float) -> pd.DataFrame:
    """Per indicator: null cells, false verdicts and found outliers (see :func:`score_cells`).

    Columns: ``indicator``, ``truth`` (``scored`` or ``unknown``), ``cells``,
    ``null_judged`` (judged null cells), ``false_verdicts``, ``false_rate``,
    ``stated_rate`` (at ``level``), ``false_outside<tag>`` per limit in the cells
    (``false_outside95``, ``false_outside998``: judged null cells outside those limits),
    ``not_judged`` (null cells without a judgement), ``outliers``, ``found<tag>`` per
    limit (outliers outside it in the true direction) and ``found_verdict`` (a verdict,
    in the true direction at ``level``).

    Non-null cells other than the outliers are not scored: their direct effect is not
    their whole true effect (mediators, hospital policies and the improvement
    initiatives of ``truth["initiatives"]`` act on them as well).
    """
    flag = cells.get(f"flag{level_tag(level)}")
    if flag is None:
        raise SazError(f"the cells have no flag for the verdict level {level:g}%")
    tags = [c.removeprefix("flag") for c in cells.columns if re.fullmatch(r"flag\d+", c)]
    c = cells.assign(
        _null=cells["truth"].eq("null"),
        _found=cells["verdict"] & (cells["outlier"] != "") & (flag == cells["outlier"]),
    )
    rows = []
    for indicator, g in c.groupby("indicator", sort=False):
        null = g[g["_null"]]
        judged = null[null["judged"]]
        n = len(judged)
        false = int(judged["verdict"].sum())
        row = {
            "indicator": indicator,
            "truth": "unknown" if indicator not in TRUTH_MAP else "scored",
            "cells": len(g),
            "null_judged": n,
            "false_verdicts": false,
            "false_rate": false / n if n else float("nan"),
            "stated_rate": stated_rate(level),
        }
        for tag in tags:
            row[f"false_outside{tag}"] = int(judged[f"flag{tag}"].isin(_DIRECTIONS).sum())
        row["not_judged"] = int((~null["judged"]).sum())
        outlier = g["outlier"] != ""
        row["outliers"] = int(outlier.sum())
        for tag in tags:
            row[f"found{tag}"] = int((outlier & (g[f"flag{tag}"] == g["outlier"])).sum())
        row["found_verdict"] = int(g["_found"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def acceptance(
    cells: pd.DataFrame,
    null_indicators: Iterable[str] = NULL_INDICATORS,
    outlier_indicators: Mapping[str, str] = OUTLIER_INDICATORS,
) -> dict[str, int]:
    """Issue 12's two counts over scored cells (one or more datasets).

    ``null_verdicts``: verdicts on the ``null_indicators`` (every cell; the truth has no
    hospital effect on them). ``outliers``: deliberate outliers on their own indicator
    (``outlier_indicators``: outcome -> indicator); ``found95``: of those, outside the 95%
    limits in the true direction.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"indicator": ["nicu", "pph", "pph", "cs"],
    ...                       "verdict": [True, False, True, True],
    ...                       "outlier": ["", "higher", "", "higher"],
    ...                       "found95": [False, True, False, True]})
    >>> acceptance(cells)
    {'null_verdicts': 1, 'outliers': 1, 'found95': 1}
    """
    nulls = cells["indicator"].isin(list(null_indicators))
    own = cells["indicator"].isin(list(outlier_indicators.values())) & (cells["outlier"] != "")
    return {
        "null_verdicts": int(cells.loc[nulls, "verdict"].sum()),
        "outliers": int(own.sum()),
        "found95": int(cells.loc[own, "found95"].sum()),
    }


@dataclass
class TruthRun:
    """One synthetic dataset benchmarked and scored (see :func:`run_seed`).

    Attributes
    ----------
    seed, births : int
    cells : DataFrame
        :func:`score_cells` of the benchmark (the indicators' own attribution).
    baseline : DataFrame or None
        The same for ``baseline_attribution`` (None when not asked).
    level : float
        The verdict level read from the result (:func:`verdict_level`).
    limits : tuple of float
        The result's limits (percent).
    seconds : dict
        ``generate``, ``load`` (write and load), ``benchmark``, ``baseline``.
    """

    seed: int
    births: int
    cells: pd.DataFrame
    baseline: pd.DataFrame | None
    level: float
    limits: tuple[float, ...] = (95.0, 99.8)
    seconds: dict[str, float] = field(default_factory=dict)


def run_seed(
    seed: int,
    births: int = 60_000,
    indicators: Iterable[str] | None = None,
    *,
    unit: str = "hospital",
    baseline_attribution: str | None = None,
    folder: str | Path | None = None,
) -> TruthRun:
    """Generate a dataset, load it, benchmark it and score it against its truth.

    Parameters
    ----------
    seed, births : int
        Passed to :func:`saz_geboortezorg.synthetic.generate`.
    indicators : iterable of str, optional
        Default: the whole catalogue.
    unit : str
        ``hospital`` or ``region``.
    baseline_attribution : {"booking", "birth"}, optional
        Also benchmark with the rules before issue 12 (same fitted models): this one
        attribution rule for every indicator, a single tier with the verdict at the 95%
        limits and no volume rule. (The case-mix models added since for preterm birth
        and SGA stay, so the baseline is kinder than the old code.)
    folder : path, optional
        Where the extracts are written (default: a temporary folder, removed after).

    Examples
    --------
    >>> run = run_seed(3, births=3_000, indicators=["preterm", "pph"])
    >>> sorted(run.cells["indicator"].unique()), sorted(run.cells["truth"].unique())
    (['pph', 'preterm'], ['non-null', 'null'])
    """
    from saz_geboortezorg.synthetic.generator import generate  # scipy: lazy

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    data = generate(births=births, seed=seed)
    seconds["generate"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(folder) if folder is not None else Path(tmp)
        start = time.perf_counter()
        data.write(target, format="parquet")
        dataset = load(target)
        seconds["load"] = time.perf_counter() - start
    chosen = None if indicators is None else list(indicators)
    cache = BenchmarkCache()
    start = time.perf_counter()
    result = benchmark(dataset, chosen, unit=unit, cache=cache)
    seconds["benchmark"] = time.perf_counter() - start
    level = verdict_level(result)
    cells = score_cells(result, data.truth)
    baseline = None
    if baseline_attribution is not None:
        start = time.perf_counter()
        old = benchmark(
            dataset,
            chosen,
            unit=unit,
            cache=cache,
            attribution=baseline_attribution,
            verdict=min(result.limits),
            min_expected=0,
        )
        seconds["baseline"] = time.perf_counter() - start
        baseline = score_cells(old, data.truth)
    return TruthRun(seed, births, cells, baseline, level, tuple(result.limits), seconds)
