"""Mirror-meeting reports: all 17 regions on the default dataset (60,000 births).

Figures printed:

- baseline: ONE region's report built by the same pipeline (analyse, protect, render);
- all 17 regions from one call (the models and the protection run once, each region only
  renders), split into analyse / protect / render;
- what a per-region rebuild would cost (17 x the one-region time), and the ratio.

Target (issue 8): all 17 regions in under 60 s. Exports (PNG/SVG/CSV/Excel) are not included:
they are optional (``--exports``) and take about 0.1-0.2 s per chart through vl-convert.
"""

from __future__ import annotations

import tempfile
import time
import warnings


def main() -> None:
    import saz_geboortezorg as sg
    from saz_geboortezorg.report import build_reports
    from saz_geboortezorg.report.html import javascript_bundle

    data = sg.load(sg.synthetic.default_dataset())
    javascript_bundle()  # cached once per process (~3 s), as in the command
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as out:
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        one = build_reports(data, ["R01"], out)
        t_one = time.perf_counter() - t
        t = time.perf_counter()
        every = build_reports(data, None, out)
        t_all = time.perf_counter() - t
    s = every["seconds"]
    print(f"one region (baseline):        {t_one:6.1f} s  {one['seconds']}")
    print(
        f"all {len(every['reports'])} regions, one call:   {t_all:6.1f} s  "
        f"(analyse {s['analyse']} s, protect {s['protect']} s, render {s['render']} s)"
    )
    print(
        f"17 separate one-region runs: {17 * t_one:6.1f} s (estimated); "
        f"one call is {17 * t_one / t_all:.1f}x faster; target < 60 s: "
        f"{'met' if t_all < 60 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
