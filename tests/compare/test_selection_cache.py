"""A cache shared by many selections (the explorer's redraws) gives what pandas gives
on the selected records, and shares its selection masks safely."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.standardise import BenchmarkCache, select_records, unit_table
from saz_geboortezorg.model.fitted import oe_sums
from saz_geboortezorg.monitor.trends import trend_table

SELECTIONS = [
    (None, None),
    ({"parity_group": ["0"]}, None),
    ({"parity_group": ["0"]}, ("2022-01-01", "2022-12-31")),
    (None, ("2021-01-01", "2021-12-31")),
    ({"migration": ["dutch"], "ses_quintile": ["1", "2"]}, None),
    (None, None),
]


def _by_pandas(rec, where, period, unit_col):
    """Records, events and expected values per unit, selected and summed by pandas."""
    t = rec.table.iloc[rec.rows].reset_index(drop=True)
    keep = pd.Series(True, index=t.index)
    for column, values in (where or {}).items():
        keep &= t[column].astype("string").fillna("unknown").isin(values)
    if period is not None:
        dates = pd.to_datetime(t["birth_date"])
        keep &= (dates >= period[0]) & (dates <= period[1])
    frame = pd.DataFrame(
        {"unit": t[unit_col].astype("string").fillna("unknown"), "y": rec.y, "e": rec.expected}
    )[keep.to_numpy()]
    factor = frame["y"].sum() / frame["e"].sum() / (rec.y.sum() / rec.expected.sum())
    sums = frame.groupby("unit").agg(n=("y", "size"), observed=("y", "sum"), e=("e", "sum"))
    return sums.assign(expected=sums["e"] * factor)


@pytest.mark.parametrize("indicator", ["cs", "pph"])
def test_shared_cache_sums_what_pandas_sums(dataset, indicator):
    cache = BenchmarkCache()
    rec = cache.fit(cache.records(dataset, indicator))
    for level, unit_col in [("region", "region_id"), ("hospital", "hospital_id")]:
        for where, period in SELECTIONS:
            got = unit_table(
                dataset, indicator, unit=level, where=where, period=period, cache=cache
            )
            want = _by_pandas(rec, where, period, unit_col)
            t = got.table.set_index("unit")
            assert list(t.index) == list(want.index)
            np.testing.assert_array_equal(t["n"], want["n"])
            np.testing.assert_array_equal(t["observed"], want["observed"])
            np.testing.assert_allclose(t["expected"], want["expected"], rtol=1e-10)
            # a fresh cache gives exactly the same table (nothing carried over wrongly)
            fresh = unit_table(dataset, indicator, unit=level, where=where, period=period)
            pd.testing.assert_frame_equal(got.table, fresh.table, check_exact=True)
            trend = trend_table(
                dataset, indicator, unit=level, highlight=t.index[0], where=where,
                period=period, cache=cache,
            )  # fmt: skip
            alone = trend_table(
                dataset, indicator, unit=level, highlight=t.index[0], where=where, period=period
            )
            pd.testing.assert_frame_equal(trend.table, alone.table, check_exact=True)
            mine = trend.table[trend.table["series"] == t.index[0]]
            assert mine["n"].sum() == t.loc[t.index[0], "n"]


def test_selection_masks_are_shared_and_read_only(dataset):
    cache = BenchmarkCache()
    rec = cache.records(dataset, "cs")
    first = select_records(cache, rec, {"parity_group": ["0", "1"]}, None)
    again = select_records(cache, rec, {"parity_group": ("1", "0")}, None)
    other = select_records(cache, rec, {"parity_group": ["0"]}, None)
    assert again is first and other is not first
    assert other.sum() < first.sum()
    with pytest.raises(ValueError):
        first &= other
    # a filter given as a generator is not kept, and selects the same records
    made = select_records(cache, rec, {"parity_group": (v for v in ["0", "1"])}, None)
    assert made is not first and np.array_equal(made, first)


@pytest.mark.parametrize("family", ["binomial", "gamma"])
def test_oe_sums_of_records_equal_those_with_unit_weights(family):
    rng = np.random.default_rng(3)
    unit = rng.integers(0, 5, 1000)
    mean = rng.uniform(0.05, 0.9, 1000) * (1 if family == "binomial" else 900)
    y = rng.binomial(1, 0.3, 1000) if family == "binomial" else rng.gamma(2, 450, 1000)
    plain = oe_sums(unit, 5, y, mean, family, 0.4)
    weighted = oe_sums(unit, 5, y, mean, family, 0.4, weights=np.ones(1000))
    counted = (np.bincount(unit, minlength=5).astype(float), np.bincount(unit, y, 5))
    given = oe_sums(unit, 5, y, mean, family, 0.4, totals=counted)
    for name in ("n", "observed", "expected", "variance", "oe", "oe_lcl95", "oe_ucl95"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(weighted, name))
        np.testing.assert_array_equal(getattr(plain, name), getattr(given, name))


def test_kept_sums_of_every_record_are_not_changed_through_a_table(dataset):
    cache = BenchmarkCache()
    first = unit_table(dataset, "cs", unit="region", cache=cache)
    expected = first.table.copy()
    first.table["n"] *= 0  # a caller changing its table in place
    first.table.loc[:, "expected"] = -1.0
    again = unit_table(dataset, "cs", unit="region", cache=cache)
    pd.testing.assert_frame_equal(again.table, expected, check_exact=True)
