"""Progress bars of long operations: where they show, where they stay silent, and that
sg.load, sg.benchmark, the generator and the reports announce their steps.

The expected screens are written out by hand from the module's contract (a ``\\r``
redraw per step on a terminal, one final line, nothing anywhere else), not taken from
the code's own output.
"""

from __future__ import annotations

import io
import sys
import threading

import pytest
from progress_terminal import CLEAR, Terminal, screens

from saz_geboortezorg import progress
from saz_geboortezorg.progress import steps

pytestmark = pytest.mark.usefixtures("progress_automatic")


def texts(stream: io.StringIO, label: str) -> list[str]:
    """The step text of each screen (without the label, the bar and the elapsed time)."""
    out = []
    for s in screens(stream):
        if not s.startswith(label + " "):
            continue
        s = s.removeprefix(label + " ")
        if s.startswith("["):
            s = s.split("] ", 1)[1]
        out.append(s.split(" · ")[0])
    return out


def run_three_steps(stream, **options):
    with steps("load", total=3, stream=stream, **options) as p:
        for name in ("reading a.csv", "reading b.csv", "linking"):
            p.step(name)


# -- where it shows and where it does not ------------------------------------------


def test_terminal_gets_a_bar_with_every_step_and_one_final_line():
    screen = Terminal()
    run_three_steps(screen)
    shown = screens(screen)
    assert shown[0].startswith("load [" + "-" * 20 + "] starting")
    steps_seen = [s for s in shown if "/3 " in s]
    assert [s.split("] ")[1].split(" · ")[0] for s in steps_seen] == [
        "1/3 reading a.csv",
        "2/3 reading b.csv",
        "3/3 linking",
    ]
    # the bar fills with the steps finished: 0, 1 and 2 of 3 (of 20 characters: 0, 7, 13)
    assert [s.count("#") for s in steps_seen] == [0, 7, 13]
    assert all(" s" in s.split(" · ")[1] for s in steps_seen)  # elapsed time
    # ends cleanly: the last screen is one line, cleared first, with a newline
    assert screen.getvalue().endswith("\n") and screen.getvalue().count("\n") == 1
    assert screen.getvalue().rsplit("\r", 1)[1].startswith(CLEAR + "load: done, 3 steps in ")
    assert shown[-1].endswith(" s\n")


def test_not_a_terminal_stays_silent_by_default():
    log = io.StringIO()
    run_three_steps(log)
    assert log.getvalue() == ""


