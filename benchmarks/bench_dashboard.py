"""The dashboard's first view in a browser: from the page request to the first chart.

Serves ``notebooks/dashboard.ipynb`` with Voila and opens it in Debian's Chromium
(Playwright), as the browser test does (``tests/dashboard/voila_page.py``). The time
runs from the page request until the first ``vega-embed`` chart has drawn marks.

Figures printed:

- the load average of the (shared, 2-core) machine, before and after;
- the baseline measured in the same run: a plain Voila page (no preheated kernel), asked
  for as soon as the server accepts connections; Voila runs the whole notebook (kernel
  start, imports, loading the data, the model fit, the charts) before it sends the page;
- ``make dashboard``: preheated kernel (``--preheat_kernel=True --pool_size=1``); the
  time from the server's start until the dashboard is ready (the kernel ran the
  notebook up to the visitor, see :mod:`saz_geboortezorg.explore.dashboard`), then
  the page request to the first chart, for ``--visits`` visits (each visitor takes the
  prepared kernel; the next one is prepared in between);
- whether the target is met: 3 s on the default data, 5 s with ``--data`` (2,000,000 births).

Usage::

    python benchmarks/run.py dashboard
    flock /tmp/big2m.lock python benchmarks/run.py dashboard --data /tmp/nat/pq2000000 \
        --no-baseline --visits 1 --fill-delay 600

``--data FOLDER`` shows other extracts (``SAZ_GEBOORTEZORG_DATA``); ``--no-baseline``
skips the plain page (at 2,000,000 births it loads the data once more).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "dashboard"))

TARGET_S = {"default": 3.0, "data": 5.0}
TIMEOUT_S = 900


def _browser(pw):
    from voila_page import CHROMIUM, CHROMIUM_ARGS

    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _visit(browser, url: str) -> dict:
    from voila_page import open_timed

    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    try:
        return open_timed(page, url, TIMEOUT_S)
    finally:
        page.close()


def _baseline(pw, env: dict) -> dict:
    from voila_page import Voila

    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        server = Voila(Path(tmp), preheat=False, env=env)
        try:
            url = server.url()
            browser = _browser(pw)
            try:
                return _visit(browser, url)
            finally:
                browser.close()
        finally:
            server.stop()


def _preheated(pw, env: dict, visits: int, options: list[str]) -> tuple[float, list[dict]]:
    from voila_page import Voila

    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        server = Voila(Path(tmp), preheat=True, env=env, options=options)
        try:
            url = server.url()
            ready = server.wait_until_ready(TIMEOUT_S)
            browser = _browser(pw)
            results = []
            try:
                for visit in range(visits):
                    if visit:  # the next visitor comes once the next kernel is prepared
                        count = server.log.read_text().count("dashboard ready")
                        deadline = time.monotonic() + TIMEOUT_S
                        while server.log.read_text().count("dashboard ready") <= count:
                            if time.monotonic() > deadline:
                                raise RuntimeError("the next kernel was not prepared")
                            time.sleep(0.2)
                    results.append(_visit(browser, url))
            finally:
                browser.close()
            return ready, results
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright
    from voila_page import load_average

    parser = argparse.ArgumentParser(prog="bench_dashboard")
    parser.add_argument("--data", help="folder of extracts (default: the synthetic data)")
    parser.add_argument("--visits", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--fill-delay",
        type=float,
        help="seconds before Voila prepares the next kernel (make dashboard: 3); with one "
        "visit at 2,000,000 births a long delay keeps a second copy of the data out of memory",
    )
    args = parser.parse_args(argv or [])
    env = {"SAZ_GEBOORTEZORG_DATA": str(Path(args.data).resolve())} if args.data else {}
    target = TARGET_S["data" if args.data else "default"]

    print(f"load average at the start: {load_average()} (1 / 5 / 15 min; 2 cores)")
    print(f"data: {args.data or 'the default synthetic dataset (60,000 births)'}")
    with sync_playwright() as pw:
        base = None
        if not args.no_baseline:
            base = _baseline(pw, env)
            print(
                f"baseline, plain Voila page (the notebook runs after the request): "
                f"page {base['page']:.1f} s, first chart {base['first_chart']:.1f} s"
            )
        options = (
            []
            if args.fill_delay is None
            else [f"--VoilaKernelManager.fill_delay={args.fill_delay}"]
        )
        ready, visits = _preheated(pw, env, args.visits, options)
    print(f"make dashboard (preheated kernel): ready {ready:.1f} s after the server started")
    for i, v in enumerate(visits, 1):
        print(f"  visit {i}: page {v['page']:.2f} s, first chart {v['first_chart']:.2f} s")
    median = statistics.median(v["first_chart"] for v in visits)
    line = f"first chart after the page request: median {median:.2f} s over {len(visits)} visits"
    if base is not None:
        line += (
            f" (baseline {base['first_chart']:.1f} s: {base['first_chart'] / median:.1f}x faster)"
        )
    print(line)
    print(f"target < {target:.0f} s: {'met' if median < target else 'not met'}")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main(sys.argv[1:])
