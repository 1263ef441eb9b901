"""Every chart of the toolkit under one name: ``sg.charts.<name>``.

The chart functions live in :mod:`saz_geboortezorg.present` (one module per chart
family); this namespace re-exports them so that a notebook needs no internal import.
Like the top-level package it is lazy: a chart's module (and altair) is imported only
when the chart is first used. Results that know their chart have a ``.chart()``
method as well (funnel, benchmark, case-mix, positions, value view); the functions
here draw the tables the other analyses return.

Examples
--------
>>> import saz_geboortezorg as sg
>>> sg.charts.rate_chart.__module__
'saz_geboortezorg.present.rates_chart'
>>> "funnel_chart" in sg.charts.__all__ and "cusum_plot" in sg.charts.__all__
True
"""

from __future__ import annotations

import importlib
from typing import Any

#: Chart name -> module in saz_geboortezorg.present that defines it.
_CHARTS: dict[str, str] = {
    # benchmark and explorer
    "benchmark_chart": "benchmark_chart",
    "trend_chart": "benchmark_chart",
    "funnel_chart": "funnel_chart",
    "caterpillar_chart": "caterpillar",
    "positions_chart": "positions_chart",
    "calibration_chart": "calibration_chart",
    "rate_chart": "rates_chart",
    # case mix, equity, value
    "place_of_birth_chart": "profile_chart",
    "gradient_chart": "equity_chart",
    "sii_chart": "equity_chart",
    "value_chart": "value_chart",
    "cost_drivers_chart": "value_chart",
    "cost_summary_chart": "value_chart",
    "pregnancy_costs_chart": "value_chart",
    "robson_chart": "robson_chart",
    "stacked_shares_chart": "stacked_shares",
    # care paths
    "flow_chart": "flow_chart",
    "flow_shares_chart": "flow_chart",
    "referral_reasons_chart": "flow_chart",
    "referral_funnel_chart": "flow_chart",
    # monitoring over time
    "run_chart_plot": "monitor_charts",
    "p_chart_plot": "monitor_charts",
    "vlad_plot": "monitor_charts",
    "cusum_plot": "monitor_charts",
    "its_plot": "monitor_charts",
    "change_point_plot": "monitor_charts",
}

__all__ = sorted(_CHARTS)


def __getattr__(name: str) -> Any:
    try:
        module = _CHARTS[name]
    except KeyError:
        raise AttributeError(
            f"saz_geboortezorg.charts has no chart {name!r}; the charts are: {', '.join(__all__)}"
        ) from None
    value = getattr(importlib.import_module(f"saz_geboortezorg.present.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_CHARTS))
