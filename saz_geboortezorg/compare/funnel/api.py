"""The :func:`funnel` entry point: aggregate, transform, estimate dispersion, set limits."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.funnel import limits as _limits
from saz_geboortezorg.compare.funnel.aggregate import aggregate
from saz_geboortezorg.compare.funnel.overdispersion import DEFAULT_SEED, dispersion, null_phi
from saz_geboortezorg.compare.funnel.result import FunnelResult, flags
from saz_geboortezorg.compare.funnel.transform import target_value, transform
from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SazError, SpecError

__all__ = ["funnel", "refit_funnel"]

DATA_TYPES = ("SR", "PR", "RC")
SR_METHODS = ("SHMI", "CQC")


def _check_options(
    data_type: str,
    sr_method: str,
    trim_by: float,
    limits: Sequence[float],
    multiplier: float,
    pr_limits: str,
) -> tuple[float, ...]:
    if data_type not in DATA_TYPES:
        raise SpecError(
            f"funnel: data_type must be one of {', '.join(DATA_TYPES)}, not {data_type!r}"
        )
    if sr_method not in SR_METHODS:
        raise SpecError(f"funnel: sr_method must be 'SHMI' or 'CQC', not {sr_method!r}")
    if not (isinstance(trim_by, int | float) and 0 <= trim_by < 0.5):
        raise SpecError(f"funnel: trim_by must be a fraction in [0, 0.5), not {trim_by!r}")
    levels = tuple(float(x) for x in (limits if isinstance(limits, Sequence) else [limits]))
    if not levels or any(not (50 < x < 100) for x in levels):
        raise SpecError(f"funnel: limits must be percentages between 50 and 100, not {limits!r}")
    if len({_limits.level_tag(x) for x in levels}) != len(levels):
        raise SpecError(f"funnel: duplicate limits {limits!r}")
    if not (isinstance(multiplier, int | float) and math.isfinite(multiplier) and multiplier > 0):
        raise SpecError(f"funnel: multiplier must be a positive number, not {multiplier!r}")
    if pr_limits not in ("arcsine", "exact"):
        raise SpecError(f"funnel: pr_limits must be 'arcsine' or 'exact', not {pr_limits!r}")
    return tuple(sorted(levels))


@renamed_arguments(group="unit")
def funnel(
    data: Any,
    numerator: str,
    denominator: str,
    unit: str,
    data_type: str = "SR",
    sr_method: str = "SHMI",
    trim_by: float = 0.1,
    limits: Sequence[float] = (95, 99.8),
    overdispersion: bool = True,
    multiplier: float = 1,
    *,
    shmi_rounding: bool = True,
    pr_limits: str = "arcsine",
    fitted_expected: bool = False,
    phi_correction: bool = False,
    test_draws: int = 999,
    seed: int = DEFAULT_SEED,
) -> FunnelResult:
    """Funnel plot analysis with overdispersion, numerically as FunnelPlotR 0.6.

    Parameters
    ----------
    data : DataFrame or result
        Record- or unit-level data; rows of the same unit are summed. A result (e.g.
        of :func:`saz_geboortezorg.compute`, ``casemix``) stands for its ``.table``.
    numerator, denominator, unit : str
        Columns: observed events, the denominator (expected events for SR, cases for
        PR, the second count for RC) and the unit. ``unit`` was called ``group`` (as in
        FunnelPlotR) before; ``group=`` still works, deprecated. The result table keeps
        FunnelPlotR's column name ``group`` for the unit.
    data_type : {"SR", "PR", "RC"}
        Indirectly standardised ratio (observed/expected), proportion, ratio of counts.
    sr_method : {"SHMI", "CQC"}
        For SR: log transformation with truncation (NHS Digital SHMI) or square-root
        transformation with winsorisation (CQC / Spiegelhalter). PR and RC always
        winsorise.
    trim_by : float
        Fraction truncated or winsorised at each end before phi is estimated.
    limits : sequence of float
        Two-sided limit levels in percent (alert 95, alarm 99.8).
    overdispersion : bool
        Use overdispersion-adjusted limits when phi > 1. phi and tau2 are reported
        either way when they can be estimated.
    multiplier : float
        Scale values and limits (100 for per 100, 1000 for per 1,000).
    shmi_rounding : bool
        SHMI method: round aggregated expected counts to 2 decimals (FunnelPlotR default).
    pr_limits : {"arcsine", "exact"}
        Unadjusted limits for proportions: FunnelPlotR's arcsine normal approximation or
        exact binomial limits with Spiegelhalter's interpolation.
    fitted_expected : bool
        SR only: the expected counts come from a case-mix model fitted to the same data
        (it reproduces the total), so the test of overdispersion has n - 1 degrees of
        freedom, not n, and the null datasets are recalibrated. Leaves phi, tau2 and the
        limits unchanged.
    phi_correction : bool
        Put the bias-corrected phi in force: the trimmed phi rescaled by its mean under
        no overdispersion (see :mod:`.overdispersion`), with its tau2 and limits. Off by
        default (FunnelPlotR's trimmed phi); the corrected value is reported either way
        (``phi_corrected``) when null datasets were simulated.
    test_draws : int
        Null datasets simulated for the p-value of the overdispersion test and the
        corrected phi when ``trim_by > 0`` (parametric bootstrap). 0: no p-value for
        trimmed data. Untrimmed data (``trim_by=0``) get the chi-square p-value.
    seed : int
        Seed of those simulations (the same data give the same p-value).

    Returns
    -------
    FunnelResult

    Raises
    ------
    SpecError
        Bad options, columns or values (missing, negative, zero denominators), or too
        few units to estimate overdispersion.

    Examples
    --------
    >>> import pandas as pd
    >>> import saz_geboortezorg as sg
    >>> d = pd.DataFrame({"hospital": list("ABCDEFGHIJKL"),
    ...                   "cs": [30, 45, 12, 80, 25, 60, 41, 19, 55, 70, 33, 28],
    ...                   "births": [200, 260, 150, 390, 210, 300, 240, 160, 280, 310, 230, 190]})
    >>> r = sg.funnel(d, "cs", "births", "hospital", data_type="PR", multiplier=100)
    >>> round(r.target * 100, 2), r.overdispersed
    (17.05, True)
    >>> r.table.loc[r.table.group == "C", ["value", "flag95", "flag998"]].round(2)
       value flag95 flag998
    2    8.0  lower  within
    """
    if not isinstance(data, pd.DataFrame) and isinstance(
        getattr(data, "table", None), pd.DataFrame
    ):
        data = data.table  # a result: its table
    levels = _check_options(data_type, sr_method, trim_by, limits, multiplier, pr_limits)
    agg = aggregate(
        data,
        numerator,
        denominator,
        unit,
        data_type=data_type,
        sr_method=sr_method,
        shmi_rounding=shmi_rounding,
        integer_denominator=(data_type == "PR" and pr_limits == "exact"),
    )
    o = agg["numerator"].to_numpy(dtype=float)
    d = agg["denominator"].to_numpy(dtype=float)
    target = target_value(o, d, data_type)
    if data_type == "RC" and target <= 0:
        raise SpecError(
            "funnel: every numerator is 0, so the ratio-of-counts target is 0 and has no log"
        )
    tr = transform(o, d, data_type, sr_method)
    method = "truncate" if (data_type == "SR" and sr_method == "SHMI") else "winsorise"

    if fitted_expected and data_type != "SR":
        raise SpecError("funnel: fitted_expected applies to SR (observed/expected) only")
    if not (isinstance(test_draws, int) and test_draws >= 0):
        raise SpecError(f"funnel: test_draws must be a whole number >= 0, not {test_draws!r}")

    notes: list[str] = []
    null, no_null_reason = None, ""
    if trim_by > 0 and test_draws > 0:
        try:
            null = null_phi(
                o,
                d,
                data_type=data_type,
                sr_method=sr_method,
                trim_by=trim_by,
                fitted_expected=fitted_expected,
                draws=test_draws,
                seed=seed,
            )
        except SazError as exc:
            no_null_reason = str(exc)
    elif trim_by > 0:
        no_null_reason = "test_draws=0"
    try:
        disp = dispersion(
            tr.z,
            tr.s,
            method=method,
            trim_by=trim_by,
            target_estimated=data_type != "SR" or fitted_expected,
            null=null,
            phi_correction=phi_correction,
            no_null_reason=no_null_reason,
        )
    except SazError as exc:
        if overdispersion:
            raise
        disp = None
        notes.append(f"phi not estimated: {exc}")
    phi = disp.phi if disp is not None else float("nan")
    tau2 = disp.tau2 if disp is not None else float("nan")
    overdispersed = bool(overdispersion and disp is not None and phi > 1)

    with np.errstate(divide="ignore", invalid="ignore"):
        z_adj = (tr.y - tr.target_transformed) / np.sqrt(tr.s**2 + tau2)
    table = pd.DataFrame(
        {
            "group": agg["group"].to_numpy(),
            "numerator": o,
            "denominator": d,
            "value": multiplier * agg["ratio"].to_numpy(dtype=float),
            "z_unadj": tr.z,
            "z_adj": z_adj,
        }
    )
    table["z"] = table["z_adj"] if overdispersed else table["z_unadj"]
    table["in_phi"] = disp.used if disp is not None else False

    result = FunnelResult(
        table=table,
        phi=phi,
        tau2=tau2,
        target=target,
        test=disp.test if disp is not None else None,
        overdispersed=overdispersed,
        data_type=data_type,
        sr_method=sr_method,
        trim_by=float(trim_by),
        levels=levels,
        multiplier=float(multiplier),
        overdispersion=bool(overdispersion),
        pr_limits=pr_limits,
        n_phi=disp.n if disp is not None else 0,
        notes=notes,
        phi_trimmed=disp.phi_trimmed if disp is not None else float("nan"),
        phi_corrected=disp.phi_corrected if disp is not None else float("nan"),
        tau2_corrected=disp.tau2_corrected if disp is not None else float("nan"),
        phi_correction=bool(disp is not None and disp.corrected),
        fitted_expected=bool(fitted_expected),
    )
    lim = result.limits(d)
    value = table["value"].to_numpy()  # FunnelPlotR compares rr * multiplier with the limits
    for level in levels:
        tag = _limits.level_tag(level)
        for col in (
            f"lcl{tag}",
            f"ucl{tag}",
            f"lcl{tag}_adj",
            f"ucl{tag}_adj",
            f"lcl{tag}_unadj",
            f"ucl{tag}_unadj",
        ):
            table[col] = lim[col].to_numpy()
        table[f"flag{tag}"] = flags(
            value, table[f"lcl{tag}"].to_numpy(), table[f"ucl{tag}"].to_numpy()
        )
    return result


def refit_funnel(result: FunnelResult, keep: Any = None) -> FunnelResult:
    """A funnel refitted on some of its units: phi, tau², the target and the limits from
    them only, with every other option of ``result`` kept.

    After small-number protection a published funnel must not depend on the hidden
    counts (an attacker could invert phi, the target or the limits), so the reports
    and the explorer's saved views refit it on the units they show.

    Parameters
    ----------
    result : FunnelResult
    keep : sequence of bool, optional
        Which rows of ``result.table`` to keep (default: all, i.e. refit as it is).

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units
    >>> d = example_units()
    >>> full = funnel(d, "o", "e", "h")
    >>> shown = funnel(d[d["h"] != "I"], "o", "e", "h")
    >>> part = refit_funnel(full, (full.table["group"] != "I").to_numpy())
    >>> round(part.phi, 10) == round(shown.phi, 10), len(part.table) == len(full.table) - 1
    (True, True)
    """
    t = result.table if keep is None else result.table[np.asarray(keep, dtype=bool)]
    return funnel(
        t[["group", "numerator", "denominator"]],
        "numerator",
        "denominator",
        "group",
        data_type=result.data_type,
        sr_method=result.sr_method,
        trim_by=result.trim_by,
        limits=result.levels,
        overdispersion=result.overdispersion,
        multiplier=result.multiplier,
        shmi_rounding=False,  # the table holds the (already rounded, if at all) inputs
        pr_limits=result.pr_limits,
        fitted_expected=result.fitted_expected,
        phi_correction=result.phi_correction,
    )
