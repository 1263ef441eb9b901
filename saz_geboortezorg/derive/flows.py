"""Care flows (zorgstromen): the path of each woman between first- and second-line care.

Dutch maternity care is organised in lines: low-risk women start with a community
midwife (first line, *eerste lijn*) and are referred to the obstetrician (second
line, *tweede lijn*) in pregnancy, during labour (*durante partu*) or after the
birth. Mirror meetings look at these flows per region: how many women start where,
how many are referred when and why, and where and how they give birth.

Every woman (one row of the ``women`` analysis table) walks six stages, and at each
stage she is in exactly one category, so the categories of a stage partition the
unit's women and their counts add up to the unit's number of women:

=============  ==================================================================
stage          categories
=============  ==================================================================
``start``      first line, second line
``pregnancy``  still in the first line, referred in pregnancy, second line from
               the start
``labour``     labour started in the first line and stayed there, referred during
               labour, second line with spontaneous onset, second line induced,
               no labour (planned caesarean)
``place``      home, birth centre, hospital midwife-led (poliklinisch), hospital
               obstetrician-led (klinisch)
``mode``       spontaneous, instrumental (vacuum or forceps), intrapartum
               caesarean, prelabour caesarean
``postpartum`` first line not referred, referred after the birth, birth in the
               second line
=============  ==================================================================

Every stage also has ``unknown`` for women whose record lacks the item. Labour
"started in the first line" follows the catalogue indicator
``labour_start_first_line``: care started in the first line, no referral in
pregnancy, spontaneous onset. That is the population of ``referral_labour``.
An induced labour counts as second-line care even when no referral in pregnancy was
recorded (induction is not first-line care); a spontaneous labour of a first-line
woman whose referral in pregnancy is not recorded is ``unknown``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments, warn_renamed
from saz_geboortezorg.result import Result
from saz_geboortezorg.schema.care_path import CATEGORIES, STAGES

if TYPE_CHECKING:
    from saz_geboortezorg.indicators.indicator_rates import IndicatorRates

__all__ = [
    "STAGES",
    "CATEGORIES",
    "MOMENTS",
    "CareFlows",
    "FlowLinks",
    "ReferralReasons",
    "stage_categories",
    "care_flows",
    "flow_links",
    "referral_reasons",
    "referral_rates",
]

_UNKNOWN = {"en": "unknown", "nl": "onbekend"}

#: Referral moments: the flag column, the reason column and the code list of reasons.
MOMENTS: dict[str, dict[str, str]] = {
    "pregnancy": {
        "flag": "referral_pregnancy",
        "reason": "referral_pregnancy_reason",
        "codes": "reden_verwijzing_zwangerschap",
    },
    "labour": {
        "flag": "referral_labour",
        "reason": "referral_labour_reason",
        "codes": "reden_verwijzing_durante_partu",
    },
    "postpartum": {
        "flag": "referral_postpartum",
        "reason": "referral_postpartum_reason",
        "codes": "reden_verwijzing_postpartum",
    },
}

#: Columns of the women table that each stage reads.
_STAGE_COLUMNS = {
    "start": ["start_line"],
    "pregnancy": ["start_line", "referral_pregnancy"],
    "labour": ["start_line", "referral_pregnancy", "onset", "referral_labour"],
    "place": ["actual_place"],
    "mode": ["mode"],
    "postpartum": ["line_at_birth", "referral_postpartum"],
}

#: Name of the unit for women whose unit column is empty (e.g. no midwifery practice
#: because care started in the second line).
NO_UNIT = "(none)"


@dataclass(repr=False)
class CareFlows(Result):
    """Women per stage of the care path, per unit (from :func:`care_flows`).

    Attributes
    ----------
    table : DataFrame
        Tidy, one row per unit, stage and category (see :func:`care_flows`).
    unit : str or None
        The unit column (``"region_id"``, ...); None for all women together.
    stages : list of str
        The stages reported, in path order.
    """

    table: pd.DataFrame
    unit: str | None = None
    stages: list[str] = field(default_factory=lambda: list(STAGES))

    def summary(self) -> str:
        """Plain text: the units and, per stage, the shares of all women.

        Examples
        --------
        >>> import pandas as pd
        >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R2"], "start_line": [1, 2, 1]})
        >>> print(care_flows(w, stages=["start"]).summary())
        Care flows per region_id: 2 units, 3 women
        Start of care: first line (midwife) 66.7%, second line (hospital) 33.3%
        """
        t = self.table
        everyone = t[t["unit"] == "all"] if "all" in set(t["unit"]) else t
        units = [u for u in dict.fromkeys(t["unit"]) if u != "all" or self.unit is None]
        first = everyone[everyone["stage"] == self.stages[0]]
        women = int(first["women"].iloc[0]) if len(first) else 0
        level = f"per {self.unit}: {len(units)} units" if self.unit else "of all women"
        lines = [f"Care flows {level}, {women} women"]
        for stage in self.stages:
            part = everyone[(everyone["stage"] == stage) & (everyone["n"] > 0)]
            shares = ", ".join(f"{r.label_en} {r.pct:.1f}%" for r in part.itertuples())
            lines.append(f"{STAGES[stage]['en']}: {shares}")
        return "\n".join(lines)

    def chart(self, stage: str | None = None, **options: Any) -> Any:
        """The categories of one stage as stacked shares per unit (default the labour
        stage when reported, else the first):
        :func:`saz_geboortezorg.present.flow_chart.flow_shares_chart`."""
        from saz_geboortezorg.present.flow_chart import flow_shares_chart

        if stage is None:
            stage = "labour" if "labour" in self.stages else self.stages[0]
        return flow_shares_chart(self, stage, **options)


@dataclass(repr=False)
class FlowLinks(Result):
    """Links between consecutive stages, for a flow diagram (from :func:`flow_links`).

    Attributes
    ----------
    table : DataFrame
        One row per non-empty link (see :func:`flow_links`).
    women : int
        The number of women drawn.
    stages : list of str
        The stages linked, in path order.
    follow : str or None
        The stage whose categories split every link (colours of the bands), if any.
    unit : str or None
        The unit column, when the links are those of one unit.
    unit_id : str or None
        The unit drawn (None: all women).
    """

    table: pd.DataFrame
    women: int = 0
    stages: list[str] = field(default_factory=lambda: list(STAGES))
    follow: str | None = None
    unit: str | None = None
    unit_id: str | None = None

    def summary(self) -> str:
        """Plain text: whose flows, how many women, which stages.

        Examples
        --------
        >>> import pandas as pd
        >>> w = pd.DataFrame({"start_line": [1, 1, 2], "referral_pregnancy": [0, 1, 0]})
        >>> print(flow_links(w, stages=["start", "pregnancy"]).summary())
        Care flows of all women: 3 women, 3 links
        stages: Start of care -> Pregnancy
        """
        who = f"{self.unit} {self.unit_id}" if self.unit_id is not None else "all women"
        lines = [f"Care flows of {who}: {self.women} women, {len(self.table)} links"]
        lines.append("stages: " + " -> ".join(STAGES[s]["en"] for s in self.stages))
        if self.follow:
            lines.append(f"bands split by the {STAGES[self.follow]['en'].lower()} category")
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """The flow (Sankey-style) diagram:
        :func:`saz_geboortezorg.present.flow_chart.flow_chart`."""
        from saz_geboortezorg.present.flow_chart import flow_chart

        return flow_chart(self, **options)


@dataclass(repr=False)
class ReferralReasons(Result):
    """Reasons for referral per unit (from :func:`referral_reasons`).

    Attributes
    ----------
    table : DataFrame
        Tidy, one row per unit and reason (see :func:`referral_reasons`).
    unit : str or None
        The unit column; None for all women together.
    moment : str
        The referral moment (``pregnancy``, ``labour``, ``postpartum``).
    """

    table: pd.DataFrame
    unit: str | None = None
    moment: str = "labour"

    def summary(self) -> str:
        """Plain text: referred women and the most frequent reasons over all units.

        Examples
        --------
        >>> import pandas as pd
        >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R2"], "referral_labour": [1, 1, 1],
        ...     "referral_labour_reason": ["meconium", "meconium", None]})
        >>> print(referral_reasons(w).summary())
        Reasons for referral (labour) per region_id: 3 referred women in 2 units
        meconium-stained amniotic fluid 66.7%, unknown 33.3%
        """
        t = self.table
        referred = int(t.drop_duplicates("unit")["referred"].sum())
        units = t["unit"].nunique()
        level = f"per {self.unit}" if self.unit else "of all women"
        lines = [
            f"Reasons for referral ({self.moment}) {level}: {referred} referred women in "
            f"{units} unit{'s' if units != 1 else ''}"
        ]
        overall = t.groupby(["reason", "label_en"], sort=False)["n"].sum()
        overall = overall[overall > 0].sort_values(ascending=False, kind="stable").head(5)
        if referred:
            lines.append(
                ", ".join(f"{label} {100 * n / referred:.1f}%" for (_, label), n in overall.items())
            )
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """Stacked shares of the reasons per unit:
        :func:`saz_geboortezorg.present.flow_chart.referral_reasons_chart`."""
        from saz_geboortezorg.present.flow_chart import referral_reasons_chart

        return referral_reasons_chart(self, **options)


def _check_columns(table: pd.DataFrame, columns: list[str], what: str) -> None:
    from saz_geboortezorg.errors import SpecError

    missing = [c for c in dict.fromkeys(columns) if c not in table.columns]
    if missing:
        raise SpecError(f"{what} needs column(s) {', '.join(missing)}, which the table lacks")


def _check_stages(stages: list[str] | None) -> list[str]:
    from saz_geboortezorg.errors import SpecError

    if stages is None:
        return list(STAGES)
    unknown = [s for s in stages if s not in STAGES]
    if unknown or len(stages) == 0:
        raise SpecError(
            f"unknown stage(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(STAGES)}"
        )
    return [s for s in STAGES if s in stages]


def _flag(values: pd.Series, one: int = 1) -> tuple[pd.Series, pd.Series]:
    """(is 1, is known) for a 0/1 column that may hold missing values or text."""
    numeric = pd.to_numeric(values, errors="coerce")
    known = numeric.isin([0, 1])
    return (numeric == one) & known, known


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("unknown")


def stage_categories(women: pd.DataFrame, stages: list[str] | None = None) -> pd.DataFrame:
    """The category of every woman at every stage of the care path.

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table (one row per pregnancy).
    stages : list of str, optional
        Stages to classify (default: all of :data:`STAGES`, in path order).

    Returns
    -------
    DataFrame
        Same index as ``women``, one text column per stage holding a category key
        of :data:`CATEGORIES` (never missing: ``unknown`` when the item is).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"start_line": [1, 1, 2], "referral_pregnancy": [0, 0, 0],
    ...     "onset": ["spontaneous", "spontaneous", "induced"],
    ...     "referral_labour": [0, 1, 0]})
    >>> stage_categories(w, ["start", "labour"])
             start               labour
    0   first_line           first_line
    1   first_line             referred
    2  second_line  second_line_induced
    """
    stages = _check_stages(stages)
    _check_columns(women, [c for s in stages for c in _STAGE_COLUMNS[s]], "care_flows")
    out: dict[str, pd.Series] = {}
    index = women.index

    def pick(conditions: list[tuple[pd.Series, str]]) -> pd.Series:
        result = pd.Series("unknown", index=index, dtype="string")
        for condition, value in reversed(conditions):  # first matching condition wins
            result = result.mask(condition.fillna(False).astype(bool), value)
        return result

    if {"start", "pregnancy", "labour"} & set(stages):
        line = pd.to_numeric(women["start_line"], errors="coerce")
        first, second = line.eq(1), line.eq(2)
    if {"pregnancy", "labour"} & set(stages):
        referred_preg, known_preg = _flag(women["referral_pregnancy"])
    for stage in stages:
        if stage == "start":
            out[stage] = pick([(first, "first_line"), (second, "second_line")])
        elif stage == "pregnancy":
            out[stage] = pick(
                [
                    (second, "second_line"),
                    (first & referred_preg, "referred"),
                    (first & known_preg, "first_line"),
                ]
            )
        elif stage == "labour":
            onset = _text(women["onset"])
            referred_lab, known_lab = _flag(women["referral_labour"])
            first_line_labour = first & known_preg & ~referred_preg & onset.eq("spontaneous")
            out[stage] = pick(
                [
                    (onset.eq("prelabour_cs"), "no_labour"),
                    (first_line_labour & referred_lab, "referred"),
                    (first_line_labour & known_lab, "first_line"),
                    (first_line_labour, "unknown"),
                    # spontaneous onset in the second line needs a known referral;
                    # an induction is second-line care whatever the record says
                    (
                        (second | (first & referred_preg)) & onset.eq("spontaneous"),
                        "second_line_spontaneous",
                    ),
                    ((first | second) & onset.eq("induced"), "second_line_induced"),
                ]
            )
        elif stage == "place":
            place = _text(women["actual_place"])
            out[stage] = place.where(place.isin(list(CATEGORIES["place"])), "unknown")
        elif stage == "mode":
            mode = _text(women["mode"]).replace(
                {"vacuum": "instrumental", "forceps": "instrumental"}
            )
            out[stage] = mode.where(mode.isin(list(CATEGORIES["mode"])), "unknown")
        elif stage == "postpartum":
            birth_line = pd.to_numeric(women["line_at_birth"], errors="coerce")
            referred_pp, known_pp = _flag(women["referral_postpartum"])
            out[stage] = pick(
                [
                    (birth_line.eq(2), "second_line"),
                    (birth_line.eq(1) & referred_pp, "referred"),
                    (birth_line.eq(1) & known_pp, "first_line"),
                ]
            )
    return pd.DataFrame(out, index=index)


def _units(women: pd.DataFrame, by: str | None) -> pd.Series:
    if by is None:
        return pd.Series("all", index=women.index, dtype="string")
    return women[by].astype("string").fillna(NO_UNIT)


@renamed_arguments(by="unit")
def care_flows(
    women: pd.DataFrame,
    unit: str | None = "region_id",
    *,
    stages: list[str] | None = None,
    overall: bool = True,
) -> CareFlows:
    """Counts and percentages of women per stage of the care path, per unit.

    At every stage the categories partition the unit's women: the counts of a stage
    sum to the unit's number of women and the percentages to 100.

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table.
    unit : str or None
        Unit column (``"region_id"``, ``"hospital_id"``, ``"practice_id"``); None
        for all women together. Women with an empty unit form the unit ``"(none)"``
        (by practice: women whose care started in the second line).
    stages : list of str, optional
        Stages to report (default all, see :data:`STAGES`).
    overall : bool
        Add the unit ``"all"`` (every woman) after the units.

    Returns
    -------
    CareFlows
        ``table``: tidy, one row per unit, stage and category (every category of the stage,
        zero counts included): ``unit``, ``stage``, ``stage_en``, ``stage_nl``,
        ``category``, ``label_en``, ``label_nl``, ``n``, ``women`` (the unit's
        women) and ``pct`` (100 * n / women, unrounded).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R1", "R2"],
    ...     "start_line": [1, 1, 2, 1], "referral_pregnancy": [0, 1, 0, 0]})
    >>> f = care_flows(w, stages=["pregnancy"])
    >>> f.table[f.table.n > 0][["unit", "category", "n", "pct"]].round(1)
       unit     category  n    pct
    0    R1   first_line  1   33.3
    1    R1     referred  1   33.3
    2    R1  second_line  1   33.3
    4    R2   first_line  1  100.0
    8   all   first_line  2   50.0
    9   all     referred  1   25.0
    10  all  second_line  1   25.0
    """
    if unit is not None:
        _check_columns(women, [unit], "care_flows")
    stages = _check_stages(stages)
    cats = stage_categories(women, stages)
    units = _units(women, unit)
    unit_order = sorted(units.unique())
    if overall and unit is not None:
        unit_order.append("all")
    parts = []
    for stage in stages:
        keys = list(CATEGORIES[stage])
        counts = pd.crosstab(units, pd.Categorical(cats[stage], categories=keys), dropna=False)
        counts = counts.reindex(columns=keys, fill_value=0)
        if overall and unit is not None:
            counts.loc["all"] = counts.sum()
        counts = counts.reindex(index=unit_order, fill_value=0)
        counts.index.name, counts.columns.name = "unit", "category"
        tidy = counts.stack().rename("n").reset_index()
        tidy.insert(1, "stage", stage)
        parts.append(tidy)
    out = pd.concat(parts, ignore_index=True)
    out["unit"] = out["unit"].astype("string")
    out["category"] = out["category"].astype("string")
    out["n"] = out["n"].astype(int)
    out.insert(2, "stage_en", out["stage"].map(lambda s: STAGES[s]["en"]))
    out.insert(3, "stage_nl", out["stage"].map(lambda s: STAGES[s]["nl"]))
    labels = [CATEGORIES[s][c] for s, c in zip(out["stage"], out["category"], strict=True)]
    out.insert(5, "label_en", [lab["en"] for lab in labels])
    out.insert(6, "label_nl", [lab["nl"] for lab in labels])
    out["women"] = out.groupby(["unit", "stage"], sort=False)["n"].transform("sum").astype(int)
    out["pct"] = (100 * out["n"] / out["women"].where(out["women"] > 0)).astype(float)
    # rows in unit order, then stage order, then category order
    order = {u: i for i, u in enumerate(unit_order)}
    out = out.sort_values("unit", key=lambda u: u.map(order), kind="stable")
    out = out.reset_index(drop=True)
    return CareFlows(out, unit=unit, stages=stages)


def _flow_links_old_names(func):
    """``flow_links`` before the one vocabulary: ``by=`` the unit column and ``unit=`` the
    unit's id. Old spellings still work for one release (with a deprecation warning);
    ``unit=`` means the column unless the call is in the old spelling (``by=`` given, or
    the column given by position and ``unit=`` by name, which the new signature refuses).
    """

    @functools.wraps(func)
    def wrapper(women, *args, **kwargs):
        if "by" in kwargs or (args and "unit" in kwargs):
            if "unit" in kwargs:
                warn_renamed("flow_links", "unit", "unit_id")
                kwargs["unit_id"] = kwargs.pop("unit")
            if "by" in kwargs:
                warn_renamed("flow_links", "by", "unit")
                kwargs["unit"] = kwargs.pop("by")
        return func(women, *args, **kwargs)

    wrapper.__deprecated_arguments__ = {"by": "unit", "unit": "unit_id"}
    return wrapper


@_flow_links_old_names
def flow_links(
    women: pd.DataFrame,
    unit: str | None = None,
    unit_id: str | None = None,
    *,
    stages: list[str] | None = None,
    follow: str | None = None,
) -> FlowLinks:
    """Links between consecutive stages for a flow (Sankey-style) diagram.

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table.
    unit : str or None
        Unit column; with ``unit_id`` only that unit's women are counted. Formerly
        ``by`` (deprecated).
    unit_id : str, optional
        The unit to draw (default: all women). Formerly ``unit`` (deprecated).
    stages : list of str, optional
        Stages to use as columns (default all, in path order).
    follow : str, optional
        A stage whose categories split every link, so that a chart can colour the
        women of e.g. ``"labour"`` (referred during labour, ...) all along the path.
        Adds the columns ``group``, ``group_en`` and ``group_nl``.

    Returns
    -------
    FlowLinks
        ``table``: one row per non-empty link: ``unit``, ``source_stage``, ``source``,
        ``target_stage``, ``target`` (category keys), ``source_en``/``source_nl``,
        ``target_en``/``target_nl`` (labels), ``step`` (0 for the first pair of
        stages), ``n`` and ``pct`` (of the women drawn). The links of every step sum
        to the number of women; the links leaving a category sum to its count.
        The number of women is the result's ``women``.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"start_line": [1, 1, 2], "referral_pregnancy": [0, 1, 0]})
    >>> flow_links(w, stages=["start", "pregnancy"]).table[["source", "target", "n"]]
            source       target  n
    0   first_line   first_line  1
    1   first_line     referred  1
    2  second_line  second_line  1
    """
    from saz_geboortezorg.errors import SpecError

    stages = _check_stages(stages)
    if len(stages) < 2:
        raise SpecError("flow_links needs at least two stages to link")
    if follow is not None:
        _check_stages([follow])
    if unit_id is not None:
        if unit is None:
            raise SpecError("flow_links: give the unit column 'unit' together with 'unit_id'")
        _check_columns(women, [unit], "flow_links")
        units = _units(women, unit)
        if not units.eq(unit_id).any():
            raise SpecError(f"flow_links: no women in unit {unit_id!r} of column {unit!r}")
        women = women[units.eq(unit_id).to_numpy()]
    if len(women) == 0:
        raise SpecError("flow_links: the table has no women to draw")
    cats = stage_categories(women, list(dict.fromkeys([*stages, *([follow] if follow else [])])))
    group = cats[follow].rename("_group") if follow else pd.Series("", index=cats.index)
    rows = []
    for step, (a, b) in enumerate(zip(stages[:-1], stages[1:], strict=True)):
        counts = pd.concat([cats[[a, b]], group.rename("_group")], axis=1).groupby(
            [a, b, "_group"], sort=False
        )
        for (source, target, grp), n in counts.size().items():
            rows.append(
                {
                    "source_stage": a,
                    "source": source,
                    "target_stage": b,
                    "target": target,
                    "group": grp,
                    "step": step,
                    "n": int(n),
                }
            )
    links = pd.DataFrame(
        rows, columns=["source_stage", "source", "target_stage", "target", "group", "step", "n"]
    )
    rank = {(s, c): i for s in STAGES for i, c in enumerate(CATEGORIES[s])}
    links = (
        links.assign(
            _s=[rank[k] for k in zip(links["source_stage"], links["source"], strict=True)],
            _t=[rank[k] for k in zip(links["target_stage"], links["target"], strict=True)],
            _g=[rank.get((follow, g), 0) for g in links["group"]],
        )
        .sort_values(["step", "_s", "_t", "_g"])
        .drop(columns=["_s", "_t", "_g"])
        .reset_index(drop=True)
    )
    if follow is None:
        links = links.drop(columns="group")
    else:
        for lang in ("en", "nl"):
            links[f"group_{lang}"] = [CATEGORIES[follow][g][lang] for g in links["group"]]
    for end in ("source", "target"):
        for lang in ("en", "nl"):
            links[f"{end}_{lang}"] = [
                CATEGORIES[s][c][lang]
                for s, c in zip(links[f"{end}_stage"], links[end], strict=True)
            ]
    total = len(women)
    links["pct"] = 100 * links["n"] / total if total else float("nan")
    links.insert(0, "unit", "all" if unit_id is None else str(unit_id))
    return FlowLinks(
        links,
        women=total,
        stages=stages,
        follow=follow,
        unit=unit if unit_id is not None else None,
        unit_id=None if unit_id is None else str(unit_id),
    )


def _reason_labels(moment: str) -> dict[str, dict[str, str]]:
    """Reason key (as decoded in the analysis table) -> English and Dutch labels."""
    from saz_geboortezorg.io.decode import MAPS
    from saz_geboortezorg.schema import codes

    spec = MOMENTS[moment]
    code_labels = codes(spec["codes"])
    labels = {}
    for code, key in MAPS[spec["reason"]].items():
        labels[key] = {"en": code_labels[code]["en"], "nl": code_labels[code]["nl"]}
    labels.setdefault("unknown", dict(_UNKNOWN))
    return labels


def _check_moment(moment: str) -> dict[str, str]:
    from saz_geboortezorg.errors import SpecError

    if moment not in MOMENTS:
        raise SpecError(f"unknown referral moment {moment!r}; choose from {', '.join(MOMENTS)}")
    return MOMENTS[moment]


@renamed_arguments(by="unit")
def referral_reasons(
    women: pd.DataFrame, unit: str | None = "region_id", moment: str = "labour"
) -> ReferralReasons:
    """Reasons for referral per unit: counts and shares of the referred women.

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table.
    unit : str or None
        Unit column, or None for all women.
    moment : {"pregnancy", "labour", "postpartum"}
        Which referral.

    Returns
    -------
    ReferralReasons
        ``table``: tidy, one row per unit and reason (every reason of the code list, zero
        counts included; a reason missing on a referred woman counts as
        ``unknown``): ``unit``, ``reason``, ``label_en``, ``label_nl``, ``n``,
        ``referred`` (the unit's referred women) and ``pct`` (of ``referred``;
        sums to 100 per unit). Units without any referral are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R1", "R2"],
    ...     "referral_labour": [1, 1, 0, 1],
    ...     "referral_labour_reason": ["failure_to_progress", "meconium", None,
    ...                                "failure_to_progress"]})
    >>> r = referral_reasons(w).table
    >>> r[r.n > 0][["unit", "reason", "n", "referred", "pct"]]
       unit               reason  n  referred    pct
    2    R1  failure_to_progress  1         2   50.0
    4    R1             meconium  1         2   50.0
    11   R2  failure_to_progress  1         1  100.0
    """
    spec = _check_moment(moment)
    columns = [spec["flag"], spec["reason"]] + ([unit] if unit is not None else [])
    _check_columns(women, columns, "referral_reasons")
    labels = _reason_labels(moment)
    keys = list(labels)
    referred, _ = _flag(women[spec["flag"]])
    reason = _text(women[spec["reason"]])
    reason = reason.where(reason.isin(keys), "unknown")[referred]
    units = _units(women, unit)[referred]
    counts = pd.crosstab(units, pd.Categorical(reason, categories=keys), dropna=False)
    counts = counts.reindex(columns=keys, fill_value=0)
    counts.index.name, counts.columns.name = "unit", "reason"
    out = counts.stack().rename("n").reset_index()
    out["unit"] = out["unit"].astype("string")
    out["reason"] = out["reason"].astype("string")
    out["n"] = out["n"].astype(int)
    out.insert(2, "label_en", out["reason"].map(lambda r: labels[r]["en"]))
    out.insert(3, "label_nl", out["reason"].map(lambda r: labels[r]["nl"]))
    out["referred"] = out.groupby("unit")["n"].transform("sum").astype(int)
    out["pct"] = (100 * out["n"] / out["referred"]).astype(float)
    return ReferralReasons(out, unit=unit, moment=moment)


#: Who can be referred at each moment (the denominator of the referral rate).
_POPULATIONS = {
    "pregnancy": ("start_line == 1", "women whose care started in the first line"),
    "labour": None,  # the catalogue indicator referral_labour
    "postpartum": ("line_at_birth == 1", "women who gave birth under first-line care"),
}

_PARITY = {"nulliparous": "parity == 0", "multiparous": "parity >= 1"}


@renamed_arguments(by="unit")
def referral_rates(
    women: pd.DataFrame,
    unit: str | None = "practice_id",
    moment: str = "labour",
    parity: str | None = None,
) -> IndicatorRates:
    """Referral rate per unit (by default per midwifery practice).

    The denominators are the women the first line could refer at that moment:

    - ``labour``: the catalogue indicator ``referral_labour`` -- women whose labour
      started under first-line care (care started in the first line, no referral in
      pregnancy, spontaneous onset; the numerator of ``labour_start_first_line``);
    - ``pregnancy``: women whose care started in the first line;
    - ``postpartum``: women who gave birth under first-line care.

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table.
    unit : str or None
        Unit: ``"practice_id"``, ``"region_id"``, ``"hospital_id"`` (or the names
        ``practice``, ``region``, ``hospital``), None for all women.
    moment : {"labour", "pregnancy", "postpartum"}
        Which referral.
    parity : {None, "nulliparous", "multiparous"}
        Restrict to first births (parity 0) or later births (parity 1 or more).

    Returns
    -------
    IndicatorRates
        As :func:`saz_geboortezorg.compute` (a result; it prints as its table): a
        ``.table`` with one row per unit with ``indicator``, ``unit``, ``denominator``,
        ``numerator``, ``rate`` (%), Wilson and exact intervals; plus ``moment`` and
        ``parity``.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"practice_id": ["P1", "P1", "P1", "P2", None],
    ...     "start_line": [1, 1, 1, 1, 2], "referral_pregnancy": [0, 0, 1, 0, 0],
    ...     "onset": ["spontaneous"] * 5, "referral_labour": [1, 0, 0, 1, 0],
    ...     "parity": [0, 1, 0, 0, 0]})
    >>> referral_rates(w).table[["unit", "denominator", "numerator", "rate"]]
      unit  denominator  numerator   rate
    0   P1            2          1   50.0
    1   P2            1          1  100.0
    """
    from saz_geboortezorg.errors import SpecError
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import compute_indicator, resolve_unit
    from saz_geboortezorg.indicators.definitions import Indicator

    spec = _check_moment(moment)
    if parity is not None and parity not in _PARITY:
        raise SpecError(f"parity must be None, 'nulliparous' or 'multiparous', not {parity!r}")
    base = get("referral_labour")
    if moment == "labour":
        indicator = base
    else:
        population, text = _POPULATIONS[moment]
        indicator = Indicator(
            id=f"referral_{moment}",
            name_nl=f"Verwijzing {'in de zwangerschap' if moment == 'pregnancy' else 'post partum'}",
            name_en=f"Referral to the second line {'in pregnancy' if moment == 'pregnancy' else 'after birth'}",
            domain="care_path",
            level="woman",
            population=population,
            population_text=text,
            numerator=f"{spec['flag']} == 1",
            unit="percent",
            better="neither",
            source="care flows (saz_geboortezorg.derive.flows)",
            attribution=base.attribution,  # care path: counted where care started
        )
    if parity is not None:
        _check_columns(women, ["parity"], "referral_rates")
        indicator = Indicator(
            **{
                **{f: getattr(indicator, f) for f in Indicator.__dataclass_fields__},
                "population": f"({indicator.population}) and {_PARITY[parity]}",
                "population_text": f"{indicator.population_text}, {parity}",
            }
        )
    unit_col = resolve_unit(unit, women.columns)
    table = women
    if unit_col is not None:
        # women outside every unit (e.g. no practice) are not a unit to compare
        table = women[women[unit_col].notna().to_numpy()]
    out = compute_indicator(table, indicator, unit)
    out.table.insert(1, "moment", moment)
    out.table.insert(2, "parity", parity if parity is not None else "all")
    return out


def __getattr__(name: str) -> Any:
    # referral_funnel moved to saz_geboortezorg.compare.referrals (a funnel plot is a
    # comparison, a layer above derive); the old import path works for one release.
    if name == "referral_funnel":
        import warnings

        from saz_geboortezorg.compare.referrals import referral_funnel
        from saz_geboortezorg.deprecation import SazDeprecationWarning

        warnings.warn(
            "saz_geboortezorg.derive.flows.referral_funnel moved: use sg.referral_funnel "
            "(saz_geboortezorg.compare.referrals)",
            SazDeprecationWarning,
            stacklevel=2,
        )
        return referral_funnel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
