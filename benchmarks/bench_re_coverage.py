"""Coverage of the shrunken odds ratios' 95% intervals against the generator's truth.

For N synthetic datasets (default seeds 1-10 of 60,000 births) the random-intercept
model of each case-mix spec (default ``low_apgar``, ``pph``, ``oasis``) is fitted at
hospital level, exactly as ``casemix DIR --spec case_mix/X.yaml --unit hospital --json``
does, and each hospital's 95% interval is compared with its true centred effect (the
generator's log-odds effect in ``truth.json`` ``hospital_effects`` minus the mean over
hospitals). Printed per spec and seed: tau^2 with its profile-likelihood 95% interval,
the median odds ratio, the rankability and the hospitals covered by

- ``or_lcl95``/``or_ucl95``: integrated over tau and the fixed effects (issue 13), and
- ``or_lcl95_conditional``/``or_ucl95_conditional``: the plug-in intervals from before
  (the baseline in the same run);

then the totals over seeds, how often tau^2's interval covers the true variance of the
hospital effects, and the time the integration over tau adds per fit.

Run through ``python benchmarks/run.py re_coverage [--seeds N] [--births N]
[--specs low_apgar pph oasis]`` or as a script with the same options.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _timed_integration():
    """Wrap mixed.integrate_tau to add up the time it takes."""
    from saz_geboortezorg.model import mixed

    spent = {"seconds": 0.0, "calls": 0}
    original = mixed.integrate_tau

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["seconds"] += time.perf_counter() - start
            spent["calls"] += 1

    mixed.integrate_tau = timed
    return spent


def coverage_run(seeds, births: int, specs) -> pd.DataFrame:
    """One row per spec, seed and hospital: true centred effect and both intervals."""
    import saz_geboortezorg as sg
    from saz_geboortezorg.synthetic import generate

    rows = []
    for seed in seeds:
        data = generate(births=births, seed=seed)
        with tempfile.TemporaryDirectory() as tmp:
            data.write(Path(tmp), format="parquet")
            dataset = sg.load(Path(tmp))
        for spec in specs:
            start = time.perf_counter()
            result = sg.casemix(dataset, spec, unit="hospital")
            seconds = time.perf_counter() - start
            re = result.random_effects
            table = re.table.set_index("unit")
            true = pd.Series(data.truth["hospital_effects"][spec]).loc[table.index]
            true = true - true.mean()
            rows.append(
                pd.DataFrame(
                    {
                        "spec": spec,
                        "seed": seed,
                        "unit": table.index,
                        "true": true.to_numpy(),
                        "lo": np.log(table.or_lcl95.to_numpy()),
                        "hi": np.log(table.or_ucl95.to_numpy()),
                        "lo_cond": np.log(table.or_lcl95_conditional.to_numpy()),
                        "hi_cond": np.log(table.or_ucl95_conditional.to_numpy()),
                        "tau2": re.tau2,
                        "tau2_lcl95": re.tau2_lcl95,
                        "tau2_ucl95": re.tau2_ucl95,
                        "true_tau2": float(np.var(true.to_numpy(), ddof=1)),
                        "mor": re.median_odds_ratio,
                        "rankability": re.rankability,
                        "seconds": seconds,
                    }
                )
            )
    out = pd.concat(rows, ignore_index=True)
    out["covered"] = (out.lo <= out.true) & (out.true <= out.hi)
    out["covered_cond"] = (out.lo_cond <= out.true) & (out.true <= out.hi_cond)
    out["width"] = out.hi - out.lo
    out["width_cond"] = out.hi_cond - out.lo_cond
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 1..N (default 10)")
    parser.add_argument("--births", type=int, default=60_000)
    parser.add_argument("--specs", nargs="+", default=["low_apgar", "pph", "oasis"])
    args = parser.parse_args(argv or [])
    seeds = list(range(1, args.seeds + 1))
    spent = _timed_integration()
    start = time.perf_counter()
    out = coverage_run(seeds, args.births, args.specs)
    print(
        f"{len(seeds)} synthetic datasets of {args.births:,} births (seeds {seeds[0]}-"
        f"{seeds[-1]}), unit hospital; {time.perf_counter() - start:.1f} s"
    )
    per_seed = out.groupby(["spec", "seed"], sort=False).agg(
        tau2=("tau2", "first"),
        lcl=("tau2_lcl95", "first"),
        ucl=("tau2_ucl95", "first"),
        true_tau2=("true_tau2", "first"),
        mor=("mor", "first"),
        rankability=("rankability", "first"),
        covered=("covered", "sum"),
        covered_cond=("covered_cond", "sum"),
        units=("covered", "size"),
        seconds=("seconds", "first"),
    )
    print(
        f"\n{'spec':<10} {'seed':>4}  {'tau2':>7}  {'95% interval (profile)':>22}  "
        f"{'true':>6}  {'MOR':>5}  {'rank':>4}  {'integrated':>10}  {'plug-in':>7}  {'fit':>6}"
    )
    for (spec, seed), r in per_seed.iterrows():
        print(
            f"{spec:<10} {seed:>4}  {r.tau2:7.4f}  [{r.lcl:8.4f}, {r.ucl:8.4f}]    "
            f"{r.true_tau2:6.4f}  {r.mor:5.2f}  {r.rankability:4.2f}  "
            f"{int(r.covered):>5d} / {int(r.units):<2d}  {int(r.covered_cond):>3d} / {int(r.units):<2d}"
            f"  {r.seconds:5.2f}s"
        )
    print(
        f"\n{'spec':<10}  {'integrated':>18}  {'plug-in':>18}  {'median width':>20}  "
        f"{'tau2 interval covers':>20}"
    )
    for spec, g in out.groupby("spec", sort=False):
        s = per_seed.loc[spec]
        tau_cov = int(((s.lcl <= s.true_tau2) & (s.true_tau2 <= s.ucl)).sum())
        print(
            f"{spec:<10}  {int(g.covered.sum()):>4d} / {len(g)} = {100 * g.covered.mean():5.1f}%"
            f"  {int(g.covered_cond.sum()):>4d} / {len(g)} = {100 * g.covered_cond.mean():5.1f}%"
            f"  {g.width.median():8.3f} vs {g.width_cond.median():6.3f}"
            f"  {tau_cov:>10d} / {len(s)}"
        )
    print(
        f"\nIntegration over tau: {spent['seconds'] / max(spent['calls'], 1):.3f} s per fit "
        f"({spent['calls']} fits; casemix in all {per_seed.seconds.mean():.2f} s per fit)"
    )
    print("(tau2 'true' is the sample variance of the 17 true centred hospital effects.)")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
