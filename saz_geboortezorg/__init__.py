"""saz_geboortezorg: open benchmarking of value-based maternity care.

The toolkit behind the SAZ waardegedreven zorgprogramma geboortezorg (value-based
maternity care programme of the SAZ hospitals) analyses: it links Perined first-line
(LVR-1) and second-line (LVR-2) registry extracts with DBC hospital claims, derives
indicators, fits case-mix models and draws funnel plots.

The public API
--------------
Everything a notebook or script needs is one attribute of this package; nothing has
to be imported from the internal modules (``compare``, ``derive``, ``monitor``, ...),
which may move between releases.

- **Analyses, flat under** ``sg.*``: loading (``load``, ``Dataset``, ``add_derived``), indicators
  (``compute``, ``get_indicator``, ``group_rates``, ``outcomes_by_flag``, ``robson_table``),
  user indicators and theme filters (``define_indicator``, ``define_theme``,
  ``check_indicator``, ``user_catalogue_path``, ``read_user_catalogue``,
  ``save_user_entry``, ``remove_user_entry``; ``catalogue=`` on ``compute``,
  ``benchmark`` and ``Explorer``),
  comparison of units (``funnel``, ``casemix``, ``load_spec``, ``benchmark``,
  ``BenchmarkCache``, ``unit_table``, ``funnel_for``, ``crude_vs_adjusted``), equity
  (``equity_table``, ``inequality_gap``), association (``odds_ratios``,
  ``feature_comparison``, ``hospital_features``), case mix (``case_mix_profile``,
  ``place_of_birth``), costs and value (``cost_per_pregnancy``, ``cost_summary``,
  ``cost_drivers``, ``value_view``), care paths (``care_flows``, ``flow_links``,
  ``referral_rates``, ``referral_funnel``, ``referral_reasons``), monitoring over time
  (``period_rates``, ``indicator_records``, ``run_chart``, ``p_chart``,
  ``run_chart_false_alarm``, ``p_chart_false_alarm``, ``family_false_alarm``,
  ``monitor_unit``, ``expected_log_odds``, ``segmented_regression``, ``change_point``),
  notes for tables (``attribution_lines``, ``unit_notes``, ``nicu_units``) and the
  dashboard (``Explorer``, ``indicator_editor``).
- **Charts**: a result that knows its chart draws it with ``.chart()`` (funnel,
  benchmark, case-mix, positions, value view); every chart function is also
  ``sg.charts.<name>`` (one lazy namespace over :mod:`saz_geboortezorg.present`), e.g.
  ``sg.charts.rate_chart`` or ``sg.charts.cusum_plot``.
- **Notebook set-up**: ``sg.setup()`` (offline chart rendering, readable tables).
- **Modules kept for their contents**: ``sg.indicators`` (the catalogue),
  ``sg.synthetic`` (the synthetic data with a known truth), ``sg.io``, ``sg.schema``,
  ``sg.explore``.

One vocabulary runs through all of them: ``unit=`` is the level of comparison
(``"hospital"``, ``"region"``, ``"practice"``; for a table, its unit column), ``by=`` only
groups by columns, ``confidence=`` is a confidence level (0.95) and ``highlight=`` is 'my
unit'. Older argument names still work for one release, with a DeprecationWarning
(:mod:`saz_geboortezorg.deprecation`).

Importing the package is cheap: names are resolved on first use, and pandas,
statsmodels, altair and ipywidgets are imported only by the functions that need them.

Examples
--------
>>> import saz_geboortezorg as sg
>>> data = sg.load(sg.synthetic.default_dataset())                # doctest: +SKIP
>>> sg.setup()                                                    # doctest: +SKIP
>>> cs = sg.compute(data, "cs", unit="region")                    # doctest: +SKIP
>>> sg.charts.rate_chart(cs, highlight="R05")                     # doctest: +SKIP
>>> sg.funnel(cs, "numerator", "denominator", unit="unit", data_type="PR").chart()  # doctest: +SKIP
>>> sg.casemix(data, "caesarean", unit="region").summary()        # doctest: +SKIP

Every public name resolves to the function of its home module:

>>> sg.compute is sg.indicators.compute
True
>>> sg.charts.funnel_chart.__name__
'funnel_chart'
"""

from __future__ import annotations

import importlib
from typing import Any

from saz_geboortezorg.version import __version__

