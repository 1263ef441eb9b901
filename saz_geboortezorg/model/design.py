"""From a table and a spec to a model design: terms, covariate patterns, exclusions.

Every covariate is turned into integer *codes* (one per record, pointing at a level)
and a *basis* (one row per level, one column per model term). A categorical covariate
has one indicator column per non-reference level; a binary one has one 0/1 column; a
banded continuous one is a categorical of its bands; a spline is a natural cubic
regression spline (patsy ``cr``, centred) evaluated at the distinct values; a plain
continuous covariate is one linear column.

Because every record's design row is determined by its codes, records can be
collapsed to distinct covariate patterns (see :mod:`saz_geboortezorg.model.collapse`).

Missing values (NaN, empty text or the label ``unknown``):

- policy ``unknown`` (default): an explicit ``unknown`` level with its own term; for a
  spline or linear covariate the value is set to the median and an ``[unknown]``
  indicator term is added (the missing-indicator method). A covariate with
  ``unknown: reference`` counts its missing values in the reference level instead
  (for rare outcomes, where a small unknown group would have no events);
- policy ``complete_case``: the record is left out and counted per unit;
- policy ``impute``: the code is -1 and :mod:`saz_geboortezorg.model.impute` fills it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model.spec import CaseMixSpec, Covariate

__all__ = ["Term", "Design", "CovariateColumns", "build_design", "MISSING_LABELS", "UNKNOWN"]

UNKNOWN = "unknown"
#: Text values read as missing.
MISSING_LABELS = frozenset({"", "unknown", "nan", "na", "none", "<na>"})


@dataclass
class Term:
    """One covariate in the design."""

    covariate: Covariate
    levels: list[str]
    basis: np.ndarray  # (n_levels, n_columns)
    columns: list[str]
    codes: np.ndarray  # (n_records,), -1 = missing (impute policy only)

    @property
    def name(self) -> str:
        return self.covariate.name


@dataclass
class Design:
    """The model design for the analysed records.

    Attributes
    ----------
    terms : list of Term
    interactions : list of (str, str)
    y : ndarray
        Outcome of each analysed record.
    unit_codes : ndarray
        Index into ``unit_labels`` per analysed record.
    unit_labels : list of str
    counts : DataFrame
        Per unit: ``records`` (in the population with a known outcome),
        ``excluded_missing`` (left out for a missing covariate), ``n`` (analysed).
    """

    terms: list[Term]
    interactions: list[tuple[str, str]]
    y: np.ndarray
    unit_codes: np.ndarray
    unit_labels: list[str]
    counts: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Model term names, starting with ``(Intercept)``."""
        names = ["(Intercept)"]
        for term in self.terms:
            names += term.columns
        by_name = {t.name: t for t in self.terms}
        for a, b in self.interactions:
            names += [f"{x}:{z}" for x in by_name[a].columns for z in by_name[b].columns]
        return names

    @property
    def n(self) -> int:
        return len(self.y)

    def code_matrix(self) -> np.ndarray:
        """(n_records, n_terms) level codes."""
        if not self.terms:
            return np.zeros((self.n, 0), dtype=np.int64)
        return np.column_stack([t.codes for t in self.terms]).astype(np.int64)

    def matrix(self, codes: np.ndarray) -> np.ndarray:
        """Design matrix for rows of level codes (patterns or records)."""
        blocks = [np.ones((codes.shape[0], 1))]
        by_name = {}
        for j, term in enumerate(self.terms):
            block = term.basis[codes[:, j]]
            blocks.append(block)
            by_name[term.name] = block
        for a, b in self.interactions:
            A, B = by_name[a], by_name[b]
            blocks.append((A[:, :, None] * B[:, None, :]).reshape(len(A), -1))
        return np.hstack(blocks)

    def row_matrix(self) -> np.ndarray:
        """The full record-level design matrix (for checks; collapsing is faster)."""
        return self.matrix(self.code_matrix())


def _missing_mask(values: pd.Series) -> np.ndarray:
    mask = values.isna().to_numpy().copy()
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        bad = np.array([str(u).strip().lower() in MISSING_LABELS for u in uniques] + [True])
        mask |= bad[codes]
    return mask


def _label(value) -> str:
    if isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _band_labels(cov: Covariate) -> list[str]:
    if cov.labels:
        return list(cov.labels)
    fmt = [_label(b) for b in cov.bands]
    out = [f"<{fmt[0]}"]
    out += [f"{fmt[i]}_{fmt[i + 1]}" for i in range(len(fmt) - 1)]
    out.append(f"{fmt[-1]}+")
    return out


