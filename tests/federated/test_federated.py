"""The federated benchmark on 17 regional nodes against the pooled analysis.

The synthetic data (60,000 births) are split into 17 regional VSV nodes (``split.py``:
a pregnancy is in the node of its booking region), run through vantage6's
``MockAlgorithmClient``, and compared with ``sg.benchmark`` and ``sg.casemix`` on the
pooled data: O, E, O/E, the funnel limits and p-values to 1e-8, identical verdicts, for
every case-mix indicator (the logistic ones and cost per pregnancy, a gamma model); the
random intercept per hospital against the pooled Laplace fit.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import mock_client

import saz_geboortezorg as sg
from saz_geboortezorg.federated import central, central_benchmark, central_casemix, central_rates
from saz_geboortezorg.federated.central import FederatedError
from saz_geboortezorg.federated.node import layout, node_data, node_sums
from saz_geboortezorg.indicators.definitions import load_catalogue
from saz_geboortezorg.report.protect import protect_benchmark

#: Every case-mix indicator of the catalogue with a logistic model.
CASE_MIX = [i.id for i in load_catalogue().values() if i.case_mix and not i.is_mean]
#: The amounts: cost per pregnancy (a gamma model with log link).
AMOUNTS = [i.id for i in load_catalogue().values() if i.case_mix and i.is_mean]
#: The benchmark of the module's run: every case-mix indicator.
BENCHMARK = CASE_MIX + AMOUNTS

RTOL = 1e-8


def close(a, b, rtol=RTOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same_nan = np.isnan(a) == np.isnan(b)
    ok = np.isclose(a, b, rtol=rtol, atol=rtol, equal_nan=True)
    return bool(same_nan.all() and ok.all())


@pytest.fixture(scope="module")
def client(nodes, shared_key):
    return mock_client(nodes)


@pytest.fixture(scope="module")
def run(client):
    """One central run of the benchmark of every case-mix indicator."""
    run = central.Run(client, "test-run")
    rows = run.benchmark(BENCHMARK, "hospital")
    return run, rows


@pytest.fixture(scope="module")
def pooled_benchmark(pooled):
    return sg.benchmark(pooled, BENCHMARK, unit="hospital")


def test_case_mix_indicators_are_covered():
    assert len(CASE_MIX) == 12 and "cs" in CASE_MIX and "perinatal_mortality" in CASE_MIX
    assert AMOUNTS == ["cost_per_pregnancy"]


def test_split_puts_every_pregnancy_in_its_booking_region(nodes, pooled):
    women = 0
    transfers = 0
    for region, tables in nodes.items():
        data = node_data(tables)
        assert set(data.women["booking_region_id"]) == {region}
        women += len(data.women)
        transfers += int((data.women["region_id"] != region).sum())
    assert women == len(pooled.women)
    # in-utero transfers to another region's NICU centre stay with the booking node
    assert transfers == int((pooled.women["region_id"] != pooled.women["booking_region_id"]).sum())
    assert transfers > 0


def test_benchmark_equals_pooled(run, pooled_benchmark):
    fed = run[0].result.table
    pool = pooled_benchmark.table
    assert list(fed.columns) == list(pool.columns)
    assert fed[["indicator", "unit"]].equals(pool[["indicator", "unit"]])
    for column in ["n", "observed", "expected", "ratio", "value", "target", "expected_events"]:
        assert close(fed[column], pool[column]), column
    for column in ["p_funnel", "p_exact", "p_value", "q_value"]:
        assert close(fed[column], pool[column]), column
    for column in ["assessment", "alert", "outside", "flag95", "flag998", "judged", "note"]:
        assert fed[column].tolist() == pool[column].tolist(), column
    assert run[0].result.notes == pooled_benchmark.notes


def test_funnel_limits_equal_pooled(run, pooled_benchmark):
    for ind in BENCHMARK:
        fed, pool = run[0].result.funnels[ind], pooled_benchmark.funnels[ind]
        assert close(fed.phi, pool.phi) and close(fed.tau2, pool.tau2), ind
        for column in ["lcl95", "ucl95", "lcl998", "ucl998"]:
            assert close(fed.table[column], pool.table[column]), (ind, column)


def test_returned_rows_are_the_protected_pooled_table(run, pooled_benchmark):
    rows = pd.DataFrame(run[1])
    expected = pd.concat([p.table for p in protect_benchmark(pooled_benchmark.table)])
    expected = expected.reset_index(drop=True)
    assert {"indicator", "unit", "n", "observed", "expected", "assessment"} <= set(rows.columns)
    assert rows[["indicator", "unit"]].equals(expected[["indicator", "unit"]])
    for column in ["n", "observed", "expected", "ratio"]:
        assert close(rows[column], expected[column]), column
    hidden = "(hidden)"
    assert (
        rows["assessment"].fillna(hidden).tolist() == expected["assessment"].fillna(hidden).tolist()
    )
    # the small counts of the pooled table (1-9 events at some hospitals) are hidden
    shown = rows["observed"].dropna()
    assert not ((shown >= 1) & (shown <= 9)).any()
    assert rows["observed"].isna().any()


def test_fixed_effects_equal_pooled_fit(run, pooled):
    for ind in CASE_MIX:
        spec = sg.get_indicator(ind).case_mix
        fit = sg.casemix(pooled, spec, unit="all", random_effects=False, strict=False)
        fed = run[0].fits[ind]
        assert fed["names"] == fit.coefficients["term"].tolist(), ind
        assert close(fed["beta"], fit.coefficients["estimate"]), ind
        assert close(np.sqrt(np.diag(fed["cov"])), fit.coefficients["se"], rtol=1e-6), ind


def test_gamma_model_equals_pooled_fit(run, pooled):
    """The cost model (gamma, log link): federated Newton on the nodes' sums, the
    Pearson dispersion and the covariance as ``fit_gamma`` (statsmodels)."""
    for ind in AMOUNTS:
        fit = sg.casemix(pooled, sg.get_indicator(ind).case_mix, unit="all", strict=False)
        fed = run[0].fits[ind]
        assert fed["names"] == fit.coefficients["term"].tolist()
        assert close(fed["beta"], fit.coefficients["estimate"])
        assert close(np.sqrt(np.diag(fed["cov"])), fit.coefficients["se"])
        assert close(fed["scale"], fit.diagnostics["dispersion"])
    # the benchmark row of the amounts is there, with its expected totals
    table = run[0].result.table
    assert table["indicator"].isin(AMOUNTS).sum() > 10


def _messages(client):
    return [json.loads(r["result"]) for r in client.results]


def _numbers(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        yield path, value


def test_message_audit(run, mixed_fits, client, nodes, national_text):
    """Every message a node returned in the module's runs.

    What is checked, precisely:

    * a node returns only ``partial_prepare`` answers (``status``, ``units``, ``levels``,
      ``hospitals``) or ``partial_sums`` answers (``status``, ``sums``);
    * no JSON number appears in any message, and every element of ``sums`` is a masked
      integer that is not from 1 to 9 (in fact, uniform on 0 .. 2**192 - 1);
    * ``sums`` has exactly the length of the request's layout, which counts units and
      model terms, never records;
    * the only text is from the code lists and the organisation register: unit ids,
      covariate levels of the case-mix specs and the register's hospital rows; no
      record identifier (pregnancy or claim id) of any node appears in any message.
    """
    messages = _messages(client)
    assert len(messages) >= 17 * 10
    ids = set(national_text["perined_lvr1"]["zwangerschap_id"])
    ids |= set(national_text["dbc_declaraties"]["declaratie_id"])
    hospitals = set(national_text["organisaties"]["organisatie_id"]) | {"unknown"}
    # the request each message answers (the mock records a run's input per result)
    inputs = {r["id"]: json.loads(r["input"]) for r in client.runs}
    requests = [inputs[r["id"]]["kwargs"].get("request") for r in client.results]
    kinds = [q["kind"] for q in requests if q]
    assert {"counts", "start", "newton", "expected", "mixed"} <= set(kinds)
    assert kinds.count("mixed") >= 17 * 5
    sums = 0
    for message, request in zip(messages, requests, strict=True):
        assert list(_numbers(message)) == []
        assert message["status"] == "ok"
        if "sums" in message:
            assert set(message) == {"status", "sums"}
            values = [int(v) for v in message["sums"]]
            assert not any(1 <= v <= 9 for v in values)
            assert min(values) >= 0 and max(values) < 2**192
            # the length is the layout's: units and model terms, never records
            assert len(values) == sum(n for _, _, n in layout(request))
            if request["kind"] == "mixed":
                # per indicator: 4 + 3 p values per hospital, 1 + p + p (p + 1) / 2 national
                assert len(values) == sum(
                    len(request["units"][i]) * (4 + 3 * len(request["names"][i]))
                    + 1
                    + len(request["names"][i])
                    + len(request["names"][i]) * (len(request["names"][i]) + 1) // 2
                    for i in request["indicators"]
                )
            sums += 1
        else:
            assert set(message) == {"status", "units", "levels", "hospitals"}
            for labels in message["units"].values():
                assert set(labels) <= hospitals
            for ind, covariates in message["levels"].items():
                spec = sg.load_spec(sg.get_indicator(ind).case_mix)
                assert set(covariates) == {c.name for c in spec.covariates}
            text = json.dumps(message)
            assert not set(re.findall(r"[A-Z]{2}\d{6,}", text)) & ids
    assert sums >= 17 * 9
    # the masking is what protects: unmasked, a node's counts hold small numbers (the
    # women of region R01 who gave birth in a NICU centre of another region)
    request = {
        "kind": "counts",
        "unit": "hospital",
        "indicators": ["cs"],
        "units": {
            "cs": sorted(
                national_text["organisaties"].query("organisatie_type == 'ZH'")["organisatie_id"]
            )
        },
    }
    plain = node_sums(node_data(nodes["R01"]), request)
    assert len(plain) == sum(n for _, _, n in layout(request))
    assert ((plain >= 1) & (plain <= 9)).any()
    # so do its random-intercept sums: at beta = 0 and b = 0, S_j = n_j / 4 and
    # g_j = O_j - n_j / 2 are the node's share of each hospital's women and events
    mixed = next(q for q in requests if q and q["kind"] == "mixed")
    mixed = {
        **mixed,
        "beta": {i: [0.0] * len(v) for i, v in mixed["beta"].items()},
        "b": {i: [0.0] * len(v) for i, v in mixed["b"].items()},
    }
    plain = node_sums(node_data(nodes["R01"]), mixed)
    offsets, at = {}, 0
    for ind, what, n in layout(mixed):
        offsets[(ind, what)] = (at, at + n)
        at += n
    lo, hi = offsets[(mixed["indicators"][0], "S")]
    assert ((4 * plain[lo:hi] >= 1) & (4 * plain[lo:hi] <= 9)).any()


def test_layout_does_not_grow_with_records(nodes):
    request = {
        "kind": "counts",
        "unit": "hospital",
        "indicators": ["cs"],
        "units": {"cs": ["ZH01", "ZH02", "ZH03"]},
    }
    assert sum(n for _, _, n in layout(request)) == 2 * 3 + 1


def test_central_rates(client, pooled):
    rows = pd.DataFrame(
        central_rates(indicators=["cs", "home_birth"], unit="hospital", mock_client=client)
    )
    for ind in ["cs", "home_birth"]:
        mine = rows[rows["indicator"] == ind].reset_index(drop=True)
        crude = sg.unit_table(pooled, ind, unit="hospital", adjusted=False).table
        assert mine["unit"].tolist() == crude["unit"].tolist()
        shown = mine["n"].notna()
        assert close(mine.loc[shown, "n"], crude.loc[shown, "n"])
        shown = mine["observed"].notna()
        assert close(mine.loc[shown, "observed"], crude.loc[shown, "observed"])
        assert close(mine.loc[shown, "rate"], crude.loc[shown, "rate"])


def test_central_casemix(client, pooled):
    out = central_casemix(
        indicator="nicu", unit="hospital", random_intercept=True, mock_client=client
    )
    fit = sg.casemix(pooled, "nicu", unit="hospital", random_effects=True, strict=False)
    assert [c["term"] for c in out["coefficients"]] == fit.coefficients["term"].tolist()
    assert close([c["estimate"] for c in out["coefficients"]], fit.coefficients["estimate"])
    table = pd.DataFrame(out["table"])
    assert table["unit"].tolist() == fit.table["unit"].tolist()
    shown = table["observed"].notna()
    assert close(table.loc[shown, "expected"], fit.table.loc[shown.to_numpy(), "expected"])
    # hospitals with 1-9 NICU admissions are hidden, not returned
    assert not shown.all()
    # the random intercept: tau^2, the fixed effects and the hospital effects of the
    # pooled fit; a hospital's effect is hidden with its count (it would give it away)
    re, pooled_re = out["random_effects"], fit.random_effects
    assert np.isclose(re["tau2"], pooled_re.tau2, rtol=RI_RTOL)
    assert np.isclose(re["median_odds_ratio"], pooled_re.median_odds_ratio, rtol=RI_RTOL)
    assert np.isclose(re["rankability"], pooled_re.rankability, rtol=RI_RTOL)
    coef = pooled_re.coefficients
    estimates = np.array([c["estimate"] for c in re["coefficients"]])
    assert np.max(np.abs(estimates - coef["estimate"]) / coef["se"]) < RI_SE
    assert close([c["se"] for c in re["coefficients"]], coef["se"], rtol=RI_RTOL)
    effects = pooled_re.table.set_index("unit").loc[table["unit"]]
    assert np.allclose(
        table.loc[shown, "effect"], effects.loc[shown.to_numpy(), "effect"], atol=RI_ATOL
    )
    assert np.allclose(
        table.loc[shown, "or_lcl95"],
        effects.loc[shown.to_numpy(), "or_lcl95_conditional"],
        rtol=RI_RTOL,
    )
    assert table.loc[~shown, ["effect", "odds_ratio", "or_ucl95"]].isna().all().all()


def test_a_failing_node_stops_the_run(nodes, shared_key):
    broken = dict(nodes)
    lvr2 = broken["R05"][2].copy()
    lvr2.loc[lvr2.index[:3], "zwangerschapsduur"] = "veertig weken"
    broken["R05"] = [broken["R05"][0], broken["R05"][1], lvr2, broken["R05"][3]]
    client = mock_client(broken)
    with pytest.raises(FederatedError) as info:
        central_benchmark(indicators=["cs"], unit="hospital", mock_client=client)
    message = str(info.value)
    assert "mock-5 (id 5)" in message and "did not pass validation" in message
    assert "zwangerschapsduur" in message
    # the report leaves the node without record-level data: no offending value, no line
    # number, no count from 1 to 9 (3 rows are broken)
    assert "veertig" not in message and "line" not in message.lower()
    assert "fewer than 10 rows" in message
    # it stopped: only the prepare task was run, no sums were asked of any node
    assert [t["name"] for t in client.tasks] == ["saz_geboortezorg partial_prepare"]


# -- the random intercept per hospital ----------------------------------------------------

#: Tolerances against the pooled fit. The federated fit stops when its steps are below
#: 1e-10 (its Laplace gradient is then below about 1e-8); the pooled fit (L-BFGS-B) stops
#: at a gradient of up to about 1e-5, so the differences are the pooled fit's: up to
#: 1.3e-8 standard errors on beta, 2e-7 relative on tau^2, 1.1e-8 on the hospital effects
#: (log odds) on these data.
RI_SE = 1e-6
RI_RTOL = 1e-6
RI_ATOL = 1e-7
#: The indicators whose random intercept is fitted federated in the tests: the largest
#: model (cs, 22 terms), hospitals that differ (cs, nicu, pph) and tau^2 estimated at 0
#: (perinatal mortality, the boundary).
RANDOM_INTERCEPT = ["cs", "nicu", "pph", "perinatal_mortality"]


@pytest.fixture(scope="module")
def mixed_fits(run):
    """The random intercept of :data:`RANDOM_INTERCEPT`, in one batch of rounds after
    the benchmark run (its fixed-effects fits are the start)."""
    r = run[0]
    before = r.rounds
    fits = r.random_intercept(RANDOM_INTERCEPT, "hospital", r.prep, r.fits)
    return fits, r.rounds - before


@pytest.fixture(scope="module")
def pooled_mixed(pooled):
    out = {}
    for ind in RANDOM_INTERCEPT:
        spec = sg.get_indicator(ind).case_mix
        out[ind] = sg.casemix(pooled, spec, unit="hospital", random_effects=True, strict=False)
    return out


def test_random_intercept_is_the_pooled_maximum(mixed_fits, pooled):
    """The pooled code's Laplace log-likelihood, on the pooled cells, is at least as high
    at the federated estimates as at the pooled fit's, and falls when tau^2 moves."""
    from saz_geboortezorg.model.collapse import collapse
    from saz_geboortezorg.model.mixed import fit_random_intercept, laplace_loglik
    from saz_geboortezorg.model.prepare import prepare

    fits, _ = mixed_fits
    for ind in ["cs", "nicu"]:
        prep = prepare(pooled, sg.get_indicator(ind).case_mix, "hospital")
        pats = collapse(prep.design)
        cells = (pats.X, pats.cell_unit, pats.cell_events, pats.cell_trials)
        J = len(prep.design.unit_labels)
        fed = fits[ind]
        pool = fit_random_intercept(
            pats.X, pats.cell_pattern, *cells[1:], J, fed.names, integrate=False
        )

        def ll(beta, tau2, pats=pats, cells=cells, J=J):
            return laplace_loglik(cells[0], *cells[1:], J, beta, tau2, pattern=pats.cell_pattern)

        at_fed = ll(fed.params, fed.tau2)
        assert at_fed >= ll(pool.params, pool.tau2) - 1e-9 * abs(at_fed), ind
        assert np.isclose(at_fed, fed.loglik, rtol=1e-13), ind
        for factor in (0.99, 1.01):
            assert ll(fed.params, fed.tau2 * factor) < at_fed, ind


