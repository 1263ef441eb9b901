"""What runs on a node: load the node's extracts as ``sg.load`` does, and sum.

A node holds one region's VSV (its hospital, the practices around it and their claims)
as four databases: ``organisaties``, ``perined_lvr1``, ``perined_lvr2`` and, when
present, ``dbc_declaraties``. :func:`node_data` validates, links and derives them with the
library's own code (:func:`saz_geboortezorg.io.dataset.load_frames`, then
:func:`saz_geboortezorg.derive.tables.derive_dataset`: the steps of ``sg.load``).

A node answers two kinds of request, and nothing else leaves it:

* :func:`node_prepare`: whether its extracts are valid (else the validation report and
  no data), the units (hospital ids) its records count against, the levels of each
  case-mix covariate it has (no counts), and the hospital rows of its organisation
  register (public facts: id, region, NICU centre);
* :func:`node_sums`: a vector of sums over its records (per unit: records, events,
  expected risks; per model: gradient and Hessian of the log-likelihood at the given
  coefficients; for the random intercept, per hospital the sums of :mod:`.mixed` at the
  given coefficients and hospital effects), which the caller masks (:mod:`saz_geboortezorg.federated.secure`) so
  that only the sum over all nodes is ever known.

Examples
--------
>>> request = {"kind": "counts", "indicators": ["cs"], "units": {"cs": ["ZH01", "ZH02"]}}
>>> layout(request)
[('cs', 'n', 2), ('cs', 'observed', 2), ('', 'stand_in', 1)]
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import OrderedDict
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from saz_geboortezorg.derive.tables import derive_dataset
from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.federated.design import (
    check_supported,
    design_with,
    global_design,
    level_table,
    node_levels,
)
from saz_geboortezorg.federated.mixed import cell_sums, sum_layout
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import attribution_for, indicator_outcome, resolve_unit
from saz_geboortezorg.io.dataset import Dataset, load_frames
from saz_geboortezorg.model import load_spec
from saz_geboortezorg.model.collapse import Patterns, collapse
from saz_geboortezorg.model.design import UNKNOWN

__all__ = ["node_data", "node_prepare", "node_sums", "layout", "expit", "validation_report"]

_CACHE: OrderedDict[str, Dataset] = OrderedDict()
_PATTERNS: dict[tuple, tuple[Patterns, list[str]]] = {}
_RECORDS: dict[tuple, tuple] = {}
_DESIGNS: dict[tuple, Any] = {}


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function, stable for large |x|.

    Examples
    --------
    >>> expit(np.array([0.0, 800.0, -800.0])).tolist()
    [0.5, 1.0, 0.0]
    """
    out = np.empty_like(x, dtype=float)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def _fingerprint(frames: list) -> str:
    """A key for the process cache: a hash of every value of every table (through its
    Arrow buffers, with each chunk's offset, length and type). A node container runs one
    task, so the cache only spares repeated loading in a long-lived process (a mock run,
    a notebook)."""
    h = hashlib.sha256()
    for f in frames:
        if isinstance(f, pd.DataFrame):
            h.update(repr(list(map(str, f.columns))).encode())
            table = pa.Table.from_pandas(f, preserve_index=False)
            for column in table.columns:
                for chunk in column.chunks:
                    h.update(repr((chunk.offset, len(chunk), str(chunk.type))).encode())
                    for buffer in chunk.buffers():
                        if buffer is not None:
                            h.update(buffer)
        else:
            h.update(str(f).encode())
        h.update(b"#")
    return h.hexdigest()


def node_data(frames: list, *, salt: str | None = None) -> Dataset:
    """The node's analysis tables: ``load_frames`` then ``derive_dataset`` (``sg.load``).

    Kept for the life of the process (a vantage6 algorithm container runs one task; a
    mock run reuses it across rounds).
    """
    key = _fingerprint(list(frames))
    if key not in _CACHE:
        _CACHE[key] = derive_dataset(load_frames(list(frames), salt=salt))
        while len(_CACHE) > 32:
            _CACHE.popitem(last=False)
    return _CACHE[key]


def _records(
    data: Dataset, ind: Any, unit: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.Series]:
    """The indicator's table, its denominator rows, outcomes, and each row's unit label."""
    key = (id(data), ind.id, unit)
    if key not in _RECORDS:
        _RECORDS[key] = (data, *_build_records(data, ind, unit))
    return _RECORDS[key][1:]