def test_not_a_terminal_gets_plain_lines_when_asked_for():
    log = io.StringIO()
    run_three_steps(log, enabled=True)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) == 4
    assert [line.split("] ", 1)[1] for line in lines[:3]] == [
        "1/3 reading a.csv",
        "2/3 reading b.csv",
        "3/3 linking",
    ]
    assert lines[0].startswith("[load ") and lines[-1].split("] ")[1].startswith("load: done")


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_silent_in_ci_even_on_a_terminal(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    screen = Terminal()
    run_three_steps(screen)
    assert screen.getvalue() == ""


@pytest.mark.parametrize("ci", ["", "0", "false"])
def test_ci_switched_off_is_not_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    screen = Terminal()
    run_three_steps(screen)
    assert "load: done" in screen.getvalue()


def test_environment_variable_switches_off_and_on(monkeypatch):
    monkeypatch.setenv(progress.ENV, "0")
    screen = Terminal()
    run_three_steps(screen)
    assert screen.getvalue() == ""
    monkeypatch.setenv(progress.ENV, "1")
    log = io.StringIO()
    run_three_steps(log)
    assert len(log.getvalue().splitlines()) == 4


def test_quiet_and_global_setting_silence_a_terminal():
    screen = Terminal()
    with progress.quiet():
        run_three_steps(screen)
    assert screen.getvalue() == ""
    assert progress.configure(False) is None  # quiet() restored the automatic setting
    run_three_steps(screen)
    assert screen.getvalue() == ""
    progress.configure(None)
    run_three_steps(screen)
    assert "load: done" in screen.getvalue()


def test_a_call_keyword_wins():
    screen = Terminal()
    run_three_steps(screen, enabled=False)
    assert screen.getvalue() == ""
    progress.configure(False)
    run_three_steps(screen, enabled=True)
    assert "load: done" in screen.getvalue()
    with pytest.raises(TypeError, match="True, False or None"):
        progress.configure("off")


def test_a_failure_ends_the_bar_with_where_it_stopped():
    screen = Terminal()
    with pytest.raises(ValueError, match="bad file"):
        with steps("load", total=3, stream=screen) as p:
            p.step("reading a.csv")
            raise ValueError("bad file")
    last = screens(screen)[-1]
    assert last.startswith("load: stopped at step 1 (reading a.csv) after ")
    assert last.endswith("\n")


def test_unknown_total_counts_steps_without_a_bar():
    screen = Terminal()
    with steps("scan", stream=screen) as p:
        p.step("one")
        p.step("two")
    assert any(s.startswith("scan 2 two · ") for s in screens(screen))
    assert "[" not in "".join(screens(screen))


def test_the_clock_redraws_a_long_step():
    screen = Terminal()
    progress.TICK = 0.01
    with steps("load", total=1, stream=screen) as p:
        p.step("reading a big file")
        for _ in range(500):  # up to 5 s on a busy machine; usually a few ms
            if len(screens(screen)) >= 4:
                break
            threading.Event().wait(0.01)
    during = [s for s in screens(screen) if "1/1 reading a big file" in s]
    assert len(during) >= 2  # redrawn while the step ran, without a call


# -- operations inside operations ------------------------------------------------------


def test_an_inner_operation_joins_the_outer_line():
    screen = Terminal()
    with steps("report", total=2, stream=screen) as outer:
        outer.step("analysing")
        with steps("benchmark", total=4) as inner:
            inner.step("cs")
            inner.step("oasis")
        outer.step("region R01")
    shown = screens(screen)
    joined = [s for s in shown if "› benchmark" in s]
    assert joined and "1/2 analysing › benchmark 2/4 oasis" in joined[-1]
    # inner: 1 of its 4 steps done (oasis started): (0 + 1/4) / 2 of 20 characters = 2.5 -> 2
    assert joined[-1].count("#") == 2
    # once the inner operation ended, its outer step counts as done: 1 of 2 -> 10 of 20
    after = shown[shown.index(joined[-1]) + 1]
    assert "1/2 analysing · " in after and after.count("#") == 10
    assert shown[-1].startswith("report: done, 2 steps")
    assert screen.getvalue().count("\n") == 1  # one final line, not one per operation


def test_an_inner_operation_stays_silent_when_the_outer_is():
    screen = Terminal()
    with steps("report", total=1, enabled=False, stream=screen):
        with steps("benchmark", total=1, enabled=True, stream=screen) as inner:
            inner.step("cs")
    assert screen.getvalue() == ""


def test_step_without_a_handle_reaches_only_its_own_operation():
    with steps("load", total=2, enabled=False) as p:
        progress.step("load", "reading a.csv")
        progress.step("benchmark", "cs")  # another operation's step: ignored
        assert (p.started, p.current) == (1, "reading a.csv")
    progress.step("load", "linking")  # nothing running: nothing happens


# -- notebooks -----------------------------------------------------------------------


def test_in_a_notebook_a_widget_shows_the_steps_and_done(monkeypatch, capsys):
    widgets = pytest.importorskip("ipywidgets")
    shown = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "show_widget", shown.append)
    screen = Terminal()  # even with a terminal, a notebook gets the widget only
    with steps("load", total=2, stream=screen) as p:
        p.step("reading a.csv")
        (box,) = shown
        bar, label = box.children
        assert isinstance(bar, widgets.IntProgress) and isinstance(label, widgets.Label)
        assert bar.description == "load" and bar.value == 0
        assert label.value.startswith("1/2 reading a.csv · ")
        p.step("linking")
        assert bar.value == bar.max // 2
    assert bar.value == bar.max and bar.bar_style == "success"
    assert label.value.startswith("done, 2 steps in ")
    assert screen.getvalue() == "" and capsys.readouterr() == ("", "")


def test_a_notebook_in_ci_gets_no_widget(monkeypatch):
    shown = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "show_widget", shown.append)
    monkeypatch.setenv("CI", "true")
    run_three_steps(Terminal())
    assert shown == []


def test_the_widget_is_displayed_without_text_for_nbval(monkeypatch):
    """nbval skips the widget-view MIME type; a text/plain repr would be an extra output."""
    pytest.importorskip("ipywidgets")
    import IPython.display
    import ipywidgets

    displayed = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: displayed.append((a, k)))
    box = ipywidgets.HBox([])
    progress.show_widget(box)
    ((args, kwargs),) = displayed
    assert kwargs == {"raw": True}
    assert args == (
        {
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": box.model_id,
            }
        },
    )


def test_the_widget_shows_a_failure(monkeypatch):
    pytest.importorskip("ipywidgets")
    shown = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "show_widget", shown.append)
    with pytest.raises(KeyError):
        with steps("load", total=2) as p:
            p.step("linking")
            raise KeyError("x")
    bar, label = shown[0].children
    assert bar.bar_style == "danger" and label.value.startswith("stopped at step 1 (linking)")


# -- the public API --------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
    from saz_geboortezorg.synthetic import generate

    folder = tmp_path_factory.mktemp("progress_data")
    generate(births=1500, seed=8, progress=False).write(folder, format="parquet")
    return folder


