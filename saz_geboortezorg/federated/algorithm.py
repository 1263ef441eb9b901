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
"""

from __future__ import annotations

import os
import uuid
from functools import wraps
from typing import Any

from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.federated import central
from saz_geboortezorg.federated.node import node_data, node_prepare, node_sums, validation_report
from saz_geboortezorg.federated.secure import mask_vector, node_key

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


def _load(frames: Any) -> Any:
    return node_data(frames if frames is not None else _node_frames())


@_entry
def partial_prepare(client: Any, frames: Any, indicators: list[str], unit: str) -> dict:
    """Node: validate, link and derive; units, levels and hospitals, or the validation report."""
    try:
        data = _load(frames)
    except SazError as exc:
        return validation_report(exc)
    try:
        return {"status": "ok", **node_prepare(data, indicators, unit)}
    except SpecError as exc:
        return {"status": "invalid", "error": str(exc), "problems": []}


@_entry
def partial_sums(client: Any, frames: Any, nonce: str, nodes: list[int], request: dict) -> dict:
    """Node: the request's sums over the node's records, masked for secure summation."""
    key = node_key()
    data = _load(frames)
    values = node_sums(data, request)
    digest = central.request_digest(request)
    masked = mask_vector(values, key, nonce, digest, me=int(client.organization_id), nodes=nodes)
    return {"status": "ok", "sums": [str(v) for v in masked]}


@_central
def central_rates(client: Any, indicators: list[str], unit: str = "hospital") -> list[dict]:
    """Central: crude rates per unit (small numbers protected); see :mod:`.central`."""
    return central.Run(client, uuid.uuid4().hex).rates(indicators, unit)


@_central
def central_casemix(
    client: Any, indicator: str, unit: str = "hospital", random_intercept: bool = False
) -> dict:
    """Central: the case-mix model (logistic, or gamma for amounts) by federated Newton; with
    ``random_intercept=True`` also the random intercept per unit (Laplace, as
    ``sg.casemix(..., random_effects=True)``; :mod:`.mixed`). See :mod:`.central`."""
    return central.Run(client, uuid.uuid4().hex).casemix(indicator, unit, random_intercept)


@_central
def central_benchmark(
    client: Any, indicators: list[str], unit: str = "hospital", **options: Any
) -> list[dict]:
    """Central: the open benchmark table as rows (small numbers protected)."""
    return central.Run(client, uuid.uuid4().hex).benchmark(indicators, unit, **options)
