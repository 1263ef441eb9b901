"""Only the central functions may ask the nodes: signed requests, checked arguments,
an encrypted collaboration.

A user who may create tasks in the collaboration could otherwise send the nodes a request
of their own (any coefficients, any design, any hospital effects), add up the masked
shares and read unprotected national or per-hospital sums. Here such requests are sent to
all 17 nodes as the user would (a task of their own, so a new vantage6 job), and every
node must refuse them without computing anything; the same requests signed by a central
run, unaltered and in the run's own job, are answered.
"""

from __future__ import annotations

import copy
import json

import pytest
from conftest import KEY, SharedDataMockClient, mock_client

from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.federated import central_benchmark, central_casemix, central_rates
from saz_geboortezorg.federated.secure import sign_request

#: A small case-mix model (few terms), so that the recorded run is quick.
INDICATOR = "perinatal_mortality"


@pytest.fixture(scope="module")
def recorded(nodes, shared_key):
    """A central run's tasks as the nodes received them (job 1): method and kwargs."""
    client = mock_client(nodes, job=1)
    central_casemix(indicator=INDICATOR, unit="hospital", mock_client=client)
    inputs = {}
    for run in client.runs:
        task = run["task"]["id"]
        inputs.setdefault(task, json.loads(run["input"]))
    return [inputs[t] for t in sorted(inputs)]


def _of_kind(recorded, kind):
    return next(
        copy.deepcopy(i)
        for i in recorded
        if i["method"] == "partial_sums" and i["kwargs"]["request"]["kind"] == kind
    )


def _send(nodes, input_, job):
    """``input_`` as a task of its own to every node (a user's task: ``job`` is new,
    or the central run's own job to show that the refusals are specific)."""
    client = mock_client(nodes, job=job)
    task = client.task.create(input_=input_, organizations=list(range(1, len(nodes) + 1)))
    answers = client.wait_for_results(task_id=task["id"])
    assert len(answers) == len(nodes)
    return answers


def _refused(answers, reason):
    for a in answers:
        # a refusal and its reason, nothing else: no sums, no units, no levels
        assert set(a) == {"status", "error"}, a
        assert a["status"] == "refused"
        assert reason in a["error"], a["error"]
        assert "nothing was computed" in a["error"]
    return True


def test_the_recorded_rounds_are_signed_and_answered_in_their_job(recorded, nodes):
    kinds = [i["kwargs"]["request"]["kind"] for i in recorded if i["method"] == "partial_sums"]
    assert {"counts", "start", "newton", "expected"} <= set(kinds)
    assert all(set(i["kwargs"]["auth"]) == {"run", "round", "job", "mac"} for i in recorded)
    # rounds are numbered in order, in the run's job
    assert [i["kwargs"]["auth"]["round"] for i in recorded] == list(range(1, len(recorded) + 1))
    assert {i["kwargs"]["auth"]["job"] for i in recorded} == {1}
    # sent again inside the run's own job, a signed request is answered (as the central
    # function's own round would be): the refusals below are about the changes
    answers = _send(nodes, _of_kind(recorded, "expected"), job=1)
    assert all(a["status"] == "ok" and len(a["sums"]) > 0 for a in answers)


def test_unsigned_requests_are_refused_by_every_node(recorded, nodes):
    # the attack: per-hospital expected counts at an extreme intercept; sum p ~ n_j and
    # the counts request give a hospital's women and events, 1-9 included
    crafted = _of_kind(recorded, "expected")
    del crafted["kwargs"]["auth"]
    beta = crafted["kwargs"]["request"]["beta"][INDICATOR]
    crafted["kwargs"]["request"]["beta"][INDICATOR] = [40.0] + [0.0] * (len(beta) - 1)
    assert _refused(_send(nodes, crafted, job=2), "not signed")
    counts = _of_kind(recorded, "counts")
    del counts["kwargs"]["auth"]
    assert _refused(_send(nodes, counts, job=2), "not signed")
    # the prepare round too (its answers name the levels each node has)
    prepare = copy.deepcopy(next(i for i in recorded if i["method"] == "partial_prepare"))
    del prepare["kwargs"]["auth"]
    assert _refused(_send(nodes, prepare, job=2), "not signed")
    # a malformed signature is no signature
    counts["kwargs"]["auth"] = {"mac": "00" * 32}
    assert _refused(_send(nodes, counts, job=2), "not signed")


@pytest.mark.parametrize(
    "change",
    [
        "beta",  # other coefficients (the attack at an extreme beta)
        "design",  # a crafted design: a covariate's levels
        "names",  # a crafted design: the model terms
        "units",  # other units
        "kind",  # another sum over the same arguments
        "nodes",  # another set of nodes (masks that do not cancel as signed)
        "method",  # the signature of one method on another
    ],
)
def test_an_altered_signed_request_is_refused(recorded, nodes, change):
    altered = _of_kind(recorded, "newton")
    request = altered["kwargs"]["request"]
    if change == "beta":
        request["beta"][INDICATOR][0] += 25.0
    elif change == "design":
        levels = next(iter(request["levels"][INDICATOR].values()))
        levels["levels"] = levels["levels"][:1]
    elif change == "names":
        request["names"][INDICATOR] = request["names"][INDICATOR][:1]
        request["beta"][INDICATOR] = request["beta"][INDICATOR][:1]
    elif change == "units":
        request["units"][INDICATOR] = request["units"][INDICATOR][:1]
    elif change == "kind":
        request["kind"] = "expected"
    elif change == "nodes":
        altered["kwargs"]["nodes"] = altered["kwargs"]["nodes"][:-1]
    else:
        altered = copy.deepcopy(next(i for i in recorded if i["method"] == "partial_prepare"))
        altered["method"] = "partial_sums"
        altered["kwargs"] = {
            **_of_kind(recorded, "counts")["kwargs"],
            "auth": altered["kwargs"]["auth"],
        }
    # even inside the run's own job: the signature no longer fits
    assert _refused(_send(nodes, altered, job=1), "altered")