def _check_reference(cov: Covariate, levels: list[str], counts: np.ndarray) -> str:
    observed = [lv for lv, c in zip(levels, counts, strict=True) if c > 0 and lv != UNKNOWN]
    if not observed:
        raise SpecError(f"covariate {cov.name!r}: no records with a known value")
    if cov.reference is None:
        # Default: the most common level (the most precise comparisons).
        order = np.argsort(-counts, kind="stable")
        return next(levels[i] for i in order if levels[i] != UNKNOWN)
    if cov.reference not in observed:
        raise SpecError(
            f"covariate {cov.name!r}: reference level {cov.reference!r} does not occur in the "
            f"data; levels found: {', '.join(sorted(observed))}"
        )
    return cov.reference


def _categorical_term(cov, key: np.ndarray, ulabels: list[str], policy: str) -> Term:
    """A categorical term from codes into ``ulabels`` (``key``: the label's position,
    ``len(ulabels)`` for a record without a value)."""
    ulabels = list(ulabels)
    n_u = len(ulabels)
    # one pass over the records: how many have each label (the last: no value)
    per_label = np.bincount(key, minlength=n_u + 1)
    present = sorted({ulabels[i] for i in np.flatnonzero(per_label[:n_u])}, key=_sort_key)
    if cov.type == "binary":
        bad = sorted(set(present) - {"0", "1"})
        if bad:
            raise SpecError(
                f"covariate {cov.name!r} is declared binary but column {cov.column!r} holds "
                f"{', '.join(map(repr, bad[:5]))}; a binary covariate must be 0/1"
            )
    if cov.bands:
        order = _band_labels(cov)
        present = [lv for lv in order if lv in set(present)]
    levels = list(present)
    lookup = {lv: i for i, lv in enumerate(levels)}
    to_level = [lookup.get(lab, -1) for lab in ulabels]
    counts = np.zeros(len(levels), dtype=np.int64)
    for i, level in enumerate(to_level):
        if level >= 0:
            counts[level] += per_label[i]
    if cov.type == "binary" and cov.reference is None:
        cov = dataclasses.replace(cov, reference="0")  # a binary's reference is always 0
    ref = _check_reference(cov, levels, counts)
    no_value = -1
    if policy == "unknown" and per_label[n_u] > 0:
        if cov.unknown == "reference":
            no_value = levels.index(ref)
        else:
            levels.append(UNKNOWN)
            no_value = len(levels) - 1
    # the second pass: each record's level
    codes = np.array([*to_level, no_value], dtype=np.int64)[key]
    non_ref = [lv for lv in levels if lv != ref]
    basis = np.zeros((len(levels), len(non_ref)))
    for j, lv in enumerate(non_ref):
        basis[levels.index(lv), j] = 1.0
    if cov.type == "binary":
        columns = [cov.name if lv == "1" else f"{cov.name}[{lv}]" for lv in non_ref]
    else:
        columns = [f"{cov.name}[{lv}]" for lv in non_ref]
    return Term(cov, levels, basis, columns, codes)


_LEADING_NUMBER = re.compile(r"^\s*(<|>=?|<=)?\s*(-?\d+(?:\.\d+)?)")


def _sort_key(label: str):
    """Natural order of levels: ``<20, 20_24, ..., 40+``, then text, ``unknown`` last."""
    if label == UNKNOWN:
        return (2, 0.0, 0, label)
    m = _LEADING_NUMBER.match(label)
    if m:
        prefix = {"<": -1, "<=": -1}.get(m.group(1) or "", 0)
        return (0, float(m.group(2)), prefix, label)
    return (1, 0.0, 0, label)


def _continuous_term(cov, x: np.ndarray, missing: np.ndarray, policy: str) -> Term:
    known = x[~missing]
    if known.size == 0:
        raise SpecError(f"covariate {cov.name!r}: no records with a known value")
    fill = float(np.median(known))
    filled = np.where(missing, fill, x)
    uniq, inverse = np.unique(filled if policy == "unknown" else x[~missing], return_inverse=True)
    if cov.spline_df:
        import patsy

        info = patsy.dmatrix(
            f"cr(v, df={cov.spline_df}, constraints='center') - 1",
            {"v": known},
            return_type="matrix",
        ).design_info
        (basis,) = patsy.build_design_matrices([info], {"v": uniq})
        basis = np.asarray(basis)
        columns = [f"{cov.name}[spline{k + 1}]" for k in range(basis.shape[1])]
    else:
        basis = uniq[:, None].astype(float)
        columns = [cov.name]
    levels = [_label(u) for u in uniq]
    codes = np.full(len(x), -1, dtype=np.int64)
    if policy == "unknown":
        codes = inverse.astype(np.int64)
        if missing.any():
            # Missing-indicator method: an extra level at the median with its own column.
            levels.append(UNKNOWN)
            fill_row = basis[np.searchsorted(uniq, fill)]
            basis = np.vstack([np.hstack([basis, np.zeros((len(uniq), 1))]), [*fill_row, 1.0]])
            columns = [*columns, f"{cov.name}[unknown]"]
            codes[missing] = len(levels) - 1
    else:
        codes[~missing] = inverse
    return Term(cov, levels, basis, columns, codes)


