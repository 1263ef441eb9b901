"""Small-number protection (statistical disclosure control) for tables that leave the analysis.

Counts of women or babies from 1 to ``threshold - 1`` (default 1-9) are never shown: a reader
who knows a woman in a small group could learn something about her. Three steps:

1. **Primary suppression.** A count from 1 to 9 is hidden ("small"). So is a count whose
   complement within a shown denominator is 1 to 9 (``observed = n - 3`` reveals that three
   women did *not* have the outcome: "complement"), and every count of a row whose
   population (denominator) is itself hidden ("population").
2. **Secondary suppression.** Totals are assumed known (the all-regions row of one table, the
   regional total in another report, or the sum over all 17 reports). Within every *line*
   (a set of cells whose sum is known: one indicator across regions, one region across Robson
   groups, ...) a single hidden cell could be recovered as total minus the shown cells, so
   more cells are hidden: always the smallest shown non-zero cell of the line, until (a) every
   line with a hidden cell that needs protecting has at least two, and (b) an audit finds no
   count from 1 to 9 (nor complement) narrowed to fewer than ``min_range`` possible
   **integer** values. A line with no shown non-zero cell left to hide is withheld whole
   ("unprotected", its zeros too), and the audit runs again on the pattern as published,
   withheld lines included; a cell still exposed gets more cells hidden near it, then its
   lines withheld, then, as a last resort, its whole part of the table.
3. **Derived values.** Every rate, percentage, ratio or interval computed from a hidden count
   is hidden too: a rate with a known denominator reveals its numerator.

**What is guaranteed** (per count column, tested by an independent integer-programming attack
in ``tests/disclosure/test_attack_lp.py``): a reader who knows every line total, every shown
cell, and for every hidden cell exactly what the log and the rules tell (a "small" cell is 1
to 9; a "secondary" cell is at least 10; a "complement" lies 1-9 below its shown denominator;
any other hidden cell, a withheld 0 included, is only known to be >= 0; and a count is at
most its shown denominator, or the line total of a hidden one) cannot pin any hidden count
from 1 to 9, nor a complement, to fewer than ``min_range`` integer values, even by integer
programming. The audit minimises and maximises each such cell over each block of linked
hidden cells: by LP where that is exact (the lines of a one- or two-way table: the equations
are totally unimodular, so with integer counts the LP optimum is an integer), by
``scipy.optimize.milp`` otherwise; a solver failure counts as exposed.

**What is assumed, and not covered.** Counts are integers (otherwise only the LP relaxation
is audited). Blocks of more than ``max_lp`` linked hidden cells are audited line by line,
which can miss a deduction that combines several lines. A count pinned by the published
totals alone (a line of one cell; a line total of 1-9 whose other cells are forced to 0 by
other totals) is hidden but cannot be protected by hiding cells: such totals must not be
published. Columns are audited one at a time: numerator and denominator are linked only by
the bound "count <= denominator" (a joint attack on both columns, e.g. "women >= their shown
caesareans", is not audited). Knowledge that a withheld line holds some small count is not
used by the modelled reader. Cells that appear in two tables must be suppressed consistently
by the caller (pass them as ``force``). Outside knowledge of individual women is not covered.

Zero is not suppressed: "no woman in this group had a third-degree tear" discloses nothing
about an individual that the group size does not, and hiding zeros would hide the good news a
mirror meeting is for. A 0 hidden with a withheld line may be recoverable, and a line whose
total is 0 reveals its zeros: both are accepted.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"unit": ["A", "B", "C", "D"], "n": [120, 80, 45, 60],
...                   "events": [14, 3, 11, 25]})
>>> t["rate"] = 100 * t.events / t.n
>>> p = suppress(t, counts=["events"], derived={"rate": ["events"]}, label=["unit"])
>>> p.table.events.tolist()
[14.0, nan, nan, 25.0]
>>> [(d.row, d.column, d.kind) for d in p.log if d.column == "events"]
[('B', 'events', 'small'), ('C', 'events', 'secondary')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_THRESHOLD",
    "Disclosure",
    "Protected",
    "primary_small",
    "protect_cells",
    "suppress",
    "line_ranges",
]

#: Counts below this value (and above zero) are never shown.
DEFAULT_THRESHOLD = 10

#: Why a cell is hidden, in words a clinician understands (``{t}`` is the threshold).
REASONS = {
    "small": "fewer than {t} women or babies (1 to {tm1}): too few to show without a risk of "
    "recognising individual women",
    "complement": "all but 1 to {tm1} of the group: the number shown would reveal the small "
    "group without the outcome",
    "population": "the group itself has fewer than {t} women or babies",
    "secondary": "not small itself, but hidden too so that a hidden small number cannot be "
    "worked out by subtracting the shown numbers from the total",
    "forced": "hidden because the same number is hidden in a linked table",
    "derived": "a rate, percentage, ratio or interval computed from a hidden number (rate x "
    "denominator = number), so it is hidden too",
    "unprotected": "withheld with its whole row or column (rarely, a larger part of the "
    "table): a small number there could not be protected by hiding other numbers (too few "
    "of them)",
}


@dataclass(frozen=True)
class Disclosure:
    """One hidden value: in which table, row and column, and why (never the value itself).

    Examples
    --------
    >>> d = Disclosure("Robson table", "R01, group 9", "cs", "small")
    >>> d.reason(10)[:24]
    'fewer than 10 women or b'
    """

    table: str
    row: str
    column: str
    kind: str

    def reason(self, threshold: int = DEFAULT_THRESHOLD) -> str:
        """The reason in plain words."""
        return REASONS[self.kind].format(t=threshold, tm1=threshold - 1)


@dataclass
class Protected:
    """A table after small-number protection, with the record of what was hidden.

    Attributes
    ----------
    table : DataFrame
        The protected table: hidden values are NaN, or ``"<10"`` / ``"x"`` when banded.
    hidden : DataFrame of bool
        True where a value was hidden (same shape and labels as ``table``).
    log : list of Disclosure
        One record per hidden value.
    threshold : int
        Counts from 1 to ``threshold - 1`` were treated as small.
    name : str
        The table's name, used in the log.

    Examples
    --------
    >>> p = suppress(pd.DataFrame({"n": [50, 4, 60]}), counts=["n"], name="demo")
    >>> p.describe()
    'demo: 2 values hidden (1 small count, 1 to protect a small count).'
    """

    table: pd.DataFrame
    hidden: pd.DataFrame
    log: list[Disclosure] = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD
    name: str = "table"

    def describe(self) -> str:
        """One sentence for a report: how many values were hidden, and of which kind."""
        if not self.log:
            return f"{self.name}: nothing hidden (no count from 1 to {self.threshold - 1})."
        kinds = pd.Series([d.kind for d in self.log]).value_counts()
        words = {
            "small": ("small count", "small counts"),
            "complement": ("count close to its total", "counts close to their total"),
            "population": ("count in a small group", "counts in small groups"),
            "secondary": ("to protect a small count", "to protect small counts"),
            "forced": ("hidden in a linked table", "hidden in linked tables"),
            "derived": (
                "rate or interval of a hidden count",
                "rates or intervals of hidden counts",
            ),
            "unprotected": ("line withheld", "lines withheld"),
        }
        parts = [
            f"{kinds[k]} {words[k][0] if kinds[k] == 1 else words[k][1]}"
            for k in REASONS
            if k in kinds
        ]
        total = len(self.log)
        return f"{self.name}: {total} value{'s' if total != 1 else ''} hidden ({', '.join(parts)})."

    def log_frame(self) -> pd.DataFrame:
        """The log as a table: table, row, column, kind, reason (plain words)."""
        return pd.DataFrame(
            [
                {
                    "table": d.table,
                    "row": d.row,
                    "column": d.column,
                    "kind": d.kind,
                    "reason": d.reason(self.threshold),
                }
                for d in self.log
            ],
            columns=["table", "row", "column", "kind", "reason"],
        )


def primary_small(values: Sequence[float], threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """True for counts from 1 to ``threshold - 1`` (zero and missing are not small).

    Examples
    --------
    >>> primary_small([0, 1, 9, 10, float("nan")]).tolist()
    [False, True, True, False, False]
    """
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(v) & (v >= 1) & (v < threshold)


def _attacker_bounds(
    values: np.ndarray,
    kind: np.ndarray,
    threshold: int,
    known_upper: np.ndarray,
    upper_exact: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """What a reader knows about each hidden cell, assuming they know the rules.

    Every bound is finite or a plain upper infinity, and always holds for the true value, so
    the audit LP is feasible. ``known_upper`` is the cell's denominator where
    ``upper_exact`` (default: wherever finite), else only an upper bound on it (a hidden
    denominator: its line total); a complement cell then only gets ``[0, bound - 1]``.

    Examples
    --------
    A complement cell (38 of 40, denominator shown) and one whose denominator is hidden but
    at most 55 (its line total):

    >>> lo, hi = _attacker_bounds(np.array([38.0, 38.0]), np.array(["complement"] * 2), 10,
    ...                           np.array([40.0, 55.0]), np.array([True, False]))
    >>> lo.tolist(), hi.tolist()
    ([31.0, 0.0], [39.0, 54.0])
    """
    lo = np.zeros(len(values))
    hi = np.full(len(values), np.inf)
    finite = np.isfinite(known_upper)
    exact = finite if upper_exact is None else np.asarray(upper_exact, dtype=bool) & finite
    small = kind == "small"
    lo[small], hi[small] = 1, threshold - 1
    sec = kind == "secondary"
    lo[sec] = np.where(values[sec] >= threshold, threshold, 1)
    comp = kind == "complement"
    lo[comp & exact] = np.maximum(known_upper[comp & exact] - (threshold - 1), 0)
    hi[comp & finite] = known_upper[comp & finite] - 1
    hi = np.minimum(hi, known_upper)
    return lo, hi


def _exposed(lo: float, hi: float, min_range: int) -> bool:
    """A range counts as exposed if it is too narrow, or if the LP failed (NaN/infinite).

    >>> _exposed(3.0, 3.0, 2), _exposed(float("nan"), float("nan"), 2), _exposed(1.0, 5.0, 2)
    (True, True, False)
    """
    if not np.isfinite(lo) or np.isnan(hi):
        return True
    return bool(hi - lo < min_range - 1 - 1e-9)


def line_ranges(
    values: Sequence[float],
    hidden: Sequence[bool],
    lines: Sequence[Sequence[int]],
    lower: Sequence[float],
    upper: Sequence[float],
    cells: Sequence[int] | None = None,
    integer: bool = False,
) -> dict[int, tuple[float, float]]:
    """The range a reader can deduce for hidden cells from the line totals.

    Each line's total is assumed known; the shown cells are subtracted, leaving an equation
    over the hidden cells, which lie within ``lower``/``upper``. For every cell in ``cells``
    (default: all hidden cells) the minimum and maximum over all solutions are returned: over
    real numbers (linear programming) or, with ``integer=True``, over integers
    (``scipy.optimize.milp``). With the lines of a one- or two-way table and integer bounds
    the LP vertices are integers, so both agree; other line structures can allow a real range
    whose integer points are a single value. A failed solve gives NaN (an unbounded maximum:
    infinity).

    Examples
    --------
    A row 3 + 12 + 40 = 55 with the first two cells hidden; a reader knows the first is 1-9
    and the second at least 10:

    >>> line_ranges([3, 12, 40], [True, True, False], [[0, 1, 2]], [1, 10, 0], [9, 1e9, 1e9])
    {0: (1.0, 5.0), 1: (10.0, 14.0)}

    Three lines in a cycle (not a two-way table): the relaxation allows halves, integers not:

    >>> lines = [[0, 1], [1, 2], [0, 2, 3], [3, 4]]
    >>> line_ranges([2] * 5, [True] * 5, lines, [1] * 5, [9] * 5, cells=[3])
    {3: (1.0, 3.0)}
    >>> line_ranges([2] * 5, [True] * 5, lines, [1] * 5, [9] * 5, cells=[3], integer=True)
    {3: (2.0, 2.0)}
    """
    from scipy.optimize import linprog

    v = np.asarray(values, dtype=float)
    h = np.asarray(hidden, dtype=bool)
    idx = np.flatnonzero(h)
    pos = {c: i for i, c in enumerate(idx)}
    a_rows, b = [], []
    for line in lines:
        line = list(line)
        hid = [c for c in line if h[c]]
        if not hid:
            continue
        row = np.zeros(len(idx))
        row[[pos[c] for c in hid]] = 1
        a_rows.append(row)
        b.append(float(np.sum(v[hid])))  # = the known total minus the shown cells
    bounds = [
        (float(lower[c]), None if not np.isfinite(upper[c]) else float(upper[c])) for c in idx
    ]
    a_eq = np.array(a_rows) if a_rows else None
    if integer:
        targets = idx if cells is None else cells
        return _integer_ranges(a_eq, b, bounds, {int(c): pos[c] for c in targets})
    out = {}
    for c in idx if cells is None else cells:
        cost = np.zeros(len(idx))
        cost[pos[c]] = 1
        lo = linprog(cost, A_eq=a_eq, b_eq=b or None, bounds=bounds, method="highs")
        hi = linprog(-cost, A_eq=a_eq, b_eq=b or None, bounds=bounds, method="highs")
        lo_v = lo.fun if lo.status == 0 else float("nan")
        hi_v = -hi.fun if hi.status == 0 else float("inf") if hi.status == 3 else float("nan")
        out[int(c)] = (float(lo_v), float(hi_v))
    return out


def _integer_ranges(a_eq, b, bounds, positions) -> dict[int, tuple[float, float]]:
    """Integer minimum and maximum of each cell (``{cell: variable}``) by
    ``scipy.optimize.milp``; NaN where the solver failed (which counts as exposed)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    m = len(bounds)
    box = Bounds([lo for lo, _ in bounds], [np.inf if hi is None else hi for _, hi in bounds])
    cons = [LinearConstraint(a_eq, b, b)] if a_eq is not None else []
    out = {}
    for c, i in positions.items():
        cost = np.zeros(m)
        cost[i] = 1
        lo = milp(cost, constraints=cons, bounds=box, integrality=np.ones(m))
        hi = milp(-cost, constraints=cons, bounds=box, integrality=np.ones(m))
        lo_v = lo.fun if lo.status == 0 else float("nan")
        hi_v = -hi.fun if hi.status == 0 else float("inf") if hi.status == 3 else float("nan")
        out[c] = (float(lo_v), float(hi_v))
    return out


