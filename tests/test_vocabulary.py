"""One vocabulary: every renamed argument still works under its old name for one release.

``unit=`` is the level of comparison (or a table's unit column), ``by=`` only groups by
columns, ``confidence=`` is a confidence level and ``highlight=`` is 'my unit'. Each old
name must give the identical result and a DeprecationWarning that names the new
argument; the package itself never uses an old name (pyproject's filterwarnings turns
such a warning raised from inside saz_geboortezorg into an error).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pandas as pd
import pytest

import saz_geboortezorg
from saz_geboortezorg.deprecation import SazDeprecationWarning, renamed_arguments


def _women() -> pd.DataFrame:
    """Women by hand, with their derived columns (cs from the mode) as sg.load."""
    rng = np.random.default_rng(5)
    n = 600
    women = pd.DataFrame(
        {
            "pregnancy_id": [f"p{i}" for i in range(n)],
            "hospital_id": rng.choice(["H1", "H2", "H3"], n),
            "region_id": rng.choice(["R1", "R2"], n),
            "booking_region_id": rng.choice(["R1", "R2"], n),
            "booking_hospital_id": rng.choice(["H1", "H2", "H3"], n),
            "practice_id": rng.choice(["P1", "P2", "P3", "P4"], n),
            "ses_quintile": rng.choice(["1", "2", "3", "4", "5"], n),
            "ga_days": rng.integers(250, 295, n),
            "mode": rng.choice(["prelabour_cs", "spontaneous", "intrapartum_cs"], n),
            "start_line": rng.choice([1, 2], n),
            "referral_pregnancy": 0,
            "onset": "spontaneous",
            "referral_labour": rng.binomial(1, 0.35, n),
            "referral_labour_reason": rng.choice(["failure_to_progress", "meconium"], n),
        }
    )
    return saz_geboortezorg.add_derived(women)


def _rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["R1"] * 3 + ["R2"] * 3,
            "ses_quintile": ["1", "3", "5"] * 2,
            "numerator": [30, 20, 10, 25, 22, 15],
            "denominator": [100, 100, 100, 90, 100, 110],
            "measure": "percent",
        }
    )


def _funnel_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"h": list("ABCDEFGH"), "o": [12, 30, 8, 22, 15, 40, 9, 18], "e": [10.0] * 8}
    )


def _strip_spec() -> dict:
    from saz_geboortezorg.report.charts import strip_chart

    t = pd.DataFrame({"category": ["a", "a", "b"], "unit": ["X", "Y", "X"], "value": [1, 2, 3]})
    return strip_chart(t, "category", "value", title="demo", x_title="value").to_dict()


def _change_data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    d = pd.DataFrame(
        {
            "birth_date": pd.Timestamp("2021-01-01")
            + pd.to_timedelta(rng.integers(0, 730, 8000), "D")
        }
    )
    d["outcome"] = rng.binomial(1, np.where(d.birth_date >= "2022-01-01", 0.05, 0.10))
    return d


#: (module, function, positional arguments (a callable of the dataset fixture), old
#: name, new name, value). The value is passed once as ``new=value`` and once as
#: ``old=value``; everything else is the same.
CASES = [
    ("stats.intervals", "z_value", lambda d: (), "level", "confidence", 0.9),
    ("stats.intervals", "wilson", lambda d: (15, 100), "level", "confidence", 0.9),
    ("stats.intervals", "clopper_pearson", lambda d: (3, 20), "level", "confidence", 0.9),
    ("stats.intervals", "poisson_exact", lambda d: (10,), "level", "confidence", 0.9),
    ("stats.intervals", "oe_interval", lambda d: (10, 8.0, 6.5), "level", "confidence", 0.9),
    (
        "compare.equity",
        "newcombe_difference",
        lambda d: (56, 70, 48, 80),
        "level",
        "confidence",
        0.9,
    ),
    (
        "compare.equity",
        "log_ratio_interval",
        lambda d: (56, 70, 48, 80),
        "level",
        "confidence",
        0.9,
    ),
    ("compare.equity", "inequality_gap", lambda d: (_rates(),), "level", "confidence", 0.9),
    ("compare.equity", "slope_index", lambda d: (_rates(),), "level", "confidence", 0.9),
    ("compare.equity", "equity_table", lambda d: (_women(), "cs"), "level", "confidence", 0.9),
    (
        "compare.association",
        "odds_ratios",
        lambda d: (d, "epidural", "instrumental"),
        "level",
        "confidence",
        0.9,
    ),
    (
        "compare.organisation_features",
        "feature_comparison",
        lambda d: (
            pd.DataFrame(
                {
                    "unit": list("ABCD"),
                    "numerator": [15, 15, 10, 10],
                    "denominator": [50, 50, 50, 50],
                    "measure": "percent",
                }
            ),
            pd.Series({"A": 1, "B": 1, "C": 0, "D": 0}),
        ),
        "level",
        "confidence",
        0.9,
    ),
    (
        "compare.subgroups",
        "group_rates",
        lambda d: (_women(), "cs", "region"),
        "level",
        "confidence",
        0.9,
    ),
    (
        "compare.subgroups",
        "outcomes_by_flag",
        lambda d: (d, "cs_maternal_request", ["pph"]),
        "level",
        "confidence",
        0.9,
    ),
    ("compare.subgroups", "analysis_table", lambda d: (d,), "level", "record", "baby"),
    (
        "compare.subgroups",
        "indicator_flag",
        lambda d: (d, "cs_maternal_request"),
        "level",
        "record",
        "baby",
    ),
    ("indicators", "compute", lambda d: (_women(), "cs"), "level", "confidence", 0.9),
    ("indicators", "compute", lambda d: (_women(), "cs"), "by", "unit", "region"),
    # a user catalogue file (issue 19); an absent file is an empty user catalogue
    (
        "indicators",
        "compute",
        lambda d: (_women(), "cs"),
        "catalogue_path",
        "catalogue",
        "/nonexistent/mijn_indicatoren.yaml",
    ),
    ("indicators.compute", "resolve_unit", lambda d: (), "by", "unit", "region"),
    (
        "model.diagnostics",
        "c_statistic",
        lambda d: (np.array([0.1, 0.2, 0.3]), np.array([1, 1, 2.0]), np.array([4, 2, 2.0])),
        "level",
        "confidence",
        0.9,
    ),
    ("monitor.change_point", "critical_value", lambda d: (), "level", "confidence", 0.9),
    (
        "monitor.change_point",
        "change_point",
        lambda d: (_change_data(),),
        "level",
        "confidence",
        0.9,
    ),
    ("io.completeness", "completeness", lambda d: (d.sources,), "by", "unit", "practice"),
    ("derive.costs", "cost_summary", lambda d: (d,), "by", "unit", "region"),
    ("derive.costs", "cost_drivers", lambda d: (d,), "by", "unit", "region"),
    ("derive.flows", "referral_rates", lambda d: (_women(),), "by", "unit", "region"),
    ("compare.referrals", "referral_funnel", lambda d: (_women(),), "by", "unit", "region"),
    ("derive.flows", "flow_links", lambda d: (_women(), "region_id"), "unit", "unit_id", "R2"),
    ("derive.flows", "care_flows", lambda d: (_women(),), "by", "unit", "hospital_id"),
    ("derive.flows", "referral_reasons", lambda d: (_women(),), "by", "unit", "hospital_id"),
    ("derive.profile", "case_mix_profile", lambda d: (d.women,), "by", "unit", "hospital_id"),
    ("derive.profile", "place_of_birth", lambda d: (d.women,), "by", "unit", "hospital_id"),
    ("derive.robson", "robson_table", lambda d: (d.women,), "by", "unit", "hospital_id"),
    ("compare.funnel.api", "funnel", lambda d: (_funnel_table(), "o", "e"), "group", "unit", "h"),
    ("explore.controls", "unit_options", lambda d: (_women(),), "level", "unit", "practice"),
    ("present.stacked_shares", "level_name", lambda d: (), "level", "unit", "practice_id"),
    ("report.charts", "highlight", lambda d: (_strip_spec(),), "unit", "unit_id", "Y"),
    (
        "report.charts",
        "for_unit",
        lambda d: ({"layer": [{"mark": "line"}], "title": {"text": "T"}},),
        "unit",
        "unit_id",
        "R01",
    ),
    (
        "report.charts",
        "benchmark_for_unit",
        lambda d: (
            {
                "spec": {
                    "layer": [{"mark": "rect", "transform": [{"filter": "datum.is_highlight"}]}],
                    "encoding": {"x": {"axis": {"labelFontWeight": {"expr": "x"}}}},
                }
            },
        ),
        "unit",
        "unit_id",
        "R05",
    ),
]

#: Functions whose data need more than a small hand-made table (cheap on the shared
#: synthetic dataset, which other tests build anyway).
SLOW_CASES = [
    ("compare.value", "value_view", lambda d: (d, "uncomplicated_birth"), "by", "unit", "hospital"),
]

CHART_CASES = [
    (
        "present.flow_chart",
        "flow_shares_chart",
        lambda: (
            importlib.import_module("saz_geboortezorg.derive.flows").care_flows(
                _women(), stages=["start"]
            ),
            "start",
        ),
    ),
    (
        "present.flow_chart",
        "referral_reasons_chart",
        lambda: (
            importlib.import_module("saz_geboortezorg.derive.flows").referral_reasons(_women()),
        ),
    ),
    (
        "present.flow_chart",
        "referral_funnel_chart",
        lambda: (
            importlib.import_module("saz_geboortezorg.compare.referrals").referral_funnel(_women()),
        ),
    ),
]


def _same(a, b) -> None:
    """Assert two results are identical, whatever their type."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        assert a.attrs.keys() == b.attrs.keys()
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, np.ndarray | float | int | np.floating):
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, tuple | list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif hasattr(a, "to_dict") and hasattr(a, "table"):  # result objects
        _same(a.table, b.table)
        _same(a.to_dict(), b.to_dict())
    elif dataclasses.is_dataclass(a):
        _same(a.table, b.table)
    elif hasattr(a, "to_dict"):  # charts
        assert a.to_dict() == b.to_dict()
    else:
        assert a == b


