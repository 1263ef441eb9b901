"""Spec files: the public minimal form, shipped specs, and clear errors for bad specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model.spec import load_spec, parse_spec

CASE_MIX = Path(__file__).resolve().parents[2] / "case_mix"

MINIMAL = """\
name: caesarean
outcome: cs              # an indicator id, or a 0/1 column of the input
population: null         # optional filter; null = everyone in the input
unit: hospital           # default comparison level
covariates:
  age_band: {type: categorical, reference: "25_29"}
  parity: {type: categorical, reference: "0"}
  prev_cs: {type: binary}
random_effects: true
"""

SHIPPED = [
    "caesarean",
    "caesarean_robson1",
    "instrumental",
    "oasis",
    "pph",
    "low_apgar",
    "big4",
    "perinatal_mortality",
    "epidural",
    "nicu",
    "cost",
    "preterm",
    "sga",
]


def test_minimal_public_form(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(MINIMAL)
    spec = load_spec(path)
    assert spec.name == "caesarean" and spec.outcome == "cs" and spec.unit == "hospital"
    assert [c.name for c in spec.covariates] == ["age_band", "parity", "prev_cs"]
    assert spec.covariate("parity").reference == "0"
    assert spec.covariate("prev_cs").type == "binary"
    assert spec.random_effects is True and spec.population is None
    assert spec.missing == "unknown"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_specs_load_by_name_and_follow_the_rule(name):
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.model.spec import CARE_PROCESS

    spec = load_spec(name)
    assert (CASE_MIX / f"{name}.yaml").exists()
    assert get(spec.outcome).case_mix == name  # the catalogue points at this spec
    for cov in spec.covariates:
        assert cov.rationale, f"{name}: covariate {cov.name} has no rationale"
        assert cov.column not in CARE_PROCESS


def test_every_catalogue_case_mix_has_a_spec():
    from saz_geboortezorg.indicators import catalogue

    names = {n for n in catalogue().case_mix if n}
    assert names <= set(SHIPPED)


@pytest.mark.parametrize(
    "data, words",
    [
        ({"outcome": "cs"}, "'name' is required"),
        ({"name": "x"}, "'outcome' is required"),
        ({"name": "x", "outcome": "cs", "colour": 1}, "unknown field(s) colour"),
        (
            {"name": "x", "outcome": "cs", "covariates": {"a": {"type": "ordinal"}}},
            "type 'ordinal'",
        ),
        (
            {"name": "x", "outcome": "cs", "covariates": {"onset": {"type": "categorical"}}},
            "decided by the care process",
        ),
        (
            {
                "name": "x",
                "outcome": "cs",
                "covariates": {"a": {"type": "continuous", "bands": [3, 1]}},
            },
            "increasing cut points",
        ),
        (
            {
                "name": "x",
                "outcome": "cs",
                "covariates": {"a": {"type": "binary"}},
                "interactions": ["a:b"],
            },
            "'b', which is not a covariate",
        ),
        ({"name": "x", "outcome": "cs", "missing": "drop"}, "missing policy 'drop'"),
        ({"name": "x", "outcome": "cs", "family": "poisson"}, "family 'poisson'"),
        ({"name": "x", "outcome": "cs", "population": "age >> 3"}, "population"),
    ],
)
def test_bad_specs_are_named(data, words):
    with pytest.raises(SpecError, match=None) as err:
        parse_spec(data)
    assert words in str(err.value)


def test_care_process_variable_allowed_with_a_reason():
    spec = parse_spec(
        {
            "name": "x",
            "outcome": "cs",
            "covariates": {"onset": {"type": "categorical"}},
            "allow_care_process": {"onset": "research question about induction"},
        }
    )
    assert spec.covariates[0].name == "onset"


def test_unknown_spec_name_lists_shipped():
    with pytest.raises(SpecError, match="caesarean"):
        load_spec("caesarian")
