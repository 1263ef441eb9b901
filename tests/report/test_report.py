"""Reports on small synthetic data built to contain small cells: every section, offline, and
no disclosive value in any exported table, any chart or any vega-lite dataset in the HTML."""

import json
import re

import pandas as pd
import pytest

from saz_geboortezorg.cli import main
from saz_geboortezorg.disclosure import check_chart, check_html, check_table
from saz_geboortezorg.disclosure.check import embedded_specs
from saz_geboortezorg.report import SECTIONS

REGION = "R03"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import saz_geboortezorg as sg

    root = tmp_path_factory.mktemp("report")
    sg.synthetic.generate(births=3000, seed=11).write(root / "data")
    out = root / "reports"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        status = main(
            [
                "report",
                str(root / "data"),
                "--region",
                REGION,
                "--out",
                str(out),
                "--exports",
                "--json",
            ]
        )
    assert status == 0
    return root, out, json.loads(buf.getvalue())


def test_small_cells_exist_and_were_suppressed(built):
    _, _, summary = built
    text = " ".join(summary["suppressed"])
    assert "small count" in text and "to protect small counts" in text
    assert summary["threshold"] == 10


def test_html_has_every_section_and_no_network(built):
    _, out, _ = built
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f">{section}</h2>" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?:", html)
    assert html.count("window.vegaEmbed=") == 1  # the bundle once, not once per chart
    assert "What was hidden and why" in html


def test_every_vega_lite_dataset_in_the_html_passes(built):
    _, out, _ = built
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    specs = embedded_specs(html)
    assert len(specs) >= 15
    assert check_html(html) == []
    # the funnel plots contain per-unit rows, and the check really looked at them
    assert any("datasets" in s for s in specs)


def test_every_exported_table_and_chart_passes(built):
    _, out, summary = built
    folder = out / REGION
    csvs = sorted((folder / "tables").glob("*.csv"))
    assert len(csvs) == summary["reports"][0]["exports"]["csv"] >= 6
    for csv in csvs:
        table = pd.read_csv(csv)
        assert check_table(table, where=csv.name) == [], csv.name
        assert "pregnancy_id" not in table.columns
        xlsx = pd.read_excel(csv.with_suffix(".xlsx"))
        assert xlsx.shape == table.shape
    svgs = sorted((folder / "charts").glob("*.svg"))
    assert len(svgs) == len(list((folder / "charts").glob("*.png"))) >= 15
    assert all(p.stat().st_size > 1000 for p in svgs)


def test_robson_rows_hidden_consistently(built):
    _, out, _ = built
    robson = pd.read_csv(out / REGION / "tables" / "robson.csv")
    hidden_cs = robson["cs"].isna()
    assert robson.loc[hidden_cs, "cs_rate_pct"].isna().all()
    assert ((robson["women"] >= 10) | robson["women"].isna() | (robson["women"] == 0)).all()


def test_user_errors_exit_2(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope"), "--region", "R01"]) == 2
    assert main(["report", str(tmp_path), "--all-regions", "--threshold", "1"]) == 2
    err = capsys.readouterr().err
    assert "not a folder" in err and "threshold" in err


def test_unknown_region_exit_2(built, capsys):
    root, out, _ = built
    assert main(["report", str(root / "data"), "--region", "R99", "--out", str(out)]) == 2
    assert "unknown region" in capsys.readouterr().err


def test_report_check_on_a_chart_with_small_counts_fails():
    # sanity: the verifier used above does catch a small count in chart data
    assert check_chart({"datasets": {"d": [{"unit": "A", "observed": 4}]}})


@pytest.mark.skipif(
    not __import__("pathlib").Path("/usr/bin/chromium").exists(), reason="no chromium"
)
def test_report_renders_offline_in_headless_chromium(built):
    """Every chart draws with all network requests blocked (about 5 s)."""
    from playwright.sync_api import sync_playwright

    _, out, _ = built
    path = out / f"{REGION}.html"
    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    requests.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_function(
                "document.querySelectorAll('.chart svg').length >= "
                "document.querySelectorAll('script[data-vega-lite]').length",
                timeout=30000,
            )
            failed = page.evaluate(
                "[...document.querySelectorAll('.chart')]"
                ".filter(d => d.textContent.includes('chart failed')).length"
            )
            marks = page.evaluate(
                "document.querySelectorAll('.chart svg path, .chart svg text').length"
            )
        finally:
            browser.close()
    assert requests == [] and errors == [] and failed == 0
    assert marks > 500


def test_open_benchmark_heat_table_frames_this_region(built):
    _, out, _ = built
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    heat = [
        s
        for s in embedded_specs(html)
        if "open benchmark" in json.dumps(s.get("title", "")).lower() and "facet" in s
    ]
    assert len(heat) == 1
    text = json.dumps({k: v for k, v in heat[0].items() if k != "datasets"})
    assert f"datum.unit == '{REGION}'" in text
    assert "datum.is_highlight" not in text  # every template reference was re-pointed


def test_command_options_are_the_public_contract():
    from saz_geboortezorg.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["report", "DATA", "--region", "R01", "--out", "x/"])
    assert (args.region, str(args.out), args.threshold, args.exports, args.json) == (
        ["R01"],
        "x",
        10,
        False,
        False,
    )
    args = parser.parse_args(
        ["report", "DATA", "--all-regions", "--threshold", "5", "--exports", "--json"]
    )
    assert args.all_regions and args.threshold == 5 and args.exports and args.json
    with pytest.raises(SystemExit):  # one of --region / --all-regions is required
        parser.parse_args(["report", "DATA"])


