"""Coverage of the O/E intervals (binary outcomes and cost) under a known null.

For N synthetic datasets (default seeds 1-10 of 60,000 births) the open benchmark's
case-mix models are fitted once, as ``sg.benchmark`` does, and each record's expected
value is kept. Then, per dataset, ``--draws`` (default 40) outcomes are simulated in
which the model is exactly true and no hospital differs (so every hospital's true O/E is
1), with the women, hospitals and expected values of the real dataset:

- **binary indicators** (every adjusted 0/1 indicator of the catalogue): ``y* ~
  Bernoulli(p)`` per record; each hospital's O/E interval is the toolkit's
  (:func:`saz_geboortezorg.stats.intervals.oe_interval`, binomial variance
  ``sum p(1 - p)``) and, as the baseline in the same run, the exact Poisson one it
  replaced (variance ``E``);
- **cost per pregnancy** (gamma model): ``y* = mu x r`` with ``r`` drawn from the same
  hospital's own ratios ``y / mu`` (rescaled to mean 1), so that each hospital keeps its
  own spread of costs (a NICU centre's heavy tail, say); the interval is the toolkit's
  (robust variance, :mod:`saz_geboortezorg.stats.variance`) and, as the baseline, the
  model's one dispersion for every hospital.

Printed: the share of hospital-draws whose 95% interval covers 1, per indicator and in
total, for the toolkit's interval and the baseline (the goal is 93-97%), and for the
binary indicators the share of units outside the benchmark funnel's 95% limits (no
overdispersion: the null has none; goal 4-6%) with the binomial and the Poisson variance. The expected
values are not re-estimated per draw (with 60,000 births their error is small); the
models' fit to the real data is what the intervals are tested on.

Run through ``python benchmarks/run.py oe_coverage [--seeds N] [--births N] [--draws N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _units(cache, rec, unit: str) -> np.ndarray:
    from saz_geboortezorg.indicators.compute import resolve_unit

    column = resolve_unit(unit, rec.table.columns, rec.indicator.attribution)
    codes, _ = cache.codes(rec.table, column)
    return codes[rec.rows]


def coverage_for_dataset(data, draws: int, rng, unit: str = "hospital") -> pd.DataFrame:
    """One row per indicator: hospital-draws, covered by the toolkit's interval and by
    the baseline's."""
    from saz_geboortezorg.compare.benchmark import BenchmarkCache, funnel_for
    from saz_geboortezorg.indicators.definitions import load_catalogue
    from saz_geboortezorg.stats.intervals import oe_interval
    from saz_geboortezorg.stats.variance import robust_total_variance

    cache = BenchmarkCache()
    rows = []
    for ind in load_catalogue().values():
        if not ind.case_mix:
            continue
        rec = cache.fit(cache.records(data, ind))
        if not rec.adjustable:
            continue
        codes = _units(cache, rec, unit)
        J = int(codes.max()) + 1
        e = rec.expected
        exp = np.bincount(codes, weights=e, minlength=J)
        keep = exp > 0
        covered = baseline = total = 0
        flagged = {"binomial": 0, "poisson": 0}
        if rec.family == "binomial":
            v = np.bincount(codes, weights=e * (1 - e), minlength=J)
            for _ in range(draws):
                o = np.bincount(codes, weights=rng.random(len(e)) < e, minlength=J)
                lo, hi = oe_interval(o, exp, v)
                plo, phi = oe_interval(o, exp)
                covered += int(((lo <= 1) & (hi >= 1))[keep].sum())
                baseline += int(((plo <= 1) & (phi >= 1))[keep].sum())
                total += int(keep.sum())
                # the benchmark's funnel at 95% (no overdispersion: the null has none)
                table = pd.DataFrame(
                    {
                        "unit": np.arange(J)[keep].astype(str),
                        "observed": o[keep],
                        "expected": exp[keep],
                        "variance": v[keep],
                    }
                )
                table.attrs.update(adjusted=True, family="binomial")
                for variance in flagged:
                    fr = funnel_for(table, overdispersion=False, variance=variance)
                    flagged[variance] += int((fr.table["flag95"] != "within").sum())
        else:
            ratio = rec.y / e
            mean_ratio = np.bincount(codes, weights=ratio, minlength=J) / np.bincount(
                codes, minlength=J
            )
            ratio = ratio / mean_ratio[codes]  # each hospital's own spread, mean 1
            members = [np.flatnonzero(codes == j) for j in range(J)]
            model = rec.dispersion * np.bincount(codes, weights=e**2, minlength=J)
            for _ in range(draws):
                r = np.empty(len(e))
                for idx in members:
                    if len(idx):
                        r[idx] = ratio[idx][rng.integers(0, len(idx), len(idx))]
                y = e * r
                o = np.bincount(codes, weights=y, minlength=J)
                var = robust_total_variance(y, e, codes, J, model=model)
                for k, vv in enumerate((var, model)):
                    half = 1.959964 * np.sqrt(vv)
                    inside = (o - half <= exp) & (exp <= o + half)
                    if k == 0:
                        covered += int(inside[keep].sum())
                    else:
                        baseline += int(inside[keep].sum())
                total += int(keep.sum())
        rows.append(
            {
                "indicator": ind.id,
                "family": rec.family,
                "cells": total,
                "covered": covered,
                "baseline_covered": baseline,
                "funnel_outside95": flagged["binomial"],
                "funnel_outside95_poisson": flagged["poisson"],
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    import saz_geboortezorg as sg
    from saz_geboortezorg.synthetic import generate

    parser = argparse.ArgumentParser(prog="benchmarks/run.py oe_coverage")
    parser.add_argument("--seeds", type=int, default=10, help="datasets (seeds 1..N)")
    parser.add_argument("--births", type=int, default=60_000)
    parser.add_argument("--draws", type=int, default=40, help="null outcomes per dataset")
    args = parser.parse_args(argv or [])
    print(
        f"{args.seeds} synthetic datasets of {args.births:,} births (seeds 1-{args.seeds}), "
        f"{args.draws} simulated null outcomes each (the model true, no hospital effect); "
        "share of hospital 95% O/E intervals that cover 1. Baseline in the same run: the "
        "Poisson interval (binary) and one gamma dispersion for all hospitals (cost)."
    )
    start = time.perf_counter()
    frames = []
    for seed in range(1, args.seeds + 1):
        data = generate(births=args.births, seed=seed)
        with tempfile.TemporaryDirectory() as tmp:
            data.write(Path(tmp), format="parquet")
            dataset = sg.load(tmp)
        part = coverage_for_dataset(dataset, args.draws, np.random.default_rng(seed))
        frames.append(part.assign(seed=seed))
    t = pd.concat(frames, ignore_index=True)
    per = t.groupby(["indicator", "family"], sort=False)[
        ["cells", "covered", "baseline_covered"]
    ].sum()
    per["coverage"] = per["covered"] / per["cells"]
    per["baseline"] = per["baseline_covered"] / per["cells"]
    print(
        (per[["cells", "coverage", "baseline"]] * [1, 100, 100])
        .round(1)
        .rename(columns={"coverage": "coverage %", "baseline": "baseline %"})
        .to_string()
    )
    binary = t[t["family"] == "binomial"]
    n_cells = binary["cells"].sum()
    print(
        "binary indicators, the benchmark's funnel at 95% with no true differences: "
        f"{100 * binary['funnel_outside95'].sum() / n_cells:.1f}% of units outside with the "
        f"binomial variance (goal 4-6%), {100 * binary['funnel_outside95_poisson'].sum() / n_cells:.1f}% "
        "with FunnelPlotR's Poisson SR"
    )
    for family, block in per.groupby(level="family"):
        c = block["covered"].sum() / block["cells"].sum()
        b = block["baseline_covered"].sum() / block["cells"].sum()
        print(f"{family}: coverage {100 * c:.1f}% (baseline {100 * b:.1f}%), goal 93-97%")
    print(f"run time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    import sys

    main(sys.argv[1:])
