"""Small-number protection (statistical disclosure control) for tables that leave the analysis.

Counts of women or babies from 1 to ``threshold - 1`` (default 1-9) are never shown: a reader
who knows a woman in a small group could learn something about her. Three steps:

1. **Primary suppression.** A count from 1 to 9 is hidden ("small"). So is a count whose
   complement within its denominator is 1 to 9 (``observed = n - 3`` reveals that three
   women did *not* have the outcome: "complement"), and every count of a row whose
   population (denominator) is hidden for any reason but to protect another cell
   ("population").
2. **Secondary suppression.** Totals are assumed known (the all-regions row of one table, the
   regional total in another report, or the sum over all 17 reports). Within every *line*
   (a set of cells whose sum is known: one indicator across regions, one region across Robson
   groups, ...) a single hidden cell could be recovered as total minus the shown cells, so
   more cells are hidden: always the smallest shown non-zero cell of the line, until (a) every
   line with a hidden cell that needs protecting has at least two, and (b) an audit finds no
   count from 1 to 9 (nor the small count of a complement) narrowed to fewer than
   ``min_range`` possible **integer** values. A numerator and its denominator (both in
   ``counts``) are audited **jointly**: the women of a group are at least its shown
   caesareans, the caesareans at most its shown women, and where both are hidden the one is
   at most the other. A cell found exposed gets the smallest shown cell of a line through it
   hidden, else of a line through its numerator or denominator. A line with no shown
   non-zero cell left to hide is withheld whole ("unprotected", its zeros too), and the
   audit runs again on the pattern as published, withheld lines included; a cell still
   exposed gets more cells hidden near it, then its lines withheld, then, as a last resort,
   its whole part of the table.
3. **Derived values.** Every rate, percentage, ratio or interval computed from a hidden count
   is hidden too: a rate with a known denominator reveals its numerator.

**What is guaranteed** (tested by independent integer-programming attacks in
``tests/disclosure/test_attack_lp.py``, one column at a time and a numerator with its
denominator together, and end to end on the reports in
``tests/disclosure/test_attack_reports.py``): a reader who knows every line total of every
count column, every shown cell, and for every hidden cell exactly what the log and the rules
tell (a "small" cell is 1 to 9; a "secondary" cell is at least 10; a "complement" lies 1-9
below its denominator, shown or hidden; any other hidden cell, a withheld 0 included, is only
known to be >= 0), and that in every row a numerator is at most its denominator, cannot pin
any hidden count from 1 to 9, nor the small count (denominator minus numerator) of a
complement, to fewer than ``min_range`` integer values, even by integer programming over
both columns at once. The audit's variables are the hidden cells of a count column and of
the columns linked to it through ``denominators``; it minimises and maximises each protected
quantity over each block of hidden cells linked through lines or rows: by LP where that is
exact (the constraint matrix is totally unimodular by the Heller-Tompkins condition, e.g.
the lines of a one- or two-way table, so with integer counts the LP optimum is an integer),
by ``scipy.optimize.milp`` otherwise (a two-way table with its numerator <= denominator rows
is not of that kind); a solver failure counts as exposed.

**What is assumed, and not covered.** Counts are integers (otherwise only the LP relaxation
is audited). Blocks of more than ``max_lp`` linked hidden cells (200 per column in
:func:`suppress`, 60 in :func:`protect_cells`) are audited by propagating bounds line by line
and row by row, which can miss a deduction that combines several lines at once (none of the
default data's blocks is that large). A count pinned by the published totals alone (a line of one cell; a
line total of 1-9 whose other cells are forced to 0 by other totals) is hidden but cannot be
protected by hiding cells: such totals must not be published. A denominator that is not
itself in ``counts`` is taken as shown (an upper bound of its numerator). Knowledge that a
withheld line holds some small count is not used by the modelled reader. Cells that appear
in two tables must be suppressed consistently by the caller (pass them as ``force``); each
table is audited on its own, so a deduction that needs the cells of two tables at once (say,
a region's caesareans over Robson groups equal its benchmark count, hidden there) is covered
only by the end-to-end attack. Outside knowledge of individual women is not covered.

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


#: Hidden kinds of a denominator that hide its numerators too ("population"): the group is
#: small, close to its total, forced or withheld. A "secondary" denominator is a count of 10
#: or more hidden only to protect another cell, so its numerators may stay shown.
_POPULATION_FROM = frozenset({"small", "complement", "population", "forced", "unprotected"})


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

    A numerator and its denominator are protected together by :func:`suppress` (both
    columns in ``counts``); this function protects one column on its own, with at most a
    known upper bound per cell.

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
        exact for integers, integer programming otherwise); larger blocks by propagating
        each line's bounds, which is fast but can miss a deduction that combines several
        lines.

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
    upper = (
        np.full(n, np.inf) if known_upper is None else np.asarray(known_upper, dtype=float).copy()
    )
    upper[~np.isfinite(upper)] = np.inf
    exact = (
        np.isfinite(upper) if upper_exact is None else np.asarray(upper_exact, dtype=bool).copy()
    )
    return _protect(
        v,
        lines,
        k.astype(object),
        threshold=threshold,
        upper=upper,
        exact=exact,
        pairs=[],
        min_range=min_range,
        max_lp=max_lp,
    )


def _protect(
    v: np.ndarray,
    lines: Sequence[Sequence[int]],
    k: np.ndarray,
    *,
    threshold: int,
    upper: np.ndarray,
    exact: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    min_range: int,
    max_lp: int,
) -> np.ndarray:
    """The suppression loop of :func:`protect_cells` over the cells of one or more linked
    count columns (concatenated).

    ``pairs`` are ``(numerator cell, denominator cell)``: the numerator is at most the
    denominator, a "complement" numerator 1 to ``threshold - 1`` below it, and a numerator
    whose denominator is hidden as anything but "secondary" is hidden as "population". The
    audit's variables are the hidden cells of all columns together (see :func:`_reader`),
    so a bound one column gives another (a shown numerator under a hidden denominator, a
    shown denominator over a hidden numerator, both hidden in one row) is used.

    Examples
    --------
    A 2 x 2 table, women 25, 24 / 18, 44 (cells 0-3) and their caesareans 25, 1 / 18, 12
    (cells 4-7), both margins known. Audited alone, the caesareans are safe once all four
    are hidden; but the caesareans of group 1 add up to its women (43 = 25 + 18), so with
    the women shown each is pinned at its women count, and then the 1. The women go too:

    >>> v = np.array([25.0, 24, 18, 44, 25, 1, 18, 12])
    >>> lines = [[0, 1], [2, 3], [0, 2], [1, 3], [4, 5], [6, 7], [4, 6], [5, 7]]
    >>> k = _protect(v, lines, np.full(8, "", dtype=object), threshold=10,
    ...              upper=np.full(8, np.inf), exact=np.zeros(8, bool),
    ...              pairs=[(4, 0), (5, 1), (6, 2), (7, 3)], min_range=2, max_lp=60)
    >>> k[:4].tolist()
    ['secondary', 'secondary', 'secondary', 'secondary']
    >>> k[4:].tolist()
    ['secondary', 'small', 'secondary', 'secondary']
    """
    n = len(v)
    k = np.asarray(k, dtype=object).copy()
    small = primary_small(v, threshold) & ((k == "") | (k == "forced"))
    k[small] = "small"  # a forced small count (hidden in a linked table) is protected here too
    lines = [np.asarray(line, dtype=int) for line in lines if len(line)]
    line_of: dict[int, list[int]] = {}
    for j, line in enumerate(lines):
        for c in line:
            line_of.setdefault(int(c), []).append(j)
    partner: dict[int, list[int]] = {}
    den_of: dict[int, int] = {}
    for num, den in pairs:
        partner.setdefault(int(num), []).append(int(den))
        partner.setdefault(int(den), []).append(int(num))
        den_of[int(num)] = int(den)
    protect = {"small", "complement", "population"}  # a population cell is a count too
    # cells that must not be pinned: every count from 1 to 9 (also when its kind becomes
    # "population" or "unprotected") and every complement (its small count is the
    # denominator minus the cell); a hidden 0 may be pinned (a zero is shown anyway wherever
    # it is not hidden for another reason)
    complement = k == "complement"
    target = primary_small(v, threshold) | complement
    # the connected parts of the table (the last-resort withholding), rows of pairs joined
    part = _parts(n, lines + [np.array(p, dtype=int) for p in pairs])
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

    def objective(c: int, hidden: np.ndarray) -> dict[int, float]:
        """What must not be pinned: the cell, or for a complement under a hidden
        denominator, the small count denominator minus cell."""
        den = den_of.get(c)
        if complement[c] and den is not None and hidden[den]:
            return {c: 1.0, den: -1.0}
        return {c: 1.0}

    # every pass hides a cell, relabels one towards "unprotected" or gives one up, so the loop
    # ends; should it not, nothing unaudited is returned: the whole column is withheld
    for _ in range(6 * n + 10):
        changed = False
        # (0) a numerator of a hidden (not secondary) denominator is a count in a small or
        # withheld group: hidden as "population"
        for num, den in pairs:
            if k[den] in _POPULATION_FROM and k[num] == "" and np.isfinite(v[num]):
                k[num] = "population"
                changed = True
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
        # (linked through lines and numerator <= denominator) is its own small LP or
        # integer program
        hidden = k != ""
        lo, hi, rows = _reader(v, k, threshold, upper, exact, pairs)
        exposed = []
        by_lp: set[int] = set()  # exposed cells of blocks audited as a whole
        for block_cells, block_lines, block_rows in _blocks(hidden, lines, rows):
            targets = [c for c in block_cells if target[c] and c not in hopeless]
            if not targets:
                continue
            objectives = {c: objective(c, hidden) for c in targets}
            if len(block_cells) <= max_lp:
                ranges = _block_ranges(
                    v, block_cells, block_lines, block_rows, lo, hi, objectives, integer, min_range
                )
                by_lp |= set(ranges)
            else:  # large blocks: bounds propagated line by line (documented limit)
                ranges = _local_ranges(v, block_lines, block_rows, lo, hi, objectives, integer)
            exposed += [c for c, (a, b) in ranges.items() if _exposed(a, b, min_range)]
        touched: set[int] = set()
        for c in exposed:
            near = {j for x in [c, *partner.get(c, [])] for j in line_of.get(x, [])}
            if touched & near:
                continue  # a cell added in this pass may already protect it: re-audit first
            # cheapest first: hide the smallest shown non-zero cell of a line through the
            # cell, else of a line through its numerator or denominator (the other column),
            # else (in a block audited as a whole) of a line through a withheld cell of its
            # lines: a withheld 0 pinned by its other line pins the rest of its line
            mine = sorted({int(x) for j in line_of.get(c, []) for x in lines[j]})
            other = sorted(
                {j for y in partner.get(c, []) for j in line_of.get(y, [])}
                - set(line_of.get(c, []))
            )
            near_lines = sorted(
                {j for y in mine if k[y] == "unprotected" for j in line_of.get(y, [])}
                - set(line_of.get(c, []))
                if c in by_lp
                else set()
            )
            best = None
            for ring in (line_of.get(c, []), other, near_lines):
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


def _reader(
    v: np.ndarray,
    k: np.ndarray,
    threshold: int,
    upper: np.ndarray,
    exact: np.ndarray,
    pairs: Sequence[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, float, float]]]:
    """What a reader who knows the rules knows of each hidden cell: bounds ``lo``/``hi``
    from its kind (:func:`_attacker_bounds`) and from a shown partner (a shown denominator
    bounds its hidden numerator from above, a shown numerator its hidden denominator from
    below), and one row ``(num, den, lo, hi)`` for ``lo <= num - den <= hi`` per pair with
    both hidden (``-inf, 0``; a complement ``1 - threshold, -1``).

    Examples
    --------
    Denominators 50 (hidden) and 40 (shown); numerators 12 (shown) and 38 (a complement):

    >>> v = np.array([50.0, 40, 12, 38])
    >>> k = np.array(["secondary", "", "", "complement"], dtype=object)
    >>> lo, hi, rows = _reader(v, k, 10, np.full(4, np.inf), np.zeros(4, bool),
    ...                        [(2, 0), (3, 1)])
    >>> lo.tolist(), hi.tolist(), rows
    ([12.0, 0.0, 0.0, 31.0], [inf, inf, inf, 39.0], [])
    """
    lo, hi = _attacker_bounds(v, k, threshold, upper, exact)
    rows = []
    for num, den in pairs:
        if not (np.isfinite(v[num]) and np.isfinite(v[den])) or v[num] > v[den]:
            continue  # not applicable, or not a count of its denominator: no rule to use
        num_hidden, den_hidden = k[num] != "", k[den] != ""
        comp = k[num] == "complement"
        if num_hidden and den_hidden:
            rows.append(
                (int(num), int(den), 1.0 - threshold if comp else -np.inf, -1.0 if comp else 0.0)
            )
        elif num_hidden:
            hi[num] = min(hi[num], v[den] - 1 if comp else v[den])
            if comp:
                lo[num] = max(lo[num], v[den] - (threshold - 1))
        elif den_hidden:
            lo[den] = max(lo[den], v[num])
    return lo, hi, rows


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


def _unimodular(lines: list[list[int]], rows: list[tuple]) -> bool:
    """True if the block's constraint matrix is totally unimodular by the Heller-Tompkins
    condition: every variable has at most two non-zero entries, and the constraints split
    into two families such that a variable's two entries lie in different families when
    they have the same sign and in the same family when the signs differ. ``lines`` enter
    with +1 per cell, ``rows`` (numerator minus denominator) with +1 and -1. The lines of a
    one- or two-way table qualify; a numerator <= denominator row on a cell that is also in
    two lines does not (three entries). With integer totals and bounds every LP vertex is
    then an integer point, so LP minimum and maximum are the integer ones.

    >>> _unimodular([[0, 1], [2, 3], [0, 2], [1, 3]], [])          # a 2 x 2 table
    True
    >>> _unimodular([[0, 1], [2, 3]], [(2, 0, -np.inf, 0), (3, 1, -np.inf, 0)])
    True
    >>> _unimodular([[0, 1], [1, 2], [0, 2]], [])                  # an odd cycle
    False
    >>> _unimodular([[0, 1], [0, 2]], [(0, 3, -np.inf, 0)])        # three entries
    False
    """
    entries: dict[int, list[tuple[int, int]]] = {}
    for j, hid in enumerate(lines):
        for c in hid:
            entries.setdefault(int(c), []).append((j, 1))
    for j, (num, den, *_) in enumerate(rows, len(lines)):
        entries.setdefault(int(num), []).append((j, 1))
        entries.setdefault(int(den), []).append((j, -1))
    adj: dict[int, list[tuple[int, int]]] = {}  # constraint -> (constraint, 1 if apart)
    for es in entries.values():
        if len(es) > 2:
            return False
        if len(es) == 2:
            (r1, s1), (r2, s2) = es
            if r1 == r2:
                return False
            apart = int(s1 == s2)
            adj.setdefault(r1, []).append((r2, apart))
            adj.setdefault(r2, []).append((r1, apart))
    colour: dict[int, int] = {}
    for start in adj:
        if start in colour:
            continue
        colour[start] = 0
        stack = [start]
        while stack:
            a = stack.pop()
            for b, apart in adj[a]:
                want = colour[a] ^ apart
                if b not in colour:
                    colour[b] = want
                    stack.append(b)
                elif colour[b] != want:
                    return False
    return True


def _block_ranges(
    v, cells, lines, rows, lo, hi, objectives, integer, min_range
) -> dict[int, tuple[float, float]]:
    """Ranges of each objective (``{target: {cell: coefficient}}``) over one block: LP where
    it is exact for integers (:func:`_unimodular`), else integer programming; integer bounds
    are rounded inwards. To save solves, a maximum at least ``min_range - 1`` above the true
    value is not followed by a minimisation: the range given is then (true value, maximum),
    enough to show the target is not exposed."""
    if integer:
        lo, hi = np.ceil(lo - 1e-9), np.floor(hi + 1e-9)
        use_milp = not _unimodular(lines, rows)
    else:
        use_milp = False
    ranges = _ranges(v, cells, lines, rows, lo, hi, objectives, use_milp, min_range)
    return {c: _round_in(a, b) for c, (a, b) in ranges.items()} if integer else ranges


def _ranges(v, cells, lines, rows, lo, hi, objectives, integer, min_range) -> dict:
    """Minimum and maximum of each objective by ``scipy.optimize.milp`` (an LP when
    ``integer`` is False); NaN where the solver failed (which counts as exposed).

    Every solution found is a feasible point (and so is the truth): an objective already seen
    at values ``min_range - 1`` apart in them cannot be exposed, and is not solved further;
    its range is then the one seen (narrower than the true one, wide enough to be safe).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    pos = {c: i for i, c in enumerate(cells)}
    m = len(cells)
    a = np.zeros((len(lines) + len(rows), m))
    lb = np.zeros(len(a))
    ub = np.zeros(len(a))
    for j, hid in enumerate(lines):
        a[j, [pos[c] for c in hid]] = 1
        lb[j] = ub[j] = float(np.sum(v[hid]))  # = the known total minus the shown cells
    for j, (num, den, r_lo, r_hi) in enumerate(rows, len(lines)):
        a[j, pos[num]], a[j, pos[den]] = 1, -1
        lb[j], ub[j] = r_lo, r_hi
    cons = [LinearConstraint(a, lb, ub)] if len(a) else []
    box = Bounds(lo[cells], hi[cells])
    integrality = np.full(m, 1 if integer else 0)
    names = list(objectives)
    costs = np.zeros((len(names), m))
    for i, t in enumerate(names):
        for c, x in objectives[t].items():
            costs[i, pos[c]] += x
    seen_lo = costs @ v[cells]  # the truth is a solution
    seen_hi = seen_lo.copy()
    need = min_range - 1 - 1e-6
    out = {}

    def solve(cost: np.ndarray) -> float:
        """The minimum of ``cost`` (-inf: unbounded; NaN: the solver failed); the solution
        updates the values seen."""
        r = milp(cost, constraints=cons, bounds=box, integrality=integrality)
        if r.status == 0 and r.x is not None:
            values = costs @ (np.round(r.x) if integer else r.x)
            np.minimum(seen_lo, values, out=seen_lo)
            np.maximum(seen_hi, values, out=seen_hi)
            return float(r.fun)
        return -float("inf") if r.status == 3 else float("nan")

    if len(names) > 8:  # many targets: a few vertices in random directions first
        rng = np.random.default_rng(len(names))
        for _ in range(4):
            solve(rng.choice([-1.0, 1.0], len(names)) @ costs)
    for i, t in enumerate(names):
        if seen_hi[i] - seen_lo[i] >= need:
            out[t] = (float(seen_lo[i]), float(seen_hi[i]))
            continue
        hi_v = -solve(-costs[i])
        if not np.isnan(hi_v) and hi_v - seen_lo[i] >= need:
            out[t] = (float(seen_lo[i]), float(hi_v))
            continue
        lo_v = solve(costs[i])
        out[t] = (float(lo_v), float(hi_v))
    return out


