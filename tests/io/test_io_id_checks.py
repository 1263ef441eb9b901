"""validate._id_checks: the few-distinct-values path gives what pandas' string methods give."""

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.io.validate import _ID_SAMPLE, _id_checks

REGEX = "^[A-Za-z0-9_-]{1,40}$"
RESERVED = {"all", "total"}


def _pandas(text):
    """The checks as pandas spells them (independent of the Arrow kernels)."""
    no_match = ~text.str.fullmatch(REGEX).fillna(False).to_numpy(dtype=bool)
    return no_match, text.str.lower().isin(RESERVED).to_numpy(dtype=bool)


@pytest.mark.parametrize("distinct", [7, 5_000])  # few values (per value) / many (per row)
def test_id_checks_equal_pandas(distinct):
    rng = np.random.default_rng(3)
    pool = [f"ZH{i:04d}" for i in range(distinct - 4)] + ["a b", "ALL", "Total", "x" * 41]
    values = rng.choice(np.array(pool + [None], dtype=object), 3 * _ID_SAMPLE)
    values[_ID_SAMPLE + 5] = "ZH 99"  # a bad id first seen after the sample
    text = pd.Series(values, dtype="str")
    no_match, hit = _id_checks(text, REGEX, RESERVED)
    want_no_match, want_hit = _pandas(text)
    np.testing.assert_array_equal(no_match, want_no_match)
    np.testing.assert_array_equal(hit, want_hit)
    assert no_match[_ID_SAMPLE + 5] and hit.any() and text.isna().any()


@pytest.mark.parametrize("bad", [None, "ZW 7", "ZWé7", "ZW\n7", "ZW.7"])
def test_many_ids_one_bad_byte_late(bad):
    """Many distinct ids (text over several 64 KiB pieces): one bad byte late decides."""
    values = np.array([f"ZW{i:08d}" for i in range(30_000)] + [None, "ALL"], dtype=object)
    if bad is not None:
        values[29_000] = bad  # ~290 KB in: far past the first piece
    text = pd.Series(values, dtype="str")
    no_match, hit = _id_checks(text, REGEX, RESERVED)
    want_no_match, want_hit = _pandas(text)
    np.testing.assert_array_equal(no_match, want_no_match)
    np.testing.assert_array_equal(hit, want_hit)
    assert no_match[29_000] == (bad is not None) and hit[-1] and no_match[-2]
