"""Fixtures of the synthetic-data tests: datasets generated once per session."""

from __future__ import annotations

import pytest

#: Size for truth recovery and rate checks (precision needs tens of thousands).
LARGE = 60_000
LARGE_SEED = 2024


@pytest.fixture(scope="session")
def large():
    from saz_geboortezorg.synthetic import generate

    return generate(births=LARGE, seed=LARGE_SEED)


@pytest.fixture(scope="session")
def small():
    from saz_geboortezorg.synthetic import generate

    return generate(births=4_000, seed=5)


@pytest.fixture(scope="session")
def small_csv(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_csv")
    small.write(out, format="csv")
    return out


@pytest.fixture(scope="session")
def women(large):
    """One row per pregnancy with a birth (first baby), from the extracts only."""
    from synth_women import women_table

    return women_table(large)
