"""Run the toolkit's benchmarks and print their figures.

Usage::

    python benchmarks/run.py            # every benchmark
    python benchmarks/run.py synth io   # only these (bench_synth.py, bench_io.py)
    python benchmarks/run.py truth --seeds 3   # options after the names go to main(argv)
    python benchmarks/run.py attack            # issue 14: attack all 17 built reports

Each ``benchmarks/bench_<name>.py`` has a ``main()`` that prints its own figures,
with ratios against a baseline measured in the same run. Timings are not asserted
in the unit tests: this script is where speed is shown.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _benchmarks() -> dict[str, Path]:
    return {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    available = _benchmarks()
    first_option = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    names, options = argv[:first_option], argv[first_option:]
    chosen = names or list(available)
    unknown = [n for n in chosen if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        spec = importlib.util.spec_from_file_location(f"bench_{name}", available[name])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        start = time.perf_counter()
        if options:
            module.main(options)
        else:
            module.main()
        print(f"({name} took {time.perf_counter() - start:.1f} s in all)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