def _build_records(data: Dataset, ind: Any, unit: str) -> tuple:
    table = data.women if ind.level == "woman" else data.births
    keep, y = indicator_outcome(table, ind)
    rows = np.flatnonzero(keep.to_numpy(bool))
    column = resolve_unit(unit, table.columns, attribution_for(ind, None))
    if column is None:
        units = pd.Series(["all"] * len(rows), dtype=object)
    else:
        units = table[column].iloc[rows].astype(object).where(lambda s: s.notna(), UNKNOWN)
        units = units.map(str).reset_index(drop=True)
    return table, rows, y.to_numpy(float)[rows], units


_SPECS: dict[str, Any] = {}


def _spec(ind: Any):
    """The indicator's case-mix spec (None when it has none), checked once per process."""
    if not ind.case_mix:
        return None
    if ind.case_mix not in _SPECS:
        spec = load_spec(ind.case_mix)
        check_supported(spec)
        _SPECS[ind.case_mix] = spec
    return _SPECS[ind.case_mix]


def node_prepare(data: Dataset, indicators: list[str], unit: str) -> dict[str, Any]:
    """Units, covariate levels and hospitals of the node (no counts, no records)."""
    units, levels = {}, {}
    for name in indicators:
        ind = get(name)
        table, rows, y, labels = _records(data, ind, unit)
        units[ind.id] = sorted(set(labels))
        spec = _spec(ind)
        if spec is not None and len(rows):
            levels[ind.id] = node_levels(_local_design(data, ind, unit))
    org = data.sources["organisaties"]
    hospitals = org[org["organisatie_type"].astype(str) == "ZH"]
    keep = [c for c in ("organisatie_id", "organisatie_type", "regio_id", "nicu") if c in org]
    register = [
        {k: (None if pd.isna(v) else str(v)) for k, v in row.items()}
        for row in hospitals[keep].to_dict("records")
    ]
    return {"units": units, "levels": levels, "hospitals": register}


def _local_design(data: Dataset, ind: Any, unit: str) -> Any:
    """The node's own design (its levels, the references added)."""
    key = (id(data), ind.id, unit)
    if key not in _DESIGNS:
        table, rows, y, labels = _records(data, ind, unit)
        spec = _spec(ind)
        _DESIGNS[key] = (
            data,
            design_with(table.iloc[rows], y, labels, spec, level_table(spec, None)),
        )
    return _DESIGNS[key][1]


_GLOBAL: dict[tuple, Any] = {}


def _global(spec: Any, levels: dict) -> Any:
    key = (spec.name, json.dumps(levels, sort_keys=True))
    if key not in _GLOBAL:
        _GLOBAL[key] = global_design(spec, levels)
    return _GLOBAL[key]


