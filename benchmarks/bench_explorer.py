"""Explorer latency on the default synthetic dataset (60,000 births), end to end.

A redraw is measured as the widget does it: a control's value is set
(``explorer.controls[name].value = ...``), which runs the view function (unit table,
funnel analysis, trend), builds the charts that changed, hands them to their
:class:`~saz_geboortezorg.present.chart_pane.ChartPane` (Vega-Lite spec, widget state)
and writes the table and notes. Every widget message is JSON-encoded as the kernel
would encode it (``jupyter_client``'s packer) and its size counted; only the browser's
part (drawing) is left out.

Figures printed:

- the load average of the (shared) machine, before and after;
- the first view (cold: derives the indicator's records, fits its case-mix model,
  bundles the offline Vega libraries for the chart widgets);
- per control (indicator, level, period, adjustment, overdispersion, limits, my unit,
  language, each theme filter): median and largest redraw time, wall clock and CPU,
  over a series of changes, the charts redrawn and the kilobytes sent. Indicator
  changes cycle through indicators already seen, so their models come from the cache;
- the baseline measured in the same run: the same changes with a new model cache and
  no previous view each time, i.e. refitting the model and redrawing every chart on
  every change;
- whether the target is met: every control's median redraw under 300 ms (wall).
"""

from __future__ import annotations

import os
import statistics
import time

CHANGES = 10  # per control, with the cache
BASELINE_CHANGES = 3  # per control, refitting every time
TARGET_MS = 300

CONTROLS = {
    "indicator": ["oasis", "pph", "induction", "cost_per_pregnancy", "nicu", "cs"],
    "level": ["hospital", "practice", "region"],
    "period": ["2021", "2022", "2023", "all"],
    "adjusted": [False, True],
    "overdispersion": [False, True],
    "limits": [(95.0,), (99.8,), (95.0, 99.8)],
    "my_unit": ["R01", "R11", None, "R05"],
    "language": ["nl", "en"],
    "ses_quintile": [("1",), ("1", "2"), ("5",), ()],
    "migration": [("non_european",), ("dutch",), ()],
    "parity_group": [("0",), ("1", "2+"), ()],
    "robson_main": [("1",), ("5",), ("2", "4"), ()],
}


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min; 2 cores)"


class _Sent:
    """Counts what the widgets send: each message JSON-encoded as the kernel does."""

    bytes = 0

    @classmethod
    def install(cls) -> None:
        import comm
        from jupyter_client.session import json_packer

        class PackingComm(comm.DummyComm):
            def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
                content = {"comm_id": self.comm_id, "data": data or {}, **keys}
                cls.bytes += len(json_packer(content)) + len(json_packer(metadata or {}))
                cls.bytes += sum(len(b) for b in buffers or ())

        comm.create_comm = PackingComm


def _measure(explorer, control: str, values: list, count: int) -> dict:
    """Set ``control`` to each value in turn (``count`` changes); timings in ms."""
    wall, cpu, sent, redrawn = [], [], [], []
    widget = explorer.controls[control]
    for i in range(count):
        value = values[i % len(values)]
        updates = {name: pane.chart for name, pane in explorer.panes.items()}
        before = _Sent.bytes
        t0, c0 = time.perf_counter(), time.process_time()
        widget.value = value  # the widget's observer redraws
        wall.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
        sent.append((_Sent.bytes - before) / 1000)
        redrawn.append(sum(pane.chart is not updates[n] for n, pane in explorer.panes.items()))
        if explorer.view is None or explorer.view.state != explorer.state:
            raise RuntimeError(f"{control}={value!r}: {explorer.status.value}")
    return {"wall": wall, "cpu": cpu, "sent": sent, "redrawn": redrawn}


