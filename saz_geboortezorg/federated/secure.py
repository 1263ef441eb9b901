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
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

import numpy as np

from saz_geboortezorg.errors import SazError

__all__ = ["KEY_VARIABLE", "MODULUS", "SCALE", "node_key", "mask_vector", "unmask_sum"]

#: The environment variable with the key the nodes share (never the analyst).
KEY_VARIABLE = "SAZ_FEDERATED_KEY"
#: Arithmetic modulo 2**192; values are encoded as round(x * 2**64).
MODULUS = 2**192
SCALE = 2**64
_BYTES = 24
_LANE = 32


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
