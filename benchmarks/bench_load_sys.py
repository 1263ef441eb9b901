"""System time of ``sg.load`` (issue 17, fourth round): allocator settings, side by side.

Every run is a fresh Python process (so each starts from the same, empty heap) that
times one ``sg.load(folder, salt="bench")`` and prints, as JSON: wall, user and system
seconds and minor page faults of the load (``getrusage``), the process's peak
(``ru_maxrss``), and its resident memory after the load (``VmRSS``) with the data still
held and again after the data is dropped and ``gc.collect()`` ran (what the process
hands back). Variants run alternately (A B A B ...), so drifts in the load of a shared
machine hit them alike; the summary prints the median and the range of each figure.

Variants (``--variants``):

- ``base``: the load before the fourth round: glibc malloc untuned (the switch of
  Arrow's pool to jemalloc stays);
- ``tuned``: ``base`` with glibc malloc's thresholds raised for the load (see
  :func:`saz_geboortezorg.io.fast.bulk_memory_pool`);
- ``decay``: ``tuned`` with Arrow's jemalloc keeping freed pages until the load ends
  (``pyarrow.jemalloc_set_decay_ms(-1)`` before the load), for exploring;
- ``mallopt:MMAP:TRIM[:MMAPMAX]``: ``base`` plus these ``mallopt`` values (bytes; MMAPMAX
  is ``M_MMAP_MAX``) set once before the load and never restored, for exploring.

Run as ``python benchmarks/bench_load_sys.py /tmp/nat/pq500000 --runs 4`` (without a
folder: 60,000 synthetic pregnancies, 2014-2023, Parquet, written to a temporary folder;
that is what ``python benchmarks/run.py load_sys`` does); at 2,000,000
births under the shared lock: ``flock /tmp/big2m.lock python benchmarks/bench_load_sys.py
/tmp/nat/pq2000000 --runs 4``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
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
FIGURES = (
    "wall",
    "user",
    "sys",
    "minflt",
    "peak_mb",
    "rss_loaded_mb",
    "rss_after_mb",
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover (not Linux)


def _child(variant: str, folder: str) -> dict:
    sys.path.insert(0, str(HERE.parent.parent))
    import saz_geboortezorg as sg
    from saz_geboortezorg.io import fast

    if variant == "base" or variant.startswith("mallopt:"):
        fast._glibc_malloc_tuning = contextlib.nullcontext  # type: ignore[attr-defined]
    if variant == "decay":
        import pyarrow as pa

        pa.jemalloc_set_decay_ms(-1)
    if variant.startswith("mallopt:"):
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        values = [int(v) for v in variant.split(":")[1:]]
        libc.mallopt(-3, values[0])  # M_MMAP_THRESHOLD
        libc.mallopt(-1, values[1])  # M_TRIM_THRESHOLD
        if len(values) > 2:
            libc.mallopt(-4, values[2])  # M_MMAP_MAX
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    data = sg.load(folder, salt="bench")
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    rss_loaded = _rss_mb()
    del data
    gc.collect()
    return {
        "variant": variant,
        "wall": wall,
        "user": r1.ru_utime - r0.ru_utime,
        "sys": r1.ru_stime - r0.ru_stime,
        "minflt": r1.ru_minflt - r0.ru_minflt,
        "peak_mb": r1.ru_maxrss / 1024,
        "rss_loaded_mb": rss_loaded,
        "rss_after_mb": _rss_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", help="extracts (default: 60,000 synthetic)")
    parser.add_argument("--runs", type=int, default=4, help="runs per variant")
    parser.add_argument("--variants", nargs="+", default=["base", "tuned"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help="append every run as a JSON line to this file")
    args = parser.parse_args([] if argv is None else argv)  # None: benchmarks/run.py
    if args.child:
        print(json.dumps(_child(args.child, args.folder)))
        return
    if args.folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, "-m", "saz_geboortezorg.cli", "synth", "--births", "60000"]
                + ["--years", "2014", "2023", "--format", "parquet", "--out", tmp, "--quiet"],
                check=True,
                cwd=HERE.parent.parent,
            )
            out = ["--out", args.out] if args.out else []
            main([tmp, "--runs", str(args.runs), "--variants", *args.variants, *out])
        return
    runs: dict[str, list[dict]] = {v: [] for v in args.variants}
    print(
        f"{args.folder}: {args.runs} runs per variant, alternating; load average "
        f"{os.getloadavg()[0]:.2f} (2 cores)"
    )
    for i in range(args.runs):
        for variant in args.variants:
            res = subprocess.run(
                [sys.executable, str(HERE), args.folder, "--child", variant],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(res.stdout.strip().splitlines()[-1])
            r["run"] = i
            runs[variant].append(r)
            print(
                " ".join(
                    f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()
                ),
                flush=True,
            )
            if args.out:
                with open(args.out, "a") as fh:
                    fh.write(json.dumps({"folder": args.folder, **r}) + "\n")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    for variant, rs in runs.items():
        cells = []
        for f in FIGURES:
            xs = [r[f] for r in rs]
            fmt = "{:,.0f}" if f == "minflt" or f.endswith("_mb") else "{:.1f}"
            cells.append(
                f"{f} {fmt.format(statistics.median(xs))} "
                f"[{fmt.format(min(xs))}-{fmt.format(max(xs))}]"
            )
        print(f"{variant:>10}: " + "; ".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
