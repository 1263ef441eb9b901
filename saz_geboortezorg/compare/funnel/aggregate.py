"""Step 1 of a funnel plot: check the input and aggregate it to one row per unit.

As FunnelPlotR's ``aggregate_func``, records of the same group are summed (numerator and
denominator separately), so record-level data and already aggregated data give the same
result. For the SHMI method the aggregated expected counts are rounded to 2 decimals, as
NHS Digital publishes them and FunnelPlotR does (``SHMI_rounding = TRUE``).

Unlike FunnelPlotR, which lets missing values, zero or negative denominators through to
``NaN``/``Inf`` arithmetic, every input problem here is a :class:`~saz_geboortezorg.errors.SpecError`
that names the offending groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError

__all__ = ["aggregate", "round_half_even_2"]


def _groups(frame: pd.DataFrame, mask: pd.Series, limit: int = 5) -> str:
    names = [str(g) for g in pd.unique(frame.loc[mask, "group"])]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def round_half_even_2(values: np.ndarray) -> np.ndarray:
    """Round to 2 decimals as R's ``round(x, 2)`` does (R >= 4.0).

    R rounds the exact binary value of ``x`` to the nearest 2-decimal number and
    breaks exact ties to even; Python's :func:`round` on floats does the same, unlike
    ``numpy.round`` (which scales by 100 first).

    Examples
    --------
    >>> round_half_even_2(np.array([2.675, 0.125, 1.005, 3.14159]))
    array([2.67, 0.12, 1.  , 3.14])
    """
    return np.array([round(float(v), 2) for v in np.asarray(values, dtype=float)])


def aggregate(
    data: pd.DataFrame,
    numerator: str,
    denominator: str,
    group: str,
    *,
    data_type: str,
    sr_method: str,
    shmi_rounding: bool = True,
    integer_denominator: bool = False,
) -> pd.DataFrame:
    """Validate and aggregate the input to columns ``group``, ``numerator``, ``denominator``.

    Parameters
    ----------
    data : DataFrame
        Record- or unit-level data.
    numerator, denominator, group : str
        Column names.
    data_type : {"SR", "PR", "RC"}
        Checks depend on it: for proportions the numerator cannot exceed the denominator.
    sr_method : {"SHMI", "CQC"}
        With ``"SHMI"`` (and ``data_type="SR"``) the aggregated denominators are rounded
        to 2 decimals unless ``shmi_rounding`` is false.
    shmi_rounding : bool
        See above.
    integer_denominator : bool
        Require whole-number denominators (exact binomial limits need them).

    Returns
    -------
    DataFrame
        One row per group, sorted by group: ``group``, ``numerator``, ``denominator``
        and ``ratio`` (numerator / denominator, computed before the SHMI rounding of the
        denominator, as in FunnelPlotR: the plotted value uses the exact expected count,
        limits and z-scores the rounded one).

    Raises
    ------
    SpecError
        Missing columns, missing or non-numeric values, negative numerators, zero or
        negative denominators, proportions above 1, no rows.

    Examples
    --------
    >>> d = pd.DataFrame({"h": ["A", "A", "B"], "o": [1, 2, 3], "e": [1.004, 2.0, 3.5]})
    >>> aggregate(d, "o", "e", "h", data_type="SR", sr_method="SHMI").round(6)
      group  numerator  denominator     ratio
    0     A        3.0          3.0  0.998668
    1     B        3.0          3.5  0.857143
    """
    if not isinstance(data, pd.DataFrame):
        raise SpecError(f"funnel: data must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in (numerator, denominator, group) if c not in data.columns]
    if missing:
        raise SpecError(
            f"funnel: column(s) {', '.join(map(repr, missing))} not in the data "
            f"(columns: {', '.join(map(str, data.columns))})"
        )
    if numerator == denominator:
        raise SpecError("funnel: numerator and denominator are the same column")
    if len(data) == 0:
        raise SpecError("funnel: the data has no rows")

    frame = pd.DataFrame({"group": data[group].to_numpy()})
    for name, col in (("numerator", numerator), ("denominator", denominator)):
        values = pd.to_numeric(data[col], errors="coerce").astype(float).to_numpy()
        bad_type = pd.isna(values) & data[col].notna().to_numpy()
        if bad_type.any():
            raise SpecError(
                f"funnel: {name} column {col!r} has non-numeric values "
                f"(groups {_groups(frame, pd.Series(bad_type))})"
            )
        frame[name] = values

    if frame["group"].isna().any():
        raise SpecError(
            f"funnel: group column {group!r} has {int(frame['group'].isna().sum())} missing value(s)"
        )
    for name, col in (("numerator", numerator), ("denominator", denominator)):
        bad = ~np.isfinite(frame[name].to_numpy())
        if bad.any():
            raise SpecError(
                f"funnel: {name} column {col!r} has {int(bad.sum())} missing or infinite "
                f"value(s) (groups {_groups(frame, pd.Series(bad))}); remove or impute them first"
            )
    if (frame["numerator"] < 0).any():
        bad = frame["numerator"] < 0
        raise SpecError(f"funnel: negative numerator (groups {_groups(frame, bad)})")
    if (frame["denominator"] < 0).any():
        bad = frame["denominator"] < 0
        raise SpecError(f"funnel: negative denominator (groups {_groups(frame, bad)})")

    agg = (
        frame.groupby("group", sort=True, dropna=False)[["numerator", "denominator"]]
        .sum()
        .reset_index()
    )
    # the ratio is taken before the SHMI rounding, as FunnelPlotR's aggregate_func does
    agg["ratio"] = agg["numerator"] / agg["denominator"]
    if data_type == "SR" and sr_method == "SHMI" and shmi_rounding:
        agg["denominator"] = round_half_even_2(agg["denominator"].to_numpy())

    zero = agg["denominator"] <= 0
    if zero.any():
        what = "rounds to 0 at 2 decimals (SHMI rounding)" if data_type == "SR" else "is 0"
        raise SpecError(
            f"funnel: the denominator of group(s) {_groups(agg, zero)} {what}; "
            "a unit without a denominator cannot be placed on a funnel plot: leave it out"
        )
    if data_type == "PR":
        over = agg["numerator"] > agg["denominator"]
        if over.any():
            raise SpecError(
                f"funnel: numerator exceeds denominator for group(s) {_groups(agg, over)}: "
                "not a proportion"
            )
    if integer_denominator:
        frac = agg["denominator"] != np.round(agg["denominator"])
        if frac.any():
            raise SpecError(
                f"funnel: exact binomial limits need whole-number denominators "
                f"(groups {_groups(agg, frac)})"
            )
    return agg
