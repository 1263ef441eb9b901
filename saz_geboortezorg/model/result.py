"""The result of a case-mix fit: per-unit table, coefficients, random effects, diagnostics."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model.diagnostics import c_statistic, calibration, calibration_deciles
from saz_geboortezorg.model.fitted import FittedModel, oe_table
from saz_geboortezorg.model.spec import CaseMixSpec
from saz_geboortezorg.result import Result

__all__ = ["CaseMixResult", "RandomEffects"]


@dataclass
class RandomEffects:
    """Random-intercept model results.

    Attributes
    ----------
    tau2 : float
        Between-unit variance of the log odds after case-mix adjustment (maximum
        likelihood, as lme4).
    rankability : float
        ``tau2 / (tau2 + median within-unit variance)``.
    table : DataFrame
        Per unit: ``unit``, ``effect`` (conditional mode, log odds), ``se`` (conditional
        SD), ``odds_ratio`` (``exp(effect)``), ``or_lcl95``, ``or_ucl95`` (95% interval
        integrated over the uncertainty in tau and the fixed effects; see
        :class:`~saz_geboortezorg.model.mixed.TauIntegration`), ``or_lcl95_conditional``,
        ``or_ucl95_conditional`` (the plug-in interval ``effect +- 1.96 se``, which
        collapses when tau^2 is estimated at 0), ``effect_posterior_mean``,
        ``se_posterior`` (mean and SD of the integrated posterior), and the empirical
        Bayes ``expected_rank``, ``p_lowest_quartile``, ``p_highest_quartile``,
        ``p_best_quartile``, ``p_worst_quartile``.
    coefficients : DataFrame
        Fixed effects of the random-intercept model (``term``, ``estimate``, ``se``).
    tau2_lcl95, tau2_ucl95 : float
        Profile-likelihood 95% interval of tau^2 (NaN when pooled over imputations).
    tau2_p_zero : float
        p-value of the likelihood-ratio test of tau^2 = 0 (boundary mixture).
    tau2_posterior_median : float
        Median of the posterior of tau^2 used for the integrated intervals.
    median_odds_ratio, mor_lcl95, mor_ucl95 : float
        Median odds ratio ``exp(sqrt(2 tau2) * 0.6745)`` and its interval (from the
        tau^2 interval).
    interval_method : str
        How ``or_lcl95``/``or_ucl95`` were computed, with the prior on tau.
    ranks_reliable : bool
        Rankability at least 0.7. Otherwise the empirical Bayes ranks and quartile
        probabilities are mostly noise and are flagged (:meth:`rank_notes`).
    """

    tau2: float
    rankability: float
    table: pd.DataFrame
    coefficients: pd.DataFrame
    loglik: float = float("nan")
    tau2_lcl95: float = float("nan")
    tau2_ucl95: float = float("nan")
    tau2_p_zero: float = float("nan")
    tau2_posterior_median: float = float("nan")
    median_odds_ratio: float = float("nan")
    mor_lcl95: float = float("nan")
    mor_ucl95: float = float("nan")
    interval_method: str = "conditional (plug-in tau^2 and fixed effects)"
    ranks_reliable: bool = True

    #: How ranks and quartile probabilities are computed.
    rank_method = "empirical Bayes (conditional on the estimated tau^2 and fixed effects)"

    def rank_notes(self) -> list[str]:
        """The warning to give with the ranks when the rankability is below 0.7.

        Examples
        --------
        >>> re = RandomEffects(0.01, 0.4, pd.DataFrame(), pd.DataFrame(), ranks_reliable=False)
        >>> re.rank_notes()[0][:44]
        'rankability 0.40 is below 0.7: the empirical'
        """
        if self.ranks_reliable:
            return []
        return [
            f"rankability {self.rankability:.2f} is below 0.7: the empirical Bayes ranks and "
            "quartile probabilities (expected_rank, p_best_quartile, p_worst_quartile) are "
            "mostly noise and should not be published as a ranking"
        ]


@dataclass(repr=False)
class CaseMixResult(Result):
    """Everything a case-mix fit produces (follows the result protocol,
    :mod:`saz_geboortezorg.result`: ``table``, ``summary()``, ``chart()``, ``to_dict()``;
    it prints as its per-unit table).

    Attributes
    ----------
    spec : CaseMixSpec
    indicator : str
        The outcome (indicator id or column).
    unit_type : str
        ``hospital``, ``region``, ``practice`` or a column name.
    attribution : str
        Who a record is counted against: ``booking`` (where care started) or ``birth``
        (the unit responsible at birth).
    family : str
        ``binomial`` or ``gamma``.
    n : int
        Records analysed.
    table : DataFrame
        Per unit: ``unit``, ``records``, ``excluded_missing``, ``n``, ``observed``,
        ``expected``, ``oe``, ``oe_lcl95``, ``oe_ucl95``, ``crude_rate`` (with
        ``crude_lcl95``, ``crude_ucl95``), ``standardised_rate`` (O/E times the overall
        rate, with ``std_lcl95``, ``std_ucl95``). Rates are proportions (binomial) or
        means (gamma).
    coefficients : DataFrame
        ``term``, ``estimate``, ``se``, ``z``, ``p``, ``ratio`` (odds ratio, or ratio of
        means for gamma), ``ratio_lcl95``, ``ratio_ucl95``.
    random_effects : RandomEffects or None
    diagnostics : dict
        ``c_statistic`` (dict with ``c``, ``se``, ``lcl``, ``ucl``), ``calibration``
        (intercept and slope), ``deciles`` (CalibrationDeciles), ``dispersion`` (gamma).
    problems : list of str
        Problems accepted with ``strict=False`` (each also given as a warning).
    notes : list of str
        Facts worth knowing (records left out, imputations used, ...).
    model : FittedModel or None
        The fitted fixed-effects model (spec, coefficients, family and link, the design
        information), which :meth:`apply` and the per-record predictions
        (:meth:`FittedModel.predict <saz_geboortezorg.model.fitted.FittedModel.predict>`)
        use; None after multiple imputation and on the result of :meth:`apply`.
    variance : ndarray or None
        Per row of :attr:`table`, the variance of ``observed`` under the model that the
        O/E interval used (binomial ``sum p (1 - p)``; the robust variance of a total
        amount; after multiple imputation of a binary outcome the expected count, the
        Poisson variance of the pooled interval). None after multiple imputation of
        amounts. :meth:`rate_table` reads it.
    """

    spec: CaseMixSpec
    indicator: str
    unit_type: str
    family: str
    n: int
    overall_rate: float
    table: pd.DataFrame
    coefficients: pd.DataFrame
    random_effects: RandomEffects | None
    diagnostics: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    model: FittedModel | None = field(default=None, repr=False)
    attribution: str = "birth"
    variance: np.ndarray | None = field(default=None, repr=False)

    def rate_table(self, measure: str | None = None) -> Any:
        """The :class:`~saz_geboortezorg.indicators.rate_table.RateTable` of the same
        units: ``n``, ``observed``, ``expected``, ``ratio`` (= ``oe``) and ``value`` (the
        standardised rate) with its interval (``oe_lcl95``, ``oe_ucl95`` times the
        overall rate), on the indicator's own scale (percent, per 1,000, euro), built by
        the one constructor :meth:`RateTable.from_counts
        <saz_geboortezorg.indicators.rate_table.RateTable.from_counts>`. Units without
        records in the analysis (all left out for a missing covariate) have no row.

        Parameters
        ----------
        measure : {"percent", "per_1000", "euro"}, optional
            The scale; default the catalogue indicator's own, else ``percent`` for a
            0/1 outcome column and ``euro`` for an amount.

        Raises
        ------
        SpecError
            After multiple imputation of an amount (the pooled interval is the mean of
            the imputations' intervals, which no single variance reproduces).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from saz_geboortezorg.model import casemix
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"hospital_id": rng.choice(list("AB"), 2000),
        ...                    "parity_group": rng.choice(["0", "1"], 2000)})
        >>> df["y"] = rng.binomial(1, np.where(df.parity_group == "0", 0.3, 0.1))
        >>> spec = {"name": "d", "outcome": "y", "random_effects": False,
        ...         "covariates": {"parity_group": {"type": "categorical", "reference": "0"}}}
        >>> res = casemix(df, spec)
        >>> rt = res.rate_table()
        >>> rt.measure, rt.adjusted, bool(np.allclose(rt.table.value,
        ...                                           100 * res.table.standardised_rate))
        ('percent', True, True)
        """
        from saz_geboortezorg.indicators import get
        from saz_geboortezorg.indicators.rate_table import RateTable

        if self.variance is None:
            raise SpecError(
                "this case-mix result has no variance per unit (multiple imputation of an "
                "amount pools the imputations' intervals): it has no rate table"
            )
        if measure is None:
            try:
                measure = get(self.indicator).unit
            except SpecError:
                measure = "percent" if self.family == "binomial" else "euro"
        t = self.table
        return RateTable.from_counts(
            t["unit"].tolist(),
            t["n"].to_numpy(),
            t["observed"].to_numpy(),
            expected=t["expected"].to_numpy(),
            variance=self.variance,
            indicator=self.indicator,
            measure=measure,
            family=self.family,
            overall=self.overall_rate,
            unit_type=self.unit_type,
            attribution=self.attribution,
            method=f"case-mix model {self.spec.name!r} (indirect standardisation)",
        )

    def apply(self, data: Any, unit: str | None = None) -> CaseMixResult:
        """Expected counts, O/E and calibration of this model on other data.

        The fixed-effects model keeps its coefficients; the new records get expected
        counts from it (:meth:`FittedModel.expected
        <saz_geboortezorg.model.fitted.FittedModel.expected>`), so O/E compares the new
        data with the fitting data's standard. The calibration intercept and slope and
        the c-statistic on the new data say how well the model transfers (on the
        fitting data they are 0, 1 and the apparent c by construction).

        Parameters
        ----------
        data : Dataset or DataFrame
        unit : str, optional
            Default: the unit type of this fit.

        Returns
        -------
        CaseMixResult
            Same coefficients; ``table`` and ``diagnostics`` for the new data; no random
            effects.

        Raises
        ------
        SpecError
            After multiple imputation (no single fitted model), or when the model cannot
            be applied to the data (:meth:`FittedModel.recode
            <saz_geboortezorg.model.fitted.FittedModel.recode>`).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from saz_geboortezorg.model import casemix
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"hospital_id": rng.choice(list("AB"), 2000),
        ...                    "parity_group": rng.choice(["0", "1"], 2000)})
        >>> df["y"] = rng.binomial(1, np.where(df.parity_group == "0", 0.3, 0.1))
        >>> spec = {"name": "d", "outcome": "y", "random_effects": False,
        ...         "covariates": {"parity_group": {"type": "categorical", "reference": "0"}}}
        >>> res = casemix(df.iloc[:1000], spec)
        >>> later = res.apply(df.iloc[1000:])
        >>> int(later.n), bool(abs(later.table.expected.sum() - later.table.observed.sum()) < 40)
        (1000, True)
        """
        if self.model is None:
            raise SpecError("this result cannot be applied to other data (multiple imputation)")
        app = self.model.apply_to(data, unit or self.unit_type)
        prep, pats, lp, mean = app.prepared, app.patterns, app.linear_predictor, app.mean
        table, overall, variance = oe_table(
            app.design, pats, mean, prep.family, self.model.scale, with_variance=True
        )
        diagnostics: dict[str, Any] = {}
        if prep.family == "binomial":
            diagnostics["c_statistic"] = c_statistic(mean, pats.events, pats.trials)
            diagnostics["calibration"] = calibration(lp, pats.events, pats.trials)
            diagnostics["deciles"] = calibration_deciles(mean, pats.events, pats.trials)
        return CaseMixResult(
            spec=self.spec,
            **prep.result_fields(),
            n=app.design.n,
            overall_rate=overall,
            table=table,
            coefficients=self.coefficients,
            random_effects=None,
            diagnostics=diagnostics,
            notes=list(prep.notes) + ["expected counts from a model fitted to other data"],
            model=None,
            variance=variance,
        )

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form (field names are a contract; see case_mix/README.md).

        ``result`` (``"CaseMixResult"``) names the kind of result, as for every result;
        the other fields are only ever extended.
        """

        def num(x):
            if x is None:
                return None
            x = float(x)
            return None if math.isnan(x) or math.isinf(x) else x

        c = self.diagnostics.get("c_statistic") or {}
        out: dict[str, Any] = {
            "result": type(self).__name__,
            "indicator": self.indicator,
            "spec": self.spec.name,
            "unit_type": self.unit_type,
            "attribution": self.attribution,
            "family": self.family,
            "n": int(self.n),
            "overall_rate": num(self.overall_rate),
            "coefficients": [
                {"term": r.term, "estimate": num(r.estimate), "se": num(r.se)}
                for r in self.coefficients.itertuples()
            ],
            "c_statistic": num(c.get("c")),
            "c_statistic_lcl95": num(c.get("lcl")),
            "c_statistic_ucl95": num(c.get("ucl")),
            "units": [
                {
                    "unit": str(r.unit),
                    "n": int(r.n),
                    "observed": num(r.observed),
                    "expected": num(r.expected),
                    "oe": num(r.oe),
                    "oe_lcl95": num(r.oe_lcl95),
                    "oe_ucl95": num(r.oe_ucl95),
                    "standardised_rate": num(r.standardised_rate),
                    "crude_rate": num(r.crude_rate),
                    "excluded_missing": int(r.excluded_missing),
                }
                for r in self.table.itertuples()
            ],
            "random_effects": None,
            "problems": list(self.problems),
            "notes": list(self.notes),
        }
        if self.random_effects is not None:
            re = self.random_effects
            t = re.table

            def col(r, name):
                return num(getattr(r, name)) if name in t.columns else None

            out["random_effects"] = {
                "tau2": num(re.tau2),
                "tau2_lcl95": num(re.tau2_lcl95),
                "tau2_ucl95": num(re.tau2_ucl95),
                "tau2_interval": "profile likelihood (boundary-aware)",
                "tau2_p_zero": num(re.tau2_p_zero),
                "tau2_posterior_median": num(re.tau2_posterior_median),
                "median_odds_ratio": num(re.median_odds_ratio),
                "mor_lcl95": num(re.mor_lcl95),
                "mor_ucl95": num(re.mor_ucl95),
                "interval_method": re.interval_method,
                "rankability": num(re.rankability),
                "rank_method": re.rank_method,
                "ranks_reliable": bool(re.ranks_reliable),
                "units": [
                    {
                        "unit": str(r.unit),
                        "effect": num(r.effect),
                        "se": num(r.se),
                        "odds_ratio": num(r.odds_ratio),
                        "or_lcl95": num(r.or_lcl95),
                        "or_ucl95": num(r.or_ucl95),
                        "or_lcl95_conditional": col(r, "or_lcl95_conditional"),
                        "or_ucl95_conditional": col(r, "or_ucl95_conditional"),
                        "effect_posterior_mean": col(r, "effect_posterior_mean"),
                        "se_posterior": col(r, "se_posterior"),
                        "expected_rank": num(r.expected_rank),
                        "p_best_quartile": num(r.p_best_quartile),
                        "p_worst_quartile": num(r.p_worst_quartile),
                    }
                    for r in t.itertuples()
                ],
            }
        return out

    def summary(self) -> str:
        """A plain-text summary for a notebook or the terminal."""
        from saz_geboortezorg.indicators.compute import ATTRIBUTION_TEXT

        lines = [
            f"Case-mix model {self.spec.name!r}: outcome {self.indicator!r}, "
            f"{self.family} model, {self.n:,} records, {len(self.table)} units ({self.unit_type}, "
            f"{ATTRIBUTION_TEXT.get(self.attribution, self.attribution)})",
            f"Overall {'rate' if self.family == 'binomial' else 'mean'}: {self.overall_rate:.4g}",
        ]
        c = self.diagnostics.get("c_statistic")
        if c and not math.isnan(c.get("c", float("nan"))):
            lines.append(f"c-statistic {c['c']:.3f} (95% CI {c['lcl']:.3f} to {c['ucl']:.3f})")
        if self.random_effects is not None:
            re = self.random_effects
            interval = (
                f" (95% CI {re.tau2_lcl95:.3g} to {re.tau2_ucl95:.3g}, profile likelihood)"
                if np.isfinite(re.tau2_lcl95)
                else ""
            )
            mor = (
                f"; median odds ratio {re.median_odds_ratio:.2f}"
                + (
                    f" ({re.mor_lcl95:.2f} to {re.mor_ucl95:.2f})"
                    if np.isfinite(re.mor_lcl95)
                    else ""
                )
                if np.isfinite(re.median_odds_ratio)
                else ""
            )
            lines.append(f"Between-unit variance tau^2 = {re.tau2:.4g}{interval}{mor}")
            lines.append(
                f"Rankability {re.rankability:.2f}"
                + ("" if re.ranks_reliable else " (below 0.7: empirical Bayes ranks unreliable)")
            )
            lines.append(f"Shrunken odds-ratio intervals: {re.interval_method}")
        lines.append("")
        lines.append("Coefficients:")
        lines.append(
            self.coefficients[["term", "estimate", "se", "ratio"]].round(4).to_string(index=False)
        )
        lines.append("")
        lines.append("Per unit:")
        cols = [
            "unit",
            "n",
            "observed",
            "expected",
            "oe",
            "oe_lcl95",
            "oe_ucl95",
            "standardised_rate",
        ]
        lines.append(self.table[cols].round(3).to_string(index=False))
        for note in self.notes:
            lines.append(f"Note: {note}")
        for problem in self.problems:
            lines.append(f"PROBLEM: {problem}")
        return "\n".join(lines)

    def chart(
        self, kind: str = "oe", highlight: str | list[str] | None = None, **options: Any
    ) -> Any:
        """The result drawn as an altair chart.

        Parameters
        ----------
        kind : {"oe", "shrunken", "calibration"}
            ``oe`` (default): caterpillar of the units' observed/expected ratios with
            their 95% intervals (``oe``, ``oe_lcl95``, ``oe_ucl95`` of :attr:`table`),
            for any fit; ``shrunken``: the shrunken odds ratios of the random-intercept
            model (:meth:`caterpillar`); ``calibration``: observed against expected rate
            per risk decile (:meth:`calibration_chart`, binomial models).
        highlight : str or list of str, optional
            Unit(s) drawn in the highlight colour ('my region'; not for ``calibration``).
        **options
            Passed to :func:`saz_geboortezorg.present.caterpillar.caterpillar_chart`
            (e.g. ``title``, ``language``, ``horizontal``).

        Raises
        ------
        ValueError
            An unknown ``kind``; ``shrunken`` without random effects; ``calibration``
            without risk deciles (gamma models).
        """
        if kind == "shrunken":
            return self.caterpillar(highlight=highlight, **options)
        if kind == "calibration":
            if "deciles" not in self.diagnostics:
                raise ValueError(f"no calibration deciles for a {self.family} model")
            if highlight is not None or options:
                raise ValueError("the calibration chart takes no highlight or options")
            return self.calibration_chart()
        if kind != "oe":
            raise ValueError(f"kind must be 'oe', 'shrunken' or 'calibration', not {kind!r}")
        from saz_geboortezorg.present.caterpillar import caterpillar_chart

        defaults = {
            "estimate": "oe",
            "lower": "oe_lcl95",
            "upper": "oe_ucl95",
            "title": f"{self.spec.name}: observed/expected per {self.unit_type}",
            "x_title": "observed / expected (case-mix adjusted)",
        }
        return caterpillar_chart(self.table, highlight=highlight, **{**defaults, **options})

    def calibration_chart(self):
        """Observed against expected rate per risk decile (altair chart)."""
        from saz_geboortezorg.present.calibration_chart import calibration_chart

        return calibration_chart(self.diagnostics["deciles"], title=self.spec.name)

    def caterpillar(self, highlight: str | list[str] | None = None, **options: Any) -> Any:
        """Shrunken unit odds ratios with 95% intervals (altair chart).

        The bars are ``or_lcl95``/``or_ucl95``: intervals integrated over the uncertainty
        in tau^2 and the fixed effects (pass ``lower="or_lcl95_conditional",
        upper="or_ucl95_conditional"`` for the plug-in ones).

        Parameters
        ----------
        highlight : str or list of str, optional
            Unit(s) drawn in the highlight colour ('my region'), as in
            :meth:`FunnelResult.chart <saz_geboortezorg.compare.funnel.result.FunnelResult.chart>`.
        **options
            Passed to :func:`saz_geboortezorg.present.caterpillar.caterpillar_chart`
            (e.g. ``title``, ``x_title``, ``horizontal``); they override the defaults.

        Returns
        -------
        altair.LayerChart

        Raises
        ------
        ValueError
            When the model has no random effects (``random_effects: false``).

        Examples
        --------
        >>> import saz_geboortezorg as sg  # doctest: +SKIP
        >>> result = sg.casemix(sg.load(sg.synthetic.default_dataset()), "caesarean",
        ...                     unit="region")  # doctest: +SKIP
        >>> result.caterpillar(highlight="R05", title="Caesarean")  # doctest: +SKIP
        """
        from saz_geboortezorg.present.caterpillar import caterpillar_chart

        if self.random_effects is None:
            raise ValueError("this result has no random effects (random_effects: false)")
        defaults = {
            "estimate": "odds_ratio",
            "lower": "or_lcl95",
            "upper": "or_ucl95",
            "title": f"{self.spec.name}: shrunken {self.unit_type} odds ratios",
            "x_title": "odds ratio (case-mix adjusted, shrunken)",
        }
        if self.random_effects.interval_method.startswith("integrated"):
            defaults["interval_label"] = "95% interval (integrated over tau\u00b2)"
        return caterpillar_chart(
            self.random_effects.table, highlight=highlight, **{**defaults, **options}
        )


def coefficient_table(names, params, se, log_link: bool = True) -> pd.DataFrame:
    """Coefficients with z, p and ratio (exp) with 95% interval."""
    from scipy.stats import norm

    params = np.asarray(params, float)
    se = np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = params / se
        return pd.DataFrame(
            {
                "term": list(names),
                "estimate": params,
                "se": se,
                "z": z,
                "p": 2 * norm.sf(np.abs(z)),
                "ratio": np.exp(params),
                "ratio_lcl95": np.exp(params - 1.959963984540054 * se),
                "ratio_ucl95": np.exp(params + 1.959963984540054 * se),
            }
        )
