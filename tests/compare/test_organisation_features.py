"""Hospitals with and without a feature: pooled rates and a quasi-binomial odds ratio."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from scipy.stats import t as student_t

from saz_geboortezorg.compare.organisation_features import feature_comparison, hospital_features
from saz_geboortezorg.errors import SpecError


def _rates(x, n):
    return pd.DataFrame(
        {"unit": list("ABCDEF")[: len(x)], "numerator": x, "denominator": n, "measure": "percent"}
    )


def test_pooled_rates_and_or_without_extra_variation():
    rates = _rates([15, 15, 10, 10], [50, 50, 50, 50])
    result = feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 0, "D": 0}), name="f")
    groups, cmp = result.table, result.comparison
    assert groups["f"].tolist() == ["no", "yes"]
    assert groups["rate"].tolist() == pytest.approx([20.0, 30.0])
    c = cmp.iloc[0]
    assert c["difference"] == pytest.approx(10.0)
    assert c["odds_ratio"] == pytest.approx((30 / 70) / (20 / 80))
    # dispersion floored at 1: se = Woolf's on the pooled 2x2, t with 2 df
    se = math.sqrt(1 / 30 + 1 / 70 + 1 / 20 + 1 / 80)
    q = student_t.ppf(0.975, 2)
    assert c["dispersion"] == 1.0
    assert c["or_lcl"] == pytest.approx(c["odds_ratio"] * math.exp(-q * se), rel=1e-6)


def test_between_hospital_variation_widens_the_interval():
    # same pooled counts per group, but hospitals disagree within each group
    rates = _rates([25, 5, 18, 2], [50, 50, 50, 50])
    cmp = feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 0, "D": 0})).comparison
    c = cmp.iloc[0]
    # Pearson chi-square by hand: expected 15 (yes) and 10 (no) of 50 per hospital
    chi2 = sum(
        (x - e) ** 2 / (50 * (e / 50) * (1 - e / 50))
        for x, e in [(25, 15), (5, 15), (18, 10), (2, 10)]
    )
    assert c["dispersion"] == pytest.approx(chi2 / 2)
    se = math.sqrt((1 / 30 + 1 / 70 + 1 / 20 + 1 / 80) * chi2 / 2)
    q = student_t.ppf(0.975, 2)
    assert c["or_ucl"] == pytest.approx(c["odds_ratio"] * math.exp(q * se), rel=1e-5)


def test_missing_feature_values_and_errors():
    rates = _rates([15, 15, 10], [50, 50, 50])
    result = feature_comparison(rates, pd.Series({"A": 1, "B": 0}))
    groups, cmp = result.table, result.comparison
    assert groups["hospitals"].tolist() == [1, 1] and cmp["hospitals"].iloc[0] == 2
    with pytest.raises(SpecError, match="same value"):
        feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 1}))
    with pytest.raises(SpecError):
        hospital_features(SimpleNamespace(sources={}))


def test_hospital_features_from_organisaties():
    org = pd.DataFrame(
        {
            "organisatie_id": ["ZH01", "VP001"],
            "organisatie_type": ["ZH", "VP"],
            "regio_id": ["R01", "R01"],
            "epiduraal_24_7": [1, None],
        }
    )
    hf = hospital_features(SimpleNamespace(sources={"organisaties": org}))
    assert hf.to_dict("records") == [
        {"hospital_id": "ZH01", "region_id": "R01", "epiduraal_24_7": 1}
    ]


def test_tuple_unpacking_still_works_with_a_deprecation_warning():
    from saz_geboortezorg.deprecation import SazDeprecationWarning

    rates = _rates([15, 15, 10, 10], [50, 50, 50, 50])
    result = feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 0, "D": 0}))
    with pytest.warns(SazDeprecationWarning, match="result.table and result.comparison"):
        groups, cmp = result
    assert groups is result.table and cmp is result.comparison
    assert result.feature == "feature" and result.measure == "percent"
