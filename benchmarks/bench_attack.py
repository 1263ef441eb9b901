"""The end-to-end attack (issue 14) on the default data's 17 regional reports.

Steps, each timed: synthesise the default dataset (``saz-geboortezorg synth``), build all
17 reports with exports (``saz-geboortezorg report DATA --all-regions --exports``), compute
the line totals from the data (:func:`saz_geboortezorg.disclosure.attack.known_totals`) and
attack what was written to disk (:func:`~saz_geboortezorg.disclosure.attack.attack_reports`).

Printed: the number of reports, tables, hidden counts and counts attacked, the findings
(hidden counts 1-9 pinned to one value, with table, cell and why), the hidden counts 1-9
narrowed to two values, cells hidden in one report and shown in another, and the runtime.
The target of issue 14 is no finding.

Run through ``python benchmarks/run.py attack [--seed N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    import saz_geboortezorg as sg
    from saz_geboortezorg.cli import main as cli
    from saz_geboortezorg.disclosure.attack import attack_reports, known_totals

    p = argparse.ArgumentParser(prog="bench_attack")
    p.add_argument("--seed", type=int, default=None, help="synth seed (default: the default)")
    p.add_argument("--keep", type=Path, default=None, help="keep data and reports in DIR")
    args = p.parse_args(argv or [])
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = args.keep or Path(tmp)
        data_dir, out = base / "data", base / "reports"
        t = time.perf_counter()
        synth = ["synth", "--out", str(data_dir), "--quiet"]
        assert cli(synth + (["--seed", str(args.seed)] if args.seed is not None else [])) == 0
        t_synth = time.perf_counter() - t
        t = time.perf_counter()
        code = cli(["report", str(data_dir), "--all-regions", "--out", str(out), "--exports"])
        assert code == 0, f"report exited with {code}"
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        truth = known_totals(sg.load(data_dir))
        t_truth = time.perf_counter() - t
        result = attack_reports(out, truth)
    print(
        f"\nsynthesise: {t_synth:6.1f} s; build 17 reports with exports: {t_build:6.1f} s; "
        f"line totals from the data: {t_truth:5.1f} s"
    )
    print(result.summary())
    shown = result.cells[result.cells["exact"]]
    print(
        f"exact ranges computed: {len(shown)} of {result.attacked}; the rest were seen at "
        "3 or more values (neither pinned nor narrowed to 2)"
    )
    if len(result.ranges2):
        cols = ["table", "key", "column", "true", "lo", "hi"]
        print("narrowed to 2 values:\n" + result.ranges2[cols].to_string(index=False))
    print(f"target (issue 14): no finding -> {'met' if result.safe else 'NOT met'}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
