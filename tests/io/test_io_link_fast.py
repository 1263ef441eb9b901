"""Fast paths of the linkage and the derived columns against plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.io.link import _year_month


def _expected(date: pd.Series) -> tuple[pd.Series, pd.Series]:
    year = date.dt.year
    year = year.astype("float64") if year.isna().any() else year.astype("int64")
    month = date.dt.to_period("M").dt.to_timestamp().astype("datetime64[us]")
    return year.reset_index(drop=True), month.reset_index(drop=True)


@pytest.mark.parametrize("unit", ["ns", "us", "ms", "s", "D"])
@pytest.mark.parametrize("missing", [False, True])
def test_year_and_month_as_pandas_gives_them(unit, missing):
    rng = np.random.default_rng(5)
    # around 1970 (negative days), month and year ends, times just before midnight
    days = rng.integers(-800, 20_000, 400)
    seconds = rng.choice([0, 1, 86_399], 400) if unit != "D" else np.zeros(400, dtype=int)
    values = (days.astype("datetime64[D]") + seconds.astype("timedelta64[s]")).astype(
        f"datetime64[{unit}]"
    )
    if missing:
        values[::7] = np.datetime64("NaT")
    date = pd.Series(values)
    year, month = _year_month(date)
    want_year, want_month = _expected(date)
    pd.testing.assert_series_equal(year, want_year, check_names=False)
    pd.testing.assert_series_equal(month, want_month, check_names=False)


@pytest.mark.parametrize(
    "values",
    [
        ["1700-02-03", "2020-05-06"],  # a span too long to tabulate
        [None, None],
        [],
        ["2021-01-31T23:59:59.999999999"],
    ],
)
def test_year_and_month_edge_cases(values):
    date = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
    year, month = _year_month(date)
    want_year, want_month = _expected(date)
    pd.testing.assert_series_equal(year, want_year, check_names=False, check_dtype=bool(len(values)))
    pd.testing.assert_series_equal(month, want_month, check_names=False)