def _factorize(raw: pd.Series) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Codes, text labels of the codes, and the missing mask (NaN, '', 'unknown', ...)."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    labels = [_label(u) for u in uniques]
    missing_u = np.array([lab.lower() in MISSING_LABELS for lab in labels] + [True])
    missing = missing_u[np.where(codes >= 0, codes, len(labels))]
    return codes.astype(np.int64), labels, missing


class CovariateColumns:
    """The covariate columns of one table, each read once for every row: a
    categorical column's labels and each row's label, a continuous column's values,
    and a banded column's band.

    A term for some of the rows (a population) takes its rows of these arrays, so
    several designs on the same table (the benchmark's models, one per indicator)
    read each column once. The table must not change while its columns are kept.

    Examples
    --------
    >>> t = pd.DataFrame({"parity": ["1", "0", None, "1"], "ga": [280, 250, None, 270]})
    >>> cols = CovariateColumns(t)
    >>> key, labels = cols.categorical("parity")
    >>> key.tolist(), labels                        # 2 = no value
    ([0, 1, 2, 0], ['1', '0'])
    >>> cols.categorical("parity")[0] is key         # read once
    True
    >>> cols.banded("ga", (259,)).tolist()          # <259, 259+, no value
    [1, 0, 2, 1]
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self._categorical: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._continuous: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._banded: dict[tuple[str, tuple[float, ...]], np.ndarray] = {}

    def categorical(self, column: str) -> tuple[np.ndarray, list[str]]:
        """Each row's position in the text labels, ``len(labels)`` without a value
        (NaN, '', 'unknown', ...), and the labels."""
        if column not in self._categorical:
            codes, labels, missing = _factorize(self.table[column])
            key = np.where(missing, len(labels), codes)
            small = np.int32 if len(labels) < 2**31 - 1 else np.int64
            self._categorical[column] = (key.astype(small), labels)
        return self._categorical[column]

    def continuous(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values as floats (NaN without a value), the rows without a value, and the
        positions of rows holding text that is not a number (nor a missing label)."""
        if column not in self._continuous:
            raw = self.table[column]
            x = pd.to_numeric(raw, errors="coerce").to_numpy(float)
            missing = _missing_mask(raw)
            text = np.flatnonzero(~missing & np.isnan(x))
            self._continuous[column] = (x, missing | np.isnan(x), text)
        return self._continuous[column]

    def banded(self, column: str, bands: Sequence[float]) -> np.ndarray:
        """Each row's band (``0 .. len(bands)``; ``len(bands) + 1`` without a value)."""
        key = (column, tuple(float(b) for b in bands))
        if key not in self._banded:
            x, missing, _ = self.continuous(column)
            idx = np.searchsorted(np.asarray(bands), np.where(missing, 0, x), side="right")
            idx[missing] = len(bands) + 1
            small = np.int32 if len(bands) < 2**31 - 2 else np.int64
            self._banded[key] = idx.astype(small)
        return self._banded[key]


def build_term(
    cov: Covariate,
    table: pd.DataFrame,
    policy: str,
    *,
    rows: np.ndarray | None = None,
    columns: CovariateColumns | None = None,
) -> tuple[Term, np.ndarray]:
    """One covariate's term and the records' missing mask.

    ``rows`` (positions in ``table`` in increasing order, default all) are the
    records of the term; ``columns`` the table's columns as already read (default:
    read here).
    """
    if cov.column not in table.columns:
        raise SpecError(
            f"covariate {cov.name!r}: the data has no column {cov.column!r} "
            f"(columns: {', '.join(map(str, table.columns[:40]))}"
            f"{', ...' if len(table.columns) > 40 else ''})"
        )
    if columns is None:
        columns = CovariateColumns(table)
    elif columns.table is not table:
        raise ValueError("columns were read from another table")
    if cov.type == "continuous":
        x, missing, text = columns.continuous(cov.column)
        if rows is not None and text.size:
            text = text[np.isin(text, rows)]
        if text.size:
            raise SpecError(
                f"covariate {cov.name!r} is declared continuous but column {cov.column!r} holds "
                f"text such as {table[cov.column].iloc[int(text[0])]!r}"
            )
        if cov.bands:
            key = columns.banded(cov.column, cov.bands)
            if rows is not None:
                key = key[rows]
            labels = _band_labels(cov)
            return _categorical_term(cov, key, labels, policy), key == len(labels)
        if rows is not None:
            x, missing = x[rows], missing[rows]
        return _continuous_term(cov, x, missing, policy), missing
    key, labels = columns.categorical(cov.column)
    if rows is not None:
        key = key[rows]
    return _categorical_term(cov, key, labels, policy), key == len(labels)


