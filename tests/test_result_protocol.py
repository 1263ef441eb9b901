"""Every analysis returns a result: ``.table``, ``.summary()``, ``.chart()``, ``.to_dict()``.

Blocks per area (merged from parallel work); each test names its area in its name.
"""

from __future__ import annotations

import json

import pandas as pd

from saz_geboortezorg.result import ResultProtocol


def _women_with_dates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_id": ["A", "A", "A", "B", "B", "B", "C", "C"],
            "ga_days": 280,
            "birth_date": pd.to_datetime(["2022-01-05", "2022-04-01", "2022-07-01"] * 2 + ["2022-02-02"] * 2),
            "mode": ["intrapartum_cs", "spontaneous", "spontaneous"] * 2 + ["prelabour_cs", "spontaneous"],
        }
    )  # fmt: skip


# ------------------------------------------------------------------- rate table (i15rate)
def test_rate_unit_table_follows_the_protocol():
    import altair as alt

    from saz_geboortezorg.compare.standardise import unit_table
    from saz_geboortezorg.indicators.rate_table import RateTable

    res = unit_table(_women_with_dates(), "cs", adjusted=False)
    assert isinstance(res, RateTable) and isinstance(res, ResultProtocol)
    assert isinstance(res.summary(), str) and "cs per region" in res.summary()
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert isinstance(res.chart(highlight="B"), alt.TopLevelMixin)
    # what used to be DataFrame.attrs are fields (and in to_dict)
    for name in (
        "indicator",
        "adjusted",
        "method",
        "family",
        "overall",
        "multiplier",
        "calibration",
        "unit_type",
        "attribution",
    ):
        assert name in d and d[name] == getattr(res, name)
    assert res.table.attrs == {}
    assert (res.unit_type, res.multiplier, res.adjusted) == ("region", 100.0, False)
    # printed, a result shows its table
    assert repr(res) == repr(res.table)
