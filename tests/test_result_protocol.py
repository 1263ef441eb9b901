"""Every analysis returns a result: ``.table``, ``.summary()``, ``.chart()``, ``.to_dict()``.

Blocks per area (merged from the worktrees of issue 15, item 4); each block's tests
carry its area prefix.
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.result import ResultProtocol

# ===================================================================== derive (i15derive)
# robson_table, care_flows, flow_links, referral_reasons, place_of_birth, cost_summary,
# cost_drivers, cost_per_pregnancy, calibration_deciles: metadata that used to be
# DataFrame.attrs are fields; no attrs are left on the tables.


def _derive_check(result, **fields) -> dict:
    """The four-part protocol on one result; returns its to_dict()."""
    assert isinstance(result, ResultProtocol)
    assert isinstance(result.table, pd.DataFrame) and len(result.table) > 0
    assert not result.table.attrs, "metadata belong in fields, not DataFrame.attrs"
    text = result.summary()
    assert isinstance(text, str) and text.strip()
    out = result.to_dict()
    json.dumps(out, allow_nan=False)  # JSON-ready: no NaN, no numpy types
    assert out["result"] == type(result).__name__
    assert len(out["table"]) == len(result.table)
    chart = result.chart()
    assert isinstance(chart, alt.TopLevelMixin)
    chart.to_dict()  # a valid spec
    for name, value in fields.items():
        assert getattr(result, name) == value, name
        assert out[name] == value, name
    # prints as its table (notebook cells show the same text as before)
    assert repr(result) == repr(result.table)
    return out


@pytest.fixture(scope="module")
def derive_women() -> pd.DataFrame:
    rng = np.random.default_rng(15)
    n = 400
    start = rng.choice([1, 2], n, p=[0.8, 0.2])
    referred_preg = np.where(start == 1, rng.binomial(1, 0.3, n), 0)
    onset = rng.choice(["spontaneous", "induced", "prelabour_cs"], n, p=[0.7, 0.2, 0.1])
    referred_lab = np.where(
        (start == 1) & (referred_preg == 0) & (onset == "spontaneous"), rng.binomial(1, 0.4, n), 0
    )
    return pd.DataFrame(
        {
            "region_id": rng.choice(["R1", "R2", "R3"], n),
            "hospital_id": rng.choice(["H1", "H2"], n),
            "start_line": start,
            "referral_pregnancy": referred_preg,
            "onset": onset,
            "referral_labour": referred_lab,
            "referral_labour_reason": np.where(
                referred_lab == 1, rng.choice(["failure_to_progress", "meconium"], n), None
            ),
            "actual_place": rng.choice(["home", "hospital_midwife", "hospital_obstetrician"], n),
            "mode": rng.choice(["spontaneous", "vacuum", "intrapartum_cs"], n),
            "line_at_birth": rng.choice([1, 2], n),
            "referral_postpartum": rng.binomial(1, 0.1, n),
            "robson": rng.choice(["1", "2a", "3", "5.1", "10"], n),
            "cs": np.where(rng.random(n) < 0.02, np.nan, rng.binomial(1, 0.2, n)),
        }
    )


def test_derive_robson_table_is_a_result(derive_women):
    from saz_geboortezorg.derive.robson import ROBSON_POPULATIONS, RobsonTable, robson_table

    result = robson_table(derive_women, unit="hospital_id")
    assert isinstance(result, RobsonTable)
    unknown = int(derive_women["cs"].isna().sum())
    assert unknown > 0
    _derive_check(
        result,
        unit="hospital_id",
        cs_unknown=unknown,
        population=ROBSON_POPULATIONS["all"],
        split_ab=True,
    )
    assert f"{unknown} women with unknown caesarean status" in result.summary()


def test_derive_care_flows_are_results(derive_women):
    from saz_geboortezorg.derive.flows import care_flows, flow_links, referral_reasons

    _derive_check(care_flows(derive_women), unit="region_id")
    _derive_check(care_flows(derive_women, stages=["start", "mode"]), stages=["start", "mode"])
    links = flow_links(derive_women, "region_id", "R2", follow="labour")
    _derive_check(
        links,
        women=int((derive_women["region_id"] == "R2").sum()),
        follow="labour",
        unit="region_id",
        unit_id="R2",
    )
    _derive_check(referral_reasons(derive_women, unit="hospital_id"), unit="hospital_id")
    _derive_check(referral_reasons(derive_women, moment="labour"), moment="labour")


def test_derive_place_of_birth_is_a_result(derive_women):
    from saz_geboortezorg.derive.profile import place_of_birth

    _derive_check(place_of_birth(derive_women, unit="hospital_id"), unit="hospital_id")


def test_derive_calibration_deciles_is_a_result():
    from saz_geboortezorg.model.diagnostics import calibration_deciles

    rng = np.random.default_rng(3)
    risk = rng.uniform(0.05, 0.6, 200)
    trials = rng.integers(5, 30, 200).astype(float)
    events = rng.binomial(trials.astype(int), risk).astype(float)
    result = calibration_deciles(risk, events, trials)
    out = _derive_check(result, df=8)
    assert out["hosmer_lemeshow"] == pytest.approx(result.hosmer_lemeshow)
    assert 0 <= out["p"] <= 1


@pytest.fixture(scope="module")
def derive_dataset(tmp_path_factory):
    import saz_geboortezorg as sg
    from saz_geboortezorg.synthetic import generate

    folder = tmp_path_factory.mktemp("derive_costs")
    generate(births=600, seed=15, progress=False).write(folder)
    return sg.load(folder)


def test_derive_costs_are_results(derive_dataset):
    from saz_geboortezorg.derive.costs import cost_drivers, cost_per_pregnancy, cost_summary

    costs = cost_per_pregnancy(derive_dataset)
    out = _derive_check(costs)
    assert "long" not in out and "unlinked" not in out  # claim-level detail stays out
    assert [r["part"] for r in out["reconciliation"]] == ["all claims", "linked", "not linked"]
    summary = cost_summary(derive_dataset, unit="hospital", costs=costs)
    _derive_check(summary, unit="booking_hospital_id", confidence=0.95)
    assert isinstance(summary.chart(split="phase"), alt.TopLevelMixin)
    _derive_check(
        cost_drivers(derive_dataset, unit="region", costs=costs), unit="booking_region_id"
    )
    overall = cost_summary(derive_dataset, unit=None, costs=costs)
    _derive_check(overall, unit=None)


# =================================================================== end derive (i15derive)
