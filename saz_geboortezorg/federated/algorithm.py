"""The vantage6 entry points: partial (node) and central functions.

vantage6 runs a method of this module by name (``input_["method"]``). The partial
functions get the vantage6 algorithm client and the node's four databases; the central
functions get the client and drive the nodes in rounds (:mod:`.central`). In a mock run
(``MockAlgorithmClient``) both are handed in by the mock client.

The databases are read with the library's own reader (CSV as text, with its line numbers
in every problem; Parquet typed), from the paths the node configuration gives
(``<LABEL>_DATABASE_URI`` of the labels the task requests, in the order organisaties,
perined_lvr1, perined_lvr2, dbc_declaraties), not with vantage6's ``pd.read_csv``.

Examples
--------
The methods a task may name (``input_["method"]``):

>>> from saz_geboortezorg.federated import algorithm
>>> algorithm.__all__
['partial_prepare', 'partial_sums', 'central_rates', 'central_casemix', 'central_benchmark']

In a test, vantage6's ``MockAlgorithmClient(datasets, module="saz_geboortezorg.federated")``
runs them on one list of four tables per organisation (``tests/federated``).

**Only the central functions may ask the nodes.** The partial functions answer only a
request signed by a central function of this algorithm for the job it runs in
(:func:`~.secure.verify_request`; anything else gets ``{"status": "refused"}`` and its
reason, before any data are read), and only in an encrypted collaboration
(:func:`require_encrypted`). The central functions accept only catalogue indicator ids,
a unit of :data:`~.central.UNITS` and the benchmark's settings
(:func:`~.central.check_arguments`), so a signed request is always one they build; and
they do not run on the node of the organisation that created the task
(:func:`~.central.check_aggregator`), for which the rounds' results are encrypted.
"""

from __future__ import annotations

import os
import uuid
from functools import wraps
from typing import Any

from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.federated import central
from saz_geboortezorg.federated.node import node_data, node_prepare, node_sums, validation_report
from saz_geboortezorg.federated.secure import RequestRefused, mask_vector, node_key, verify_request

__all__ = [
    "partial_prepare",
    "partial_sums",
    "central_rates",
    "central_casemix",
    "central_benchmark",
]


def _real_client() -> Any:
    from vantage6.algorithm.tools.decorators import algorithm_client

    return algorithm_client(lambda client: client)()


def _node_frames() -> list[str]:
    labels = [x for x in os.environ.get("USER_REQUESTED_DATABASE_LABELS", "").split(",") if x]
    if not 3 <= len(labels) <= 4:
        raise SazError(
            "the task must request the databases organisaties, perined_lvr1, perined_lvr2 "
            f"and (optional) dbc_declaraties, in that order; got {labels}"
        )
    return [os.environ[f"{label.upper()}_DATABASE_URI"] for label in labels]


def _entry(func):
    """Like vantage6's ``@algorithm_client`` and ``@data``: the mock hands in both."""

    @wraps(func)
    def entry(*args: Any, mock_client: Any = None, mock_data: Any = None, **kwargs: Any) -> Any:
        client = mock_client if mock_client is not None else _real_client()
        return func(client, mock_data, *args, **kwargs)

    entry.wrapped_in_algorithm_client_decorator = True
    entry.wrapped_in_data_decorator = True
    return entry


def _central(func):
    @wraps(func)
    def entry(*args: Any, mock_client: Any = None, **kwargs: Any) -> Any:
        client = mock_client if mock_client is not None else _real_client()
        return func(client, *args, **kwargs)

    entry.wrapped_in_algorithm_client_decorator = True
    return entry


def require_encrypted(client: Any) -> None:
    """Refuse to run in a collaboration that is not encrypted.

    In an encrypted collaboration vantage6 encrypts every result for the organisation
    that created the task: the nodes' masked shares for the central function's
    organisation, the protected table for the analyst's. Unencrypted, every user of the
    collaboration who may view results could read all shares of a round and add them up
    (the unprotected sums). The collaboration's ``encrypted`` flag is read from the
    server through the algorithm client (``client.collaboration.get()``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plain = SimpleNamespace(collaboration=SimpleNamespace(get=lambda: {"encrypted": False}))
    >>> require_encrypted(plain)
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SazError: the collaboration is not encrypted: ...
    """
    info = client.collaboration.get()
    if not isinstance(info, dict) or info.get("encrypted") is not True:
        raise SazError(
            "the collaboration is not encrypted: every user of it could read the nodes' "
            "masked shares and add them up, so saz_geboortezorg does not run (ask the "
            "server administrator for an encrypted collaboration)"
        )


