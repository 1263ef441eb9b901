"""National scale (issue 17): ten years of all Dutch births, each step in a fresh process.

Every step runs in its own fresh Python subprocess, so its peak memory belongs to that
step alone; the peak is the process's own high-water mark, read inside the subprocess
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``; ``VmHWM`` from ``/proc/self/status`` is
printed beside it as a check where it exists). Steps, for ``--births`` pregnancies
(default 2,000,000) born 2014-2023:

- ``synth``: ``saz-geboortezorg synth --births N --years 2014 2023 --format parquet``
  (the command, in the subprocess, timed end to end);
- ``load parquet`` / ``load csv``: ``sg.load`` (read, validate, hash, link) of those
  extracts (the CSV copy is written by ``synth --format csv``, same seed);
- ``benchmark``: ``sg.benchmark(data, unit="region")`` after a Parquet load (the peak
  includes the load);
- ``explorer``: the median redraw after a control change, measured as
  ``benchmarks/bench_explorer.py`` does (a control's value is set, the widget's observer
  redraws; widget messages JSON-encoded as the kernel would), after every indicator's
  model has been fitted once; ``--changes`` changes per control;
- ``report``: ``saz-geboortezorg report --all-regions`` on the Parquet extracts (the
  command end to end, load included).

Baselines measured in the same run: every step at ``--baseline-births`` (default 60,000,
the programme's size; same years), with the ratio of the two sizes, and for the loads the
floor: plain ``pandas.read_parquet`` / ``read_csv`` of the same files (no validation, no
linkage), with the ratio to it. Each figure at ``--births`` is printed against the goal of
issue 17 as met / not met.

Run as ``python benchmarks/run.py national [--births 200000]`` or
``python benchmarks/bench_national.py [--births 200000] [--steps load_parquet benchmark]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
BIRTHS = 2_000_000
BASELINE_BIRTHS = 60_000
YEARS = ("2014", "2023")
SEED = 2024
STEPS = ("synth", "load_parquet", "load_csv", "benchmark", "explorer", "report")

# Issue 17's goals: (seconds, peak in MiB or None, what is compared); peaks are printed in
# MiB ("MB", as bench_synth does) and "4 GB" is read as 4 GiB
GOALS = {
    "synth": (30.0, 4 * 1024, "synth < 30 s and < 4 GB"),
    "load_parquet": (10.0, 5 * 1024, "load Parquet < 10 s and < 5 GB"),
    "load_csv": (25.0, None, "load CSV < 25 s"),
    "benchmark": (20.0, None, "benchmark < 20 s"),
    "explorer": (0.300, None, "redraw < 300 ms median, every control"),
    "report": (60.0, None, "reports, 17 regions < 60 s"),
}


# ----------------------------------------------------------------------------- the child


def _peak_mb() -> dict[str, float]:
    """This process's own peak resident memory in MB: ru_maxrss and (Linux) VmHWM."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"maxrss_mb": rss / 1024 / (1024 if sys.platform == "darwin" else 1)}
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                out["vmhwm_mb"] = int(line.split()[1]) / 1024
    return out


def _plain_read(folder: Path, fmt: str) -> float:
    """The floor: plain pandas reads of the same files, with the load's memory setting
    (NumPy's huge-page advice off, saz_geboortezorg.memory), so the ratio compares work,
    not page faults."""
    import pandas as pd

    from saz_geboortezorg.memory import small_pages

    start = time.perf_counter()
    with small_pages():
        for path in sorted(folder.glob(f"*.{fmt}")):
            pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    return time.perf_counter() - start


def _explorer(data, changes: int) -> dict:
    import runpy

    bench = runpy.run_path(str(HERE.with_name("bench_explorer.py")))
    import altair  # noqa: F401  (imported once, as in a running notebook)
    import ipywidgets  # noqa: F401

    from saz_geboortezorg.explore import Explorer

    bench["_Sent"].install()
    start = time.perf_counter()
    explorer = Explorer(data, highlight="R05", indicator="cs", unit="region")
    first = time.perf_counter() - start
    start = time.perf_counter()
    for ind in bench["CONTROLS"]["indicator"]:  # first visits: each model is fitted once
        explorer.controls["indicator"].value = ind
    fits = time.perf_counter() - start
    medians, every = {}, []
    for control, values in bench["CONTROLS"].items():
        if control not in explorer.controls:
            continue
        bench["_reset"](explorer, control)
        wall = bench["_measure"](explorer, control, values, changes)["wall"]
        bench["_reset"](explorer, control)
        medians[control] = statistics.median(wall) / 1000
        every += [w / 1000 for w in wall]
    slowest = max(medians, key=medians.get)
    return {
        "seconds": statistics.median(every),
        "slowest": slowest,
        "slowest_median": medians[slowest],
        "first_view": first,
        "first_visits": fits,
        "changes": len(every),
    }


