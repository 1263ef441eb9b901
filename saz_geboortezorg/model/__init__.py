"""Case-mix adjusted outcome models: fair comparison of hospitals, regions and practices.

A YAML spec per indicator family (``case_mix/*.yaml``, format in ``case_mix/README.md``)
says what is adjusted for. The engine fits a logistic model (or a gamma model for
costs) on collapsed covariate patterns, computes observed/expected per unit with
exact intervals, and a random-intercept model by maximum likelihood (Laplace) for
shrunken unit effects, rankability and expected ranks. Results agree with R's
``glm`` and ``lme4::glmer`` (see ``tests/model/reference``).

Examples
--------
>>> import saz_geboortezorg as sg
>>> res = sg.casemix(sg.load("extracts/"), "caesarean")        # doctest: +SKIP
>>> res.table[["unit", "observed", "expected", "oe"]]          # doctest: +SKIP
"""

from __future__ import annotations

from saz_geboortezorg.model.fit import CaseMixModel, casemix
from saz_geboortezorg.model.fitted import FittedModel
from saz_geboortezorg.model.prepare import prepare
from saz_geboortezorg.model.problems import CaseMixWarning, FitError
from saz_geboortezorg.model.result import CaseMixResult, RandomEffects
from saz_geboortezorg.model.spec import CaseMixSpec, Covariate, load_spec, parse_spec

__all__ = [
    "casemix",
    "CaseMixModel",
    "CaseMixResult",
    "FittedModel",
    "RandomEffects",
    "CaseMixSpec",
    "Covariate",
    "load_spec",
    "parse_spec",
    "prepare",
    "FitError",
    "CaseMixWarning",
]
