"""NumPy's huge-page advice is off inside long operations and restored after them."""

from __future__ import annotations

import threading

import pytest
from numpy._core import multiarray

from saz_geboortezorg import memory


class Stop(Exception):
    """Raised by a probe once it has seen the setting, so the operation ends early."""


@pytest.fixture
def advice(monkeypatch):
    """NumPy's advice switched on (as on a Linux machine), the user's variable unset;
    yields the reader of the current setting and restores NumPy's afterwards."""

    monkeypatch.delenv(memory.ENV, raising=False)
    before = multiarray._set_madvise_hugepage(True)
    yield multiarray._get_madvise_hugepage
    multiarray._set_madvise_hugepage(before)


def test_off_inside_and_restored_after(advice):
    with memory.small_pages():
        assert advice() is False
    assert advice() is True


def test_restores_what_numpy_had_before(advice):
    multiarray._set_madvise_hugepage(False)
    with memory.small_pages():
        assert advice() is False
    assert advice() is False


def test_nested_blocks_restore_once_the_outer_one_ends(advice):
    with memory.small_pages():
        with memory.small_pages():
            assert advice() is False
        assert advice() is False
    assert advice() is True


def test_restored_when_the_block_raises(advice):
    with pytest.raises(ValueError), memory.small_pages():
        raise ValueError("boom")
    assert advice() is True


def test_concurrent_blocks_share_one_switch(advice):
    entered, leave = threading.Event(), threading.Event()

    def other():
        with memory.small_pages():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(10)
    with memory.small_pages():
        pass
    assert advice() is False  # the other thread's block still runs
    leave.set()
    thread.join(10)
    assert advice() is True


def test_the_users_variable_wins(advice, monkeypatch):
    monkeypatch.setenv(memory.ENV, "1")
    assert memory.numpy_switch() is None
    with memory.small_pages():
        assert advice() is True


def _probe(seen, name):
    def probe(*args, **kwargs):
        seen[name] = multiarray._get_madvise_hugepage()
        raise Stop

    return probe


def test_long_operations_run_without_the_advice(advice, monkeypatch, dataset):
    """sg.load, io.load's memory pool, the benchmark, synth, the reports and every
    command: each is probed from inside, where it reports a step or reads a file."""

    import saz_geboortezorg as sg
    from saz_geboortezorg import cli
    from saz_geboortezorg.commands import validate as validate_command
    from saz_geboortezorg.compare import benchmark as benchmark_mod
    from saz_geboortezorg.derive import tables
    from saz_geboortezorg.io import fast
    from saz_geboortezorg.report import build
    from saz_geboortezorg.synthetic import generator

    seen: dict[str, bool] = {}
    monkeypatch.setattr(tables, "load_extracts", _probe(seen, "load"))
    monkeypatch.setattr(benchmark_mod, "progress_step", _probe(seen, "benchmark"))
    monkeypatch.setattr(generator, "progress_step", _probe(seen, "generate"))
    monkeypatch.setattr(build, "progress_step", _probe(seen, "report"))
    calls = [
        lambda: sg.load("nowhere", progress=False),
        lambda: sg.benchmark(dataset, ["cs"], progress=False),
        lambda: generator.generate(births=200, progress=False),
        lambda: build.build_reports(dataset, None, "nowhere", progress=False),
    ]
    for call in calls:
        with pytest.raises(Stop):
            call()
        assert advice() is True
    with fast.bulk_memory_pool():
        seen["io.load's pool"] = advice()

    def command(args):
        seen["command"] = advice()

    monkeypatch.setattr(validate_command, "run", command)
    assert cli.main(["validate", "nowhere"]) == 0
    assert seen == dict.fromkeys(
        ["load", "benchmark", "generate", "report", "io.load's pool", "command"], False
    )
    assert advice() is True


def test_an_explorer_redraw_runs_without_the_advice(advice, dataset):
    from saz_geboortezorg.explore import Explorer
    from saz_geboortezorg.explore.view import explorer_view

    seen = []

    def view(*args):
        seen.append(multiarray._get_madvise_hugepage())
        return explorer_view(*args)

    explorer = Explorer(dataset, indicator="cs", view_function=view)
    explorer.set("level", "hospital")
    assert seen == [False, False]
    assert advice() is True


def test_synth_builds_its_tables_on_the_bulk_pool(monkeypatch, tmp_path):
    """``synth`` makes and writes its tables on the load's Arrow pool (jemalloc where
    pyarrow has it), not on pyarrow's default one."""

    import pyarrow as pa

    from saz_geboortezorg import cli
    from saz_geboortezorg.io import fast
    from saz_geboortezorg.synthetic import generator

    with fast.bulk_memory_pool():
        expected = pa.default_memory_pool().backend_name
    seen = []

    def probe(*args, **kwargs):
        seen.append(pa.default_memory_pool().backend_name)
        raise Stop

    monkeypatch.setattr(generator, "generate", probe)
    with pytest.raises(Stop):
        cli.main(["synth", "--births", "200", "--out", str(tmp_path), "--quiet"])
    assert seen == [expected]
