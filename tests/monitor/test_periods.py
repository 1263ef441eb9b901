"""Rates per unit and period, checked against counts made by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from saz_geboortezorg.derive.tables import add_derived
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.periods import indicator_records, period_rates


def _table():
    # cs indicator: population ga_days present, numerator mode intrapartum/prelabour cs;
    # 'unknown' mode is excluded. cs is derived from the mode, as sg.load does.
    table = pd.DataFrame(
        {
            "birth_date": pd.to_datetime(
                ["2022-01-03", "2022-01-30", "2022-02-14", "2022-04-01", "2022-01-10", "2022-06-30"]
            ),
            "hospital_id": ["A", "A", "A", "A", "B", "B"],
            "ga_days": [280, 281, 282, 270, 275, 279],
            "mode": [
                "intrapartum_cs",
                "spontaneous",
                "unknown",
                "prelabour_cs",
                "spontaneous",
                "intrapartum_cs",
            ],
        }
    )
    return add_derived(table)


def test_monthly_counts_by_hand():
    out = period_rates(_table(), "cs")
    a = out[out.unit == "A"]
    # A: Jan 2 records (1 event), Feb 0 usable (unknown excluded), Mar none, Apr 1 (1 event)
    assert a.period.dt.strftime("%Y-%m").tolist() == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert a.n.tolist() == [2, 0, 0, 1]
    assert a.events.tolist() == [1, 0, 0, 1]
    assert a.rate.iloc[0] == 0.5 and math.isnan(a.rate.iloc[1]) and a.rate.iloc[3] == 1.0
    b = out[out.unit == "B"]
    assert len(b) == 6 and b.n.sum() == 2 and b.events.sum() == 1


def test_quarterly_and_overall():
    out = period_rates(_table(), "cs", unit=None, freq="quarter")
    assert out.unit.unique().tolist() == ["all"]
    assert out.n.tolist() == [3, 2]  # Q1: A jan x2 + B jan; Q2: A apr + B jun
    assert out.events.tolist() == [1, 2]


def test_counts_do_not_depend_on_row_order_index_or_missing_values():
    """Rows out of date order, with a non-default index, a missing unit and a missing date:
    the same counts by hand as test_monthly_counts_by_hand (the unit and the date of each
    record must stay together when only those columns are counted)."""
    t = _table()
    extra = add_derived(
        pd.DataFrame(
            {
                "birth_date": pd.to_datetime(["2022-01-20", None]),
                "hospital_id": [None, "A"],
                "ga_days": [280, 280],
                "mode": ["intrapartum_cs", "intrapartum_cs"],
            }
        )
    )
    t = pd.concat([t, extra], ignore_index=True).iloc[[5, 7, 2, 0, 6, 4, 3, 1]]
    t.index = [70, 10, 30, 50, 20, 60, 40, 0]
    out = period_rates(t, "cs")
    a = out[out.unit == "A"]
    assert a.period.dt.strftime("%Y-%m").tolist() == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert a.n.tolist() == [2, 0, 0, 1]
    assert a.events.tolist() == [1, 0, 0, 1]
    b = out[out.unit == "B"]
    assert b.n.tolist() == [1, 0, 0, 0, 0, 1] and b.events.tolist() == [0, 0, 0, 0, 0, 1]
    # overall: the record without a unit counts, the one without a date does not
    everyone = period_rates(t, "cs", unit=None, freq="quarter")
    assert everyone.n.tolist() == [4, 2] and everyone.events.tolist() == [2, 2]


def test_records_sorted_and_outcome():
    rec = indicator_records(_table(), "cs")
    assert rec.birth_date.is_monotonic_increasing
    assert len(rec) == 5 and rec.outcome.sum() == 3


def test_errors():
    with pytest.raises(SpecError, match="freq"):
        period_rates(_table(), "cs", freq="week")
    with pytest.raises(SpecError, match="date column"):
        period_rates(_table(), "cs", date="nope")


def test_on_synthetic_matches_yearly_totals(dataset):
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome

    out = period_rates(dataset, "oasis", unit="hospital")
    keep, y = indicator_outcome(dataset.women, get("oasis"))
    assert out.n.sum() == int(keep.sum())
    assert out.events.sum() == float(y[keep].sum())
    assert set(out.period.dt.day) == {1}
