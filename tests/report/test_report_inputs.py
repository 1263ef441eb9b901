"""Inputs that reach file paths and pages: unsafe ids stop with status 2 and write nothing;
reports appear in --out only when every region succeeded; JSON in pages cannot break out."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from saz_geboortezorg.cli import main

BAD_IDS = {
    "parent": "../escaped_R04",
    "absolute": "/tmp/saz_i14_escaped/R04",
    "slash": "R0/4",
    "markup": "R04<!--<script>",
    "backslash": "R04\\",
    "reserved": "all",
    "reserved_upper": "ALL",
    "space": "R 04",
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    import saz_geboortezorg as sg

    root = tmp_path_factory.mktemp("inputs")
    sg.synthetic.generate(births=3000, seed=5).write(root / "data")
    return root / "data"


def _copy_with_region(clean, dest, new_id):
    """The extracts with region R04 renamed to ``new_id`` in organisaties.csv."""
    dest.mkdir(parents=True)
    for f in clean.iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    path = dest / "organisaties.csv"
    orgs = pd.read_csv(path, dtype=str, keep_default_na=False)
    hit = orgs["regio_id"] == "R04"
    assert hit.any()
    orgs.loc[hit, "regio_id"] = new_id
    orgs.to_csv(path, index=False)
    return dest, int(hit.sum())


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("case", sorted(BAD_IDS))
def test_unsafe_region_id_exits_2_and_writes_nothing(clean, tmp_path, capsys, case):
    bad = BAD_IDS[case]
    data, n_rows = _copy_with_region(clean, tmp_path / "data", bad)
    work = tmp_path / "work"
    work.mkdir()
    out = work / "reports"
    before = _files(tmp_path)
    status = main(["report", str(data), "--all-regions", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert not out.exists()
    assert _files(tmp_path) == before  # nothing beside --out either (no staging left)
    assert not (tmp_path / "escaped_R04.html").exists()
    assert not any(p.name.startswith("escaped") for p in tmp_path.parent.iterdir())
    assert "Traceback" not in err
    assert "organisaties.csv" in err and "regio_id" in err
    assert "reserved word" in err if case.startswith("reserved") else "unsafe id" in err
    assert f"{n_rows} row" in err


def test_absolute_id_writes_nowhere(clean, tmp_path):
    from pathlib import Path

    target = Path(BAD_IDS["absolute"]).parent
    data, _ = _copy_with_region(clean, tmp_path / "data", BAD_IDS["absolute"])
    assert main(["report", str(data), "--all-regions", "--out", str(tmp_path / "o")]) == 2
    assert not target.exists()


def test_unsafe_region_on_the_command_line_exits_2(clean, tmp_path, capsys):
    out = tmp_path / "reports"
    status = main(["report", str(clean), "--region", "../R04", "--out", str(out)])
    assert status == 2
    assert not out.exists() and _files(tmp_path) == []
    assert "Traceback" not in capsys.readouterr().err


def test_output_name_refuses_unsafe_ids(tmp_path):
    from saz_geboortezorg.errors import SpecError
    from saz_geboortezorg.report.build import output_name

    assert output_name("R04", tmp_path) == tmp_path / "R04.html"
    for bad in BAD_IDS.values():
        if bad.lower() == "all":
            continue  # a safe file name; refused on load as a reserved word
        with pytest.raises(SpecError):
            output_name(bad, tmp_path)


def test_reports_appear_only_when_every_region_succeeded(clean, tmp_path, monkeypatch):
    """A failure in the second region leaves --out exactly as it was; a success fills it."""
    import saz_geboortezorg as sg
    from saz_geboortezorg.report import build

    data = sg.load(clean)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "keep.txt").write_text("earlier", encoding="utf-8")
    real = build.region_report
    calls = []

    def failing(shared, analysis, unit, *rest):
        calls.append(unit)
        if len(calls) == 2:
            raise RuntimeError("simulated failure in the second region")
        return real(shared, analysis, unit, *rest)

    monkeypatch.setattr(build, "region_report", failing)
    with pytest.raises(RuntimeError):
        build.build_reports(data, ["R01", "R02"], out)
    assert _files(tmp_path) == ["reports", "reports/keep.txt"]

    monkeypatch.setattr(build, "region_report", real)
    summary = build.build_reports(data, ["R01", "R02"], out)
    assert _files(tmp_path) == [
        "reports",
        "reports/R01.html",
        "reports/R02.html",
        "reports/keep.txt",
    ]
    assert [r["html"] for r in summary["reports"]] == [str(out / "R01.html"), str(out / "R02.html")]


def test_script_json_escapes_by_hand():
    from saz_geboortezorg.report.html import Page, script_json

    value = "R04<!--<script></script>&\u2028\u2029\\"
    text = script_json({"unit": value})
    for ch in ("<", ">", "&", "\u2028", "\u2029"):
        assert ch not in text
    assert text == (
        '{"unit": "R04\\u003c!--\\u003cscript\\u003e\\u003c/script\\u003e'
        '\\u0026\\u2028\\u2029\\\\"}'
    )
    assert json.loads(text) == {"unit": value}
    page = Page("t")
    page.chart({"title": value})
    html = page.render(javascript="")
    body = html.split('data-target="chart-1">', 1)[1]
    assert body.index("</script>") == body.index("}") + 1  # the element closes after the JSON
    assert "<!--" not in html
