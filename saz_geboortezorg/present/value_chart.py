"""Value charts: adjusted outcome against adjusted cost, and cost drivers per unit.

They draw only what :mod:`saz_geboortezorg.compare.value` and
:mod:`saz_geboortezorg.derive.costs` computed: the quadrant lines are the value view's
``outcome_line`` and ``cost_line`` (medians of the units by default, or the overall
means), the quadrant of each unit (``uncertain`` included) is its ``quadrant`` column,
the shares and mean costs come from the drivers table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

if TYPE_CHECKING:  # pragma: no cover
    from saz_geboortezorg.derive.costs import CostDrivers, CostSummary, PregnancyCosts

__all__ = ["value_chart", "cost_drivers_chart", "cost_summary_chart", "pregnancy_costs_chart"]


def _table(result: Any) -> pd.DataFrame:
    """The table of a result, or the DataFrame itself."""
    return result if isinstance(result, pd.DataFrame) else result.table


_UNIT_SUFFIX = {"percent": "%", "per_1000": "per 1,000"}


def _short(label: str) -> str:
    """The part of an indicator name before a colon ('Uncomplicated birth')."""
    return label.split(":")[0].strip()


def _highlights(highlight: str | list[str] | None) -> set[str]:
    return {str(h) for h in ([highlight] if isinstance(highlight, str) else highlight or [])}


def _place_labels(
    px: Any,
    py: Any,
    texts: list[str],
    bold: list[bool],
    width: float,
    height: float,
    show: list[bool] | None = None,
    lines: tuple[float, float] | None = None,
) -> tuple[list[float], list[float], list[str]]:
    """Pixel offsets and alignment of point labels, greedily avoiding overlaps.

    Only labels with ``show`` are placed (all dots, and the vertical and horizontal
    line at ``lines`` = (x, y) pixels, are obstacles); highlighted labels are placed
    first. Each label tries positions around its dot and
    takes the first that overlaps no dot and no label placed before it (else the one
    with the least overlap).
    """

    candidates = [
        (9, -10, "left"),
        (9, 10, "left"),
        (-9, -10, "right"),
        (-9, 10, "right"),
        (11, 0, "left"),
        (-11, 0, "right"),
        (9, -22, "left"),
        (9, 22, "left"),
        (-9, -22, "right"),
        (-9, 22, "right"),
    ]
    n = len(texts)
    boxes: list[tuple[float, float, float, float]] = [
        (px[i] - 6, py[i] - 6, px[i] + 6, py[i] + 6) for i in range(n)
    ]
    if lines is not None:
        boxes += [(lines[0] - 1, 0, lines[0] + 1, height), (0, lines[1] - 1, width, lines[1] + 1)]
    out_dx, out_dy, out_align = [0.0] * n, [0.0] * n, ["left"] * n

    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return max(w, 0) * max(h, 0)

    shown = [i for i in range(n) if show is None or show[i]]
    for i in sorted(shown, key=lambda k: (not bold[k], py[k])):
        char = 9.0 if bold[i] else 7.6
        w, h = char * len(texts[i]), 16.0 if bold[i] else 14.0
        best, best_cost = None, np.inf
        for dx, dy, align in candidates:
            x0 = px[i] + dx if align == "left" else px[i] + dx - w
            box = (x0, py[i] + dy - h / 2, x0 + w, py[i] + dy + h / 2)
            cost = sum(overlap(box, b) for j, b in enumerate(boxes) if j != i)
            outside = (box[0] < 0) or (box[2] > width) or (box[1] < 0) or (box[3] > height)
            cost += 1e4 if outside else 0
            if cost < best_cost:
                best, best_cost = (dx, dy, align, box), cost
            if cost == 0:
                break
        dx, dy, align, box = best
        out_dx[i], out_dy[i], out_align[i] = dx, dy, align
        boxes.append(box)
    return out_dx, out_dy, out_align


def value_chart(
    view: Any,
    highlight: str | list[str] | None = None,
    *,
    labels: bool | None = None,
    intervals: bool | None = None,
) -> Any:
    """Scatter of adjusted outcome (y) against adjusted cost per pregnancy (x).

    Dashed lines at the view's quadrant lines (``view.cut``: the units' medians or the
    overall means, said in the subtitle) split the plane into quadrants, each unit is
    labelled, thin bars show the 95% intervals, units whose quadrant is ``uncertain``
    (an interval contains a line) are drawn hollow, and ``highlight`` units are drawn
    in the highlight colour.

    Parameters
    ----------
    view : ValueView
        From :func:`saz_geboortezorg.compare.value.value_view`.
    highlight : str or list of str, optional
        Unit(s) to highlight ('my hospital').
    labels, intervals : bool, optional
        Label every unit / draw every unit's intervals; by default only with up to 25
        units (with more, only the highlighted units get them).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.compare.value import ValueView
    >>> t = pd.DataFrame({"unit": ["A", "B"], "outcome_rate": [40.0, 30.0],
    ...     "outcome_lcl95": [35.0, 25.0], "outcome_ucl95": [45.0, 35.0],
    ...     "adjusted_cost": [2800.0, 3400.0], "adjusted_cost_lcl95": [2600.0, 3200.0],
    ...     "adjusted_cost_ucl95": [3000.0, 3600.0],
    ...     "quadrant": ["better outcome, lower cost", "worse outcome, higher cost"]})
    >>> v = ValueView(t, "uncomplicated_birth", "Uncomplicated birth", "percent", "higher",
    ...               False, "crude", 35.0, 3100.0, "hospital")
    >>> spec = value_chart(v, highlight="B").to_dict()
    >>> spec["layer"][0]["encoding"]["x"]["title"]
    'Case-mix adjusted cost per pregnancy (EUR)'
    """
    import altair as alt

    t = view.table
    data = pd.DataFrame(
        {
            "unit": t["unit"].astype(str).to_numpy(),
            "outcome": pd.to_numeric(t["outcome_rate"]).to_numpy(dtype=float),
            "outcome_lcl95": pd.to_numeric(t["outcome_lcl95"]).to_numpy(dtype=float),
            "outcome_ucl95": pd.to_numeric(t["outcome_ucl95"]).to_numpy(dtype=float),
            "cost": pd.to_numeric(t["adjusted_cost"]).to_numpy(dtype=float),
            "cost_lcl95": pd.to_numeric(t["adjusted_cost_lcl95"]).to_numpy(dtype=float),
            "cost_ucl95": pd.to_numeric(t["adjusted_cost_ucl95"]).to_numpy(dtype=float),
            "quadrant": t["quadrant"].astype(str).to_numpy(),
        }
    ).dropna(subset=["outcome", "cost"])
    data["is_highlight"] = data["unit"].isin(_highlights(highlight))
    data = data.sort_values("is_highlight", kind="stable").reset_index(drop=True)
    few = len(data) <= 25
    data["show_label"] = data["is_highlight"] | (few if labels is None else labels)
    data["show_interval"] = data["is_highlight"] | (few if intervals is None else intervals)

    suffix = _UNIT_SUFFIX.get(view.outcome_unit, view.outcome_unit)
    how = "case-mix adjusted" if view.outcome_adjusted else "crude, not adjusted"
    y_title = f"{_short(view.outcome_label)} ({suffix}, {how})"
    x_title = "Case-mix adjusted cost per pregnancy (EUR)"
    excluded = getattr(view, "cost_excluded", ())
    if excluded:
        x_title = f"Case-mix adjusted cost per pregnancy (EUR, without {', '.join(excluded)})"

    # Axis ranges cover the dots, the quadrant lines and the intervals drawn.
    iv = data[data["show_interval"]]
    outcome_line, cost_line = view.outcome_line, view.cost_line
    data["is_uncertain"] = data["quadrant"] == "uncertain"
    data["fill"] = np.where(
        data["is_uncertain"], "white", np.where(data["is_highlight"], HIGHLIGHT, PALETTE[4])
    )
    xs = [*data["cost"], *iv["cost_lcl95"], *iv["cost_ucl95"], cost_line]
    ys = [*data["outcome"], *iv["outcome_lcl95"], *iv["outcome_ucl95"], outcome_line]
    xpad, ypad = 0.04 * (max(xs) - min(xs) or 1), 0.06 * (max(ys) - min(ys) or 1)
    xdom = [min(xs) - xpad, max(xs) + xpad]
    ydom = [min(ys) - ypad, max(ys) + ypad]
    # Labels placed beside their dot where they overlap nothing (pixel geometry only).
    width, height = 620, 460
    px = (data["cost"] - xdom[0]) / (xdom[1] - xdom[0]) * width
    py = (ydom[1] - data["outcome"]) / (ydom[1] - ydom[0]) * height
    dx, dy, align = _place_labels(
        px.to_numpy(),
        py.to_numpy(),
        data["unit"].tolist(),
        data["is_highlight"].tolist(),
        width,
        height,
        show=data["show_label"].tolist(),
        lines=(
            (cost_line - xdom[0]) / (xdom[1] - xdom[0]) * width,
            (ydom[1] - outcome_line) / (ydom[1] - ydom[0]) * height,
        ),
    )
    dx, dy = np.asarray(dx), np.asarray(dy)
    data["label_x"] = data["cost"] + dx * (xdom[1] - xdom[0]) / width
    data["label_y"] = data["outcome"] - dy * (ydom[1] - ydom[0]) / height
    data["label_align"] = align
    xscale = alt.Scale(domain=xdom, nice=False, zero=False)
    yscale = alt.Scale(domain=ydom, nice=False, zero=False)
    colour = alt.condition(alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[4]))
    tooltip = [
        alt.Tooltip("unit:N"),
        alt.Tooltip("outcome:Q", format=".1f", title=f"outcome ({suffix})"),
        alt.Tooltip("outcome_lcl95:Q", format=".1f"),
        alt.Tooltip("outcome_ucl95:Q", format=".1f"),
        alt.Tooltip("cost:Q", format=",.0f", title="adjusted cost (EUR)"),
        alt.Tooltip("cost_lcl95:Q", format=",.0f"),
        alt.Tooltip("cost_ucl95:Q", format=",.0f"),
        alt.Tooltip("quadrant:N"),
    ]
    base = alt.Chart(data)
    x = alt.X("cost:Q", title=x_title, scale=xscale, axis=alt.Axis(format=",.0f", tickCount=8))
    y = alt.Y("outcome:Q", title=y_title, scale=yscale)
    points = base.mark_point(filled=True, opacity=1, strokeWidth=2).encode(
        x=x,
        y=y,
        color=colour,
        stroke=colour,
        fill=alt.Fill("fill:N", scale=None, legend=None),
        size=alt.condition(alt.datum.is_highlight, alt.value(260), alt.value(110)),
        shape=alt.condition(alt.datum.is_highlight, alt.value("diamond"), alt.value("circle")),
        tooltip=tooltip,
    )
    interval_colour = alt.condition(
        alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value("#9DB8D3")
    )
    shown = base.transform_filter(alt.datum.show_interval)
    xbars = shown.mark_rule(strokeWidth=1.2, opacity=0.7).encode(
        x=alt.X("cost_lcl95:Q", scale=xscale), x2="cost_ucl95:Q", y=y, color=interval_colour
    )
    ybars = shown.mark_rule(strokeWidth=1.2, opacity=0.7).encode(
        y=alt.Y("outcome_lcl95:Q", scale=yscale), y2="outcome_ucl95:Q", x=x, color=interval_colour
    )
    text_layers = []
    for side in ("left", "right"):
        for hl in (False, True):
            style = (
                {"fontSize": 15, "fontWeight": "bold", "color": HIGHLIGHT}
                if hl
                else {"fontSize": 13, "color": NEUTRAL}
            )
            cond = alt.datum.label_align == side
            cond = cond & (alt.datum.is_highlight if hl else ~alt.datum.is_highlight)
            cond = cond & alt.datum.show_label
            text_layers.append(
                base.transform_filter(cond)
                .mark_text(align=side, baseline="middle", **style)
                .encode(
                    x=alt.X("label_x:Q", scale=xscale),
                    y=alt.Y("label_y:Q", scale=yscale),
                    text="unit:N",
                )
            )
    lines = pd.DataFrame({"cost_line": [cost_line], "outcome_line": [outcome_line]})
    vline = (
        alt.Chart(lines)
        .mark_rule(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(x=alt.X("cost_line:Q", scale=xscale))
    )
    hline = (
        alt.Chart(lines)
        .mark_rule(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(y=alt.Y("outcome_line:Q", scale=yscale))
    )
    # Corner captions: which quadrant is which (cost: lower is better).
    if view.better == "neither":
        top, bottom = "higher rate", "lower rate"
    else:
        top, bottom = (
            ("better outcome", "worse outcome")
            if view.better == "higher"
            else ("worse outcome", "better outcome")
        )
    corners = pd.DataFrame(
        {
            "x": [xdom[0], xdom[1], xdom[0], xdom[1]],
            "y": [ydom[1], ydom[1], ydom[0], ydom[0]],
            "text": [
                f"{top}, lower cost",
                f"{top}, higher cost",
                f"{bottom}, lower cost",
                f"{bottom}, higher cost",
            ],
            "align": ["left", "right", "left", "right"],
            "baseline": ["top", "top", "bottom", "bottom"],
        }
    )
    corner_layers = [
        alt.Chart(corners[(corners["align"] == a) & (corners["baseline"] == b)])
        .mark_text(align=a, baseline=b, dx=6 if a == "left" else -6, fontSize=12, color="#777777")
        .encode(x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), text="text:N")
        for a in ("left", "right")
        for b in ("top", "bottom")
    ]
    n_uncertain = int(data["is_uncertain"].sum())
    subtitle = [
        f"Dashed lines: {view.cut_text} ({outcome_line:.1f}"
        f"{suffix if suffix == '%' else ' ' + suffix}; "
        f"EUR {cost_line:,.0f}). Bars: 95% intervals"
        + ("." if data["show_interval"].all() else " (highlighted units)."),
        f"Hollow: uncertain, a 95% interval crosses a line ({n_uncertain} of {len(data)} "
        f"{view.unit_type}s); no quadrant is claimed for them.",
        f"Outcome: {view.outcome_method}.",
    ]
    chart = alt.layer(points, xbars, ybars, vline, hline, *corner_layers, *text_layers).properties(
        width=width,
        height=height,
        title=alt.TitleParams(
            f"Value: {_short(view.outcome_label)} against cost, per {view.unit_type}",
            subtitle=subtitle,
            anchor="start",
        ),
    )
    return configure(chart)


def cost_drivers_chart(
    drivers: CostDrivers | pd.DataFrame, highlight: str | list[str] | None = None
) -> Any:
    """Cost drivers per unit: share of pregnancies with each driver, and their mean cost.

    Left: one dot per unit for each driver's share (tick: all units together). Right:
    mean cost per pregnancy with the driver, one dot per unit, next to the mean
    without it (hollow). ``highlight`` units are drawn in the highlight colour.

    Parameters
    ----------
    drivers : CostDrivers or DataFrame
        From :func:`saz_geboortezorg.derive.costs.cost_drivers` (or its ``table``).
    highlight : str or list of str, optional

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A", "B"], "driver": ["caesarean"] * 2,
    ...     "label": ["Caesarean section"] * 2, "n": [100, 200], "count": [10, 40],
    ...     "share": [0.1, 0.2], "share_lcl95": [0.05, 0.15], "share_ucl95": [0.17, 0.26],
    ...     "overall_share": [0.1667] * 2, "mean_cost": [3000.0, 3500.0],
    ...     "mean_cost_with": [6000.0, 6500.0], "mean_cost_without": [2700.0, 2750.0],
    ...     "cost_share": [0.2, 0.37]})
    >>> spec = cost_drivers_chart(d, highlight="A").to_dict()
    >>> len(spec["hconcat"])
    2
    """
    import altair as alt

    data = _table(drivers).copy()
    data["unit"] = data["unit"].astype(str)
    data["is_highlight"] = data["unit"].isin(_highlights(highlight))
    order = list(dict.fromkeys(data["label"]))
    colour = alt.condition(alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[4]))
    size = alt.condition(alt.datum.is_highlight, alt.value(200), alt.value(70))
    opacity = alt.condition(alt.datum.is_highlight, alt.value(1.0), alt.value(0.55))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("unit:N"),
        alt.Tooltip("label:N", title="driver"),
        alt.Tooltip("share:Q", format=".1%"),
        alt.Tooltip("share_lcl95:Q", format=".1%"),
        alt.Tooltip("share_ucl95:Q", format=".1%"),
        alt.Tooltip("mean_cost_with:Q", format=",.0f", title="mean cost with (EUR)"),
        alt.Tooltip("mean_cost_without:Q", format=",.0f", title="mean cost without (EUR)"),
        alt.Tooltip("cost_share:Q", format=".0%", title="share of cost"),
    ]
    base = alt.Chart(data)
    # Highlighted units last, so they are drawn on top.
    ordered = alt.Order("is_highlight:N", sort="ascending")
    share = alt.layer(
        base.mark_tick(color=NEUTRAL, thickness=3, size=26).encode(x=alt.X("overall_share:Q"), y=y),
        base.mark_point(filled=True).encode(
            x=alt.X("share:Q", title="Share of pregnancies", axis=alt.Axis(format=".0%")),
            y=y,
            color=colour,
            size=size,
            opacity=opacity,
            order=ordered,
            tooltip=tooltip,
        ),
    ).properties(width=380, height=alt.Step(40), title="Share of pregnancies (tick: all units)")
    cost = alt.layer(
        base.mark_point(filled=False, strokeWidth=1.5).encode(
            x=alt.X("mean_cost_without:Q"),
            y=alt.Y("label:N", sort=order, title=None, axis=None),
            color=colour,
            size=size,
            opacity=opacity,
            order=ordered,
            tooltip=tooltip,
        ),
        base.mark_point(filled=True).encode(
            x=alt.X(
                "mean_cost_with:Q",
                title="Mean cost per pregnancy (EUR, log scale)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(format=",.0f"),
            ),
            y=alt.Y("label:N", sort=order, title=None, axis=None),
            color=colour,
            size=size,
            opacity=opacity,
            order=ordered,
            tooltip=tooltip,
        ),
    ).properties(width=380, height=alt.Step(40), title="Mean cost: with (filled), without (hollow)")
    subtitle = "One dot per unit"
    if data["is_highlight"].any():
        subtitle += f"; highlighted: {', '.join(sorted(_highlights(highlight)))}"
    chart = alt.hconcat(share, cost).properties(
        title=alt.TitleParams("Cost drivers per unit", subtitle=subtitle, anchor="start")
    )
    return configure(chart)


_PART_LABELS = {
    "first_line": "First line (midwife)",
    "second_line": "Second line (hospital)",
    "pregnancy": "Pregnancy",
    "birth": "Birth",
    "postpartum": "Postpartum",
}


def cost_summary_chart(
    summary: CostSummary | pd.DataFrame,
    split: str = "line",
    highlight: str | list[str] | None = None,
) -> Any:
    """Mean cost per pregnancy per unit as stacked bars, split by line or care phase.

    The black bar on each stack is the 95% interval of the unit's mean total cost.
    Units are sorted by mean total cost; ``highlight`` units are drawn fully opaque
    and the others lighter.

    Parameters
    ----------
    summary : CostSummary or DataFrame
        From :func:`saz_geboortezorg.derive.costs.cost_summary` (or its ``table``).
    split : str
        ``line`` (first and second line) or ``phase`` (pregnancy, birth, postpartum).
    highlight : str or list of str, optional

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"unit": ["A"] * 3, "split": ["total", "line", "line"],
    ...     "part": ["total", "first_line", "second_line"], "n": [10] * 3,
    ...     "mean": [3000.0, 1000.0, 2000.0], "sd": [900.0, 300.0, 800.0],
    ...     "lcl95": [2450.0, 815.0, 1500.0], "ucl95": [3550.0, 1185.0, 2500.0],
    ...     "share": [1.0, 1 / 3, 2 / 3]})
    >>> spec = cost_summary_chart(s, split="line").to_dict()
    >>> spec["layer"][0]["mark"]["type"]
    'bar'
    """
    import altair as alt

    if split not in ("line", "phase"):
        raise ValueError(f"split must be 'line' or 'phase', not {split!r}")
    summary = _table(summary)
    data = summary[summary["split"] == split].copy()
    total = summary[summary["part"] == "total"].copy()
    for frame in (data, total):
        frame["unit"] = frame["unit"].astype(str)
        frame["is_highlight"] = frame["unit"].isin(_highlights(highlight))
    data["part_label"] = data["part"].map(_PART_LABELS).fillna(data["part"])
    parts = list(dict.fromkeys(data["part_label"]))
    data["part_order"] = data["part_label"].map({p: i for i, p in enumerate(parts)})
    order = total.sort_values(["mean", "unit"], ascending=[False, True])["unit"].tolist()
    any_highlight = bool(total["is_highlight"].any())
    opacity = (
        alt.condition(alt.datum.is_highlight, alt.value(1.0), alt.value(0.55))
        if any_highlight
        else alt.value(0.9)
    )
    y = alt.Y("unit:N", sort=order, title=None)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "mean:Q",
                stack="zero",
                title="Mean cost per pregnancy (EUR, not adjusted)",
                axis=alt.Axis(format=",.0f"),
            ),
            y=y,
            color=alt.Color(
                "part_label:N",
                sort=parts,
                scale=alt.Scale(domain=parts, range=[PALETTE[2], PALETTE[4], PALETTE[0]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            order=alt.Order("part_order:Q"),
            opacity=opacity,
            tooltip=[
                alt.Tooltip("unit:N"),
                alt.Tooltip("part_label:N", title="part"),
                alt.Tooltip("mean:Q", format=",.0f", title="mean (EUR)"),
                alt.Tooltip("share:Q", format=".0%"),
                alt.Tooltip("n:Q"),
            ],
        )
    )
    interval = (
        alt.Chart(total)
        .mark_rule(color="black", strokeWidth=2)
        .encode(x="lcl95:Q", x2="ucl95:Q", y=y)
    )
    labels = (
        alt.Chart(total)
        .transform_filter(alt.datum.is_highlight)
        .mark_text(align="left", dx=8, fontSize=13, fontWeight="bold", color=HIGHLIGHT)
        .encode(x="ucl95:Q", y=y, text="unit:N")
    )
    what = "line of care" if split == "line" else "care phase"
    chart = alt.layer(bars, interval, labels).properties(
        width=560,
        height=alt.Step(24),
        title=alt.TitleParams(
            f"Mean cost per pregnancy by {what}",
            subtitle="Black bar: 95% interval of the mean total cost (crude, all claims linked)",
            anchor="start",
        ),
    )
    return configure(chart)


def pregnancy_costs_chart(costs: PregnancyCosts | pd.DataFrame, *, top: int = 12) -> Any:
    """Mean cost per pregnancy by care product group (zorgproduct), largest first.

    The mean is over the pregnancies with linked claims (a pregnancy without claims has
    unknown costs and is left out), so the bars add up to the mean total cost.

    Parameters
    ----------
    costs : PregnancyCosts or DataFrame
        From :func:`saz_geboortezorg.derive.costs.cost_per_pregnancy` (or its
        ``table``: the ``product_<group>`` columns are drawn).
    top : int
        Product groups drawn; the rest are summed as "other products".

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"n_claims": [2, 1, 0], "product_a": [100.0, 300.0, None],
    ...     "product_b": [50.0, 0.0, None]})
    >>> spec = pregnancy_costs_chart(t).to_dict()
    >>> spec["mark"]["type"], [r["mean"] for r in spec["datasets"][spec["data"]["name"]]]
    ('bar', [200.0, 25.0])
    """
    import altair as alt

    table = _table(costs)
    products = [c for c in table.columns if c.startswith("product_")]
    if not products:
        raise ValueError("the cost table has no product_<group> columns")
    claimed = table[pd.to_numeric(table["n_claims"], errors="coerce") > 0]
    means = claimed[products].mean().sort_values(ascending=False, kind="stable")
    shown = means.iloc[:top]
    rest = float(means.iloc[top:].sum())
    data = pd.DataFrame(
        {"product": [p.removeprefix("product_").upper() for p in shown.index], "mean": shown}
    ).reset_index(drop=True)
    if len(means) > top:
        data.loc[len(data)] = ["other products", rest]
    chart = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[4])
        .encode(
            x=alt.X(
                "mean:Q",
                title="Mean cost per pregnancy with claims (EUR)",
                axis=alt.Axis(format=",.0f"),
            ),
            y=alt.Y("product:N", sort=None, title="care product group"),
            tooltip=[alt.Tooltip("product:N"), alt.Tooltip("mean:Q", format=",.0f")],
        )
        .properties(
            width=520,
            height=alt.Step(22),
            title=alt.TitleParams(
                "Mean cost per pregnancy by care product",
                subtitle=f"{len(claimed):,} pregnancies with linked claims",
                anchor="start",
            ),
        )
    )
    return configure(chart)
