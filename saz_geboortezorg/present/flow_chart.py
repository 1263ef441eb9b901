"""Charts of the care flows in :mod:`saz_geboortezorg.derive.flows`.

:func:`flow_chart` draws a Sankey-style flow diagram from :func:`flow_links`: one
column of stacked blocks per stage of the care path and bands between the columns
whose widths are proportional to the number of women. Altair has no Sankey mark, so
the chart is layered from rectangles (blocks), areas (bands) and text (labels).
:func:`referral_reasons_chart` shows why women were referred, per unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.present.stacked_shares import level_name, marked, stacked_shares_chart
from saz_geboortezorg.present.style import PALETTE, configure
from saz_geboortezorg.schema.care_path import CATEGORIES, STAGES

if TYPE_CHECKING:  # pragma: no cover
    from saz_geboortezorg.derive.flows import CareFlows, FlowLinks, ReferralReasons

__all__ = [
    "flow_chart",
    "flow_layout",
    "flow_shares_chart",
    "referral_reasons_chart",
    "referral_funnel_chart",
    "NODE_COLOURS",
]


def _field(result: Any, name: str) -> Any:
    """A field of a result; None for a plain DataFrame (whose attributes are columns)."""
    return None if isinstance(result, pd.DataFrame) else getattr(result, name, None)


def _table(result: Any) -> pd.DataFrame:
    """The table of a result, or the DataFrame itself."""
    return result if isinstance(result, pd.DataFrame) else result.table


_GREEN, _ORANGE, _BLUE, _SKY, _PURPLE = PALETTE[2], PALETTE[0], PALETTE[4], PALETTE[1], PALETTE[6]
_YELLOW, _VERMILLION, _GREY = PALETTE[3], PALETTE[5], PALETTE[7]

#: Block colours (Okabe-Ito): green = first line (and home birth, spontaneous birth),
#: orange = referral, blues = second line (and hospital birth), purple/vermillion =
#: caesarean, grey = unknown.
NODE_COLOURS: dict[str, dict[str, str]] = {
    "start": {"first_line": _GREEN, "second_line": _BLUE},
    "pregnancy": {"first_line": _GREEN, "referred": _ORANGE, "second_line": _BLUE},
    "labour": {
        "first_line": _GREEN,
        "referred": _ORANGE,
        "second_line_spontaneous": _BLUE,
        "second_line_induced": _SKY,
        "no_labour": _PURPLE,
    },
    "place": {
        "home": _GREEN,
        "birth_centre": _YELLOW,
        "hospital_midwife": _SKY,
        "hospital_obstetrician": _BLUE,
    },
    "mode": {
        "spontaneous": _GREEN,
        "instrumental": _YELLOW,
        "intrapartum_cs": _VERMILLION,
        "prelabour_cs": _PURPLE,
    },
    "postpartum": {"first_line": _GREEN, "referred": _ORANGE, "second_line": _BLUE},
}

_NODE_WIDTH = 0.06  # in stage columns
_GAP = 0.025  # gap between blocks, as a share of the women drawn


def _colour(stage: str, category: str) -> str:
    return NODE_COLOURS.get(stage, {}).get(category, _GREY)


def _links_meta(
    links: FlowLinks | pd.DataFrame,
    stages: list[str] | None,
    women: int | None,
    follow: str | None,
) -> tuple[pd.DataFrame, list[str], float, str | None]:
    """(table, stages, women, follow) of a :class:`FlowLinks` result or its table: the
    keyword arguments win, then the result's fields, then what the table shows."""
    frame = _table(links)
    stages = stages or _field(links, "stages")
    if not stages:
        stages = list(dict.fromkeys([*frame.source_stage, *frame.target_stage]))
    women = women or _field(links, "women") or frame[frame.step == 0]["n"].sum()
    follow = follow if follow is not None else _field(links, "follow")
    return frame, list(stages), float(women), follow


