"""Fast paths of the linkage and the derived columns against plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.io.link import _year_month


def _expected(date: pd.Series) -> tuple[pd.Series, pd.Series]:
    year = date.dt.year
    year = year.astype("float64") if year.isna().any() else year.astype("int64")
    month = date.dt.to_period("M").dt.to_timestamp().astype("datetime64[us]")
    return year.reset_index(drop=True), month.reset_index(drop=True)


@pytest.mark.parametrize("unit", ["ns", "us", "ms", "s", "D"])
@pytest.mark.parametrize("missing", [False, True])
def test_year_and_month_as_pandas_gives_them(unit, missing):
    rng = np.random.default_rng(5)
    # around 1970 (negative days), month and year ends, times just before midnight
    days = rng.integers(-800, 20_000, 400)
    seconds = rng.choice([0, 1, 86_399], 400) if unit != "D" else np.zeros(400, dtype=int)
    values = (days.astype("datetime64[D]") + seconds.astype("timedelta64[s]")).astype(
        f"datetime64[{unit}]"
    )
    if missing:
        values[::7] = np.datetime64("NaT")
    date = pd.Series(values)
    year, month = _year_month(date)
    want_year, want_month = _expected(date)
    pd.testing.assert_series_equal(year, want_year, check_names=False)
    pd.testing.assert_series_equal(month, want_month, check_names=False)


@pytest.mark.parametrize(
    "values",
    [
        ["1700-02-03", "2020-05-06"],  # a span too long to tabulate
        [None, None],
        [],
        ["2021-01-31T23:59:59.999999999"],
    ],
)
def test_year_and_month_edge_cases(values):
    date = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
    year, month = _year_month(date)
    want_year, want_month = _expected(date)
    pd.testing.assert_series_equal(
        year, want_year, check_names=False, check_dtype=bool(len(values))
    )
    pd.testing.assert_series_equal(month, want_month, check_names=False)


def _small_births(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Pregnancies of 1-3 babies sorted by pregnancy and baby, and each one's first row."""
    rng = np.random.default_rng(seed)
    babies = rng.choice([1, 1, 1, 2, 3], 40)
    pregnancy = np.repeat(np.arange(40), babies)
    baby = np.concatenate([np.arange(1, b + 1) for b in babies])
    n = len(pregnancy)
    starts = np.flatnonzero(baby == 1)
    hospital = rng.choice(["h1", "h2", None], n).astype(object)
    hospital[baby > 1] = None
    hospital[np.flatnonzero(baby == 2)[0]] = "only_on_a_second_baby"
    mode = rng.choice(["spontaneous", "prelabour_cs", "intrapartum_cs", "unknown"], n)
    births = pd.DataFrame(
        {
            "pregnancy_id": pd.Series([f"ZW{p:04d}" for p in pregnancy], dtype="str"),
            "baby_no": baby.astype("int64"),
            "hospital_id": pd.Series(hospital, dtype="str").astype("category"),
            "mode": pd.Series(mode).astype("category"),
            "birth_date": pd.Series(
                (rng.integers(0, 3000, n).astype("datetime64[D]")).astype("datetime64[ms]")
            ),
            "ga_days": np.where(rng.random(n) < 0.2, np.nan, rng.integers(150, 300, n)),
            "ga_weeks": np.zeros(n),
            "perinatal_death": rng.integers(0, 2, n).astype("int64"),
            "nicu": np.where(rng.random(n) < 0.3, np.nan, rng.integers(0, 2, n)),
            "congenital_anomaly": rng.integers(0, 2, n).astype("float64"),
        }
    )
    return births, starts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_women_by_hand(seed):
    from saz_geboortezorg.io.link import _women

    births, starts = _small_births(seed)
    rng = np.random.default_rng(seed + 10)
    k = len(starts)
    m = 300
    claim_woman = rng.integers(0, k + 5, m)
    claim_woman[claim_woman >= k] = k  # not linked
    claim_woman[claim_woman == 3] = k  # woman 3 has no claim
    claims = pd.DataFrame(
        {
            "tarief": np.where(rng.random(m) < 0.02, np.nan, rng.random(m) * 1000 - 100),
            "lijn": pd.array(rng.choice([1, 2, 3, None], m), dtype="Int64"),
            "zorgfase": pd.Series(
                rng.choice(["zwangerschap", "baring", "kraambed", "nazorg", None], m), dtype="str"
            ),
        }
    )
    w = _women(births, starts, claim_woman, claims)

    ends = [*starts[1:], len(births)]
    rows = [list(range(a, b)) for a, b in zip(starts, ends, strict=True)]
    # first baby's values, except what is over all babies
    for c in ("pregnancy_id", "birth_date"):
        assert w[c].tolist() == births[c].iloc[starts].tolist()
    assert "baby_no" not in w.columns
    hospital = w["hospital_id"]
    assert "only_on_a_second_baby" not in list(hospital.cat.categories)
    assert hospital.astype(object).where(hospital.notna(), None).tolist() == [
        births["hospital_id"].iloc[s] if pd.notna(births["hospital_id"].iloc[s]) else None
        for s in starts
    ]
    ga = [
        np.nanmin(births["ga_days"].to_numpy()[r])
        if births["ga_days"].iloc[r].notna().any()
        else np.nan
        for r in rows
    ]
    np.testing.assert_array_equal(w["ga_days"].to_numpy(), ga)
    np.testing.assert_array_equal(w["ga_weeks"].to_numpy(), np.floor(np.array(ga) / 7))
    assert w["perinatal_death"].dtype == "int64"
    assert w["perinatal_death"].tolist() == [births["perinatal_death"].iloc[r].max() for r in rows]
    nicu = [births["nicu"].iloc[r].max() for r in rows]  # NaN only when all are
    np.testing.assert_array_equal(w["nicu"].to_numpy(), nicu)
    for i, r in enumerate(rows):
        modes = births["mode"].iloc[r].astype(str).tolist()
        if any(m in ("prelabour_cs", "intrapartum_cs") for m in modes):
            assert w["cs"].iloc[i] == 1
        elif "unknown" in modes:
            assert np.isnan(w["cs"].iloc[i])
        else:
            assert w["cs"].iloc[i] == 0

    # costs summed claim by claim in file order
    def total(i: int, keep) -> float:
        out = 0.0
        for j in range(m):
            if claim_woman[j] == i and keep(j):
                out += claims["tarief"].iloc[j]
        return out

    lijn = claims["lijn"].astype("float64").to_numpy()
    fase = claims["zorgfase"].astype(object).to_numpy()
    columns = {
        "cost_first_line": lambda j: lijn[j] == 1,
        "cost_second_line": lambda j: lijn[j] == 2,
        "cost_pregnancy": lambda j: fase[j] == "zwangerschap",
        "cost_birth": lambda j: fase[j] == "baring",
        "cost_postpartum": lambda j: fase[j] == "kraambed",
        "cost_total": lambda j: True,
    }
    n_claims = [int((claim_woman == i).sum()) for i in range(k)]
    assert w["n_claims"].tolist() == n_claims
    assert n_claims[3] == 0
    for c, keep in columns.items():
        want = [total(i, keep) if n_claims[i] else np.nan for i in range(k)]
        np.testing.assert_array_equal(w[c].to_numpy(), want, err_msg=c)
    assert w.index.equals(pd.RangeIndex(k))


