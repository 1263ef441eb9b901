"""``casemix`` and ``rates`` on one flat CSV whose unit column is literally ``hospital``.

Issue 16.4: ``--unit hospital`` used to ask for ``hospital_id`` only. The figures are
checked against the same analysis on the loaded dataset (whose column is
``hospital_id``) and, for rates, against counts made here with pandas.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from saz_geboortezorg.cli import main

COLUMNS = [
    "hospital_id",
    "cs",
    "age_band",
    "parity_group",
    "prev_cs",
    "n_babies",
    "presentation",
    "ga_days",
    "bmi_band",
    "migration",
    "bmi",
]


@pytest.fixture(scope="module")
def flat_files(dataset, tmp_path_factory):
    """The women of the session dataset as a plain CSV and as a Dutch Excel export."""
    folder = tmp_path_factory.mktemp("flat")
    frame = dataset.women[COLUMNS].rename(columns={"hospital_id": "hospital"})
    plain, dutch = folder / "births.csv", folder / "births_nl.csv"
    frame.to_csv(plain, index=False)
    frame.to_csv(dutch, index=False, sep=";", decimal=",", encoding="cp1252")
    return plain, dutch


def _json(argv, capsys):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("which", [0, 1], ids=["comma", "dutch_export"])
def test_casemix_uses_a_literal_hospital_column(flat_files, dataset, which, capsys):
    import saz_geboortezorg as sg

    got = _json(
        ["casemix", str(flat_files[which]), "--spec", "caesarean", "--unit", "hospital", "--json"],
        capsys,
    )
    want = sg.casemix(dataset.women[COLUMNS], "caesarean", unit="hospital").to_dict()
    assert got["unit_type"] == "hospital"
    assert got["n"] == want["n"]
    hospitals = sorted(dataset.women["hospital_id"].dropna().unique())
    units = {row["unit"]: row for row in got["units"]}
    assert sorted(units) == hospitals
    for row in want["units"]:
        mine = units[row["unit"]]
        assert mine["n"] == row["n"] and mine["observed"] == row["observed"]
        assert mine["expected"] == pytest.approx(row["expected"], rel=1e-9)


def test_rates_uses_a_literal_hospital_column(flat_files, dataset, capsys):
    got = _json(
        ["rates", str(flat_files[1]), "--indicator", "cs", "--unit", "hospital", "--json"],
        capsys,
    )
    w = dataset.women
    # the catalogue's cs: population ga_days >= 154, excluding unknown ga_days or mode
    counted = w[w["ga_days"].notna() & w["cs"].notna() & (w["ga_days"] >= 154)]
    want = counted.groupby("hospital_id")["cs"].agg(["size", "sum"])
    rows = {row["unit"]: row for row in got["rows"]}
    assert sorted(rows) == sorted(want.index)
    for unit, (n, events) in want.iterrows():
        assert rows[unit]["denominator"] == n and rows[unit]["numerator"] == events


def test_a_table_without_any_hospital_column_says_so(tmp_path, capsys):
    path = tmp_path / "t.csv"
    pd.DataFrame({"ziekenhuis": ["A", "B"], "cs": [1, 0], "ga_days": [280, 280]}).to_csv(
        path, index=False
    )
    assert main(["rates", str(path), "--indicator", "cs", "--unit", "hospital"]) != 0
    assert "no column 'hospital_id'" in capsys.readouterr().err
