"""Cost per pregnancy: reconciliation with the claims, splits, summaries, drivers."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.derive.costs import (
    cost_drivers,
    cost_per_pregnancy,
    cost_summary,
    driver_flags,
)
from saz_geboortezorg.errors import SazError

# ---------------------------------------------------------------- hand-made data

#: (pregnancy, line, phase, product, amount); P9 has no birth (not linked).
CLAIMS = [
    ("P1", 1, "zwangerschap", "VERL_PRENATAAL_DEEL", 400.0),
    ("P1", 2, "zwangerschap", "ZH_ZWANGERSCHAP", 300.0),
    ("P1", 2, "baring", "ZH_SECTIO", 3000.0),
    ("P1", 2, "kraambed", "ZH_KRAAMBED_OPNAME", 500.0),
    ("P1", 2, "kraambed", "ZH_KRAAMBED_OPNAME", 250.0),
    ("P2", 1, "baring", "VERL_VOLLEDIG", 1300.0),
    ("P2", 1, "kraambed", "VERL_POSTNATAAL", 300.0),
    ("P3", 1, "zwangerschap", "VERL_PRENATAAL_DEEL", 450.0),
    ("P3", 2, "baring", "ZH_INDUCTIE", 400.0),
    ("P3", 2, "baring", "ZH_BEVALLING_VAGINAAL", 950.0),
    ("P9", 1, "zwangerschap", "VERL_PRENATAAL_DEEL", 123.45),
]
#: Totals by hand: P1 = 400+300+3000+500+250, P2 = 1300+300, P3 = 450+400+950.
TOTAL = {"P1": 4450.0, "P2": 1600.0, "P3": 1800.0}
FIRST = {"P1": 400.0, "P2": 1600.0, "P3": 450.0}
PHASES = {  # pregnancy, birth, postpartum
    "P1": (700.0, 3000.0, 750.0),
    "P2": (0.0, 1300.0, 300.0),
    "P3": (450.0, 1350.0, 0.0),
}


def handmade(break_cost: bool = False) -> SimpleNamespace:
    claims = pd.DataFrame(
        CLAIMS, columns=["zwangerschap_id", "lijn", "zorgfase", "zorgproduct", "tarief"]
    )
    claims["lijn"] = claims["lijn"].astype("Int64")
    claims.index = pd.RangeIndex(2, 2 + len(claims))  # row numbers in the file
    ids = ["P1", "P2", "P3"]
    women = pd.DataFrame(
        {
            "pregnancy_id": ids,
            "booking_hospital_id": ["A", "A", "B"],
            "region_id": ["R1", "R1", "R1"],
            "practice_id": ["V1", "V2", "V2"],
            "ga_days": [280, 275, 290],
            "cs": [1, 0, 0],
            "onset": ["prelabour_cs", "spontaneous", "induced"],
            "mode": ["prelabour_cs", "spontaneous", "vacuum"],
            "pain_relief_method": ["none", "none", "epidural"],
            "nicu": [0.0, 0.0, 1.0],
            "line_at_birth": [2, 1, 2],
            "cost_first_line": [FIRST[i] for i in ids],
            "cost_second_line": [TOTAL[i] - FIRST[i] for i in ids],
            "cost_pregnancy": [PHASES[i][0] for i in ids],
            "cost_birth": [PHASES[i][1] for i in ids],
            "cost_postpartum": [PHASES[i][2] for i in ids],
            "cost_total": [TOTAL[i] for i in ids],
        }
    )
    if break_cost:
        women.loc[1, "cost_total"] += 5.0
    excluded = pd.DataFrame(
        {
            "source": ["dbc_declaraties"],
            "row_in_file": [12],
            "pregnancy_id": ["P9"],
            "record_id": ["D9"],
            "reason": ["pregnancy id in no Perined source"],
        }
    )
    return SimpleNamespace(sources={"dbc_declaraties": claims}, women=women, excluded=excluded)


def test_handmade_totals_products_and_unlinked():
    costs = cost_per_pregnancy(handmade())
    t = costs.table.set_index("pregnancy_id")
    assert t["cost_total"].to_dict() == TOTAL
    assert t["n_claims"].to_dict() == {"P1": 5, "P2": 2, "P3": 3}
    assert t.loc["P1", "product_zh_kraambed_opname"] == 750.0
    assert t.loc["P1", "product_zh_sectio"] == 3000.0
    assert t.loc["P3", "product_zh_inductie"] == 400.0
    assert t.loc["P2", "product_verl_volledig"] == 1300.0
    products = [c for c in t.columns if c.startswith("product_")]
    np.testing.assert_allclose(t[products].sum(axis=1), t["cost_total"])
    # Unlinked claim of P9, with the loader's reason.
    assert costs.unlinked["zwangerschap_id"].tolist() == ["P9"]
    assert costs.unlinked["reason"].tolist() == ["pregnancy id in no Perined source"]
    rec = costs.reconciliation.set_index("part")
    assert rec.loc["all claims", "cost"] == pytest.approx(7850.0 + 123.45)
    assert rec.loc["not linked", "cost"] == pytest.approx(123.45)
    assert rec.loc["not linked", "n_claims"] == 1
    # Tidy form: two postpartum-admission claims of P1 in one row.
    row = costs.long[
        (costs.long.pregnancy_id == "P1") & (costs.long["product"] == "ZH_KRAAMBED_OPNAME")
    ]
    assert row[["n_claims", "cost"]].values.tolist() == [[2, 750.0]]
    assert costs.long["cost"].sum() == pytest.approx(7850.0)


def test_women_columns_that_disagree_with_the_claims_are_an_error():
    with pytest.raises(SazError, match="cost_total of 1 pregnancies does not match"):
        cost_per_pregnancy(handmade(break_cost=True))


def test_no_claims_extract_is_an_error():
    data = handmade()
    data.sources = {}
    with pytest.raises(SazError, match="dbc_declaraties"):
        cost_per_pregnancy(data)


def test_summary_means_and_intervals_by_hand():
    s = cost_summary(handmade().women, unit="hospital").table.set_index(["unit", "part"])
    a = np.array([TOTAL["P1"], TOTAL["P2"]])
    sd = a.std(ddof=1)
    assert s.loc[("A", "total"), "mean"] == pytest.approx(a.mean())
    # two pregnancies: a bootstrap percentile interval (small unit), whose resampled means
    # are a1, (a1 + a2) / 2 and a2 with probabilities 1/4, 1/2, 1/4: it spans the two
    assert s.loc[("A", "total"), "interval"] == "bootstrap"
    assert s.loc[("A", "total"), ["lcl95", "ucl95"]].tolist() == [a.min(), a.max()]
    assert s.loc[("A", "total"), "sd"] == pytest.approx(sd)
    assert s.loc[("A", "first_line"), "mean"] == pytest.approx(1000.0)
    assert s.loc[("B", "birth"), "mean"] == pytest.approx(1350.0)
    # Parts of each split add up to the total, shares to 1.
    for split in ("line", "phase"):
        flat = s.reset_index()
        parts = flat[flat["split"] == split].groupby("unit")
        np.testing.assert_allclose(parts["mean"].sum(), s.xs("total", level="part")["mean"])
        np.testing.assert_allclose(parts["share"].sum(), 1.0)


def test_drivers_by_hand():
    d = cost_drivers(handmade(), unit="hospital").table.set_index(["unit", "driver"])
    cs = d.loc[("A", "caesarean")]
    assert (cs["n"], cs["count"], cs["share"]) == (2, 1, 0.5)
    assert cs["mean_cost_with"] == TOTAL["P1"] and cs["mean_cost_without"] == TOTAL["P2"]
    assert cs["cost_share"] == pytest.approx(4450 / 6050)
    assert cs["overall_share"] == pytest.approx(1 / 3)
    adm = d.loc[("A", "postpartum_admission")]  # from the claims (P1 only)
    assert adm["count"] == 1 and adm["mean_cost_with"] == TOTAL["P1"]
    b = d.loc["B"]
    assert b.loc[["induction", "instrumental", "epidural", "nicu"], "share"].tolist() == [1.0] * 4
    assert np.isnan(b.loc["caesarean", "mean_cost_with"])
    assert b.loc["caesarean", "mean_cost_without"] == TOTAL["P3"]


def test_driver_flags_without_claims_leave_admission_out():
    flags = driver_flags(handmade().women)
    assert "postpartum_admission" not in flags
    assert flags["second_line_birth"].tolist() == [True, False, True]


# ---------------------------------------------------------------- synthetic data


def test_costs_sum_to_the_claims(dataset):
    claims = dataset.sources["dbc_declaraties"]
    costs = cost_per_pregnancy(dataset)
    all_claims = claims["tarief"].sum()
    women_total = dataset.women["cost_total"].sum()
    unlinked = costs.unlinked["tarief"].sum()
    assert women_total + unlinked == pytest.approx(all_claims, abs=0.01)
    assert len(costs.unlinked) > 0
    n_excluded = int((dataset.excluded["source"] == "dbc_declaraties").sum())
    assert len(costs.unlinked) == n_excluded
    assert costs.table["n_claims"].sum() + len(costs.unlinked) == len(claims)
    # Unlinked claims are exactly those of pregnancies without a birth.
    linked_ids = set(dataset.women["pregnancy_id"])
    assert not costs.unlinked["zwangerschap_id"].isin(linked_ids).any()


def test_splits_add_up_per_pregnancy(dataset):
    t = cost_per_pregnancy(dataset).table
    np.testing.assert_allclose(t["cost_first_line"] + t["cost_second_line"], t["cost_total"])
    np.testing.assert_allclose(
        t["cost_pregnancy"] + t["cost_birth"] + t["cost_postpartum"], t["cost_total"]
    )
    products = [c for c in t.columns if c.startswith("product_")]
    # pregnancies without claims: every part unknown (NaN), as the total
    np.testing.assert_allclose(t[products].sum(axis=1, min_count=1), t["cost_total"])
    first = [c for c in products if c.startswith("product_verl_")]
    np.testing.assert_allclose(t[first].sum(axis=1, min_count=1), t["cost_first_line"])
    assert (t["cost_total"].isna() == (t["n_claims"] == 0)).all()


def test_summary_on_synthetic_matches_plain_groupby(dataset):
    women = dataset.women[dataset.women["ga_days"] >= 154]
    s = cost_summary(dataset, unit="hospital").table
    total = s[s["part"] == "total"].set_index("unit")
    expected = women.groupby("booking_hospital_id")["cost_total"].agg(["mean", "count", "size"])
    np.testing.assert_allclose(total["mean"], expected["mean"].loc[total.index])
    # n: pregnancies with claims; those without are counted apart, never as EUR 0
    assert total["n"].tolist() == expected["count"].loc[total.index].tolist()
    without = (expected["size"] - expected["count"]).loc[total.index]
    assert total["n_without_claims"].tolist() == without.tolist()
    assert without.sum() > 0
    assert (total["lcl95"] < total["mean"]).all() and (total["mean"] < total["ucl95"]).all()


def test_drivers_on_synthetic(dataset):
    d = cost_drivers(dataset, unit="hospital").table
    women = dataset.women[dataset.women["ga_days"] >= 154]
    women = women[women["n_claims"] > 0]  # the cost population: births with claims
    cs = d[d["driver"] == "caesarean"].set_index("unit")
    by_hand = women.groupby("booking_hospital_id")["cs"].mean()
    np.testing.assert_allclose(cs["share"], by_hand.loc[cs.index])
    with_cs = women[women["cs"] == 1].groupby("booking_hospital_id")["cost_total"].mean()
    np.testing.assert_allclose(cs["mean_cost_with"], with_cs.loc[cs.index])
    # A caesarean costs more than a vaginal birth everywhere.
    assert (cs["mean_cost_with"] > cs["mean_cost_without"]).all()


def test_products_follow_the_care_path_and_the_generator_tariffs(dataset):
    """Known facts of the synthetic claims (parameters.yaml tariffs): full midwifery care
    only for births in the first line, at EUR 1,450 or the deprived-area EUR 1,775 (SES
    quintile 1); a caesarean claim exactly for caesareans; postnatal care at EUR 325."""
    t = cost_per_pregnancy(dataset).table
    w = dataset.women
    claimed = (t["n_claims"] > 0).to_numpy()  # births without claims have no products
    t, w = t[claimed], w[claimed]
    full = t["product_verl_volledig"]
    assert ((full > 0) == (w["line_at_birth"] == 1)).all()
    assert set(full.unique()) == {0.0, 1450.0, 1775.0}
    assert set(w.loc[full == 1775.0, "ses_quintile"].astype(str)) <= {"1", "unknown"}
    assert not (w.loc[full == 1450.0, "ses_quintile"].astype(str) == "1").any()
    assert ((t["product_zh_sectio"] > 0) == (w["cs"] == 1)).all()
    assert set(t["product_verl_postnataal"].unique()) <= {0.0, 325.0}


def test_every_woman_is_in_one_unit_missing_units_as_unknown(dataset):
    women = dataset.women[dataset.women["ga_days"] >= 154]
    s = cost_summary(dataset, unit="practice").table
    total = s[s["part"] == "total"]
    assert (total["n"] + total["n_without_claims"]).sum() == len(women)
    women = women[women["n_claims"] > 0]
    assert total["n"].sum() == len(women)
    if women["practice_id"].isna().any():
        assert "unknown" in set(total["unit"])
    d = cost_drivers(dataset, unit="practice").table
    assert d[d["driver"] == "caesarean"]["n"].sum() == len(women)
    overall = cost_summary(dataset, unit=None).table.set_index("part")
    assert overall.loc["total", "mean"] == pytest.approx(women["cost_total"].mean())


# ---------------------------------------------------------------- precomputed costs, speed


def test_z_constant_is_the_normal_quantile():
    from saz_geboortezorg.derive.costs import _Z95
    from saz_geboortezorg.stats.intervals import z_value

    assert _Z95 == z_value(0.95)
    assert _Z95 == pytest.approx(1.959964, abs=1e-6)


def test_precomputed_costs_give_the_same_tables(dataset, monkeypatch):
    import saz_geboortezorg.derive.costs as module

    costs = cost_per_pregnancy(dataset)
    expected = {
        by: (cost_summary(dataset, unit=by).table, cost_drivers(dataset, unit=by).table)
        for by in ("hospital", None)
    }

    def no_recompute(data):
        raise AssertionError("cost_per_pregnancy was computed again")

    monkeypatch.setattr(module, "cost_per_pregnancy", no_recompute)
    for by, (summary, drivers) in expected.items():
        pd.testing.assert_frame_equal(
            cost_summary(dataset, unit=by, costs=costs).table, summary, check_exact=True
        )
        pd.testing.assert_frame_equal(
            cost_drivers(dataset, unit=by, costs=costs).table, drivers, check_exact=True
        )


def test_precomputed_costs_by_hand():
    data = handmade()
    costs = cost_per_pregnancy(data)
    d = cost_drivers(data, unit="hospital", costs=costs).table.set_index(["unit", "driver"])
    assert d.loc[("A", "postpartum_admission"), "count"] == 1  # P1's admission claims
    s = cost_summary(data, unit="hospital", costs=costs).table.set_index(["unit", "part"])
    assert s.loc[("A", "total"), "mean"] == pytest.approx((TOTAL["P1"] + TOTAL["P2"]) / 2)


def test_costs_of_other_data_are_an_error():
    data = handmade()
    costs = cost_per_pregnancy(data)
    other = handmade()
    other.women = other.women.iloc[::-1].reset_index(drop=True)  # another order
    with pytest.raises(SazError, match="do not belong"):
        cost_drivers(other, costs=costs)
    with pytest.raises(SazError, match="do not belong"):
        cost_summary(other.women.iloc[:2], costs=costs)


def test_cost_summary_does_not_import_scipy_stats():
    """scipy.stats takes about 3 s to import: cost_summary (normal intervals only) must
    not need it."""
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd\n"
        "from saz_geboortezorg.derive.costs import cost_summary\n"
        "w = pd.DataFrame({'booking_hospital_id': ['A', 'A'], 'ga_days': [280, 280],\n"
        "    **{c: [1.0, 3.0] for c in ['cost_first_line', 'cost_second_line',\n"
        "       'cost_pregnancy', 'cost_birth', 'cost_postpartum', 'cost_total']}})\n"
        "cost_summary(w)\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- pregnancies without claims


def _with_unclaimed_pregnancy() -> SimpleNamespace:
    """The hand-made data plus P4 (hospital A): a birth without any claim (costs NaN)."""
    data = handmade()
    p4 = data.women.iloc[[1]].assign(pregnancy_id="P4")
    for column in [c for c in p4.columns if c.startswith("cost_")]:
        p4[column] = np.nan
    data.women = pd.concat([data.women, p4], ignore_index=True)
    return data


def test_pregnancy_without_claims_keeps_unknown_costs_in_the_table():
    t = cost_per_pregnancy(_with_unclaimed_pregnancy()).table.set_index("pregnancy_id")
    assert t.loc["P4", "n_claims"] == 0
    cost_columns = [c for c in t.columns if c.startswith(("cost_", "product_"))]
    assert t.loc["P4", cost_columns].isna().all()
    # the others are unchanged, and a product without claims is 0 for them, not NaN
    assert t.loc[["P1", "P2", "P3"], "cost_total"].to_dict() == TOTAL
    assert t.loc["P2", "product_zh_sectio"] == 0.0


def test_pregnancy_with_zero_cost_instead_of_unknown_is_an_error():
    """A women table that says EUR 0 where no claim is linked does not match the claims."""
    data = _with_unclaimed_pregnancy()
    for column in [c for c in data.women.columns if c.startswith("cost_")]:
        data.women.loc[3, column] = 0.0
    with pytest.raises(SazError, match="does not match the claims"):
        cost_per_pregnancy(data)


def test_summary_leaves_out_and_counts_pregnancies_without_claims():
    data = _with_unclaimed_pregnancy()
    s = cost_summary(data.women, unit="hospital").table.set_index(["unit", "part"])
    a = np.array([TOTAL["P1"], TOTAL["P2"]])  # P4 (unit A) has no claims: not a zero
    assert s.loc[("A", "total"), "n"] == 2
    assert s.loc[("A", "total"), "mean"] == pytest.approx(a.mean())
    assert s.loc[("A", "total"), "n_without_claims"] == 1
    assert s.loc[("B", "total"), "n_without_claims"] == 0
    overall = cost_summary(data.women, unit=None).table.set_index("part")
    assert overall.loc["total", "n"] == 3 and overall.loc["total", "n_without_claims"] == 1


def test_small_units_get_bootstrap_percentile_intervals():
    """A skewed unit's mean cost: the bootstrap percentile interval is asymmetric (longer
    above the mean), seeded, and covers better than the normal one; large units keep the
    normal interval."""
    from saz_geboortezorg.derive.costs import BOOTSTRAP_BELOW

    rng = np.random.default_rng(3)
    n_small, n_large = 150, BOOTSTRAP_BELOW + 50
    # lognormal costs with a heavy tail (skewness far above 2)
    cost = np.exp(rng.normal(7.5, 1.2, n_small + n_large))
    w = pd.DataFrame(
        {
            "booking_hospital_id": ["S"] * n_small + ["L"] * n_large,
            "ga_days": 280,
            "cost_total": cost,
            "cost_first_line": cost * 0.3,
            "cost_second_line": cost * 0.7,
            "cost_pregnancy": cost * 0.2,
            "cost_birth": cost * 0.5,
            "cost_postpartum": cost * 0.3,
        }
    )
    s = cost_summary(w, unit="hospital").table
    total = s[s["part"] == "total"].set_index("unit")
    assert total.loc["S", "interval"] == "bootstrap" and total.loc["L", "interval"] == "normal"
    small = total.loc["S"]
    assert small["ucl95"] - small["mean"] > small["mean"] - small["lcl95"]  # skewed upwards
    again = cost_summary(w, unit="hospital").table.set_index(["unit", "part"])
    assert again.loc[("S", "total"), "lcl95"] == small["lcl95"]  # seeded
    big = total.loc["L"]
    half = 1.959963984540054 * big["sd"] / np.sqrt(big["n"])
    assert big["ucl95"] == pytest.approx(big["mean"] + half)
    # coverage of the true mean exp(7.5 + 1.2^2 / 2) over repeated small units
    truth = np.exp(7.5 + 1.2**2 / 2)
    hits = {"bootstrap": 0, "normal": 0}
    reps = 200
    for k in range(reps):
        c = np.exp(np.random.default_rng(100 + k).normal(7.5, 1.2, 60))
        u = pd.DataFrame({"booking_hospital_id": "S", "ga_days": 280, "cost_total": c})
        for col in ("cost_first_line", "cost_second_line", "cost_pregnancy"):
            u[col] = c / 3
        u["cost_birth"] = u["cost_postpartum"] = 0.0
        row = cost_summary(u, unit="hospital").table.iloc[0]
        hits["bootstrap"] += row["lcl95"] <= truth <= row["ucl95"]
        m, sd = c.mean(), c.std(ddof=1)
        hits["normal"] += m - 1.96 * sd / np.sqrt(60) <= truth <= m + 1.96 * sd / np.sqrt(60)
    assert hits["bootstrap"] >= hits["normal"]
    assert hits["bootstrap"] / reps > 0.85


def test_results_summaries_pool_the_units(dataset):
    """The drivers summary pools the units: it must say what the overall table says."""
    per_hospital = cost_drivers(dataset, unit="hospital")
    overall = cost_drivers(dataset, unit=None).table.set_index("driver")
    text = per_hospital.summary()
    for driver, row in overall.iterrows():
        line = (
            f"{row['label']}: {100 * row['share']:.1f}% of pregnancies; mean cost "
            f"EUR {row['mean_cost_with']:,.0f} with, EUR {row['mean_cost_without']:,.0f} without"
        )
        assert line in text, driver
    summary = cost_summary(dataset, unit="hospital")
    assert summary.unit == "booking_hospital_id" and not summary.table.attrs
    total = summary.table[summary.table.part == "total"]
    assert f"{int(total.n.sum())} pregnancies with claims" in summary.summary()
    costs = cost_per_pregnancy(dataset)
    rec = costs.reconciliation.set_index("part")
    assert f"linked: {int(rec.loc['linked', 'n_claims'])} claims" in costs.summary()
