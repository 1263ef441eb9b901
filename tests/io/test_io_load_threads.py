"""io.load reads, checks and packs the files in two threads; text columns are encoded once.

The results must not depend on either: the same tables, sources, notes and error
messages as one file after the other, and the same problems as checking every row.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

import handmade
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from saz_geboortezorg.errors import ExtractError
from saz_geboortezorg.io import dataset, fast, load, packed, validate
from saz_geboortezorg.io.read import RawExtract

DEFAULT_SUFFIXES = dataset.THREADED_SUFFIXES


@pytest.fixture(autouse=True)
def _threads_for_small_folders(monkeypatch):
    """The test folders are small, and some CSV: read them on two threads anyway."""
    monkeypatch.setattr(dataset, "THREADED_BYTES", 0)
    monkeypatch.setattr(dataset, "THREADED_SUFFIXES", {".parquet", ".csv"})
    monkeypatch.setattr(dataset, "main_arena_thread", _any_helper)


def _same_dataset(a, b):
    for name in ("births", "women", "excluded", "linkage"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.notes == b.notes and a.files == b.files
    assert list(a.sources) == list(b.sources)
    for s in a.sources:
        pd.testing.assert_frame_equal(a.sources[s], b.sources[s], check_exact=True)


def test_two_readers_give_the_same_dataset_as_one(synthetic_dir, monkeypatch):
    monkeypatch.setattr(packed, "PACK_ROWS", 0)  # every source packed, as at national scale
    monkeypatch.setattr(dataset, "READERS", 1)
    serial = load(synthetic_dir, salt="t")
    monkeypatch.setattr(dataset, "READERS", 2)
    parallel = load(synthetic_dir, salt="t")
    assert repr(parallel.sources).count("(packed)") == 3  # organisaties: rebuilt for the linkage
    _same_dataset(parallel, serial)


def _reading_threads(folder, monkeypatch) -> dict[str, str]:
    """Load ``folder``: {source: name of the thread that read it}."""
    seen = {}
    read_source = dataset._read_source

    def spy(path, source, *args):
        seen[source] = threading.current_thread().name
        return read_source(path, source, *args)

    monkeypatch.setattr(dataset, "_read_source", spy)
    load(folder, salt="t")
    monkeypatch.setattr(dataset, "_read_source", read_source)
    return seen


@contextlib.contextmanager
def _any_helper(tries=8):
    """A helper thread wherever glibc puts it (the arena check is tested in
    test_io_memory_pool; a test process has many threads behind it, and glibc may
    have fixed its number of arenas before the cap)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="saz-load") as helper:
        yield helper


def test_the_biggest_file_is_read_here_and_the_others_on_one_helper(synthetic_dir, monkeypatch):
    monkeypatch.setattr(dataset, "main_arena_thread", _any_helper)
    seen = _reading_threads(synthetic_dir, monkeypatch)
    sizes = {p.stem: p.stat().st_size for p in synthetic_dir.glob("*.parquet")}
    biggest = max(sizes, key=sizes.get)
    assert seen.pop(biggest) == threading.current_thread().name
    assert len(seen) == 3 and set(seen.values()) == {"saz-load_0"}


def test_small_folders_and_one_reader_stay_in_this_thread(synthetic_dir, monkeypatch):
    here = threading.current_thread().name
    monkeypatch.setattr(dataset, "THREADED_BYTES", 32 * 2**20)  # the default
    assert set(_reading_threads(synthetic_dir, monkeypatch).values()) == {here}
    monkeypatch.setattr(dataset, "THREADED_BYTES", 0)
    monkeypatch.setattr(dataset, "READERS", 1)
    assert set(_reading_threads(synthetic_dir, monkeypatch).values()) == {here}


