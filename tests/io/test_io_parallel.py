"""sg.load may read its biggest file in a worker process: same result, same messages."""

import warnings

import handmade
import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import ExtractError
from saz_geboortezorg.io import dataset, load
from saz_geboortezorg.io.parallel import Worker

TABLES = ("births", "women", "excluded", "linkage")


def _frame():
    return pd.DataFrame(
        {
            "text": pd.Series(["a", None, "ccc"] * 1000, dtype="str"),
            "count": pd.array([1, None, 3] * 1000, dtype="Int64"),
            "when": pd.to_datetime(["2020-01-02", None, "2021-03-04"] * 1000),
            "kind": pd.Categorical(["x", "y", None] * 1000),
            "value": np.arange(3000, dtype="float64"),
        },
        index=pd.RangeIndex(2, 3002),
    )


def test_a_frame_comes_back_equal_and_writable():
    frame = _frame()
    back = Worker.start("copy:deepcopy", (frame,)).result()
    pd.testing.assert_frame_equal(back, frame)
    back.loc[2, "value"] = -1.0  # buffers received from the pipe are writable
    assert back.loc[2, "value"] == -1.0 and frame.loc[2, "value"] == 0.0


def test_errors_and_warnings_of_the_call_reach_the_caller():
    with pytest.raises(ExtractError) as err:
        Worker.start("saz_geboortezorg.io.dataset:read_extract", ("/no/such/file.csv",)).result()
    with pytest.raises(ExtractError) as here:
        dataset.read_extract("/no/such/file.csv")
    assert str(err.value) == str(here.value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert Worker.start("warnings:warn", ("careful", FutureWarning)).result() is None
    assert [(type(w.message), str(w.message)) for w in caught] == [(FutureWarning, "careful")]


def _both_ways(folder, monkeypatch, salt="t"):
    """load(folder) sequentially and with the biggest file in a worker; both outcomes."""
    started = []
    real = Worker.start

    def spy(target, args):
        started.append(args[1])  # the source sent to the worker
        return real(target, args)

    monkeypatch.setattr(Worker, "start", spy)
    out = []
    for threshold in (float("inf"), 0):
        monkeypatch.setattr(dataset, "PARALLEL_MIN_BYTES", threshold)
        try:
            out.append(load(folder, salt=salt))
        except ExtractError as exc:
            out.append(exc)
    return out, started


def test_the_worker_gives_the_same_dataset_and_notes(tmp_path, monkeypatch):
    folder = handmade.write(tmp_path / "x", fmt="parquet")
    (folder / "readme.txt").write_text("not an extract")
    (serial, parallel), started = _both_ways(folder, monkeypatch)
    sizes = {p.stem: p.stat().st_size for p in folder.glob("*.parquet")}
    assert started == [max(sizes, key=sizes.get)]
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(serial, name))
    for source in serial.sources:
        pd.testing.assert_frame_equal(parallel.sources[source], serial.sources[source])
    assert parallel.notes == serial.notes
    assert any("readme.txt" in n for n in serial.notes)


def test_problems_of_all_files_come_in_the_same_order(tmp_path, monkeypatch):
    tables = handmade.tables()
    tables["perined_lvr1"].loc[0, "bmi"] = "abc"
    tables["perined_lvr2"].loc[0, "bmi"] = "heavy"
    tables["dbc_declaraties"].loc[0, "tarief"] = "free"
    folder = handmade.write(tmp_path / "x", tables)
    (serial, parallel), started = _both_ways(folder, monkeypatch)
    assert len(started) == 1
    assert isinstance(parallel, ExtractError) and isinstance(serial, ExtractError)
    assert str(parallel) == str(serial)
    lines = str(serial).splitlines()
    assert [i for i, line in enumerate(lines) if "abc" in line or "heavy" in line or "free" in line]


def test_no_worker_with_a_random_salt_or_small_files(tmp_path, monkeypatch):
    monkeypatch.delenv("SAZ_SALT", raising=False)
    folder = handmade.write(tmp_path / "x")
    monkeypatch.setattr(Worker, "start", lambda *a: pytest.fail("worker started"))
    monkeypatch.setattr(dataset, "PARALLEL_MIN_BYTES", 0)
    load(folder)  # no salt: the random one belongs to this process, so no worker
    monkeypatch.setattr(dataset, "PARALLEL_MIN_BYTES", 10**9)
    load(folder, salt="t")  # files far below the threshold
