"""The flat public API: ``import saz_geboortezorg as sg`` is all a notebook needs.

Analyses are flat under ``sg.*``, charts under ``sg.charts.*``, the notebook set-up is
``sg.setup()``. Importing the package stays cheap: the names resolve on first use.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import saz_geboortezorg as sg

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: Per notebook, what it uses from the toolkit besides ``load`` and ``synthetic``: the
#: public name (``sg.<name>`` or ``sg.charts.<name>``) and where the notebooks imported it
#: from before the flat API (module, attribute).
NEEDS: dict[str, dict[str, tuple[str, str]]] = {
    "00_start_hier": {
        "attribution_lines": ("compare.attribution", "attribution_lines"),
        "case_mix_profile": ("derive.profile", "case_mix_profile"),
        "place_of_birth": ("derive.profile", "place_of_birth"),
        "robson_table": ("derive.robson", "robson_table"),
        "setup": ("present.notebook", "setup"),
        "charts.place_of_birth_chart": ("present.profile_chart", "place_of_birth_chart"),
        "charts.rate_chart": ("present.rates_chart", "rate_chart"),
        "benchmark": ("compare.benchmark", "benchmark"),
        "compute": ("indicators", "compute"),
        "funnel": ("compare.funnel", "funnel"),
    },
    "01_kwetsbare_zwangeren": {
        "BenchmarkCache": ("compare.benchmark", "BenchmarkCache"),
        "funnel_for": ("compare.benchmark", "funnel_for"),
        "unit_table": ("compare.benchmark", "unit_table"),
        "equity_table": ("compare.equity", "equity_table"),
        "inequality_gap": ("compare.equity", "inequality_gap"),
        "group_rates": ("compare.subgroups", "group_rates"),
        "charts.gradient_chart": ("present.equity_chart", "gradient_chart"),
        "charts.sii_chart": ("present.equity_chart", "sii_chart"),
        "setup": ("present.notebook", "setup"),
        "compute": ("indicators", "compute"),
    },
    "02_pijnstilling": {
        "odds_ratios": ("compare.association", "odds_ratios"),
        "feature_comparison": ("compare.organisation_features", "feature_comparison"),
        "hospital_features": ("compare.organisation_features", "hospital_features"),
        "group_rates": ("compare.subgroups", "group_rates"),
        "setup": ("present.notebook", "setup"),
        "charts.rate_chart": ("present.rates_chart", "rate_chart"),
        "compute": ("indicators", "compute"),
        "funnel": ("compare.funnel", "funnel"),
    },
    "03_zorg_buiten_richtlijnen": {
        "benchmark": ("compare.benchmark", "benchmark"),
        "group_rates": ("compare.subgroups", "group_rates"),
        "outcomes_by_flag": ("compare.subgroups", "outcomes_by_flag"),
        "setup": ("present.notebook", "setup"),
        "charts.rate_chart": ("present.rates_chart", "rate_chart"),
        "compute": ("indicators", "compute"),
        "funnel": ("compare.funnel", "funnel"),
    },
    "04_uitkomsten_en_kosten": {
        "attribution_lines": ("compare.attribution", "attribution_lines"),
        "unit_notes": ("compare.attribution", "unit_notes"),
        "cost_drivers": ("derive.costs", "cost_drivers"),
        "cost_per_pregnancy": ("derive.costs", "cost_per_pregnancy"),
        "cost_summary": ("derive.costs", "cost_summary"),
        "get_indicator": ("indicators", "get"),
        "setup": ("present.notebook", "setup"),
        "charts.cost_drivers_chart": ("present.value_chart", "cost_drivers_chart"),
        "charts.cost_summary_chart": ("present.value_chart", "cost_summary_chart"),
        "value_view": ("compare.value", "value_view"),
    },
    "05_zorgstromen": {
        "care_flows": ("derive.flows", "care_flows"),
        "flow_links": ("derive.flows", "flow_links"),
        "referral_funnel": ("compare.referrals", "referral_funnel"),
        "referral_rates": ("derive.flows", "referral_rates"),
        "referral_reasons": ("derive.flows", "referral_reasons"),
        "charts.flow_chart": ("present.flow_chart", "flow_chart"),
        "charts.flow_shares_chart": ("present.flow_chart", "flow_shares_chart"),
        "charts.referral_funnel_chart": ("present.flow_chart", "referral_funnel_chart"),
        "charts.referral_reasons_chart": ("present.flow_chart", "referral_reasons_chart"),
        "setup": ("present.notebook", "setup"),
    },
    "06_casemix_modellen": {
        "attribution_lines": ("compare.attribution", "attribution_lines"),
        "nicu_units": ("compare.attribution", "nicu_units"),
        "crude_vs_adjusted": ("compare.positions", "crude_vs_adjusted"),
        "get_indicator": ("indicators", "get"),
        "load_spec": ("model", "load_spec"),
        "charts.calibration_chart": ("present.calibration_chart", "calibration_chart"),
        "setup": ("present.notebook", "setup"),
        "charts.positions_chart": ("present.positions_chart", "positions_chart"),
        "casemix": ("model", "casemix"),
        "funnel": ("compare.funnel", "funnel"),
    },
    "07_monitoring": {
        "family_false_alarm": ("monitor.spc", "family_false_alarm"),
        "p_chart": ("monitor.spc", "p_chart"),
        "p_chart_false_alarm": ("monitor.spc", "p_chart_false_alarm"),
        "run_chart": ("monitor.spc", "run_chart"),
        "run_chart_false_alarm": ("monitor.spc", "run_chart_false_alarm"),
        "monitor_unit": ("monitor.unit", "monitor_unit"),
        "change_point": ("monitor.change_point", "change_point"),
        "segmented_regression": ("monitor.its", "segmented_regression"),
        "indicator_records": ("monitor.periods", "indicator_records"),
        "period_rates": ("monitor.periods", "period_rates"),
        "expected_log_odds": ("monitor.risk_adjusted", "expected_log_odds"),
        "charts.change_point_plot": ("present.monitor_charts", "change_point_plot"),
        "charts.cusum_plot": ("present.monitor_charts", "cusum_plot"),
        "charts.its_plot": ("present.monitor_charts", "its_plot"),
        "charts.p_chart_plot": ("present.monitor_charts", "p_chart_plot"),
        "charts.run_chart_plot": ("present.monitor_charts", "run_chart_plot"),
        "charts.vlad_plot": ("present.monitor_charts", "vlad_plot"),
        "setup": ("present.notebook", "setup"),
        "casemix": ("model", "casemix"),
    },
    "dashboard": {
        "Explorer": ("explore", "Explorer"),
        # issue 19, co-designed: the indicator editor and its user catalogue file
        "indicator_editor": ("explore.editor", "indicator_editor"),
        "user_catalogue_path": ("indicators.user", "user_catalogue_path"),
    },
}


def _public(name: str):
    """``sg.<name>`` or ``sg.charts.<name>`` for ``"charts.<name>"``."""
    target = sg
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _code(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            # IPython magics and shell lines are not Python
            lines.append("" if line.lstrip().startswith(("%", "!")) else line)
        lines.append("")
    return "\n".join(lines)


def _internal_uses(source: str) -> set[tuple[str, str]]:
    """(module, attribute) of everything the code takes from internal modules: names
    imported from them, and the attributes used on imported internal modules
    (``from saz_geboortezorg.monitor import spc`` then ``spc.p_chart``)."""
    tree = ast.parse(source)
    uses: set[tuple[str, str]] = set()
    module_aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("saz_geboortezorg."):
            module = node.module.removeprefix("saz_geboortezorg.")
            for alias in node.names:
                full = f"saz_geboortezorg.{module}.{alias.name}"
                try:
                    importlib.import_module(full)
                except ImportError:
                    uses.add((module, alias.name))
                else:  # a module: what the code uses from it counts
                    module_aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_aliases
        ):
            uses.add((module_aliases[node.value.id], node.attr))
    return uses


def _sg_uses(source: str) -> set[str]:
    """``sg.<name>`` and ``sg.charts.<name>`` used in the code."""
    tree = ast.parse(source)
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "sg":
                used.add(node.attr)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "sg"
            and node.value.attr == "charts"
        ):
            used.add(f"charts.{node.attr}")
    return used


def test_every_public_name_resolves():
    assert "__version__" in sg.__all__
    for name in sg.__all__:
        assert getattr(sg, name) is not None, name
    assert len(sg.__all__) == len(set(sg.__all__))
    assert sorted(dir(sg)) == sorted(set(dir(sg)))
    assert set(sg.__all__) <= set(dir(sg))


def test_i15compute_result_classes_are_public():
    """The results of compute, unit_table and trend_table are flat names, the same
    classes the functions return (so ``isinstance(r, sg.RateTable)`` works)."""
    from saz_geboortezorg.indicators.indicator_rates import IndicatorRates
    from saz_geboortezorg.indicators.rate_table import RateTable
    from saz_geboortezorg.monitor.trends import TrendTable, trend_table

    assert sg.RateTable is RateTable and sg.IndicatorRates is IndicatorRates
    assert sg.TrendTable is TrendTable and sg.trend_table is trend_table
    assert {"RateTable", "IndicatorRates", "TrendTable", "trend_table"} <= set(sg.__all__)


def test_user_catalogue_functions_are_public():
    """Defining, checking and saving user indicators and themes is flat under ``sg``."""
    from saz_geboortezorg.explore import editor
    from saz_geboortezorg.indicators import user

    for name in (
        "define_indicator",
        "define_theme",
        "user_catalogue_path",
        "read_user_catalogue",
        "save_user_entry",
        "remove_user_entry",
    ):
        assert getattr(sg, name) is getattr(user, name) and name in sg.__all__, name
    assert sg.check_indicator is editor.check_indicator
    assert sg.indicator_editor is editor.indicator_editor


def test_every_chart_resolves_to_a_present_function():
    assert len(sg.charts.__all__) >= 20
    for name in sg.charts.__all__:
        chart = getattr(sg.charts, name)
        assert callable(chart) and chart.__name__ == name
        assert chart.__module__.startswith("saz_geboortezorg.present."), name


def test_an_unknown_name_is_a_clear_error():
    with pytest.raises(AttributeError, match="has no attribute 'nonsense'"):
        sg.nonsense  # noqa: B018
    with pytest.raises(AttributeError, match="no chart 'funnel'.*funnel_chart"):
        sg.charts.funnel  # noqa: B018


def test_importing_the_package_is_cheap():
    """No pandas, numpy, altair, statsmodels or scipy until a function needs them; nor
    for the chart namespace or a look at the names."""
    code = (
        "import sys, saz_geboortezorg as sg, saz_geboortezorg.charts\n"
        "dir(sg); dir(sg.charts); sg.__all__; sg.charts.__all__\n"
        "heavy = ['pandas', 'numpy', 'altair', 'statsmodels', 'scipy', 'ipywidgets']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("notebook", sorted(NEEDS))
def test_each_notebook_finds_what_it_needs_under_sg(notebook):
    """Every name a notebook needs is one attribute of the package, the same object as
    the internal one it imported before."""
    for public, (module, attribute) in NEEDS[notebook].items():
        internal = getattr(importlib.import_module(f"saz_geboortezorg.{module}"), attribute)
        assert _public(public) is internal, (notebook, public)


@pytest.mark.parametrize("notebook", sorted(NEEDS))
def test_the_list_covers_the_notebook(notebook):
    """While a notebook still imports internal modules, all it takes from them is in
    NEEDS; once it imports only the package, every ``sg.`` name it uses exists."""
    source = _code(NOTEBOOKS / f"{notebook}.ipynb")
    listed = set(NEEDS[notebook].values())
    assert _internal_uses(source) <= listed
    for name in _sg_uses(source):
        assert _public(name) is not None, (notebook, name)


def test_every_notebook_is_listed():
    assert {p.stem for p in NOTEBOOKS.glob("*.ipynb")} == set(NEEDS)


@pytest.mark.parametrize("notebook", sorted(NEEDS))
def test_notebooks_import_only_the_top_level_package(notebook):
    """Issue 15: a notebook imports ``saz_geboortezorg`` (as ``sg``) and nothing inside it."""
    tree = ast.parse(_code(NOTEBOOKS / f"{notebook}.ipynb"))
    internal = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("saz_geboortezorg"):
            internal.append(f"from {node.module} import ...")
        if isinstance(node, ast.Import):
            internal += [a.name for a in node.names if a.name.startswith("saz_geboortezorg.")]
    assert internal == [], f"{notebook} imports internal modules: {internal}"