def test_sg_load_shows_its_steps_and_the_keyword_silences_it(small_folder, monkeypatch):
    import saz_geboortezorg as sg

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    data = sg.load(small_folder)
    shown = [t for t in texts(screen, "load") if t != "starting"]
    assert shown == [
        "1/6 reading organisaties.parquet",
        "2/6 reading perined_lvr1.parquet",
        "3/6 reading perined_lvr2.parquet",
        "4/6 reading dbc_declaraties.parquet",
        "5/6 linking",
        "6/6 deriving columns",
    ]
    assert screens(screen)[-1].startswith("load: done, 6 steps in ")
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    again = sg.load(small_folder, progress=False)
    assert quiet.getvalue() == ""
    assert again.births.shape == data.births.shape


def test_sg_benchmark_steps_per_indicator(small_folder, monkeypatch):
    import saz_geboortezorg as sg

    data = sg.load(small_folder, progress=False)
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    result = sg.benchmark(data, ["cs", "oasis", "pph"], unit="region", adjusted=False)
    shown = [t for t in texts(screen, "benchmark") if t != "starting"]
    assert shown == ["1/3 cs", "2/3 oasis", "3/3 pph"]
    assert screens(screen)[-1].startswith("benchmark: done, 3 steps")
    silent = Terminal()
    monkeypatch.setattr(sys, "stderr", silent)
    same = sg.benchmark(data, ["cs", "oasis", "pph"], unit="region", adjusted=False, progress=False)
    assert silent.getvalue() == ""
    assert same.table.equals(result.table)


def test_generate_steps_and_the_data_do_not_depend_on_progress(monkeypatch):
    from saz_geboortezorg.synthetic import generate

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    shown_data = generate(births=400, seed=3, years=(2022, 2023), hospitals=3, practices=4)
    names = [t for t in texts(screen, "generate") if t != "starting"]
    assert [n.split(" ", 1)[0] for n in names] == [f"{i}/7" for i in range(1, 8)]
    assert names[0] == "1/7 organisations: 3 hospitals, 4 practices"
    assert names[1].startswith("2/7 population: ") and "(400 with a birth)" in names[1]
    assert screens(screen)[-1].startswith("generate: done, 7 steps")
    quiet_data = generate(births=400, seed=3, years=(2022, 2023), hospitals=3, practices=4,
                          progress=False)  # fmt: skip
    for source, frame in shown_data.frames().items():
        assert frame.equals(quiet_data.frames()[source]), source


def test_reports_step_per_region(small_folder, tmp_path, monkeypatch):
    """The steps of build_reports, with the analysis and the pages stubbed out (the real
    ones take a minute and are tested in tests/report); the benchmark is real."""
    from types import SimpleNamespace

    import saz_geboortezorg as sg
    from saz_geboortezorg.report import analysis, build, protect

    data = sg.load(small_folder, progress=False)

    def analyse(data, unit, **options):
        sg.benchmark(data, ["cs", "oasis"], unit=unit, adjusted=False)
        return SimpleNamespace(units=["R01", "R02"], summary=lambda: [])

    page = SimpleNamespace(render=lambda js: "<html></html>")
    monkeypatch.setattr(analysis, "analyse", analyse)
    monkeypatch.setattr(protect, "protect", lambda a, threshold: a)
    monkeypatch.setattr(build, "shown_only", lambda shared: shared)
    monkeypatch.setattr(build, "base_specs", lambda shared: {})
    monkeypatch.setattr(
        build,
        "region_report",
        lambda shared, a, u, bases, *common: SimpleNamespace(
            check=lambda threshold, seen: [], page=page, charts=[], tables={}
        ),
    )
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    summary = build.build_reports(data, ["R01", "R02"], tmp_path / "reports")
    assert [r["unit"] for r in summary["reports"]] == ["R01", "R02"]
    top = [t.split(" › ")[0] for t in texts(screen, "report") if t != "starting"]
    # analysing (the benchmark inside it joins the line), protecting, one step per region
    assert list(dict.fromkeys(top)) == [
        "1/4 analysing",
        "2/4 protecting small numbers",
        "3/4 region R01",
        "4/4 region R02",
    ]
    assert "1/4 analysing › benchmark 2/2 oasis" in texts(screen, "report")
    assert screens(screen)[-1].startswith("report: done, 4 steps")
    assert screen.getvalue().count("\n") == 1


def test_each_thread_has_its_own_operations():
    """An operation in another thread (a widget callback) opens its own display."""
    seen = []
    with steps("load", total=1, enabled=False):
        worker = threading.Thread(target=lambda: seen.append(list(progress._running())))
        worker.start()
        worker.join()
        assert [p.label for p in progress._running()] == ["load"]
    assert seen == [[]]
