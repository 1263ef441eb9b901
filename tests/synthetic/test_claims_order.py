"""The claims are sorted by pregnancy number and start date exactly as ``np.lexsort``
sorts them (the generator uses a faster sort; the output must not move)."""

from __future__ import annotations

import numpy as np
import pytest

from saz_geboortezorg.synthetic.claims import _sorted_rows


def lexsorted(keep, number, begin):
    rows = np.flatnonzero(keep)
    return rows[np.lexsort((begin[rows], number[rows]))]


@pytest.mark.parametrize("n", [0, 1, 2, 17, 1_000, 50_000])
def test_same_order_as_lexsort_with_ties(n):
    rng = np.random.default_rng(n)
    keep = rng.random(n) < 0.9
    number = rng.integers(10_000_000, 10_000_000 + max(n // 4, 1), n)  # many claims per id
    begin = np.datetime64("2014-01-01") + rng.integers(0, 30, n)  # many equal dates
    assert _sorted_rows(keep, number, begin).tolist() == lexsorted(keep, number, begin).tolist()


def test_missing_dates_and_huge_numbers_fall_back_to_lexsort():
    rng = np.random.default_rng(1)
    number = rng.integers(0, 5, 40)
    begin = np.datetime64("2020-01-01") + rng.integers(0, 3, 40)
    begin[[3, 9]] = np.datetime64("NaT")  # NaT sorts last, as in lexsort
    keep = np.ones(40, dtype=bool)
    assert _sorted_rows(keep, number, begin).tolist() == lexsorted(keep, number, begin).tolist()
    big = np.array([2**62, 5, 2**62, 5])
    dates = np.array(
        ["2023-01-02", "2023-01-01", "2020-01-01", "2024-01-01"], dtype="datetime64[D]"
    )
    assert _sorted_rows(np.ones(4, dtype=bool), big, dates).tolist() == [1, 3, 2, 0]
