"""On synthetic data with a known truth: do the shrunken hospital effects cover the truth?

The generator (saz_geboortezorg.synthetic) draws each outcome from a logistic model
with known coefficients and known hospital effects (truth.json), including deliberate
outliers. Here every such outcome is refitted with the generating model's covariates,
built from the registered data (so registration gaps, e.g. missing BMI, add a little
misspecification, as in real data). Process variables are allowed here because the
generating model conditions on them; this is a check of the estimator, not a
benchmark spec.

The random-intercept model identifies effects relative to the average hospital, so
the truth is centred on its mean over hospitals before comparing.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.model import casemix

LABOUR = "onset != 'prelabour_cs'"
VAGINAL = "mode in ['spontaneous', 'vacuum', 'forceps']"

#: outcome -> (0/1 column, population filter, covariate columns of the generating model)
MODELS = {
    "epidural": (
        "y_epidural",
        LABOUR,
        ["nulliparous", "induced", "no_epidural_24_7", "non_european", "age_35p"],
    ),
    "intrapartum_cs": (
        "y_intrapartum_cs",
        LABOUR,
        [
            "nulliparous",
            "previous_cs",
            "age_35_39",
            "age_40p",
            "obese",
            "breech",
            "multiple",
            "preterm",
            "post_term",
            "induced",
            "initiative",
        ],
    ),
    "instrumental": (
        "y_instrumental",
        VAGINAL,
        ["nulliparous", "previous_cs", "epidural", "age_35p", "preterm"],
    ),
    "episiotomy": ("y_episiotomy", VAGINAL, ["nulliparous", "instrumental", "epidural"]),
    "oasis": (
        "y_oasis",
        VAGINAL,
        [
            "nulliparous",
            "instrumental",
            "instrumental_no_episiotomy",
            "big_baby",
            "non_european",
            "initiative",
        ],
    ),
    "pph": (
        "y_pph",
        "ga_days >= 0",
        ["caesarean", "instrumental", "multiple", "induced", "obese", "age_35p", "big_baby"],
    ),
}


def _flag(cond, known=None):
    out = np.asarray(cond, dtype=float)
    if known is not None:
        out = np.where(np.asarray(known, bool), out, np.nan)
    return out


def _frame(women: pd.DataFrame, truth: dict, outcome: str) -> pd.DataFrame:
    w = women
    age = w.maternal_age.to_numpy(float)
    mode = w["mode"].astype(str)
    instrumental = mode.isin(["vacuum", "forceps"]).to_numpy()
    feats = truth["hospital_features"]
    df = pd.DataFrame(
        {
            "hospital_id": w.hospital_id.astype(str).to_numpy(),
            "onset": w.onset.astype(str).to_numpy(),
            "mode": mode.to_numpy(),
            "ga_days": w.ga_days.to_numpy(float),
            "nulliparous": _flag(w.parity.to_numpy() == 0),
            "previous_cs": _flag(w.prev_cs.to_numpy() == 1),
            "age_35_39": _flag((age >= 35) & (age < 40)),
            "age_40p": _flag(age >= 40),
            "age_35p": _flag(age >= 35),
            "obese": _flag(w.bmi.to_numpy(float) >= 30, w.bmi.notna()),
            "non_european": _flag(
                w.migration.astype(str) == "non_european", w.migration.astype(str) != "unknown"
            ),
            "breech": _flag(w.presentation.astype(str) == "breech"),
            "multiple": _flag(w.n_babies.to_numpy() >= 2),
            "preterm": _flag(w.ga_days.to_numpy() < 259),
            "post_term": _flag(w.ga_days.to_numpy() >= 287),
            "induced": _flag(w.onset.astype(str) == "induced"),
            "epidural": _flag(w.pain_relief_method.astype(str) == "epidural"),
            "instrumental": _flag(instrumental),
            "instrumental_no_episiotomy": _flag(instrumental & (w.episiotomy.to_numpy() == 0)),
            "caesarean": _flag(mode.isin(["prelabour_cs", "intrapartum_cs"])),
            "big_baby": _flag(w.birth_weight.to_numpy(float) >= 4000, w.birth_weight.notna()),
            "no_epidural_24_7": _flag(
                [not feats[h]["epidural_24_7"] for h in w.hospital_id.astype(str)]
            ),
        }
    )
    df["initiative"] = 0.0
    for ini in truth["initiatives"]:
        if ini["outcome"] != outcome:
            continue
        hit = (w.hospital_id.astype(str) == ini["hospital_id"]) & (
            pd.to_datetime(w.birth_date) >= pd.Timestamp(ini["start_date"])
        )
        if outcome == "intrapartum_cs":
            from saz_geboortezorg.derive.robson import classify

            hit &= classify(w)["robson"].astype(str) == "1"
        df.loc[hit.to_numpy(), "initiative"] = 1.0
    y = {
        "epidural": df.epidural,
        "intrapartum_cs": _flag(mode == "intrapartum_cs"),
        "instrumental": df.instrumental,
        "episiotomy": _flag(w.episiotomy.to_numpy() == 1, w.episiotomy.notna()),
        "oasis": _flag(w.perineum.isin([3, 4]).to_numpy(), w.perineum.notna()),
        "pph": _flag(w.blood_loss.to_numpy(float) >= 1000, w.blood_loss.notna()),
    }[outcome]
    df[f"y_{outcome}"] = y
    known = (df.onset != "unknown") & (df["mode"] != "unknown")
    return df[known.to_numpy()]


@pytest.fixture(scope="module")
def fits(dataset, synthetic_dir):
    truth = json.loads((synthetic_dir / "truth.json").read_text())
    out = {}
    for outcome, (column, population, covariates) in MODELS.items():
        df = _frame(dataset.women, truth, outcome)
        used = [c for c in covariates if df[c].nunique() > 1]
        spec = {
            "name": f"truth_{outcome}",
            "outcome": column,
            "population": population,
            "covariates": {c: {"type": "binary", "unknown": "reference"} for c in used},
            "allow_care_process": {c: "the generating model conditions on it" for c in used},
        }
        out[outcome] = casemix(df, spec, unit="hospital")
    return truth, out


def test_intervals_cover_true_hospital_effects(fits):
    truth, results = fits
    covered, total, misses = 0, 0, []
    for outcome, res in results.items():
        true = pd.Series(truth["hospital_effects"][outcome])
        table = res.random_effects.table.set_index("unit")
        true = true.loc[table.index] - true.loc[table.index].mean()
        lo, hi = np.log(table.or_lcl95), np.log(table.or_ucl95)
        inside = (lo <= true) & (true <= hi)
        covered += int(inside.sum())
        total += len(inside)
        misses += [f"{outcome}:{u}" for u in inside.index[~inside]]
    assert total >= 6 * 17 * 0.9
    assert covered / total >= 0.90, f"coverage {covered}/{total}; missed {misses}"


def test_outliers_land_in_the_expected_tail(fits):
    """Each deliberate outlier has the right sign and an expected rank in the outer third.

    (A third, not a quarter: first-line births count for their region's hospital, which
    dilutes a hospital policy such as restrictive episiotomy.)
    """
    truth, results = fits
    for outlier in truth["outliers"]:
        res = results.get(outlier["outcome"])
        if res is None:
            continue
        row = res.random_effects.table.set_index("unit").loc[outlier["hospital_id"]]
        J = len(res.random_effects.table)
        if outlier["effect"] > 0:
            assert row.effect > 0 and row.expected_rank > 2 * J / 3, outlier
        else:
            assert row.effect < 0 and row.expected_rank < J / 3 + 1, outlier
