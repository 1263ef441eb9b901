"""Integration: the synthetic generator's extracts load, validate and link."""

from __future__ import annotations

import pytest

synthetic = pytest.importorskip("saz_geboortezorg.synthetic")


@pytest.fixture(scope="module")
def generated():
    return synthetic.generate(births=5_000, seed=3, progress=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_synthetic_extracts_load_and_link(generated, tmp_path, fmt):
    from saz_geboortezorg.io import load

    generated.write(tmp_path, format=fmt)
    data = load(tmp_path, salt="s")  # raises if any extract does not validate
    summary = data.linkage_summary()
    assert summary["reconciles"].all()
    assert set(summary["source"]) == {"perined_lvr1", "perined_lvr2", "dbc_declaraties"}

    lvr1, lvr2 = generated.perined_lvr1, generated.perined_lvr2
    first_line = (lvr1["eindverantwoordelijke_baring"] == 1) & ~lvr1["zwangerschap_id"].isin(
        lvr2["zwangerschap_id"]
    )
    assert len(data.births) == len(lvr2) + int(first_line.sum())
    assert data.women["pregnancy_id"].nunique() == 5_000
    assert len(data.excluded) == int(summary["excluded"].sum())
    assert data.women["cost_total"].gt(0).mean() > 0.9
    flagged = data.completeness()
    assert {"unit", "share", "flagged"} <= set(flagged.columns)
