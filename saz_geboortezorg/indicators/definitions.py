"""Reading and checking the indicator catalogue (``catalogue.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.expressions import columns_used
from saz_geboortezorg.schema import shipped_yaml

__all__ = [
    "Indicator",
    "Exclusion",
    "load_catalogue",
    "DOMAINS",
    "LEVELS",
    "UNITS",
    "BETTER",
    "ATTRIBUTIONS",
]

DOMAINS = ("mother", "child", "process", "care_path", "cost")
LEVELS = ("woman", "baby")
UNITS = {"percent": 100.0, "per_1000": 1000.0, "euro": 1.0}
BETTER = ("lower", "higher", "neither")
#: Who an outcome is counted against: the unit where care started (``booking``, intention
#: to treat) or the unit responsible at birth (``birth``); see catalogue.yaml.
ATTRIBUTIONS = ("booking", "birth")
REQUIRED = ("id", "name_nl", "name_en", "domain", "level", "population", "unit", "better", "source")


@dataclass(frozen=True)
class Exclusion:
    """Records removed from the denominator, with the reason reported to the user."""

    reason: str
    when: str


@dataclass(frozen=True)
class Indicator:
    """One indicator definition (see catalogue.yaml for the meaning of each field)."""

    id: str
    name_nl: str
    name_en: str
    domain: str
    level: str
    population: str
    unit: str
    better: str
    source: str
    numerator: str | None = None
    value: str | None = None
    population_text: str = ""
    exclusions: tuple[Exclusion, ...] = field(default_factory=tuple)
    case_mix: str | None = None
    attribution: str = "birth"

    @property
    def multiplier(self) -> float:
        """Factor from a proportion to the reported unit (100 for %, 1000 for per 1,000)."""
        return UNITS[self.unit]

    @property
    def is_mean(self) -> bool:
        """True for indicators that average an amount (cost) instead of counting events."""
        return self.value is not None

    def columns(self) -> set[str]:
        """Every column the definition needs."""
        needed = columns_used(self.population)
        for exclusion in self.exclusions:
            needed |= columns_used(exclusion.when)
        if self.numerator:
            needed |= columns_used(self.numerator)
        if self.value:
            needed.add(self.value)
        return needed


def parse(entry: dict[str, Any], where: str = "catalogue") -> Indicator:
    """Check one catalogue entry and turn it into an :class:`Indicator`."""
    if not isinstance(entry, dict):
        raise SpecError(f"{where}: every indicator must be a mapping of fields, found {entry!r}")
    ident = entry.get("id", "<no id>")
    lacking = [k for k in REQUIRED if entry.get(k) in (None, "")]
    if lacking:
        raise SpecError(f"{where}: indicator {ident!r} lacks field(s) {', '.join(lacking)}")
    known = set(Indicator.__dataclass_fields__)
    unknown = sorted(set(entry) - known)
    if unknown:
        raise SpecError(f"{where}: indicator {ident!r} has unknown field(s) {', '.join(unknown)}")
    for name, allowed in (
        ("domain", DOMAINS),
        ("level", LEVELS),
        ("unit", UNITS),
        ("better", BETTER),
        ("attribution", ATTRIBUTIONS),
    ):
        if entry.get(name, "birth") not in allowed:
            raise SpecError(
                f"{where}: indicator {ident!r} has {name} {entry[name]!r}; "
                f"expected one of {', '.join(allowed)}"
            )
    if bool(entry.get("numerator")) == bool(entry.get("value")):
        raise SpecError(
            f"{where}: indicator {ident!r} needs either a numerator (events) or a value (amount)"
        )
    exclusions = []
    for item in entry.get("exclusions") or []:
        if not isinstance(item, dict) or set(item) != {"reason", "when"}:
            raise SpecError(
                f"{where}: indicator {ident!r}: each exclusion needs exactly 'reason' and 'when'"
            )
        exclusions.append(Exclusion(str(item["reason"]), str(item["when"])))
    indicator = Indicator(**{**entry, "exclusions": tuple(exclusions)})
    try:
        indicator.columns()  # parses every expression
    except SpecError as exc:
        raise SpecError(f"{where}: indicator {ident!r}: {exc}") from None
    return indicator


def load_catalogue(path: str | Path | None = None) -> dict[str, Indicator]:
    """Read a catalogue file (default: the one shipped with the package).

    Examples
    --------
    >>> pph = load_catalogue()["pph"]
    >>> pph.numerator, pph.unit, [e.reason for e in pph.exclusions]
    ('blood_loss >= 1000', 'percent', ['gestational age unknown', 'blood loss not registered'])
    >>> sorted(pph.columns())
    ['blood_loss', 'ga_days']
    """
    if path is None:
        return dict(_shipped())
    return _read(Path(path).read_text(encoding="utf-8"), str(path))


@cache
def _shipped() -> tuple[tuple[str, Indicator], ...]:
    text = resources.files(__package__).joinpath("catalogue.yaml").read_text(encoding="utf-8")
    return tuple(_read(text, "catalogue.yaml", shipped=True).items())


def _read(text: str, where: str, *, shipped: bool = False) -> dict[str, Indicator]:
    import yaml

    try:
        data = shipped_yaml(text) if shipped else yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{where} is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
        raise SpecError(f"{where} must have a list 'indicators:'")
    out: dict[str, Indicator] = {}
    for entry in data["indicators"]:
        indicator = parse(entry, where)
        if indicator.id in out:
            raise SpecError(f"{where}: indicator id {indicator.id!r} is defined twice")
        out[indicator.id] = indicator
    return out
