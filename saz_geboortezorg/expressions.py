"""A small, safe filter language for definitions that clinicians read.

Indicator populations, numerators and exclusions are written as expressions over
the columns of an analysis table, for example::

    mode in ['prelabour_cs', 'intrapartum_cs']
    ga_days >= 259 and n_babies == 1 and not stillbirth
    missing(blood_loss)

Supported: column names, numbers, 'strings', [lists], comparisons
(``== != < <= > >= in, not in``), ``and``, ``or``, ``not``, parentheses, and the
functions ``missing(column)`` and ``present(column)``. A bare column name means
"equals 1" (for 0/1 flags).

Missing values never satisfy a comparison: ``blood_loss >= 1000`` is false where
blood loss is missing, and so is ``blood_loss < 1000``; definitions that must treat
missing values explicitly use ``missing(...)``. Nothing else (attribute access,
arbitrary function calls) is allowed, so a definition cannot run code.

:func:`evaluate_known` evaluates the same expressions in three-valued (Kleene) logic:
a comparison on a missing value (NaN, or the label ``unknown`` of a categorical
column) is *unknown*, ``not unknown`` is unknown, ``false and unknown`` is false and
``true or unknown`` is true. Indicators use it to tell a record that is definitely
outside a population, or definitely no event, from one whose status cannot be
determined because a value is missing (``not blood_loss >= 1000`` is unknown, not
true, when blood loss is missing).
"""

from __future__ import annotations

import ast
import operator
from functools import lru_cache

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError

__all__ = ["evaluate", "evaluate_known", "columns_used", "check"]

#: The label categorical columns of the analysis tables use for a missing value.
UNKNOWN_LABEL = "unknown"

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_FUNCTIONS = {"missing", "present"}


@lru_cache(maxsize=512)
def _parse(expression: str) -> ast.Expression:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise SpecError(f"cannot read the expression {expression!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        allowed = (
            ast.Expression,
            ast.BoolOp,
            ast.And,
            ast.Or,
            ast.UnaryOp,
            ast.Not,
            ast.USub,
            ast.Compare,
            ast.In,
            ast.NotIn,
            ast.Name,
            ast.Load,
            ast.Constant,
            ast.List,
            ast.Tuple,
            ast.Call,
            *_COMPARE,
        )
        if not isinstance(node, allowed):
            raise SpecError(
                f"the expression {expression!r} uses {type(node).__name__}, which definitions "
                "may not use (allowed: comparisons, in, and/or/not, missing(), present())"
            )
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)
            and not node.keywords
        ):
            raise SpecError(
                f"in {expression!r}: only missing(column) and present(column) may be called"
            )
    return tree


def columns_used(expression: str) -> set[str]:
    """The column names an expression refers to.

    Examples
    --------
    >>> sorted(columns_used("mode in ['vacuum', 'forceps'] and not missing(parity)"))
    ['mode', 'parity']
    """
    names = set()
    for node in ast.walk(_parse(expression)):
        if isinstance(node, ast.Name) and node.id not in _FUNCTIONS:
            names.add(node.id)
    return names - {"True", "False", "None"}


def check(expression: str, columns, what: str = "definition") -> None:
    """Raise :class:`SpecError` naming every column the expression needs but the table lacks."""
    missing = sorted(columns_used(expression) - set(columns))
    if missing:
        raise SpecError(
            f"{what} needs column(s) {', '.join(missing)} (in {expression!r}), "
            "which the data does not have"
        )


def _literal(node: ast.AST):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_literal(node.operand)
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(e) for e in node.elts]
    raise SpecError(f"expected a value, found {ast.unparse(node)!r}")


def _values(node: ast.AST, table: pd.DataFrame):
    if isinstance(node, ast.Name):
        return table[node.id]
    return _literal(node)


def _compare(left, op: ast.cmpop, right, index) -> np.ndarray:
    if isinstance(op, ast.In | ast.NotIn):
        if not isinstance(right, list):
            raise SpecError("'in' needs a list on its right, e.g. mode in ['vacuum', 'forceps']")
        series = left if isinstance(left, pd.Series) else pd.Series(left, index=index)
        present = series.notna().to_numpy()
        hit = series.isin(right).to_numpy()
        return (hit if isinstance(op, ast.In) else ~hit) & present
    a = left if isinstance(left, pd.Series) else pd.Series(left, index=index)
    b = right
    present = a.notna().to_numpy(copy=True)
    if isinstance(b, pd.Series):
        present &= b.notna().to_numpy()
    result = _COMPARE[type(op)](a, b)
    return np.asarray(result.fillna(False) if isinstance(result, pd.Series) else result, bool) & (
        present
    )