def protect_cells(
    values: Sequence[float],
    lines: Sequence[Sequence[int]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    kind: Sequence[str] | None = None,
    known_upper: Sequence[float] | None = None,
    upper_exact: Sequence[bool] | None = None,
    min_range: int = 2,
    max_lp: int = 60,
) -> np.ndarray:
    """Primary and secondary suppression of one column of counts with known line totals.

    Parameters
    ----------
    values : sequence of float
        The counts (NaN: not shown anyway, e.g. not applicable).
    lines : sequence of sequences of int
        Positions of cells whose sum is known (a row or column of a table with its total).
    threshold : int
        Counts from 1 to ``threshold - 1`` are small.
    kind : sequence of str, optional
        A reason already decided per cell ("" for none), e.g. "complement" or "population";
        small counts are found here.
    known_upper : sequence of float, optional
        An upper bound a reader knows per cell (its denominator); default infinity.
    upper_exact : sequence of bool, optional
        Where ``known_upper`` is the shown denominator itself (default: wherever finite);
        False where it is only a bound, e.g. the line total of a hidden denominator.
    min_range : int
        A reader must not be able to narrow any count from 1 to ``threshold - 1`` (whatever
        its kind) or complement cell to fewer than this many possible integer values; 2
        means "not recoverable exactly".
    max_lp : int
        Blocks of linked hidden cells up to this size are audited as a whole (LP where it is
        exact for integers, integer programming otherwise); larger blocks line by line (each
        line's bounds on its own), which is fast but can miss a deduction that combines
        several lines.

    Returns
    -------
    numpy.ndarray of str
        Per cell "" (shown) or the reason it is hidden: small, complement, population,
        forced, secondary or unprotected. "unprotected" marks every cell of a withheld line
        (its zeros too) and the cell that could not be protected otherwise; the pattern
        returned is the one audited.

    Examples
    --------
    One line 3 + 12 + 40 (total known): 3 is small, 12 (the next smallest) is hidden too.

    >>> protect_cells([3, 12, 40], [[0, 1, 2]]).tolist()
    ['small', 'secondary', '']

    Rows 6 + 19 and 20 + 0 with both column totals known: the 6 has no partner in its row, so
    the row is withheld; the 0 beside the 20 must go too, or the second row's total would
    give the 20 and the first column's total then the 6. Cells of withheld lines are all
    "unprotected": a reader learns no bound on them but >= 0:

    >>> protect_cells([6, 19, 20, 0], [[0, 1], [2, 3], [0, 2], [1, 3]]).tolist()
    ['unprotected', 'unprotected', 'unprotected', 'unprotected']
    """
    v = np.asarray(values, dtype=float)
    n = len(v)
    k = np.array(list(kind), dtype=object) if kind is not None else np.full(n, "", dtype=object)
    k = k.astype(object)
    small = primary_small(v, threshold) & ((k == "") | (k == "forced"))
    k[small] = "small"  # a forced small count (hidden in a linked table) is protected here too
    upper = (
        np.full(n, np.inf) if known_upper is None else np.asarray(known_upper, dtype=float).copy()
    )
    upper[~np.isfinite(upper)] = np.inf
    exact = (
        np.isfinite(upper) if upper_exact is None else np.asarray(upper_exact, dtype=bool).copy()
    )
    lines = [np.asarray(line, dtype=int) for line in lines if len(line)]
    line_of: dict[int, list[int]] = {}
    for j, line in enumerate(lines):
        for c in line:
            line_of.setdefault(int(c), []).append(j)
    protect = {"small", "complement", "population"}  # a population cell is a count too
    # cells that must not be pinned: every count from 1 to 9 (also when its kind becomes
    # "population" or "unprotected") and every complement; a hidden 0 may be pinned (a zero
    # is shown anyway wherever it is not hidden for another reason)
    target = primary_small(v, threshold) | (k == "complement")
    part = _parts(n, lines)  # the connected parts of the table (the last-resort withholding)
    integer = bool(np.all(np.isnan(v) | (v == np.round(v))))
    hopeless: set[int] = set()  # pinned by the line totals alone: hiding cannot help

    def candidate(line: np.ndarray) -> int | None:
        free = [c for c in line if k[c] == "" and np.isfinite(v[c]) and v[c] > 0]
        if not free:
            return None
        return int(min(free, key=lambda c: (v[c], c)))

    def withhold(cells, cause: int) -> bool:
        """Hide every shown cell of ``cells`` (lines, or a part of the table) as
        "unprotected", and so the cell ``cause`` that could not be protected and the cells
        hidden as "secondary" there (a reader then knows them only as >= 0, not 1-9 or
        >= 10); True if anything changed."""
        new = [c for c in cells if k[c] == "" and np.isfinite(v[c])]
        relabel = [c for c in cells if k[c] == "secondary"]
        relabel += [cause] if k[cause] in protect else []
        k[new + relabel] = "unprotected"
        return bool(new or relabel)

    def forget(cells) -> bool:
        """Last resort: every hidden cell of ``cells`` becomes "unprotected" (>= 0 only)."""
        relabel = [c for c in cells if k[c] not in ("", "unprotected")]
        k[relabel] = "unprotected"
        return bool(relabel)

    # every pass hides a cell, relabels one towards "unprotected" or gives one up, so the loop
    # ends; should it not, nothing unaudited is returned: the whole column is withheld
    for _ in range(6 * n + 10):
        changed = False
        # (a) no line with exactly one hidden cell that needs protecting (a withheld 0 or a
        # withheld count of 10 or more may be recoverable; the audit judges what follows)
        for line in lines:
            hid = [c for c in line if k[c] != ""]
            if len(hid) != 1 or (k[hid[0]] == "unprotected" and not target[hid[0]]):
                continue
            c = candidate(line)
            if c is None:
                if k[hid[0]] in protect:
                    changed |= withhold(line, hid[0])
                continue
            k[c] = "secondary"
            changed = True
        if changed:
            continue
        # (b) audit of the final pattern (withheld lines included): no protected cell
        # narrowed to fewer than min_range integers; each connected block of hidden cells
        # (linked through lines) is its own small LP or integer program
        hidden = k != ""
        lo, hi = _attacker_bounds(v, k, threshold, upper, exact)
        exposed = []
        by_lp: set[int] = set()  # exposed cells of blocks audited as a whole
        for block_cells, block_lines in _blocks(hidden, lines):
            targets = [c for c in block_cells if target[c] and c not in hopeless]
            if not targets:
                continue
            if len(block_cells) <= max_lp:
                in_block = np.zeros(n, dtype=bool)
                in_block[block_cells] = True
                ranges = _block_ranges(v, in_block, block_lines, lo, hi, targets, integer)
                by_lp |= set(ranges)
            else:  # large blocks: the bounds each line gives on its own (documented limit)
                ranges = _line_bounds(v, hidden, block_lines, lo, hi, targets, integer)
            exposed += [c for c, (a, b) in ranges.items() if _exposed(a, b, min_range)]
        touched: set[int] = set()
        for c in exposed:
            if touched & set(line_of.get(c, [])):
                continue  # a cell added in this pass may already protect it: re-audit first
            # cheapest first: hide the smallest shown non-zero cell of a line through the
            # cell, else (in a block audited as a whole) of a line through a withheld cell
            # of those lines: a withheld 0 pinned by its other line pins the rest of its line
            mine = sorted({int(x) for j in line_of.get(c, []) for x in lines[j]})
            near_lines = sorted(
                {j for y in mine if k[y] == "unprotected" for j in line_of.get(y, [])}
                - set(line_of.get(c, []))
                if c in by_lp
                else set()
            )
            best = None
            for ring in (line_of.get(c, []), near_lines):
                options = [o for o in (candidate(lines[j]) for j in ring) if o is not None]
                if options:
                    best = min(options, key=lambda o: (v[o], o))
                    break
            if best is not None:
                k[best] = "secondary"
                touched |= set(line_of.get(best, []))
                changed = True
                continue

            # no shown count left near it: withhold the lines through the cell (the one
            # that hides the fewest cells first), then all of them, then its whole part of
            # the table, and at last tell nothing about any hidden cell of that part
            def new_cells(j: int) -> int:
                return sum(k[x] == "" and np.isfinite(v[x]) for x in lines[j])

            own = sorted((j for j in line_of.get(c, []) if new_cells(j)), key=new_cells)
            if (
                any(withhold(lines[j], c) for j in own[:1])
                or withhold(mine, c)
                or withhold(np.flatnonzero(part == part[c]), c)
                or forget(np.flatnonzero(part == part[c]))
            ):
                touched |= {j for x in mine for j in line_of.get(x, [])}
                changed = True
            else:
                hopeless.add(c)
                changed = True  # re-audit the others without it
        if not changed:
            break
    else:
        k[np.isfinite(v) | (k != "")] = "unprotected"
    return k.astype(str)


def _parts(n: int, lines: list[np.ndarray]) -> np.ndarray:
    """Per cell, the id of its part of the table: cells linked through lines (union-find).

    >>> _parts(5, [np.array([0, 1]), np.array([1, 2]), np.array([3])]).tolist()
    [0, 0, 0, 3, 4]
    """
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return int(x)

    for line in lines:
        for c in line[1:]:
            a, b = find(int(c)), find(int(line[0]))
            parent[max(a, b)] = min(a, b)
    return np.array([find(i) for i in range(n)])


def _tu_block(lines: list[np.ndarray], hidden: np.ndarray) -> bool:
    """True if every hidden cell lies in at most two of ``lines`` and the lines split into two
    families with each cell in at most one line of each (the lines of a one- or two-way
    table). The equations are then totally unimodular: with integer totals and bounds every
    LP vertex is an integer point, so LP minimum and maximum are the integer ones.
    """
    colour: dict[int, int] = {}
    by_cell: dict[int, list[int]] = {}
    for j, line in enumerate(lines):
        for c in line:
            if hidden[c]:
                by_cell.setdefault(int(c), []).append(j)
    adj: dict[int, set[int]] = {}
    for js in by_cell.values():
        if len(js) > 2:
            return False
        if len(js) == 2:
            if js[0] == js[1]:
                return False
            adj.setdefault(js[0], set()).add(js[1])
            adj.setdefault(js[1], set()).add(js[0])
    for start in adj:
        if start in colour:
            continue
        colour[start] = 0
        stack = [start]
        while stack:
            a = stack.pop()
            for b in adj[a]:
                if b not in colour:
                    colour[b] = 1 - colour[a]
                    stack.append(b)
                elif colour[b] == colour[a]:
                    return False
    return True


def _block_ranges(v, in_block, lines, lo, hi, targets, integer) -> dict[int, tuple]:
    """Ranges of ``targets`` in one block: LP where it is exact for integers (one- and
    two-way lines), else integer programming; integer bounds are rounded inwards."""
    if not integer:
        return line_ranges(v, in_block, lines, lo, hi, cells=targets)
    lo, hi = np.ceil(lo - 1e-9), np.floor(hi + 1e-9)
    exact = _tu_block(lines, in_block)
    ranges = line_ranges(v, in_block, lines, lo, hi, cells=targets, integer=not exact)
    return {c: _round_in(a, b) for c, (a, b) in ranges.items()}


def _round_in(a: float, b: float) -> tuple[float, float]:
    """An integer cell's range [a, b] rounded inwards (NaN and infinity kept).

    >>> _round_in(2.2, 2.9), _round_in(1.0000000001, 5.0)
    ((3.0, 2.0), (1.0, 5.0))
    """
    a = float(np.ceil(a - 1e-6)) if np.isfinite(a) else a
    b = float(np.floor(b + 1e-6)) if np.isfinite(b) else b
    return a, b


def _line_bounds(
    v, hidden, lines, lo, hi, targets, integer=False
) -> dict[int, tuple[float, float]]:
    """Per target, the tightest range any single line gives (sum of hidden cells known)."""
    out = {int(c): (float(lo[c]), float(hi[c])) for c in targets}
    for line in lines:
        hid = [int(c) for c in line if hidden[c]]
        total = float(np.sum(v[hid]))
        for c in hid:
            if c not in out:
                continue
            others = [o for o in hid if o != c]
            a = max(out[c][0], total - float(np.sum(hi[others])))
            b = min(out[c][1], total - float(np.sum(lo[others])))
            out[c] = (a, b)
    return {c: _round_in(a, b) for c, (a, b) in out.items()} if integer else out


def _blocks(hidden: np.ndarray, lines: list[np.ndarray]) -> list[tuple[list[int], list]]:
    """Hidden cells grouped into blocks that share lines (union-find), with their lines."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    hidden_lines = []
    for line in lines:
        hid = [int(c) for c in line if hidden[c]]
        if not hid:
            continue
        hidden_lines.append((line, hid))
        for c in hid[1:]:
            parent[find(c)] = find(hid[0])
        find(hid[0])
    blocks: dict[int, tuple[list[int], list]] = {}
    for c in np.flatnonzero(hidden):
        blocks.setdefault(find(int(c)), ([], []))[0].append(int(c))
    for line, hid in hidden_lines:
        blocks[find(hid[0])][1].append(line)
    return list(blocks.values())


def _row_labels(table: pd.DataFrame, label: Sequence[str] | None) -> list[str]:
    if not label:
        return [str(i) for i in table.index]
    return [", ".join(str(x) for x in row) for row in table[list(label)].itertuples(index=False)]


def suppress(
    table: pd.DataFrame,
    counts: Sequence[str],
    *,
    lines: Sequence[Sequence[str]] | None = None,
    denominators: Mapping[str, str] | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
    force: pd.DataFrame | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    band: bool = False,
    name: str = "table",
    label: Sequence[str] | None = None,
    min_range: int = 2,
) -> Protected:
    """Apply small-number protection to a table of counts and the values derived from them.

    Parameters
    ----------
    table : DataFrame
        One row per cell group (e.g. one row per region and indicator).
    counts : list of str
        Columns holding counts of women or babies.
    lines : list of tuples of str, optional
        Key columns defining the lines whose totals are known: rows with equal values of the
        keys form one line, per count column. ``[()]`` (the default) means the whole column is
        one line (a one-way table with a known total); ``[("indicator",)]`` one line per
        indicator; ``[("unit",), ("group",)]`` a two-way table with both margins known.
    denominators : dict, optional
        ``{count: denominator}``: the count is part of the denominator (events of n). A count
        whose complement (denominator minus count) is small is hidden, and every count of a
        row whose denominator is hidden as small is hidden too.
    derived : dict, optional
        ``{column: [counts it is computed from]}``: hidden wherever one of those counts is.
    force : DataFrame of bool, optional
        Cells (count columns) that must be hidden, e.g. because they are hidden in a linked
        table; they take part in the secondary suppression like any hidden cell.
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden (default 10: 1-9).
    band : bool
        Show hidden small counts as ``"<10"`` and other hidden values as ``"x"`` (object
        columns) instead of NaN.
    name : str
        Table name for the log.
    label : list of str, optional
        Columns that name a row in the log (e.g. ``["unit", "indicator"]``).
    min_range : int
        See :func:`protect_cells`.

    Returns
    -------
    Protected
        ``.table``, ``.hidden``, ``.log`` (one :class:`Disclosure` per hidden value).

    Examples
    --------
    A rate with a known denominator reveals its numerator, so it goes with it:

    >>> t = pd.DataFrame({"unit": list("ABC"), "n": [40, 200, 150], "k": [2, 30, 41]})
    >>> t["pct"] = 100 * t.k / t.n
    >>> p = suppress(t, ["n", "k"], denominators={"k": "n"}, derived={"pct": ["k", "n"]},
    ...              band=True, label=["unit"])
    >>> p.table[["unit", "k", "pct"]].to_dict("list")
    {'unit': ['A', 'B', 'C'], 'k': ['<10', 'x', 41], 'pct': ['x', 'x', 27.333333333333332]}
    """
    from saz_geboortezorg.errors import SpecError

    if threshold < 2:
        raise SpecError(f"threshold must be at least 2, not {threshold}")
    denominators = dict(denominators or {})
    derived = {k: list(v) for k, v in (derived or {}).items()}
    missing = [
        c
        for c in [
            *counts,
            *denominators.values(),
            *derived,
            *[x for d in derived.values() for x in d],
        ]
        if c not in table.columns
    ]
    if missing:
        raise SpecError(f"{name}: no column(s) {', '.join(sorted(set(missing)))} to protect")
    t = table.reset_index(drop=True).copy()
    n = len(t)
    line_keys = [tuple(x) for x in (lines if lines is not None else [()])]
    groups: list[np.ndarray] = []
    for keys in line_keys:
        if not keys:
            groups.append(np.arange(n))
        else:
            for _, idx in t.groupby(list(keys), sort=False, dropna=False).indices.items():
                groups.append(np.asarray(idx))
    kinds: dict[str, np.ndarray] = {}
    # denominators first (they decide "population" for their numerators)
    order = [c for c in counts if c not in denominators] + [c for c in counts if c in denominators]
    for col in order:
        v = pd.to_numeric(t[col], errors="coerce").to_numpy(dtype=float)
        k = np.full(n, "", dtype=object)
        upper = np.full(n, np.inf)
        exact = np.zeros(n, dtype=bool)
        if force is not None and col in force.columns:
            k[force[col].reset_index(drop=True).to_numpy(dtype=bool)] = "forced"
        den = denominators.get(col)
        if den is not None:
            d = pd.to_numeric(t[den], errors="coerce").to_numpy(dtype=float)
            den_hidden = kinds[den] != "" if den in kinds else np.zeros(n, dtype=bool)
            upper = np.where(np.isfinite(d) & ~den_hidden, d, np.inf)
            exact = np.isfinite(upper)
            # a hidden denominator is still at most its line total(s), which are known: a
            # finite bound keeps the audit LP well posed (issue 14, leak 4)
            for g in groups:
                total = float(np.nansum(d[g]))
                upper[g] = np.where(den_hidden[g], np.minimum(upper[g], total), upper[g])
            if den in kinds:
                k[den_hidden & (kinds[den] != "secondary") & (k == "")] = "population"
            with np.errstate(invalid="ignore"):
                comp = primary_small(d - v, threshold) & (k == "") & ~primary_small(v, threshold)
            k[comp] = "complement"
        kinds[col] = protect_cells(
            v,
            groups,
            threshold=threshold,
            kind=k,
            known_upper=upper,
            upper_exact=exact,
            min_range=min_range,
        )
    hidden = pd.DataFrame(False, index=t.index, columns=t.columns)
    for col, k in kinds.items():
        hidden[col] = k != ""
    # lines that could not be protected were withheld (and audited) by protect_cells
    for col, deps in derived.items():
        hidden[col] = hidden[col] | hidden[deps].any(axis=1)

    rows = _row_labels(t, label)
    log: list[Disclosure] = []
    for col in t.columns:
        for i in np.flatnonzero(hidden[col].to_numpy()):
            kind = str(kinds[col][i]) if col in kinds and kinds[col][i] else "derived"
            if col in kinds and not kinds[col][i]:
                kind = "unprotected"
            log.append(Disclosure(name, rows[i], str(col), kind))

    out = t.copy()
    for col in t.columns:
        mask = hidden[col].to_numpy()
        if not mask.any():
            continue
        if band:
            values = out[col].astype(object).to_numpy().copy()
            small = np.array([col in kinds and kinds[col][i] == "small" for i in range(n)])
            values[mask & small] = f"<{threshold}"
            values[mask & ~small] = "x"
            out[col] = pd.Series(values, index=out.index, dtype=object)
        elif pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype(float).mask(mask)
        else:  # text, flags: hidden as missing
            out[col] = out[col].astype(object).mask(mask, None)
    return Protected(out, hidden, log, threshold, name)
