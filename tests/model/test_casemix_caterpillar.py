"""CaseMixResult.caterpillar passes highlight= and chart options through (like .chart())."""

from __future__ import annotations

import pytest
from casemix_helpers import MAIN_EFFECTS

from saz_geboortezorg.model import casemix
from saz_geboortezorg.present.style import HIGHLIGHT


@pytest.fixture(scope="module")
def fit(births):
    return casemix(births, {"name": "cs", "outcome": "cs", "covariates": MAIN_EFFECTS})


def _rows(spec: dict) -> list[dict]:
    return [v for values in spec["datasets"].values() for v in values if "unit" in v]


def test_caterpillar_highlights_the_unit(fit):
    units = sorted(fit.random_effects.table["unit"].astype(str))
    mine = units[len(units) // 2]
    spec = fit.caterpillar(highlight=mine).to_dict()
    flagged = {v["unit"] for v in _rows(spec) if v["is_highlight"]}
    assert flagged == {mine}
    assert HIGHLIGHT in str(spec["layer"][1]["encoding"]["color"])
    two = fit.caterpillar(highlight=units[:2]).to_dict()
    assert {v["unit"] for v in _rows(two) if v["is_highlight"]} == set(units[:2])
    plain = fit.caterpillar().to_dict()
    assert not any(v["is_highlight"] for v in _rows(plain))


def test_caterpillar_options_override_the_defaults(fit):
    spec = fit.caterpillar(title="Mine", x_title="OR", horizontal=True).to_dict()
    assert spec["title"]["text"] == "Mine"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "OR"  # values on y when horizontal
    default = fit.caterpillar().to_dict()
    assert default["title"]["text"] == f"cs: shrunken {fit.unit_type} odds ratios"
    # the drawn estimates are the model's shrunken odds ratios
    table = fit.random_effects.table.set_index("unit")
    for row in _rows(default):
        assert row["estimate"] == pytest.approx(table.loc[row["unit"], "odds_ratio"])


def test_caterpillar_bars_are_the_integrated_intervals(fit):
    default = fit.caterpillar().to_dict()
    assert "integrated over tau" in default["title"]["subtitle"]
    table = fit.random_effects.table.set_index("unit")
    for row in _rows(default):
        assert row["lower"] == pytest.approx(table.loc[row["unit"], "or_lcl95"])
        assert row["upper"] == pytest.approx(table.loc[row["unit"], "or_ucl95"])
