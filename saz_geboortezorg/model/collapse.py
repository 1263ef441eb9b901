"""Collapsing records to covariate patterns with counts.

With categorical covariates a million births have only a few thousand distinct
covariate patterns. A binomial model fitted to ``(pattern, events, trials)`` has the
same likelihood kernel, hence identical estimates and standard errors, as the
record-level fit, at a fraction of the cost. Cells are patterns within units: the
fixed-effects fit uses the patterns, expected counts and the random-intercept model
use the cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from saz_geboortezorg.model.design import Design

__all__ = ["Patterns", "collapse", "group_codes"]


@dataclass
class Patterns:
    """Distinct covariate patterns and pattern-by-unit cells.

    Attributes
    ----------
    codes : ndarray (m, k)
        Level codes of each distinct covariate pattern.
    X : ndarray (m, p)
        Design matrix of the patterns.
    events, trials, sumsq : ndarray (m,)
        Sum of the outcome, number of records, sum of squared outcomes per pattern.
    cell_pattern, cell_unit : ndarray (c,)
        Pattern and unit of each cell.
    cell_events, cell_trials, cell_sumsq : ndarray (c,)
    record_cell : ndarray (n,)
        Cell of each record.
    """

    codes: np.ndarray
    X: np.ndarray
    events: np.ndarray
    trials: np.ndarray
    sumsq: np.ndarray
    cell_pattern: np.ndarray
    cell_unit: np.ndarray
    cell_events: np.ndarray
    cell_trials: np.ndarray
    cell_sumsq: np.ndarray
    record_cell: np.ndarray

    @property
    def record_pattern(self) -> np.ndarray:
        return self.cell_pattern[self.record_cell]


def group_codes(codes: np.ndarray, cards: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group rows of integer codes: returns (distinct rows, index of each row's group).

    Uses a mixed-radix key and a counting pass when the key space is small, a sort
    otherwise.

    Examples
    --------
    >>> rows, inv = group_codes(np.array([[0, 1], [1, 0], [0, 1]]), np.array([2, 2]))
    >>> rows.tolist(), inv.tolist()
    ([[1, 0], [0, 1]], [1, 0, 1])
    """
    n, k = codes.shape
    return _group_columns([codes[:, j] for j in range(k)], cards, n)


def _group_columns(
    columns: list[np.ndarray], cards: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`group_codes` of the matrix whose columns are ``columns`` (without
    building it when the mixed-radix key fits in 64 bits)."""
    k = len(columns)
    if k == 0:
        return np.zeros((1 if n else 0, 0), dtype=np.int64), np.zeros(n, dtype=np.int64)
    cards = np.maximum(np.asarray(cards, dtype=np.int64), 1)
    total = float(np.prod(cards.astype(float)))
    if total < 2**62:
        radix = np.concatenate([[1], np.cumprod(cards[:-1])]).astype(np.int64)
        key = np.zeros(n, dtype=np.int64)
        for column, r in zip(columns, radix, strict=True):
            key += column.astype(np.int64, copy=False) * r
        if total <= max(4 * n, 2**22):
            present = np.bincount(key, minlength=int(total)) > 0
            distinct = np.flatnonzero(present)
            remap = np.cumsum(present) - 1
            inverse = remap[key]
        else:
            distinct, inverse = np.unique(key, return_inverse=True)
        rows = (distinct[:, None] // radix[None, :]) % cards[None, :]
        return rows.astype(np.int64), inverse.astype(np.int64)
    codes = np.column_stack(columns).astype(np.int64)
    rows, inverse = np.unique(codes, axis=0, return_inverse=True)
    return rows.astype(np.int64), inverse.reshape(-1).astype(np.int64)


def collapse(design: Design, y: np.ndarray | None = None) -> Patterns:
    """Collapse the design's records to patterns and pattern-by-unit cells.

    Parameters
    ----------
    design : Design
    y : ndarray, optional
        Outcome per record (default ``design.y``), e.g. an imputed data set's.

    Returns
    -------
    Patterns

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.model.design import build_design
    >>> from saz_geboortezorg.model.spec import parse_spec
    >>> spec = parse_spec({"name": "x", "outcome": "y", "covariates": {"prev_cs": "binary"}})
    >>> t = pd.DataFrame({"prev_cs": [0, 0, 1, 1, 1]})
    >>> d = build_design(t, spec, np.array([0, 1, 1, 1, 0.0]), pd.Series(list("AABBB")))
    >>> p = collapse(d)
    >>> p.X.tolist(), p.events.tolist(), p.trials.tolist()
    ([[1.0, 0.0], [1.0, 1.0]], [1.0, 2.0], [2.0, 3.0])
    """
    y = design.y if y is None else np.asarray(y, dtype=float)
    columns = [t.codes for t in design.terms]
    if any((c < 0).any() for c in columns):
        raise ValueError("missing covariate codes: impute or choose a missing-data policy first")
    cards = np.array([len(t.levels) for t in design.terms], dtype=np.int64)
    pat_codes, rec_pattern = _group_columns(columns, cards, design.n)
    n_units = len(design.unit_labels)
    cell_key = rec_pattern * n_units + design.unit_codes
    cells, rec_cell = group_codes(cell_key[:, None], np.array([len(pat_codes) * n_units]))
    cell_key = cells[:, 0]
    cell_pattern, cell_unit = cell_key // n_units, cell_key % n_units
    c = len(cell_key)
    cell_events = np.bincount(rec_cell, weights=y, minlength=c)
    cell_trials = np.bincount(rec_cell, minlength=c).astype(float)
    cell_sumsq = np.bincount(rec_cell, weights=y * y, minlength=c)
    m = len(pat_codes)
    return Patterns(
        codes=pat_codes,
        X=design.matrix(pat_codes),
        events=np.bincount(cell_pattern, weights=cell_events, minlength=m),
        trials=np.bincount(cell_pattern, weights=cell_trials, minlength=m),
        sumsq=np.bincount(cell_pattern, weights=cell_sumsq, minlength=m),
        cell_pattern=cell_pattern,
        cell_unit=cell_unit,
        cell_events=cell_events,
        cell_trials=cell_trials,
        cell_sumsq=cell_sumsq,
        record_cell=rec_cell,
    )
