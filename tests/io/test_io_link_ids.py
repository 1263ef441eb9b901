"""Pregnancy ids coded by their numbers link exactly as hashed ids do; birth items and bands."""

from __future__ import annotations

import handmade
import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.io import load
from saz_geboortezorg.io.decode import band_codes
from saz_geboortezorg.io.fast import factorize_together
from saz_geboortezorg.io.link import _digit_ids, _pregnancy_codes

ID_SOURCES = ("perined_lvr1", "perined_lvr2", "dbc_declaraties")


def _text(values):
    return pd.Series(values, dtype="str")


def test_handmade_ids_take_the_number_path():
    tables = handmade.tables()
    ids = [_text(tables[s]["zwangerschap_id"]) for s in ID_SOURCES]
    assert _digit_ids(*ids) is not None  # Z001 ... Z999: one prefix, three digits


def test_linkage_is_the_same_with_ids_that_must_be_hashed(tmp_path):
    # the same extracts with ids that keep their order but end in a letter: these go
    # through hashing, the originals through their numbers; every table must agree
    tables = handmade.tables()
    renamed = {s: t.copy() for s, t in tables.items()}
    for s in ID_SOURCES:
        renamed[s]["zwangerschap_id"] = renamed[s]["zwangerschap_id"] + "-x"
    assert _digit_ids(*[_text(renamed[s]["zwangerschap_id"]) for s in ID_SOURCES]) is None
    by_number = load(handmade.write(tmp_path / "a", tables), salt="s")
    hashed = load(handmade.write(tmp_path / "b", renamed), salt="s")

    def back(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame["pregnancy_id"] = frame["pregnancy_id"].str.removesuffix("-x")
        return frame

    pd.testing.assert_frame_equal(by_number.births, back(hashed.births))
    pd.testing.assert_frame_equal(by_number.women, back(hashed.women))
    pd.testing.assert_frame_equal(by_number.linkage, hashed.linkage)
    ex = back(hashed.excluded)
    ex["record_id"] = ex["record_id"].str.removesuffix("-x")
    pd.testing.assert_frame_equal(by_number.excluded, ex)


@pytest.mark.parametrize(("prefix", "digits"), [("ZW", 8), ("P", 7), ("", 5), ("Q", 12), ("", 1)])
def test_codes_order_and_partition_as_hashing(prefix, digits):
    rng = np.random.default_rng(digits)
    low = 10 ** (digits - 1) if digits > 1 else 0
    numbers = rng.integers(low, min(low + 600, 10**digits), 500)
    ids = [f"{prefix}{v:0{digits}d}" for v in numbers]
    parts = [_text(ids[:300]), _text(ids[200:]), _text(ids[::7])]
    (a, b, c), rank = _pregnancy_codes(*parts)
    (fa, fb, fc), frank = factorize_together(*parts)
    mine = np.concatenate([rank[a], rank[b], rank[c]])
    hashed = np.concatenate([frank[fa], frank[fb], frank[fc]])
    # the same ids get the same code, and the codes sort as the ids do
    assert (np.argsort(mine, kind="stable") == np.argsort(hashed, kind="stable")).all()
    assert len(np.unique(mine)) == len(np.unique(hashed)) == len(set(ids))
    # the code is the number less the smallest
    assert (
        np.concatenate([a, b, c])
        == np.concatenate([numbers[:300], numbers[200:], numbers[::7]]) - numbers.min()
    ).all()


@pytest.mark.parametrize(
    "values",
    [
        ["ZW0012", "ZX0010"],  # another prefix
        ["ZW0012", None],  # missing
        ["ZW0012", "ZW012"],  # another width
        ["ZW0012", "ZW001A"],  # not a digit
        ["ZW0012", "ZW00:2"],  # the byte after "9"
        ["ZW0012", "ZW00/2"],  # the byte before "0"
        ["ZW00000001", "ZW99999999"],  # spread over far more numbers than ids
        ["ZWABC", "ZWABD"],  # no digits
    ],
)
def test_other_ids_are_hashed(values):
    assert _digit_ids(_text(values)) is None
    (codes,), rank = _pregnancy_codes(_text(values))
    (expected,), expected_rank = factorize_together(_text(values))
    assert codes.tolist() == expected.tolist() and rank.tolist() == expected_rank.tolist()


def test_ids_not_held_as_arrow_text_are_hashed():
    assert _digit_ids(pd.Series(["ZW01", "ZW02"], dtype=object)) is None


def test_shared_items_from_the_lvr1_record_where_the_birth_record_is_empty(tmp_path):
    tables = handmade.tables()
    lvr1, lvr2 = tables["perined_lvr1"], tables["perined_lvr2"]
    z002 = lvr2.index[lvr2["zwangerschap_id"] == "Z002"][0]
    z011 = lvr2.index[lvr2["zwangerschap_id"] == "Z011"][0]
    lvr2.loc[z002, ["leeftijd_moeder", "pariteit"]] = ""  # Z002 has an LVR-1 record
    lvr2.loc[z011, "leeftijd_moeder"] = ""  # Z011 has none
    age_l1 = float(lvr1.loc[lvr1["zwangerschap_id"] == "Z002", "leeftijd_moeder"].iloc[0])
    parity_l1 = float(lvr1.loc[lvr1["zwangerschap_id"] == "Z002", "pariteit"].iloc[0])
    # (both items are required in LVR-2: read without validation, they are missing)
    data = load(handmade.write(tmp_path / "x", tables), salt="s", validate=False)
    b = data.births.set_index("pregnancy_id")
    assert b.loc["Z002", "maternal_age"] == age_l1 and b.loc["Z002", "parity"] == parity_l1
    assert np.isnan(b.loc["Z011", "maternal_age"])  # empty, and no LVR-1 record
    assert b.loc["Z011", "age_band"] == "unknown"
    # one birth without an age: the column is float with NaN, complete ones stay int64
    assert data.births["maternal_age"].dtype == "float64"
    assert data.births["parity"].dtype == "int64"


@pytest.mark.parametrize(
    ("edges", "names"),
    [([18.5, 25, 30, 35], ["a", "b", "c", "d", "e"]), ([1, 1, 2], ["0", "1", "1b", "2+"])],
)
@pytest.mark.parametrize("missing", ["unknown", None])
def test_bands_are_the_edges_at_or_below_the_value(edges, names, missing):
    values = pd.Series([-np.inf, 0, 1, 1.5, 18.5, 24.99, 25, 35, 99, np.inf, np.nan])
    codes, labels = band_codes(values, edges, names, missing)
    # by hand: the band is how many edges are <= the value (NaN: missing)
    expected = [sum(v >= e for e in edges) for v in values]
    empty = -1 if missing is None else len(names)
    expected = [empty if np.isnan(v) else x for v, x in zip(values, expected, strict=True)]
    assert codes.tolist() == expected and codes.dtype == "int64"
    assert labels == names + ([] if missing is None else [missing])