def _eval(node: ast.AST, table: pd.DataFrame) -> np.ndarray:
    if isinstance(node, ast.Expression):
        return _eval(node.body, table)
    if isinstance(node, ast.BoolOp):
        parts = [_eval(v, table) for v in node.values]
        func = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        return func.reduce(parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ~_eval(node.operand, table)
    if isinstance(node, ast.Call):
        column = table[node.args[0].id]
        is_missing = column.isna().to_numpy()
        return is_missing if node.func.id == "missing" else ~is_missing
    if isinstance(node, ast.Name):
        column = table[node.id]
        return (column.eq(1).fillna(False)).to_numpy(bool)
    if isinstance(node, ast.Compare):
        result = np.ones(len(table), dtype=bool)
        left = _values(node.left, table)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _values(comparator, table)
            result &= _compare(left, op, right, table.index)
            left = right
        return result
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return np.full(len(table), node.value)
    raise SpecError(f"cannot evaluate {ast.unparse(node)!r} as true/false")


def evaluate(expression: str, table: pd.DataFrame) -> pd.Series:
    """Evaluate a filter expression on a table: a boolean Series (missing -> False).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mode": ["vacuum", "spontaneous", None], "blood_loss": [1200, None, 300]})
    >>> evaluate("mode in ['vacuum', 'forceps'] or blood_loss >= 1000", t).tolist()
    [True, False, False]
    >>> evaluate("missing(blood_loss)", t).tolist()
    [False, True, False]
    """
    check(expression, table.columns)
    return pd.Series(_eval(_parse(expression), table), index=table.index, dtype=bool)


def _present3(values, index, cache: dict | None = None) -> np.ndarray:
    """Known values of an operand: not NA, and not the label ``unknown`` of a text column."""
    if not isinstance(values, pd.Series):
        return np.ones(len(index), dtype=bool)
    key = values.name
    if cache is not None and key in cache:
        return cache[key]
    known = values.notna().to_numpy(copy=True)
    dtype = values.dtype
    if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
        unknown = values.eq(UNKNOWN_LABEL)
        known &= ~np.asarray(unknown.fillna(False), dtype=bool)
    if cache is not None:
        cache[key] = known
    return known


def _eval3(
    node: ast.AST, table: pd.DataFrame, cache: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(true, known) of a node in Kleene logic; ``true`` implies ``known``."""
    cache = {} if cache is None else cache
    if isinstance(node, ast.Expression):
        return _eval3(node.body, table, cache)
    if isinstance(node, ast.BoolOp):
        parts = [_eval3(v, table, cache) for v in node.values]
        trues = [t for t, _ in parts]
        falses = [k & ~t for t, k in parts]
        if isinstance(node.op, ast.And):  # false if any part is false, true if all are
            true, false = np.logical_and.reduce(trues), np.logical_or.reduce(falses)
        else:  # true if any part is true, false if all are
            true, false = np.logical_or.reduce(trues), np.logical_and.reduce(falses)
        return true, true | false
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        true, known = _eval3(node.operand, table, cache)
        return known & ~true, known
    if isinstance(node, ast.Call):
        return _eval(node, table), np.ones(len(table), dtype=bool)
    if isinstance(node, ast.Name):
        known = _present3(table[node.id], table.index, cache)
        return _eval(node, table) & known, known
    if isinstance(node, ast.Compare):
        known = np.ones(len(table), dtype=bool)
        for operand in [node.left, *node.comparators]:
            known &= _present3(_values(operand, table), table.index, cache)
        return _eval(node, table) & known, known
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return np.full(len(table), node.value), np.ones(len(table), dtype=bool)
    raise SpecError(f"cannot evaluate {ast.unparse(node)!r} as true/false")


def evaluate_known(expression: str, table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Evaluate a filter expression in three-valued logic: ``(true, known)``.

    ``known`` is False where the result depends on a missing value (NaN, or the label
    ``unknown`` of a text column); ``true`` is True only where the expression is known
    to hold. ``missing(...)`` and ``present(...)`` are always known.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mode": ["vacuum", "spontaneous", "unknown", "intrapartum_cs"],
    ...                   "blood_loss": [300, None, 300, None]})
    >>> true, known = evaluate_known(
    ...     "mode == 'spontaneous' and not blood_loss >= 1000", t)
    >>> true.tolist(), known.tolist()
    ([False, False, False, False], [True, False, False, True])
    >>> true, known = evaluate_known("blood_loss >= 1000 or mode == 'vacuum'", t)
    >>> true.tolist(), known.tolist()
    ([True, False, False, False], [True, False, False, False])
    """
    check(expression, table.columns)
    true, known = _eval3(_parse(expression), table)
    return (
        pd.Series(true & known, index=table.index, dtype=bool),
        pd.Series(known, index=table.index, dtype=bool),
    )