def _refusal(exc: SazError) -> dict:
    return {"status": "refused", "error": str(exc)}


def _check(client: Any, method: str, kwargs: dict, auth: Any) -> None:
    """The node's checks before it reads any data (raises :class:`RequestRefused`)."""
    try:
        require_encrypted(client)
        key = node_key()
    except SazError as exc:
        raise RequestRefused(f"refused: {exc}; nothing was computed") from None
    verify_request(key, method, kwargs, auth, job=central.current_job(client))
    central.check_unit(kwargs.get("unit", kwargs.get("request", {}).get("unit")))


def _load(frames: Any) -> Any:
    return node_data(frames if frames is not None else _node_frames())


@_entry
def partial_prepare(
    client: Any, frames: Any, indicators: list[str], unit: str, auth: Any = None
) -> dict:
    """Node: validate, link and derive; units, levels and hospitals, or the validation report.

    Only for a request a central function signed (else ``{"status": "refused"}``)."""
    try:
        _check(client, "partial_prepare", {"indicators": indicators, "unit": unit}, auth)
    except SazError as exc:
        return _refusal(exc)
    try:
        data = _load(frames)
    except SazError as exc:
        return validation_report(exc)
    try:
        return {"status": "ok", **node_prepare(data, indicators, unit)}
    except SpecError as exc:
        return {"status": "invalid", "error": str(exc), "problems": []}


@_entry
def partial_sums(
    client: Any, frames: Any, nonce: str, nodes: list[int], request: dict, auth: Any = None
) -> dict:
    """Node: the request's sums over the node's records, masked for secure summation.

    Only for a request a central function signed (else ``{"status": "refused"}``)."""
    try:
        _check(client, "partial_sums", {"nonce": nonce, "nodes": nodes, "request": request}, auth)
    except SazError as exc:
        return _refusal(exc)
    key = node_key()
    data = _load(frames)
    values = node_sums(data, request)
    digest = central.request_digest(request)
    masked = mask_vector(values, key, nonce, digest, me=int(client.organization_id), nodes=nodes)
    return {"status": "ok", "sums": [str(v) for v in masked]}


@_central
def central_rates(client: Any, indicators: list[str], unit: str = "hospital") -> list[dict]:
    """Central: crude rates per unit (small numbers protected); see :mod:`.central`."""
    indicators, unit, _ = central.check_arguments(indicators, unit)
    require_encrypted(client)
    central.check_aggregator(client)
    return central.Run(client, uuid.uuid4().hex).rates(indicators, unit)


@_central
def central_casemix(
    client: Any, indicator: str, unit: str = "hospital", random_intercept: bool = False
) -> dict:
    """Central: the case-mix model (logistic, or gamma for amounts) by federated Newton; with
    ``random_intercept=True`` also the random intercept per unit (Laplace, as
    ``sg.casemix(..., random_effects=True)``; :mod:`.mixed`). See :mod:`.central`."""
    if not isinstance(indicator, str):
        raise SpecError(f"indicator: give one indicator id, not {indicator!r}")
    (indicator,), unit, _ = central.check_arguments([indicator], unit)
    if not isinstance(random_intercept, bool):
        raise SpecError(f"random_intercept must be true or false, not {random_intercept!r}")
    require_encrypted(client)
    central.check_aggregator(client)
    run = central.Run(client, uuid.uuid4().hex)
    return run.casemix(indicator, unit, random_intercept)


@_central
def central_benchmark(
    client: Any, indicators: list[str], unit: str = "hospital", **options: Any
) -> list[dict]:
    """Central: the open benchmark table as rows (small numbers protected)."""
    indicators, unit, options = central.check_arguments(indicators, unit, options)
    require_encrypted(client)
    central.check_aggregator(client)
    run = central.Run(client, uuid.uuid4().hex)
    return run.benchmark(indicators, unit, **options)
