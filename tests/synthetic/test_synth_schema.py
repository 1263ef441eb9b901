"""Every synthetic source conforms to schema/extracts.yaml (independent checker)."""

from __future__ import annotations

import pandas as pd
import pytest
from synth_checker import check_folder, check_source, integer_like, load_schema


def test_csv_extracts_conform_to_the_schema(small_csv):
    problems = check_folder(small_csv)
    assert problems == [], "\n".join(problems)


def test_csv_other_sizes_conform(tmp_path):
    from saz_geboortezorg.synthetic import generate

    generate(births=1_500, seed=99, years=(2020, 2020), hospitals=3, practices=4).write(tmp_path)
    problems = check_folder(tmp_path)
    assert problems == [], "\n".join(problems)


def test_checker_catches_problems(small_csv, tmp_path):
    """The checker is honest: it reports a broken code, an empty key and a bad date."""
    sources, codes = load_schema()
    text = pd.read_csv(
        small_csv / "perined_lvr2.csv", dtype=str, keep_default_na=False, na_values=[""]
    )
    text.loc[0, "type_partus"] = "12345"
    text.loc[1, "zwangerschap_id"] = None
    text.loc[2, "datum_baring"] = "03-04-2022"
    text.loc[3, "apgar_5"] = "11"
    problems, _ = check_source("perined_lvr2", text, sources, codes)
    joined = "\n".join(problems)
    for fragment in ("type_partus", "zwangerschap_id", "datum_baring", "apgar_5"):
        assert fragment in joined


@pytest.mark.parametrize(
    "source", ["organisaties", "perined_lvr1", "perined_lvr2", "dbc_declaraties"]
)
def test_frames_have_declared_columns_in_order_and_types(small, source):
    sources, _ = load_schema()
    frame = small.frames()[source]
    assert list(frame.columns) == list(sources[source]["columns"])
    for col, spec in sources[source]["columns"].items():
        s = frame[col]
        if spec["type"] in ("integer", "flag"):
            assert integer_like(s), col
        elif spec["type"] == "float":
            assert pd.api.types.is_float_dtype(s), col
        elif spec["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(s), col
        else:
            assert pd.api.types.is_string_dtype(s), col


def test_parquet_round_trip_keeps_types(small, tmp_path):
    small.write(tmp_path, format="parquet")
    l1 = pd.read_parquet(tmp_path / "perined_lvr1.parquet")
    assert pd.api.types.is_integer_dtype(l1["eindverantwoordelijke_baring"])
    assert l1["eindverantwoordelijke_baring"].isna().any()
    assert pd.api.types.is_datetime64_any_dtype(l1["datum_eerste_consult"])
