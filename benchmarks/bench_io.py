"""Load speed: read + validate + hash + link synthetic extracts (CSV and Parquet).

Figures printed, for 60,000 and 1,000,000 births:

- ``saz_geboortezorg.load`` on CSV and on Parquet (read, convert, validate every
  declared rule, cross-file references, linkage into births/women, reconciliation);
- the baseline: plain ``pandas.read_csv`` / ``read_parquet`` of the same four files
  (type inference only, no validation, no linkage) and the ratio to it.

Data come from the synthetic generator with a fixed seed, written to a temporary
folder. Timings vary with machine load; the best of a few runs is shown.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

SIZES = [60_000, 1_000_000]
SEED = 7
REPEATS = {60_000: 3, 1_000_000: 1}


def _best(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _baseline(folder: Path, fmt: str) -> None:
    import pandas as pd

    for path in sorted(folder.glob(f"*.{fmt}")):
        pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)


def main() -> None:
    from saz_geboortezorg.io import load
    from saz_geboortezorg.synthetic import generate

    with tempfile.TemporaryDirectory() as tmp:
        for births in SIZES:
            start = time.perf_counter()
            data = generate(births=births, seed=SEED, progress=False)
            print(
                f"\n{births:,} births: generated in {time.perf_counter() - start:.1f} s", flush=True
            )
            for fmt in ("csv", "parquet"):
                folder = Path(tmp) / f"{births}_{fmt}"
                data.write(folder, format=fmt)
                rows = sum(
                    len(getattr(data, s))
                    for s in ("organisaties", "perined_lvr1", "perined_lvr2", "dbc_declaraties")
                )
                size = sum(p.stat().st_size for p in folder.glob(f"*.{fmt}")) / 1e6
                repeats = REPEATS[births]
                t_load, ds = _best(lambda folder=folder: load(folder, salt="bench"), repeats)
                t_base, _ = _best(lambda folder=folder, fmt=fmt: _baseline(folder, fmt), repeats)
                ok = bool(ds.linkage_summary()["reconciles"].all())
                print(
                    f"  {fmt:<7} {rows:>10,} rows, {size:7.1f} MB: load {t_load:6.2f} s "
                    f"({rows / t_load:,.0f} rows/s); plain pandas read {t_base:5.2f} s; "
                    f"ratio {t_load / t_base:4.1f}x; births {len(ds.births):,}; reconciles {ok}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
