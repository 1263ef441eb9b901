"""Case-mix specifications: one YAML file per indicator family, readable by a clinician.

A specification says which outcome is modelled, in which population, adjusted for
which characteristics of the women, and compared between which units. The format is
public and documented in ``case_mix/README.md``; the smallest valid file is::

    name: caesarean
    outcome: cs
    covariates:
      age_band: {type: categorical, reference: "25_29"}
      prev_cs: {type: binary}

The rule every shipped specification follows: never adjust for what the care process
itself decides (induction or epidural when comparing caesareans). Covariates named in
:data:`CARE_PROCESS` are refused unless the spec lists them under ``allow_care_process``
with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.schema import shipped_yaml

__all__ = [
    "Covariate",
    "CaseMixSpec",
    "load_spec",
    "parse_spec",
    "shipped_specs",
    "CARE_PROCESS",
    "COVARIATE_TYPES",
    "MISSING_POLICIES",
    "FAMILIES",
]

#: Covariate kinds a spec may use.
COVARIATE_TYPES = ("categorical", "binary", "continuous")
#: What happens to records with a missing covariate value.
MISSING_POLICIES = ("unknown", "complete_case", "impute")
#: Outcome models: logistic for 0/1 outcomes, gamma with log link for costs.
FAMILIES = ("binomial", "gamma")
#: Unit levels and the analysis-table columns they stand for.
UNIT_LEVELS = ("hospital", "region", "practice")

#: Columns recorded by the care process itself; adjusting for them would hide the
#: very practice differences a benchmark is meant to show (domain.md section 7).
CARE_PROCESS = frozenset(
    {
        "onset",
        "induction",
        "augmentation",
        "pain_relief",
        "pain_relief_method",
        "epidural",
        "mode",
        "cs",
        "instrumental",
        "episiotomy",
        "cs_indication",
        "referral_pregnancy",
        "referral_labour",
        "referral_postpartum",
        "line_at_birth",
        "intended_place",
        "actual_place",
        "birth_source",
    }
)

_TOP_FIELDS = {
    "name",
    "title",
    "description",
    "outcome",
    "family",
    "population",
    "unit",
    "units",
    "covariates",
    "interactions",
    "missing",
    "random_effects",
    "rationale",
    "not_adjusted_for",
    "allow_care_process",
    "better",
}
_COV_FIELDS = {
    "type",
    "reference",
    "column",
    "bands",
    "labels",
    "spline",
    "rationale",
    "unknown",
}


@dataclass(frozen=True)
class Covariate:
    """One adjustment variable.

    Attributes
    ----------
    name : str
        Name used in the model terms (``age_band``).
    type : str
        ``categorical`` (one term per non-reference level), ``binary`` (a 0/1 column,
        one term) or ``continuous`` (cut into ``bands``, a natural ``spline``, or linear).
    column : str
        Column of the input table (default: ``name``).
    reference : str or None
        Reference level of a categorical (or banded continuous) covariate.
    bands : tuple of float
        Cut points of a banded continuous covariate; band ``[a, b)`` is labelled ``a_b``,
        the outer ones ``<a`` and ``b+``.
    spline_df : int or None
        Degrees of freedom of a natural cubic regression spline (patsy ``cr``).
    rationale : str
        Why the variable is in the model, in one sentence for the mirror meeting.
    unknown : str
        Under the ``unknown`` missing-data policy: ``own`` (missing values form their own
        ``unknown`` level, the default) or ``reference`` (they join the reference level).
    """

    name: str
    type: str
    column: str
    reference: str | None = None
    bands: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    spline_df: int | None = None
    rationale: str = ""
    unknown: str = "own"

    @property
    def is_categorical(self) -> bool:
        """True when the covariate enters as categories (categorical, binary or banded)."""
        return self.type in ("categorical", "binary") or bool(self.bands)


@dataclass(frozen=True)
class CaseMixSpec:
    """A parsed, checked case-mix specification (see ``case_mix/README.md``).

    Examples
    --------
    >>> spec = parse_spec({"name": "caesarean", "outcome": "cs",
    ...                    "covariates": {"prev_cs": {"type": "binary"}}})
    >>> spec.unit, spec.family, spec.missing, spec.random_effects
    ('hospital', 'binomial', 'unknown', True)
    """

    name: str
    outcome: str
    covariates: tuple[Covariate, ...]
    population: str | None = None
    unit: str = "hospital"
    units: tuple[str, ...] = UNIT_LEVELS
    family: str = "binomial"
    interactions: tuple[tuple[str, str], ...] = ()
    missing: str = "unknown"
    imputations: int = 10
    random_effects: bool = True
    title: str = ""
    rationale: str = ""
    not_adjusted_for: tuple[tuple[str, str], ...] = ()
    better: str = "lower"
    source: str = "<dict>"
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def covariate(self, name: str) -> Covariate:
        """The covariate called ``name``."""
        for cov in self.covariates:
            if cov.name == name:
                return cov
        raise KeyError(name)

    def columns(self) -> set[str]:
        """Input columns the covariates read."""
        return {c.column for c in self.covariates}


#: The package folder of the shipped specs (the repository's ``case_mix/`` is the readable
#: copy of the same files; a test keeps the two equal byte for byte).
SHIPPED_SPECS = "case_mix"


def _shipped():
    """The shipped specs' folder as an :mod:`importlib.resources` traversable."""
    return resources.files(__package__).joinpath(SHIPPED_SPECS)


