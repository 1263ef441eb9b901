"""Robson Ten Group Classification System (WHO 2015, Implementation Manual 2017).

Six variables place every woman in exactly one group: parity, previous caesarean,
number of fetuses, presentation (lie), gestational age and onset of labour.

====  ==========================================================================
1     nulliparous, singleton, cephalic, >= 37 weeks, spontaneous labour
2     nulliparous, singleton, cephalic, >= 37 weeks, induced (2a) or CS before labour (2b)
3     multiparous without previous CS, singleton, cephalic, >= 37 weeks, spontaneous labour
4     multiparous without previous CS, singleton, cephalic, >= 37 weeks, induced (4a) or
      CS before labour (4b)
5     multiparous with at least one previous CS, singleton, cephalic, >= 37 weeks
      (5.1: one previous CS, 5.2: two or more, when the number is known)
6     nulliparous, singleton breech
7     multiparous, singleton breech (including previous CS)
8     multiple pregnancy (including previous CS)
9     singleton transverse or oblique lie (including previous CS)
10    singleton cephalic < 37 weeks (including previous CS)
====  ==========================================================================

"37 weeks" is 37+0 = 259 days. A woman is classified as soon as the variables the
path to her group needs are known; when one is missing she is ``unclassifiable``
and ``robson_missing`` names the first missing variable on that path. A previous
caesarean is needed only for multiparous women (a nulliparous woman has had none:
groups 1, 2 and 6 do not read it). Where the number of previous caesareans
(``n_prev_cs``, an optional extract item) is known, group 5 is split into 5.1 (one)
and 5.2 (two or more), as in the WHO Implementation Manual (2017); it also stands in
for a missing ``prev_cs``. The WHO report table (:func:`robson_table`) reports group
size, relative size, caesarean rate and each group's contribution to the overall
caesarean rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.io.decode import categorical
from saz_geboortezorg.result import Result

__all__ = [
    "classify",
    "robson_table",
    "RobsonTable",
    "main_group",
    "GROUPS",
    "TERM_DAYS",
    "ROBSON_POPULATIONS",
]

TERM_DAYS = 259  # 37+0 weeks
GROUPS = ["1", "2a", "2b", "3", "4a", "4b", "5", "5.1", "5.2", "6", "7", "8", "9", "10"]
REQUIRED = ["parity", "prev_cs", "n_babies", "presentation", "ga_days", "onset"]
UNCLASSIFIABLE = "unclassifiable"
_MAIN = re.compile(r"(?<=\d)(?:[ab]|\.\d)$")  # the subgroup suffix of a group label


def main_group(group: pd.Series) -> pd.Series:
    """Robson group 1-10 without the subgroups (2a/2b, 4a/4b, 5.1/5.2).

    Examples
    --------
    >>> import pandas as pd
    >>> main_group(pd.Series(["2a", "5.2", "10", "unclassifiable"])).tolist()
    ['2', '5', '10', 'unclassifiable']
    """

    group = group.astype("string")
    # a dozen distinct labels: map them rather than run a regex on every row
    mapping = {g: _MAIN.sub("", g) for g in group.dropna().unique()}
    return group.map(mapping).astype("string")


def _known(series: pd.Series) -> np.ndarray:
    """Whether each value is known: not missing and not the label ``unknown``.

    The few distinct values are tested, not every row (a numeric column is never
    ``unknown``).

    Examples
    --------
    >>> import pandas as pd
    >>> _known(pd.Series(["cephalic", "unknown", None, "breech"], dtype="str")).tolist()
    [True, False, False, True]
    >>> _known(pd.Series([0, None, 2], dtype="Int64")).tolist()
    [True, False, True]
    """
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.notna().to_numpy(dtype=bool)
    codes, uniques = _codes(series)
    unknown = [i for i, u in enumerate(uniques) if str(u) == "unknown"]
    known = codes >= 0
    for i in unknown:  # one at most, but for values whose text coincides
        known &= codes != i
    return known


def _codes(series: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Integer codes of ``series`` (-1: missing) and the values they stand for: a
    category column's own codes and categories (no hashing), else ``pd.factorize``.

    Examples
    --------
    >>> codes, values = _codes(pd.Series(["b", None, "a"], dtype="category"))
    >>> codes.tolist(), values
    ([1, -1, 0], ['a', 'b'])
    >>> codes, values = _codes(pd.Series(["b", None, "a"], dtype="str"))
    >>> codes.tolist(), values
    ([0, -1, 1], ['b', 'a'])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), list(series.cat.categories)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, list(uniques)


def _text(codes: np.ndarray, names: list[str], index: pd.Index) -> pd.Series:
    """Text Series (dtype ``string``) ``names[codes]``, made by Arrow from the codes
    (no Python string per row).

    Examples
    --------
    >>> _text(np.array([1, 0, 1], dtype="int8"), ["", "onset"], pd.RangeIndex(3)).tolist()
    ['onset', '', 'onset']
    """
    dtype = pd.StringDtype()
    if dtype.storage != "pyarrow":  # pragma: no cover (pandas without pyarrow strings)
        return pd.Series(np.array(names, dtype=object)[codes], index=index, dtype=dtype)
    taken = pc.take(pa.array(names, type=pa.large_string()), pa.array(codes))
    return pd.Series(pd.array(taken, dtype=dtype), index=index)


class _Labels:
    """A label column as integer codes: ``labels == "x"`` tests the few distinct values."""

    def __init__(self, series: pd.Series) -> None:
        self.codes, self.uniques = _codes(series)

    def __eq__(self, label: object) -> np.ndarray:  # type: ignore[override]
        # the values behind the codes are distinct: one code at most
        hits = [i for i, u in enumerate(self.uniques) if isinstance(u, str) and u == label]
        return self.codes == hits[0] if hits else np.zeros(len(self.codes), dtype=bool)

    __hash__ = None  # type: ignore[assignment]


def classify(women: pd.DataFrame) -> pd.DataFrame:
    """Classify women into Robson groups.

    Parameters
    ----------
    women : DataFrame
        One row per woman with ``parity`` (number), ``prev_cs`` (0/1), ``n_babies``,
        ``presentation`` (cephalic, breech, transverse, unknown), ``ga_days`` and
        ``onset`` (spontaneous, induced, prelabour_cs, unknown); optionally
        ``n_prev_cs`` (number of previous caesareans) for groups 5.1 and 5.2.

    Returns
    -------
    DataFrame
        Same index, columns ``robson`` (1, 2a, 2b, 3, 4a, 4b, 5.1, 5.2 (or 5 when the
        number of previous caesareans is unknown), 6 ... 10 or unclassifiable),
        ``robson_main`` (1 ... 10 without subgroups), both category labels (the
        groups that occur, sorted as text; see
        :func:`saz_geboortezorg.io.decode.categorical`), and ``robson_missing`` (text:
        the missing variable, empty when classified).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"parity": [0, 2, 1, 0], "prev_cs": [0, 1, 1, 0],
    ...     "n_babies": [1, 1, 1, 1], "presentation": ["cephalic", "breech", "cephalic", "cephalic"],
    ...     "ga_days": [259, 280, 250, None], "onset": ["spontaneous", "induced", "induced", "induced"]})
    >>> r = classify(w)
    >>> r["robson"].tolist()
    ['1', '7', '10', 'unclassifiable']
    >>> r["robson_missing"].tolist()
    ['', '', '', 'ga_days']

    A nulliparous woman needs no previous-caesarean item; the number of previous
    caesareans splits group 5:

    >>> w = pd.DataFrame({"parity": [0, 2, 3, 1], "prev_cs": [None, 1, 1, 1],
    ...     "n_prev_cs": [None, 1, 2, None], "n_babies": 1, "presentation": "cephalic",
    ...     "ga_days": 280, "onset": "spontaneous"})
    >>> classify(w)["robson"].tolist()
    ['1', '5.1', '5.2', '5']
    """
    missing_cols = [c for c in REQUIRED if c not in women.columns]
    if missing_cols:
        raise SpecError(
            f"the Robson classification needs column(s) {', '.join(missing_cols)}, "
            "which the data does not have"
        )
    n = len(women)
    known = {c: _known(women[c]) for c in REQUIRED}
    parity = pd.to_numeric(women["parity"], errors="coerce").to_numpy(float)
    prev_cs = pd.to_numeric(women["prev_cs"], errors="coerce").to_numpy(float)
    if "n_prev_cs" in women.columns:
        n_prev = pd.to_numeric(women["n_prev_cs"], errors="coerce").to_numpy(float)
        # the number of previous caesareans answers 'any previous caesarean?' too
        prev_cs = np.where(np.isnan(prev_cs), np.where(n_prev >= 1, 1.0, n_prev), prev_cs)
        known["prev_cs"] = ~np.isnan(prev_cs)
    else:
        n_prev = np.full(n, np.nan)
    n_babies = pd.to_numeric(women["n_babies"], errors="coerce").to_numpy(float)
    ga = pd.to_numeric(women["ga_days"], errors="coerce").to_numpy(float)
    presentation = _Labels(women["presentation"])
    onset = _Labels(women["onset"])

    # the group as a position in ``names``: the column is made from these codes
    names = [*GROUPS, UNCLASSIFIABLE]
    unclassifiable = names.index(UNCLASSIFIABLE)
    group = np.full(n, -1, dtype="int8")
    # the missing variable as a position in ``lacks`` (0: none)
    lacks = ["", *REQUIRED]
    missing = np.zeros(n, dtype="int8")
    todo = np.ones(n, dtype=bool)

    def settle(mask: np.ndarray, value: str) -> None:
        nonlocal todo
        group[mask & todo] = names.index(value)
        todo &= ~mask

    def need(column: str) -> None:
        nonlocal todo
        lacking = todo & ~known[column]
        group[lacking] = unclassifiable
        missing[lacking] = lacks.index(column)
        todo &= ~lacking

    need("n_babies")
    settle(n_babies > 1, "8")
    need("presentation")
    settle(presentation == "transverse", "9")
    need("parity")
    nulli = parity == 0
    breech = presentation == "breech"
    settle(breech & nulli, "6")
    settle(breech & ~nulli, "7")
    # cephalic singletons from here on
    need("ga_days")
    settle(ga < TERM_DAYS, "10")
    # term cephalic singletons; a previous caesarean matters for multiparous women only
    lacking = todo & ~nulli & ~known["prev_cs"]
    group[lacking] = unclassifiable
    missing[lacking] = lacks.index("prev_cs")
    todo &= ~lacking
    group5 = ~nulli & (prev_cs == 1)
    settle(group5 & (n_prev == 1), "5.1")
    settle(group5 & (n_prev >= 2), "5.2")
    settle(group5, "5")
    need("onset")
    spont = onset == "spontaneous"
    induced = onset == "induced"
    prelabour = onset == "prelabour_cs"
    settle(nulli & spont, "1")
    settle(nulli & induced, "2a")
    settle(nulli & prelabour, "2b")
    settle(~nulli & spont, "3")
    settle(~nulli & induced, "4a")
    settle(~nulli & prelabour, "4b")
    # anything left has an onset code outside the list
    group[todo] = unclassifiable
    missing[todo] = lacks.index("onset")

    mains = [_MAIN.sub("", g) for g in names]
    return pd.DataFrame(
        {
            "robson": categorical(group, names, women.index),
            "robson_main": categorical(group, mains, women.index),
            "robson_missing": _text(missing, lacks, women.index),
        }
    )


#: The populations a Robson table can describe, in words (tables and reports say which).
ROBSON_POPULATIONS = {
    "all": "all women of the unit, first-line births included",
    "second_line": "births under hospital responsibility (second line) only",
}


@dataclass(repr=False)
class RobsonTable(Result):
    """The WHO Robson report table (from :func:`robson_table`).

    Attributes
    ----------
    table : DataFrame
        Per unit and group: ``women``, ``relative_size_pct``, ``cs``, ``cs_rate_pct``,
        ``contribution_pct``, ``share_of_cs_pct``; a ``total`` row per unit (see
        :func:`robson_table`).
    unit : str or None
        The unit column (None: all women together, no ``unit`` column).
    population : str
        Whom the table describes, in words (:data:`ROBSON_POPULATIONS`).
    cs_unknown : int
        Women left out because their caesarean status is unknown.
    split_ab : bool
        Whether the subgroups 2a/2b, 4a/4b and 5.1/5.2 are reported separately.
    """

    table: pd.DataFrame
    unit: str | None = None
    population: str = ROBSON_POPULATIONS["all"]
    cs_unknown: int = 0
    split_ab: bool = True

    def summary(self) -> str:
        """Plain text: population, women and the overall caesarean rate per unit.

        Examples
        --------
        >>> import pandas as pd
        >>> w = pd.DataFrame({"robson": ["1", "1", "5", "5"], "cs": [0, 1, 1, None]})
        >>> print(robson_table(w).summary())
        Robson table (WHO), all women of the unit, first-line births included
        all: 3 women, caesarean rate 66.7%
        1 woman with unknown caesarean status left out
        """
        lines = [f"Robson table (WHO), {self.population}"]
        totals = self.table[self.table["group"] == "total"]
        for row in totals.itertuples():
            name = getattr(row, "unit", "all")
            lines.append(f"{name}: {row.women} women, caesarean rate {row.cs_rate_pct:.1f}%")
        if self.cs_unknown:
            who = "woman" if self.cs_unknown == 1 else "women"
            lines.append(f"{self.cs_unknown} {who} with unknown caesarean status left out")
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """Each group's contribution to the caesarean rate, stacked per unit
        (:func:`saz_geboortezorg.present.robson_chart.robson_chart`)."""
        from saz_geboortezorg.present.robson_chart import robson_chart

        return robson_chart(self, **options)


@renamed_arguments(by="unit")
def robson_table(
    women: pd.DataFrame,
    unit: str | None = None,
    cs: str = "cs",
    split_ab: bool = True,
    population: str = "all",
) -> RobsonTable:
    """The WHO Robson report table, overall or per unit.

    Parameters
    ----------
    women : DataFrame
        One row per woman with the classification variables (or a ``robson``
        column already) and a 0/1 caesarean column.
    unit : str, optional
        Unit column (``hospital_id``, ``region_id``); ``None`` for all women.
    cs : str
        The caesarean column (0/1 per woman: any baby by caesarean, as the ``women``
        table's ``cs``). A woman whose caesarean status is unknown (empty) cannot be
        counted in a caesarean table: she is left out of every row, and the number
        left out is the result's ``cs_unknown``.
    split_ab : bool
        Report the subgroups 2a/2b, 4a/4b and 5.1/5.2 separately (default) or as
        groups 2, 4 and 5.
    population : {"all", "second_line"}
        Whom a unit's table describes: all its women, first-line (midwife-led) births
        included (``all``, the WHO's whole-population view), or only the births under
        hospital responsibility (``second_line``: ``line_at_birth == 2``, what a
        hospital's own register holds). Recorded in the result's ``population`` in words.

    Returns
    -------
    RobsonTable
        ``table``, per unit and group: ``women``, ``relative_size_pct`` (group / all women of
        the unit), ``cs``, ``cs_rate_pct``, ``contribution_pct`` (CS in the group /
        all women of the unit: the groups' contributions add up to the unit's overall
        CS rate) and ``share_of_cs_pct``; a ``total`` row per unit. Unclassifiable
        women are a row of their own, so the rows always add up to the totals.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"robson": ["1", "1", "5", "5"], "cs": [0, 1, 1, 1]})
    >>> robson_table(w).table[["group", "women", "cs_rate_pct", "contribution_pct"]]
       group  women  cs_rate_pct  contribution_pct
    0      1      2         50.0              25.0
    1      5      2        100.0              50.0
    2  total      4         75.0              75.0
    """
    if cs not in women.columns:
        raise SpecError(f"the Robson table needs the caesarean column {cs!r}")
    if population not in ROBSON_POPULATIONS:
        raise SpecError(
            f"population must be one of {', '.join(ROBSON_POPULATIONS)}, not {population!r}"
        )
    if population == "second_line":
        if "line_at_birth" not in women.columns:
            raise SpecError("population='second_line' needs the column 'line_at_birth'")
        women = women[pd.to_numeric(women["line_at_birth"], errors="coerce").eq(2).to_numpy()]
    groups = women["robson"] if "robson" in women.columns else classify(women)["robson"]
    groups = groups.astype("string")
    if not split_ab:
        groups = main_group(groups)
    order = (GROUPS if split_ab else list(main_group(pd.Series(GROUPS)))) + [UNCLASSIFIABLE]
    order = list(dict.fromkeys(order))
    row_unit = women[unit].astype("string") if unit else pd.Series("all", index=women.index)
    frame = pd.DataFrame(
        {"unit": row_unit, "group": groups, "cs": pd.to_numeric(women[cs], errors="coerce")}
    )
    unknown = frame["cs"].isna()
    if not frame.loc[~unknown, "cs"].isin([0, 1]).all():
        raise SpecError(f"the caesarean column {cs!r} must be 0/1 (or empty when unknown)")
    frame = frame.loc[~unknown]
    counts = frame.groupby(["unit", "group"], observed=True)["cs"].agg(["size", "sum"])
    counts.columns = ["women", "cs"]
    rows = []
    for u, block in counts.groupby(level="unit", sort=True):
        block = block.droplevel("unit")
        present = [g for g in order if g in block.index]
        block = block.loc[present]
        total_women, total_cs = block["women"].sum(), block["cs"].sum()
        for g, r in block.iterrows():
            rows.append((u, g, r["women"], r["cs"], total_women, total_cs))
        rows.append((u, "total", total_women, total_cs, total_women, total_cs))
    t = pd.DataFrame(rows, columns=["unit", "group", "women", "cs", "_tw", "_tc"])
    t["relative_size_pct"] = 100 * t["women"] / t["_tw"]
    t["cs_rate_pct"] = 100 * t["cs"] / t["women"]
    t["contribution_pct"] = 100 * t["cs"] / t["_tw"]
    t["share_of_cs_pct"] = np.where(t["_tc"] > 0, 100 * t["cs"] / t["_tc"].where(t["_tc"] > 0), 0)
    t = t.drop(columns=["_tw", "_tc"])
    cols = ["women", "cs"]
    t[cols] = t[cols].astype(int)
    pct = ["relative_size_pct", "cs_rate_pct", "contribution_pct", "share_of_cs_pct"]
    t[pct] = t[pct].astype(float).round(2)
    t = t[
        [
            "unit",
            "group",
            "women",
            "relative_size_pct",
            "cs",
            "cs_rate_pct",
            "contribution_pct",
            "share_of_cs_pct",
        ]
    ]
    t = t if unit else t.drop(columns="unit")
    return RobsonTable(
        t,
        unit=unit,
        population=ROBSON_POPULATIONS[population],
        cs_unknown=int(unknown.sum()),
        split_ab=split_ab,
    )