def layout(request: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The blocks of a :func:`node_sums` vector: (indicator, quantity, length)."""
    kind = request["kind"]
    out = []
    if kind == "counts":
        for ind in request["indicators"]:
            k = len(request["units"][ind])
            out += [(ind, "n", k), (ind, "observed", k)]
            if get(ind).is_mean:
                out.append((ind, "sumsq", k))
        out.append(("", "stand_in", 1))
    elif kind in ("newton", "start"):
        for ind in request["indicators"]:
            p = len(request["names"][ind])
            out += [(ind, "loglik", 1), (ind, "gradient", p), (ind, "hessian", p * (p + 1) // 2)]
            if kind == "newton" and get(ind).is_mean:
                out.append((ind, "fisher", p * (p + 1) // 2))
    elif kind == "expected":
        for ind in request["indicators"]:
            k = len(request["units"][ind])
            out += [(ind, "sum_p", k), (ind, "sum_p2", k)]
            if get(ind).is_mean:
                out += [(ind, "rss", k), (ind, "pearson", 1)]
    elif kind == "mixed":
        for ind in request["indicators"]:
            p, k = len(request["names"][ind]), len(request["units"][ind])
            out += [(ind, what, n) for what, n in sum_layout(p, k)]
    else:
        raise SazError(f"unknown request kind {kind!r}")
    return out


def _patterns(data: Dataset, ind: Any, unit: str, levels: dict, units: list[str]):
    """The node's records collapsed to (pattern, unit) cells in the pooled design."""
    key = (
        id(data),
        ind.id,
        unit,
        repr(sorted((k, repr(v)) for k, v in levels.items())),
        tuple(units),
    )
    if key not in _PATTERNS:
        pooled = _global(_spec(ind), levels)
        local = _local_design(data, ind, unit)
        terms = []
        for t_local, t_pooled in zip(local.terms, pooled.terms, strict=True):
            where = {lv: i for i, lv in enumerate(t_pooled.levels)}
            extra = sorted(set(t_local.levels) - set(where))
            if extra:
                raise SpecError(
                    f"{ind.id}: level(s) {extra} of {t_local.name} are not in the pooled design"
                )
            to_pooled = np.array([where[lv] for lv in t_local.levels], dtype=np.int64)
            terms.append(replace(t_pooled, codes=to_pooled[t_local.codes]))
        design = replace(
            pooled,
            terms=terms,
            y=local.y,
            unit_codes=local.unit_codes,
            unit_labels=local.unit_labels,
            counts=pd.DataFrame(),
        )
        index = {u: i for i, u in enumerate(units)}
        missing = sorted(set(design.unit_labels) - set(index))
        if missing:
            raise SpecError(f"{ind.id}: units {missing} are not in the request")
        remap = np.array([index[u] for u in design.unit_labels], dtype=np.int64)
        design.unit_codes = remap[design.unit_codes] if len(remap) else design.unit_codes
        design.unit_labels = list(units)
        _PATTERNS[key] = (collapse(design), pooled.names)
    return _PATTERNS[key]


def node_sums(data: Dataset, request: dict[str, Any]) -> np.ndarray:
    """The node's sums for a request, in the order of :func:`layout` (not yet masked)."""
    kind, unit = request["kind"], request["unit"]
    parts: list[np.ndarray] = []
    if kind == "counts":
        for name in request["indicators"]:
            ind = get(name)
            units = request["units"][name]
            _, _, y, labels = _records(data, ind, unit)
            index = {u: i for i, u in enumerate(units)}
            codes = np.array([index[u] for u in labels], dtype=np.int64)
            parts.append(np.bincount(codes, minlength=len(units)).astype(float))
            parts.append(np.bincount(codes, weights=y, minlength=len(units)))
            if ind.is_mean:
                parts.append(np.bincount(codes, weights=y * y, minlength=len(units)))
        births = data.births
        stand_in = births["booking_from"].astype(str).str.startswith("birth hospital")
        parts.append(np.array([float(births.loc[stand_in, "pregnancy_id"].nunique())]))
    elif kind == "mixed":
        # the random intercept (:mod:`.mixed`): at eta = x' beta + b_j over the node's cells
        for name in request["indicators"]:
            ind = get(name)
            pats, names = _patterns(
                data, ind, unit, request["levels"][name], request["units"][name]
            )
            if names != request["names"][name]:
                raise SpecError(f"{name}: the node's model terms differ from the request's")
            parts.append(
                cell_sums(
                    pats.X,
                    pats.cell_pattern,
                    pats.cell_unit,
                    pats.cell_events,
                    pats.cell_trials,
                    len(request["units"][name]),
                    np.asarray(request["beta"][name], dtype=float),
                    np.asarray(request["b"][name], dtype=float),
                )
            )
    elif kind in ("newton", "start", "expected"):
        for name in request["indicators"]:
            ind = get(name)
            pats, names = _patterns(
                data, ind, unit, request["levels"][name], request["units"][name]
            )
            if kind != "expected" and names != request["names"][name]:
                raise SpecError(f"{name}: the node's model terms differ from the request's")
            if kind == "start":
                # R's glm start (mustart = (y + 0.5) / (n + 1)): the first IRLS step's
                # normal equations X'WX and X'Wz, summed over the nodes
                mu = (pats.events + 0.5) / (pats.trials + 1)
                w = pats.trials * mu * (1 - mu)
                z = np.log(mu / (1 - mu)) + (pats.events - pats.trials * mu) / (
                    pats.trials * mu * (1 - mu)
                )
                hess = (pats.X * w[:, None]).T @ pats.X
                parts += [np.zeros(1), pats.X.T @ (w * z), hess[np.triu_indices(len(names))]]
            elif kind == "newton" and ind.is_mean:
                parts += _gamma_sums(pats, np.asarray(request["beta"][name], dtype=float))
            elif kind == "newton":
                beta = np.asarray(request["beta"][name], dtype=float)
                p = expit(pats.X @ beta)
                with np.errstate(divide="ignore", invalid="ignore"):
                    terms = pats.events * np.log(p) + (pats.trials - pats.events) * np.log1p(-p)
                loglik = np.where(
                    (pats.events == 0) & (p == 0) | (pats.events == pats.trials) & (p == 1),
                    0.0,
                    terms,
                ).sum()
                grad = pats.X.T @ (pats.events - pats.trials * p)
                hess = (pats.X * (pats.trials * p * (1 - p))[:, None]).T @ pats.X
                parts += [np.array([loglik]), grad, hess[np.triu_indices(len(beta))]]
            elif ind.is_mean:
                # amounts: per unit the expected total sum n mu, sum n mu^2 (the model
                # variance over the dispersion) and the residual sum of squares
                # sum (y - mu)^2; nationally the Pearson sum of the dispersion
                beta = np.asarray(request["beta"][name], dtype=float)
                mu_pat = np.exp(pats.X @ beta)
                mu = mu_pat[pats.cell_pattern]
                k = len(request["units"][name])
                n, tot, sq = pats.cell_trials, pats.cell_events, pats.cell_sumsq
                parts.append(np.bincount(pats.cell_unit, weights=n * mu, minlength=k))
                parts.append(np.bincount(pats.cell_unit, weights=n * mu * mu, minlength=k))
                rss = sq - 2 * mu * tot + n * mu * mu
                parts.append(np.bincount(pats.cell_unit, weights=rss, minlength=k))
                parts.append(np.array([np.sum(rss / mu**2)]))
            else:
                beta = np.asarray(request["beta"][name], dtype=float)
                p = expit(pats.X @ beta)[pats.cell_pattern]
                k = len(request["units"][name])
                parts.append(np.bincount(pats.cell_unit, weights=pats.cell_trials * p, minlength=k))
                parts.append(
                    np.bincount(pats.cell_unit, weights=pats.cell_trials * p * p, minlength=k)
                )
    else:
        raise SazError(f"unknown request kind {kind!r}")
    out = np.concatenate(parts) if parts else np.zeros(0)
    expected_length = sum(n for _, _, n in layout(request))
    if len(out) != expected_length:
        raise SazError(f"node sums: {len(out)} values, the layout says {expected_length}")
    return out


def _gamma_sums(pats: Patterns, beta: np.ndarray) -> list[np.ndarray]:
    """The gamma model with log link (amounts), summed over the node's patterns: the
    log-likelihood kernel ``-sum (y / mu + log mu)``, its gradient ``X'(y / mu - 1)``, its
    observed information ``X' diag(y / mu) X`` and the Fisher information ``X' diag(n) X``
    (the covariance of ``fit_gamma``), the matrices as upper triangles."""
    eta = pats.X @ beta
    inv_mu = np.exp(-eta)
    loglik = -np.sum(pats.events * inv_mu + pats.trials * eta)
    grad = pats.X.T @ (pats.events * inv_mu - pats.trials)
    hess = (pats.X * (pats.events * inv_mu)[:, None]).T @ pats.X
    fisher = (pats.X * pats.trials[:, None]).T @ pats.X
    tri = np.triu_indices(len(beta))
    return [np.array([loglik]), grad, hess[tri], fisher[tri]]


def validation_report(exc: Exception) -> dict[str, Any]:
    """What a node whose extracts fail returns: the problems in words, no data.

    The full report (row numbers and offending values) is printed to the node's own log,
    for its data manager; what leaves the node names per problem the file, the column,
    what is wrong and what was expected, with the number of rows only when it is 10 or
    more (no row numbers, no values, no count from 1 to 9).

    Examples
    --------
    >>> from saz_geboortezorg.errors import ExtractError
    >>> from saz_geboortezorg.io.problems import Problem
    >>> p = Problem("perined_lvr2.csv", "zwangerschapsduur", "not a whole number",
    ...             rows=[2, 3, 4], values=["veertig weken"] * 3, expected="days")
    >>> err = ExtractError("1 problem in perined_lvr2.csv (load)", [str(p)])
    >>> err.details = [p]
    >>> validation_report(err)["problems"]
    ["perined_lvr2.csv, column 'zwangerschapsduur': not a whole number in fewer than 10 rows; expected days"]
    """
    # the node's own log (vantage6 keeps a run's output on the node)
    print(f"saz_geboortezorg: the extracts failed validation:\n{exc}", file=sys.stderr)
    details = list(getattr(exc, "details", []) or [])
    if details:
        problems = []
        for p in details:
            where = f"{p.file}, column '{p.column}'" if p.column else p.file
            rows = f"{p.count} rows" if p.count >= 10 else "fewer than 10 rows"
            expected = f"; expected {p.expected}" if p.expected else ""
            problems.append(f"{where}: {p.what} in {rows}{expected}")
    else:
        problems = ["see the node's log (the report names records, so it stays there)"]
    return {"status": "invalid", "error": str(exc).split("\n")[0], "problems": problems}
