"""Shared fixtures of the attack suite: one small analysis with many hidden cells."""

import warnings

import pytest


@pytest.fixture(scope="session")
def small_analysis(tmp_path_factory):
    """The report analysis of 3,000 synthetic births (seed 11) by region: regions of a few
    dozen births, so most indicators hide several regional counts. Built once per session
    and shared by the attacks on statistics and on labels (they only read it)."""
    import saz_geboortezorg as sg
    from saz_geboortezorg.report.analysis import analyse

    root = tmp_path_factory.mktemp("attack")
    sg.synthetic.generate(births=3000, seed=11).write(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse(sg.load(root), unit="region")