def test_robson_same_on_category_and_text_columns():
    from saz_geboortezorg.derive.robson import classify

    rng = np.random.default_rng(4)
    n = 400
    presentation = rng.choice(["cephalic", "breech", "transverse", "unknown", None], n)
    onset = rng.choice(["spontaneous", "induced", "prelabour_cs", "unknown", "other", None], n)
    women = pd.DataFrame(
        {
            "parity": rng.choice([0, 1, 2, np.nan], n),
            "prev_cs": rng.choice([0, 1, np.nan], n),
            "n_babies": rng.choice([1, 1, 1, 2], n),
            "ga_days": rng.choice([200, 250, 280, np.nan], n),
            "presentation": pd.Series(presentation, dtype="str"),
            "onset": pd.Series(onset, dtype="str"),
        }
    )
    as_text = classify(women)
    # categories in another order, one that never occurs, "unknown" among them
    coded = women.assign(
        presentation=pd.Categorical(
            presentation, categories=["unknown", "transverse", "never", "cephalic", "breech"]
        ),
        onset=pd.Categorical(
            onset, categories=["other", "unknown", "induced", "prelabour_cs", "spontaneous"]
        ),
    )
    pd.testing.assert_frame_equal(classify(coded), as_text)
    assert set(as_text["robson"].astype(str)) >= {"1", "8", "9", "10", "unclassifiable"}
