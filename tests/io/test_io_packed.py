"""Packed source frames (io.packed): exact round trip, smaller, and dict-like Sources."""

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.io.packed import PackedFrame, Sources

N = 400


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(7)
    small = rng.integers(0, 3, N)
    flags = pd.array(np.where(small == 2, None, small).tolist(), dtype="Int64")
    weights = pd.array(rng.integers(500, 5000, N).tolist(), dtype="Int64")
    big = pd.array([2**40 + i for i in range(N)], dtype="Int64")  # needs int64
    codes = pd.array(rng.choice(["zwangerschap", "baring", "kraambed", None], N), dtype="str")
    na_text = pd.array(rng.choice(["a", "b", None], N), dtype="string")  # pd.NA flavour
    ids = pd.array([f"id{i:05d}" for i in range(N)], dtype="str")
    amount = rng.choice([-0.5, 12.25, 100.0, np.nan], N)
    days = np.array(["2020-01-01", "2021-06-30", "NaT"], dtype="datetime64[ms]")
    out = pd.DataFrame(
        {
            "flag": flags,
            "weight": weights,
            "big": big,
            "empty": pd.array([None] * N, dtype="Int64"),
            "code": codes,
            "na_text": na_text,
            "id": ids,
            "py_text": pd.array(list(codes), dtype=pd.StringDtype("python")),
            "amount": amount,
            "date": days[rng.integers(0, 3, N)],
            "count": rng.integers(0, 5, N),
            "yes": rng.integers(0, 2, N).astype(bool),
            "obj": np.array([("x", 1)[i % 2] for i in range(N)], dtype=object),
        },
        index=pd.Index(np.arange(N) * 2 + 1, name="row"),
    )
    out.attrs["note"] = "kept"
    return out


def test_round_trip_is_exact(frame):
    back = PackedFrame(frame, sample=100).frame()
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert back.dtypes.tolist() == frame.dtypes.tolist()
    assert back.index.equals(frame.index) and back.index.name == "row"
    assert back.attrs == {"note": "kept"}
    # missing stays missing, and the distinct values in their places
    assert back["flag"].isna().tolist() == frame["flag"].isna().tolist()
    assert back["code"].isna().sum() == frame["code"].isna().sum() > 0
    assert back["na_text"].isna().tolist() == frame["na_text"].isna().tolist()
    assert back["date"].isna().sum() == frame["date"].isna().sum() > 0


def test_packed_forms_are_smaller(frame):
    packed = PackedFrame(frame, sample=100)
    kinds = dict(zip(frame.columns, (type(p).__name__ for p in packed.parts), strict=True))
    assert kinds["flag"] == kinds["weight"] == kinds["empty"] == "_Integers"
    assert kinds["amount"] == kinds["date"] == kinds["py_text"] == "_Codes"
    assert kinds["code"] == kinds["na_text"] == "_Text"  # Arrow's dictionary encoding
    # ids (all distinct) and values beyond int32 are kept as they are
    assert kinds["id"] == "ArrowStringArray"
    assert kinds["big"] == "IntegerArray"
    by_name = dict(zip(frame.columns, packed.parts, strict=True))
    assert by_name["flag"].values.dtype == np.int8  # 0..1
    assert by_name["weight"].values.dtype == np.int16  # 500..4999
    assert by_name["code"].codes.dtype == np.int8


def test_negative_zero_keeps_its_sign():
    values = np.array([-0.0, 0.0] * 50)
    back = PackedFrame(pd.DataFrame({"x": values}), sample=100).frame()["x"].to_numpy()
    assert np.signbit(back).tolist() == np.signbit(values).tolist()


def test_view_reads_columns_without_the_frame(frame):
    view = PackedFrame(frame, sample=100).view()
    assert len(view) == N and "code" in view and "nope" not in view
    assert list(view.columns) == list(frame.columns)
    pd.testing.assert_series_equal(view["code"], frame["code"], check_exact=True)
    pd.testing.assert_series_equal(view["weight"], frame["weight"], check_exact=True)
    # a rebuilt column does not share its missing mask with the packed one
    col = view["flag"]
    col.array._mask[:] = True
    assert view["flag"].notna().sum() == frame["flag"].notna().sum()


def test_sources_behave_as_a_dict(frame):
    small = pd.DataFrame({"organisatie_id": ["o1", "o2"]})
    sources = Sources({"claims": frame, "organisaties": small}, pack_rows=10)
    assert repr(sources).endswith("organisaties: 2 rows)")  # small: kept as it is
    assert list(sources) == ["claims", "organisaties"] and len(sources) == 2
    assert "packed" in repr(sources) and sources.rows("claims") == N
    first = sources["claims"]
    assert sources["claims"] is first  # rebuilt once, then kept
    first["extra"] = 1
    assert "extra" in sources["claims"].columns
    assert sources.get("missing") is None
    views = sources.views(whole=("organisaties",))
    assert isinstance(views["organisaties"], pd.DataFrame)
    sources["other"] = small
    del sources["claims"]
    assert list(sources) == ["organisaties", "other"]
    assert dict(sources)["other"] is small


def test_loaded_sources_are_the_typed_extracts(synthetic_dir, monkeypatch):
    import saz_geboortezorg as sg
    from saz_geboortezorg.io import packed, read_extract

    monkeypatch.setattr(packed, "PACK_ROWS", 0)  # pack every source, as at scale
    data = sg.load(synthetic_dir)
    assert isinstance(data.sources, Sources) and "(packed)" in repr(data.sources)
    for name in ("perined_lvr1", "dbc_declaraties"):
        path = next(p for p in synthetic_dir.iterdir() if p.stem == name)
        alone = read_extract(path, name)  # the session dataset has no salt
        pd.testing.assert_frame_equal(data.sources[name], alone, check_exact=True)
    # the linkage on packed sources gives the tables of the unpacked ones
    monkeypatch.setattr(packed, "PACK_ROWS", 10**9)
    plain = sg.load(synthetic_dir)
    assert "(packed)" not in repr(plain.sources)
    for table in ("births", "women", "excluded", "linkage"):
        pd.testing.assert_frame_equal(getattr(data, table), getattr(plain, table), check_exact=True)


def test_int_parts_and_codes_read_the_packed_values(frame):
    packed = PackedFrame(frame, sample=100)
    view = packed.view()
    values, mask = view.int_parts("flag")
    assert values.dtype == np.int8
    assert mask.tolist() == frame["flag"].isna().tolist()
    present = frame["flag"].notna().to_numpy()
    assert values[present].tolist() == frame["flag"][present].astype(int).tolist()
    assert (values[mask] == 0).all()
    # no missing weight: no mask
    values, mask = packed.int_parts("weight")
    assert mask is None and values.tolist() == frame["weight"].astype(int).tolist()
    # columns not held as small integers
    assert packed.int_parts("big") is None and packed.int_parts("code") is None
    for name in ("code", "py_text"):  # Arrow dictionary, pandas codes
        codes, uniques = view.coded(name)
        expected = [None if pd.isna(v) else v for v in frame[name]]
        assert [uniques[c] if c >= 0 else None for c in codes] == expected
    assert packed.coded("id") is None and packed.coded("amount") is None  # numbers: no
