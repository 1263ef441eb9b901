"""Charts for monitoring over time: run chart, p-chart, VLAD, CUSUM, ITS and the
change-point profile.

Each function draws what :mod:`saz_geboortezorg.monitor` computed; nothing is
recalculated here. Each takes the monitoring result (:class:`~saz_geboortezorg.monitor.spc.RunChart`,
:class:`~saz_geboortezorg.monitor.spc.PChart`, :class:`~saz_geboortezorg.monitor.unit.UnitMonitor`,
:class:`~saz_geboortezorg.monitor.unit.CusumChart`, :class:`~saz_geboortezorg.monitor.its.ITSResult`,
:class:`~saz_geboortezorg.monitor.change_point.ChangePoint`; the results' ``.chart()`` calls
them), and the run, p, VLAD and CUSUM charts also their former arguments (periods or dates
and the tables). Signals are marked twice (colour and a larger diamond) so they
stay visible without colour; the palette is Okabe-Ito.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

if TYPE_CHECKING:
    from saz_geboortezorg.monitor.change_point import ChangePoint
    from saz_geboortezorg.monitor.its import ITSResult
    from saz_geboortezorg.monitor.spc import PChart, RunChart
    from saz_geboortezorg.monitor.unit import CusumChart, UnitMonitor

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


def _series(frame, x, y, y_title, x_title, fmt=None, xtype="T"):
    import altair as alt

    axis = alt.Axis(format=fmt) if fmt else alt.Axis()
    base = alt.Chart(frame).encode(x=alt.X(f"{x}:{xtype}", title=x_title))
    line = base.mark_line(color=LINE, strokeWidth=2).encode(
        y=alt.Y(f"{y}:Q", title=y_title, axis=axis)
    )
    points = base.mark_point(filled=True, size=45, color=LINE).encode(y=f"{y}:Q")
    return base, line, points


def _signals(frame, x, y, label="signal", xtype="T"):
    import altair as alt

    return (
        alt.Chart(frame.assign(what=label))
        .mark_point(shape="diamond", filled=True, size=170, color=HIGHLIGHT)
        .encode(
            x=f"{x}:{xtype}",
            y=f"{y}:Q",
            tooltip=[f"{x}:{xtype}", alt.Tooltip(f"{y}:Q", format=".4f")],
        )
    )


def _with_periods(table: pd.DataFrame, periods: Any) -> tuple[pd.DataFrame, str, str | None]:
    """``table`` with a ``period`` column (x type ``T``) from ``periods``, else its own
    ``period`` column, else the period number 1, 2, ... (x type ``Q``)."""
    if periods is not None:
        dates = pd.to_datetime(list(periods))
        if len(dates) != len(table):
            raise SpecError(f"{len(dates)} periods for a chart of {len(table)} periods")
        return table.assign(period=dates), "T", None
    if "period" in table:
        return table.assign(period=pd.to_datetime(table["period"])), "T", None
    return table.assign(period=np.arange(1, len(table) + 1)), "Q", "period number"


def run_chart_plot(
    result: RunChart | Any,
    points: pd.DataFrame | None = None,
    summary: dict | None = None,
    *,
    periods: Any = None,
    title: str = "Run chart",
    y_title: str = "value",
) -> Any:
    """Run chart: values over time, the median, and points in a shift (or trend) marked.

    The subtitle gives the longest run and the number of crossings with their limits,
    the rules applied and the signals.

    Parameters
    ----------
    result : RunChart
        Output of :func:`saz_geboortezorg.monitor.spc.run_chart` (its ``.chart()`` calls
        this). The former call ``run_chart_plot(periods, points, summary)`` (the periods,
        the points table and the statistics as a dict) still works.
    periods : sequence of dates, optional
        The period of each point; default the table's ``period`` column, else the point
        number.
    title : str
    y_title : str
        Axis title (e.g. ``"rate (%)"`` when the values are percentages).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.monitor.spc import run_chart
    >>> months = pd.date_range("2022-01-01", periods=10, freq="MS")
    >>> rc = run_chart([3, 4, 3, 5, 6, 7, 8, 9, 9, 9], periods=months)
    >>> len(run_chart_plot(rc).to_dict()["layer"])
    4
    """
    import altair as alt

    if points is not None:  # the former call: (periods, points, summary)
        if summary is None:
            raise SpecError("run_chart_plot(periods, points, summary) needs the summary too")
        periods, table, stats = result, points, summary
    else:
        table = result.table
        stats = result.statistics()
    frame, xtype, x_title = _with_periods(table, periods)
    _, line, dots = _series(frame, "period", "value", y_title, x_title, xtype=xtype)
    median = (
        alt.Chart(frame)
        .mark_line(color=NEUTRAL, strokeDash=[6, 4])
        .encode(x=f"period:{xtype}", y="median:Q")
    )
    sig = _signals(frame[frame.signal], "period", "value", xtype=xtype)
    crossings = (
        f"longest run {stats['longest_run']} (signal above {stats['longest_run_limit']}); "
        f"crossings {stats['crossings']} (signal below {stats['crossings_limit']})"
    )
    flags = [
        label
        for key, label in (
            ("shift", "shift"),
            ("too_few_crossings", "too few crossings"),
            ("trend", "trend"),
        )
        if stats[key]
    ]
    marked = "points in a shift or trend" if stats.get("trend_rule") else "points in a shift"
    rules = "shift, crossings" + (", trend" if stats.get("trend_rule") else "")
    subtitle = [
        f"dashed: median {stats['median']:.4g}; diamonds: {marked}; {crossings}",
        f"rules: {rules} (Anhøj); signals: {', '.join(flags) or 'none'}",
    ]
    chart = alt.layer(line, dots, median, sig).properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=WIDTH, height=HEIGHT
    )
    return configure(chart)


def p_chart_plot(
    result: PChart | Any,
    chart: PChart | pd.DataFrame | None = None,
    *,
    periods: Any = None,
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
    result : PChart
        Output of :func:`saz_geboortezorg.monitor.spc.p_chart` (its ``.chart()`` calls
        this). The former call ``p_chart_plot(periods, chart)`` still works, with
        ``chart`` a :class:`~saz_geboortezorg.monitor.spc.PChart` or a table with its
        columns (``n``, ``rate``, ``centre``, ``lcl``, ``ucl``, ``rules``, ``signal``).
    periods : sequence of dates, optional
        The period of each row; default the table's ``period`` column, else the period
        number.
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
    >>> months = pd.date_range("2022-01-01", periods=3, freq="MS")
    >>> pc = p_chart([5, 4, 20], [100, 100, 100], periods=months)
    >>> len(p_chart_plot(pc).to_dict()["layer"])
    5
    >>> len(p_chart_plot(months, pc.table).to_dict()["layer"])  # the former call
    5
    """
    import altair as alt

    if chart is not None:  # the former call: (periods, chart)
        periods, result = result, chart
    if isinstance(result, pd.DataFrame):  # a table with the p-chart's columns
        table = result
        laney = None  # from its sigma_z (Laney's limits widen the binomial ones)
    else:
        table = result.table
        laney = "Laney" in result.method
    f = 100.0 if percent else 1.0
    frame, xtype, x_title = _with_periods(table, periods)
    for c in ("rate", "centre", "lcl", "ucl"):
        frame[c] = frame[c] * f
    frame = frame[frame.n > 0]
    ytitle = "rate (%)" if percent else "rate"
    band = (
        alt.Chart(frame)
        .mark_area(color=PALETTE[1], opacity=0.25, interpolate="step")
        .encode(
            x=alt.X(f"period:{xtype}", title=x_title),
            y=alt.Y("lcl:Q", title=ytitle),
            y2="ucl:Q",
        )
    )
    centre = (
        alt.Chart(frame)
        .mark_line(color=NEUTRAL, strokeDash=[6, 4])
        .encode(x=f"period:{xtype}", y="centre:Q")
    )
    _, line, dots = _series(frame, "period", "rate", ytitle, x_title, xtype=xtype)
    sig = _signals(frame[frame.signal], "period", "rate", xtype=xtype)
    layers = [band, centre, line, dots, sig]
    if start is not None:
        if xtype != "T":
            raise SpecError("start= needs the periods as dates (periods=)")
        layers.append(_start_rule(start))
    rules = sorted({r for rs in table.rules for r in rs.split(",") if r})
    sigma_z = float(table["sigma_z"].iloc[0]) if "sigma_z" in table and len(table) else 1.0
    if laney is None:
        laney = sigma_z != 1.0
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
    result: UnitMonitor | Any,
    values: Any = None,
    *,
    title: str = "VLAD: observed minus expected",
    start: Any = None,
) -> Any:
    """VLAD line: cumulative observed minus expected events per record.

    Parameters
    ----------
    result : UnitMonitor
        Output of :func:`saz_geboortezorg.monitor.unit.monitor_unit` (its ``.chart()``
        calls this): its records' ``date`` and ``vlad``. The former call
        ``vlad_plot(dates, values)`` still works: the date of each record (time order)
        and the output of :func:`saz_geboortezorg.monitor.risk_adjusted.vlad`.
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

    if values is None:
        dates, values = result.table["date"], result.table["vlad"]
    else:  # the former call: (dates, values)
        dates = result
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
    result: CusumChart | Any,
    cusum: pd.DataFrame | None = None,
    h: float | None = None,
    *,
    title: str = "Risk-adjusted CUSUM",
    start: Any = None,
    label: str | None = None,
) -> Any:
    """CUSUM statistic with its threshold and the signals (restarts) marked.

    Parameters
    ----------
    result : CusumChart
        One of :attr:`UnitMonitor.cusums <saz_geboortezorg.monitor.unit.UnitMonitor>`
        (its ``.chart()`` calls this); the label defaults to what it detects. The former
        call ``cusum_plot(dates, cusum, h)`` still works: the dates of the records, the
        output of :func:`saz_geboortezorg.monitor.risk_adjusted.cusum` and the
        threshold used.
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

    if cusum is None:
        frame = result.table.assign(date=pd.to_datetime(result.table["date"]))
        h = result.h
        label = result.label if label is None else label
    else:  # the former call: (dates, cusum, h)
        if h is None:
            raise SpecError("cusum_plot(dates, cusum, h) needs the threshold h")
        frame = cusum.assign(date=pd.to_datetime(list(result)))
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


def its_plot(
    result: ITSResult, *, title: str = "Interrupted time series", percent: bool = True
) -> Any:
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
        f"level change OR {np.exp(lc.estimate):.2f} "
        f"(95% CI {np.exp(lc.lcl95):.2f}-{np.exp(lc.ucl95):.2f})"
    )
    if not np.isnan(sc.lcl95):
        text += (
            f"; slope change OR/month {np.exp(sc.estimate):.3f} "
            f"({np.exp(sc.lcl95):.3f}-{np.exp(sc.ucl95):.3f})"
        )
    od = result.overdispersion
    if od.method == "quasi-binomial":
        text += f"; widened for variation between months (phi {od.phi:.2f})"
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
    result: ChangePoint,
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
        f"dashed: cut-off {result.critical:.2f} ({result.confidence:.0%} set: "
        f"{min(s):%Y-%m} to {max(s):%Y-%m}, {len(s)} of {len(frame)} months); "
        f"diamond: estimate {result.estimate:%Y-%m}",
        "step-and-trend model" if result.trend else "step-only model",
    ]
    out = alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=WIDTH, height=HEIGHT
    )
    return configure(out)
