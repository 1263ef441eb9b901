"""The filter language of indicator definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.derive.expressions import columns_used, evaluate
from saz_geboortezorg.errors import SpecError


@pytest.fixture
def t() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mode": pd.Series(["vacuum", "spontaneous", None, "forceps"], dtype="string"),
            "loss": [1200.0, np.nan, 300.0, 1000.0],
            "flag": [1, 0, np.nan, 1],
            "parity": [0, 1, 2, 0],
        }
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("mode in ['vacuum', 'forceps']", [True, False, False, True]),
        ("mode not in ['vacuum']", [False, True, False, True]),  # missing never matches
        ("loss >= 1000", [True, False, False, True]),
        ("loss < 1000", [False, False, True, False]),
        ("not loss >= 1000", [False, True, True, False]),
        ("missing(loss)", [False, True, False, False]),
        ("present(mode) and parity == 0", [True, False, False, True]),
        ("flag", [True, False, False, True]),
        ("flag == 1 or parity >= 2", [True, False, True, True]),
        ("0 < parity <= 1", [False, True, False, False]),
        ("parity != 0", [False, True, True, False]),
        ("parity == -0", [True, False, False, True]),
    ],
)
def test_evaluate(t, expression, expected):
    assert evaluate(expression, t).tolist() == expected


@pytest.mark.parametrize(
    "bad",
    ["mode.lower() == 'x'", "open('f')", "parity + 1 > 2", "[x for x in parity]", "lambda: 1"],
)
def test_no_code_can_run(t, bad):
    with pytest.raises(SpecError):
        evaluate(bad, t)


def test_unknown_column_is_named(t):
    with pytest.raises(SpecError, match="blood_loss"):
        evaluate("blood_loss > 1", t)


def test_in_needs_a_list(t):
    with pytest.raises(SpecError, match="list"):
        evaluate("mode in 'vacuum'", t)


def test_columns_used():
    assert columns_used("a == 1 and missing(b) or c in ['x']") == {"a", "b", "c"}
