"""Benchmark of the synthetic data generator (``saz_geboortezorg.synthetic``).

For 60,000 and 1,000,000 births, each in a fresh Python process (so the peak memory
belongs to that size alone), prints: generation time, births per second, the peak
resident memory of the process after generating (``resource.getrusage`` maxrss,
which includes the interpreter and libraries), the rows written, and the CSV and
Parquet write times and sizes. Targets: 60,000 births < 10 s; 1,000,000 births
< 2 minutes and < 4 GB peak memory.

Run as a script (``python benchmarks/bench_synth.py [births ...]``) or through
``benchmarks/run.py synth``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (60_000, 1_000_000)
HERE = Path(__file__).resolve()


def _maxrss_mb() -> float:
    """Peak resident memory of this process in MB.

    On Linux this reads VmHWM from /proc/self/status: getrusage's ru_maxrss is carried
    over from the parent through fork and exec, so a fresh child started by a process
    that once used more memory would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


def bench(births: int, seed: int = 2024) -> dict[str, float]:
    """Generate ``births`` births in this process and write CSV and Parquet; return the figures."""
    from saz_geboortezorg.synthetic import generate

    base = _maxrss_mb()
    start = time.perf_counter()
    data = generate(births=births, seed=seed)
    seconds = time.perf_counter() - start
    out = {
        "births": births,
        "seconds": seconds,
        "births_per_s": births / seconds,
        "maxrss_mb": _maxrss_mb(),
        "baseline_mb": base,
        "rows": sum(len(f) for f in data.frames().values()),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "parquet"):
            t0 = time.perf_counter()
            paths = data.write(Path(tmp) / fmt, format=fmt)
            out[f"write_{fmt}_s"] = time.perf_counter() - t0
            out[f"size_{fmt}_mb"] = sum(p.stat().st_size for p in paths.values()) / 2**20
    out["maxrss_with_write_mb"] = _maxrss_mb()
    return out


def _in_subprocess(births: int) -> dict[str, float]:
    code = f"import json, runpy; m = runpy.run_path({str(HERE)!r}); print(json.dumps(m['bench']({births})))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(sizes: tuple[int, ...] | None = None) -> None:
    """Print the benchmark figures (one line per size, each measured in a fresh process)."""
    sizes = tuple(sizes or SIZES)
    print(
        "   births  generate    births/s  peak RSS (gen / +write)      rows   write csv (MB)   write parquet (MB)"
    )
    for n in sizes:
        r = _in_subprocess(n)
        print(
            f"{n:>9,}  {r['seconds']:6.2f} s  {r['births_per_s']:10,.0f}  {r['maxrss_mb']:7,.0f} / {r['maxrss_with_write_mb']:6,.0f} MB"
            f"  {r['rows']:>9,}  {r['write_csv_s']:6.2f} s ({r['size_csv_mb']:5,.0f})"
            f"  {r['write_parquet_s']:6.2f} s ({r['size_parquet_mb']:5,.0f})",
            flush=True,
        )
    print("targets: 60,000 births < 10 s; 1,000,000 births < 120 s and < 4 GB peak memory")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or None)