def factorize_units(units: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Unit codes and sorted labels; records without a unit get the unit ``unknown``."""
    codes, uniques = pd.factorize(units, sort=True, use_na_sentinel=True)
    labels = [str(u) for u in uniques]
    if (codes < 0).any():
        if UNKNOWN in labels:
            codes = np.where(codes < 0, labels.index(UNKNOWN), codes)
        else:
            labels.append(UNKNOWN)
            codes = np.where(codes < 0, len(labels) - 1, codes)
        order = sorted(range(len(labels)), key=lambda i: labels[i])
        rank = np.empty(len(labels), dtype=np.int64)
        rank[order] = np.arange(len(labels))
        codes, labels = rank[codes], [labels[i] for i in order]
    return np.asarray(codes, dtype=np.int64), labels


def build_design(
    table: pd.DataFrame,
    spec: CaseMixSpec,
    y: np.ndarray,
    units: pd.Series,
    *,
    policy: str | None = None,
    rows: np.ndarray | None = None,
    columns: CovariateColumns | None = None,
) -> Design:
    """Build the design for the records of ``table`` (already restricted to the population).

    Parameters
    ----------
    table : DataFrame
        Records in the population, with a known outcome (or, with ``rows``, the table
        they are part of).
    spec : CaseMixSpec
    y : ndarray
        Outcome per record.
    units : Series
        Unit label per record.
    policy : str, optional
        Missing-data policy (default: the spec's).
    rows : ndarray of int, optional
        Positions in ``table`` of the records (the population); default every row.
    columns : CovariateColumns, optional
        The table's covariate columns as already read (shared by designs on the same
        table); default: read here.

    Returns
    -------
    Design

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.model.spec import parse_spec
    >>> spec = parse_spec({"name": "x", "outcome": "y", "covariates": {
    ...     "parity": {"type": "categorical", "reference": "0"}}})
    >>> t = pd.DataFrame({"parity": ["0", "1", "2+", None]})
    >>> d = build_design(t, spec, np.array([0, 1, 0, 1.0]), pd.Series(list("AABB")))
    >>> d.names
    ['(Intercept)', 'parity[1]', 'parity[2+]', 'parity[unknown]']
    """
    policy = policy or spec.missing
    unit_codes, unit_labels = factorize_units(units)
    records = np.bincount(unit_codes, minlength=len(unit_labels))
    if columns is None:
        columns = CovariateColumns(table)
    drop = np.zeros(len(table) if rows is None else len(rows), dtype=bool)
    terms = []
    for cov in spec.covariates:
        term, missing = build_term(cov, table, policy, rows=rows, columns=columns)
        terms.append(term)
        if policy == "complete_case":
            drop |= missing
    notes = []
    if policy == "complete_case" and drop.any():
        keep = ~drop
        # Rebuild on the complete cases so that levels and references reflect them.
        kept = np.flatnonzero(keep) if rows is None else np.asarray(rows)[keep]
        terms = [
            build_term(cov, table, policy, rows=kept, columns=columns)[0] for cov in spec.covariates
        ]
        y = np.asarray(y)[keep]
        unit_codes = unit_codes[keep]
        notes.append(f"{int(drop.sum())} records left out for a missing covariate value")
    excluded = records - np.bincount(unit_codes, minlength=len(unit_labels))
    counts = pd.DataFrame(
        {"records": records, "excluded_missing": excluded, "n": records - excluded},
        index=pd.Index(unit_labels, name="unit"),
    )
    return Design(
        terms=terms,
        interactions=list(spec.interactions),
        y=np.asarray(y, dtype=float),
        unit_codes=np.asarray(unit_codes, dtype=np.int64),
        unit_labels=unit_labels,
        counts=counts,
        notes=notes,
    )