# Public names resolved lazily: name -> (module, attribute or None for the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    # data
    "load": ("saz_geboortezorg.derive.tables", "load"),
    "add_derived": ("saz_geboortezorg.derive.tables", "add_derived"),
    "Dataset": ("saz_geboortezorg.io", "Dataset"),
    # indicators
    "compute": ("saz_geboortezorg.indicators", "compute"),
    "get_indicator": ("saz_geboortezorg.indicators", "get"),
    "IndicatorRates": ("saz_geboortezorg.indicators.indicator_rates", "IndicatorRates"),
    "RateTable": ("saz_geboortezorg.indicators.rate_table", "RateTable"),
    "group_rates": ("saz_geboortezorg.compare.subgroups", "group_rates"),
    "outcomes_by_flag": ("saz_geboortezorg.compare.subgroups", "outcomes_by_flag"),
    "robson_table": ("saz_geboortezorg.derive.robson", "robson_table"),
    # the user catalogue: indicators and theme filters lead professionals define
    "define_indicator": ("saz_geboortezorg.indicators.user", "define_indicator"),
    "define_theme": ("saz_geboortezorg.indicators.user", "define_theme"),
    "user_catalogue_path": ("saz_geboortezorg.indicators.user", "user_catalogue_path"),
    "read_user_catalogue": ("saz_geboortezorg.indicators.user", "read_user_catalogue"),
    "save_user_entry": ("saz_geboortezorg.indicators.user", "save_user_entry"),
    "remove_user_entry": ("saz_geboortezorg.indicators.user", "remove_user_entry"),
    "check_indicator": ("saz_geboortezorg.explore.editor", "check_indicator"),
    "indicator_editor": ("saz_geboortezorg.explore.editor", "indicator_editor"),
    # comparing units
    "funnel": ("saz_geboortezorg.compare.funnel", "funnel"),
    "casemix": ("saz_geboortezorg.model", "casemix"),
    "load_spec": ("saz_geboortezorg.model", "load_spec"),
    "benchmark": ("saz_geboortezorg.compare.benchmark", "benchmark"),
    "BenchmarkCache": ("saz_geboortezorg.compare.benchmark", "BenchmarkCache"),
    "unit_table": ("saz_geboortezorg.compare.benchmark", "unit_table"),
    "funnel_for": ("saz_geboortezorg.compare.benchmark", "funnel_for"),
    "crude_vs_adjusted": ("saz_geboortezorg.compare.positions", "crude_vs_adjusted"),
    # equity and association
    "equity_table": ("saz_geboortezorg.compare.equity", "equity_table"),
    "inequality_gap": ("saz_geboortezorg.compare.equity", "inequality_gap"),
    "odds_ratios": ("saz_geboortezorg.compare.association", "odds_ratios"),
    "feature_comparison": (
        "saz_geboortezorg.compare.organisation_features",
        "feature_comparison",
    ),
    "hospital_features": ("saz_geboortezorg.compare.organisation_features", "hospital_features"),
    # case mix of the population
    "case_mix_profile": ("saz_geboortezorg.derive.profile", "case_mix_profile"),
    "place_of_birth": ("saz_geboortezorg.derive.profile", "place_of_birth"),
    # costs and value
    "cost_per_pregnancy": ("saz_geboortezorg.derive.costs", "cost_per_pregnancy"),
    "cost_summary": ("saz_geboortezorg.derive.costs", "cost_summary"),
    "cost_drivers": ("saz_geboortezorg.derive.costs", "cost_drivers"),
    "value_view": ("saz_geboortezorg.compare.value", "value_view"),
    # care paths
    "care_flows": ("saz_geboortezorg.derive.flows", "care_flows"),
    "flow_links": ("saz_geboortezorg.derive.flows", "flow_links"),
    "referral_rates": ("saz_geboortezorg.derive.flows", "referral_rates"),
    "referral_funnel": ("saz_geboortezorg.compare.referrals", "referral_funnel"),
    "referral_reasons": ("saz_geboortezorg.derive.flows", "referral_reasons"),
    # monitoring over time
    "period_rates": ("saz_geboortezorg.monitor.periods", "period_rates"),
    "trend_table": ("saz_geboortezorg.monitor.trends", "trend_table"),
    "TrendTable": ("saz_geboortezorg.monitor.trends", "TrendTable"),
    "indicator_records": ("saz_geboortezorg.monitor.periods", "indicator_records"),
    "run_chart": ("saz_geboortezorg.monitor.spc", "run_chart"),
    "p_chart": ("saz_geboortezorg.monitor.spc", "p_chart"),
    "run_chart_false_alarm": ("saz_geboortezorg.monitor.spc", "run_chart_false_alarm"),
    "p_chart_false_alarm": ("saz_geboortezorg.monitor.spc", "p_chart_false_alarm"),
    "family_false_alarm": ("saz_geboortezorg.monitor.spc", "family_false_alarm"),
    "monitor_unit": ("saz_geboortezorg.monitor.unit", "monitor_unit"),
    "expected_log_odds": ("saz_geboortezorg.monitor.risk_adjusted", "expected_log_odds"),
    "segmented_regression": ("saz_geboortezorg.monitor.its", "segmented_regression"),
    "change_point": ("saz_geboortezorg.monitor.change_point", "change_point"),
    # notes that go with tables
    "attribution_lines": ("saz_geboortezorg.compare.attribution", "attribution_lines"),
    "unit_notes": ("saz_geboortezorg.compare.attribution", "unit_notes"),
    "nicu_units": ("saz_geboortezorg.compare.attribution", "nicu_units"),
    # presenting
    "charts": ("saz_geboortezorg.charts", None),
    "setup": ("saz_geboortezorg.present.notebook", "setup"),
    "Explorer": ("saz_geboortezorg.explore", "Explorer"),
    # modules kept for their contents
    "indicators": ("saz_geboortezorg.indicators", None),
    "synthetic": ("saz_geboortezorg.synthetic", None),
    "explore": ("saz_geboortezorg.explore", None),
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
