"""saz_geboortezorg: open benchmarking of value-based maternity care.

The toolkit behind the SAZ waardegedreven zorgprogramma geboortezorg analyses:
it links Perined first-line (LVR-1) and second-line (LVR-2) registry extracts with
DBC hospital claims, derives indicators, fits case-mix models and draws funnel plots.

Importing the package is cheap: pandas, statsmodels, altair and ipywidgets are
imported only by the functions that need them.

Examples
--------
>>> import saz_geboortezorg as sg
>>> data = sg.load(sg.synthetic.default_dataset())          # doctest: +SKIP
>>> data.linkage                                             # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from saz_geboortezorg.version import __version__

# Public names resolved lazily: name -> (module, attribute or None for the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    "load": ("saz_geboortezorg.io", "load"),
    "Dataset": ("saz_geboortezorg.io", "Dataset"),
    "compute": ("saz_geboortezorg.indicators", "compute"),
    "casemix": ("saz_geboortezorg.model", "casemix"),
    "indicators": ("saz_geboortezorg.indicators", None),
    "funnel": ("saz_geboortezorg.compare.funnel", "funnel"),
    "value_view": ("saz_geboortezorg.compare.value", "value_view"),
    "benchmark": ("saz_geboortezorg.compare.benchmark", "benchmark"),
    "unit_table": ("saz_geboortezorg.compare.benchmark", "unit_table"),
    "BenchmarkCache": ("saz_geboortezorg.compare.benchmark", "BenchmarkCache"),
    "crude_vs_adjusted": ("saz_geboortezorg.compare.positions", "crude_vs_adjusted"),
    "explore": ("saz_geboortezorg.explore", None),
    "Explorer": ("saz_geboortezorg.explore", "Explorer"),
    "cost_per_pregnancy": ("saz_geboortezorg.derive.costs", "cost_per_pregnancy"),
    "care_flows": ("saz_geboortezorg.derive.flows", "care_flows"),
    "synthetic": ("saz_geboortezorg.synthetic", None),
    "io": ("saz_geboortezorg.io", None),
    "schema": ("saz_geboortezorg.schema", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'saz_geboortezorg' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
