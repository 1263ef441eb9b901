"""``--catalogue FILE`` on the commands: an indicator defined through the dashboard's
editor panel (driven without a browser) is computed by ``rates`` and ``funnel`` and
appears in a ``report``, with the reports' small-number protection. Small synthetic
data, through ``cli.main``; expected counts from pandas masks written here.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import pandas as pd
import pytest
import user_indicator

import saz_geboortezorg as sg
from saz_geboortezorg.cli import main
from saz_geboortezorg.disclosure import check_html

IND = "induction_young_nullip"
NAME_EN = "Induction, nulliparous under 35"
REGION = "R03"


def define_in_the_panel(data, path) -> None:
    """Define, check and save the indicator through the dashboard's editor panel."""
    editor = sg.indicator_editor(data, path)
    values = {
        "kind": "indicator",
        "id": IND,
        "name_en": NAME_EN,
        "name_nl": "Inductie bij nulliparae jonger dan 35",
        "level": "woman",
        "population": "parity == 0 and maternal_age < 35 and ga_days >= 259",
        "numerator": "onset == 'induced'",
        "exclusions": "gestational age unknown: missing(ga_days)",
        "better": "lower",
        "unit": "percent",
        "preview_unit": "region",
    }
    for name, value in values.items():
        editor.fields[name].value = value
    editor.buttons["check"].click()
    assert editor.result.ok, editor.result.errors
    editor.buttons["save"].click()
    assert path.exists()


def hand_counts(women: pd.DataFrame, unit: str) -> pd.DataFrame:
    return user_indicator.hand_counts(women, unit, under=35)


def run(argv):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        status = main(argv)
    return status, buf.getvalue()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """3,000 synthetic births with the user catalogue beside them."""
    root = tmp_path_factory.mktemp("usercat")
    sg.synthetic.generate(births=3000, seed=11).write(root / "data")
    data = sg.load(root / "data")
    path = sg.user_catalogue_path(root / "data")
    define_in_the_panel(data, path)
    return root, data, path


def test_rates_with_catalogue(small):
    root, data, path = small
    status, out = run(
        [
            "rates",
            str(root / "data"),
            "--indicator",
            IND,
            "--unit",
            "region",
            "--catalogue",
            str(path),
            "--json",
        ]
    )
    assert status == 0
    payload = json.loads(out)
    assert payload["indicator"] == IND and payload["unit"] == "percent"
    rows = pd.DataFrame(payload["rows"]).set_index("unit")
    expected = hand_counts(data.women, "region_id")
    assert rows["denominator"].to_dict() == expected["d"].to_dict()
    assert rows["numerator"].to_dict() == expected["x"].to_dict()
    status, out = run(["rates", str(root / "data"), "--indicator", IND, "--catalogue", str(path)])
    assert status == 0 and NAME_EN in out


def test_funnel_of_a_user_indicator(small):
    root, data, path = small
    argv = ["funnel", str(root / "data"), "--indicator", IND, "--unit", "region"]
    status, out = run([*argv, "--catalogue", str(path), "--json"])
    assert status == 0
    result = json.loads(out)
    assert result["data_type"] == "PR" and result["multiplier"] == 100
    units = pd.DataFrame(result["units"]).set_index("group")
    expected = hand_counts(data.women, "region_id")
    expected = expected[expected["d"] > 0]
    assert units["numerator"].to_dict() == expected["x"].to_dict()
    assert units["denominator"].to_dict() == expected["d"].to_dict()


def test_the_indicators_command_lists_the_user_catalogue(small):
    _, _, path = small
    status, out = run(["indicators", "--catalogue", str(path), "--json"])
    records = json.loads(out)
    assert status == 0 and records[-1]["id"] == IND and records[0]["id"] == "cs"