def _check(func, args, old, new, value, **fixed):
    expected = func(*args, **fixed, **{new: value})
    with pytest.warns(DeprecationWarning, match=rf"'{old}' is deprecated.*use {new}="):
        got = func(*args, **fixed, **{old: value})
    _same(expected, got)


def _fixed(name: str, d) -> dict:
    # arguments some functions need besides the renamed one
    if name == "resolve_unit":
        return {"columns": ["region_id", "hospital_id"]}
    if name in ("flow_links", "care_flows"):
        return {"stages": ["start", "pregnancy"]}
    return {}


@pytest.mark.parametrize(
    ("module", "name", "args", "old", "new", "value"),
    CASES,
    ids=[f"{c[1]}-{c[3]}" for c in CASES],
)
def test_old_argument_name_still_works(dataset, module, name, args, old, new, value):
    func = getattr(importlib.import_module(f"saz_geboortezorg.{module}"), name)
    _check(func, args(dataset), old, new, value, **_fixed(name, dataset))


@pytest.mark.parametrize(
    ("module", "name", "args", "old", "new", "value"),
    SLOW_CASES,
    ids=[f"{c[1]}-{c[3]}" for c in SLOW_CASES],
)
def test_old_argument_name_still_works_on_the_dataset(dataset, module, name, args, old, new, value):
    func = getattr(importlib.import_module(f"saz_geboortezorg.{module}"), name)
    _check(func, args(dataset), old, new, value)


