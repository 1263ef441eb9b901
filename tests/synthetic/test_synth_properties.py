"""Property test: any valid size, period and organisation count gives conforming extracts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synth_checker import check_folder

from saz_geboortezorg.synthetic import generate


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    births=st.integers(1, 1_500),
    seed=st.integers(0, 2**31),
    first=st.integers(2015, 2024),
    span=st.integers(0, 3),
    hospitals=st.integers(1, 20),
    extra=st.integers(0, 40),
)
def test_any_valid_arguments_give_conforming_extracts(
    tmp_path_factory, births, seed, first, span, hospitals, extra
):
    years = (first, first + span)
    data = generate(
        births=births, seed=seed, years=years, hospitals=hospitals, practices=hospitals + extra
    )
    out = tmp_path_factory.mktemp("prop")
    data.write(out)
    problems = check_folder(out)
    assert problems == [], problems
    n = data.perined_lvr2["zwangerschap_id"].nunique() + int(
        (data.perined_lvr1["eindverantwoordelijke_baring"] == 1).sum()
    )
    assert n == births
