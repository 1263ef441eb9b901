"""The truth harness: does the benchmark give false verdicts, and does it find the outliers?

For N synthetic datasets (default 10 seeds of 60,000 births) the generator's truth is
known: every hospital's true effect per outcome model and the deliberate outliers
(``truth.json``). Per seed the data are generated, written (Parquet, in a temporary
folder) and loaded, the whole catalogue is benchmarked at hospital level and every cell
is joined to the truth (:mod:`saz_geboortezorg.synthetic.scoring`). Printed:

- per seed: the run time of each step, the false verdicts on null cells and the
  deliberate outliers found;
- per indicator, over all seeds: judged null cells (true hospital effect zero), false
  verdicts (assessment not ``within``) and their rate against the rate the verdict
  limits promise (read from the result: 0.2% two-sided at 99.8% limits, 5% at 95%),
  false 'outside 95%' cells (``flag95``) against 5%, the deliberate outliers on an outcome
  the indicator counts and how many lie outside the 95% limits (``flag95``) and carry a
  verdict in the true direction, and verdicts against the sign of a non-zero true effect;
- the same counts for a **baseline in the same run**: the rules before issue 12 (every
  indicator attributed to the birth hospital, ``attribution="birth"``, one tier with the
  verdict at the 95% limits, no volume rule), with the ratio of false verdicts baseline /
  current; it reuses the fitted models (only the grouping differs), so its time is the
  grouping and the funnels alone. The case-mix models added for preterm birth and SGA
  stay in the baseline, so it is kinder than the old code was;
- issue 12's acceptance on the first three seeds (2024, 7, 11): at most 2 verdicts on
  preterm birth, perinatal mortality and NICU admission, at least 10 of the 15 deliberate
  outliers outside the 95% limits in the true direction.

Run through ``python benchmarks/run.py truth [--seeds N] [--births N] [--unit hospital]``
or as a script with the same options (``make truth``).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import pandas as pd

#: The first seeds are those of the acceptance test (tests/compare/test_truth_acceptance.py).
FIRST_SEEDS = (2024, 7, 11)


def seeds_for(n: int) -> list[int]:
    """``n`` seeds: 2024, 7, 11, then 1001, 1002, ..."""
    extra = [1000 + k for k in range(1, max(0, n - len(FIRST_SEEDS)) + 1)]
    return [*FIRST_SEEDS, *extra][:n]


def _rate(k: int, n: int) -> str:
    return f"{100 * k / n:5.2f}%" if n else "    - "


def _print_seed(run, baseline: str) -> None:
    from saz_geboortezorg.synthetic.scoring import OUTLIER_INDICATORS, acceptance, summarise

    s = summarise(run.cells, run.level)
    b = summarise(run.baseline, run.level)
    own = acceptance(run.cells)
    t = run.seconds
    found_verdict = int(
        s.set_index("indicator").reindex(list(OUTLIER_INDICATORS.values()))["found_verdict"].sum()
    )
    print(
        f"{run.seed:>6}  {t['generate']:6.1f} s  {t['load']:8.1f} s  {t['benchmark']:6.1f} s"
        f"  {t['baseline']:6.1f} s   {s.false_verdicts.sum():3d} / {s.null_judged.sum():3d}"
        f"   ({b.false_verdicts.sum():3d} / {b.null_judged.sum():3d} {baseline})"
        f"      {own['found95']:2d} / {own['outliers']:2d}   {found_verdict:2d} / {own['outliers']:2d}",
        flush=True,
    )


def _print_indicators(cells: pd.DataFrame, base: pd.DataFrame, level: float, limits) -> None:
    from saz_geboortezorg.compare.funnel.limits import level_tag
    from saz_geboortezorg.synthetic.scoring import stated_rate, summarise

    s = summarise(cells, level)
    b = summarise(base, level).set_index("indicator")
    attribution = cells.groupby("indicator", sort=False)["attribution"].first()
    tags = [(x, level_tag(x)) for x in limits]
    print(
        f"\nper indicator, all seeds. null: judged cells whose true hospital effect is zero;"
        f" verdicts at {level:g}% limits (stated rate {100 * stated_rate(level):g}%),"
        + "".join(f" outside {x:g}% (stated {100 * stated_rate(x):g}%)" for x, _ in tags)
        + "; baseline: the same null cells under the rules before issue 12 (attribution"
        " at birth, verdict at 95%, no volume rule);"
        " outliers: deliberate outliers on an outcome the indicator counts, found outside"
        " each limit / with a verdict in the true direction"
    )
    head = f"{'indicator':<21}{'attrib.':<8}{'null':>5} {'verdicts':>14}"
    head += "".join(f" {'>' + f'{x:g}%':>14}" for x, _ in tags)
    head += f" | {'baseline verd.':>14}" + "".join(f" {'>' + f'{x:g}%':>14}" for x, _ in tags)
    head += f" | {'outliers':>8}" + "".join(f" {'>' + f'{x:g}%':>6}" for x, _ in tags)
    head += f" {'verdict':>7}"
    print(head)

    def count(k, n):
        return f"{k:>4d} {_rate(k, n)}  " if n else f"{'-':>14}"

    unknown = []
    for r in s.itertuples():
        if r.truth == "unknown":
            unknown.append(r.indicator)
            continue
        o = b.loc[r.indicator]
        n, bn = r.null_judged, o.null_judged
        line = f"{r.indicator:<21}{attribution[r.indicator]:<8}{n:>5} {count(r.false_verdicts, n)}"
        line += "".join(f" {count(getattr(r, f'false_outside{t}'), n)}" for _, t in tags)
        line += f" | {count(o.false_verdicts, bn)}"
        line += "".join(f" {count(o[f'false_outside{t}'], bn)}" for _, t in tags)
        if r.outliers:
            line += f" | {r.outliers:>8d}" + "".join(
                f" {getattr(r, f'found{t}'):>6d}" for _, t in tags
            )
            line += f" {r.found_verdict:>7d}"
        else:
            line += f" | {'-':>8}"
        print(line)
    n, k = int(s.null_judged.sum()), int(s.false_verdicts.sum())
    bn, bk = int(b.null_judged.sum()), int(b.false_verdicts.sum())
    line = f"{'all scored':<29}{n:>5} {count(k, n)}"
    line += "".join(f" {count(int(s[f'false_outside{t}'].sum()), n)}" for _, t in tags)
    line += f" | {count(bk, bn)}"
    line += "".join(f" {count(int(b[f'false_outside{t}'].sum()), bn)}" for _, t in tags)
    print(line)
    ratio = f"{bk / k:.2f}" if k else ("-" if not bk else "inf")
    print(
        f"false verdicts on null cells: {k} of {n} ({_rate(k, n).strip()}, stated "
        f"{100 * stated_rate(level):g}%); baseline {bk} of {bn} ({_rate(bk, bn).strip()}): "
        f"ratio baseline/current {ratio}"
    )
    not_judged = int(s.not_judged.sum())
    if not_judged:
        print(f"null cells without a judgement (not assessed, too few to judge): {not_judged}")
    if cells["alert"].notna().any():
        null = cells[cells["truth"].eq("null")]
        print(f"alerts (outside 95% only) on null cells: {int(null['alert'].astype(bool).sum())}")
    print(f"truth unknown (not scored): {', '.join(unknown)}")


def _print_acceptance(runs: list) -> None:
    from saz_geboortezorg.synthetic.scoring import NULL_INDICATORS, OUTLIER_INDICATORS, acceptance

    first = [r for r in runs if r.seed in FIRST_SEEDS]
    everything = pd.concat([r.cells for r in runs], ignore_index=True)
    total = acceptance(everything)
    own = ", ".join(f"{o} as {i}" for o, i in OUTLIER_INDICATORS.items())
    print(f"\nissue 12 acceptance (verdicts on {', '.join(NULL_INDICATORS)}; outliers: {own}):")
    if len(first) == len(FIRST_SEEDS):
        a = acceptance(pd.concat([r.cells for r in first], ignore_index=True))
        ok = a["null_verdicts"] <= 2 and a["found95"] >= 10
        print(
            f"  seeds {', '.join(map(str, FIRST_SEEDS))}: {a['null_verdicts']} verdicts (at most 2), "
            f"{a['found95']} of {a['outliers']} outliers outside 95% in the true direction "
            f"(at least 10): {'PASS' if ok else 'FAIL'}"
        )
    n = len(runs)
    print(
        f"  all {n} seeds: {total['null_verdicts']} verdicts ({total['null_verdicts'] / n:.2f} per "
        f"dataset; the issue allows 2 per 3 = 0.67), {total['found95']} of {total['outliers']} "
        f"outliers found at 95% ({100 * total['found95'] / max(total['outliers'], 1):.0f}%; the "
        "issue asks 67%)"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the harness and print its figures."""
    from saz_geboortezorg.model.problems import CaseMixWarning
    from saz_geboortezorg.synthetic.scoring import run_seed

    parser = argparse.ArgumentParser(prog="benchmarks/run.py truth", description=__doc__)
    parser.add_argument("--seeds", type=int, default=10, help="number of datasets (default 10)")
    parser.add_argument("--births", type=int, default=60_000, help="births per dataset")
    parser.add_argument("--unit", default="hospital", choices=("hospital", "region"))
    parser.add_argument(
        "--baseline",
        default="birth",
        choices=("birth", "booking"),
        help="one attribution rule for every indicator, compared in the same run (default birth)",
    )
    args = parser.parse_args(argv or [])
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    seeds = seeds_for(args.seeds)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{len(seeds)} synthetic datasets of {args.births:,} births (seeds {', '.join(map(str, seeds))}),"
        f" unit {args.unit}, the whole catalogue; baseline: attribution={args.baseline!r} for "
        "every indicator, verdict at 95%, no volume rule (the rules before issue 12). "
        f"Load average {load} on {os.cpu_count()} cores."
    )
    print(
        f"\n{'seed':>6}  {'generate':>8}  {'write+load':>10}  {'benchmark':>9}  {'baseline':>8}"
        f"   false verdicts / null cells (baseline)   outliers found: 95%   verdict"
    )
    runs = []
    caught: list[str] = []
    start = time.perf_counter()
    for seed in seeds:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", CaseMixWarning)
            run = run_seed(seed, args.births, unit=args.unit, baseline_attribution=args.baseline)
        for w in seen:
            if issubclass(w.category, CaseMixWarning):
                caught.append(f"seed {seed}: {w.message}")
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        runs.append(run)
        _print_seed(run, args.baseline)
    elapsed = time.perf_counter() - start
    levels = {r.level for r in runs}
    level = max(levels)
    if len(levels) > 1:
        print(f"note: the verdict level read from the results differs by seed: {sorted(levels)}")
    cells = pd.concat([r.cells.assign(seed=r.seed) for r in runs], ignore_index=True)
    base = pd.concat([r.baseline.assign(seed=r.seed) for r in runs], ignore_index=True)
    _print_indicators(cells, base, level, runs[0].limits)
    _print_acceptance(runs)
    if caught:
        print(f"\ncase-mix model warnings (kept out of the table above): {len(caught)}, e.g.")
        for text in dict.fromkeys(caught[:3]):
            print(f"  {text}")
    per = {k: sum(r.seconds[k] for r in runs) for k in runs[0].seconds}
    print(
        f"\nrun time: {elapsed:.1f} s for {len(runs)} seeds ({elapsed / len(runs):.1f} s per seed: "
        + ", ".join(f"{k} {v / len(runs):.1f} s" for k, v in per.items())
        + ")"
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
