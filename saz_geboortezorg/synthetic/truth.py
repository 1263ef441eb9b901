"""The known truth of a synthetic dataset, as a JSON-serialisable dict.

Never part of the extracts. Holds the parameters and their sources, the seed, every
model's true coefficients and hospital effects (log odds, by hospital id), the
deliberate outliers, the improvement initiatives, the practice effects on labour
referral, the hospital features and how many linkage imperfections were generated.

Examples
--------
>>> jsonable({"a": np.int64(3), "b": np.array([1.5])})
{'a': 3, 'b': [1.5]}
"""

from __future__ import annotations

from typing import Any

import numpy as np

from saz_geboortezorg.synthetic.models import COVARIATES
from saz_geboortezorg.synthetic.organisations import Organisations
from saz_geboortezorg.synthetic.params import Parameters, fingerprint
from saz_geboortezorg.version import __version__

__all__ = ["build_truth", "jsonable"]


def jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays (recursively) to plain Python for JSON."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.str_):
        return str(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.datetime64):
        return str(obj)
    return obj


def build_truth(
    *,
    seed: int,
    births: int,
    babies: int,
    years: tuple[int, int],
    orgs: Organisations,
    params: Parameters,
    effects: dict[str, np.ndarray],
    outliers: list[dict],
    initiatives: list[dict],
    practice_effect: np.ndarray,
    linkage: dict[str, int],
    rates: dict[str, float],
) -> dict[str, Any]:
    """Assemble ``truth.json``."""
    hid = orgs.hospital_ids
    models = {}
    for name, spec in params["models"].items():
        models[name] = {
            "level": spec["level"],
            "population": spec["population"],
            "intercept": spec["intercept"],
            "coefficients": dict(spec.get("coefficients") or {}),
            "hospital_sd": spec.get("hospital_sd", 0.0),
            "source": params.sources.get(f"models.{name}", ""),
        }
    truth = {
        "generator": f"saz_geboortezorg {__version__} synthetic",
        "seed": seed,
        "parameters_sha256": fingerprint(),
        "births": births,
        "babies": babies,
        "births_definition": (
            "births = pregnancies with a birth in the registry (from 22+0 weeks); "
            "multiple pregnancies add a row per extra baby to LVR-2, so babies > births"
        ),
        "years": list(years),
        "hospitals": len(hid),
        "practices": len(orgs.practice_ids),
        "covariates": COVARIATES,
        "models": models,
        "hospital_effects": {
            m: dict(zip(hid, np.round(e, 6), strict=True)) for m, e in effects.items()
        },
        "hospital_effects_note": (
            "log odds added to the linear predictor of the birth hospital (zero-mean random "
            "effects plus the outliers); the epidural model also has the covariate no_epidural_24_7"
        ),
        "outliers": [
            {k: v for k, v in {**o, "hospital_id": hid[o["hospital"]]}.items() if k != "hospital"}
            for o in outliers
        ],
        "initiatives": [
            {
                "outcome": i["outcome"],
                "region_id": orgs.region_ids[i["hospital"]],
                "hospital_id": hid[i["hospital"]],
                "start_date": i["start_date"],
                "effect": i["effect"],
                "population": i["population"],
                "label": i["label"],
                "note": "log odds ratio added for births in the region's hospital on or after start_date (covariate 'initiative')",
            }
            for i in initiatives
        ],
        "practice_effects": {
            "labour_referral": dict(
                zip(orgs.practice_ids, np.round(practice_effect, 6), strict=True)
            ),
            "note": "log odds of an extra (non-forced) referral during labour",
        },
        "hospital_features": {
            h: {
                "region_id": orgs.region_ids[k],
                "region_share": round(float(orgs.region_share[k]), 6),
                "region_ses_mean": round(float(orgs.region_ses[k]), 4),
                "epidural_24_7": bool(orgs.epidural_24_7[k]),
                "induction_policy_41": bool(orgs.induction_policy[k]),
                "nicu": bool(orgs.nicu[k]),
                "birth_centre": bool(orgs.birth_centre[k]),
                "poor_registration": bool(orgs.poor_registration[k]),
                "tariff_factor": float(orgs.tariff_factor[k]),
            }
            for k, h in enumerate(hid)
        },
        "linkage": linkage,
        "rates": rates,
        "parameters": params.values,
        "sources": params.sources,
    }
    return jsonable(truth)