@pytest.mark.parametrize(("module", "name", "args"), CHART_CASES, ids=[c[1] for c in CHART_CASES])
def test_flow_charts_take_unit_for_level(module, name, args):
    func = getattr(importlib.import_module(f"saz_geboortezorg.{module}"), name)
    _check(func, args(), "level", "unit", "region")


def test_flow_links_old_spelling_by_and_unit():
    """Before: ``by=`` the unit column, ``unit=`` the unit's id; now ``unit=`` and ``unit_id=``."""
    from saz_geboortezorg.derive.flows import flow_links

    women, stages = _women(), ["start", "pregnancy"]
    new = flow_links(women, unit="region_id", unit_id="R2", stages=stages)
    with pytest.warns(DeprecationWarning) as caught:
        old = flow_links(women, by="region_id", unit="R2", stages=stages)
    messages = sorted(str(w.message) for w in caught)
    assert "'by' is deprecated" in messages[0] and "use unit=" in messages[0]
    assert "'unit' is deprecated" in messages[1] and "use unit_id=" in messages[1]
    _same(new, old)
    assert new.women == int((women["region_id"] == "R2").sum())
    # the new spelling alone is not mistaken for the old one
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        everyone = flow_links(women, unit="region_id", stages=stages)
    assert everyone.women == len(women)


