"""The central side: rounds over the nodes, and the pooled statistics from their sums.

One run of a central function is a few rounds, each one vantage6 task for every
organisation of the collaboration:

1. **prepare** (:func:`~.node.node_prepare`): every node validates, links and derives its
   extracts. A node whose extracts fail returns its validation report without data; the
   central function then names the organisation and why, and stops (nothing is run on the
   other nodes). Otherwise: the units, the levels of every case-mix covariate (the union
   is the pooled design, :mod:`.design`) and the hospital register.
2. **counts**: per indicator and unit, records and events (secure sum).
3. **newton** (case-mix indicators, all at once): at the current coefficients, the gradient
   ``X'(y - p)`` and Hessian ``X' W X`` of each node's log-likelihood (secure sum); the
   central function takes the Newton step ``beta + H^-1 g`` and repeats until the step is
   below 1e-10, then once more. The log-likelihood is a sum over records, so this is the
   pooled maximum likelihood fit (the same estimates as the pooled IRLS, whose tolerance
   is 1e-13).
   Amounts (cost per pregnancy, a gamma model with log link) are fitted the same way
   from the nodes' sums of the log-likelihood kernel ``-sum (y / mu + log mu)``, its
   gradient and observed information, starting from the overall mean.
4. **expected**: per unit, ``sum p`` and ``sum p^2`` at the estimates (secure sum): the
   expected count E and the binomial variance ``sum p (1 - p) = E - sum p^2`` of indirect
   standardisation (:mod:`saz_geboortezorg.compare.standardise`). For amounts: the
   expected total ``sum mu``, ``sum mu^2``, the residual sum of squares per unit and the
   national Pearson sum, so that the dispersion and the robust variance of each unit's
   total are the pooled benchmark's.
5. **mixed** (``central_casemix(..., random_intercept=True)`` only): the random intercept
   per hospital, :mod:`.mixed`.

From these sums the central function builds the same per-indicator unit tables as
:func:`~saz_geboortezorg.compare.standardise.unit_table` and runs the rest of the benchmark
unchanged (:func:`~saz_geboortezorg.compare.benchmark.benchmark_tables`: funnels,
overdispersion, verdicts, q-values over the family). The table it returns is protected as
every report's benchmark table is (:func:`~saz_geboortezorg.report.protect.protect_benchmark`).

Every task the central function creates is signed (:func:`~.secure.sign_request`, with
the run id, the round and the job), and the nodes answer nothing else. The analyst's
arguments are checked first (:func:`check_arguments`): catalogue indicator ids, a unit
of :data:`UNITS`, the benchmark's settings; everything else in a request is built here
from the nodes' answers and the fits, so a signed request is always one of the rounds
above.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.benchmark import benchmark_levels, benchmark_tables
from saz_geboortezorg.disclosure import suppress
from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.federated.design import global_design, merge_levels
from saz_geboortezorg.federated.mixed import LaplaceNewton, sum_layout, unpack
from saz_geboortezorg.federated.node import layout
from saz_geboortezorg.federated.secure import node_key, sign_request, unmask_sum
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import attribution_for
from saz_geboortezorg.indicators.definitions import load_catalogue
from saz_geboortezorg.indicators.rate_table import RateTable
from saz_geboortezorg.model import load_spec
from saz_geboortezorg.model.fitted import Z95
from saz_geboortezorg.model.mixed import median_odds_ratio
from saz_geboortezorg.model.rank import rankability
from saz_geboortezorg.report.protect import protect_benchmark
from saz_geboortezorg.result import jsonable
from saz_geboortezorg.stats.variance import MIN_RECORDS

__all__ = [
    "Run",
    "request_digest",
    "check_arguments",
    "check_aggregator",
    "check_unit",
    "container_task",
    "current_job",
    "FederatedError",
    "UNITS",
    "STEP_TOLERANCE",
    "MAX_ITERATIONS",
]

#: Newton-Raphson stops when the largest step is below this (then takes one more step).
STEP_TOLERANCE = 1e-10
MAX_ITERATIONS = 50


#: The units a federated run compares (never a free column name: the units' ids leave
#: the nodes in the prepare round and are the rows of the result).
UNITS = ("hospital", "region", "practice")
#: The benchmark settings ``central_benchmark`` accepts, with their checks (the values
#: are then checked as ``sg.benchmark`` checks them); none reaches a node.
_OPTIONS = {
    "limits": lambda v: (
        isinstance(v, list | tuple) and 1 <= len(v) <= 4 and all(_number(x) for x in v)
    ),
    "verdict": lambda v: v is None or _number(v),
    "alert": lambda v: v is None or _number(v),
    "min_expected": lambda v: _number(v),
    "fdr": lambda v: v is None or _number(v),
    "overdispersion": lambda v: isinstance(v, bool),
    "variance": lambda v: v in ("binomial", "poisson"),
}


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and bool(np.isfinite(v))


def container_task(client: Any) -> dict[str, Any] | None:
    """The vantage6 task this container runs (its ``job_id`` and ``init_org``), from the
    server: the container token names the task. ``None`` under vantage6's
    ``MockAlgorithmClient``, which has no tasks of its own (a test client can model one
    with a ``task_info`` attribute).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> container_task(SimpleNamespace(task_info={"job_id": 3})), container_task(object())
    ({'job_id': 3}, None)
    """
    info = getattr(client, "task_info", None)
    if info is not None:
        return dict(info)
    token = getattr(client, "_access_token", None)
    if not token:
        return None
    import jwt  # vantage6's algorithm client depends on PyJWT

    identity = jwt.decode(token, options={"verify_signature": False}).get("sub", {})
    task = identity.get("task_id") if isinstance(identity, dict) else None
    if task is None:
        raise SazError("the container token names no task: its job cannot be checked")
    return client.task.get(task)


def current_job(client: Any) -> int | None:
    """The vantage6 job of the task this container runs: a task a user creates starts a
    job; the subtasks a container creates are in its job (vantage6 lets only the job's own
    containers create them, and only while the job's task runs). ``None`` without a task
    (vantage6's ``MockAlgorithmClient``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> current_job(SimpleNamespace(task_info={"job_id": 3})), current_job(SimpleNamespace())
    (3, None)
    """
    task = container_task(client)
    return None if task is None else int(task["job_id"])


def check_aggregator(client: Any) -> None:
    """Refuse to run the central function on the node of the organisation that created
    the task (the analyst's): vantage6 encrypts the rounds' results for the organisation
    whose node runs the central function, so whoever holds that organisation's private
    key could read every share of a round and add them up (the unprotected sums).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> mine = SimpleNamespace(organization_id=4, task_info={"job_id": 1, "init_org": {"id": 4}})
    >>> check_aggregator(mine)
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SazError: the central function runs on the node of the organisation that created the task (id 4): ...
    """
    task = container_task(client)
    if task is None:
        return
    init = task.get("init_org")
    init = init.get("id") if isinstance(init, dict) else init
    if init is not None and int(init) == int(client.organization_id):
        raise SazError(
            f"the central function runs on the node of the organisation that created the "
            f"task (id {int(init)}): its rounds' results are encrypted for that organisation, "
            "whose users could then add up the nodes' shares; send the central task to "
            "another organisation's node (the collaboration's aggregator)"
        )


class FederatedError(SazError):
    """A node failed (its extracts do not validate, or it did not answer)."""


def check_unit(unit: Any) -> str:
    """``unit`` if it is one of :data:`UNITS`; else a :class:`SpecError`.

    Examples
    --------
    >>> check_unit("hospital")
    'hospital'
    >>> check_unit("pregnancy_id")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: unit must be one of hospital, region, practice, not 'pregnancy_id'
    """
    if not isinstance(unit, str) or unit not in UNITS:
        raise SpecError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    return unit


def check_arguments(
    indicators: Any, unit: Any, options: dict[str, Any] | None = None
) -> tuple[list[str], str, dict[str, Any]]:
    """The analyst's arguments of a central function, checked: indicator ids of the shipped
    catalogue (a non-empty list without repeats), a unit of :data:`UNITS`, and only the
    benchmark settings of ``sg.benchmark`` that change no request to the nodes.

    Examples
    --------
    >>> check_arguments(["cs", "pph"], "hospital")
    (['cs', 'pph'], 'hospital', {})
    >>> check_arguments(["cs"], "hospital", {"where": "bmi > 40"})
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: central_benchmark does not take 'where' (it takes alert, fdr, limits, min_expected, overdispersion, variance, verdict)
    """
    known = load_catalogue()
    if not isinstance(indicators, list | tuple) or not indicators:
        raise SpecError(f"indicators: give a list of indicator ids, not {indicators!r}")
    for i in indicators:
        if not isinstance(i, str) or i not in known:
            raise SpecError(
                f"indicators: {i!r} is not an indicator of the catalogue "
                "('saz-geboortezorg indicators' lists them)"
            )
    if len(set(indicators)) != len(indicators):
        raise SpecError("indicators: an indicator is named twice")
    checked = {}
    for name, value in (options or {}).items():
        if name not in _OPTIONS:
            raise SpecError(
                f"central_benchmark does not take {name!r} (it takes {', '.join(sorted(_OPTIONS))})"
            )
        if not _OPTIONS[name](value):
            raise SpecError(f"central_benchmark: {name}={value!r} is not a valid setting")
        checked[name] = list(value) if name == "limits" else value
    return list(indicators), check_unit(unit), checked


def request_digest(request: dict[str, Any]) -> str:
    """A digest of a request; the masks depend on it, so two requests never share masks.

    Examples
    --------
    >>> request_digest({"kind": "counts"}) == request_digest({"kind": "counts"})
    True
    """
    text = json.dumps(request, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def model_request(
    kind: str, unit: str, indicators: list[str], prep: dict, fits: dict, beta: dict | None = None
) -> dict[str, Any]:
    """The request of a model round: for each indicator its units, the covariate levels
    that occur, the design's column names and (optionally) the coefficients as floats.

    Examples
    --------
    >>> prep = {"units": {"cs": ["ZH01"]}, "levels": {"cs": {"parity": ["0", "1+"]}}}
    >>> fits = {"cs": {"names": ["(Intercept)", "parity[1+]"]}}
    >>> r = model_request("expected", "hospital", ["cs"], prep, fits, beta={"cs": [-1, 0.5]})
    >>> r["kind"], r["names"]["cs"], r["beta"]["cs"]
    ('expected', ['(Intercept)', 'parity[1+]'], [-1.0, 0.5])
    """
    request = {
        "kind": kind,
        "unit": unit,
        "indicators": indicators,
        "units": {i: prep["units"][i] for i in indicators},
        "levels": {i: prep["levels"][i] for i in indicators},
        "names": {i: fits[i]["names"] for i in indicators},
    }
    if beta is not None:
        request["beta"] = {i: [float(b) for b in beta[i]] for i in indicators}
    return request


class Run:
    """One central run: the client, a nonce for its secure sums, and the rounds."""

    def __init__(self, client: Any, nonce: str):
        self.client = client
        self.nonce = nonce
        #: the vantage6 job the central function runs in (its signatures name it)
        self.job = current_job(client)
        self.rounds = 0
        #: the tasks created so far (each signature names its round)
        self.tasks = 0
        #: the fits and the unprotected benchmark of this run: they stay inside the
        #: central function (tests compare them with the pooled analysis)
        self.fits: dict[str, Any] = {}
        self.result: Any = None
        #: the prepare round's answers (units, levels, hospitals) of the last run
        self.prep: dict[str, Any] = {}
        self.organizations = [int(o["id"]) for o in client.organization.list()]

    # -- rounds -----------------------------------------------------------------------
    def _task(self, method: str, kwargs: dict[str, Any]) -> list[tuple[int, Any]]:
        # the arguments as the nodes will read them (vantage6 sends JSON), then signed
        kwargs = json.loads(json.dumps(kwargs, allow_nan=False))
        self.tasks += 1
        auth = sign_request(
            node_key(), method, kwargs, run=self.nonce, round_=self.tasks, job=self.job
        )
        task = self.client.task.create(
            input_={"method": method, "kwargs": {**kwargs, "auth": auth}},
            organizations=self.organizations,
            name=f"saz_geboortezorg {method}",
        )
        results = self.client.wait_for_results(task_id=task["id"])
        runs = self.client.run.from_task(task_id=task["id"])
        orgs = [int(r["organization"]["id"]) for r in runs]
        if len(results) != len(self.organizations):
            raise FederatedError(
                f"{method}: {len(results)} of {len(self.organizations)} organisations answered"
            )
        answers = list(zip(orgs, results, strict=True))
        refused = [(org, a) for org, a in answers if a.get("status") == "refused"]
        if refused:
            raise FederatedError(
                f"{method}: refused by "
                + "; ".join(f"{self._name(org)}: {a.get('error')}" for org, a in refused)
            )
        return answers

    def _name(self, org: int) -> str:
        info = self.client.organization.get(org)
        return f"{info.get('name', 'organisation')} (id {org})"

    def prepare(self, indicators: list[str], unit: str) -> dict[str, Any]:
        answers = self._task("partial_prepare", {"indicators": indicators, "unit": unit})
        failed = [(org, a) for org, a in answers if a.get("status") != "ok"]
        if failed:
            lines = []
            for org, a in failed:
                lines.append(f"{self._name(org)}: {a.get('error', 'failed')}")
                lines += [f"  - {p}" for p in a.get("problems", [])]
            raise FederatedError(
                "the benchmark was not run: the extracts of "
                + ", ".join(self._name(org) for org, _ in failed)
                + " did not pass validation\n"
                + "\n".join(lines)
            )
        units = {
            i: sorted({u for _, a in answers for u in a["units"].get(i, [])}) for i in indicators
        }
        levels = {
            i: merge_levels([a["levels"][i] for _, a in answers if i in a["levels"]])
            for i in indicators
            if get(i).case_mix
        }
        register = {}
        for _, a in answers:
            for row in a["hospitals"]:
                register[row["organisatie_id"]] = row
        return {"units": units, "levels": levels, "hospitals": list(register.values())}

    def secure_sum(self, request: dict[str, Any]) -> dict[tuple[str, str], np.ndarray]:
        self.rounds += 1
        nonce = f"{self.nonce}-{self.rounds}"
        answers = self._task(
            "partial_sums", {"nonce": nonce, "nodes": self.organizations, "request": request}
        )
        bad = [org for org, a in answers if a.get("status") != "ok"]
        if bad:
            raise FederatedError(f"no sums from {', '.join(self._name(o) for o in bad)}")
        total = unmask_sum([[int(v) for v in a["sums"]] for _, a in answers])
        out, at = {}, 0
        for ind, what, n in layout(request):
            out[(ind, what)] = total[at : at + n]
            at += n
        return out

    # -- statistics ---------------------------------------------------------------------
    def counts(self, indicators: list[str], unit: str, prep: dict) -> dict:
        request = {"kind": "counts", "unit": unit, "indicators": indicators, "units": prep["units"]}
        return self.secure_sum(request)

    def newton(self, indicators: list[str], unit: str, prep: dict, counts: dict) -> dict:
        """Federated Newton-Raphson for every case-mix indicator at once.

        The start is R's glm start (the first IRLS step from ``mu = (y + 0.5) / (n + 1)``
        per pattern, from the nodes' normal equations); each Newton step is halved while
        the log-likelihood would fall (a safeguard; the log-likelihood is concave). When
        an accepted step is below :data:`STEP_TOLERANCE` the last Newton step is taken.
        """
        fits: dict[str, dict[str, Any]] = {}
        for i in indicators:
            names = global_design(load_spec(get(i).case_mix), prep["levels"][i]).names
            fits[i] = {"names": names, "iterations": 0, "converged": False}

        def ask(kind: str, which: list[str], betas: dict | None = None) -> dict:
            sums = self.secure_sum(model_request(kind, unit, which, prep, fits, beta=betas))
            out = {}
            for i in which:
                p = len(fits[i]["names"])
                h = np.zeros((p, p))
                h[np.triu_indices(p)] = sums[(i, "hessian")]
                out[i] = (float(sums[(i, "loglik")][0]), sums[(i, "gradient")], h + np.triu(h, 1).T)
                if (i, "fisher") in sums:
                    h = np.zeros((p, p))
                    h[np.triu_indices(p)] = sums[(i, "fisher")]
                    fits[i]["fisher"] = h + np.triu(h, 1).T
            return out

        # the start: R's glm start for 0/1 outcomes (one round); for amounts (gamma, log
        # link; the log-likelihood is concave in beta) the overall mean
        logistic = [i for i in indicators if not get(i).is_mean]
        start = ask("start", logistic) if logistic else {}
        candidate = {i: np.linalg.solve(start[i][2], start[i][1]) for i in logistic}
        for i in indicators:
            if get(i).is_mean:
                beta = np.zeros(len(fits[i]["names"]))
                total, n = counts[(i, "observed")].sum(), counts[(i, "n")].sum()
                beta[fits[i]["names"].index("(Intercept)")] = np.log(total / n)
                candidate[i] = beta
        for _ in range(MAX_ITERATIONS):
            todo = [i for i in indicators if not fits[i]["converged"]]
            if not todo:
                break
            answers = ask("newton", todo, candidate)
            for i in todo:
                f = fits[i]
                ll, g, h = answers[i]
                f["iterations"] += 1
                if "loglik" in f and ll < f["loglik"] - 1e-12 * abs(f["loglik"]):
                    f["scale"] /= 2  # the step overshot: halve it
                    if f["scale"] < 1e-8:
                        raise FederatedError(f"{i}: Newton-Raphson cannot improve the fit")
                    candidate[i] = f["beta"] + f["scale"] * f["step"]
                    continue
                taken = None if "beta" not in f else np.max(np.abs(candidate[i] - f["beta"]))
                f.update(beta=candidate[i], loglik=ll, step=np.linalg.solve(h, g), scale=1.0)
                f["cov"] = np.linalg.inv(h)
                if taken is not None and taken < STEP_TOLERANCE:
                    f["beta"] = f["beta"] + f["step"]
                    f["converged"] = True
                candidate[i] = f["beta"] + f["step"]
        for i in indicators:
            if not fits[i]["converged"]:
                raise FederatedError(
                    f"{i}: Newton-Raphson did not converge in {MAX_ITERATIONS} rounds"
                )
        return fits

    def expected(self, indicators: list[str], unit: str, prep: dict, fits: dict) -> dict:
        betas = {i: fits[i]["beta"] for i in indicators}
        return self.secure_sum(model_request("expected", unit, indicators, prep, fits, beta=betas))

    def random_intercept(self, indicators: list[str], unit: str, prep: dict, fits: dict) -> dict:
        """The random-intercept model of every indicator at once (:mod:`.mixed`).

        Each round sends every indicator's ``beta`` and current hospital effects ``b``
        and gets back, securely summed, the national gradient pieces and the
        per-hospital sums the modes and the Laplace step need; the central step
        (:class:`~saz_geboortezorg.federated.mixed.LaplaceNewton`) starts from the
        fixed-effects fit, as the pooled fit does. Returns a
        :class:`~saz_geboortezorg.model.mixed.MixedFit` per indicator.
        """
        state = {
            i: LaplaceNewton(fits[i]["names"], fits[i]["beta"], len(prep["units"][i]))
            for i in indicators
        }
        while True:
            todo = [i for i in indicators if not state[i].done]
            if not todo:
                break
            points = {i: state[i].point() for i in todo}
            betas = {i: points[i][0] for i in todo}
            request = model_request("mixed", unit, todo, prep, fits, beta=betas)
            request["b"] = {i: [float(v) for v in points[i][1]] for i in todo}
            sums = self.secure_sum(request)
            for i in todo:
                p, k = len(fits[i]["names"]), len(prep["units"][i])
                flat = np.concatenate([sums[(i, what)] for what, _ in sum_layout(p, k)])
                state[i].update(unpack(flat, p, k))
        out = {}
        for i in indicators:
            fit = state[i].result()
            if not fit.converged:
                raise FederatedError(f"{i}: {fit.problems[0]}")
            out[i] = fit
        return out

    def unit_tables(self, indicators: list[str], unit: str, adjusted: bool = True) -> tuple:
        """Per indicator the unit table of :func:`~saz_geboortezorg.compare.standardise.unit_table`,
        from the nodes' sums; and the prepare round's answers and the fits."""
        prep = self.prepare(indicators, unit)
        self.prep = prep
        counts = self.counts(indicators, unit, prep)
        cm = [i for i in indicators if adjusted and get(i).case_mix]
        fits = self.newton(cm, unit, prep, counts) if cm else {}
        self.fits.update(fits)
        exp = self.expected(cm, unit, prep, fits) if cm else {}
        tables = {}
        for i in indicators:
            ind = get(i)
            n, obs = counts[(i, "n")], counts[(i, "observed")]
            rule = attribution_for(ind, None)
            common = {
                "indicator": ind.id,
                "measure": ind.unit,
                "family": "gamma" if ind.is_mean else "binomial",
                "overall": float(obs.sum() / n.sum()),
            }
            if i in fits:
                e, s2 = exp[(i, "sum_p")], exp[(i, "sum_p2")]
                if ind.is_mean:
                    variance = self._amount_variance(i, n, exp, fits[i])
                else:
                    variance = e - s2
                spec = load_spec(ind.case_mix)
                table = RateTable.from_counts(
                    np.asarray(prep["units"][i], dtype=object),
                    n,
                    obs,
                    expected=e,
                    variance=variance,
                    method=f"case-mix model {spec.name!r} (indirect standardisation; "
                    "federated fit)",
                    calibration=1.0,
                    **common,
                )
            else:
                method = (
                    "crude: the catalogue gives no case-mix model for this indicator"
                    if not ind.case_mix
                    else "crude (adjustment switched off)"
                )
                extra = {"sumsq": counts[(i, "sumsq")]} if ind.is_mean else {}
                table = RateTable.from_counts(
                    np.asarray(prep["units"][i], dtype=object),
                    n,
                    obs,
                    method=method,
                    **extra,
                    **common,
                )
            tables[i] = replace(table, unit_type=unit, attribution=rule)
        stand_in = int(round(counts[("", "stand_in")][0]))
        return tables, prep, fits, stand_in

    @staticmethod
    def _amount_variance(i: str, n: np.ndarray, exp: dict, fit: dict) -> np.ndarray:
        """The variance of a unit's total amount, as the pooled benchmark's
        (:func:`~saz_geboortezorg.stats.variance.robust_total_variance`): the robust
        ``n/(n - 1) sum (y - mu)^2``, the model's ``phi sum mu^2`` where larger for units
        with fewer than ``MIN_RECORDS`` records. Also sets the fit's Pearson dispersion
        ``phi`` and the covariance ``phi (X'NX)^-1``, as ``fit_gamma``."""
        p = len(fit["names"])
        total_n = float(n.sum())
        phi = float(exp[(i, "pearson")][0] / (total_n - p)) if total_n > p else float("nan")
        fit["scale"] = phi
        fit["cov"] = np.linalg.inv(fit["fisher"]) * phi
        rss = exp[(i, "rss")]
        model = phi * exp[(i, "sum_p2")]
        with np.errstate(divide="ignore", invalid="ignore"):
            robust = np.where(n > 1, rss * n / (n - 1), np.nan)
        small = ~(n >= MIN_RECORDS)
        return np.where(small, np.fmax(robust, model), robust)

    # -- the three central functions ---------------------------------------------------------
    def rates(self, indicators: list[str], unit: str) -> list[dict]:
        tables, _, _, _ = self.unit_tables(list(indicators), unit, adjusted=False)
        frames = []
        for i, t in tables.items():
            frames.append(
                t.table.assign(indicator=i)[
                    ["indicator", "unit", "n", "observed", "rate", "lower", "upper"]
                ]
            )
        table = pd.concat(frames, ignore_index=True)
        protected = suppress(
            table,
            ["n", "observed"],
            lines=[("indicator",)],
            denominators={"observed": "n"},
            derived={c: ["observed", "n"] for c in ("rate", "lower", "upper")},
            name="federated rates",
            label=["unit", "indicator"],
        )
        return jsonable(protected.table.to_dict("records"))

    def casemix(self, indicator: str, unit: str, random_intercept: bool = False) -> dict:
        ind = get(indicator)
        if not ind.case_mix:
            raise SpecError(f"{indicator}: the catalogue gives no case-mix model")
        tables, prep, fits, _ = self.unit_tables([ind.id], unit)
        fit = fits[ind.id]
        mixed = None
        if random_intercept and ind.is_mean:
            raise SpecError(
                f"{indicator}: the random intercept is fitted for 0/1 outcomes only, not for "
                "amounts (as sg.casemix)"
            )
        if random_intercept:
            mixed = self.random_intercept([ind.id], unit, prep, fits)[ind.id]
            fit["mixed"] = mixed
        se = np.sqrt(np.diag(fit["cov"]))
        t = tables[ind.id].table
        coefficients = [
            {"term": n, "estimate": float(b), "se": float(s)}
            for n, b, s in zip(fit["names"], fit["beta"], se, strict=True)
        ]
        units = pd.DataFrame(
            {"unit": t["unit"], "n": t["n"], "observed": t["observed"], "expected": t["expected"]}
        )
        units["oe"] = units["observed"] / units["expected"]
        derived = ["expected", "oe"]
        if mixed is not None:
            # the hospital effects (conditional modes) and their conditional intervals
            se_b = np.sqrt(mixed.effect_var)
            units["effect"] = mixed.effects
            units["effect_se"] = se_b
            units["odds_ratio"] = np.exp(mixed.effects)
            units["or_lcl95"] = np.exp(mixed.effects - Z95 * se_b)
            units["or_ucl95"] = np.exp(mixed.effects + Z95 * se_b)
            derived += ["effect", "effect_se", "odds_ratio", "or_lcl95", "or_ucl95"]
        protected = suppress(
            units,
            ["n", "observed"],
            lines=[()],
            denominators={"observed": "n"},
            derived={c: ["observed", "n"] for c in derived},
            name="federated case-mix table",
            label=["unit"],
        )
        out = {
            "indicator": ind.id,
            "spec": ind.case_mix,
            "iterations": fit["iterations"],
            "rounds": self.rounds,
            "coefficients": coefficients,
            "table": jsonable(protected.table.to_dict("records")),
        }
        if mixed is not None:
            out["random_effects"] = jsonable(
                {
                    "tau2": mixed.tau2,
                    "median_odds_ratio": median_odds_ratio(mixed.tau2),
                    "rankability": rankability(mixed.tau2, mixed.within_var),
                    "loglik": mixed.loglik,
                    "rounds": mixed.iterations,
                    "coefficients": [
                        {"term": n, "estimate": float(b), "se": float(s)}
                        for n, b, s in zip(mixed.names, mixed.params, mixed.se, strict=True)
                    ],
                    "interval_method": "conditional (plug-in tau^2 and fixed effects)",
                    "notes": mixed.notes,
                }
            )
        return out

    def benchmark_result(self, indicators: list[str], unit: str = "hospital", **options: Any):
        """The unprotected :class:`BenchmarkResult` (inside the central function only)."""
        limits = options.pop("limits", (95, 99.8))
        levels, verdict_level, alert_level = benchmark_levels(
            limits,
            verdict=options.get("verdict"),
            alert=options.get("alert"),
            min_expected=options.get("min_expected", 5),
            fdr=options.get("fdr"),
        )
        tables, prep, _, stand_in = self.unit_tables(list(indicators), unit)
        org = pd.DataFrame(prep["hospitals"])
        births = pd.DataFrame(
            {"pregnancy_id": np.arange(stand_in), "booking_from": "birth hospital (stand-in)"}
        )
        data = SimpleNamespace(sources={"organisaties": org}, births=births)
        return benchmark_tables(
            [(get(i), tables[i], "all") for i in indicators],
            data=data,
            unit=unit,
            adjusted=True,
            levels=levels,
            verdict_level=verdict_level,
            alert_level=alert_level,
            min_expected=options.get("min_expected", 5),
            fdr=options.get("fdr"),
            overdispersion=options.get("overdispersion", True),
            variance=options.get("variance", "binomial"),
        )

    def benchmark(
        self, indicators: list[str], unit: str = "hospital", **options: Any
    ) -> list[dict]:
        result = self.benchmark_result(indicators, unit, **options)
        self.result = result
        parts = protect_benchmark(result.table)
        table = pd.concat([p.table for p in parts], ignore_index=True)
        return jsonable(table.to_dict("records"))
