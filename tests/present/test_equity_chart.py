"""Equity charts draw the rates and SII they are given (no statistics computed)."""

from __future__ import annotations

import pandas as pd

from saz_geboortezorg.present.equity_chart import gradient_chart, sii_chart


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def _rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": "big4",
            "region": ["A", "A", "A", "B", "B", "B"],
            "ses_quintile": ["1", "5", "unknown", "1", "5", "unknown"],
            "measure": "percent",
            "denominator": 100,
            "numerator": [21, 15, 3, 18, 16, 2],
            "rate": [21.0, 15.0, 3.0, 18.0, 16.0, 2.0],
            "wilson_lcl": [14.0, 9.0, 1.0, 12.0, 10.0, 0.5],
            "wilson_ucl": [30.0, 23.0, 8.0, 27.0, 25.0, 7.0],
        }
    )


def test_gradient_chart_draws_groups_in_order_and_highlight():
    sii = pd.DataFrame(
        {"unit": ["all", "A"], "sii": [4.25, 7.5], "sii_lcl": [2.0, 1.0], "sii_ucl": [6.5, 14.0]}
    )
    spec = gradient_chart(_rates(), order=["1", "5"], sii=sii, highlight="A").to_dict()
    rows = [r for d in _datasets(spec) for r in d]
    assert {r["_group"] for r in rows} == {"1", "5"}  # 'unknown' not drawn
    assert {r["_unit"] for r in rows if r["_mine"]} == {"A"}
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "A: SII 7.5 (95% CI 1.0 to 14.0)" in subtitle
    assert "all units: SII 4.2" in subtitle


def test_sii_chart_sorts_units_and_draws_overall():
    t = pd.DataFrame(
        {
            "indicator": "big4",
            "unit": ["all", "A", "B", "C"],
            "n": [300, 100, 100, 100],
            "sii": [4.0, 6.0, -2.0, None],
            "sii_lcl": [2.0, 1.0, -7.0, None],
            "sii_ucl": [6.0, 11.0, 3.0, None],
        }
    )
    spec = sii_chart(t, highlight="B").to_dict()
    sort = spec["layer"][0]["encoding"]["y"]["sort"]
    assert sort == ["B", "A"]  # by SII; C has none; 'all' is the reference line
    values = [r for d in _datasets(spec) for r in d]
    assert any(r.get("unit") == "all" and r.get("sii") == 4.0 for r in values)
