"""A fitted case-mix model and the one way it is applied to data.

:class:`FittedModel` is what :func:`~saz_geboortezorg.casemix` keeps of its
fixed-effects fit (``CaseMixResult.model``): the spec, the family and link, the
coefficients, and per covariate the levels and basis that turn a record into its row
of the design matrix. Everything that applies a fitted model to records goes through
it:

* :meth:`FittedModel.predict`: each record's expected value (risk for a 0/1 outcome,
  amount for a gamma model), used by risk-adjusted monitoring
  (:func:`saz_geboortezorg.monitor.risk_adjusted.expected_risks`);
* :meth:`FittedModel.fitted_values`: the same for the table the model was fitted on,
  read from the fit's covariate patterns (no second preparation, no record-level
  design matrix), used by the benchmark's indirect standardisation
  (:mod:`saz_geboortezorg.compare.standardise`);
* :meth:`FittedModel.expected`: per unit n, observed and expected (and O/E), used by
  :meth:`CaseMixResult.apply <saz_geboortezorg.model.result.CaseMixResult.apply>`.

Per-unit O/E has one engine, :func:`oe_sums`: the case-mix fit (over covariate-pattern
cells, :func:`oe_table`) and the benchmark (over records) both sum through it.

Missing covariate values are handled as in the fit (the spec's ``missing`` policy):
``unknown`` gives them the level they had in the fit; ``complete_case`` leaves records
out of :meth:`~FittedModel.expected` (counted in ``excluded_missing``) and makes
:meth:`~FittedModel.predict` refuse (a per-record prediction needs every record);
a multiply imputed fit has no ``FittedModel``. A covariate level the fitting data did
not have, or a plain (unbanded) continuous covariate, cannot be applied and raises a
:class:`~saz_geboortezorg.errors.SpecError`.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.rate_table import crude_interval, ratio_interval
from saz_geboortezorg.model.collapse import Patterns, collapse
from saz_geboortezorg.model.design import Design, Term
from saz_geboortezorg.model.prepare import Prepared, pick_table, prepare
from saz_geboortezorg.model.spec import CaseMixSpec
from saz_geboortezorg.stats.variance import robust_total_variance

__all__ = ["FittedModel", "Application", "OESums", "oe_sums", "oe_table", "Z95"]

Z95 = 1.959963984540054

#: The link function of each family.
LINKS = {"binomial": "logit", "gamma": "log"}


@dataclass(frozen=True)
class OESums:
    """Per-unit sums of the indirect standardisation (arrays, one entry per unit).

    Attributes
    ----------
    n : ndarray
        Records.
    observed : ndarray
        Events (0/1 outcome) or total amount.
    expected : ndarray
        Sum of the records' expected values under the model.
    variance : ndarray
        Variance of ``observed`` under the model: ``sum p (1 - p)`` (binomial), or the
        robust variance of the unit's total (gamma, :mod:`saz_geboortezorg.stats.variance`).
    oe, oe_lcl95, oe_ucl95 : ndarray
        Observed / expected with its 95% interval (binomial:
        :func:`~saz_geboortezorg.stats.intervals.oe_interval`; gamma: normal).
    """

    n: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    oe: np.ndarray
    oe_lcl95: np.ndarray
    oe_ucl95: np.ndarray


def oe_sums(
    unit: np.ndarray,
    n_units: int,
    observed: np.ndarray,
    mean: np.ndarray,
    family: str,
    scale: float,
    *,
    weights: np.ndarray | None = None,
    sumsq: np.ndarray | None = None,
    z: float = Z95,
    totals: tuple[np.ndarray, np.ndarray] | None = None,
) -> OESums:
    """Observed, expected and O/E per unit: the one engine of indirect standardisation.

    Rows are records (``weights`` omitted) or groups of records sharing one expected
    value, such as covariate-pattern cells (``weights``: records per row, ``observed``:
    their sum, ``sumsq``: their sum of squares, needed for a gamma model).

    Parameters
    ----------
    unit : ndarray of int
        Unit code of each row, ``0 .. n_units - 1``.
    n_units : int
    observed : ndarray
        Outcome per row (sum over the row's records).
    mean : ndarray
        Expected value per record of the row (risk or amount).
    family : {"binomial", "gamma"}
    scale : float
        Dispersion of a gamma model (the model variance is ``scale * mu^2``).
    weights, sumsq : ndarray, optional
    z : float
        Normal quantile of the gamma interval.
    totals : (ndarray, ndarray), optional
        Rows are records (no ``weights``) and the caller has already counted them:
        records and observed sum per unit, ``np.bincount(unit)`` and
        ``np.bincount(unit, weights=observed)`` (not counted again).

    Returns
    -------
    OESums

    Examples
    --------
    >>> s = oe_sums(np.array([0, 0, 1]), 2, np.array([1.0, 0.0, 1.0]),
    ...             np.array([0.5, 0.5, 0.25]), "binomial", 1.0)
    >>> s.n.tolist(), s.expected.tolist(), s.oe.tolist(), s.variance.tolist()
    ([2.0, 1.0], [1.0, 0.25], [1.0, 4.0], [0.5, 0.1875])
    """
    J = n_units
    if weights is None:
        # records: a weight of one each (the sums equal those with ``w = 1.0``)
        if totals is None:
            n = np.bincount(unit, minlength=J).astype(float)
            obs = np.bincount(unit, weights=observed, minlength=J)
        else:
            n, obs = totals
        exp = np.bincount(unit, weights=mean, minlength=J)
    else:
        w = weights
        obs = np.bincount(unit, weights=observed, minlength=J)
        exp = np.bincount(unit, weights=mean * w, minlength=J)
        n = np.bincount(unit, weights=w, minlength=J)
    with np.errstate(divide="ignore", invalid="ignore"):
        oe = obs / exp
        if family == "binomial":
            # binomial variance of O under the model, sum p (1 - p), not E (Poisson)
            p_q = mean * (1 - mean)
            var = np.bincount(unit, weights=p_q if weights is None else p_q * w, minlength=J)
        else:
            # Gamma: the robust variance of the unit's total (residuals, not one
            # dispersion for all units: stats.variance), normal approximation.
            squares = mean**2 if weights is None else mean**2 * w
            model_var = scale * np.bincount(unit, weights=squares, minlength=J)
            var = robust_total_variance(
                observed,
                mean,
                unit,
                J,
                model=model_var,
                sq=sumsq,
                counts=None if sumsq is None else w,
            )
        # the interval of O/E, as every rate table computes it (indicators.rate_table)
        lo, hi = ratio_interval(obs, exp, var, family, z=z)
    return OESums(n=n, observed=obs, expected=exp, variance=var, oe=oe, oe_lcl95=lo, oe_ucl95=hi)


def oe_table(
    design: Design,
    pats: Patterns,
    mean: np.ndarray,
    family: str,
    scale: float,
    level_z=Z95,
    *,
    with_variance: bool = False,
) -> tuple[Any, ...]:
    """The per-unit table of a case-mix fit (``CaseMixResult.table``) and the overall
    rate, from the expected value of each covariate pattern (:func:`oe_sums` over the
    pattern-by-unit cells). With ``with_variance`` also the variance of ``observed``
    per unit row (what the O/E interval used; ``CaseMixResult.variance``)."""
    J = len(design.unit_labels)
    mu_cell = mean[pats.cell_pattern]
    s = oe_sums(
        pats.cell_unit,
        J,
        pats.cell_events,
        mu_cell,
        family,
        scale,
        weights=pats.cell_trials,
        sumsq=pats.cell_sumsq,
        z=level_z,
    )
    obs, exp, n, oe, oe_lo, oe_hi = s.observed, s.expected, s.n, s.oe, s.oe_lcl95, s.oe_ucl95
    overall = obs.sum() / n.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        crude = obs / n
    # the crude interval as every rate table computes it (indicators.rate_table)
    ss = (
        None
        if family == "binomial"
        else np.bincount(pats.cell_unit, weights=pats.cell_sumsq, minlength=J)
    )
    c_lo, c_hi, _ = crude_interval(obs, n, family, sumsq=ss, z=level_z)
    table = pd.DataFrame(
        {
            "unit": design.unit_labels,
            "n": n.astype(int),
            "observed": obs,
            "expected": exp,
            "oe": oe,
            "oe_lcl95": oe_lo,
            "oe_ucl95": oe_hi,
            "crude_rate": crude,
            "crude_lcl95": c_lo,
            "crude_ucl95": c_hi,
            "standardised_rate": oe * overall,
            "std_lcl95": oe_lo * overall,
            "std_ucl95": oe_hi * overall,
        }
    )
    counts = design.counts
    table.insert(1, "records", counts.loc[design.unit_labels, "records"].to_numpy(int))
    table.insert(
        2, "excluded_missing", counts.loc[design.unit_labels, "excluded_missing"].to_numpy(int)
    )
    if with_variance:
        return table, float(overall), s.variance
    return table, float(overall)


@dataclass(frozen=True)
class _FittedRecords:
    """What :meth:`FittedModel.fitted_values` reads: the fitted table's index, its
    analysed records (``mask``), each one's covariate pattern and the patterns'
    design matrix ``X``."""

    index: pd.Index
    mask: np.ndarray
    pattern: np.ndarray
    X: np.ndarray


@dataclass
class Application:
    """A fitted model applied to data: the prepared records, their design in the
    model's coding, the covariate patterns and each pattern's linear predictor and
    expected value (see :meth:`FittedModel.apply_to`)."""

    prepared: Prepared
    design: Design
    patterns: Patterns
    linear_predictor: np.ndarray
    mean: np.ndarray


@dataclass
class FittedModel:
    """A fitted fixed-effects case-mix model (logistic, or gamma with log link).

    Attributes
    ----------
    spec : CaseMixSpec
        What the model adjusts for (outcome, population, covariates, missing policy).
    family : {"binomial", "gamma"}
    terms : list of Term
        The design information: per covariate its levels, basis (one row per level)
        and model columns; a record's design row is read from its levels.
    interactions : list of (str, str)
    names : list of str
        Coefficient names, starting with ``(Intercept)``.
    params, se : ndarray
        Coefficients (log odds, or log ratio of means) and their standard errors.
    scale : float
        Dispersion (1 for the logistic model).
    n : int
        Records the model was fitted to.
    unit : str
        The unit type of the fit (default of :meth:`expected`).
    attribution : str
        Who a record was counted against in the fit (``booking`` or ``birth``).
    warnings : list of str
        Problems accepted in the fit with ``strict=False``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.model import casemix
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"hospital_id": rng.choice(["A", "B"], 4000),
    ...                    "prev_cs": rng.integers(0, 2, 4000)})
    >>> df["y"] = rng.binomial(1, np.where(df.prev_cs == 1, 0.3, 0.1))
    >>> model = casemix(df, {"name": "d", "outcome": "y", "random_effects": False,
    ...                      "covariates": {"prev_cs": "binary"}}).model
    >>> model.family, model.link, model.n, model.names
    ('binomial', 'logit', 4000, ['(Intercept)', 'prev_cs'])
    >>> p = model.predict(df)                  # each record's expected risk
    >>> bool(np.allclose(p, df.groupby("prev_cs").y.transform("mean")))  # saturated model
    True
    >>> t = model.expected(df, "hospital")     # per unit n, observed, expected, O/E
    >>> t[["unit", "n"]].values.tolist()
    [['A', 1994], ['B', 2006]]
    >>> bool(np.allclose(t.expected, p.groupby(df.hospital_id).sum()))
    True
    """

    spec: CaseMixSpec
    family: str
    terms: list[Term]
    interactions: list[tuple[str, str]]
    names: list[str]
    params: np.ndarray
    se: np.ndarray
    scale: float
    n: int
    unit: str | None = None
    attribution: str | None = None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_fit(
        cls,
        spec,
        prep: Prepared,
        design: Design,
        fit: Any,
        problems=(),
        patterns: Patterns | None = None,
    ):
        """Keep what applying the fit to data needs (the terms without their records).

        With the fit's ``patterns`` the model also keeps, for the table it was fitted
        on, each analysed record's covariate pattern (a small integer per record, not
        its design row): :meth:`fitted_values` reads the records' expected values
        from it without preparing the table again.
        """
        empty = np.zeros(0, dtype=np.int64)
        model = cls(
            spec=spec,
            family=prep.family,
            terms=[dataclasses.replace(t, codes=empty) for t in design.terms],
            interactions=list(design.interactions),
            names=list(fit.names),
            params=np.asarray(fit.params, dtype=float),
            se=np.asarray(fit.se, dtype=float),
            scale=float(fit.scale),
            n=int(design.n),
            unit=prep.unit_type,
            attribution=prep.attribution,
            warnings=list(problems),
        )
        mask, index = prep.mask, getattr(prep, "index", None)
        if patterns is not None and mask is not None and index is not None:
            if design.n == int(mask.sum()):
                pattern = patterns.record_pattern
                top = int(pattern.max()) if pattern.size else 0
                model._fitted = _FittedRecords(
                    index=index,
                    mask=mask,
                    pattern=pattern.astype(np.min_scalar_type(top)),
                    X=patterns.X,
                )
            else:
                model._fitted = (
                    "records were left out for missing covariates (missing: complete_case)"
                )
        return model

    @property
    def link(self) -> str:
        """``logit`` (binomial) or ``log`` (gamma)."""
        return LINKS[self.family]

    @property
    def coefficients(self) -> pd.Series:
        """The coefficients by name."""
        return pd.Series(self.params, index=self.names, name="estimate")

    def inverse_link(self, lp: np.ndarray) -> np.ndarray:
        """Expected value from the linear predictor: ``expit`` or ``exp``."""
        if self.family == "gamma":
            return np.exp(lp)
        return 1 / (1 + np.exp(-lp))

    def recode(self, design: Design) -> Design:
        """A design built on other data, in this model's levels and basis.

        Raises
        ------
        SpecError
            A plain continuous covariate (only categorical, binary and banded ones can
            be applied), a level the fitting data did not have, or a missing value
            without a level (``missing: impute``).
        """
        terms = []
        for new, old in zip(design.terms, self.terms, strict=True):
            cov = old.covariate
            if cov.type == "continuous" and not cov.bands:
                raise SpecError(
                    f"covariate {cov.name!r}: applying a model to other data supports "
                    "categorical, binary and banded covariates"
                )
            lookup = {lv: i for i, lv in enumerate(old.levels)}
            unseen = [lv for lv in new.levels if lv not in lookup]
            if unseen:
                raise SpecError(
                    f"covariate {cov.name!r}: level(s) {', '.join(map(repr, unseen))} did not "
                    "occur in the data the model was fitted to"
                )
            if (new.codes < 0).any():
                raise SpecError(
                    f"covariate {cov.name!r} has missing values without a level "
                    "(missing: impute); a fitted model is applied with missing: unknown"
                )
            remap = np.array([lookup[lv] for lv in new.levels], dtype=np.int64)
            terms.append(dataclasses.replace(old, codes=remap[new.codes]))
        out = copy.copy(design)
        out.terms = terms
        return out

    def apply_to(self, data: Any, unit: str | None = None) -> Application:
        """Prepare ``data`` as the fit did and compute every covariate pattern's
        expected value (the step behind :meth:`expected` and ``CaseMixResult.apply``)."""
        prep = prepare(
            data,
            self.spec,
            unit or self.unit,
            allow_empty_units=True,
            attribution=self.attribution,
        )
        design = self.recode(prep.design)
        pats = collapse(design)
        lp = pats.X @ self.params
        return Application(prep, design, pats, lp, self.inverse_link(lp))

    def predict(self, data: Any) -> pd.Series:
        """Each record's expected value under the model: its risk of the event
        (logistic) or its expected amount (gamma).

        Parameters
        ----------
        data : Dataset or DataFrame
            Records to predict for (the outcome's table of a Dataset); may be other
            data than the model was fitted to.

        Returns
        -------
        Series
            Named ``expected``, with the index of the table; NaN for records outside
            the outcome's denominator or the spec's population.

        Raises
        ------
        SpecError
            Records left out for a missing covariate (``missing: complete_case``): a
            per-record prediction needs ``missing: unknown``; see also :meth:`recode`.
        """
        table = pick_table(data, self.spec)
        prep = prepare(table, self.spec, "all", allow_empty_units=True)
        if prep.design.n != prep.mask.sum():
            raise SpecError(
                "records were left out for missing covariates (missing: complete_case); "
                "per-record expected values need missing: unknown"
            )
        design = self.recode(prep.design)
        lp = design.matrix(design.code_matrix()) @ self.params
        out = np.full(len(table), np.nan)
        out[prep.mask] = self.inverse_link(lp)
        return pd.Series(out, index=table.index, name="expected")

    def fitted_values(self) -> pd.Series:
        """Each record's expected value for the data the model was fitted to: what
        :meth:`predict` gives for that table, read from the fit's covariate patterns.

        The fit keeps each analysed record's covariate pattern; the expected value is
        computed once per pattern (a few hundred rows) and taken for every record,
        instead of preparing the table again and building its record-level design
        matrix (what the benchmark's indirect standardisation needs, once per
        indicator). For other data use :meth:`predict`.

        Returns
        -------
        Series
            Named ``expected``, with the index of the fitted table; NaN for records
            outside the outcome's denominator or the spec's population.

        Raises
        ------
        SpecError
            The model was not fitted to data here (a model rebuilt or copied with
            ``dataclasses.replace``) or records were left out for a missing covariate
            (``missing: complete_case``).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from saz_geboortezorg.model import casemix
        >>> df = pd.DataFrame({"prev_cs": [0, 0, 1, 1, 1, None, None, 0],
        ...                    "y": [0, 1, 1, 1, 0, 1, 0, None]})
        >>> model = casemix(df, {"name": "d", "outcome": "y", "unit": "all",
        ...                      "random_effects": False,
        ...                      "covariates": {"prev_cs": "binary"}}).model
        >>> model.fitted_values().round(3).tolist()     # saturated: each pattern's rate
        [0.5, 0.5, 0.667, 0.667, 0.667, 0.5, 0.5, nan]
        >>> bool(np.allclose(model.fitted_values(), model.predict(df), equal_nan=True))
        True
        """
        kept = getattr(self, "_fitted", None)
        if not isinstance(kept, _FittedRecords):
            why = kept if isinstance(kept, str) else "this model keeps no records of a fit"
            raise SpecError(
                f"no fitted values: {why}; per-record expected values need a model fitted "
                "with missing: unknown (or use predict(data))"
            )
        mean = self.inverse_link(kept.X @ self.params)
        out = np.full(len(kept.index), np.nan)
        out[kept.mask] = mean[kept.pattern]
        return pd.Series(out, index=kept.index, name="expected")

    def expected(self, data: Any, unit: str | None = None) -> pd.DataFrame:
        """Per unit: records, n, observed, expected and O/E (with 95% intervals, crude
        and standardised rates) of ``data`` under the model.

        Parameters
        ----------
        data : Dataset or DataFrame
        unit : str, optional
            ``hospital``, ``region``, ``practice``, a column or ``all`` (default: the
            unit type of the fit).

        Returns
        -------
        DataFrame
            The columns of ``CaseMixResult.table``: ``unit``, ``records``,
            ``excluded_missing``, ``n``, ``observed``, ``expected``, ``oe``,
            ``oe_lcl95``, ``oe_ucl95``, ``crude_rate`` (with interval) and
            ``standardised_rate`` (O/E times the data's overall rate, with interval).
        """
        app = self.apply_to(data, unit)
        table, _ = oe_table(app.design, app.patterns, app.mean, self.family, self.scale)
        return table

    def __getitem__(self, key: str) -> Any:
        """Deprecated: the dict this class replaces (``model["params"]``)."""
        old = {"terms": "terms", "params": "params", "scale": "scale"}
        if key not in old:
            raise KeyError(key)
        warnings.warn(
            f"model[{key!r}] is deprecated; use the attribute model.{old[key]}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, old[key])

    def __repr__(self) -> str:
        return (
            f"<FittedModel {self.spec.name!r}: {self.family} ({self.link} link), "
            f"{len(self.params)} coefficients, fitted to {self.n} records>"
        )