def test_trend_charts_say_crude_and_the_family_false_alarm_rate(built):
    """Each p-chart says it is crude and, unless one of the region's quarterly counts is
    hidden (issue 14: the rate uses them), how often it signals in control; the text gives
    the family rate, 1 - prod(1 - a), recomputed here from the charts' rates."""
    import math

    _, out, _ = built
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    specs = [s for s in embedded_specs(html) if isinstance(s.get("title"), dict)]
    specs = [s for s in specs if "p-chart" in s["title"]["text"]]
    assert len(specs) == 4
    assert all("crude rates, not case-mix adjusted" in s["title"]["subtitle"] for s in specs)
    rates = []
    for s in specs:
        rows = [r for v in s.get("datasets", {}).values() for r in v if r.get("unit") == REGION]
        has_centre = any(r.get("centre") is not None for r in rows)
        found = re.search(
            r"false-alarm rate of this chart in control (\d+)%", s["title"]["subtitle"]
        )
        assert (found is not None) == has_centre  # no centre line: no rate either
        if found:
            rates.append(int(found.group(1)) / 100)
    family = re.search(
        r"charts with a rate shown give at least one false alarm with a "
        r"probability of (\d+)%",
        html,
    )
    assert (family is not None) == bool(rates)
    if rates:
        expected = 1 - math.prod(1 - a for a in rates)
        assert abs(int(family.group(1)) / 100 - expected) <= 0.03  # the rates shown are rounded
    together = re.search(r"the \d+ such charts of all regions together \d+%", html)
    assert (together is not None) != ("false-alarm rate is shown, because every chart has" in html)
    assert "crude: not case-mix adjusted" in html


def test_value_section_states_the_cut_and_uncertain(built):
    _, out, _ = built
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    assert "quadrant lines at the medians of the regions" in html
    assert "placed in no quadrant" in html


def test_report_names_the_verdict_and_alert_levels(built):
    _, out, _ = built
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    assert "is given outside the 99.8% limits; outside only the 95% limits a unit gets an " in html
    assert "false verdicts and" in html and "judged cells" in html
    assert "Verdict (better, worse, different) outside the 99.8% limits" in html
    heat = [s for s in embedded_specs(html) if "facet" in s]
    subtitle = json.dumps(heat[0]["title"]["subtitle"])
    assert "verdict outside 99.8% limits, alert at 95%" in subtitle


def test_report_says_who_outcomes_are_counted_against(built):
    """The methods name both attribution rules; a region with a NICU centre is told, once,
    that its in-utero transfers count at the booking hospital for population outcomes."""
    root, out, _ = built
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    assert "Who an outcome is counted against (attribution)" in html
    assert "counted against the unit where care started (booking, intention to treat)" in html
    assert "counted against the unit responsible at birth" in html
    truth = json.loads((root / "data" / "truth.json").read_text(encoding="utf-8"))
    nicu_regions = {f["region_id"] for f in truth["hospital_features"].values() if f["nicu"]}
    said = "has a NICU centre, which receives in-utero transfers"
    assert (html.count(f"{REGION} {said}") == 1) == (REGION in nicu_regions)
    # and a region with a NICU centre (the truth says which) gets the note
    # (R11 of the two: on this small dataset R08's report is refused by the verifier, a
    # false alarm on a standardised rate times n that predates issue 12; see issue 14)
    nicu_region = sorted(nicu_regions - {REGION})[-1]
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["report", str(root / "data"), "--region", nicu_region, "--out", str(out)]) == 0
    other = (out / f"{nicu_region}.html").read_text(encoding="utf-8")
    assert other.count(f"{nicu_region} {said}") == 1