def shipped_specs() -> list[str]:
    """Names of the case-mix specs shipped with the package (package data).

    They are read with :mod:`importlib.resources`, so they are found the same way from a
    repository checkout and from an installed wheel, whatever the working directory.

    Examples
    --------
    >>> {"caesarean", "cost", "pph"} <= set(shipped_specs())
    True
    """
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _shipped().iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    )


def _is_name(spec: str | Path) -> bool:
    """A bare name (``"caesarean"``): a string with no folder and no file suffix."""
    text = str(spec)
    return isinstance(spec, str) and "/" not in text and "\\" not in text and not Path(text).suffix


def load_spec(spec: str | Path | dict | CaseMixSpec) -> CaseMixSpec:
    """Read a case-mix specification.

    A bare name (``"caesarean"``) is always one of the shipped specs, never a file in
    the working directory; a spec of your own is given by its path
    (``"my_specs/caesarean_local.yaml"``, ``Path("caesarean.yaml")``).

    Parameters
    ----------
    spec : str, Path, dict or CaseMixSpec
        A YAML file, the name of a shipped spec (``"caesarean"`` reads the package's
        copy of ``case_mix/caesarean.yaml``), a mapping with the same fields, or a spec.

    Returns
    -------
    CaseMixSpec

    Raises
    ------
    SpecError
        The name is not a shipped spec, the file is missing, is not valid YAML, or a
        field is wrong; the message names the field and the allowed values.

    Examples
    --------
    >>> load_spec("caesarean").outcome
    'cs'
    >>> load_spec({"name": "x", "outcome": "y", "covariates": {}}).covariates
    ()
    """
    if isinstance(spec, CaseMixSpec):
        return spec
    if isinstance(spec, dict):
        return parse_spec(spec)
    import yaml

    if _is_name(spec):
        entry = _shipped().joinpath(f"{spec}.yaml")
        if not entry.is_file():
            raise SpecError(
                f"no shipped case-mix spec {spec!r}; shipped: {', '.join(shipped_specs())}. "
                "A spec of your own is given by its path (e.g. ./my_spec.yaml)"
            )
        text, where = entry.read_text(encoding="utf-8"), f"case_mix/{spec}.yaml (shipped)"
    else:
        path = Path(spec)
        if not path.is_file():
            hint = ""
            if path.stem in shipped_specs():
                hint = f"; the shipped spec of that name is given without folder or suffix: {path.stem!r}"
            raise SpecError(f"case-mix spec {str(path)!r}: no such file{hint}")
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        data = shipped_yaml(text) if _is_name(spec) else yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"case-mix spec {where}: not valid YAML: {exc}") from None
    return parse_spec(data, where)


