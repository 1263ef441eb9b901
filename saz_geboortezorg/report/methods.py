"""The methods appendix of a report, generated from the specs and the analysis settings.

Examples
--------
>>> lines = casemix_lines("caesarean")
>>> lines[0].startswith("caesarean")
True
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from saz_geboortezorg.compare.attribution import attribution_lines
from saz_geboortezorg.disclosure.check import count_free
from saz_geboortezorg.model import load_spec

__all__ = [
    "casemix_lines",
    "funnel_lines",
    "attribution_text",
    "suppression_text",
    "user_indicator_lines",
]


def casemix_lines(spec_name: str) -> list[str]:
    """One line per case-mix variable of a spec (name and rationale), plus what is not adjusted for.

    Examples
    --------
    >>> any("prev_cs" in line for line in casemix_lines("caesarean"))
    True
    """

    spec = load_spec(spec_name)
    out = [f"{spec.name}: {spec.title or spec.outcome} — {' '.join(spec.rationale.split())}"]
    for cov in spec.covariates:
        out.append(f"  adjusted for {cov.name}: {cov.rationale or 'no rationale given'}")
    for name, why in spec.not_adjusted_for:
        out.append(f"  not adjusted for {name}: {why}")
    return out


def funnel_lines(benchmark: Any) -> list[str]:
    """Per indicator: method (adjusted or crude), dispersion ratio phi and tau², in words.

    Examples
    --------
    >>> funnel_lines(type("B", (), {"funnels": {}, "methods": {}, "limits": (95, 99.8),
    ...                             "overdispersion": True})())[0][:30]
    'Funnel limits 95% and 99.8%; o'
    """
    lims = " and ".join(f"{x:g}%" for x in benchmark.limits)
    out = [
        f"Funnel limits {lims}; overdispersion "
        + (
            "adjusted (Spiegelhalter 2005: dispersion ratio phi from 10%-trimmed z-scores, "
            "additive random-effects tau² when phi > 1; phi <= 1 means no overdispersion "
            "detected, not that there is none). Trimming biases phi low (with no "
            "overdispersion it averages about 0.68 winsorised, 0.44 truncated, instead of 1), "
            "so tau² comes out low; as a sensitivity view each indicator also shows the "
            "bias-corrected phi (the trimmed phi rescaled by its mean in datasets "
            "simulated with no overdispersion). The test of overdispersion is a parametric "
            "bootstrap of the trimmed phi (999 simulated datasets), not a chi-square test, "
            "which trimming invalidates; case-mix expected counts are fitted to the same "
            "data (n - 1 degrees of freedom)"
            if benchmark.overdispersion
            else "not adjusted"
        )
        + "."
    ]
    if getattr(benchmark, "verdict_level", None) is not None:
        rule = (
            f"outside the {benchmark.verdict_level:g}% limits"
            if benchmark.fdr is None
            else f"where the Benjamini-Hochberg q-value over the judged cells shown is at "
            f"most {benchmark.fdr:g}"
        )
        out.append(
            f"Verdict (better, worse, different) {rule}"
            + (
                f"; alert outside the {benchmark.alert_level:g}% limits only (never a verdict)"
                if benchmark.alert_level is not None
                else ""
            )
            + f"; a unit with fewer than {benchmark.min_expected:g} expected events (or "
            "non-events) is shown but not judged."
        )
    for ind, f in benchmark.funnels.items():
        # shared text: model warnings keep their wording but lose their counts (issue 14)
        method = count_free(benchmark.methods.get(ind, ""))
        out.append(
            f"{ind}: {method}; "
            + _dispersion_words(f)
            + (" (limits widened for overdispersion)" if f.overdispersed else "")
        )
    return out


def _dispersion_words(f: Any) -> str:
    """phi and tau² in force, the sensitivity view and the test, for one funnel.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units()
    >>> _dispersion_words(funnel(d, "o", "e", "h", trim_by=0))
    'phi = 0.45, tau² = 0 (no overdispersion detected; chi-square p = 0.92)'
    """

    phi = getattr(f, "phi", float("nan"))
    if not math.isfinite(phi):
        return "phi not estimated"
    corrected = bool(getattr(f, "phi_correction", False))
    words = f"{'bias-corrected ' if corrected else ''}phi = {phi:.2f}, tau² = {f.tau2:.4g}"
    extra = []
    phi_c = getattr(f, "phi_corrected", float("nan"))
    if corrected:
        extra.append(f"trimmed phi {getattr(f, 'phi_trimmed', float('nan')):.2f}")
    elif getattr(f, "trim_by", 0) > 0 and math.isfinite(phi_c):
        extra.append(
            f"bias-corrected phi {phi_c:.2f}, tau² {getattr(f, 'tau2_corrected', 0.0):.4g}"
        )
    test = getattr(f, "test", None)
    has_p = test is not None and test.p_value is not None
    if phi <= 1:
        if has_p and test.p_value <= 0.05:
            extra.append("limits not widened although the test detects overdispersion")
        else:
            extra.append("no overdispersion detected")
    if has_p:
        how = "chi-square" if test.method == "chi-square" else "bootstrap"
        extra.append(f"{how} p {f.p_text()}")
    return words + (f" ({'; '.join(extra)})" if extra else "")


def attribution_text(benchmark: Any) -> list[str]:
    """Who each indicator's outcome is counted against, from the benchmark's rows.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"indicator": ["preterm", "cs"], "attribution": ["booking", "birth"]})
    >>> [line[:30] for line in attribution_text(type("B", (), {"table": t})())]
    ['Population outcomes (preterm) ', 'Outcomes of care during birth ']
    """

    rules = benchmark.table.drop_duplicates("indicator")
    out: list[str] = []
    for rule in ("booking", "birth"):
        ids = rules.loc[rules["attribution"] == rule, "indicator"]
        # the rule is the table's (shipped and user indicators alike): only ids are needed
        out += attribution_lines(
            [SimpleNamespace(id=i, attribution=rule) for i in ids], attribution=rule
        )
    return out


def user_indicator_lines(indicators: Any, source: Any = None) -> list[str]:
    """The definitions of user-defined indicators, in words, for the methods appendix.

    Examples
    --------
    >>> from saz_geboortezorg.indicators.user import define_indicator
    >>> ind = define_indicator("induction_nullip", name_en="Induction, nulliparous",
    ...                        name_nl="Inductie bij nulliparae", population="parity == 0",
    ...                        numerator="onset == 'induced'",
    ...                        exclusions=[("onset unknown", "onset == 'unknown'")])
    >>> print(user_indicator_lines([ind], "mijn_indicatoren.yaml")[0])
    induction_nullip (Induction, nulliparous; Inductie bij nulliparae), defined in the user catalogue mijn_indicatoren.yaml: population parity == 0 (women); numerator onset == 'induced'; excluded: onset unknown (onset == 'unknown'); percent, lower is better; crude (no case-mix model).
    """
    where = f" {getattr(source, 'name', source)}" if source is not None else ""
    table = {"woman": "women", "baby": "babies"}
    better = {"lower": "lower is better", "higher": "higher is better", "neither": "no direction"}
    out = []
    for ind in indicators:
        excluded = "; ".join(f"{e.reason} ({e.when})" for e in ind.exclusions)
        out.append(
            f"{ind.id} ({ind.name_en}; {ind.name_nl}), defined in the user catalogue{where}: "
            f"population {ind.population} ({table.get(ind.level, ind.level)}); numerator "
            f"{ind.numerator}"
            + (f"; excluded: {excluded}" if excluded else "")
            + f"; {ind.unit}, {better.get(ind.better, ind.better)}; "
            + ("crude (no case-mix model)." if not ind.case_mix else f"model {ind.case_mix}.")
        )
    return out


def suppression_text(threshold: int) -> str:
    """The disclosure-control paragraph in plain words.

    Examples
    --------
    >>> "1 to 9" in suppression_text(10)
    True
    """
    return (
        f"Small-number protection: counts of women or babies from 1 to {threshold - 1} are not "
        "shown (·), nor is any rate, percentage, ratio or interval computed from them, because "
        "a rate with a known number of women reveals the count. Where a hidden number could be "
        "worked out by subtracting the other numbers from a total, one or more other numbers are "
        "hidden as well (always the next smallest), and a check by linear programming makes sure "
        "no hidden small number can be narrowed down to one value. Zero is shown. Tables are "
        "protected across all regions at once, so every report hides the same cells; a region "
        "whose count is hidden is left out of that funnel plot, and the funnel's limits, phi "
        "and tau², and the verdicts and alerts read from them, are computed from the shown "
        "regions only; a trend chart of a region with a "
        "hidden quarter shows no centre line or limits. No table leaves the analysis with one "
        "row per woman or baby."
    )