def test_a_failed_file_is_reported_by_its_text_and_its_frames_are_not_kept(tmp_path, monkeypatch):
    folder = _broken(tmp_path)
    held = []
    read_source = dataset._read_source

    def failing(path, source, *args):
        if source == "perined_lvr2":
            table = np.zeros(1000)  # stands for the raw table in the failing frames
            held.append(weakref.ref(table))
            raise ExtractError(f"{path.name}: broken")
        return read_source(path, source, *args)

    monkeypatch.setattr(dataset, "_read_source", failing)
    gc.disable()  # a reference cycle through a traceback would keep the table alive
    try:
        assert "perined_lvr2.csv: broken" in _message(folder)
        assert held and held[0]() is None
    finally:
        gc.enable()


def test_csv_folders_stay_in_this_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "THREADED_SUFFIXES", DEFAULT_SUFFIXES)
    seen = _reading_threads(handmade.write(tmp_path / "x"), monkeypatch)
    assert len(seen) == 4 and set(seen.values()) == {threading.current_thread().name}


def test_without_a_thread_on_the_main_arena_the_files_are_read_here(synthetic_dir, monkeypatch):
    monkeypatch.setattr(dataset, "READERS", 1)
    serial = load(synthetic_dir, salt="t")
    monkeypatch.setattr(dataset, "READERS", 2)
    monkeypatch.setattr(dataset, "main_arena_thread", fast.main_arena_thread)
    monkeypatch.setattr(fast, "_on_main_arena", lambda libc: False)  # glibc gave other arenas
    seen = _reading_threads(synthetic_dir, monkeypatch)
    assert set(seen.values()) == {threading.current_thread().name}
    _same_dataset(load(synthetic_dir, salt="t"), serial)


def _broken(tmp_path):
    t = handmade.tables()
    t["perined_lvr1"].loc[0, "roken"] = "7"
    t["perined_lvr2"].loc[1, "apgar_5"] = "12"
    t["dbc_declaraties"].loc[0, "zorgfase"] = "bevalling"
    return handmade.write(tmp_path / "x", t)


def _message(folder) -> str:
    with pytest.raises(ExtractError) as exc:
        load(folder, salt="s")
    return str(exc.value)


def test_problems_come_in_file_order_whichever_thread_ends_first(tmp_path, monkeypatch):
    folder = _broken(tmp_path)
    monkeypatch.setattr(dataset, "READERS", 1)
    serial = _message(folder)
    read_source = dataset._read_source

    def slow_first_files(path, source, *args):
        if source in ("organisaties", "perined_lvr1"):
            time.sleep(0.3)  # the later files finish first
        return read_source(path, source, *args)

    monkeypatch.setattr(dataset, "_read_source", slow_first_files)
    monkeypatch.setattr(dataset, "READERS", 2)
    parallel = _message(folder)
    assert parallel == serial
    where = [parallel.index(f"{s}.csv, column") for s in dataset.FRAME_ORDER[1:]]
    assert where == sorted(where)  # lvr1, lvr2, claims: the order of the sources


def test_unreadable_file_error_is_the_same_with_threads(tmp_path, monkeypatch):
    folder = _broken(tmp_path)
    (folder / "perined_lvr2.csv").write_bytes(b"PK\x03\x04 not a csv")
    monkeypatch.setattr(dataset, "READERS", 1)
    serial = _message(folder)
    monkeypatch.setattr(dataset, "READERS", 2)
    assert _message(folder) == serial
    assert "perined_lvr2.csv: this looks like an Excel workbook" in serial


N_CLAIMS = 12_000  # above the rows looked at before encoding a text column


def _claims(bad_rows=(), unknown_rows=(), missing_rows=()):
    """The hand-made claims repeated to N_CLAIMS rows (unique ids), as CSV text."""
    base = handmade.tables()["dbc_declaraties"]
    frame = base.iloc[np.arange(N_CLAIMS) % len(base)].reset_index(drop=True)
    frame["declaratie_id"] = [f"C{i:06d}" for i in range(N_CLAIMS)]
    frame.loc[list(bad_rows), "zorgfase"] = "bevalling"
    frame.loc[list(unknown_rows), "zorgaanbieder_id"] = "ZH99"
    frame.loc[list(missing_rows), "zorgfase"] = None
    frame = frame.astype("str").replace({"": None, "None": None})
    frame.index = pd.RangeIndex(2, N_CLAIMS + 2, name="line")
    return RawExtract(frame, "dbc_declaraties.csv", "line")


