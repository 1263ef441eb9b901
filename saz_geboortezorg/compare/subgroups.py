"""An indicator per combination of columns (unit x group), and indicators as flags.

:func:`saz_geboortezorg.compute` gives an indicator per unit (one column). The themed
analyses need it per unit *and* subgroup: per region and SES quintile, per hospital
and Robson group, or per 'care outside the guidelines' flag. :func:`group_rates` does
that with the same population, exclusions, numerator and Wilson interval as
``compute``; :func:`indicator_flag` turns an indicator into a record-level grouping
column (e.g. 'planned home birth with second-line risk status: yes/no'), also on the
baby table for a woman-level indicator.

These functions return plain DataFrames, not result objects (see
:mod:`saz_geboortezorg.result`): they carry no metadata beyond their columns (the
indicator and its measure are columns; the confidence level is the caller's argument),
and the tables of several indicators stack with ``pd.concat`` and feed the charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError

__all__ = ["group_rates", "indicator_flag", "outcomes_by_flag", "analysis_table"]

_DERIVED = {"robson", "robson_main"}


@renamed_arguments(level="record")
def analysis_table(data: Any, record: str) -> pd.DataFrame:
    """The ``women`` (level ``woman``) or ``births`` (level ``baby``) table of a Dataset;
    a DataFrame is returned as it is.

    Examples
    --------
    >>> import pandas as pd
    >>> analysis_table(pd.DataFrame({"a": [1]}), "woman").shape
    (1, 1)
    """
    if isinstance(data, pd.DataFrame):
        return data
    attribute = "women" if record == "woman" else "births"
    frame = getattr(data, attribute, None)
    if not isinstance(frame, pd.DataFrame):
        raise SpecError(f"need a DataFrame or a loaded Dataset with a {attribute!r} table")
    return frame


def _columns(
    table: pd.DataFrame, by: Sequence[str], attribution: str = "birth"
) -> tuple[pd.DataFrame, list[str]]:
    """Resolve friendly unit names (by the attribution rule); Robson groups are columns
    added by the derive step (``sg.load``, ``sg.add_derived``)."""
    from saz_geboortezorg.indicators.compute import BOOKING_COLUMNS, UNIT_COLUMNS

    names = BOOKING_COLUMNS if attribution == "booking" else UNIT_COLUMNS

    columns = []
    for name in by:
        column = names.get(name, name)
        if column not in table.columns:
            derived = (
                " (a derived column: add it with sg.add_derived(table))"
                if column in _DERIVED
                else ""
            )
            raise SpecError(
                f"cannot group by {name!r}: the data has no column {column!r}{derived} "
                "(use hospital, region, practice, robson, robson_main or a column name)"
            )
        columns.append(column)
    return table, columns


def _robson_order(out: pd.DataFrame, robson_names: list[str]) -> pd.DataFrame:
    """Sort Robson groups 1, 2a, 2b, ... 10 instead of as text."""
    if not robson_names:
        return out
    order = ["1", "2", "2a", "2b", "3", "4", "4a", "4b", "5", "6", "7", "8", "9", "10"]
    rank = {g: i for i, g in enumerate(order)}
    keys = out.assign(**{f"_rank_{n}": out[n].map(rank).fillna(len(order)) for n in robson_names})
    sort_cols = [f"_rank_{n}" if n in robson_names else n for n in out.columns[: len(out.columns)]]
    sort_cols = [
        c for c in sort_cols if c in keys.columns and c not in ("denominator", "numerator")
    ]
    return (
        keys.sort_values(sort_cols, kind="stable")
        .drop(columns=[f"_rank_{n}" for n in robson_names])
        .reset_index(drop=True)
    )


@renamed_arguments(level="confidence")
def group_rates(
    data: Any,
    indicator: Any,
    by: str | Sequence[str] = ("region", "ses_quintile"),
    *,
    confidence: float = 0.95,
    sga_reference: Any = None,
) -> pd.DataFrame:
    """An indicator per combination of grouping columns, with Wilson intervals.

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded Dataset (the indicator's level picks ``women`` or ``births``) or an
        analysis table.
    indicator : str or Indicator
        An id from the catalogue (event indicators only, not cost).
    by : str or sequence of str
        Columns to group by; ``hospital``, ``region`` and ``practice`` stand for
        their id columns under the indicator's attribution (``booking``: where care
        started, e.g. ``booking_hospital_id``; ``birth``: ``hospital_id``), ``robson`` / ``robson_main`` are columns the derive step adds (``sg.load``, ``sg.add_derived``).
        Missing values become the group ``unknown``.
    confidence : float
        Confidence level of the Wilson interval.
    sga_reference : DataFrame or path, optional
        No longer used: SGA is derived once, with the data (``sg.load(path, sga_reference=...)``
        or ``sg.add_derived(table, sga_reference=...)``); given, it raises a SpecError.

    Returns
    -------
    DataFrame
        One row per observed combination, sorted: ``indicator``, one column per
        name in ``by`` (named as given, values as text), ``measure``,
        ``denominator``, ``numerator``, ``rate`` (in the indicator's unit),
        ``wilson_lcl``, ``wilson_ucl``. Combinations with records but an empty
        denominator have ``rate`` NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"hospital_id": list("AAABB"), "parity_group": list("01010"),
    ...                       "ga_days": [280] * 5,
    ...                       "cs": [1, 0, 0,
    ...                                1, None]})
    >>> r = group_rates(women, "cs", by=["hospital", "parity_group"])
    >>> r[["hospital", "parity_group", "denominator", "numerator", "rate"]]
      hospital parity_group  denominator  numerator   rate
    0        A            0            2          1   50.0
    1        A            1            1          0    0.0
    2        B            0            0          0    NaN
    3        B            1            1          1  100.0
    """
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome
    from saz_geboortezorg.stats.intervals import wilson

    definition = indicator if hasattr(indicator, "population") else get(indicator)
    if definition.is_mean:
        raise SpecError(f"group_rates counts events; {definition.id!r} is a mean (cost)")
    names = [by] if isinstance(by, str) else list(by)
    if not names:
        raise SpecError("group_rates needs at least one column in by=")
    table, columns = _columns(analysis_table(data, definition.level), names, definition.attribution)
    keep, outcome = indicator_outcome(table, definition, sga_reference=sga_reference)
    keys = {
        name: table[column].astype("string").fillna("unknown")
        for name, column in zip(names, columns, strict=True)
    }
    frame = pd.DataFrame(keys)
    frame["denominator"] = keep.astype(int)
    frame["numerator"] = (outcome.fillna(0) > 0).astype(int)
    sums = frame.groupby(names, sort=True, observed=True)[["denominator", "numerator"]].sum()
    out = sums.reset_index()
    for name in names:
        out[name] = out[name].astype(str)
    out = _robson_order(out, [n for n, c in zip(names, columns, strict=True) if c in _DERIVED])
    n = out["denominator"].to_numpy(float)
    x = out["numerator"].to_numpy(float)
    m = definition.multiplier
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = np.where(n > 0, m * x / n, np.nan)
    lo, hi = wilson(x, n, confidence)
    out["wilson_lcl"], out["wilson_ucl"] = m * lo, m * hi
    out.insert(0, "indicator", definition.id)
    out.insert(len(names) + 1, "measure", definition.unit)
    return out


@renamed_arguments(level="record")
def indicator_flag(
    data: Any,
    indicator: Any,
    *,
    record: str | None = None,
    labels: tuple[str, str] = ("no", "yes"),
    outside: str = "not in population",
    sga_reference: Any = None,
) -> pd.Series:
    """An indicator as a record-level grouping column.

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded Dataset or an analysis table with the indicator's columns.
    indicator : str or Indicator
        An event indicator (typically a 'care outside the guidelines' proxy).
    record : {"woman", "baby"}, optional
        Which table the flag is for (default: the indicator's level). A woman-level
        indicator on the ``baby`` level is evaluated on the women and copied to each of
        their babies through ``pregnancy_id`` (needs a Dataset).
    labels : (str, str)
        Labels for 'not an event' and 'event' within the indicator's population.
    outside : str
        Label for records outside the population or excluded.

    Returns
    -------
    Series
        Text labels, index of the chosen table.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"ga_days": [280, 275, 270],
    ...                       "cs": [1, 0, None]})
    >>> indicator_flag(women, "cs").tolist()
    ['yes', 'no', 'not in population']
    """
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome

    definition = indicator if hasattr(indicator, "population") else get(indicator)
    source = analysis_table(data, definition.level)
    keep, outcome = indicator_outcome(source, definition, sga_reference=sga_reference)
    flag = pd.Series(
        np.where(keep, np.where(outcome > 0, labels[1], labels[0]), outside),
        index=source.index,
        dtype="string",
    )
    target = record or definition.level
    if target == definition.level:
        return flag
    if isinstance(data, pd.DataFrame):
        raise SpecError("a flag on another level than the indicator's needs a loaded Dataset")
    if definition.level != "woman" or target != "baby":
        raise SpecError("only woman-level indicators can be copied to the baby level")
    by_pregnancy = pd.Series(flag.to_numpy(), index=source["pregnancy_id"].to_numpy())
    births = data.births
    return pd.Series(
        births["pregnancy_id"].map(by_pregnancy).fillna(outside).to_numpy(),
        index=births.index,
        dtype="string",
    )


@renamed_arguments(level="confidence")
def outcomes_by_flag(
    data: Any,
    flag: str,
    outcomes: Sequence[str],
    *,
    where: str | None = None,
    labels: tuple[str, str] = ("no", "yes"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Outcome indicators for records with and without a flag indicator.

    For example the outcomes of babies whose mother planned a home birth with a
    second-line risk status (flag ``yes``) against the other babies of women with that
    risk status (flag ``no``). Records outside the flag's population are left out.

    Parameters
    ----------
    data : Dataset
        A loaded Dataset (baby-level outcomes of a woman-level flag are matched through
        ``pregnancy_id``).
    flag : str
        The indicator that defines the groups (typically a 'care outside the
        guidelines' proxy).
    outcomes : sequence of str
        Outcome indicators (event indicators, woman or baby level).
    where : str, optional
        An extra restriction in the catalogue's expression language, applied to the
        outcome's table, e.g. ``"ga_days >= 287"`` (from 41+0 weeks) to compare like
        with like.
    labels : (str, str)
        Labels for 'flag not met' and 'flag met'.
    confidence : float
        Confidence level.

    Returns
    -------
    DataFrame
        Per outcome and flag value: ``outcome``, ``flag``, ``measure``,
        ``denominator``, ``numerator``, ``rate``, ``wilson_lcl``, ``wilson_ucl``; and on
        the ``yes`` rows the ``difference`` from ``no`` (same measure) with the
        Newcombe interval ``difference_lcl``/``difference_ucl``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> women = pd.DataFrame({"pregnancy_id": ["a", "b", "c", "d"], "ga_days": [280] * 4,
    ...     "risk_status_before_labour": ["second_line"] * 3 + ["first_line"],
    ...     "intended_place": ["home", "hospital", "hospital", "home"],
    ...     "blood_loss": [1200, 300, 500, 400]})
    >>> data = SimpleNamespace(women=women, births=women.assign(baby_no=1))
    >>> r = outcomes_by_flag(data, "planned_home_birth_high_risk", ["pph"])
    >>> r[["outcome", "flag", "denominator", "numerator", "rate"]]
      outcome flag  denominator  numerator   rate
    0     pph   no            2          0    0.0
    1     pph  yes            1          1  100.0
    """
    from saz_geboortezorg.expressions import evaluate
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.stats.intervals import newcombe_difference

    outside = "not in population"
    frames = []
    for outcome in outcomes:
        definition = get(outcome)
        table = analysis_table(data, definition.level)
        groups = indicator_flag(data, flag, record=definition.level, labels=labels, outside=outside)
        table = table.assign(_flag=groups.to_numpy())
        table = table[table["_flag"] != outside]
        if where:
            table = table[evaluate(where, table).to_numpy(bool)]
        rates = group_rates(table, definition, by="_flag", confidence=confidence)
        rates = rates.rename(columns={"_flag": "flag", "indicator": "outcome"})
        rates = rates.set_index("flag").reindex(list(labels)).reset_index()
        rates["outcome"] = definition.id
        rates["measure"] = definition.unit
        rates[["denominator", "numerator"]] = (
            rates[["denominator", "numerator"]].fillna(0).astype(int)
        )
        c = rates.set_index("flag")
        d, lo, hi = newcombe_difference(
            c.loc[labels[1], "numerator"],
            c.loc[labels[1], "denominator"],
            c.loc[labels[0], "numerator"],
            c.loc[labels[0], "denominator"],
            confidence,
        )
        m = definition.multiplier
        rates["difference"] = [np.nan, m * float(d)]
        rates["difference_lcl"] = [np.nan, m * float(lo)]
        rates["difference_ucl"] = [np.nan, m * float(hi)]
        frames.append(rates[["outcome", "flag", *rates.columns.drop(["outcome", "flag"])]])
    return pd.concat(frames, ignore_index=True)
