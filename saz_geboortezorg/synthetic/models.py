"""Logistic outcome models with true coefficients and true hospital effects.

A model in ``parameters.yaml`` has an ``intercept``, ``coefficients`` (log odds
ratios, by covariate name) and ``hospital_sd``. The linear predictor of a woman or
baby is ``intercept + sum(coef * covariate) + hospital_effect[hospital]``; the event
is a Bernoulli draw with probability ``expit(lp)``. The covariate arrays are built by
the generator under the names used in the YAML (see ``COVARIATES``).

Examples
--------
>>> import numpy as np
>>> spec = {"intercept": 0.0, "coefficients": {"x": 1.0}, "hospital_sd": 0.0}
>>> lp = linear_predictor(spec, {"x": np.array([0.0, 1.0])})
>>> lp.tolist()
[0.0, 1.0]
>>> np.round(expit(lp), 3).tolist()
[0.5, 0.731]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["expit", "linear_predictor", "draw", "hospital_effects", "COVARIATES"]

#: Covariate names the models may use, with their definition (also written to truth.json).
COVARIATES = {
    "nulliparous": "pariteit == 0",
    "previous_cs": "eerdere_sectio == 1",
    "multiple": "aantal_foetussen (aantal_geboren_kinderen) >= 2",
    "age_lt20": "leeftijd_moeder < 20",
    "age_35_39": "35 <= leeftijd_moeder <= 39",
    "age_40p": "leeftijd_moeder >= 40",
    "age_35p": "leeftijd_moeder >= 35",
    "obese": "true BMI >= 30 (the registered bmi, where not missing)",
    "smoker": "true smoking (the registered roken, where not missing)",
    "ses_q1": "ses_kwintiel == 1 (true quintile; registered as 9 for ~1%)",
    "non_european": "migratieachtergrond == 3 (true value; registered as 9 for ~1.5%)",
    "breech": "ligging_bij_geboorte == 2 (first baby)",
    "transverse": "ligging_bij_geboorte == 3 (first baby)",
    "preterm": "zwangerschapsduur < 259 (37+0 weeks)",
    "post_term": "zwangerschapsduur >= 287 (41+0 weeks)",
    "induced": "wijze_begin_baring == 3",
    "epidural": "pijnbestrijding_methode == 1",
    "no_epidural_24_7": "the birth hospital has no 24/7 epidural service (epiduraal_24_7 == 0)",
    "initiative": "the birth falls under an improvement initiative (truth.json initiatives)",
    "instrumental": "type_partus vacuum or forceps",
    "instrumental_no_episiotomy": "instrumental and episiotomie == 0",
    "big_baby": "geboortegewicht of the first baby >= 4000 g",
    "caesarean": "type_partus prelabour or intrapartum caesarean",
    "intrapartum_cs": "type_partus == 274130007",
    "ga_lt28": "zwangerschapsduur < 196",
    "ga_28_31": "196 <= zwangerschapsduur < 224",
    "ga_32_36": "224 <= zwangerschapsduur < 259",
    "ga_lt32": "zwangerschapsduur < 224",
    "ga_32_33": "224 <= zwangerschapsduur < 238",
    "ga_34_36": "238 <= zwangerschapsduur < 259",
    "congenital_anomaly": "congenitale_afwijking == 1",
    "sga": "birth weight below p10 of birthweight_reference.csv",
    "low_apgar": "apgar_5 < 7",
}


def expit(x: np.ndarray) -> np.ndarray:
    """Inverse logit, ``1 / (1 + exp(-x))``.

    Examples
    --------
    >>> float(expit(np.array([0.0]))[0])
    0.5
    """
    return 1.0 / (1.0 + np.exp(-x))


def linear_predictor(
    spec: Mapping,
    covariates: Mapping[str, np.ndarray],
    hospital_effect: np.ndarray | None = None,
    hospital: np.ndarray | None = None,
) -> np.ndarray:
    """Linear predictor (log odds) of a model for every row.

    Parameters
    ----------
    spec : mapping
        ``intercept`` and ``coefficients`` (name -> log odds ratio).
    covariates : mapping of arrays
        0/1 (or numeric) arrays of equal length, by covariate name.
    hospital_effect : array, optional
        True effect per hospital position (log odds).
    hospital : int array, optional
        Hospital position of each row.

    Examples
    --------
    >>> spec = {"intercept": -1.0, "coefficients": {"a": 2.0}}
    >>> linear_predictor(spec, {"a": np.array([1, 0])}, np.array([0.5]), np.array([0, 0])).tolist()
    [1.5, -0.5]
    """
    coefs = spec.get("coefficients", {}) or {}
    n = len(next(iter(covariates.values())))
    lp = np.full(n, float(spec["intercept"]))
    for name, beta in coefs.items():
        if name not in covariates:
            raise KeyError(f"covariate {name!r} of the model is not available")
        lp += float(beta) * np.asarray(covariates[name], dtype=float)
    if hospital_effect is not None and hospital is not None:
        lp += hospital_effect[hospital]
    return lp


def draw(rng: np.random.Generator, lp: np.ndarray) -> np.ndarray:
    """Bernoulli draws with probability ``expit(lp)`` (boolean array).

    Examples
    --------
    >>> draw(np.random.default_rng(0), np.array([-50.0, 50.0])).tolist()
    [False, True]
    """
    return rng.random(len(lp)) < expit(lp)


def hospital_effects(
    rng: np.random.Generator,
    models: Mapping[str, Mapping],
    outliers: list[dict],
    sizes: np.ndarray,
) -> tuple[dict[str, np.ndarray], list[dict]]:
    """Draw the true hospital effects per model and place the deliberate outliers.

    Random effects are normal with the model's ``hospital_sd``, centred so they sum to
    zero; each outlier adds its ``effect`` to one hospital chosen among the larger half
    (never the same hospital twice for one outcome).

    Returns
    -------
    effects : dict of arrays
        Per model name, the effect per hospital position (log odds).
    placed : list of dict
        The outliers with the hospital position they were given.

    Examples
    --------
    >>> eff, placed = hospital_effects(np.random.default_rng(0), {"m": {"hospital_sd": 0.2}},
    ...                                [{"outcome": "m", "effect": 1.0}], np.array([1., 5., 9.]))
    >>> placed[0]["hospital"] in (1, 2)
    True
    """
    h = len(sizes)
    effects: dict[str, np.ndarray] = {}
    for name, spec in models.items():
        sd = float(spec.get("hospital_sd", 0.0) or 0.0)
        e = rng.normal(0.0, sd, h) if sd > 0 else np.zeros(h)
        if sd > 0 and h > 1:
            e -= e.mean()
        effects[name] = e
    large = np.argsort(-sizes, kind="stable")[: max(1, (h + 1) // 2)]
    pool = list(rng.permutation(large))
    placed = []
    for i, o in enumerate(outliers):
        if o["outcome"] not in effects:
            continue
        used = {p["hospital"] for p in placed if p["outcome"] == o["outcome"]}
        choices = [k for k in pool if k not in used] or list(range(h))
        k = int(choices[i % len(choices)])
        effects[o["outcome"]][k] += float(o["effect"])
        placed.append({**o, "hospital": k})
    return effects, placed
