"""Secure summation: a node's numbers leave it only masked, and only their sum is known.

Every number a node returns for a sum over nodes is encoded in fixed point (``x * 2**64``
rounded to an integer: 2**-64 absolute precision) and a random mask is added modulo
``2**192``. The masks of the nodes cancel in the sum (pairwise masking, as in Bonawitz et
al. 2017, "Practical secure aggregation"): for every pair of nodes ``i < j``, node ``i``
adds and node ``j`` subtracts the same pseudo-random vector, derived from a key that all
nodes share and the analyst and the server do not (``SAZ_FEDERATED_KEY`` in each node's
configuration), the task's nonce, the request and the pair. One node's message is a vector
of integers uniform on ``0 .. 2**192 - 1``: it reveals nothing about that node; the sum over
all nodes of a task is the sum of their exact values, to ``17 * 2**-64``.

**Requests are signed.** A node answers only a request that a central function of this
algorithm built: the central function (which runs on a node, so it holds the key too)
signs every task's method and arguments, with its run id, its round and its vantage6 job,
by HMAC-SHA256 under a key derived from the shared key for this purpose only
(:func:`auth_key`; the masks use the shared key itself). A node checks the signature with
:func:`hmac.compare_digest` before it reads any data (:func:`verify_request`) and refuses
a request that is unsigned, altered, signed with another key, or signed for another job
(a replay: a task created by a user is a new job; only the central function's own
container can create tasks in its job).

What is assumed: every node of the task answers (a missing node leaves the masks in the
sum and the result is noise: the central function then stops); the nodes do not collude
with the analyst (any node knows the key, so a node plus the server could unmask another
node); the nonce and request are the same for all nodes of a task (they are: one task).

Examples
--------
>>> key = b"shared by the data managers"
>>> a = mask_vector([1.5, 7.0], key, "nonce", "req", me=1, nodes=[1, 2, 3])
>>> b = mask_vector([2.0, 0.0], key, "nonce", "req", me=2, nodes=[1, 2, 3])
>>> c = mask_vector([0.25, 3.0], key, "nonce", "req", me=3, nodes=[1, 2, 3])
>>> unmask_sum([a, b, c]).tolist()
[3.75, 10.0]
>>> any(0 < v < 10 for v in a)   # one node's message: large random integers
False

A signed request, checked by a node; altered, it is refused:

>>> kwargs = {"request": {"kind": "counts", "beta": [0.5]}}
>>> auth = sign_request(key, "partial_sums", kwargs, run="r1", round_=1, job=7)
>>> verify_request(key, "partial_sums", kwargs, auth, job=7)
>>> kwargs["request"]["beta"] = [9.0]
>>> verify_request(key, "partial_sums", kwargs, auth, job=7)
Traceback (most recent call last):
...
saz_geboortezorg.federated.secure.RequestRefused: refused: the request was altered after it was signed, or signed with another key; nothing was computed
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Sequence

import numpy as np

from saz_geboortezorg.errors import SazError

__all__ = [
    "KEY_VARIABLE",
    "MODULUS",
    "SCALE",
    "RequestRefused",
    "auth_key",
    "canonical_request",
    "node_key",
    "mask_vector",
    "sign_request",
    "unmask_sum",
    "verify_request",
]

#: The environment variable with the key the nodes share (never the analyst).
KEY_VARIABLE = "SAZ_FEDERATED_KEY"
#: Arithmetic modulo 2**192; values are encoded as round(x * 2**64).
MODULUS = 2**192
SCALE = 2**64
_BYTES = 24
_LANE = 32
#: What the request-authentication key is derived for: never the mask key itself.
_AUTH_PURPOSE = b"saz_geboortezorg federated: request authentication, v1"
_AUTH_FIELDS = {"run", "round", "job", "mac"}


class RequestRefused(SazError):
    """A node refused a request: unsigned, altered, signed with another key or for
    another job. The message names the reason only; nothing was computed."""


def node_key() -> bytes:
    """The shared key from the node's environment; a clear error when it is not set."""
    key = os.environ.get(KEY_VARIABLE, "")
    if len(key) < 16:
        raise SazError(
            f"the node has no shared key: set {KEY_VARIABLE} (16 characters or more, the same "
            "on every node of the collaboration, unknown to the analyst) in the node's "
            "algorithm environment"
        )
    return key.encode()


def _stream(key: bytes, nonce: str, request: str, a: int, b: int, length: int) -> list[int]:
    """The pair's mask: ``length`` integers uniform on 0 .. 2**192 - 1."""
    raw = _raw_stream(key, nonce, request, a, b, length)
    return [int.from_bytes(raw[i : i + _BYTES], "big") for i in range(0, len(raw), _BYTES)]


def _raw_stream(key: bytes, nonce: str, request: str, a: int, b: int, length: int) -> bytes:
    seed = b"|".join([key, nonce.encode(), request.encode(), str(a).encode(), str(b).encode()])
    return hashlib.shake_256(seed).digest(_BYTES * length)


def _packed(raw: bytes, length: int) -> int:
    """The 24-byte integers of ``raw`` as the lanes of one integer, 32 bytes a lane (the
    8 spare bytes take the carries of the sums below, so lanes never spill)."""
    lanes = np.zeros((length, _LANE), dtype=np.uint8)
    lanes[:, _LANE - _BYTES :] = np.frombuffer(raw, dtype=np.uint8).reshape(length, _BYTES)
    return int.from_bytes(lanes.tobytes(), "big")