def child(step: str, folder: str, births: int, changes: int, out: str) -> dict:
    """Run one step in this (fresh) process; return its figures."""
    import warnings

    warnings.simplefilter("ignore")
    folder_path = Path(folder)
    result: dict = {"step": step, "births": births}
    if step in ("synth", "synth_csv", "report"):
        from saz_geboortezorg.cli import main as cli

        if step == "report":
            argv = ["report", "--all-regions", folder, "--out", out]
        else:
            fmt = "csv" if step == "synth_csv" else "parquet"
            argv = ["synth", "--births", str(births), "--years", *YEARS, "--seed", str(SEED)]
            argv += ["--format", fmt, "--out", folder, "--quiet"]
        start = time.perf_counter()
        with open(os.devnull, "w") as devnull:
            stdout, sys.stdout = sys.stdout, devnull
            try:
                code = cli(argv)
            finally:
                sys.stdout = stdout
        result["seconds"] = time.perf_counter() - start
        if code:
            raise SystemExit(f"{' '.join(argv)} exited with {code}")
        return {**result, **_peak_mb()}

    import saz_geboortezorg as sg

    start = time.perf_counter()
    data = sg.load(folder_path, salt="bench")
    result["load_seconds"] = time.perf_counter() - start
    if step in ("load_parquet", "load_csv"):
        result["seconds"] = result["load_seconds"]
        result.update(_peak_mb())
        result["plain_read_seconds"] = _plain_read(folder_path, step.removeprefix("load_"))
        result["births_linked"] = len(data.births)
        return result
    result["load_peak_mb"] = _peak_mb()["maxrss_mb"]
    if step == "benchmark":
        start = time.perf_counter()
        bench = sg.benchmark(data, unit="region")
        result["seconds"] = time.perf_counter() - start
        result["cells"] = len(bench.table) if hasattr(bench, "table") else None
    elif step == "explorer":
        result.update(_explorer(data, changes))
    else:
        raise SystemExit(f"unknown step {step!r}")
    return {**result, **_peak_mb()}


# ---------------------------------------------------------------------------- the parent


def _run(step: str, folder: Path, births: int, changes: int, out: Path) -> dict:
    """Run ``step`` in a fresh subprocess; its figures come back as JSON on the last line."""
    cmd = [sys.executable, str(HERE), "--child", step, str(folder), str(births)]
    cmd += [str(changes), str(out)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode:
        raise RuntimeError(f"step {step} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _fmt_s(seconds: float) -> str:
    return f"{1000 * seconds:6.0f} ms" if seconds < 1 else f"{seconds:7.1f} s"


def _verdict(step: str, r: dict) -> str:
    seconds, peak, _ = GOALS[step]
    measured = r["slowest_median"] if step == "explorer" else r["seconds"]
    ok = measured < seconds and (peak is None or r["maxrss_mb"] < peak)
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> None:
    """Print every step's figures at ``--births`` against the baseline and issue 17's goals."""
    parser = argparse.ArgumentParser(prog="bench_national", description=__doc__.split("\n")[0])
    parser.add_argument("--births", type=int, default=BIRTHS)
    parser.add_argument("--baseline-births", type=int, default=BASELINE_BIRTHS)
    parser.add_argument("--changes", type=int, default=3, help="redraws per explorer control")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    args = parser.parse_args([] if argv is None else argv)  # run.py calls main() bare
    steps = list(args.steps)

    print(
        f"steps each in a fresh process; peak = the process's own ru_maxrss (VmHWM); "
        f"baseline {args.baseline_births:,} births, same years {YEARS[0]}-{YEARS[1]}; "
        f"load average {os.getloadavg()[0]:.2f} (2 cores)",
        flush=True,
    )
    figures: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_national_") as tmp:
        for births in (args.baseline_births, args.births):
            pq, csv, out = (Path(tmp) / f"{births}_{x}" for x in ("parquet", "csv", "reports"))
            figures[births] = r = {}
            r["synth"] = _run("synth", pq, births, args.changes, out)
            if "load_csv" in steps:
                _run("synth_csv", csv, births, args.changes, out)
            for step in steps:
                if step != "synth":
                    r[step] = _run(
                        step, csv if step == "load_csv" else pq, births, args.changes, out
                    )
            print(f"  measured {births:,} births", flush=True)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")

    base, big = figures[args.baseline_births], figures[args.births]
    head = (
        f"\n{'step':<14}{f'{args.baseline_births:,} births':>20} |"
        f"{f'{args.births:,} births (VmHWM)':>30}{'x base':>8} | goal (issue 17)"
    )
    print(head)
    print("-" * (len(head) + 40))
    for step in steps:
        b, r = base[step], big[step]
        hwm = r.get("vmhwm_mb", float("nan"))
        print(
            f"{step:<14}{_fmt_s(b['seconds'])}{b['maxrss_mb']:>10,.0f} MB |"
            f"{_fmt_s(r['seconds'])}{r['maxrss_mb']:>10,.0f} MB ({hwm:>7,.0f})"
            f"{r['seconds'] / b['seconds']:>7.1f}x | {GOALS[step][2]}: {_verdict(step, r)}"
        )
    print("(times under 1 s in ms; explorer: the median redraw; peaks: ru_maxrss in MB)")
    print()
    for step in ("load_parquet", "load_csv"):
        if step in steps:
            r = big[step]
            print(
                f"{step}: floor (plain pandas read, no validation or linkage) "
                f"{r['plain_read_seconds']:.1f} s; sg.load is {r['seconds'] / r['plain_read_seconds']:.1f}x "
                f"the floor; {r['births_linked']:,} births linked"
            )
    if "benchmark" in steps:
        r = big["benchmark"]
        print(
            f"benchmark: after a load of {r['load_seconds']:.1f} s (peak {r['load_peak_mb']:,.0f} MB); "
            f"the peak above includes the load"
        )
    if "explorer" in steps:
        r = big["explorer"]
        print(
            f"explorer: median of {r['changes']} redraws; slowest control {r['slowest']} "
            f"(median {1000 * r['slowest_median']:.0f} ms); first view {r['first_view']:.1f} s; "
            f"first visits of 6 indicators (one fit each) {r['first_visits']:.1f} s; "
            f"every control's median under 300 ms: "
            f"{'met' if r['slowest_median'] < 0.3 else 'NOT met'}"
        )
    if "report" in steps:
        print("report: the command end to end (load, analyse, protect, render 17 files)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, step, folder, births, changes, out = sys.argv
        print(json.dumps(child(step, folder, int(births), int(changes), out)))
    else:
        main(sys.argv[1:])