def test_funnel_outliers_take_limit_for_level():
    from saz_geboortezorg.compare.funnel import funnel

    result = funnel(_funnel_table(), "o", "e", "h", overdispersion=False)
    _check(result.outliers, (), "level", "limit", 95)
    assert set(result.outliers(limit=95)["group"]) >= set(result.outliers(limit=99.8)["group"])


def test_dataset_completeness_takes_unit_for_by(dataset):
    _check(dataset.completeness, (), "by", "unit", "region")


def test_explorer_takes_unit_and_highlight():
    pytest.importorskip("ipywidgets")
    from saz_geboortezorg.explore import Explorer

    women = _women()
    new = Explorer(women, indicator="cs", unit="hospital", highlight="H2")
    with pytest.warns(DeprecationWarning, match="'level' is deprecated.*use unit="):
        with pytest.warns(DeprecationWarning, match="'my_unit' is deprecated.*use highlight="):
            old = Explorer(women, indicator="cs", level="hospital", my_unit="H2")
    assert old.state == new.state
    assert (old.state.level, old.state.my_unit) == ("hospital", "H2")
    assert old.status.value == new.status.value


def test_old_and_new_name_together_is_an_error():
    from saz_geboortezorg.stats.intervals import wilson

    with pytest.raises(TypeError, match="got both 'level' .* and 'confidence'"):
        wilson(1, 10, level=0.9, confidence=0.9)


def test_positional_calls_are_unchanged():
    from saz_geboortezorg.stats.intervals import wilson

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, hi = wilson(15, 100, 0.9)
    # by hand: z = 1.644854, centre (0.15 + z^2/200) / (1 + z^2/100) = 0.15922,
    # half-width z sqrt(0.15 * 0.85 / 100 + z^2 / 40000) / (1 + z^2/100) = 0.05868
    assert round(float(lo), 4) == 0.1005
    assert round(float(hi), 4) == 0.2179


def test_the_warning_points_at_the_caller():
    @renamed_arguments(by="unit")
    def f(unit=None):
        return unit

    with pytest.warns(SazDeprecationWarning) as caught:
        f(by="region")
    assert caught[0].filename == __file__
    from saz_geboortezorg.derive.flows import flow_links

    with pytest.warns(SazDeprecationWarning) as caught:
        flow_links(_women(), by="region_id", stages=["start", "pregnancy"])
    assert caught[0].filename == __file__


