"""The filter language of indicator definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.expressions import columns_used, evaluate, evaluate_known


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


# Three-valued (Kleene) evaluation. Rows of ``t``: mode vacuum / spontaneous / missing /
# forceps; loss 1200 / missing / 300 / 1000; flag 1 / 0 / missing / 1; parity 0 / 1 / 2 / 0.
# T true, F false, U unknown (the result depends on a missing value).
T, F, U = "T", "F", "U"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("loss >= 1000", [T, U, F, T]),
        ("not loss >= 1000", [F, U, T, F]),  # not unknown is unknown, never true
        ("mode == 'spontaneous'", [F, T, U, F]),
        ("mode == 'spontaneous' and not loss >= 1000", [F, U, U, F]),
        ("mode == 'vacuum' and loss >= 1000", [T, F, F, F]),  # row 3: unknown and false
        ("loss >= 1000 or flag == 1", [T, U, U, T]),
        ("parity >= 2 or loss >= 1000", [T, U, T, T]),  # true or unknown is true
        ("parity == 1 and loss >= 1000", [F, U, F, F]),  # false and unknown is false
        ("missing(loss) or loss < 500", [F, T, T, F]),  # missing() is always known
        ("flag", [T, F, U, T]),
        ("not flag", [F, T, U, F]),
        ("mode in ['vacuum', 'forceps']", [T, F, U, T]),
    ],
)
def test_evaluate_known_three_valued(t, expression, expected):
    true, known = evaluate_known(expression, t)
    got = [T if k and v else (F if k else U) for v, k in zip(true, known, strict=True)]
    assert got == expected
    # where the result is known it agrees with the two-valued evaluation
    two_valued = evaluate(expression, t)
    assert (two_valued[known] == true[known]).all()


def test_evaluate_known_treats_the_unknown_label_as_missing():
    t = pd.DataFrame({"onset": ["spontaneous", "unknown", "induced"], "n": [1, 1, 2]})
    true, known = evaluate_known("onset != 'induced' and n == 1", t)
    assert true.tolist() == [True, False, False] and known.tolist() == [True, False, True]
    # two-valued evaluation reads the label as a value (exclusions test it explicitly)
    assert evaluate("onset == 'unknown'", t).tolist() == [False, True, False]
