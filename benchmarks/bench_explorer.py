"""Explorer latency on the default synthetic dataset (60,000 births).

Figures printed:

- the first view (cold: derives the indicator's records and fits its case-mix model);
- per control (indicator, level, period, adjustment, overdispersion, limits, my unit,
  language, each theme filter): the median and largest redraw time over a series of
  changes, including building every chart's Vega-Lite spec (``chart.to_dict()``) and
  the display table. Indicator changes cycle through indicators already seen, so their
  models come from the cache (a first visit to an indicator fits its model once, as in
  the cold view);
- the baseline measured in the same run: the same changes with a new cache each time,
  i.e. refitting the model on every change, and the ratio.

Target: under 300 ms per control change.
"""

from __future__ import annotations

import statistics
import time

CHANGES = 12
TARGET_MS = 300


def _redraw(data, state, cache, previous=None):
    from saz_geboortezorg.explore.view import explorer_view

    view = explorer_view(data, state, cache, previous)
    for name, chart in view.charts.items():
        if name not in view.reused:  # the explorer sends only redrawn charts to the browser
            chart.to_dict()
    view.display()
    return view


def _series(state, control: str, count: int, units: list[str]):
    """Alternating states that change one control."""
    from saz_geboortezorg.explore.controls import LIMITS

    values = {
        "indicator": ["cs", "oasis", "pph", "induction", "cost_per_pregnancy", "nicu"],
        "level": ["hospital", "region", "practice"],
        "period": ["2021", "2022", "2023", "all"],
        "adjusted": [False, True],
        "overdispersion": [False, True],
        "limits": list(LIMITS.values()),
        "my_unit": units,
        "language": ["nl", "en"],
    }
    themes = {
        "ses_quintile": [["1"], ["1", "2"], ["5"], []],
        "migration": [["non_european"], ["dutch"], []],
        "parity_group": [["0"], ["1", "2+"], []],
        "robson_main": [["1"], ["5"], ["2", "4"], []],
    }
    for i in range(count):
        if control in values:
            options = values[control]
            yield state.replace(**{control: options[i % len(options)]})
        else:
            options = themes[control]
            yield state.with_filter(control, options[i % len(options)])


def main() -> None:
    import saz_geboortezorg as sg
    from saz_geboortezorg.compare.benchmark import BenchmarkCache
    from saz_geboortezorg.explore.view import ExplorerState, explorer_view

    start = time.perf_counter()
    data = sg.load(sg.synthetic.default_dataset())
    print(f"load the default dataset: {time.perf_counter() - start:.2f} s")
    import altair  # noqa: F401  (imported once, as in a running notebook)

    cache = BenchmarkCache()
    state = ExplorerState(indicator="cs", level="region", my_unit="R05")
    start = time.perf_counter()
    _redraw(data, state, cache)
    print(f"first view (cold: records, case-mix fit, charts): {time.perf_counter() - start:.2f} s")
    for ind in ("oasis", "pph", "induction", "cost_per_pregnancy", "nicu"):
        _redraw(data, state.replace(indicator=ind), cache)  # first visits: fit once
    units = ["R01", "R05", "R11", None]
    controls = [
        "indicator",
        "level",
        "period",
        "adjusted",
        "overdispersion",
        "limits",
        "my_unit",
        "language",
        "ses_quintile",
        "migration",
        "parity_group",
        "robson_main",
    ]
    print(
        f"\nafter a control change ({CHANGES} changes each; median ms, wall clock; "
        "cpu = process time of the whole redraw)"
    )
    print(f"{'control':<16}{'numbers':>8}{'redraw':>8}{'max':>8}{'cpu':>8}  charts redrawn")
    medians, numbers_all = {}, []
    fits_before = cache.fits
    for control in controls:
        numbers, times, cpu = [], [], []
        previous = _redraw(data, state, cache)
        for changed in _series(state, control, CHANGES, units):
            t0 = time.perf_counter()
            explorer_view(data, changed, cache, draw=False)
            numbers.append(1000 * (time.perf_counter() - t0))
            t0, c0 = time.perf_counter(), time.process_time()
            previous = _redraw(data, changed, cache, previous)
            times.append(1000 * (time.perf_counter() - t0))
            cpu.append(1000 * (time.process_time() - c0))
        medians[control] = statistics.median(times)
        numbers_all += numbers
        redrawn = 3 - len(previous.reused)
        print(
            f"{control:<16}{statistics.median(numbers):>8.0f}{medians[control]:>8.0f}"
            f"{max(times):>8.0f}{statistics.median(cpu):>8.0f}  {redrawn} of 3"
        )
    print(f"case-mix fits during all these changes: {cache.fits - fits_before}")
    print(
        "numbers: unit table, funnel analysis and trend (explorer_view(draw=False)); redraw: "
        "the same plus building the changed charts and their Vega-Lite specs (to_dict) and "
        "the display table"
    )

    print("\nbaseline: refit the model on every change (a new cache each time):")
    base_numbers, base = [], []
    for changed in _series(state, "level", 6, units):
        t0 = time.perf_counter()
        explorer_view(data, changed, BenchmarkCache(), draw=False)
        base_numbers.append(1000 * (time.perf_counter() - t0))
        t0 = time.perf_counter()
        _redraw(data, changed, BenchmarkCache())  # no cache, no previous view
        base.append(1000 * (time.perf_counter() - t0))
    print(
        f"{'level (refit)':<16}{statistics.median(base_numbers):>8.0f}{statistics.median(base):>8.0f}"
    )
    numbers_median = statistics.median(numbers_all)
    worst = max(medians.values())
    print(
        f"\nnumbers after a change: median {numbers_median:.0f} ms, "
        f"{statistics.median(base_numbers) / numbers_median:.0f}x faster than refitting"
    )
    print(
        f"full redraw: slowest control median {worst:.0f} ms (target < {TARGET_MS} ms): "
        f"{'met' if worst < TARGET_MS else 'NOT met'}; the rest is altair building and "
        "validating the charts"
    )


if __name__ == "__main__":
    main()
