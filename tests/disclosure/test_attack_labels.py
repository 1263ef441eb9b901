"""Attack suite (issue 14): the benchmark's verdict labels published in the reports.

The benchmark judges every unit on the funnel of all units, with a Benjamini-Hochberg
family of all cells, so its flags, p-values, q-values, verdicts and alerts depend on hidden
counts through phi, tau², the target and the family. An attacker who holds every report
redraws the hidden counts (keeping each indicator's known total) and keeps the draws that
reproduce the published labels. The reports therefore judge the shown cells again on the
funnels refitted on the shown units (:func:`saz_geboortezorg.report.build.judge_shown`):
then no redraw changes a published label, while the all-unit labels do change.

The data are the 3,000-birth synthetic set of the statistics attack (regions of a few dozen
births, so most indicators hide several regional counts).
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.verdicts import funnel_judgement, judge
from saz_geboortezorg.present.benchmark_chart import TEXT
from saz_geboortezorg.report.build import (
    _label_columns,
    _refit_shown,
    base_specs,
    region_report,
    shown_only,
)
from saz_geboortezorg.report.protect import protect

VERDICTS = ("better", "worse", "different")


@pytest.fixture(scope="module")
def analysis(small_analysis):
    return small_analysis


@pytest.fixture(scope="module")
def protected(analysis):
    return protect(analysis, threshold=10)


@pytest.fixture(scope="module")
def published(protected):
    return shown_only(protected)


def _hidden_counts(analysis, shared, ind):
    """{unit: true count} for the units whose count of ``ind`` is hidden (1-9 only)."""
    b, h = shared.benchmark, shared.hidden["benchmark"]
    rows = (b["indicator"] == ind).to_numpy() & h["observed"].to_numpy()
    full = analysis.benchmark.table
    full = full[full["indicator"] == ind].set_index("unit")["observed"]
    out = {str(u): int(full.loc[u]) for u in b.loc[rows, "unit"]}
    return {u: c for u, c in out.items() if 1 <= c <= 9}


def _redraw(true, rng, steps=30):
    """Other hidden counts of 1-9 with the same total: a random walk moving one event at a
    time from one hidden unit to another."""
    new = dict(true)
    units = list(new)
    if len(units) < 2:
        return new
    for _ in range(steps):
        a, b = rng.choice(units, size=2, replace=False)
        if new[a] > 1 and new[b] < 9:
            new[a] -= 1
            new[b] += 1
    assert sum(new.values()) == sum(true.values())
    return new


def _with_counts(result, true, new):
    """The all-unit funnel refitted with the hidden counts replaced (numerator scaled per
    unit: the attacker is granted each unit's expected count, only the count unknown)."""
    t = result.table.copy()
    for unit in true:
        i = t.index[t["group"].astype(str) == unit]
        t.loc[i, "numerator"] = t.loc[i, "numerator"] * new[unit] / true[unit]
    return _refit_shown(dataclasses.replace(result, table=t))


def _all_unit_labels(bench, funnels):
    """The benchmark table labelled on the given all-unit funnels with the benchmark's rules
    (what a report published before the labels were judged on the shown units)."""
    t = bench.table.copy()
    frames, where = [], []
    for ind in pd.unique(t["indicator"]):
        rows = np.flatnonzero((t["indicator"] == ind).to_numpy())
        part = t.iloc[rows]
        frame = funnel_judgement(
            funnels.get(ind),
            part["unit"].astype(str).tolist(),
            part["expected_events"].to_numpy(dtype=float),
            levels=bench.limits,
            min_expected=bench.min_expected,
        )
        frames.append(frame.assign(better=part["better"].to_numpy()))
        where.append(rows)
    for rows, frame in zip(
        where,
        judge(
            frames,
            verdict_level=bench.verdict_level,
            alert_level=bench.alert_level,
            fdr=bench.fdr,
        ),
        strict=True,
    ):
        for col in _label_columns(t):
            t.iloc[rows, t.columns.get_loc(col)] = frame[col].to_numpy()
    return t


def _attacked(analysis, published, rng):
    """The analysis with every indicator's hidden counts redrawn, labelled on all units."""
    bench = analysis.benchmark
    funnels, changed = dict(bench.funnels), 0
    for ind, full in bench.funnels.items():
        true = _hidden_counts(analysis, published, ind)
        new = _redraw(true, rng)
        if new != true:
            funnels[ind] = _with_counts(full, true, new)
            changed += 1
    table = _all_unit_labels(bench, funnels)
    attacked = dataclasses.replace(bench, funnels=funnels, table=table)
    return dataclasses.replace(analysis, benchmark=attacked), changed


def _labels(shared):
    """The published label columns of every cell whose assessment is shown."""
    t = shared.benchmark
    shown = ~shared.hidden["benchmark"]["assessment"].to_numpy(dtype=bool)
    return t.loc[shown, ["indicator", "unit", *_label_columns(t)]].reset_index(drop=True)


def _differ(a, b, col):
    if col.startswith("p_") or col == "q_value":
        x, y = a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float)
        return ~((x == y) | (np.isnan(x) & np.isnan(y)))
    return a[col].astype(str).to_numpy() != b[col].astype(str).to_numpy()