def _reset(explorer, control: str) -> None:
    """Back to the starting value (untimed)."""
    start = {"indicator": "cs", "level": "region", "period": "all", "adjusted": True,
             "overdispersion": True, "limits": (95.0, 99.8), "my_unit": "R05",
             "language": "en"}  # fmt: skip
    widget = explorer.controls[control]
    target = start.get(control, ())
    if widget.value != target:
        widget.value = target
    if control == "level" and explorer.controls["my_unit"].value != "R05":
        explorer.controls["my_unit"].value = "R05"


def main() -> None:
    import saz_geboortezorg as sg
    from saz_geboortezorg.compare.benchmark import BenchmarkCache
    from saz_geboortezorg.explore import Explorer
    from saz_geboortezorg.explore.view import explorer_view

    print(f"load average at the start: {_load()}")
    start = time.perf_counter()
    data = sg.load(sg.synthetic.default_dataset())
    print(f"load the default dataset: {time.perf_counter() - start:.2f} s")
    import altair  # noqa: F401  (imported once, as in a running notebook)
    import ipywidgets  # noqa: F401

    _Sent.install()
    start = time.perf_counter()
    explorer = Explorer(data, highlight="R05", indicator="cs", unit="region")
    print(
        f"first view (cold: records, case-mix fit, offline Vega bundle, charts): "
        f"{time.perf_counter() - start:.2f} s"
    )
    for ind in CONTROLS["indicator"]:  # first visits: each model is fitted once
        explorer.controls["indicator"].value = ind
    fits = explorer.cache.fits

    def refit_everything(data, state, cache, previous):
        return explorer_view(data, state, BenchmarkCache())  # new cache, no previous view

    baseline = Explorer(data, highlight="R05", view_function=refit_everything)

    results, base = {}, {}
    for control, values in CONTROLS.items():
        if control not in explorer.controls:
            continue
        _reset(explorer, control)
        results[control] = _measure(explorer, control, values, CHANGES)
        _reset(explorer, control)
        _reset(baseline, control)
        base[control] = _measure(baseline, control, values, BASELINE_CHANGES)
        _reset(baseline, control)
    print(f"case-mix fits during the cached changes: {explorer.cache.fits - fits}")

    print(
        f"\nredraw after a control change, end to end (ms; {CHANGES} changes per control; "
        f"baseline: {BASELINE_CHANGES} changes refitting the model and redrawing everything)"
    )
    head = (
        f"{'control':<15}{'wall med':>9}{'max':>6}{'cpu med':>9}{'max':>6}"
        f"{'charts':>8}{'kB sent':>9} |{'baseline wall':>14}{'cpu':>6}{'x faster':>9}"
    )
    print(head)
    print("-" * len(head))
    for control, r in results.items():
        b = base[control]
        med = statistics.median(r["wall"])
        print(
            f"{control:<15}{med:>9.0f}{max(r['wall']):>6.0f}"
            f"{statistics.median(r['cpu']):>9.0f}{max(r['cpu']):>6.0f}"
            f"{statistics.median(r['redrawn']):>6.0f}/3{statistics.median(r['sent']):>9.0f} |"
            f"{statistics.median(b['wall']):>14.0f}{statistics.median(b['cpu']):>6.0f}"
            f"{statistics.median(b['wall']) / med:>9.1f}"
        )
    medians = {c: statistics.median(r["wall"]) for c, r in results.items()}
    every = [t for r in results.values() for t in r["wall"]]
    slowest = max(medians, key=medians.get)
    over = sum(t >= TARGET_MS for t in every)
    print(
        f"\nall changes: median {statistics.median(every):.0f} ms wall "
        f"({statistics.median([t for r in results.values() for t in r['cpu']]):.0f} ms CPU); "
        f"slowest control: {slowest} (median {medians[slowest]:.0f} ms); "
        f"{over} of {len(every)} changes took {TARGET_MS} ms or more"
    )
    met = all(m < TARGET_MS for m in medians.values())
    print(f"target < {TARGET_MS} ms (every control's median, wall): {'met' if met else 'not met'}")
    print(f"load average at the end: {_load()}")


if __name__ == "__main__":
    main()
