"""Step 5: the result of a funnel analysis: per-unit table, dispersion, limit curves, chart.

:class:`FunnelResult` holds everything :func:`~saz_geboortezorg.compare.funnel.funnel`
computed. The chart (:mod:`saz_geboortezorg.present.funnel_chart`) only draws what this
object gives; it computes no statistics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.funnel import limits as _limits
from saz_geboortezorg.compare.funnel.overdispersion import OverdispersionTest
from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.result import Result

__all__ = ["FunnelResult", "flags"]


def flags(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """'higher' above the upper limit, 'lower' below the lower one, else 'within'.

    A value on a limit is within, as in FunnelPlotR.

    Examples
    --------
    >>> flags(np.array([0.5, 1.0, 2.0]), np.array([0.8] * 3), np.array([1.5] * 3)).tolist()
    ['lower', 'within', 'higher']
    """
    return np.where(value > upper, "higher", np.where(value < lower, "lower", "within"))


def _plain(value: Any) -> Any:
    """A group label as a JSON-friendly str or int (numpy scalars unwrapped)."""
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, str | int) and not isinstance(value, bool) else str(value)


@dataclass(repr=False)
class FunnelResult(Result):
    """A funnel analysis (follows the result protocol, :mod:`saz_geboortezorg.result`:
    ``table``, ``summary()``, ``chart()``, ``to_dict()``; it prints as its table).

    Attributes
    ----------
    table : DataFrame
        One row per unit (sorted by group): ``group``, ``numerator``, ``denominator``,
        ``value`` (numerator/denominator times the multiplier), ``z_unadj`` (unadjusted
        z-score), ``z_adj`` (overdispersion-adjusted z-score,
        :math:`(y - \\theta_0)/\\sqrt{s^2 + \\tau^2}`), ``z`` (the one in force),
        ``in_phi`` (the unit's z-score entered phi: not truncated), and for every level
        (tag ``95``, ``998``): ``lcl95``/``ucl95`` (limits in force), ``lcl95_adj``,
        ``ucl95_adj``, ``lcl95_unadj``, ``ucl95_unadj`` and ``flag95``
        ('higher', 'lower', 'within' against the limits in force).
    phi : float
        Dispersion ratio (NaN if it could not be estimated, only possible with
        ``overdispersion=False``).
    tau2 : float
        Between-unit variance on the transformed scale (DerSimonian-Laird).
    target : float
        Centre line on the original scale, before the multiplier (1 for SR).
    test : OverdispersionTest or None
        Test of overdispersion: chi-square for untrimmed z-scores, parametric bootstrap
        for trimmed ones (or no p-value, ``test.reason`` says why).
    overdispersed : bool
        Whether the adjusted limits are in force: overdispersion requested and phi > 1.
    phi_trimmed : float
        The trimmed phi (FunnelPlotR's), whether or not it is in force.
    phi_corrected, tau2_corrected : float
        Bias-corrected phi (the trimmed phi rescaled by its mean with no
        overdispersion) and its tau2; NaN without null draws. A sensitivity view, in
        force only with ``phi_correction``.
    phi_correction : bool
        Whether ``phi`` and ``tau2`` are the bias-corrected ones.
    fitted_expected : bool
        SR with expected counts from a model fitted to the same data (test df n - 1).
    """

    table: pd.DataFrame
    phi: float
    tau2: float
    target: float
    test: OverdispersionTest | None
    overdispersed: bool
    data_type: str
    sr_method: str
    trim_by: float
    levels: tuple[float, ...]
    multiplier: float
    overdispersion: bool
    pr_limits: str = "arcsine"
    n_phi: int = 0
    notes: list[str] = field(default_factory=list)
    phi_trimmed: float = float("nan")
    phi_corrected: float = float("nan")
    tau2_corrected: float = float("nan")
    phi_correction: bool = False
    fitted_expected: bool = False

    # ---- limits -----------------------------------------------------------------
    def limits(self, denominators: Any = None) -> pd.DataFrame:
        """Limit curves at the given denominators (default: a grid covering the units).

        Returns a DataFrame with ``denominator``, ``target`` (times the multiplier) and,
        per level tag, ``lcl``/``ucl`` in force, ``_adj`` and ``_unadj`` versions, the
        same columns as in :attr:`table`.

        Examples
        --------
        >>> from saz_geboortezorg.compare.funnel import example_units, funnel
        >>> d = example_units()
        >>> r = funnel(d, "o", "e", "h")
        >>> r.limits([10, 100])[["denominator", "lcl95", "ucl95"]].round(4)
           denominator   lcl95   ucl95
        0         10.0  0.4795  1.8390
        1        100.0  0.8136  1.2163
        """
        if denominators is None:
            denominators = self.default_grid()
        n = np.asarray(denominators, dtype=float).ravel()
        out = pd.DataFrame({"denominator": n, "target": self.target * self.multiplier})
        for level in self.levels:
            tag = _limits.level_tag(level)
            lo_u, hi_u = self._unadjusted(n, level)
            lo_a, hi_a = self._adjusted(n, level)
            use_adj = self.overdispersed
            out[f"lcl{tag}"] = lo_a if use_adj else lo_u
            out[f"ucl{tag}"] = hi_a if use_adj else hi_u
            out[f"lcl{tag}_adj"] = lo_a
            out[f"ucl{tag}_adj"] = hi_a
            out[f"lcl{tag}_unadj"] = lo_u
            out[f"ucl{tag}_unadj"] = hi_u
        return out

    def default_grid(self, points: int = 300, start: float | None = None) -> np.ndarray:
        """Denominators for drawing: a geometric grid plus the units' denominators.

        The grid runs from ``start`` (default: 1, or the smallest unit if smaller) to
        5% beyond the largest unit; geometric spacing puts more points where the limits
        bend most.

        Examples
        --------
        >>> import pandas as pd
        >>> from saz_geboortezorg.compare.funnel import funnel
        >>> d = pd.DataFrame({"h": list("AB"), "o": [5, 9], "e": [6.0, 8.0]})
        >>> g = funnel(d, "o", "e", "h", overdispersion=False).default_grid(5)
        >>> float(g.min()), float(g.max())
        (1.0, 8.4)
        """
        n = self.table["denominator"].to_numpy(dtype=float)
        lo = min(1.0, float(n.min())) if start is None else float(start)
        hi = float(n.max()) * 1.05
        grid = np.geomspace(lo, hi, points)
        return np.unique(np.concatenate([grid, n]))

    def _adjusted(self, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        tau2 = self.tau2 if math.isfinite(self.tau2) else float("nan")
        return _limits.adjusted(
            n,
            level,
            data_type=self.data_type,
            sr_method=self.sr_method,
            target=self.target,
            tau2=tau2,
            multiplier=self.multiplier,
        )

    def _unadjusted(self, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return _limits.unadjusted(
            n,
            level,
            data_type=self.data_type,
            sr_method=self.sr_method,
            target=self.target,
            multiplier=self.multiplier,
            pr_limits=self.pr_limits,
        )

    # ---- presentation -------------------------------------------------------------
    def chart(
        self,
        highlight: str | list[str] | None = None,
        labels: str = "outliers",
        language: str = "en",
        **kwargs: Any,
    ) -> Any:
        """An altair funnel plot (``language="nl"``: Dutch legends and subtitle); see
        :func:`saz_geboortezorg.present.funnel_chart.funnel_chart`."""
        from saz_geboortezorg.present.funnel_chart import funnel_chart

        return funnel_chart(self, highlight=highlight, labels=labels, language=language, **kwargs)

    @renamed_arguments(level="limit")
    def outliers(self, limit: float | None = None) -> pd.DataFrame:
        """Units outside the limits in force at ``limit`` percent (one of ``limits``;
        default: the widest). Formerly ``level`` (deprecated)."""
        tag = _limits.level_tag(limit if limit is not None else max(self.levels))
        return self.table[self.table[f"flag{tag}"] != "within"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``saz-geboortezorg funnel --json`` (NaN becomes None).

        ``result`` (``"FunnelResult"``) names the kind of result, as for every result;
        the other fields are the command's contract and are only ever extended.

        Examples
        --------
        >>> import json
        >>> from saz_geboortezorg.compare.funnel import example_units, funnel
        >>> d = funnel(example_units(), "o", "e", "h", trim_by=0).to_dict()
        >>> d["result"], d["data_type"], len(d["units"]), sorted(d["units"][0])[:4]
        ('FunnelResult', 'SR', 10, ['denominator', 'flag95', 'flag998', 'group'])
        >>> _ = json.dumps(d, allow_nan=False)
        """

        def num(x: Any) -> Any:
            x = float(x)
            return x if math.isfinite(x) else None

        tags = [_limits.level_tag(level) for level in self.levels]
        units = []
        for row in self.table.itertuples(index=False):
            r = row._asdict()
            unit: dict[str, Any] = {
                "group": _plain(r["group"]),
                "numerator": num(r["numerator"]),
                "denominator": num(r["denominator"]),
                "value": num(r["value"]),
                "z": num(r["z"]),
            }
            for tag in tags:
                unit[f"lcl{tag}"] = num(r[f"lcl{tag}"])
                unit[f"ucl{tag}"] = num(r[f"ucl{tag}"])
            for tag in tags:
                unit[f"lcl{tag}_unadj"] = num(r[f"lcl{tag}_unadj"])
                unit[f"ucl{tag}_unadj"] = num(r[f"ucl{tag}_unadj"])
            for tag in tags:
                unit[f"flag{tag}"] = r[f"flag{tag}"]
            units.append(unit)
        return {
            "result": type(self).__name__,
            "data_type": self.data_type,
            "sr_method": self.sr_method if self.data_type == "SR" else None,
            "trim_by": self.trim_by,
            "multiplier": self.multiplier,
            "limits": list(self.levels),
            "target": num(self.target),
            "phi": num(self.phi),
            "tau2": num(self.tau2),
            "overdispersed": bool(self.overdispersed),
            "phi_trimmed": num(self.phi_trimmed),
            "phi_corrected": num(self.phi_corrected),
            "tau2_corrected": num(self.tau2_corrected),
            "phi_correction": bool(self.phi_correction),
            "fitted_expected": bool(self.fitted_expected),
            "overdispersion_test": None
            if self.test is None
            else {
                "statistic": num(self.test.statistic),
                "df": int(self.test.df),
                "p_value": None if self.test.p_value is None else num(self.test.p_value),
                "method": self.test.method,
                "draws": int(self.test.draws),
                "reason": self.test.reason or None,
            },
            "units": units,
        }

    def summary(self) -> str:
        """A few lines of text: settings, dispersion and outliers.

        Examples
        --------
        >>> from saz_geboortezorg.compare.funnel import example_units, funnel
        >>> print(funnel(example_units(), "o", "e", "h", trim_by=0).summary())
        Funnel plot: 10 units, SR (SHMI), target 1, trim_by 0
        Dispersion ratio phi = 0.453 (from 10 units), tau2 = 0
        Test of overdispersion: chi-square 4.53 on 10 df, p = 0.92
        Limits: unadjusted (phi <= 1: no overdispersion detected).
        """
        method = f"SR ({self.sr_method})" if self.data_type == "SR" else self.data_type
        lines = [
            f"Funnel plot: {len(self.table)} units, {method}, target "
            f"{self.target * self.multiplier:.6g}, trim_by {self.trim_by:g}",
        ]
        if math.isfinite(self.phi):
            which = "bias-corrected " if self.phi_correction else ""
            line = (
                f"Dispersion ratio {which}phi = {self.phi:.4g} (from {self.n_phi} units), "
                f"tau2 = {self.tau2:.4g}"
            )
            if self.phi_correction:
                line += f" (trimmed phi {self.phi_trimmed:.4g})"
            elif self.trim_by > 0 and math.isfinite(self.phi_corrected):
                line += f" (bias-corrected phi {self.phi_corrected:.4g})"
            lines.append(line)
            if self.test is not None:
                lines.append(self.test_text())
        if self.overdispersed:
            lines.append("Limits: adjusted for overdispersion (additive random effects).")
        elif self.overdispersion and self.overdispersion_detected():
            lines.append(
                "Limits: unadjusted (phi <= 1), although the test detects overdispersion: "
                "the trimmed phi is biased low; see the bias-corrected phi "
                "(phi_correction=True puts it in force)."
            )
        elif self.overdispersion:
            lines.append("Limits: unadjusted (phi <= 1: no overdispersion detected).")
        else:
            lines.append("Limits: unadjusted (overdispersion adjustment switched off).")
        lines.extend(self.notes)
        return "\n".join(lines)

    def overdispersion_detected(self, alpha: float = 0.05) -> bool:
        """Whether the test of overdispersion rejects at ``alpha`` (False without a p-value).

        With trimming the phi in force can be at most 1 while the test rejects: trimming
        biases phi low (see :mod:`.overdispersion`).
        """
        return bool(
            self.test is not None and self.test.p_value is not None and self.test.p_value <= alpha
        )

    def p_text(self) -> str:
        """The test's p-value as ``"= 0.03"``, or ``"<= 0.001"`` for a bootstrap p at its
        floor 1/(draws + 1) (no simulated phi reached the data's); ``""`` without one."""
        t = self.test
        if t is None or t.p_value is None:
            return ""
        if t.method == "parametric bootstrap" and t.p_value * (t.draws + 1) < 1.5:
            return f"<= {t.p_value:.2g}"
        return f"= {t.p_value:.2g}"

    def test_text(self) -> str:
        """The test of overdispersion in one line ("" without a test).

        Examples
        --------
        >>> from saz_geboortezorg.compare.funnel import example_units, funnel
        >>> d = example_units()
        >>> funnel(d, "o", "e", "h", trim_by=0).test_text()
        'Test of overdispersion: chi-square 4.53 on 10 df, p = 0.92'
        >>> funnel(d, "o", "e", "h", test_draws=0).test_text()[:55]
        'Test of overdispersion: no p-value: the z-scores were t'
        """
        t = self.test
        if t is None:
            return ""
        if t.method == "chi-square":
            return (
                f"Test of overdispersion: chi-square {t.statistic:.4g} on {t.df} df, "
                f"p = {t.p_value:.3g}"
            )
        if t.method == "parametric bootstrap":
            # (1 + 0) / (1 + B): no simulated phi reached the data's, p is at most this
            p = f"<= {t.p_value:.3g}" if t.p_value * (t.draws + 1) < 1.5 else f"= {t.p_value:.3g}"
            return (
                f"Test of overdispersion: p {p} (parametric bootstrap of the "
                f"trimmed phi, {t.draws} datasets simulated with no overdispersion)"
            )
        return f"Test of overdispersion: {t.reason}"