def _organisaties():
    frame = handmade.tables()["organisaties"].astype("str").replace({"": None})
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return validate.check_extract(RawExtract(frame, "organisaties.csv", "line"), "organisaties")


def test_encoded_code_check_finds_the_rows_a_row_by_row_check_finds(monkeypatch):
    bad, missing = [5, 700, 11_999], [6, 9000]
    ext = validate.check_extract(_claims(bad, missing_rows=missing), "dbc_declaraties")
    monkeypatch.setattr(validate, "_few_text", lambda arr: False)  # every row looked up
    plain = validate.check_extract(_claims(bad, missing_rows=missing), "dbc_declaraties")
    assert [str(p) for p in ext.problems] == [str(p) for p in plain.problems]
    (problem,) = [p for p in ext.problems if p.what == "code not in the code list"]
    assert problem.n == 3 and "lines 7 'bevalling', 702 'bevalling', 12001 'bevalling'" in str(
        problem
    )
    # the missing values are empty values, not codes outside the list
    (empty,) = [p for p in ext.problems if p.what == "empty value"]
    assert empty.n == 2 and "lines 8, 9002" in str(empty)


def test_encoding_is_offered_only_for_the_column_as_checked():
    clean = validate.check_extract(_claims(), "dbc_declaraties")
    enc = clean.encoding("zorgfase")
    expected = pd.unique(clean.frame["zorgfase"].to_numpy(dtype=object))
    assert enc.dictionary.to_pylist() == list(expected)  # first occurrence order
    assert clean.encoding("zorgaanbieder_id") is not None  # few ids: encoded by the id check
    assert clean.encoding("declaratie_id") is None  # every id distinct: not encoded
    # bad values were blanked after the check: the column is a new array, not offered
    bad = validate.check_extract(_claims(bad_rows=[3]), "dbc_declaraties")
    assert bad.encoding("zorgfase") is None
    assert bad.encoding("zorgfase", clean.frame["zorgfase"]) is None


def test_reference_check_on_the_encoding_equals_the_row_by_row_check():
    unknown = [10, 4321]
    org = _organisaties()
    ext = validate.check_extract(_claims(unknown_rows=unknown), "dbc_declaraties")
    assert ext.encoding("zorgaanbieder_id") is not None
    validate.check_references({"organisaties": org, "dbc_declaraties": ext})
    plain = validate.check_extract(_claims(unknown_rows=unknown), "dbc_declaraties")
    plain.encoded.clear()  # the reference check looks up every row
    validate.check_references({"organisaties": org, "dbc_declaraties": plain})
    assert [str(p) for p in ext.problems] == [str(p) for p in plain.problems]
    (problem,) = ext.problems
    assert problem.n == 2 and "lines 12 'ZH99', 4323 'ZH99'" in str(problem)


def test_packing_with_a_given_encoding_is_the_same():
    values = pd.array(["baring", None, "kraambed", "baring", "zwangerschap"] * 40, dtype="str")
    frame = pd.DataFrame({"fase": values})
    arr = values._pa_array
    encoding = pc.dictionary_encode(arr).combine_chunks()
    given = packed.PackedFrame(frame, sample=50, encoded={"fase": encoding})
    own = packed.PackedFrame(frame, sample=50)
    np.testing.assert_array_equal(given.parts[0].codes, own.parts[0].codes)
    assert given.parts[0].dictionary.equals(own.parts[0].dictionary)
    pd.testing.assert_frame_equal(given.frame(), frame)
    assert given.coded("fase")[0].tolist()[:5] == [0, -1, 1, 0, 2]
    assert isinstance(encoding, pa.DictionaryArray)
