"""The whole ``casemix`` command on a 1,000,000-row flat CSV, against Rscript ``glm`` (issue 16.4).

Figures printed:

- reading the file in-process: the old reader (pandas' python engine, ``sep=None``, which
  sniffs the separator over the whole file) against :func:`saz_geboortezorg.io.flat.read_flat_table`
  (dialect sniffed from the first 64 KiB, parsed by pyarrow);
- the whole process ``saz-geboortezorg casemix births.csv --spec caesarean --unit hospital
  --json`` (Python start-up, imports, reading, design, fixed-effects fit, O/E, random
  effects, JSON), wall clock, best of 2; also on the same table as a Dutch Excel export
  (``;``, decimal comma, Windows-1252);
- the whole process ``Rscript`` on the same file: ``read.csv``, the same population,
  covariates and reference levels (missing -> 'unknown'), ``glm(binomial)`` and O/E per
  hospital; wall clock, best of 2, with the glm fit alone as R times it. Skipped with a
  printed note when ``Rscript`` is not installed (``apt-get install r-base-core``).
- the ratio Rscript / casemix (goal: at least 3x) and the largest difference between
  R's O/E and ours per hospital (the same fixed-effects model, so it should be tiny).

The table is 1,000,000 women resampled (fixed seed) from a 60,000-birth synthetic
dataset, with the unit column named literally ``hospital``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N = 1_000_000
SEED = 16
ROOT = Path(__file__).resolve().parents[1]

COLUMNS = [
    "hospital_id",
    "cs",
    "age_band",
    "parity_group",
    "prev_cs",
    "n_babies",
    "presentation",
    "ga_days",
    "bmi_band",
    "migration",
    "bmi",
]

#: The shipped spec ``caesarean`` written out in R (case_mix/caesarean.yaml).
R_SCRIPT = r"""
t0 <- proc.time()[["elapsed"]]
txt <- c("hospital", "age_band", "parity_group", "presentation", "bmi_band", "migration")
d <- read.csv(commandArgs(TRUE)[1], na.strings = c("", "NA"),
              colClasses = setNames(rep("character", length(txt)), txt))
d <- d[!is.na(d$ga_days) & !is.na(d$cs) & d$ga_days >= 154, ]
lev <- function(x, ref) relevel(factor(ifelse(is.na(x), "unknown", as.character(x))), ref = ref)
d$age_band <- lev(d$age_band, "25_29")
d$parity_group <- lev(d$parity_group, "0")
d$prev_cs <- lev(d$prev_cs, "0")
d$multiple <- lev(ifelse(d$n_babies >= 2, "2+", "1"), "1")
d$presentation <- lev(d$presentation, "cephalic")
d$gestation <- lev(ifelse(d$ga_days < 224, "<32", ifelse(d$ga_days < 259, "32_36", "37+")), "37+")
d$bmi_band <- lev(d$bmi_band, "18.5_25")
d$migration <- lev(d$migration, "dutch")
t_fit <- system.time(g <- glm(cs ~ age_band + parity_group + prev_cs + multiple + presentation +
                               gestation + bmi_band + migration, family = binomial, data = d))
oe <- tapply(d$cs, d$hospital, sum) / tapply(fitted(g), d$hospital, sum)
cat(sprintf("fit %.4f\n", t_fit[["elapsed"]]))
cat(sprintf("oe %s %.12g\n", names(oe), oe), sep = "")
"""


def _make_table(folder: Path) -> tuple[Path, Path]:
    """births.csv (comma, UTF-8) and births_nl.csv (Dutch Excel export) of N women."""
    import saz_geboortezorg as sg
    from saz_geboortezorg.synthetic import generate

    source = folder / "synthetic"
    generate(births=60_000, seed=SEED).write(source, format="parquet")
    women = sg.load(source).women[COLUMNS].rename(columns={"hospital_id": "hospital"})
    rng = np.random.default_rng(SEED)
    table = women.iloc[rng.integers(0, len(women), N)].reset_index(drop=True)
    plain, dutch = folder / "births.csv", folder / "births_nl.csv"
    table.to_csv(plain, index=False)
    table.to_csv(dutch, index=False, sep=";", decimal=",", encoding="cp1252")
    return plain, dutch


def _wall(cmd: list[str], repeat: int = 2, **kw) -> tuple[float, subprocess.CompletedProcess]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
        best = min(best, time.perf_counter() - start)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return best, out


def main() -> None:
    import pandas as pd

    from saz_geboortezorg.io.flat import read_flat_table

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"load average before the run (1, 5, 15 min): {load} on {os.cpu_count()} cores; "
        "timings on a busy machine vary"
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        plain, dutch = _make_table(Path(tmp))
        size = plain.stat().st_size / 1e6
        print(
            f"data: {N:,} women, {len(COLUMNS)} columns, {size:.0f} MB as CSV "
            f"(made in {time.perf_counter() - start:.1f} s)"
        )

        start = time.perf_counter()
        pd.read_csv(plain, sep=None, engine="python")
        t_old = time.perf_counter() - start
        start = time.perf_counter()
        read_flat_table(plain)
        t_new = time.perf_counter() - start
        start = time.perf_counter()
        read_flat_table(dutch)
        t_new_nl = time.perf_counter() - start
        print(
            f"reading in-process: python engine with sep=None {t_old:.2f} s | sniffed + pyarrow "
            f"{t_new:.2f} s (Dutch export {t_new_nl:.2f} s) | ratio {t_old / t_new:.1f}x"
        )

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        argv = ["--spec", "caesarean", "--unit", "hospital", "--json"]
        cli = [sys.executable, "-m", "saz_geboortezorg.cli", "casemix"]
        t_ours, out = _wall([*cli, str(plain), *argv], env=env, cwd=tmp)
        ours = {u["unit"]: u["oe"] for u in json.loads(out.stdout)["units"]}
        t_ours_nl, out_nl = _wall([*cli, str(dutch), *argv], env=env, cwd=tmp)
        same = json.loads(out_nl.stdout)["units"] == json.loads(out.stdout)["units"]
        print(f"casemix command, whole process (best of 2): {t_ours:.2f} s")
        print(
            f"  on the Dutch export (';', decimal comma, cp1252): {t_ours_nl:.2f} s; "
            f"same units table: {same}"
        )

        if not shutil.which("Rscript"):
            print(
                "Rscript glm: SKIPPED, Rscript is not installed (apt-get install r-base-core); "
                "no ratio against R"
            )
            return
        script = Path(tmp) / "casemix.R"
        script.write_text(R_SCRIPT)
        t_r, out_r = _wall(["Rscript", "--vanilla", str(script), str(plain)])
        lines = out_r.stdout.split("\n")
        t_fit = float(next(x for x in lines if x.startswith("fit ")).split()[1])
        theirs = {x.split()[1]: float(x.split()[2]) for x in lines if x.startswith("oe ")}
        diff = max(abs(ours[u] - theirs[u]) for u in theirs)
        print(
            f"Rscript read.csv + glm + O/E, whole process (best of 2): {t_r:.2f} s (glm fit alone {t_fit:.2f} s)"
        )
        print(f"  largest |O/E R - O/E ours| over {len(theirs)} hospitals: {diff:.1e}")
        print()
        print("summary:")
        print(
            f"  Rscript {t_r:.2f} s | casemix {t_ours:.2f} s | ratio {t_r / t_ours:.1f}x "
            "(goal >= 3x)"
        )


if __name__ == "__main__":
    main()
