"""Shared fixtures: one synthetic dataset per test session, generated and linked once."""

from __future__ import annotations

import pytest

#: Size of the shared synthetic dataset: large enough for rates to be stable
#: (about +-0.5 percentage point for a 16% rate), small enough to build in seconds.
SESSION_BIRTHS = 20_000
SESSION_SEED = 11


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory):
    """A folder with the four synthetic extracts and truth.json."""
    from saz_geboortezorg.synthetic import generate

    out = tmp_path_factory.mktemp("synthetic")
    generate(births=SESSION_BIRTHS, seed=SESSION_SEED).write(out, format="parquet")
    return out


@pytest.fixture(scope="session")
def dataset(synthetic_dir):
    """The synthetic extracts, validated and linked."""
    import saz_geboortezorg as sg

    return sg.load(synthetic_dir)


@pytest.fixture
def progress_automatic(monkeypatch):
    """Progress in its automatic setting, outside CI, with a slow clock (the progress
    tests); afterwards every operation must have taken itself off the stack."""
    from saz_geboortezorg import progress

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(progress.ENV, raising=False)
    # the fake terminal's width: the real one differs per runner (pytest-xdist workers,
    # an IDE), and the bar shortens its text to fit
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setattr(progress, "TICK", 3600.0)
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    previous = progress.configure(None)
    yield
    progress.configure(previous)
    assert progress._running() == []
