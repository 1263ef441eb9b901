"""Issue 14 attack suite: differencing over everything all regional reports write to disk.

The data are built to contain small cells: the 3,000-birth synthetic set (regions of a few
hundred births, so rare outcomes such as perinatal death or low Apgar have counts of 0-9 per
region), plus a region R18 of 3 births whose women all booked with one practice of 3
(VP999) and lie in three different SES quintiles (subgroups of one woman). The reports are
built through the command line with exports, then attacked by
:mod:`saz_geboortezorg.disclosure.attack`, which reads the files as an outsider and knows
every line total (from the data, through the public analysis functions, not from the
protection code).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from saz_geboortezorg.disclosure.attack import TABLES, attack, known_totals, read_reports

#: The small region, hospital and practice added to the synthetic data.
REGION, HOSPITAL, PRACTICE = "R18", "ZH99", "VP999"


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write(t, path):
    t.to_csv(path, index=False)


def small_cells_data(root):
    """3,000 synthetic births plus a region of 3 births, a practice of 3 and subgroups of one.

    Three women with one baby who started care in the first line and gave birth in hospital
    are moved to a new hospital ZH99 (region R18) and practice VP999; their SES quintiles
    are set to 1, 3 and 5.
    """
    import saz_geboortezorg as sg

    sg.synthetic.generate(births=3000, seed=11).write(root)
    org = _read(root / "organisaties.csv")
    l1 = _read(root / "perined_lvr1.csv")
    l2 = _read(root / "perined_lvr2.csv")
    claims = _read(root / "dbc_declaraties.csv")
    hospital_row = {c: "" for c in org.columns}
    hospital_row.update(
        organisatie_id=HOSPITAL,
        organisatie_type="ZH",
        naam="Ziekenhuis Klein",
        regio_id=REGION,
        regio_naam="Regio Klein",
        ziekenhuis_id=HOSPITAL,
        epiduraal_24_7="0",
        inductiebeleid_41_weken="0",
        nicu="0",
        geboortecentrum="0",
    )
    practice_row = {c: "" for c in org.columns}
    practice_row.update(
        organisatie_id=PRACTICE,
        organisatie_type="VP",
        naam="Verloskundigenpraktijk Klein",
        regio_id=REGION,
        regio_naam="Regio Klein",
        ziekenhuis_id=HOSPITAL,
    )
    org = pd.concat([org, pd.DataFrame([hospital_row, practice_row])], ignore_index=True)
    # single births in hospital with a first-line (LVR-1) record
    counts = l2["zwangerschap_id"].value_counts()
    single = set(counts.index[counts == 1])
    both = [p for p in l2["zwangerschap_id"] if p in single and p in set(l1["zwangerschap_id"])]
    moved = both[:3]
    assert len(moved) == 3
    in1 = l1["zwangerschap_id"].isin(moved)
    in2 = l2["zwangerschap_id"].isin(moved)
    l1.loc[in1, "praktijk_id"] = PRACTICE
    l1.loc[in1, "ziekenhuis_id"] = HOSPITAL
    l2.loc[in2, "ziekenhuis_id"] = HOSPITAL
    if "ziekenhuis_aanvang_zorg" in l2:
        l2.loc[in2, "ziekenhuis_aanvang_zorg"] = ""
    for table, rows in ((l1, in1), (l2, in2)):
        order = table.loc[rows, "zwangerschap_id"].map({p: i for i, p in enumerate(moved)})
        table.loc[rows, "ses_kwintiel"] = order.map({0: "1", 1: "3", 2: "5"})
    mine = claims["zwangerschap_id"].isin(moved)
    line = claims["lijn"].astype(str)
    claims.loc[mine & (line == "1"), "zorgaanbieder_id"] = PRACTICE
    claims.loc[mine & (line == "2"), "zorgaanbieder_id"] = HOSPITAL
    for t, name in (
        (org, "organisaties"),
        (l1, "perined_lvr1"),
        (l2, "perined_lvr2"),
        (claims, "dbc_declaraties"),
    ):
        _write(t, root / f"{name}.csv")
    return moved


def _no_rendering(spec, path, *, threshold=10):
    """``export_chart`` without the PNG/SVG rendering (vl-convert, about 0.15 s a chart, 380
    charts here): the same disclosure gate, and the spec written as JSON. The attacker reads
    chart data from the pages; the rendered files are the text scan's concern
    (tests/disclosure/test_text_scan.py)."""
    import json
    from pathlib import Path

    from saz_geboortezorg.disclosure import assert_safe, check_chart

    assert_safe(check_chart(spec, threshold, where=str(path)), str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".json").write_text(json.dumps(spec), encoding="utf-8")
    return []


#: Building 18 reports with exports and attacking them takes about 80 s on a shared
#: 2-core machine (data 5 s, reports 45 s, line totals 6 s, attack 25 s).
slow = pytest.mark.slow


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    import saz_geboortezorg as sg
    from saz_geboortezorg.cli import main

    root = tmp_path_factory.mktemp("small_cells")
    small_cells_data(root)
    data = sg.load(root)
    out = tmp_path_factory.mktemp("reports")
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as mp:
        warnings.simplefilter("ignore")
        mp.setattr("saz_geboortezorg.report.export.export_chart", _no_rendering)
        code = main(["report", str(root), "--all-regions", "--out", str(out), "--exports"])
        assert code == 0
        truth = known_totals(data)
    pub = read_reports(out)
    return data, truth, pub, attack(pub, truth)


@slow
def test_data_has_the_small_cells(attacked):
    data, truth, pub, _ = attacked
    women = data.women
    assert (women["region_id"] == REGION).sum() == 3
    assert (women["practice_id"] == PRACTICE).sum() == 3
    ses = women.loc[women["region_id"] == REGION, "ses_quintile"].astype(str)
    assert sorted(ses) == ["1", "3", "5"]  # three subgroups of one woman
    assert REGION in pub.reports and len(pub.reports) == 18
    # rare outcomes: perinatal deaths 1-9 in some region
    b = truth["benchmark"]
    deaths = b[b["indicator"] == "perinatal_mortality"]["observed"]
    assert deaths.between(1, 9).any()


@slow
def test_attacker_reads_every_table_and_chart(attacked):
    _, _, pub, result = attacked
    assert result.not_understood == []
    assert {c[0] for c in pub.cells} >= set(TABLES) - {"exclusions"}
    # each of the 18 reports exports the same nine tables
    assert pub.csv_tables == 18 * 9
    assert result.hidden > 50 and result.attacked == result.hidden


@slow
def test_attack_model_agrees_with_the_data(attacked):
    # every shown count equals the data and every program solved: otherwise the attack
    # would be wrong, and a wrong attack must not read as safe
    _, _, _, result = attacked
    assert result.mismatches.empty, result.mismatches.head().to_string()
    assert result.errors == []
    # soundness: the true value of every hidden count lies in its computed range
    known = result.cells.dropna(subset=["true"])
    assert (known["lo"] <= known["true"] + 1e-6).all()
    assert (known["true"] <= known["hi"] + 1e-6).all()


def test_attack_pins_a_count_when_a_line_has_one_hidden_cell():
    # the attack itself can find a leak: hide one count of a line whose total is known
    from saz_geboortezorg.disclosure.attack import Published

    pub = Published(reports=["A"])
    for unit, n in (("A", "3"), ("B", "40"), ("C", "55")):
        pub.see("value", (unit,), "cost_n", unit, "test", "" if unit == "A" else n)
    truth = {
        "value": pd.DataFrame(
            {
                "unit": ["A", "B", "C"],
                "outcome_n": [3.0, 40, 55],
                "outcome_events": [1.0, 10, 20],
                "cost_n": [3.0, 40, 55],
            }
        )
    }
    result = attack(pub, truth)
    f = result.findings
    assert len(f) >= 1 and (f["column"] == "cost_n").any()
    row = f[f["column"] == "cost_n"].iloc[0]
    assert row["lo"] == row["hi"] == 3 and row["why"] == "totals"


def test_attack_turns_a_shown_rate_into_its_hidden_count():
    # a rate shown with its denominator while the numerator is hidden: rate x n = count
    from saz_geboortezorg.disclosure.attack import Published

    pub = Published(reports=["A"], measures={"preterm": 100.0})
    key = ("preterm", "A", "1")
    pub.see("groups", key, "denominator", "A", "test", "37")
    pub.see("groups", key, "numerator", "A", "test", "")
    pub.see("groups", key, "rate", "A", "test", repr(100 * 4 / 37))
    result = attack(pub, {})
    f = result.findings
    assert list(f["column"]) == ["numerator"]
    assert f["lo"].iloc[0] == f["hi"].iloc[0] == 4 and f["why"].iloc[0] == "rates"
    # rounded to one decimal (10.8%) the rate still pins 4 of 37: 3/37 = 8.1%, 5/37 = 13.5%
    pub.cells[("groups", key, "rate")].clear()
    pub.see("groups", key, "rate", "A", "test", "10.8")
    assert attack(pub, {}).findings["lo"].tolist() == [4.0]


@slow
def test_no_cell_hidden_in_one_report_and_shown_in_another(attacked):
    result = attacked[3]
    assert result.inconsistent.empty, result.inconsistent.head(10).to_string()


@slow
def test_no_hidden_count_from_1_to_9_is_pinned(attacked):
    result = attacked[3]
    cols = ["table", "key", "column", "true", "lo", "hi", "why"]
    assert result.findings.empty, result.findings[cols].to_string()


# --- Joint differencing of the Robson columns (issue 14, regression) -----------------------
# On the default data (60,000 births) the attack pinned four hidden Robson counts of the
# built reports while the Robson protection audited the women and the caesarean column each
# on its own: R15 group 2b women = 4 and caesareans = 4, R17 group 9 women = 3, R07 group 9
# women = 8. The attacker combines the columns with cs <= women in every cell. R15/2b, from
# the national group-2b totals alone: women(R17) >= shown cs(R17) = 14 leaves women(R15) <= 4
# in the women column; cs(R01) <= shown women(R01) = 14 leaves cs(R15) >= 4 in the caesarean
# column; and cs(R15) <= women(R15), so both are 4. The other two also use the region's
# women total (public through relative_size_pct of any shown row). suppress now audits both
# columns jointly; the test runs the same suppression call as report/protect.py on the same
# table and the same attack (it failed with the four cells above before the fix).


def test_robson_protection_survives_joint_differencing_on_default_data():
    import saz_geboortezorg as sg
    from saz_geboortezorg.derive.robson import robson_table
    from saz_geboortezorg.disclosure.attack import Published
    from saz_geboortezorg.report.protect import _robson

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = sg.load(sg.synthetic.default_dataset())
    rob = robson_table(data.women, unit="region_id").table
    rob = rob[rob["group"] != "total"].reset_index(drop=True)
    # the reports' own protection of the Robson table (without the cells forced hidden
    # by the linked benchmark table, which the reports also lack here)
    protected = _robson(rob, 10, None)
    pub = Published(reports=["all"])
    for i, r in rob.iterrows():
        for col in ("women", "cs"):
            raw = "" if protected.hidden.loc[i, col] else str(r[col])
            pub.see("robson", (r["unit"], r["group"]), col, "all", "robson", raw)
    truth = {
        "robson": pd.DataFrame(
            {
                "unit": rob["unit"].astype(str),
                "group": rob["group"].astype(str),
                "women": rob["women"].astype(float),
                "cs": rob["cs"].astype(float),
            }
        )
    }
    result = attack(pub, truth)
    assert result.errors == []
    f = result.findings
    pinned = {(k[0], k[1], c) for k, c in zip(f["key"], f["column"], strict=True)}
    # before the joint audit: {('R07', '9', 'women'), ('R15', '2b', 'cs'), ('R15', '2b', 'women'),
    # ('R17', '9', 'women')}
    assert pinned == set()
