"""The indicators and rates commands."""

from __future__ import annotations

import json

import pandas as pd

from saz_geboortezorg.cli import main


def test_indicators_lists_the_catalogue(capsys):
    assert main(["indicators", "--domain", "child"]) == 0
    out = capsys.readouterr().out
    assert "perinatal_mortality" in out and "Perinatale sterfte" in out
    assert "cs_robson_1" not in out  # process, not child


def test_indicators_full_and_json(capsys):
    assert main(["indicators", "--full"]) == 0
    assert "numerator: blood_loss >= 1000" in capsys.readouterr().out
    assert main(["indicators", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in records} >= {"cs", "oasis", "cost_per_pregnancy"}


def test_rates_on_a_folder_of_extracts(synthetic_dir, dataset, capsys):
    assert (
        main(["rates", str(synthetic_dir), "--indicator", "pph", "--by", "region", "--json"]) == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["indicator"] == "pph" and payload["unit"] == "percent"
    rows = pd.DataFrame(payload["rows"])
    assert rows["unit"].is_unique and rows["unit"].str.startswith("R").all()
    n_women = len(dataset.women)
    # every record once: denominator, outside the population, or one exclusion reason
    reasons = [c for c in rows.columns if c.startswith("excluded: ")]
    assert reasons == [
        "excluded: gestational age unknown",
        "excluded: blood loss not registered",
        "excluded: population unknown (missing data)",
        "excluded: outcome unknown (missing data)",
    ]
    excluded = rows[reasons].to_numpy().sum()
    assert rows["denominator"].sum() + rows["outside_population"].sum() + excluded == n_women
    missing_ga = int(dataset.women["ga_days"].isna().sum())
    assert rows["excluded: gestational age unknown"].sum() == missing_ga > 0
    assert rows["excluded: blood loss not registered"].sum() == int(
        (dataset.women["blood_loss"].isna() & dataset.women["ga_days"].notna()).sum()
    )
    assert main(["rates", str(synthetic_dir), "--indicator", "pph"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Postpartum haemorrhage") and "ZH01" in out


def test_rates_on_one_analysis_table(tmp_path, capsys):
    path = tmp_path / "women.csv"
    pd.DataFrame(
        {
            "hospital_id": ["A", "A", "B"],
            "ga_days": [280, 270, 290],
            "mode": ["vacuum", "spontaneous", "forceps"],
        }
    ).to_csv(path, index=False)
    assert main(["rates", str(path), "--indicator", "instrumental", "--json"]) == 0
    rows = {r["unit"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["A"]["numerator"] == 1 and rows["A"]["rate"] == 50.0
    assert rows["B"]["rate"] == 100.0


def test_rates_errors_exit_2_without_traceback(tmp_path, capsys):
    assert main(["rates", str(tmp_path), "--indicator", "oasiss"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean oasis?" in err and "Traceback" not in err
    assert main(["rates", str(tmp_path / "nope.csv"), "--indicator", "oasis"]) == 2
    assert "no such file" in capsys.readouterr().err
    table = tmp_path / "t.csv"
    pd.DataFrame({"hospital_id": ["A"], "ga_days": [280]}).to_csv(table, index=False)
    assert main(["rates", str(table), "--indicator", "oasis"]) == 2
    assert "mode" in capsys.readouterr().err  # the missing column is named
