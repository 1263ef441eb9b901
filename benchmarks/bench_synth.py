"""Benchmark of the synthetic data generator (``saz_geboortezorg.synthetic``).

Prints, for 60,000 and 1,000,000 births: generation time, births per second, peak
memory of the generation (tracemalloc: Python/numpy allocations) and the process's
peak resident memory (``resource.getrusage``), then CSV and Parquet write times for
both sizes. Targets: 60,000 births < 10 s; 1,000,000 < 2 minutes and < 4 GB.

Run as a script (``python benchmarks/bench_synth.py [births ...]``) or through
``benchmarks/run.py synth``.
"""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

SIZES = (60_000, 1_000_000)


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


def bench(births: int, seed: int = 2024) -> dict[str, float]:
    """Generate ``births`` births and write them as CSV and Parquet; return the figures."""
    from saz_geboortezorg.synthetic import generate

    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    data = generate(births=births, seed=seed)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {
        "births": births,
        "seconds": seconds,
        "births_per_s": births / seconds,
        "peak_mb": peak / 2**20,
    }
    rows = sum(len(f) for f in data.frames().values())
    out["rows"] = rows
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "parquet"):
            t0 = time.perf_counter()
            paths = data.write(Path(tmp) / fmt, format=fmt)
            out[f"write_{fmt}_s"] = time.perf_counter() - t0
            out[f"size_{fmt}_mb"] = sum(p.stat().st_size for p in paths.values()) / 2**20
    out["maxrss_mb"] = _maxrss_mb()
    del data
    gc.collect()
    return out


def main(sizes: tuple[int, ...] | None = None) -> None:
    """Print the benchmark figures (one block per size)."""
    sizes = tuple(sizes or SIZES)
    print(
        "births      generate   births/s   peak(tracemalloc)  maxRSS   write csv (MB)     write parquet (MB)"
    )
    for n in sizes:
        r = bench(n)
        print(
            f"{n:>9,}  {r['seconds']:8.2f} s  {r['births_per_s']:9,.0f}  {r['peak_mb']:10,.0f} MB"
            f"  {r['maxrss_mb']:7,.0f} MB  {r['write_csv_s']:6.2f} s ({r['size_csv_mb']:6,.0f})"
            f"  {r['write_parquet_s']:6.2f} s ({r['size_parquet_mb']:5,.0f})",
            flush=True,
        )
    print("targets: 60,000 births < 10 s; 1,000,000 births < 120 s and < 4 GB peak memory")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or None)