def _renamed_everywhere() -> set[tuple[str, str]]:
    """(qualified name, old argument) for every function with a deprecated argument."""
    found = set()
    for info in pkgutil.walk_packages(saz_geboortezorg.__path__, prefix="saz_geboortezorg."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            members = [obj]
            if inspect.isclass(obj):
                members += list(vars(obj).values())
            for member in members:
                old = getattr(member, "__deprecated_arguments__", None)
                if old and getattr(member, "__module__", None) == info.name:
                    for name in old:
                        found.add((member.__qualname__, name))
    return found


def test_every_renamed_argument_is_tested():
    tested = {(c[1], c[3]) for c in CASES + SLOW_CASES}
    tested |= {(c[1], "level") for c in CHART_CASES}
    tested |= {
        ("Dataset.completeness", "by"),
        ("FunnelResult.outliers", "level"),
        ("flow_links", "by"),  # test_flow_links_old_spelling_by_and_unit
        ("Explorer.__init__", "level"),
        ("Explorer.__init__", "my_unit"),
        ("compute_indicator", "by"),  # what compute runs: tested through it below
        ("compute_indicator", "level"),
        ("get", "path"),  # test_get_old_name_path
    }
    assert _renamed_everywhere() <= tested


def test_get_old_name_path(tmp_path):
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.user import define_indicator, save_user_entry

    path = tmp_path / "mijn_indicatoren.yaml"
    ind = define_indicator(
        "induction_nullip",
        name_en="Induction, nulliparous",
        name_nl="Inductie bij nulliparae",
        population="parity == 0",
        numerator="onset == 'induced'",
    )
    save_user_entry(ind, path)
    with pytest.warns(DeprecationWarning, match=r"'path' is deprecated.*use catalogue="):
        old = get("induction_nullip", path=path)
    assert old == get("induction_nullip", catalogue=path) == ind


def test_compute_indicator_old_names(dataset):
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import compute_indicator

    women = _women()
    _check(compute_indicator, (women, get("cs")), "by", "unit", "practice")
    _check(compute_indicator, (women, get("cs")), "level", "confidence", 0.8)


@pytest.mark.parametrize(
    ("old", "new", "args"),
    [
        (
            "position_chart",
            "oe_strip_chart",
            (pd.DataFrame({"name_en": ["CS", "CS"], "unit": ["A", "B"], "ratio": [0.9, 1.2]}),),
        ),
        (
            "trend_chart",
            "quarterly_p_chart",
            (
                pd.DataFrame(
                    {
                        "indicator": "x",
                        "unit": ["A", "A", "B"],
                        "period": pd.to_datetime(["2021-01-01", "2021-04-01", "2021-01-01"]),
                        "n": [100.0, 120.0, 90.0],
                        "events": [12.0, 15.0, 11.0],
                        "rate": [0.12, 0.125, 0.12],
                        "centre": 0.12,
                        "lcl": 0.03,
                        "ucl": 0.21,
                        "signal": False,
                        "rules": "",
                    }
                ),
                "x",
                "X",
            ),
        ),
    ],
)
def test_old_report_chart_names_still_work(old, new, args):
    """Each chart name means one chart: the report's position strip and p-chart grid were
    renamed (``positions_chart`` and ``trend_chart`` are present/'s charts)."""
    from saz_geboortezorg.report import charts

    with pytest.warns(DeprecationWarning, match=rf"{old}\(\) is deprecated.*use {new}\(\)"):
        got = getattr(charts, old)(*args)
    assert got.to_dict() == getattr(charts, new)(*args).to_dict()
    assert old not in charts.__all__


def test_help_names_the_old_arguments():
    """``help(sg.compute)`` says which old names are still accepted."""
    import saz_geboortezorg as sg

    assert "``by`` (now ``unit``)" in sg.compute.__doc__
    assert "``level`` (now ``confidence``)" in sg.compute.__doc__
    assert list(inspect.signature(sg.compute).parameters)[:4] == [
        "table",
        "indicator",
        "unit",
        "confidence",
    ]