def test_a_request_signed_with_another_key_is_refused(recorded, nodes):
    forged = _of_kind(recorded, "expected")
    kwargs = {k: v for k, v in forged["kwargs"].items() if k != "auth"}
    auth = forged["kwargs"]["auth"]
    forged["kwargs"]["auth"] = sign_request(
        b"a key guessed by the analyst, not the nodes'",
        "partial_sums",
        kwargs,
        run=auth["run"],
        round_=auth["round"],
        job=auth["job"],
    )
    assert forged["kwargs"]["auth"]["mac"] != auth["mac"]
    assert _refused(_send(nodes, forged, job=1), "altered")
    # the nodes' own key signs it as the original (the check above is the key's)
    again = sign_request(
        KEY.encode(), "partial_sums", kwargs, run=auth["run"], round_=auth["round"], job=1
    )
    assert again == auth


def test_a_replayed_request_is_refused(recorded, nodes):
    """A signed request copied from a run and sent as a task of one's own: a new job."""
    replay = _of_kind(recorded, "expected")
    assert _refused(_send(nodes, replay, job=2), "another vantage6 job")


def test_a_node_without_the_key_refuses(recorded, nodes, monkeypatch):
    monkeypatch.delenv("SAZ_FEDERATED_KEY")
    assert _refused(_send(nodes, _of_kind(recorded, "counts"), job=1), "no shared key")


class UnencryptedClient(SharedDataMockClient):
    """The mock client of a collaboration that is not encrypted."""

    class Collaboration(SharedDataMockClient.Collaboration):
        def get(self, is_encrypted: bool = False) -> dict:
            return super().get(is_encrypted=False)


def test_an_unencrypted_collaboration_is_refused(recorded, nodes, shared_key):
    client = UnencryptedClient(
        [[{"database": frame} for frame in tables] for tables in nodes.values()],
        module="saz_geboortezorg.federated",
        organization_ids=list(range(1, len(nodes) + 1)),
    )
    assert client.collaboration.get()["encrypted"] is False
    with pytest.raises(SazError, match="the collaboration is not encrypted"):
        central_rates(indicators=["cs"], unit="hospital", mock_client=client)
    assert client.tasks == []  # the central function asked no node
    # and a node refuses a signed request there
    task = client.task.create(
        input_=_of_kind(recorded, "counts"), organizations=list(range(1, len(nodes) + 1))
    )
    assert _refused(client.wait_for_results(task_id=task["id"]), "not encrypted")


def test_the_analysts_own_node_is_not_the_aggregator(nodes, shared_key):
    """The rounds' results are encrypted for the organisation whose node runs the central
    function; when that organisation also created the task (the analyst's), it stops."""
    client = mock_client(nodes, init_org=1)
    assert client.organization_id == 1
    with pytest.raises(SazError, match="another organisation's node"):
        central_rates(indicators=["cs"], unit="hospital", mock_client=client)
    assert client.tasks == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: central_benchmark(indicators=["cs"], unit="pregnancy_id", mock_client=c),
        lambda c: central_benchmark(indicators=["cs"], unit="bmi", mock_client=c),
        lambda c: central_rates(indicators=["cs"], unit=["hospital"], mock_client=c),
        lambda c: central_rates(indicators=["cs", "not_an_indicator"], mock_client=c),
        lambda c: central_rates(indicators="cs", mock_client=c),
        lambda c: central_rates(indicators=[], mock_client=c),
        lambda c: central_rates(indicators=["cs", "cs"], mock_client=c),
        lambda c: central_benchmark(indicators=["cs"], where="bmi > 40", mock_client=c),
        lambda c: central_benchmark(indicators=["cs"], pool_rare=True, mock_client=c),
        lambda c: central_benchmark(indicators=["cs"], limits="95", mock_client=c),
        lambda c: central_benchmark(indicators=["cs"], variance="exact", mock_client=c),
        lambda c: central_casemix(indicator=["cs", "pph"], mock_client=c),
        lambda c: central_casemix(indicator="cs", random_intercept="yes", mock_client=c),
    ],
)
def test_central_functions_check_their_arguments(nodes, shared_key, call):
    """Arguments that would make a central function build a request of the analyst's
    choosing (a free column as the unit: every record's id would be a unit), or that
    are not its own, stop it before any node is asked."""
    client = mock_client(nodes)
    with pytest.raises(SpecError):
        call(client)
    assert client.tasks == []