def test_random_intercept_equals_pooled_fit(mixed_fits, pooled_mixed):
    fits, rounds = mixed_fits
    # the models in one batch of rounds (each round one vantage6 task)
    assert rounds <= 25
    for ind in RANDOM_INTERCEPT:
        fed, re = fits[ind], pooled_mixed[ind].random_effects
        assert fed.converged, ind
        coef = re.coefficients
        assert fed.names == coef["term"].tolist(), ind
        # beta: in standard errors; its standard errors as vcov(use.hessian = FALSE)
        assert np.max(np.abs(fed.params - coef["estimate"]) / coef["se"]) < RI_SE, ind
        assert close(fed.se, coef["se"], rtol=RI_RTOL), ind
        assert np.isclose(fed.tau2, re.tau2, rtol=RI_RTOL, atol=1e-12), ind
        table = re.table
        assert list(table["unit"]) == list(pooled_mixed[ind].table["unit"]), ind
        assert np.allclose(fed.effects, table["effect"], rtol=RI_RTOL, atol=RI_ATOL), ind
        assert np.allclose(np.sqrt(fed.effect_var), table["se"], rtol=RI_RTOL), ind
        assert np.isclose(fed.loglik, re.loglik, rtol=1e-12), ind
    # the data have both kinds: hospitals that differ, and tau^2 at 0
    assert fits["cs"].tau2 > 0.01 and fits["perinatal_mortality"].tau2 == 0
