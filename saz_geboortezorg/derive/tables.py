"""Build the analysis tables once: every derived column, added at load.

:func:`saz_geboortezorg.io.load` reads, validates and links the extracts into ``births``
(one row per baby) and ``women`` (one row per pregnancy); the attribution units
(``booking_hospital_id``, ``booking_region_id``) come from the linkage there. This
module adds the columns that are *derived* from them, once, so that indicators,
case-mix models and comparisons only read columns and never derive anything again:

==============  ==========================  ===============================================
column          tables                      from
==============  ==========================  ===============================================
``robson``      women, births               :func:`~saz_geboortezorg.derive.robson.classify`
``robson_main`` women, births               the Robson group without its subgroup
``sga``         births                      :func:`~saz_geboortezorg.derive.sga.sga` (small
                                            for gestational age, birth weight < p10)
``cs``          births (women: from link)   a caesarean flag from the mode of birth
==============  ==========================  ===============================================

A column is added only when the table has what it is derived from (a hand-made table
without birth weights gets no ``sga``) and does not have it already. ``sg.load`` is
:func:`load`, which is :func:`saz_geboortezorg.io.load` followed by
:func:`add_derived` on both tables; a hand-made table gets its derived columns with
``sg.add_derived(table)``. An indicator or model that needs a derived column the table
lacks raises a :class:`~saz_geboortezorg.errors.SpecError` that says so.

Examples
--------
>>> import pandas as pd
>>> women = pd.DataFrame({"parity": [0, 1], "prev_cs": [0, 1], "n_babies": [1, 1],
...     "presentation": ["cephalic", "cephalic"], "ga_days": [280, 280],
...     "onset": ["spontaneous", "prelabour_cs"], "mode": ["spontaneous", "prelabour_cs"]})
>>> add_derived(women)[["robson", "robson_main", "cs"]].values.tolist()
[['1', '1', 0.0], ['5', '5', 1.0]]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.derive.robson import REQUIRED as ROBSON_REQUIRED
from saz_geboortezorg.derive.robson import classify
from saz_geboortezorg.derive.sga import sga
from saz_geboortezorg.io.dataset import Dataset
from saz_geboortezorg.io.dataset import load as load_extracts
from saz_geboortezorg.io.decode import CS_MODES, categorical
from saz_geboortezorg.memory import with_small_pages
from saz_geboortezorg.progress import step as progress_step
from saz_geboortezorg.progress import with_progress

__all__ = [
    "DERIVED_COLUMNS",
    "add_derived",
    "derive_dataset",
    "load",
    "caesarean_from_mode",
]

#: The derived columns, each with the columns it is derived from.
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "robson": tuple(ROBSON_REQUIRED),
    "robson_main": tuple(ROBSON_REQUIRED),
    "sga": ("birth_weight", "sex", "parity", "ga_days"),
    "cs": ("mode",),
}


def caesarean_from_mode(mode: pd.Series) -> pd.Series:
    """0/1 caesarean from the mode of birth of one baby per row (NaN where unknown).

    The ``women`` table made by the loader has ``cs`` already (any baby by caesarean);
    this stands in for a table of singletons without it.

    Examples
    --------
    >>> import pandas as pd
    >>> caesarean_from_mode(pd.Series(["prelabour_cs", "vacuum", "unknown", None])).tolist()
    [1.0, 0.0, nan, nan]
    """
    # the few distinct modes are looked up, not every row
    codes, uniques = pd.factorize(mode, use_na_sentinel=True)
    table = [np.nan if u == "unknown" else float(u in CS_MODES) for u in uniques]
    values = np.array(table + [np.nan], dtype=float)[codes]
    return pd.Series(values, index=mode.index, dtype=float, copy=False)


def add_derived(table: pd.DataFrame, *, sga_reference: Any = None) -> pd.DataFrame:
    """The table with every derived column it can have and lacks (a new frame).

    Parameters
    ----------
    table : DataFrame
        An analysis table (``births``, ``women``) or a hand-made one.
    sga_reference : DataFrame or path, optional
        Birth-weight reference for SGA (see :func:`saz_geboortezorg.derive.sga.sga`;
        default: the shipped one). Given, ``sga`` is derived again with it even when
        the table has one.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"birth_weight": [2000, 3500], "sex": ["male", "female"],
    ...                   "parity": [0, 1], "ga_days": [280, 280]})
    >>> add_derived(b)["sga"].tolist()
    [1.0, 0.0]
    >>> list(add_derived(pd.DataFrame({"x": [1]})).columns)      # nothing to derive from
    ['x']
    """
    columns = set(table.columns)

    def possible(column: str) -> bool:
        return set(DERIVED_COLUMNS[column]) <= columns

    extra: dict[str, pd.Series] = {}
    if possible("cs") and "cs" not in columns:
        extra["cs"] = caesarean_from_mode(table["mode"])
    if possible("robson") and not {"robson", "robson_main"} <= columns:
        extra.update(classify(table)[["robson", "robson_main"]].to_dict("series"))
    if possible("sga") and ("sga" not in columns or sga_reference is not None):
        extra["sga"] = sga(table, sga_reference)
    return table.assign(**extra) if extra else table


def derive_dataset(data: Dataset, *, sga_reference: Any = None) -> Dataset:
    """A copy of a loaded dataset whose ``births`` and ``women`` have every derived column.

    Examples
    --------
    >>> import tempfile
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = generate(births=200, seed=2, progress=False).write(tmp.name)
    >>> data = load_extracts(tmp.name, salt="example")
    >>> "robson" in data.women.columns
    False
    >>> derived = derive_dataset(data)
    >>> {"robson", "robson_main"} <= set(derived.women.columns), "sga" in derived.births.columns
    (True, True)
    >>> tmp.cleanup()
    """
    return dataclasses.replace(
        data,
        births=add_derived(data.births, sga_reference=sga_reference),
        women=add_derived(data.women, sga_reference=sga_reference),
    )


@with_small_pages
@with_progress("load", total=6)  # four files, linking, deriving
def load(
    path: str | Path,
    *,
    salt: str | None = None,
    validate: bool = True,
    mapping: str | Path | list | dict | None = None,
    sga_reference: Any = None,
    progress: bool | None = None,
) -> Dataset:
    """Load, validate and link a folder of extracts, and derive every column once.

    :func:`saz_geboortezorg.io.load` followed by :func:`derive_dataset`; this is
    ``sg.load``. The parameters are those of :func:`saz_geboortezorg.io.load`, and
    ``sga_reference`` the birth-weight reference for SGA (default: the shipped one);
    ``mapping`` reads extracts in another format (:mod:`saz_geboortezorg.io.mapping`).
    ``progress`` shows a progress bar (each file, linking, deriving): None (default)
    in a terminal or notebook only, see :mod:`saz_geboortezorg.progress`.

    Examples
    --------
    >>> import tempfile
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = generate(births=200, seed=2, progress=False).write(tmp.name)
    >>> data = load(tmp.name, salt="example")
    >>> sorted({"robson", "robson_main", "sga", "cs"} & set(data.births.columns))
    ['cs', 'robson', 'robson_main', 'sga']
    >>> tmp.cleanup()
    """
    data = load_extracts(path, salt=salt, validate=validate, mapping=mapping)
    progress_step("load", "deriving columns")
    births = add_derived(data.births, sga_reference=sga_reference)
    women = _carry_over(births, data.women, sga_reference)
    return dataclasses.replace(data, births=births, women=women)


def _carry_over(births: pd.DataFrame, women: pd.DataFrame, sga_reference: Any) -> pd.DataFrame:
    """``add_derived(women)``, taking what ``births`` has derived already where it can.

    The loader's ``women`` holds, in the order of ``births`` (sorted by pregnancy), the
    first baby's row of each pregnancy, with ``ga_days`` the shortest of its babies. A
    pregnancy with one baby row has the same values in both tables, so its Robson group
    and SGA flag are the baby's; only pregnancies with several baby rows are derived
    again. Tables in any other shape are derived in full.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"pregnancy_id": ["a", "b", "b"], "parity": [0, 1, 1],
    ...     "prev_cs": [0, 0, 0], "n_babies": [1, 2, 2], "ga_days": [280, 250, 251],
    ...     "presentation": "cephalic", "onset": "spontaneous", "mode": "spontaneous"})
    >>> w = b.iloc[[0, 1]].reset_index(drop=True).assign(cs=0)
    >>> _carry_over(add_derived(b), w, None)["robson"].tolist()
    ['1', '8']
    """
    columns = set(women.columns)
    todo = []
    if set(DERIVED_COLUMNS["robson"]) <= columns and not {"robson", "robson_main"} <= columns:
        todo += ["robson", "robson_main"]
    if set(DERIVED_COLUMNS["sga"]) <= columns and (
        "sga" not in columns or sga_reference is not None
    ):
        todo.append("sga")
    pid = births.get("pregnancy_id")
    if (
        not todo
        or pid is None
        or "pregnancy_id" not in columns
        or "cs" not in columns  # else add_derived adds cs too
        or not set(todo) <= set(births.columns)
        or not len(women)
    ):
        return add_derived(women, sga_reference=sga_reference)
    first = pid.ne(pid.shift()).fillna(True).to_numpy(dtype=bool)  # the shift makes row 0 NA
    starts = np.flatnonzero(first)
    if (
        len(starts) != len(women)
        or not pd.Series(pid.array.take(starts) == women["pregnancy_id"].array).fillna(False).all()
    ):
        return add_derived(women, sga_reference=sga_reference)
    several = np.flatnonzero(np.diff(np.append(starts, len(births))) > 1)
    again = add_derived(
        women.iloc[several].drop(columns=todo, errors="ignore"), sga_reference=sga_reference
    )
    extra: dict[str, pd.Series] = {}
    for c in todo:
        if isinstance(births[c].dtype, pd.CategoricalDtype):
            # the codes of both, into their categories side by side; the categories
            # become those that occur among the women
            names = [*births[c].cat.categories, *again[c].cat.categories]
            codes = births[c].cat.codes.to_numpy().astype("int64").take(starts)
            if len(several):
                codes[several] = np.where(
                    again[c].cat.codes.to_numpy() >= 0,
                    again[c].cat.codes.to_numpy() + len(births[c].cat.categories),
                    -1,
                )
            extra[c] = categorical(codes, names, women.index).rename(c)
            continue
        values = births[c].array.take(starts)
        if len(several):
            values[several] = again[c].array
        extra[c] = pd.Series(values, index=women.index, name=c)
    return women.assign(**extra)