def test_all_unit_judging_reproduces_the_benchmark(analysis):
    """The attack's model of the old labels is the benchmark itself (same funnels, same
    labels), so a change in them under a redraw is a change the old reports showed."""
    bench = analysis.benchmark
    again = _all_unit_labels(bench, bench.funnels)
    cols = _label_columns(bench.table)
    assert {"flag95", "flag998", "assessment", "alert", "q_value"} <= set(cols)
    pd.testing.assert_frame_equal(again[cols], bench.table[cols], check_dtype=False)


def test_published_labels_do_not_depend_on_hidden_counts(analysis, protected, published):
    """Every redraw of the hidden counts leaves every published label unchanged, while the
    labels judged on all units (the old reports) change."""
    rng = np.random.default_rng(14)
    before_new = _labels(published)
    before_old = _labels(protected)
    old_changes = {}
    redrawn = 0
    for _ in range(4):
        attacked, changed = _attacked(analysis, published, rng)
        redrawn += changed
        old = protect(attacked, threshold=10)
        new = shown_only(old)
        after_new, after_old = _labels(new), _labels(old)
        pd.testing.assert_frame_equal(
            after_new[["indicator", "unit"]], before_new[["indicator", "unit"]]
        )
        for col in _label_columns(published.benchmark):
            diff = _differ(before_new, after_new, col)
            assert not diff.any(), (
                col,
                before_new.loc[diff, ["indicator", "unit"]].values.tolist(),
            )
            old_changes[col] = old_changes.get(col, 0) + int(
                _differ(before_old, after_old, col).sum()
            )
        # the text and the heat chart count the family: the same too
        assert new.benchmark_result.family() == published.benchmark_result.family()
    assert redrawn >= 20  # indicators with two or more hidden counts, redrawn 4 times
    # the attack is real: judged on all units, the hidden counts move the labels of shown
    # units, down to the verdicts and alerts
    assert old_changes["q_value"] > 0 and old_changes["p_value"] > 0
    assert old_changes["assessment"] + old_changes["alert"] > 0, old_changes


def _word(better, flag):
    """A flag outside the limits in words, given the indicator's better direction."""
    if better == "neither":
        return "different"
    return "better" if flag == better else "worse"


def test_published_labels_follow_the_shown_funnel(analysis, published):
    """Checked from first principles: flags are those of the refitted funnel, the volume rule
    reads expected events, a verdict needs its flag and p < 0.002, an alert its 95% flag and
    p < 0.05, and q-values are Benjamini-Hochberg over the published judged cells."""
    from statsmodels.stats.multitest import multipletests

    t = published.benchmark
    shown = ~published.hidden["benchmark"]["assessment"].to_numpy(dtype=bool)
    lab = t[shown]
    for row in lab.itertuples():
        fr = published.funnels.get(row.indicator)
        if fr is None:
            assert row.assessment == "not_assessed" and row.alert == ""
            continue
        f = fr.table.set_index("group").loc[row.unit]
        assert (row.flag95, row.flag998) == (f["flag95"], f["flag998"])
        assert row.judged == (row.expected_events >= 5)
        if not row.judged:
            assert row.assessment == "too_few" and np.isnan(row.p_value)
            continue
        assert row.p_value == max(row.p_funnel, row.p_exact)

        if row.assessment in VERDICTS:
            assert row.flag998 != "within" and row.p_value < 0.002
            assert row.assessment == _word(row.better, row.flag998)
        else:
            assert row.assessment == "within"
            assert row.flag998 == "within" or row.p_value >= 0.002
            if row.alert:
                assert row.flag95 != "within" and row.p_value < 0.05
                assert row.alert == _word(row.better, row.flag95)
            else:
                assert row.flag95 == "within" or row.p_value >= 0.05
    p = lab["p_value"].to_numpy(dtype=float)
    ok = np.isfinite(p)
    q = multipletests(p[ok], method="fdr_bh")[1]
    np.testing.assert_allclose(lab["q_value"].to_numpy(dtype=float)[ok], q, rtol=1e-12)
    # the family is the published cells: hidden cells are not in it
    assert ok.sum() < analysis.benchmark.table["p_value"].notna().sum()