def mask_vector(
    values: Sequence[float],
    key: bytes,
    nonce: str,
    request: str,
    *,
    me: int,
    nodes: Sequence[int],
) -> list[int]:
    """The node's values, fixed-point encoded and masked (see the module docstring).

    The masks of all pairs are added lane-wise in one big integer (a lane per value, the
    node's value plus the masks it adds plus ``2**192`` minus the masks it subtracts:
    at most ``2 * len(nodes)`` terms below ``2**192`` each, far below the lane's
    ``2**256``), then each lane is reduced modulo ``2**192``: the same numbers as adding
    the masks one by one, at a fraction of the cost.
    """
    x = np.asarray(values, dtype=float)
    if not np.isfinite(x).all():
        raise SazError("a node sum is not finite; nothing is returned")
    length = len(x)
    if length == 0:
        return []
    encoded = b"".join((round(float(v) * SCALE) % MODULUS).to_bytes(_BYTES, "big") for v in x)
    total = _packed(encoded, length)
    all_modulus = int.from_bytes((MODULUS.to_bytes(_LANE, "big")) * length, "big")
    for other in nodes:
        if other == me:
            continue
        lo, hi = min(me, other), max(me, other)
        mask = _packed(_raw_stream(key, nonce, request, lo, hi, length), length)
        total += mask if me == lo else all_modulus - mask
    raw = total.to_bytes(_LANE * length, "big")
    return [int.from_bytes(raw[i : i + _LANE], "big") % MODULUS for i in range(0, len(raw), _LANE)]


def unmask_sum(messages: Sequence[Sequence[int]]) -> np.ndarray:
    """The sum over all nodes of a task: the masks cancel; back to floats."""
    if not messages:
        raise SazError("no node answered")
    length = {len(m) for m in messages}
    if len(length) != 1:
        raise SazError("the nodes returned sums of different lengths")
    total = [sum(int(m[i]) for m in messages) % MODULUS for i in range(length.pop())]
    signed = [t - MODULUS if t >= MODULUS // 2 else t for t in total]
    return np.array([t / SCALE for t in signed], dtype=float)


def auth_key(key: bytes) -> bytes:
    """The key that signs requests: ``HMAC-SHA256(shared key, purpose)``, a key of its
    own (knowing it gives neither the shared key nor the masks).

    Examples
    --------
    >>> len(auth_key(b"shared by the data managers")), auth_key(b"k" * 16) == b"k" * 16
    (32, False)
    """
    return hmac.new(key, _AUTH_PURPOSE, hashlib.sha256).digest()


def canonical_request(method: str, kwargs: dict, run: str, round_: int, job: int | None) -> bytes:
    """The bytes a signature covers: the method, every argument (but the signature), the
    run id, the round and the vantage6 job, as canonical JSON (sorted keys, no spaces,
    no NaN: a float is written by its shortest exact representation, so a JSON round
    trip, as vantage6 makes one, gives the same bytes).

    Examples
    --------
    >>> canonical_request("partial_sums", {"b": [0.1], "a": 1}, "r", 2, None)
    b'{"job":null,"kwargs":{"a":1,"b":[0.1]},"method":"partial_sums","round":2,"run":"r"}'
    """
    body = {"method": method, "kwargs": kwargs, "run": run, "round": round_, "job": job}
    try:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SazError(f"a request cannot be signed: {exc}") from None
    return text.encode()


def sign_request(
    key: bytes, method: str, kwargs: dict, *, run: str, round_: int, job: int | None
) -> dict:
    """The signature a central function adds to a task's arguments (as ``auth``)."""
    mac = hmac.new(auth_key(key), canonical_request(method, kwargs, run, round_, job), "sha256")
    return {"run": run, "round": round_, "job": job, "mac": mac.hexdigest()}


def verify_request(key: bytes, method: str, kwargs: dict, auth: object, *, job: int | None) -> None:
    """Refuse (:class:`RequestRefused`) unless ``auth`` signs exactly this method and
    these arguments, under this key, for the job the node's task belongs to."""
    if not isinstance(auth, dict) or set(auth) != _AUTH_FIELDS:
        raise RequestRefused(
            "refused: the request is not signed by a central function of this algorithm "
            "(only central_rates, central_casemix and central_benchmark may ask the nodes); "
            "nothing was computed"
        )
    if not (
        isinstance(auth["run"], str)
        and isinstance(auth["round"], int)
        and (auth["job"] is None or isinstance(auth["job"], int))
        and isinstance(auth["mac"], str)
    ):
        raise RequestRefused("refused: the request's signature is malformed; nothing was computed")
    body = canonical_request(method, kwargs, auth["run"], auth["round"], auth["job"])
    expected = hmac.new(auth_key(key), body, "sha256").hexdigest()
    if not hmac.compare_digest(expected.encode(), auth["mac"].encode()):
        raise RequestRefused(
            "refused: the request was altered after it was signed, or signed with another "
            "key; nothing was computed"
        )
    if auth["job"] != job:
        raise RequestRefused(
            "refused: the request was signed for another vantage6 job (a replayed "
            "request); nothing was computed"
        )
