"""The flow diagram and the referral-reasons chart draw exactly what the library computed."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.derive.flows import care_flows, flow_links, referral_reasons
from saz_geboortezorg.present.flow_chart import (
    NODE_COLOURS,
    flow_chart,
    flow_layout,
    referral_reasons_chart,
)
from saz_geboortezorg.present.style import PALETTE


@pytest.fixture
def women() -> pd.DataFrame:
    """Six first-line starters (two referred in labour, one in pregnancy), two second-line."""
    n = 8
    return pd.DataFrame(
        {
            "region_id": ["R1"] * 5 + ["R2"] * 3,
            "start_line": [1, 1, 1, 1, 1, 1, 2, 2],
            "referral_pregnancy": [0, 0, 0, 0, 1, 0, 0, 0],
            "onset": ["spontaneous"] * 4 + ["induced", "spontaneous", "prelabour_cs", "induced"],
            "referral_labour": [1, 1, 0, 0, 0, 0, 0, 0],
            "referral_labour_reason": ["failure_to_progress", "meconium"] + [None] * 6,
            "actual_place": ["hospital_obstetrician"] * 2
            + ["home", "hospital_midwife"]
            + ["hospital_obstetrician", "home", "hospital_obstetrician", "hospital_obstetrician"],
            "mode": ["intrapartum_cs", "vacuum", "spontaneous", "spontaneous", "spontaneous"]
            + ["spontaneous", "prelabour_cs", "spontaneous"],
            "line_at_birth": [2, 2, 1, 1, 2, 1, 2, 2],
            "referral_postpartum": [0] * n,
        }
    )


def _layers(spec: dict) -> dict[str, list[dict]]:
    """The rows each layer draws, by mark type (text layers: labels first, headers second)."""
    out: dict[str, list[dict]] = {}
    for i, layer in enumerate(spec["layer"]):
        name = layer["data"]["name"]
        key = layer["mark"]["type"] + ("" if i != 3 else "_header")
        out[key] = spec["datasets"][name]
    return out


def test_chart_embeds_the_links(women):
    links = flow_links(women)
    layers = _layers(flow_chart(links).to_dict())
    bands = pd.DataFrame(layers["area"])
    per_link = bands.groupby("link")["n"].first()
    assert len(per_link) == len(links.table)
    assert sorted(per_link) == sorted(links.table["n"])
    # every band is as wide as its count at both ends
    first = bands.groupby("link").first()
    last = bands.groupby("link").last()
    assert (first.bottom - first.top).to_numpy() == pytest.approx(first.n.to_numpy())
    assert (last.bottom - last.top).to_numpy() == pytest.approx(last.n.to_numpy())


def test_blocks_are_the_flow_counts(women):
    links = flow_links(women, "region_id", "R1")
    blocks = pd.DataFrame(_layers(flow_chart(links).to_dict())["rect"])
    flows = care_flows(women, stages=None).table.query("unit == 'R1' and n > 0")
    got = blocks.set_index(["stage", "category"])["n"].sort_index()
    want = flows.set_index(["stage", "category"])["n"].sort_index()
    assert got.equals(want)
    heights = (blocks.y1 - blocks.y0).to_numpy()
    assert heights == pytest.approx(blocks.n.to_numpy())  # height proportional to women
    # by hand: R1 has 5 women, 2 referred during labour
    referred = blocks[(blocks.stage == "labour") & (blocks.category == "referred")].iloc[0]
    assert referred.n == 2 and referred.pct == 40.0
    assert referred.colour == PALETTE[0]  # orange = referral, in every stage


def test_bands_leave_and_enter_inside_their_blocks(women):
    nodes, bands = flow_layout(flow_links(women))
    top = nodes.set_index(["stage", "category"])
    # the two bands leaving 'start: first line' stack inside its block
    start = top.loc[("start", "first_line")]
    leaving = bands[bands.x == bands.x.min()].groupby("link").first()
    inside = leaving[(leaving.top >= start.y0) & (leaving.bottom <= start.y1)]
    assert inside.n.sum() == start.n == 6


def test_labels_and_dutch(women):
    spec = flow_chart(flow_links(women), language="nl").to_dict()
    layers = _layers(spec)
    texts = {tuple(r["text"]) for r in layers["text"] if r["text"]}
    assert ("verwezen durante partu", "2 (25%)") in texts
    assert ("eerste lijn (verloskundige)", "6 (75%)") in texts
    headers = [r["text"] for r in layers["text_header"]]
    assert headers == [
        "Begin zorg",
        "Zwangerschap",
        "Baring",
        "Plaats geboorte",
        "Wijze geboorte",
        "Kraamperiode",
    ]
    assert spec["title"] == "Zorgstromen: all (8 vrouwen)"


def test_small_blocks_lose_their_label_but_not_their_block(women):
    spec = flow_chart(flow_links(women), min_label_pct=20).to_dict()
    layers = _layers(spec)
    labelled = [r for r in layers["text"] if r["text"]]
    assert all(r["pct"] >= 20 for r in labelled)
    assert len(layers["rect"]) > len(labelled)


def test_every_stage_has_colours_for_its_categories():
    from saz_geboortezorg.derive.flows import CATEGORIES

    for stage, colours in NODE_COLOURS.items():
        assert set(colours) == set(CATEGORIES[stage]) - {"unknown"}


def test_reasons_chart_embeds_the_table(women):
    table = referral_reasons(women)
    spec = referral_reasons_chart(table, highlight="R1", language="nl").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == len(table.table)
    assert {r["unit_label"] for r in rows} == {"► R1 (n=2)"}
    colour = spec["encoding"]["color"]
    assert colour["field"] == "label_nl"
    assert colour["scale"]["domain"][-2:] == ["overig", "onbekend"]  # always last
    # referral_reasons records the level and moment, so the default title names them
    assert spec["title"] == "Redenen van verwijzing durante partu per regio"


def test_shares_chart_draws_one_stage_of_the_flows(women):
    from saz_geboortezorg.present.flow_chart import flow_shares_chart

    flows = care_flows(women)
    spec = flow_shares_chart(flows, "labour", highlight="R1", language="nl").to_dict()
    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert set(rows.stage) == {"labour"}
    assert "unknown" not in set(rows.category)  # empty everywhere: no legend entry
    # by hand: R1 has 5 women, 2 referred during labour = 40%
    r1 = rows[(rows.unit == "R1") & (rows.category == "referred")].iloc[0]
    assert (r1.n, r1.pct, r1.unit_label) == (2, 40.0, "► R1 (n=5)")
    assert rows.groupby("unit")["pct"].sum().round(9).eq(100).all()
    assert spec["encoding"]["color"]["scale"]["range"][1] == PALETTE[0]  # referral orange
    with pytest.raises(ValueError, match="delivery"):
        flow_shares_chart(flows, "delivery")


def test_referral_funnel_chart_says_what_is_counted():
    import numpy as np

    from saz_geboortezorg.compare.referrals import referral_funnel
    from saz_geboortezorg.present.flow_chart import referral_funnel_chart

    rng = np.random.default_rng(3)
    n = 1_500
    w = pd.DataFrame(
        {
            "practice_id": rng.choice([f"P{i}" for i in range(15)], n),
            "start_line": 1,
            "referral_pregnancy": 0,
            "onset": "spontaneous",
            "referral_labour": rng.binomial(1, 0.4, n),
        }
    )
    result = referral_funnel(w)
    spec = referral_funnel_chart(result, highlight="P4").to_dict()
    assert spec["title"]["text"] == "Referral during labour per midwifery practice"
    text = str(spec)
    assert "women whose labour started in the first line" in text
    assert "referred during labour (%)" in text


def test_bands_follow_the_labour_groups(women):
    links = flow_links(women, follow="labour")
    spec = flow_chart(links).to_dict()
    assert "follow" in spec["title"]["subtitle"]
    bands = pd.DataFrame(_layers(spec)["area"])
    first = bands.groupby("link").first()
    # the two women referred during labour are orange all the way, also at the start
    orange = first[first.colour == PALETTE[0]]
    assert set(orange.group_en) == {"referred during labour"}
    assert orange.groupby("source_en")["n"].sum().to_dict() == {
        "first line (midwife)": 2,
        "first line, not referred": 2,
        "referred during labour": 2,
        "hospital, obstetrician-led": 2,
        "vacuum or forceps": 1,  # row 1
        "caesarean in labour": 1,  # row 0
    }


# ------------------------------------------------------- highlight, level and titles


def test_highlight_marker_renders_in_the_chart_font(women):
    """U+25B6 (▶) is missing from the fonts of vl-convert and common sans-serif fonts:
    PNG export drew the whole label in a serif fallback. U+25BA (►) is in WGL4."""
    from saz_geboortezorg.present.flow_chart import flow_shares_chart
    from saz_geboortezorg.present.stacked_shares import HIGHLIGHT_MARKER

    assert HIGHLIGHT_MARKER == "\u25ba "
    specs = [
        referral_reasons_chart(referral_reasons(women), highlight="R1").to_dict(),
        flow_shares_chart(care_flows(women), "labour", highlight="R1").to_dict(),
    ]
    for spec in specs:
        labels = {r["unit_label"] for r in next(iter(spec["datasets"].values()))}
        assert not any("\u25b6" in label for label in labels)
        marked = [label for label in labels if label.startswith(HIGHLIGHT_MARKER)]
        assert len(marked) == 1 and marked[0].startswith("► R1 (n=")
        # and the label is bold, which needs no special glyph at all
        weight = spec["encoding"]["y"]["axis"]["labelFontWeight"]
        assert weight["condition"]["value"] == "bold" and weight["value"] == "normal"
        assert marked[0] in weight["condition"]["test"]


def test_no_highlight_no_bold_axis(women):
    spec = referral_reasons_chart(referral_reasons(women)).to_dict()
    assert "axis" not in spec["encoding"]["y"]


def test_axis_title_is_the_level(women):
    from saz_geboortezorg.present.flow_chart import flow_shares_chart

    flows = care_flows(women, unit="region_id")
    reasons = referral_reasons(women, unit="region_id")
    cases = [
        (flow_shares_chart(flows, "labour", unit="region_id"), "region"),
        (flow_shares_chart(flows, "labour", unit="hospital", language="nl"), "ziekenhuis"),
        (referral_reasons_chart(reasons, unit="practice_id"), "midwifery practice"),
        (referral_reasons_chart(reasons, unit="region", language="nl"), "regio"),
        (flow_shares_chart(flows.table, "labour"), "unit"),  # a plain table: level unknown
        (flow_shares_chart(flows.table, "labour", unit="region_id"), "region"),
    ]
    for chart, expected in cases:
        assert chart.to_dict()["encoding"]["y"]["title"] == expected
    # a result says its level and moment (fields), so it needs no arguments
    assert (flows.unit, reasons.unit, reasons.moment) == ("region_id", "region_id", "labour")
    assert flow_shares_chart(flows, "labour").to_dict()["encoding"]["y"]["title"] == "region"
    spec = referral_reasons_chart(reasons, language="nl").to_dict()
    assert spec["encoding"]["y"]["title"] == "regio"
    assert spec["title"] == "Redenen van verwijzing durante partu per regio"
    # its table alone does not: the title names neither
    plain = referral_reasons_chart(reasons.table).to_dict()
    assert plain["title"] == "Reasons for referral, per unit"
    # the result's chart() draws the same as the chart function
    assert reasons.chart(language="nl").to_dict() == spec
    assert flows.chart().to_dict() == flow_shares_chart(flows, "labour").to_dict()


def test_flow_chart_of_a_plain_table_takes_the_fields_as_arguments(women):
    result = flow_links(women, follow="labour", stages=["start", "labour", "place"])
    drawn = flow_chart(result).to_dict()
    plain = flow_chart(
        result.table, stages=result.stages, women=result.women, follow=result.follow
    ).to_dict()
    assert plain == drawn == result.chart().to_dict()
    # without follow= the plain table's bands are coloured by their source block
    unfollowed = flow_chart(result.table).to_dict()
    assert "subtitle" not in str(unfollowed["title"])


def test_reasons_title_names_the_moment(women):
    from saz_geboortezorg.errors import SpecError

    table = referral_reasons(women)
    titles = {
        ("labour", "en"): "Reasons for referral during labour, per region",
        ("pregnancy", "en"): "Reasons for referral in pregnancy, per region",
        ("postpartum", "nl"): "Redenen van verwijzing post partum per regio",
    }
    for (moment, language), expected in titles.items():
        spec = referral_reasons_chart(
            table, moment=moment, unit="region", language=language
        ).to_dict()
        assert spec["title"] == expected
    given = referral_reasons_chart(table, moment="labour", title="Mine").to_dict()
    assert given["title"] == "Mine"
    with pytest.raises(SpecError, match="moment"):
        referral_reasons_chart(table, moment="birth")


def _practice_funnel(parity: str | None = None):
    import numpy as np

    from saz_geboortezorg.compare.referrals import referral_funnel

    rng = np.random.default_rng(5)
    n = 1_500
    w = pd.DataFrame(
        {
            "practice_id": rng.choice([f"P{i}" for i in range(15)], n),
            "start_line": 1,
            "referral_pregnancy": 0,
            "onset": "spontaneous",
            "referral_labour": rng.binomial(1, 0.4, n),
            "parity": rng.integers(0, 3, n),
        }
    )
    return referral_funnel(w, parity=parity)


def test_referral_funnel_title_names_the_parity():
    from saz_geboortezorg.errors import SpecError
    from saz_geboortezorg.present.flow_chart import referral_funnel_chart

    result = _practice_funnel("nulliparous")
    spec = referral_funnel_chart(result, parity="nulliparous").to_dict()
    assert spec["title"]["text"] == (
        "Referral during labour of nulliparous women, per midwifery practice"
    )
    assert "nulliparous women whose labour started in the first line" in str(spec)
    nl = referral_funnel_chart(result, parity="nulliparous", language="nl").to_dict()
    assert (
        nl["title"]["text"] == "Verwijzing durante partu van nulliparae per verloskundigenpraktijk"
    )
    assert "nulliparae met baring begonnen in de eerste lijn" in str(nl)
    multi = referral_funnel_chart(_practice_funnel("multiparous"), "labour", parity="multiparous")
    assert "of multiparous women" in multi.to_dict()["title"]["text"]
    # all women (parity None or 'all') and another level
    every = _practice_funnel()
    for parity in (None, "all"):
        title = referral_funnel_chart(every, parity=parity).to_dict()["title"]["text"]
        assert title == "Referral during labour per midwifery practice"
    by_region = referral_funnel_chart(every, "pregnancy", unit="region_id").to_dict()
    assert by_region["title"]["text"] == "Referral in pregnancy per region"
    with pytest.raises(SpecError, match="parity"):
        referral_funnel_chart(every, parity="first")