def _as_str(value: Any) -> str:
    """YAML turns ``reference: 0`` into an int; levels are compared as text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _covariate(name: str, entry: Any, where: str) -> Covariate:
    if entry is None:
        entry = {"type": "categorical"}
    if isinstance(entry, str):
        entry = {"type": entry}
    if not isinstance(entry, dict):
        raise SpecError(f"{where}: covariate {name!r} must be a mapping such as {{type: binary}}")
    unknown = sorted(set(entry) - _COV_FIELDS)
    if unknown:
        raise SpecError(
            f"{where}: covariate {name!r} has unknown field(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(_COV_FIELDS))}"
        )
    kind = entry.get("type")
    if kind not in COVARIATE_TYPES:
        raise SpecError(
            f"{where}: covariate {name!r} has type {kind!r}; expected one of "
            f"{', '.join(COVARIATE_TYPES)}"
        )
    reference = entry.get("reference")
    reference = None if reference is None else _as_str(reference)
    bands: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    spline_df = None
    if kind == "continuous":
        if "bands" in entry and "spline" in entry:
            raise SpecError(f"{where}: covariate {name!r}: give bands or spline, not both")
        if "bands" in entry:
            try:
                bands = tuple(float(b) for b in entry["bands"])
            except (TypeError, ValueError):
                raise SpecError(
                    f"{where}: covariate {name!r}: bands must be a list of numbers, "
                    f"found {entry['bands']!r}"
                ) from None
            if not bands or list(bands) != sorted(set(bands)):
                raise SpecError(f"{where}: covariate {name!r}: bands must be increasing cut points")
            if "labels" in entry:
                labels = tuple(_as_str(x) for x in entry["labels"])
                if len(labels) != len(bands) + 1:
                    raise SpecError(
                        f"{where}: covariate {name!r}: {len(bands)} cut points make "
                        f"{len(bands) + 1} bands but {len(labels)} labels are given"
                    )
        if "spline" in entry:
            spline = entry["spline"]
            df = spline.get("df") if isinstance(spline, dict) else spline
            if not isinstance(df, int) or df < 2:
                raise SpecError(
                    f"{where}: covariate {name!r}: spline needs an integer df of 2 or more, "
                    "e.g. spline: {df: 4}"
                )
            spline_df = df
        if reference is not None and not bands:
            raise SpecError(
                f"{where}: covariate {name!r}: a reference level needs bands "
                "(a spline or linear term has no reference level)"
            )
    elif "bands" in entry or "spline" in entry:
        raise SpecError(f"{where}: covariate {name!r}: bands and spline are for continuous ones")
    if kind == "binary" and reference not in (None, "0"):
        raise SpecError(f"{where}: covariate {name!r}: a binary covariate's reference is 0")
    unknown = str(entry.get("unknown", "own"))
    if unknown not in ("own", "reference"):
        raise SpecError(
            f"{where}: covariate {name!r}: unknown must be 'own' (its own level) or "
            f"'reference' (join the reference level), found {unknown!r}"
        )
    return Covariate(
        unknown=unknown,
        name=name,
        type=kind,
        column=str(entry.get("column", name)),
        reference=reference,
        bands=bands,
        labels=labels,
        spline_df=spline_df,
        rationale=str(entry.get("rationale", "")).strip(),
    )


def parse_spec(data: Any, where: str = "case-mix spec") -> CaseMixSpec:
    """Check a mapping (the YAML content) and turn it into a :class:`CaseMixSpec`.

    Examples
    --------
    >>> parse_spec({"name": "x", "outcome": "cs", "covariates": {"onset": {"type": "categorical"}}})
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: case-mix spec: covariate 'onset' is decided by the care process ...
    """
    if not isinstance(data, dict):
        raise SpecError(f"{where}: must be a mapping of fields (name, outcome, covariates, ...)")
    unknown = sorted(set(data) - _TOP_FIELDS)
    if unknown:
        raise SpecError(
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_TOP_FIELDS))}"
        )
    for required in ("name", "outcome"):
        if not data.get(required):
            raise SpecError(f"{where}: field {required!r} is required")
    covs = data.get("covariates") or {}
    if not isinstance(covs, dict):
        raise SpecError(f"{where}: covariates must be a mapping name -> {{type: ...}}")
    allowed_cp = data.get("allow_care_process") or {}
    if not isinstance(allowed_cp, dict):
        raise SpecError(f"{where}: allow_care_process must map a variable to the reason")
    covariates = []
    for name, entry in covs.items():
        cov = _covariate(str(name), entry, where)
        if (cov.name in CARE_PROCESS or cov.column in CARE_PROCESS) and cov.name not in allowed_cp:
            raise SpecError(
                f"{where}: covariate {cov.name!r} is decided by the care process itself; "
                "adjusting for it would hide the differences in practice the benchmark is "
                "meant to show. Remove it, or list it under allow_care_process with a reason."
            )
        covariates.append(cov)
    names = {c.name for c in covariates}
    interactions = []
    for item in data.get("interactions") or []:
        pair = item.split(":") if isinstance(item, str) else item
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise SpecError(
                f"{where}: interaction {item!r} must name two covariates, e.g. 'parity:age_band'"
            )
        a, b = (str(x).strip() for x in pair)
        for x in (a, b):
            if x not in names:
                raise SpecError(
                    f"{where}: interaction {a}:{b} uses {x!r}, which is not a covariate"
                )
        if a == b:
            raise SpecError(f"{where}: interaction {a}:{b} needs two different covariates")
        interactions.append((a, b))
    missing = data.get("missing", "unknown")
    imputations = 10
    if isinstance(missing, dict):
        imputations = int(missing.get("imputations", imputations))
        missing = missing.get("policy", "unknown")
    if missing not in MISSING_POLICIES:
        raise SpecError(
            f"{where}: missing policy {missing!r}; expected one of {', '.join(MISSING_POLICIES)}"
        )
    if imputations < 2:
        raise SpecError(f"{where}: multiple imputation needs at least 2 imputations")
    family = data.get("family", "binomial")
    if family not in FAMILIES:
        raise SpecError(f"{where}: family {family!r}; expected one of {', '.join(FAMILIES)}")
    units = tuple(data.get("units") or UNIT_LEVELS)
    unit = str(data.get("unit") or "hospital")
    random_effects = data.get("random_effects", True)
    if not isinstance(random_effects, bool):
        raise SpecError(f"{where}: random_effects must be true or false")
    population = data.get("population")
    if population is not None:
        from saz_geboortezorg.expressions import columns_used

        try:
            columns_used(str(population))
        except SpecError as exc:
            raise SpecError(f"{where}: population: {exc}") from None
        population = str(population)
    not_adjusted = data.get("not_adjusted_for") or {}
    if not isinstance(not_adjusted, dict):
        raise SpecError(f"{where}: not_adjusted_for must map a variable to the reason")
    better = data.get("better", "lower")
    if better not in ("lower", "higher", "neither"):
        raise SpecError(f"{where}: better must be lower, higher or neither")
    return CaseMixSpec(
        name=str(data["name"]),
        outcome=str(data["outcome"]),
        covariates=tuple(covariates),
        population=population,
        unit=unit,
        units=units,
        family=family,
        interactions=tuple(interactions),
        missing=missing,
        imputations=imputations,
        random_effects=random_effects,
        title=str(data.get("title", "")),
        rationale=str(data.get("rationale", "")).strip(),
        not_adjusted_for=tuple((str(k), str(v)) for k, v in not_adjusted.items()),
        better=better,
        source=where,
        raw=dict(data),
    )