def _round_in(a: float, b: float) -> tuple[float, float]:
    """An integer cell's range [a, b] rounded inwards (NaN and infinity kept).

    >>> _round_in(2.2, 2.9), _round_in(1.0000000001, 5.0)
    ((3.0, 2.0), (1.0, 5.0))
    """
    a = float(np.ceil(a - 1e-6)) if np.isfinite(a) else a
    b = float(np.floor(b + 1e-6)) if np.isfinite(b) else b
    return a, b


def _local_ranges(v, lines, rows, lo, hi, objectives, integer=False) -> dict:
    """Ranges of each objective from bounds propagated line by line and pair by pair (a few
    rounds): each step is a valid deduction, but deductions that need several lines at
    once are missed. For blocks too large to solve as a whole."""
    a = {int(c): float(lo[c]) for hid in lines for c in hid}
    b = {int(c): float(hi[c]) for hid in lines for c in hid}
    for num, den, *_ in rows:
        for c in (num, den):
            a.setdefault(int(c), float(lo[c]))
            b.setdefault(int(c), float(hi[c]))
    for c in {c for obj in objectives.values() for c in obj}:
        a.setdefault(int(c), float(lo[c]))
        b.setdefault(int(c), float(hi[c]))
    for _ in range(3):
        for hid in lines:
            total = float(np.sum(v[hid]))
            old_a = {c: a[c] for c in hid}
            old_b = {c: b[c] for c in hid}
            for c in hid:
                rest_hi = sum(old_b[o] for o in hid if o != c)
                rest_lo = sum(old_a[o] for o in hid if o != c)
                a[c] = max(a[c], total - rest_hi)
                b[c] = min(b[c], total - rest_lo)
        for num, den, r_lo, r_hi in rows:  # r_lo <= num - den <= r_hi
            b[num] = min(b[num], b[den] + r_hi)
            a[num] = max(a[num], a[den] + r_lo)
            a[den] = max(a[den], a[num] - r_hi)
            b[den] = min(b[den], b[num] - r_lo)
    row_of = {(int(num), int(den)): (r_lo, r_hi) for num, den, r_lo, r_hi in rows}
    out = {}
    for t, obj in objectives.items():
        t_lo = sum(x * (a[c] if x > 0 else b[c]) for c, x in obj.items())
        t_hi = sum(x * (b[c] if x > 0 else a[c]) for c, x in obj.items())
        if len(obj) == 2:  # num - den: also bounded by its own row
            (c1, x1), (c2, _x2) = obj.items()
            pair = (c1, c2) if x1 > 0 else (c2, c1)
            if pair in row_of:
                t_lo, t_hi = max(t_lo, row_of[pair][0]), min(t_hi, row_of[pair][1])
        out[t] = _round_in(t_lo, t_hi) if integer else (t_lo, t_hi)
    return out


