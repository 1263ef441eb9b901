"""TableMemo and CovariateColumns: models on one table share its outcomes and covariate
codes (the benchmark fits one model per indicator), with results identical to fitting
each model on its own.

The references are fits without a memo on a copy of the table restricted to the
population (the way designs were built before the memo), and counts written out by hand.
"""

import importlib

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import get
from saz_geboortezorg.model import casemix
from saz_geboortezorg.model.design import CovariateColumns, build_design
from saz_geboortezorg.model.prepare import TableMemo
from saz_geboortezorg.model.spec import parse_spec

# the module, not the function of the same name that saz_geboortezorg.model exports
prepare_module = importlib.import_module("saz_geboortezorg.model.prepare")

SPECS = ("caesarean", "epidural", "pph", "cost")
INDICATORS = {"caesarean": "cs", "epidural": "epidural", "pph": "pph", "cost": "cost_per_pregnancy"}


def _same(a, b):
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients, check_exact=True)
    np.testing.assert_array_equal(a.model.params, b.model.params)


def test_models_sharing_a_memo_equal_models_fitted_alone(dataset, monkeypatch):
    women = dataset.women
    alone = {s: casemix(women, s, unit="region", random_effects=False) for s in SPECS}
    predicted = {s: alone[s].model.predict(women).to_numpy() for s in SPECS}
    calls = []
    real = prepare_module.indicator_outcome

    def counting(table, indicator, **kw):
        calls.append(indicator.id)
        return real(table, indicator, **kw)

    monkeypatch.setattr(prepare_module, "indicator_outcome", counting)
    memo = TableMemo(women)
    for _ in range(2):  # the second round reads everything from the memo
        for spec in SPECS:
            shared = casemix(women, spec, unit="region", random_effects=False, memo=memo)
            _same(shared, alone[spec])
            got = shared.model.fitted_values().to_numpy()
            again = predicted[spec]
            np.testing.assert_array_equal(np.isnan(got), np.isnan(again))
            np.testing.assert_allclose(got, again, rtol=1e-12)
    # each indicator's outcome was evaluated once
    assert sorted(calls) == sorted(INDICATORS.values())
    # the memo's outcome is indicator_outcome's, as positions and values
    rows, y = memo.outcome("cs")
    keep, outcome = real(women, get("cs"))
    np.testing.assert_array_equal(rows, np.flatnonzero(keep.to_numpy(bool)))
    np.testing.assert_array_equal(y, outcome.to_numpy(float)[rows])


def test_memo_of_another_table_is_refused(dataset):
    memo = TableMemo(dataset.women.copy())
    with pytest.raises(SpecError, match="another table"):
        casemix(dataset.women, "caesarean", random_effects=False, memo=memo)


SPEC = parse_spec(
    {
        "name": "m",
        "outcome": "y",
        "covariates": {
            "parity": {"type": "categorical", "reference": "1"},
            "prev_cs": "binary",
            "ga": {"type": "continuous", "bands": [224, 259], "reference": "259+"},
        },
    }
)


def _table():
    return pd.DataFrame(
        {
            "parity": ["0", "1", None, "2+", "1", "unknown", "0", "9"],
            "prev_cs": [0, 1, 0, None, 1, 0, 0, 1],
            "ga": [280, 230, None, 200, 275, "x", 262, 250],
        }
    )


def test_a_population_reads_its_rows_of_the_whole_table():
    t = _table()
    rows = np.array([0, 1, 2, 3, 4, 6])  # leaves out the text in ga and parity 9
    y = np.array([0, 1, 0, 1, 1, 0.0])
    d = build_design(t, SPEC, y, pd.Series(list("AABBAB")), rows=rows)
    by_hand = {
        "parity": (["0", "1", "2+", "unknown"], [0, 1, 3, 2, 1, 0]),
        "prev_cs": (["0", "1", "unknown"], [0, 1, 0, 2, 1, 0]),
        "ga": (["<224", "224_259", "259+", "unknown"], [2, 1, 3, 0, 2, 2]),
    }
    for term in d.terms:
        levels, codes = by_hand[term.name]
        assert term.levels == levels and term.codes.tolist() == codes
    # the same as the design of a copy of those rows
    alone = build_design(t.iloc[rows].reset_index(drop=True), SPEC, y, pd.Series(list("AABBAB")))
    assert d.names == alone.names
    for a, b in zip(d.terms, alone.terms, strict=True):
        assert a.levels == b.levels and np.array_equal(a.codes, b.codes)
        assert np.array_equal(a.basis, b.basis)


def test_values_outside_the_population_raise_nothing_inside_they_do():
    t = _table()
    with pytest.raises(SpecError, match="declared continuous .* text such as 'x'"):
        build_design(t, SPEC, np.zeros(8), pd.Series(["A"] * 8))
    cols = CovariateColumns(t)
    with pytest.raises(SpecError, match="declared binary"):
        spec = parse_spec({"name": "b", "outcome": "y", "covariates": {"parity": "binary"}})
        build_design(t, spec, np.zeros(2), pd.Series(["A"] * 2), rows=np.array([0, 7]))
    spec = parse_spec({"name": "b", "outcome": "y", "covariates": {"prev_cs": "binary"}})
    d = build_design(t, spec, np.zeros(3), pd.Series(["A"] * 3), rows=np.array([0, 1, 5]))
    assert d.terms[0].levels == ["0", "1"]
    # columns read from one table are not used for another
    with pytest.raises(ValueError, match="another table"):
        build_design(t.copy(), spec, np.zeros(8), pd.Series(["A"] * 8), columns=cols)