def test_every_report_surface_shows_the_shown_unit_labels(analysis, protected, published):
    """A cell whose label differs between the all-unit and the shown-only judging shows the
    shown-only label in the position table, the funnel's subtitle, the heat chart and the text."""
    old, new = _labels(protected), _labels(published)
    differ = (old["assessment"] != new["assessment"]) | (old["alert"] != new["alert"])
    drawn = new["indicator"].isin(
        [k[len("funnel_") :] for k in base_specs(published) if k.startswith("funnel_")]
    )
    cells = new[differ & drawn & (new["assessment"] != "not_assessed")]
    assert len(cells), "no drawn cell whose label differs on this data"
    bases = base_specs(published)
    words = bases["benchmark"]
    for cell in cells.itertuples():
        was = old[(old["indicator"] == cell.indicator) & (old["unit"] == cell.unit)].iloc[0]
        rep = region_report(published, analysis, cell.unit, bases)
        pos = rep.tables["position"].set_index("indicator").loc[cell.indicator]
        assert (pos["assessment"], pos["alert"]) == (cell.assessment, cell.alert)
        subtitle = rep.charts[f"funnel_{cell.indicator}"]["title"]["subtitle"]
        if cell.assessment in VERDICTS:
            assert f"verdict: {cell.assessment}" in subtitle
        elif cell.alert:
            assert f"alert: {cell.alert}" in subtitle
        if was["assessment"] in VERDICTS:
            assert f"verdict: {was['assessment']}" not in subtitle
        # the heat chart's cell for this unit and indicator
        name = analysis.benchmark.table.set_index(["indicator", "unit"]).loc[
            (cell.indicator, cell.unit), "name_en"
        ]
        rows = [
            r
            for values in words["datasets"].values()
            for r in values
            if r.get("unit") == cell.unit and str(r.get("name", "")).startswith(name + " (")
        ]
        assert len(rows) == 1
        key = f"{cell.alert}_alert" if cell.alert else cell.assessment
        assert rows[0]["category"].startswith(TEXT["en"][key].split("{")[0]), rows[0]
    # the text states the family of the published labels
    f = published.benchmark_result.family()
    page = "\n".join(rep.page.parts)
    assert f"here: {f['verdicts']} verdicts, {f['alerts']} alerts; {f['too_few']} too few" in page


def test_false_discovery_rate_verdicts_use_the_shown_family(protected, published):
    """With ``fdr`` the verdict is a q-value at most the rate, the q-values being taken over
    the published cells only (independently: statsmodels' Benjamini-Hochberg)."""
    from statsmodels.stats.multitest import multipletests

    from saz_geboortezorg.report.build import judge_shown

    result = dataclasses.replace(published.benchmark_result, fdr=0.2)
    t = judge_shown(protected.benchmark, protected.hidden["benchmark"], published.funnels, result)
    shown = ~protected.hidden["benchmark"]["assessment"].to_numpy(dtype=bool)
    lab = t[shown]
    p = lab["p_value"].to_numpy(dtype=float)
    ok = np.isfinite(p)
    reject = np.zeros(len(lab), dtype=bool)
    reject[ok] = multipletests(p[ok], alpha=0.2, method="fdr_bh")[0]
    assert reject.any()
    np.testing.assert_array_equal(lab["assessment"].isin(VERDICTS).to_numpy(), reject)
    # the same p-values as without fdr: only the rule changed
    np.testing.assert_array_equal(p, published.benchmark.loc[shown, "p_value"].to_numpy(float))
