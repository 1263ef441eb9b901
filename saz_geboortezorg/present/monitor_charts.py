"""Charts for monitoring over time: run chart, p-chart, VLAD, CUSUM, ITS and the
change-point profile.

Each function draws what :mod:`saz_geboortezorg.monitor` computed; nothing is
recalculated here. Signals are marked twice (colour and a larger diamond) so they
stay visible without colour; the palette is Okabe-Ito.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

__all__ = [
    "run_chart_plot",
    "p_chart_plot",
    "vlad_plot",
    "cusum_plot",
    "its_plot",
    "change_point_plot",
]

LINE = PALETTE[4]  # blue
WIDTH, HEIGHT = 640, 300


def _start_rule(start: Any, label: str = "start") -> Any:
    import altair as alt

    frame = pd.DataFrame({"start": [pd.Timestamp(start)], "label": [label]})
    rule = alt.Chart(frame).mark_rule(color=PALETTE[2], strokeWidth=2).encode(x="start:T")
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=4, dy=-6, color=PALETTE[2], fontSize=13, baseline="top")
        .encode(x="start:T", y=alt.value(0), text="label:N")
    )
    return rule + text


def _series(frame, x, y, y_title, x_title, fmt=None):
    import altair as alt

    axis = alt.Axis(format=fmt) if fmt else alt.Axis()
    base = alt.Chart(frame).encode(x=alt.X(f"{x}:T", title=x_title))
    line = base.mark_line(color=LINE, strokeWidth=2).encode(
        y=alt.Y(f"{y}:Q", title=y_title, axis=axis)
    )
    points = base.mark_point(filled=True, size=45, color=LINE).encode(y=f"{y}:Q")
    return base, line, points


def _signals(frame, x, y, label="signal"):
    import altair as alt

    return (
        alt.Chart(frame.assign(what=label))
        .mark_point(shape="diamond", filled=True, size=170, color=HIGHLIGHT)
        .encode(x=f"{x}:T", y=f"{y}:Q", tooltip=[f"{x}:T", alt.Tooltip(f"{y}:Q", format=".4f")])
    )


def run_chart_plot(
    periods: Any,
    points: pd.DataFrame,
    summary: dict,
    *,
    title: str = "Run chart",
    y_title: str = "value",
) -> Any:
    """Run chart: values over time, the median, and points in a shift (or trend) marked.

    The subtitle gives the longest run and the number of crossings with their limits,
    the rules applied and the signals.

    Parameters
    ----------
    periods : sequence of dates
        The period of each point.
    points, summary
        Output of :func:`saz_geboortezorg.monitor.spc.run_chart`.
    title : str
    y_title : str
        Axis title (e.g. ``"rate (%)"`` when the values are percentages).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.monitor.spc import run_chart
    >>> pts, s = run_chart([3, 4, 3, 5, 6, 7, 8, 9, 9, 9])
    >>> c = run_chart_plot(pd.date_range("2022-01-01", periods=10, freq="MS"), pts, s)
    >>> len(c.to_dict()["layer"])
    4
    """
    import altair as alt

    frame = points.assign(period=pd.to_datetime(list(periods)))
    _, line, dots = _series(frame, "period", "value", y_title, None)
    median = (
        alt.Chart(frame)
        .mark_line(color=NEUTRAL, strokeDash=[6, 4])
        .encode(x="period:T", y="median:Q")
    )
    sig = _signals(frame[frame.signal], "period", "value")
    crossings = (
        f"longest run {summary['longest_run']} (signal above {summary['longest_run_limit']}); "
        f"crossings {summary['crossings']} (signal below {summary['crossings_limit']})"
    )
    flags = [
        label
        for key, label in (
            ("shift", "shift"),
            ("too_few_crossings", "too few crossings"),
            ("trend", "trend"),
        )
        if summary[key]
    ]
    marked = "points in a shift or trend" if summary.get("trend_rule") else "points in a shift"
    rules = "shift, crossings" + (", trend" if summary.get("trend_rule") else "")
    subtitle = [
        f"dashed: median {summary['median']:.4g}; diamonds: {marked}; {crossings}",
        f"rules: {rules} (Anhøj); signals: {', '.join(flags) or 'none'}",
    ]
    chart = alt.layer(line, dots, median, sig).properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=WIDTH, height=HEIGHT
    )
    return configure(chart)


def p_chart_plot(
    periods: Any,
    chart: pd.DataFrame,
    *,
    title: str = "p-chart",
    percent: bool = True,
    start: Any = None,
    adjusted: bool | None = None,
    false_alarm: float | None = None,
) -> Any:
    """p-chart: rate per period, centre line, 3-sigma limits and signals.

    The subtitle says which limits were drawn (binomial, or Laney's p' with its
    ``sigma_z``), whether the rates are case-mix adjusted (when ``adjusted`` is given)
    and the chart's false-alarm rate (when ``false_alarm`` is given).

    Parameters
    ----------
    periods : sequence of dates
    chart : DataFrame
        Output of :func:`saz_geboortezorg.monitor.spc.p_chart`.
    title : str
    percent : bool
        Show rates as percentages.
    start : date-like, optional
        An initiative's start, drawn as a vertical line.
    adjusted : bool, optional
        True: risk-adjusted (observed/expected-based) rates; False: crude rates.
    false_alarm : float, optional
        Probability that this chart signals with no change at all
        (:func:`saz_geboortezorg.monitor.spc.p_chart_false_alarm`).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.monitor.spc import p_chart
    >>> pc = p_chart([5, 4, 20], [100, 100, 100])
    >>> c = p_chart_plot(pd.date_range("2022-01-01", periods=3, freq="MS"), pc)
    >>> len(c.to_dict()["layer"])
    5
    """
    import altair as alt

    f = 100.0 if percent else 1.0
    frame = chart.assign(period=pd.to_datetime(list(periods)))
    for c in ("rate", "centre", "lcl", "ucl"):
        frame[c] = frame[c] * f
    frame = frame[frame.n > 0]
    ytitle = "rate (%)" if percent else "rate"
    band = (
        alt.Chart(frame)
        .mark_area(color=PALETTE[1], opacity=0.25, interpolate="step")
        .encode(x=alt.X("period:T", title=None), y=alt.Y("lcl:Q", title=ytitle), y2="ucl:Q")
    )
    centre = (
        alt.Chart(frame)
        .mark_line(color=NEUTRAL, strokeDash=[6, 4])
        .encode(x="period:T", y="centre:Q")
    )
    _, line, dots = _series(frame, "period", "rate", ytitle, None)
    sig = _signals(frame[frame.signal], "period", "rate")
    layers = [band, centre, line, dots, sig]
    if start is not None:
        layers.append(_start_rule(start))
    rules = sorted({r for rs in chart.rules for r in rs.split(",") if r})
    sigma_z = float(chart["sigma_z"].iloc[0]) if "sigma_z" in chart and len(chart) else 1.0
    laney = "Laney" in str(chart.attrs.get("method", ""))
    band = (
        f"Laney p' limits (3 sigma x sigma_z {sigma_z:.2f}, vary with n)"
        if laney
        else "3-sigma limits (vary with n)"
    )
    subtitle = (
        f"band: {band}; dashed: centre line; diamonds: signal "
        f"(rules fired: {', '.join(rules) or 'none'})"
    )
    if adjusted is not None:
        subtitle += "; " + (
            "risk-adjusted (observed/expected)"
            if adjusted
            else "crude rates, not case-mix adjusted"
        )
    if false_alarm is not None:
        subtitle += f"; false-alarm rate of this chart in control {false_alarm:.0%}"
    out = alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=WIDTH, height=HEIGHT
    )
    return configure(out)


def vlad_plot(
    dates: Any, values: Any, *, title: str = "VLAD: observed minus expected", start: Any = None
) -> Any:
    """VLAD line: cumulative observed minus expected events per record.

    Parameters
    ----------
    dates : sequence of dates
        Date of each record (time order).
    values : sequence of float
        Output of :func:`saz_geboortezorg.monitor.risk_adjusted.vlad`.
    start : date-like, optional

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.monitor.risk_adjusted import vlad
    >>> c = vlad_plot(pd.date_range("2022-01-01", periods=3), vlad([0, 1, 0], [.1, .2, .1]))
    >>> len(c.to_dict()["layer"])
    2
    """
    import altair as alt

    frame = pd.DataFrame({"date": pd.to_datetime(list(dates)), "vlad": np.asarray(values)})
    line = (
        alt.Chart(frame)
        .mark_line(color=LINE, strokeWidth=2, interpolate="step-after")
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("vlad:Q", title="cumulative observed - expected events"),
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=NEUTRAL).encode(y="y:Q")
    layers = [zero, line]
    if start is not None:
        layers.append(_start_rule(start))
    subtitle = "rising: more events than expected; falling: fewer than expected"
    out = alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=WIDTH, height=HEIGHT
    )
    return configure(out)


def cusum_plot(
    dates: Any,
    cusum: pd.DataFrame,
    h: float,
    *,
    title: str = "Risk-adjusted CUSUM",
    start: Any = None,
    label: str | None = None,
) -> Any:
    """CUSUM statistic with its threshold and the signals (restarts) marked.

    Parameters
    ----------
    dates : sequence of dates
    cusum : DataFrame
        Output of :func:`saz_geboortezorg.monitor.risk_adjusted.cusum`.
    h : float
        The threshold used.
    label : str, optional
        What the chart detects, e.g. ``"improvement (odds ratio 0.5)"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.monitor.risk_adjusted import cusum
    >>> cs = cusum([1, 1, 0, 1], [0.2] * 4, odds_ratio=2, h=0.8)
    >>> c = cusum_plot(pd.date_range("2022-01-01", periods=4), cs, 0.8)
    >>> len(c.to_dict()["layer"])
    3
    """
    import altair as alt

    frame = cusum.assign(date=pd.to_datetime(list(dates)))
    line = (
        alt.Chart(frame)
        .mark_line(color=LINE, strokeWidth=1.5)
        .encode(x=alt.X("date:T", title=None), y=alt.Y("s:Q", title="CUSUM"))
    )
    thr = (
        alt.Chart(pd.DataFrame({"h": [h]}))
        .mark_rule(color=HIGHLIGHT, strokeDash=[6, 4], strokeWidth=2)
        .encode(y="h:Q")
    )
    sig = _signals(frame[frame.signal], "date", "s")
    layers = [line, thr, sig]
    if start is not None:
        layers.append(_start_rule(start))
    n_sig = int(frame.signal.sum())
    subtitle = (
        f"{label + '; ' if label else ''}dashed: threshold h = {h:.2f}; "
        f"diamonds: {n_sig} signal{'s' if n_sig != 1 else ''} (chart restarts at 0)"
    )
    out = alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=WIDTH, height=HEIGHT
    )
    return configure(out)


def its_plot(result: Any, *, title: str = "Interrupted time series", percent: bool = True) -> Any:
    """Monthly rates with the fitted segments, the counterfactual and the start date.

    Parameters
    ----------
    result : ITSResult
        Output of :func:`saz_geboortezorg.monitor.its.segmented_regression`.
    percent : bool

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.monitor.its import segmented_regression
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"birth_date": pd.Timestamp("2022-01-01")
    ...                   + pd.to_timedelta(rng.integers(0, 365, 3000), unit="D")})
    >>> d["outcome"] = rng.binomial(1, 0.1, 3000)
    >>> c = its_plot(segmented_regression(d, "2022-07-01"))
    >>> len(c.to_dict()["layer"])
    4
    """
    import altair as alt

    f = 100.0 if percent else 1.0
    fr = result.fitted.copy()
    for c in ("rate", "fitted", "counterfactual"):
        fr[c] = fr[c] * f
    fr["segment"] = np.where(fr.post, "after", "before")
    ytitle = "rate (%)" if percent else "rate"
    dots = (
        alt.Chart(fr)
        .mark_point(filled=True, size=45, color=NEUTRAL, opacity=0.7)
        .encode(
            x=alt.X("period:T", title=None),
            y=alt.Y("rate:Q", title=ytitle),
            tooltip=["period:T", "n:Q", "events:Q", alt.Tooltip("rate:Q", format=".2f")],
        )
    )
    fitted = (
        alt.Chart(fr)
        .mark_line(color=LINE, strokeWidth=3)
        .encode(x="period:T", y="fitted:Q", detail="segment:N")
    )
    cf = (
        alt.Chart(fr[fr.post])
        .mark_line(color=LINE, strokeWidth=2, strokeDash=[6, 4])
        .encode(x="period:T", y="counterfactual:Q")
    )
    lc = result.level_change
    sc = result.slope_change
    text = (
        f"level change OR {np.exp(lc['estimate']):.2f} "
        f"(95% CI {np.exp(lc['lcl95']):.2f}-{np.exp(lc['ucl95']):.2f})"
    )
    if not np.isnan(sc["lcl95"]):
        text += (
            f"; slope change OR/month {np.exp(sc['estimate']):.3f} "
            f"({np.exp(sc['lcl95']):.3f}-{np.exp(sc['ucl95']):.3f})"
        )
    od = getattr(result, "overdispersion", {}) or {}
    if od.get("method") == "quasi-binomial":
        text += f"; widened for variation between months (phi {od['phi']:.2f})"
    out = alt.layer(dots, fitted, cf, _start_rule(result.start)).properties(
        title=alt.TitleParams(
            title,
            subtitle=[
                "dots: monthly rate; solid: fitted; dashed: without the initiative",
                text,
            ],
        ),
        width=WIDTH,
        height=HEIGHT,
    )
    return configure(out)


def change_point_plot(
    result: Any,
    *,
    truth: Any = None,
    title: str = "When did the change start? Profile deviance per start month",
) -> Any:
    """Likelihood-ratio profile of a change point: the confidence set and the estimate.

    Parameters
    ----------
    result : ChangePoint
        Output of :func:`saz_geboortezorg.monitor.change_point.change_point`.
    truth : date-like, optional
        A known start (synthetic data only), drawn as a vertical line.
    title : str

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.monitor.change_point import change_point
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01")
    ...                   + pd.to_timedelta(rng.integers(0, 1095, 5000), unit="D")})
    >>> d["outcome"] = rng.binomial(1, np.where(d.birth_date >= "2022-07-01", 0.06, 0.1))
    >>> c = change_point_plot(change_point(d, test=False), truth="2022-07-01")
    >>> len(c.to_dict()["layer"])
    5
    """
    import altair as alt

    frame = result.table.assign(
        where=np.where(result.table.in_set, "in the confidence set", "outside")
    )
    x = alt.X("start:T", title="candidate start month")
    line = (
        alt.Chart(frame)
        .mark_line(color=NEUTRAL, strokeWidth=1)
        .encode(x=x, y=alt.Y("lr:Q", title="deviance above the minimum (LR)"))
    )
    dots = (
        alt.Chart(frame)
        .mark_point(filled=True, size=70)
        .encode(
            x="start:T",
            y="lr:Q",
            color=alt.Color(
                "where:N",
                scale=alt.Scale(
                    domain=["in the confidence set", "outside"], range=[LINE, PALETTE[7]]
                ),
                legend=alt.Legend(title=None, orient="top-left"),
            ),
            tooltip=[
                alt.Tooltip("start:T", format="%Y-%m"),
                alt.Tooltip("lr:Q", format=".2f"),
                alt.Tooltip("level_change:Q", format=".2f", title="log OR of the step"),
            ],
        )
    )
    cut = (
        alt.Chart(pd.DataFrame({"c": [result.critical]}))
        .mark_rule(color=HIGHLIGHT, strokeDash=[6, 4], strokeWidth=2)
        .encode(y="c:Q")
    )
    best = _signals(frame[frame.start == result.estimate], "start", "lr", "estimate")
    layers = [line, dots, cut, best]
    if truth is not None:
        layers.append(_start_rule(truth, "true start"))
    else:
        layers.append(_start_rule(result.estimate, "estimate"))
    s = result.confidence_set
    subtitle = [
        f"dashed: cut-off {result.critical:.2f} ({result.level:.0%} set: "
        f"{min(s):%Y-%m} to {max(s):%Y-%m}, {len(s)} of {len(frame)} months); "
        f"diamond: estimate {result.estimate:%Y-%m}",
        "step-and-trend model" if result.trend else "step-only model",
    ]
    out = alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=WIDTH, height=HEIGHT
    )
    return configure(out)