def test_catalogue_errors_exit_2(small, tmp_path, capsys):
    root, _, path = small
    data = str(root / "data")
    assert main(["rates", data, "--indicator", IND]) == 2  # not without the file
    assert "unknown indicator 'induction_young_nullip'" in capsys.readouterr().err
    assert main(["rates", data, "--indicator", IND, "--catalogue", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err
    assert "--catalogue" in err and "x.yaml: no such file" in err
    shadow = tmp_path / "mijn_indicatoren.yaml"
    text = path.read_text(encoding="utf-8").replace(f"id: {IND}", "id: pph")
    shadow.write_text(text, encoding="utf-8")
    argv = [
        "report",
        data,
        "--region",
        REGION,
        "--out",
        str(tmp_path / "r"),
        "--catalogue",
        str(shadow),
    ]
    assert main(argv) == 2
    assert "shipped indicator's id" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
    assert main(["funnel", data, "--indicator", IND, "--unit", "region", "--numerator", "x"]) == 2
    assert "leave out --numerator" in capsys.readouterr().err
    assert (
        main(
            [
                "funnel",
                data,
                "--numerator",
                "x",
                "--denominator",
                "y",
                "--unit",
                "u",
                "--catalogue",
                str(path),
            ]
        )
        == 2
    )
    assert "--catalogue goes with --indicator" in capsys.readouterr().err


def html_table_after(html: str, marker: str) -> pd.DataFrame:
    """The first HTML table after ``marker``, as text cells (stdlib only)."""
    part = html[html.index(marker) :]
    table = part[part.index("<table") : part.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    cells = [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]
    return pd.DataFrame(cells[1:], columns=cells[0])


def number(text: str) -> float | None:
    """A shown count, or None when hidden (· or x)."""
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        assert text in ("·", "x", "<10", ""), text
        return None


@pytest.fixture(scope="module")
def report(small):
    root, data, path = small
    out = root / "reports"
    status, text = run(
        [
            "report",
            str(root / "data"),
            "--region",
            REGION,
            "--out",
            str(out),
            "--catalogue",
            str(path),
            "--json",
        ]
    )
    assert status == 0
    return out, json.loads(text)


def test_the_user_indicator_is_in_the_report_and_protected(small, report):
    root, data, path = small
    out, summary = report
    html = (out / f"{REGION}.html").read_text(encoding="utf-8")
    assert NAME_EN in html and "User-defined indicators" in html
    assert "parity == 0 and maternal_age &lt; 35" in html
    assert check_html(html, 10) == []  # the disclosure verifier finds nothing
    # this region's row of the position table: as counted by hand, or hidden
    position = html_table_after(html, f"{REGION} on every indicator")
    row = position[position.iloc[:, 0] == IND]
    assert len(row) == 1 and row.iloc[0, 1] == NAME_EN
    row = row.iloc[0]
    n_col = next(c for c in position.columns if c.strip().lower() == "n")
    observed_col = next(c for c in position.columns if c.strip().lower().startswith("observed"))
    n, observed = number(row[n_col]), number(row[observed_col])
    d, x = (int(v) for v in hand_counts(data.women, "region_id").loc[REGION, ["d", "x"]])
    small_cell = 1 <= d <= 9 or 1 <= x <= 9 or 1 <= d - x <= 9
    if small_cell:
        assert observed is None
    if n is not None:
        assert n == d and not 1 <= d <= 9
    if observed is not None:
        assert observed == x and not small_cell
    assert n is not None or observed is None
    # every region's value of the user indicator in the open benchmark table: the rate
    # counted by hand where shown, and shown for some regions
    wide = html_table_after(html, "The open benchmark table")
    values = wide[wide.iloc[:, 0] == IND].iloc[0].iloc[1:]
    counts = hand_counts(data.women, "region_id")
    shown = {u: number(v) for u, v in values.items() if number(v) is not None}
    assert len(shown) >= 3
    for unit, value in shown.items():
        d, x = counts.loc[unit, "d"], counts.loc[unit, "x"]
        assert value == pytest.approx(100 * x / d, abs=0.006)
        assert not (1 <= d <= 9 or 1 <= x <= 9 or 1 <= d - x <= 9)