def flow_layout(
    links: FlowLinks | pd.DataFrame,
    *,
    stages: list[str] | None = None,
    women: int | None = None,
    follow: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Positions of the blocks and bands of a flow diagram (used by :func:`flow_chart`).

    Parameters
    ----------
    links : FlowLinks or DataFrame
        From :func:`saz_geboortezorg.derive.flows.flow_links` (or its ``table``).
    stages, women, follow : optional
        The result's fields, for a plain table (default: the result's, else the
        stages and number of women the table shows, and no ``follow``).

    Returns
    -------
    (nodes, bands) : tuple of DataFrame
        ``nodes``: one row per non-empty category of every stage with ``column``
        (stage number), ``y0``/``y1`` (vertical extent, in women, top = 0), ``n`` and
        ``pct``. ``bands``: the outline of every link as points ``x``, ``top``,
        ``bottom`` (a smooth curve), with ``link`` (an id), ``n`` and the labels.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.derive.flows import flow_links
    >>> w = pd.DataFrame({"start_line": [1, 1, 2], "referral_pregnancy": [0, 1, 0]})
    >>> nodes, bands = flow_layout(flow_links(w, stages=["start", "pregnancy"]))
    >>> nodes[["stage", "category", "n"]]
           stage     category  n
    0      start   first_line  2
    1      start  second_line  1
    2  pregnancy   first_line  1
    3  pregnancy     referred  1
    4  pregnancy  second_line  1
    """
    links, stages, total, follow = _links_meta(links, stages, women, follow)
    gap = _GAP * total
    rank = {(s, c): i for s in CATEGORIES for i, c in enumerate(CATEGORIES[s])}
    rows = []
    for column, stage in enumerate(stages):
        if column < len(stages) - 1:
            part = links[links.source_stage == stage].groupby("source", sort=False)
            sizes = part["n"].sum()
            labels = part[["source_en", "source_nl"]].first()
        else:
            part = links[links.target_stage == stage].groupby("target", sort=False)
            sizes = part["n"].sum()
            labels = part[["target_en", "target_nl"]].first()
        labels.columns = ["label_en", "label_nl"]
        cats = sorted(sizes.index, key=lambda c: rank[(stage, c)])
        y = 0.0
        for cat in cats:
            n = int(sizes[cat])
            rows.append(
                {
                    "stage": stage,
                    "category": cat,
                    "column": column,
                    "y0": y,
                    "y1": y + n,
                    "n": n,
                    "pct": 100 * n / total if total else np.nan,
                    "label_en": labels.loc[cat, "label_en"],
                    "label_nl": labels.loc[cat, "label_nl"],
                    "colour": _colour(stage, cat),
                }
            )
            y += n + gap
    nodes = pd.DataFrame(rows)
    top = {(r.stage, r.category): r.y0 for r in nodes.itertuples()}
    column_of = {s: i for i, s in enumerate(stages)}
    # stack the bands inside each block: by the rank of the other end
    groups = links["group"] if "group" in links.columns else pd.Series("", index=links.index)
    ordered = links.assign(
        _s=[rank[k] for k in zip(links.source_stage, links.source, strict=True)],
        _t=[rank[k] for k in zip(links.target_stage, links.target, strict=True)],
        _g=[rank.get((follow, g), 0) for g in groups],
        grp_key=groups,
    )
    out_offset = dict(top)
    in_offset = dict(top)
    t = np.linspace(0.0, 1.0, 24)
    smooth = t * t * (3 - 2 * t)
    parts = []
    for i, row in enumerate(ordered.sort_values(["step", "_s", "_t", "_g"]).itertuples()):
        s_key, t_key = (row.source_stage, row.source), (row.target_stage, row.target)
        ys, yt = out_offset[s_key], in_offset[t_key]
        out_offset[s_key] += row.n
        in_offset[t_key] += row.n
        x0 = column_of[row.source_stage] + _NODE_WIDTH
        x1 = column_of[row.target_stage]
        parts.append(
            pd.DataFrame(
                {
                    "link": i,
                    "x": x0 + t * (x1 - x0),
                    "top": ys + (yt - ys) * smooth,
                    "bottom": ys + row.n + (yt - ys) * smooth,
                    "n": row.n,
                    "pct": row.pct,
                    "source_en": row.source_en,
                    "source_nl": row.source_nl,
                    "target_en": row.target_en,
                    "target_nl": row.target_nl,
                    "colour": (
                        _colour(follow, row.grp_key)
                        if follow
                        else _colour(row.source_stage, row.source)
                    ),
                    "group_en": getattr(row, "group_en", ""),
                    "group_nl": getattr(row, "group_nl", ""),
                }
            )
        )
    bands = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return nodes, bands


def flow_chart(
    links: FlowLinks | pd.DataFrame,
    *,
    language: str = "en",
    title: str | None = None,
    width: int = 1100,
    height: int = 520,
    min_label_pct: float = 1.0,
    stages: list[str] | None = None,
    women: int | None = None,
    follow: str | None = None,
) -> Any:
    """A flow diagram of the care path: who goes where, from start of care to postpartum.

    Parameters
    ----------
    links : FlowLinks or DataFrame
        From :func:`saz_geboortezorg.derive.flows.flow_links` (or its ``table``).
    language : {"en", "nl"}
        Language of stage names and labels.
    title : str, optional
        Chart title; default names the unit and the number of women.
    width, height : int
        Size in pixels.
    min_label_pct : float
        Blocks smaller than this share of the women get no label (hover shows it).
    stages, women, follow : optional
        The :class:`~saz_geboortezorg.derive.flows.FlowLinks` fields, for a plain
        table (``follow``: the stage whose categories colour the bands).

    Returns
    -------
    altair.LayerChart
        Bands (``mark_area``), blocks (``mark_rect``), labels with count and
        percentage, and a stage name above every column.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.derive.flows import flow_links
    >>> w = pd.DataFrame({"start_line": [1, 1, 2], "referral_pregnancy": [0, 1, 0]})
    >>> chart = flow_chart(flow_links(w, stages=["start", "pregnancy"]), language="nl")
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"]]
    ['area', 'rect', 'text', 'text']
    """
    import altair as alt

    if language not in ("en", "nl"):
        raise ValueError("language must be 'en' or 'nl'")
    links, stages, total, follow = _links_meta(links, stages, women, follow)
    nodes, bands = flow_layout(links, stages=stages, women=int(total), follow=follow)
    stages = list(dict.fromkeys(nodes["stage"]))
    total = int(total)
    lab = f"label_{language}"
    thousands = "." if language == "nl" else ","

    def count(n: int) -> str:
        return f"{n:,}".replace(",", thousands)

    def percent(p: float) -> str:
        text = f"{p:.0f}%" if p >= 10 or p == 0 else f"{p:.1f}%"
        return text.replace(".", ",") if language == "nl" else text

    nodes = nodes.assign(
        x0=nodes["column"],
        x1=nodes["column"] + _NODE_WIDTH,
        xt=nodes["column"] + _NODE_WIDTH + 0.02,
        ymid=(nodes["y0"] + nodes["y1"]) / 2,
        label=nodes[lab],
        numbers=[f"{count(n)} ({percent(p)})" for n, p in zip(nodes.n, nodes.pct, strict=True)],
    )
    nodes["text"] = [
        [label, numbers] if pct >= min_label_pct else []
        for label, numbers, pct in zip(nodes.label, nodes.numbers, nodes.pct, strict=True)
    ]
    span = nodes["y1"].max()
    x_scale = alt.Scale(domain=[-0.02, len(stages) - 1 + 0.75], nice=False)
    y_scale = alt.Scale(domain=[-0.06 * span, span], reverse=True, nice=False, zero=False)
    no_axis = {"axis": None}
    words = {
        "en": ("women", "from", "to", "Care flows", "women"),
        "nl": ("vrouwen", "van", "naar", "Zorgstromen", "vrouwen"),
    }[language]
    follow_name = STAGES[follow][language] if follow else ""
    band_layer = (
        alt.Chart(bands)
        .mark_area(opacity=0.35, interpolate="monotone", line=False)
        .encode(
            x=alt.X("x:Q", scale=x_scale, **no_axis),
            y=alt.Y("top:Q", scale=y_scale, **no_axis),
            y2="bottom:Q",
            detail="link:N",
            color=alt.Color("colour:N", scale=None),
            tooltip=[
                alt.Tooltip(f"source_{language}:N", title=words[1]),
                alt.Tooltip(f"target_{language}:N", title=words[2]),
                *([alt.Tooltip(f"group_{language}:N", title=follow_name)] if follow else []),
                alt.Tooltip("n:Q", title=words[0], format=","),
                alt.Tooltip("pct:Q", title="%", format=".1f"),
            ],
        )
    )
    tooltip = [
        alt.Tooltip("label:N", title=""),
        alt.Tooltip("n:Q", title=words[0], format=","),
        alt.Tooltip("pct:Q", title="%", format=".1f"),
    ]
    blocks = (
        alt.Chart(nodes)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("x0:Q", scale=x_scale, **no_axis),
            x2="x1:Q",
            y=alt.Y("y0:Q", scale=y_scale, **no_axis),
            y2="y1:Q",
            color=alt.Color("colour:N", scale=None),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(nodes)
        .mark_text(align="left", baseline="middle", fontSize=13, lineHeight=15, dy=-7)
        .encode(
            x=alt.X("xt:Q", scale=x_scale, **no_axis),
            y=alt.Y("ymid:Q", scale=y_scale, **no_axis),
            text="text",
            tooltip=tooltip,
        )
    )
    headers = pd.DataFrame(
        {
            "x": [i + _NODE_WIDTH / 2 for i in range(len(stages))],
            "y": [-0.035 * span] * len(stages),
            "text": [STAGES[s][language] for s in stages],
        }
    )
    header_layer = (
        alt.Chart(headers)
        .mark_text(align="left", baseline="middle", fontSize=15, fontWeight="bold", dx=-6)
        .encode(
            x=alt.X("x:Q", scale=x_scale, **no_axis),
            y=alt.Y("y:Q", scale=y_scale, **no_axis),
            text="text:N",
        )
    )
    unit = str(links["unit"].iloc[0]) if len(links) else "all"
    default = f"{words[3]}: {unit} ({count(total)} {words[4]})"
    heading: Any = title or default
    if follow:
        note = {
            "en": f"band colours follow the women by {follow_name.lower()} category",
            "nl": f"kleur van de stromen volgt de vrouwen per categorie {follow_name.lower()}",
        }[language]
        heading = alt.TitleParams(heading, subtitle=note)
    chart = alt.layer(band_layer, blocks, labels, header_layer).properties(
        title=heading, width=width, height=height
    )
    return configure(chart)


def _check_language(language: str) -> None:
    if language not in ("en", "nl"):
        raise ValueError("language must be 'en' or 'nl'")


def _check_moment(moment: str | None) -> None:
    from saz_geboortezorg.errors import SpecError

    if moment is not None and moment not in _MOMENT_WORDS:
        raise SpecError(f"moment must be one of {', '.join(_MOMENT_WORDS)}, not {moment!r}")


#: When a referral happened, as it reads in a title.
_MOMENT_WORDS = {
    "labour": {"en": "during labour", "nl": "durante partu"},
    "pregnancy": {"en": "in pregnancy", "nl": "in de zwangerschap"},
    "postpartum": {"en": "after birth", "nl": "post partum"},
}


@renamed_arguments(level="unit")
def referral_reasons_chart(
    table: ReferralReasons | pd.DataFrame,
    *,
    language: str = "en",
    highlight: str | None = None,
    title: str | None = None,
    moment: str | None = None,
    unit: str | None = None,
) -> Any:
    """Stacked horizontal bars: the reasons for referral as shares per unit.

    Parameters
    ----------
    table : ReferralReasons or DataFrame
        From :func:`saz_geboortezorg.derive.flows.referral_reasons` (or its ``table``).
    language : {"en", "nl"}
        Language of the labels.
    highlight : str, optional
        A unit to mark (bold label with a ► in front).
    title : str, optional
        Chart title; default: "Reasons for referral <moment>, per <level>" in the
        chosen language.
    moment : {"labour", "pregnancy", "postpartum"}, optional
        The referral moment of ``table`` (for the title); default the result's
        ``moment``; for a plain table without it the title names no moment.
    unit : str, optional
        The unit level of ``table`` (``"region"``, ``"hospital"``, ``"practice"`` or
        their ``*_id`` columns) for the axis title and the title; default the
        result's ``unit``; "unit" for a plain table without it.

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.derive.flows import referral_reasons
    >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R2"], "referral_labour": [1, 1, 1],
    ...     "referral_labour_reason": ["failure_to_progress", "meconium", "bleeding"]})
    >>> chart = referral_reasons_chart(referral_reasons(w), highlight="R2",
    ...     moment="labour", unit="region_id")
    >>> spec = chart.to_dict()
    >>> spec["mark"]["type"], spec["title"], spec["encoding"]["y"]["title"]
    ('bar', 'Reasons for referral during labour, per region', 'region')
    """

    _check_language(language)
    moment = moment if moment is not None else _field(table, "moment")
    _check_moment(moment)
    unit = unit if unit is not None else _field(table, "unit")
    table = _table(table)
    lab = f"label_{language}"
    # reasons ordered by their overall share, with 'other' and 'unknown' last
    overall = table.groupby("reason", sort=False)["n"].sum()
    tail = [r for r in ("other", "unknown") if r in overall.index]
    head = overall.drop(index=tail).sort_values(ascending=False, kind="stable").index.tolist()
    reasons = head + tail
    colours = PALETTE[:7] + ["#000000"] * max(0, len(head) - 7)
    colour_of = dict(zip(head, colours, strict=False))
    colour_of.update({"other": _GREY, "unknown": "#DDDDDD"})
    labels = table.drop_duplicates("reason").set_index("reason")[lab]
    data = table.assign(
        unit_label=[
            f"{marked(u, highlight)} (n={r})"
            for u, r in zip(table["unit"], table["referred"], strict=True)
        ],
        order=table["reason"].map({r: i for i, r in enumerate(reasons)}),
    )
    unit_name = level_name(unit, language)
    when = f" {_MOMENT_WORDS[moment][language]}" if moment else ""
    texts = {
        "en": (
            f"Reasons for referral{when}, per {unit_name}",
            "share of referred women (%)",
            "reason",
        ),
        "nl": (
            f"Redenen van verwijzing{when} per {unit_name}",
            "aandeel van verwezen vrouwen (%)",
            "reden",
        ),
    }[language]
    return stacked_shares_chart(
        data,
        label=lab,
        domain=[labels[r] for r in reasons],
        colours=[colour_of[r] for r in reasons],
        x_title=texts[1],
        y_title=unit_name,
        legend_title=texts[2],
        title=title or texts[0],
        legend_label_limit=320,
        highlight=highlight,
    )


#: Who could be referred (the funnel's denominator), per moment.
_DENOMINATORS = {
    "labour": {
        "en": "women whose labour started in the first line",
        "nl": "vrouwen met baring begonnen in de eerste lijn",
    },
    "pregnancy": {
        "en": "women whose care started in the first line",
        "nl": "vrouwen met zorg begonnen in de eerste lijn",
    },
    "postpartum": {
        "en": "women who gave birth in the first line",
        "nl": "vrouwen bevallen in de eerste lijn",
    },
}

#: The women of a parity group (nulliparae: first birth; multiparae: a later birth).
_PARITY_WORDS = {
    "nulliparous": {"en": "nulliparous women", "nl": "nulliparae"},
    "multiparous": {"en": "multiparous women", "nl": "multiparae"},
}


@renamed_arguments(level="unit")
def referral_funnel_chart(
    result: Any,
    moment: str = "labour",
    *,
    language: str = "en",
    highlight: str | list[str] | None = None,
    parity: str | None = None,
    unit: str = "practice",
    **options: Any,
) -> Any:
    """The funnel plot of :func:`~saz_geboortezorg.compare.referrals.referral_funnel` with
    titles that say what is counted.

    Parameters
    ----------
    result : FunnelResult
        From :func:`saz_geboortezorg.compare.referrals.referral_funnel`.
    moment : {"labour", "pregnancy", "postpartum"}
        The referral moment the result is for (sets the titles).
    language : {"en", "nl"}
        Language of the titles.
    highlight : str or list of str, optional
        Practice(s) to mark.
    parity : {None, "all", "nulliparous", "multiparous"}
        The ``parity`` the result was restricted to, named in the titles
        (nulliparous: first birth; multiparous: a later birth).
    unit : str
        The unit level of the result (``"practice"``, ``"region"``, ``"hospital"`` or
        their ``*_id`` columns), named in the title.
    **options
        Passed to :func:`saz_geboortezorg.present.funnel_chart.funnel_chart`
        (``title``, ``x_title`` and ``y_title`` override the defaults).

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.compare.referrals import referral_funnel
    >>> rng = np.random.default_rng(1)
    >>> w = pd.DataFrame({"practice_id": rng.choice(list("ABCDEFGHIJ"), 800),
    ...     "start_line": 1, "referral_pregnancy": 0, "onset": "spontaneous",
    ...     "referral_labour": rng.binomial(1, 0.35, 800)})
    >>> chart = referral_funnel_chart(referral_funnel(w), language="nl", highlight="C")
    >>> chart.to_dict()["title"]["text"]
    'Verwijzing durante partu per verloskundigenpraktijk'
    >>> w["parity"] = rng.integers(0, 3, 800)
    >>> result = referral_funnel(w, parity="nulliparous")
    >>> referral_funnel_chart(result, parity="nulliparous").to_dict()["title"]["text"]
    'Referral during labour of nulliparous women, per midwifery practice'
    """
    from saz_geboortezorg.errors import SpecError
    from saz_geboortezorg.present.funnel_chart import funnel_chart

    _check_language(language)
    if moment not in _MOMENT_WORDS:
        raise ValueError(f"moment must be one of {', '.join(_MOMENT_WORDS)}")
    if parity == "all":
        parity = None
    if parity is not None and parity not in _PARITY_WORDS:
        raise SpecError(
            f"parity must be None, 'all', 'nulliparous' or 'multiparous', not {parity!r}"
        )
    when = _MOMENT_WORDS[moment][language]
    unit_name = level_name(unit, language)
    denominator = _DENOMINATORS[moment][language]
    if parity is None:
        title = {"en": "Referral {} per {}", "nl": "Verwijzing {} per {}"}[language]
        title = title.format(when, unit_name)
    else:
        who = _PARITY_WORDS[parity][language]
        title = {"en": "Referral {} of {}, per {}", "nl": "Verwijzing {} van {} per {}"}
        title = title[language].format(when, who, unit_name)
        women = {"en": "women", "nl": "vrouwen"}[language]
        denominator = denominator.replace(women, who, 1)
    y_title = {"en": "referred {} (%)", "nl": "verwezen {} (%)"}[language].format(when)
    options = {"title": title, "x_title": denominator, "y_title": y_title, **options}
    return funnel_chart(result, highlight=highlight, **options)


@renamed_arguments(level="unit")
def flow_shares_chart(
    flows: CareFlows | pd.DataFrame,
    stage: str = "labour",
    *,
    language: str = "en",
    highlight: str | None = None,
    title: str | None = None,
    unit: str | None = None,
) -> Any:
    """Stacked horizontal bars: the categories of one stage of the care path, per unit.

    The regional comparison next to :func:`flow_chart`: e.g. for ``stage="labour"``
    how many women per region stayed in the first line, were referred during labour,
    laboured in the second line or had a planned caesarean.

    Parameters
    ----------
    flows : CareFlows or DataFrame
        From :func:`saz_geboortezorg.derive.flows.care_flows` (or its ``table``).
    stage : str
        One of :data:`saz_geboortezorg.derive.flows.STAGES`.
    language : {"en", "nl"}
        Language of the labels.
    highlight : str, optional
        A unit to mark (bold label with a ► in front).
    title : str, optional
        Chart title; default: the stage name.
    unit : str, optional
        The unit level of ``flows`` (``"region"``, ``"hospital"``, ``"practice"`` or
        their ``*_id`` columns) for the axis title; default the result's ``unit``;
        "unit" for a plain table.

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.derive.flows import care_flows
    >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R2"], "start_line": [1, 2, 1]})
    >>> chart = flow_shares_chart(care_flows(w, stages=["start"]), "start", unit="region_id")
    >>> spec = chart.to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["y"]["title"]
    ('bar', 'region')
    """

    _check_language(language)
    if unit is None:
        unit = _field(flows, "unit")
    flows = _table(flows)
    if stage not in set(flows["stage"]):
        raise ValueError(f"the flows table has no stage {stage!r}")
    lab = f"label_{language}"
    thousands = "." if language == "nl" else ","
    table = flows[flows["stage"] == stage]
    shown = table.groupby("category", sort=False)["n"].sum()
    categories = [c for c in dict.fromkeys(table["category"]) if shown[c] > 0]
    table = table[table["category"].isin(categories)]
    labels = table.drop_duplicates("category").set_index("category")[lab]
    data = table.assign(
        unit_label=[
            f"{marked(u, highlight)} (n={w:,})".replace(",", thousands)
            for u, w in zip(table["unit"], table["women"], strict=True)
        ],
        order=table["category"].map({c: i for i, c in enumerate(categories)}),
    )
    x_title = {"en": "share of women (%)", "nl": "aandeel vrouwen (%)"}[language]
    unit_name = level_name(unit, language)
    stage_name = STAGES[stage][language]
    return stacked_shares_chart(
        data,
        label=lab,
        domain=[labels[c] for c in categories],
        colours=[_colour(stage, c) for c in categories],
        x_title=x_title,
        y_title=unit_name,
        legend_title=stage_name,
        title=title or stage_name,
        legend_label_limit=320,
        highlight=highlight,
    )
