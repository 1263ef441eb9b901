"""Case-mix engine speed: 1,000,000 births, ten categorical covariates, 17 hospitals.

Figures printed:

- row-level statsmodels GLM (binomial) on the full design matrix (the baseline);
- the toolkit's fixed-effects fit: collapse to covariate patterns + GLM on patterns
  (and the same including building the design from the table);
- R's ``glm`` on the same data (fit only, timed inside R with ``system.time``),
  skipped with a note when ``Rscript`` is not installed;
- the random-intercept (Laplace) fit on the pattern-by-hospital cells;
- ratios, and the largest difference between the collapsed and row-level estimates.

Data are generated directly in numpy with a fixed seed (skewed, realistic margins).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N = 1_000_000
UNITS = 17
SEED = 4

#: name -> (levels, probabilities, log-odds effects; the first level is the reference)
COVARIATES = {
    "age_band": (
        ["25_29", "<20", "20_24", "30_34", "35_39", "40+"],
        [0.30, 0.02, 0.12, 0.36, 0.16, 0.04],
        [0, -0.4, -0.2, 0.2, 0.4, 0.7],
    ),
    "parity_group": (["0", "1", "2+"], [0.45, 0.35, 0.20], [0, -0.8, -0.9]),
    "prev_cs": (["0", "1"], [0.9, 0.1], [0, 2.0]),
    "bmi_band": (
        ["18.5_25", "<18.5", "25_30", "30_35", "35+", "unknown"],
        [0.5, 0.04, 0.25, 0.1, 0.06, 0.05],
        [0, -0.1, 0.2, 0.4, 0.6, 0.1],
    ),
    "smoking": (["no", "yes", "unknown"], [0.85, 0.1, 0.05], [0, 0.1, 0.0]),
    "ses_quintile": (
        ["3", "1", "2", "4", "5", "unknown"],
        [0.2, 0.2, 0.2, 0.18, 0.18, 0.04],
        [0, 0.1, 0.05, -0.05, -0.1, 0],
    ),
    "migration": (
        ["dutch", "european", "non_european", "unknown"],
        [0.75, 0.08, 0.15, 0.02],
        [0, 0.05, 0.2, 0],
    ),
    "n_babies": (["1", "2"], [0.985, 0.015], [0, 1.5]),
    "presentation": (
        ["cephalic", "breech", "transverse", "unknown"],
        [0.95, 0.04, 0.005, 0.005],
        [0, 2.5, 3.0, 0.5],
    ),
    "sex": (["female", "male", "unknown"], [0.49, 0.5, 0.01], [0, 0.05, 0]),
}


def make_data(n: int = N, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lp = np.full(n, -2.3)
    cols = {}
    for name, (levels, p, effect) in COVARIATES.items():
        code = rng.choice(len(levels), n, p=p)
        lp += np.asarray(effect)[code]
        cols[name] = pd.Categorical.from_codes(code, categories=levels)
    unit = rng.integers(0, UNITS, n)
    lp += rng.normal(0, 0.3, UNITS)[unit]
    cols["hospital_id"] = pd.Categorical.from_codes(unit, [f"H{u + 1:02d}" for u in range(UNITS)])
    cols["cs"] = rng.binomial(1, 1 / (1 + np.exp(-lp))).astype(np.int8)
    return pd.DataFrame(cols)


SPEC = {
    "name": "benchmark",
    "outcome": "cs",
    "covariates": {
        name: {"type": "categorical", "reference": levels[0]}
        for name, (levels, _, _) in COVARIATES.items()
    },
}


R_SCRIPT = r"""
d <- read.csv(commandArgs(TRUE)[1], colClasses = "character")
for (v in names(d)) if (v != "cs") d[[v]] <- factor(d[[v]])
refs <- c(%s)
for (v in names(refs)) d[[v]] <- relevel(d[[v]], ref = refs[[v]])
d$cs <- as.integer(d$cs)
f <- cs ~ %s
t <- system.time(g <- glm(f, family = binomial, data = d))[["elapsed"]]
cat(sprintf("%%.6f %%.10g\n", t, coef(g)[["prev_cs1"]]))
"""


def _time(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    import os

    import statsmodels.api as sm

    from saz_geboortezorg.model import prepare
    from saz_geboortezorg.model.collapse import collapse
    from saz_geboortezorg.model.logistic import fit_logistic
    from saz_geboortezorg.model.mixed import fit_random_intercept

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"load average before the run (1, 5, 15 min): {load} on {os.cpu_count()} cores; "
        "timings on a busy machine vary"
    )
    t_data, df = _time(make_data)
    print(
        f"data: {len(df):,} births, {len(COVARIATES)} categorical covariates, "
        f"{UNITS} hospitals, CS rate {df.cs.mean():.3f} (generated in {t_data:.1f} s)"
    )

    t_design, prep = _time(lambda: prepare(df, SPEC, "hospital"))
    design = prep.design
    print(f"design from the table: {t_design:.2f} s, {len(design.names)} terms")

    def collapsed_fit():
        pats = collapse(design)
        return pats, fit_logistic(pats.X, pats.events, pats.trials, design.names)

    t_col, (pats, fit) = _time(collapsed_fit, repeat=3)
    t_collapse, _ = _time(lambda: collapse(design), repeat=3)
    print(
        f"collapsed fit (collapse + GLM on {len(pats.trials):,} patterns): {t_col:.2f} s "
        f"(collapsing alone {t_collapse:.2f} s)"
    )

    X = design.row_matrix()
    y = design.y

    def row_fit(X):
        with np.errstate(all="ignore"):
            return sm.GLM(y, X, family=sm.families.Binomial()).fit(tol=1e-12)

    t_row, row = _time(lambda: row_fit(X))
    print(f"row-level statsmodels GLM ({X.shape[0]:,} x {X.shape[1]}): {t_row:.2f} s")
    X = None  # free the 1,000,000-row matrix
    diff = np.max(np.abs(fit.params - row.params) / np.abs(row.params))
    diff_se = np.max(np.abs(fit.se - row.bse) / row.bse)
    print(
        f"  largest relative difference collapsed vs row-level: estimates {diff:.1e}, "
        f"standard errors {diff_se:.1e}"
    )
    print(
        f"  ratio row-level / collapsed: {t_row / t_col:.1f}x "
        f"(including building the design: {t_row / (t_col + t_design):.1f}x)"
    )

    t_r = None
    if shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "births.csv"
            df.to_csv(csv, index=False)
            refs = ", ".join(f'{k} = "{v[0][0]}"' for k, v in COVARIATES.items())
            formula = " + ".join(COVARIATES)
            script = Path(tmp) / "glm.R"
            script.write_text(R_SCRIPT % (refs, formula))
            out = subprocess.run(
                ["Rscript", str(script), str(csv)], capture_output=True, text=True, check=False
            )
            if out.returncode == 0:
                t_r, coef = (float(x) for x in out.stdout.split())
                ours = fit.params[design.names.index("prev_cs[1]")]
                print(
                    f"R glm (fit only, system.time): {t_r:.2f} s; "
                    f"prev_cs estimate R {coef:.8f} vs ours {ours:.8f}"
                )
                print(f"  ratio R glm / collapsed: {t_r / t_col:.1f}x")
            else:
                print(f"R glm failed: {out.stderr.strip()[:300]}")
    else:
        print("R glm: skipped (Rscript is not installed)")

    t_mixed, mixed = _time(
        lambda: fit_random_intercept(
            pats.X,
            pats.cell_pattern,
            pats.cell_unit,
            pats.cell_events,
            pats.cell_trials,
            UNITS,
            design.names,
            start=fit.params,
        )
    )
    print(
        f"random-intercept fit (Laplace, {len(pats.cell_trials):,} cells): {t_mixed:.2f} s, "
        f"tau^2 = {mixed.tau2:.4f}, {mixed.iterations} iterations"
    )

    from saz_geboortezorg.model import casemix

    t_all, _ = _time(lambda: casemix(df, SPEC, "hospital"))
    print(
        f"casemix() end to end (design, fixed effects, O/E, random effects, ranks, "
        f"diagnostics): {t_all:.2f} s"
    )
    print()
    print("summary:")
    print(
        f"  row-level statsmodels {t_row:.2f} s | collapsed {t_col:.2f} s | "
        f"ratio {t_row / t_col:.1f}x (target >= 10x)"
    )
    if t_r is not None:
        print(
            f"  R glm {t_r:.2f} s | collapsed {t_col:.2f} s | ratio {t_r / t_col:.1f}x (target > 1x)"
        )
    print(f"  random-intercept fit {t_mixed:.2f} s (target <= 10 s)")


if __name__ == "__main__":
    main()
