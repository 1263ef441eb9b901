"""Case mix: who the pregnant women are, where they live and when they give birth.

Regions differ in SES (a latent score per region; urban deprived vs affluent), and
through SES in age, BMI, smoking and migration background; nulliparity varies a
little by region. All draws are vectorised over women.

Examples
--------
>>> import numpy as np
>>> from saz_geboortezorg.synthetic.params import load
>>> from saz_geboortezorg.synthetic.organisations import make_organisations
>>> p = load(); o = make_organisations(np.random.default_rng(1), 4, 8, p)
>>> w = draw_population(np.random.default_rng(2), 1000, (2021, 2022), o, p)
>>> bool((w["age"] >= 16).all()), round(float(w["nulliparous"].mean()), 1)
(True, 0.5)
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

from saz_geboortezorg.synthetic.models import expit
from saz_geboortezorg.synthetic.organisations import Organisations
from saz_geboortezorg.synthetic.params import Parameters

__all__ = ["draw_population", "birth_dates", "truncated_normal"]


def truncated_normal(
    rng: np.random.Generator, mean: np.ndarray | float, sd: float, low: float, high: float, n: int
) -> np.ndarray:
    """Normal draws truncated to ``[low, high]`` by inverse CDF (vectorised).

    Examples
    --------
    >>> x = truncated_normal(np.random.default_rng(0), 0.0, 1.0, -1.0, 1.0, 1000)
    >>> bool((abs(x) <= 1).all())
    True
    """
    mean = np.broadcast_to(np.asarray(mean, dtype=float), (n,))
    a = ndtr((low - mean) / sd)
    b = ndtr((high - mean) / sd)
    u = a + rng.random(n) * (b - a)
    return mean + sd * ndtri(np.clip(u, 1e-12, 1 - 1e-12))


def birth_dates(
    rng: np.random.Generator, n: int, years: tuple[int, int], amplitude: float
) -> np.ndarray:
    """Dates of birth spread over the years with a mild summer peak (datetime64[D]).

    Examples
    --------
    >>> d = birth_dates(np.random.default_rng(0), 5, (2021, 2021), 0.05)
    >>> bool(((d >= np.datetime64("2021-01-01")) & (d <= np.datetime64("2021-12-31"))).all())
    True
    """
    start = np.datetime64(f"{years[0]}-01-01")
    end = np.datetime64(f"{years[1] + 1}-01-01")
    days = np.arange(start, end)
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    weight = 1.0 + amplitude * np.cos(2 * np.pi * (doy - 200) / 365.25)
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    return days[np.searchsorted(cdf, rng.random(n), side="right").clip(0, len(days) - 1)]


def _quintile(z: np.ndarray, sd: float) -> np.ndarray:
    cuts = np.array([-0.8416, -0.2533, 0.2533, 0.8416]) * sd
    return (np.searchsorted(cuts, z) + 1).astype(np.int8)


def draw_population(
    rng: np.random.Generator,
    n: int,
    years: tuple[int, int],
    orgs: Organisations,
    params: Parameters,
) -> dict[str, np.ndarray]:
    """Draw region, case mix and date of birth of ``n`` pregnancies.

    Returns
    -------
    dict of arrays
        ``hospital`` (region hospital position), ``ses_z``, ``ses_q`` (1-5), ``age``,
        ``parity``, ``nulliparous``, ``previous_cs``, ``n_fetuses``, ``multiple``,
        ``bmi``, ``obese``, ``smoker``, ``migration`` (1-3), ``non_european``,
        ``birth_date`` (datetime64[D]) and the 0/1 age-band covariates.
    """
    cm = params["case_mix"]
    h = rng.choice(len(orgs.hospital_ids), size=n, p=orgs.region_share).astype(np.int16)
    z = orgs.region_ses[h] + rng.normal(0.0, 1.0, n)
    sd_total = float(np.sqrt(1.0 + np.sum(orgs.region_share * orgs.region_ses**2)))
    ses_q = _quintile(z, sd_total)
    zs = z / sd_total

    logit_nullip = np.log(cm["nulliparous"] / (1 - cm["nulliparous"])) + orgs.region_nullip[h]
    nullip = rng.random(n) < expit(logit_nullip)
    parity = np.where(nullip, 0, rng.geometric(cm["parity_geometric_p"], n)).astype(np.int16)
    prev_cs = ~nullip & (rng.random(n) < cm["previous_cs_multiparae"])

    age_mean = (
        cm["age_mean"] + cm["age_nulliparous_shift"] * (nullip - 0.445) + cm["age_ses_slope"] * zs
    )
    age = np.floor(truncated_normal(rng, age_mean, cm["age_sd"], 16.0, 49.99, n)).astype(np.int16)

    mult_p = cm["multiple_pregnancy"] * np.where(age >= 35, 1.35, 0.9)
    multiple = rng.random(n) < mult_p
    n_fetuses = np.where(
        multiple, np.where(rng.random(n) < cm["triplets_among_multiples"], 3, 2), 1
    ).astype(np.int8)

    log_bmi = (
        np.log(cm["bmi_median"]) + cm["bmi_ses_slope"] * zs + rng.normal(0, cm["bmi_log_sd"], n)
    )
    bmi = np.round(np.clip(np.exp(log_bmi), 15.0, 60.0), 1)

    smoker = rng.random(n) < expit(cm["smoking_intercept"] + cm["smoking_ses_slope"] * zs)
    non_eur = rng.random(n) < expit(
        cm["non_european_intercept"] + cm["non_european_ses_slope"] * zs
    )
    european = ~non_eur & (
        rng.random(n) < cm["european"] / (1 - expit(cm["non_european_intercept"]))
    )
    migration = np.where(non_eur, 3, np.where(european, 2, 1)).astype(np.int8)

    w = {
        "hospital": h,
        "ses_z": zs,
        "ses_q": ses_q,
        "age": age,
        "parity": parity,
        "nulliparous": nullip,
        "previous_cs": prev_cs,
        "n_fetuses": n_fetuses,
        "multiple": multiple,
        "bmi": bmi,
        "obese": bmi >= 30.0,
        "smoker": smoker,
        "migration": migration,
        "non_european": non_eur,
        "ses_q1": ses_q == 1,
        "age_lt20": age < 20,
        "age_35_39": (age >= 35) & (age <= 39),
        "age_40p": age >= 40,
        "age_35p": age >= 35,
        "birth_date": birth_dates(rng, n, years, cm["seasonality_amplitude"]),
    }
    return w