def _blocks(
    hidden: np.ndarray, lines: list[np.ndarray], rows: Sequence[tuple] = ()
) -> list[tuple[list[int], list[list[int]], list[tuple]]]:
    """Hidden cells grouped into blocks linked through lines and numerator-denominator rows
    (union-find); per block its cells, the hidden cells of each of its lines, and its rows.

    >>> h = np.array([True, True, False, True, True])
    >>> _blocks(h, [np.array([0, 1, 2]), np.array([3, 4])])
    [([0, 1], [[0, 1]], []), ([3, 4], [[3, 4]], [])]
    >>> len(_blocks(h, [np.array([0, 1, 2]), np.array([3, 4])], [(3, 0, -np.inf, 0.0)]))
    1
    """
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
        hidden_lines.append(hid)
        for c in hid[1:]:
            parent[find(c)] = find(hid[0])
        find(hid[0])
    for row in rows:
        parent[find(int(row[0]))] = find(int(row[1]))
    blocks: dict[int, tuple[list[int], list, list]] = {}
    for c in np.flatnonzero(hidden):
        blocks.setdefault(find(int(c)), ([], [], []))[0].append(int(c))
    for hid in hidden_lines:
        blocks[find(hid[0])][1].append(hid)
    for row in rows:
        blocks[find(int(row[0]))][2].append(row)
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
        row whose denominator is hidden (other than as "secondary") is hidden too. When both
        columns are in ``counts`` they are protected together: the audit also uses count <=
        denominator in every row (see the module docstring); a denominator not in ``counts``
        is shown, and only bounds its count.
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

    A numerator is audited together with its denominator. Group 1's caesareans (25 + 18)
    add up to its women (25 + 18), so with the women shown every caesarean of group 1 would
    be pinned at its women count, and unit A's 1 caesarean in group 2 then by A's total:
    the women are hidden too.

    >>> t = pd.DataFrame({"unit": ["A", "A", "B", "B"], "group": ["1", "2"] * 2,
    ...                   "women": [25, 24, 18, 44], "cs": [25, 1, 18, 12]})
    >>> p = suppress(t, ["women", "cs"], lines=[("unit",), ("group",)],
    ...              denominators={"cs": "women"})
    >>> p.hidden[["women", "cs"]].all().tolist()
    [True, True]
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
    linked = {c: d for c, d in denominators.items() if c in counts and d in counts and c != d}

    def numbers(col: str) -> np.ndarray:
        return pd.to_numeric(t[col], errors="coerce").to_numpy(dtype=float)

    # a numerator and its denominator (and the denominator's own denominator, ...) are
    # protected together: one audit over the hidden cells of all of them
    for cols in _linked_columns(list(counts), linked, name):
        off = {col: i * n for i, col in enumerate(cols)}
        v_all = np.concatenate([numbers(col) for col in cols])
        k_all = np.full(len(v_all), "", dtype=object)
        upper = np.full(len(v_all), np.inf)
        exact = np.zeros(len(v_all), dtype=bool)
        pairs: list[tuple[int, int]] = []
        for col in cols:  # denominators first
            at = slice(off[col], off[col] + n)
            v = v_all[at]
            k = np.full(n, "", dtype=object)
            if force is not None and col in force.columns:
                k[force[col].reset_index(drop=True).to_numpy(dtype=bool)] = "forced"
            den = denominators.get(col)
            if den is not None:
                d = numbers(den)
                if den in off:  # hidden as small, forced, ...: its counts are "population"
                    dk = k_all[off[den] : off[den] + n]
                    den_hidden = (dk != "") | primary_small(d, threshold)
                    k[den_hidden & (k == "")] = "population"
                    pairs += [(off[col] + i, off[den] + i) for i in range(n)]
                else:  # a denominator that is not protected here is shown
                    upper[at] = np.where(np.isfinite(d), d, np.inf)
                    exact[at] = np.isfinite(d)
                with np.errstate(invalid="ignore"):
                    comp = (
                        primary_small(d - v, threshold) & (k == "") & ~primary_small(v, threshold)
                    )
                k[comp] = "complement"
            k_all[at] = k
        k_all = _protect(
            v_all,
            [g + off[col] for col in cols for g in groups],
            k_all,
            threshold=threshold,
            upper=upper,
            exact=exact,
            pairs=pairs,
            min_range=min_range,
            max_lp=200 * len(cols),
        )
        for col in cols:
            kinds[col] = k_all[off[col] : off[col] + n]
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


def _linked_columns(counts: list[str], linked: Mapping[str, str], name: str) -> list[list[str]]:
    """The count columns in groups protected together (linked through ``{numerator:
    denominator}``), each ordered denominators first, in the order of ``counts``.

    >>> _linked_columns(["cs", "women", "n"], {"cs": "women"}, "t")
    [['women', 'cs'], ['n']]
    """
    from saz_geboortezorg.errors import SpecError

    group = {c: {c} for c in counts}
    for num, den in linked.items():
        joined = group[num] | group[den]
        for c in joined:
            group[c] = joined
    out, seen = [], set()
    for c in counts:
        if c in seen:
            continue
        members = [x for x in counts if x in group[c]]
        seen |= set(members)
        ordered: list[str] = []
        while len(ordered) < len(members):
            ready = [x for x in members if x not in ordered and linked.get(x, x) in [*ordered, x]]
            if not ready:
                raise SpecError(f"{name}: denominators form a cycle among {', '.join(members)}")
            ordered.append(ready[0])
        out.append(ordered)
    return out
