"""Defining an indicator or a theme filter in the dashboard: check, preview, save.

A lead professional writes an indicator from its parts (population, numerator,
exclusions, direction, scale; names in Dutch and English) or a theme filter (a named
expression), in the safe filter language (:mod:`saz_geboortezorg.expressions`).
:func:`check_indicator` checks it against the data and previews its counts with the
small-number protection the reports apply (:func:`saz_geboortezorg.disclosure.suppress`:
counts 1-9 hidden, with secondary suppression, and every rate of a hidden count);
:func:`save_user_entry <saz_geboortezorg.indicators.user.save_user_entry>` writes it to
the user catalogue beside the data (``mijn_indicatoren.yaml``), from where the explorer,
``sg.compute``, ``sg.benchmark`` and the ``report`` command (``--catalogue FILE``) read
it.

:class:`IndicatorEditor` is the widget panel: fields for the parts, "Check" (errors, or
the protected preview) and "Save" (writes the file; the explorer it was given picks the
new entry up). Everything the buttons do is a plain function here, so scripts and tests
drive it without a browser.

Examples
--------
>>> import saz_geboortezorg as sg
>>> data = sg.load(sg.synthetic.default_dataset())                      # doctest: +SKIP
>>> path = sg.user_catalogue_path(sg.synthetic.default_dataset())       # doctest: +SKIP
>>> explorer = sg.Explorer(data, catalogue=path)                        # doctest: +SKIP
>>> sg.indicator_editor(data, catalogue=path, explorer=explorer).widget  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from saz_geboortezorg.disclosure import DEFAULT_THRESHOLD, suppress
from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.explore.labels import check_language
from saz_geboortezorg.indicators.compute import compute_indicator, indicator_records
from saz_geboortezorg.indicators.definitions import Indicator
from saz_geboortezorg.indicators.user import (
    Theme,
    define_indicator,
    define_theme,
    indicator_problems,
    read_user_catalogue,
    save_user_entry,
    table_for,
    theme_problems,
)
from saz_geboortezorg.result import Result

__all__ = ["IndicatorCheck", "check_indicator", "IndicatorEditor", "indicator_editor", "FIELDS"]

_RATE_COLUMNS = ("rate", "wilson_lcl", "wilson_ucl")
#: The last row of the accounting: the records that stay (shown in the overall row).
_KEPT = "in the denominator"
_KEPT_THEME = "in the theme"


@dataclass(repr=False)
class IndicatorCheck(Result):
    """What :func:`check_indicator` found: errors, or a protected preview of the counts.

    Attributes
    ----------
    table : DataFrame
        The preview, after small-number protection: one row per unit, then ``all``.
        An indicator: ``unit``, ``denominator`` (population after exclusions),
        ``numerator``, ``rate`` (on the indicator's scale) and its Wilson interval
        (``wilson_lcl``, ``wilson_ucl``). A theme: ``unit``, ``records``, ``in_theme``,
        ``share`` (percent). Hidden values are NaN. Empty when there are errors.
    ok : bool
        No errors: the definition can be saved.
    errors : list of str
        What must be fixed, in words.
    notes : list of str
        What is worth knowing (a saved definition that will be replaced, exclusions
        that remove nobody, what the protection hid).
    accounting : DataFrame
        Where every record went (``outside population``, ``excluded: <reason>``, ``in
        the denominator``; a theme: ``not in the theme``, ``unknown (missing data)``,
        ``in the theme``) with its ``records``, protected too: the rows add up to the
        table's size.
    definition : Indicator or Theme or None
    unit_type : str
    measure : str
        ``percent``, ``per_1000`` (an indicator) or ``percent`` (a theme's share).
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden.
    """

    table: pd.DataFrame
    ok: bool
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    accounting: pd.DataFrame = field(default_factory=pd.DataFrame)
    definition: Any = None
    unit_type: str = "hospital"
    measure: str = "percent"
    threshold: int = DEFAULT_THRESHOLD

    def summary(self) -> str:
        """Errors, or the overall counts (as protected) and the notes."""
        name = getattr(self.definition, "id", "definition")
        if not self.ok:
            return f"{name}: cannot be saved yet\n" + "\n".join(f"- {e}" for e in self.errors)
        lines = [f"{name}: checked on the data, {len(self.table) - 1} {self.unit_type} units"]
        overall = self.table[self.table["unit"] == "all"]
        if len(overall):
            row = overall.iloc[0]
            cells = [f"{c} {_shown(row[c])}" for c in self.table.columns if c != "unit"]
            lines.append("overall: " + ", ".join(cells))
        return "\n".join(lines + [f"- {n}" for n in self.notes])

    def chart(self, highlight: str | None = None, **options: Any) -> Any:
        """The shown rates per unit (hidden ones left out): a dot-and-whisker chart."""
        from saz_geboortezorg.present.rates_chart import rate_chart

        if not self.ok or "rate" not in self.table:
            raise SpecError("the definition has errors: nothing to draw")
        units = self.table[(self.table["unit"] != "all") & self.table["rate"].notna()]
        overall = self.table.loc[self.table["unit"] == "all", "rate"]
        return rate_chart(
            units.reset_index(drop=True),
            overall=None if overall.isna().all() else float(overall.iloc[0]),
            highlight=highlight,
            title=options.get("title", getattr(self.definition, "name_en", None)),
        )


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "hidden"
    if isinstance(value, float):
        return f"{value:.2f}" if not value.is_integer() else f"{value:.0f}"
    return str(value)


def check_indicator(
    data: Any,
    definition: Indicator | Theme,
    *,
    catalogue: Any = None,
    unit: str = "hospital",
    threshold: int = DEFAULT_THRESHOLD,
) -> IndicatorCheck:
    """Check an indicator or theme against the data and preview its counts, protected.

    Parameters
    ----------
    data : Dataset or DataFrame
        The data (the definition's level picks ``women`` or ``births``).
    definition : Indicator or Theme
        From :func:`~saz_geboortezorg.indicators.user.define_indicator` /
        :func:`~saz_geboortezorg.indicators.user.define_theme`.
    catalogue : str or Path, optional
        The user catalogue it will be saved to: a note says when it replaces an entry
        there, and an indicator may not take a theme's id (or the reverse).
    unit : str
        Level of the preview: ``hospital``, ``region``, ``practice`` (or a column).
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden (default 10, as in the reports).

    Returns
    -------
    IndicatorCheck
        ``ok``, ``errors``, ``notes`` and the protected preview ``table``.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.indicators.user import define_indicator
    >>> sizes = {"A": (40, 12), "B": (50, 15), "C": (30, 4), "D": (30, 11)}
    >>> w = pd.DataFrame([(u, 0, "induced" if i < k else "spontaneous")
    ...                   for u, (n, k) in sizes.items() for i in range(n)],
    ...                  columns=["hospital_id", "parity", "onset"])
    >>> ind = define_indicator("induction_nullip", name_en="Induction, nulliparous",
    ...                        name_nl="Inductie bij nulliparae", population="parity == 0",
    ...                        numerator="onset == 'induced'")
    >>> check = check_indicator(w, ind)

    C's 4 inductions are hidden, and D's too (else 42 - 12 - 15 - 11 gives C's away):

    >>> check.table[["unit", "denominator", "numerator", "rate"]]
      unit  denominator  numerator  rate
    0    A           40       12.0  30.0
    1    B           50       15.0  30.0
    2    C           30        NaN   NaN
    3    D           30        NaN   NaN
    4  all          150       42.0  28.0
    >>> check_indicator(w, define_indicator("x_bad", name_en="x", name_nl="x",
    ...                 population="parity == 0", numerator="onset == 'inducd'")).errors
    ["numerator: 'inducd' is not a value of onset (its values: induced, spontaneous); did you mean 'induced'?"]
    """
    if not isinstance(definition, Indicator | Theme):
        raise SpecError(
            "check_indicator takes a definition from sg.define_indicator or sg.define_theme"
        )
    if threshold < 2:
        raise SpecError(f"threshold must be at least 2, not {threshold}")
    level = definition.level
    table = table_for(data, level)
    kind = "theme" if isinstance(definition, Theme) else "indicator"
    errors = (
        theme_problems(table, definition)
        if kind == "theme"
        else indicator_problems(table, definition)
    )
    notes: list[str] = []
    if catalogue is not None:
        saved = read_user_catalogue(catalogue)
        same, other = (
            (saved.themes, saved.indicators)
            if kind == "theme"
            else (saved.indicators, saved.themes)
        )
        if definition.id in other:
            errors.append(
                f"id {definition.id!r} is already a {'indicator' if kind == 'theme' else 'theme'}"
                " in the user catalogue: choose another id"
            )
        elif definition.id in same and same[definition.id] != definition:
            notes.append(f"saving replaces the saved definition of {definition.id!r}")
    empty = IndicatorCheck(
        table=pd.DataFrame(),
        ok=False,
        errors=errors,
        notes=notes,
        definition=definition,
        unit_type=unit,
        threshold=threshold,
    )
    if errors:
        return empty
    try:
        if kind == "theme":
            preview, accounting = _theme_counts(table, definition, unit)
            measure = "percent"
            counts, derived = ["records", "in_theme"], {"share": ["in_theme", "records"]}
            denominators = {"in_theme": "records"}
        else:
            preview, accounting = _indicator_counts(table, definition, unit)
            measure = definition.unit
            counts = ["denominator", "numerator"]
            derived = {c: counts for c in _RATE_COLUMNS}
            denominators = {"numerator": "denominator"}
    except SazError as exc:
        empty.errors = [str(exc)]
        return empty
    units = preview[preview["unit"] != "all"]
    overall = preview[preview["unit"] == "all"]
    # Where the records went: its rows add up to the table's size (known). A small
    # count there (an exclusion that removed 1 to 9) needs a second hidden cell: the
    # first row (outside the population / not in the theme) is hidden with it, so that
    # the last (the denominator / the theme's records, shown in the overall row) stays.
    small = accounting["records"].between(1, threshold - 1).to_numpy()
    force = pd.DataFrame({"records": [bool(small[1:-1].any()), *[False] * (len(small) - 1)]})
    shown_accounting = suppress(
        accounting, ["records"], force=force, threshold=threshold, name="where the records went"
    )
    kept_hidden = bool(shown_accounting.hidden["records"].iloc[-1])
    # the units as the reports protect a table (the all-units total is known); the
    # overall row loses its denominator if the accounting had to hide it after all
    shown_units = suppress(
        units,
        counts,
        denominators=denominators,
        derived=derived,
        threshold=threshold,
        name="preview per unit",
        label=["unit"],
    )
    shown_overall = suppress(
        overall,
        counts,
        denominators=denominators,
        derived=derived,
        force=pd.DataFrame({counts[0]: [kept_hidden], counts[1]: [False]}),
        threshold=threshold,
        name="preview overall",
        label=["unit"],
    )
    for p in (shown_units, shown_overall, shown_accounting):
        if p.log:
            notes.append(p.describe())
    if kind == "indicator":
        for e in definition.exclusions:
            row = accounting[accounting["where"] == f"excluded: {e.reason}"]
            if not len(row) or int(row["records"].iloc[0]) == 0:
                notes.append(f"exclusion {e.reason!r} removes nobody in this data")
    out = pd.concat([shown_units.table, shown_overall.table], ignore_index=True)
    return IndicatorCheck(
        table=out,
        ok=True,
        errors=[],
        notes=notes,
        accounting=shown_accounting.table,
        definition=definition,
        unit_type=unit,
        measure=measure,
        threshold=threshold,
    )


def _indicator_counts(
    table: pd.DataFrame, indicator: Indicator, unit: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["unit", "denominator", "numerator", *_RATE_COLUMNS]
    per_unit = compute_indicator(table, indicator, unit).table
    overall = compute_indicator(table, indicator, None).table
    preview = pd.concat([per_unit[cols], overall[cols]], ignore_index=True)
    preview.loc[preview.index[-1], "unit"] = "all"
    where = indicator_records(table, indicator).value_counts(sort=False)
    order = ["outside population", *[f"excluded: {e.reason}" for e in indicator.exclusions]]
    order += [w for w in where.index if w not in order and w.startswith("excluded: ")]
    records = [int(where.get(w, 0)) for w in order]
    order.append(_KEPT)
    records.append(int(where.get("event", 0) + where.get("no event", 0)))
    return preview, pd.DataFrame({"where": order, "records": records})


def _theme_counts(
    table: pd.DataFrame, theme: Theme, unit: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from saz_geboortezorg.indicators.compute import resolve_unit

    values = theme.values(table)
    column = resolve_unit(unit, table.columns)
    groups = (
        table[column].astype("string").fillna("unknown")
        if column
        else pd.Series("all", index=table.index)
    )
    frame = pd.DataFrame({"unit": groups, "in_theme": values.eq("yes"), "records": 1})
    sums = frame.groupby("unit", sort=True)[["records", "in_theme"]].sum().reset_index()
    total = pd.DataFrame(
        {"unit": ["all"], "records": [len(frame)], "in_theme": [int(frame["in_theme"].sum())]}
    )
    preview = pd.concat([sums, total], ignore_index=True)
    preview["records"] = preview["records"].astype(int)
    preview["in_theme"] = preview["in_theme"].astype(int)
    preview["share"] = 100.0 * preview["in_theme"] / preview["records"]
    counts = values.value_counts()
    accounting = pd.DataFrame(
        {
            "where": ["not in the theme", "unknown (missing data)", _KEPT_THEME],
            "records": [int(counts.get(v, 0)) for v in ("no", "unknown", "yes")],
        }
    )
    return preview, accounting


# ---------------------------------------------------------------------- the panel
#: Field name -> (English, Dutch) label of the editor's controls.
FIELDS = {
    "kind": ("What", "Wat"),
    "id": ("Id", "Id"),
    "name_en": ("Name (English)", "Naam (Engels)"),
    "name_nl": ("Name (Dutch)", "Naam (Nederlands)"),
    "level": ("Table", "Tabel"),
    "population": ("Population", "Populatie (noemer)"),
    "numerator": ("Numerator", "Teller"),
    "exclusions": ("Exclusions", "Uitsluitingen"),
    "better": ("Direction", "Richting"),
    "unit": ("Scale", "Schaal"),
    "domain": ("Domain", "Domein"),
    "expression": ("Theme expression", "Thema-expressie"),
    "preview_unit": ("Preview per", "Voorbeeld per"),
}
_CHOICES = {
    "kind": {
        "en": [("Indicator", "indicator"), ("Theme filter", "theme")],
        "nl": [("Indicator", "indicator"), ("Themafilter", "theme")],
    },
    "level": {
        "en": [("Women (one row per pregnancy)", "woman"), ("Babies (one row per baby)", "baby")],
        "nl": [("Vrouwen (per zwangerschap)", "woman"), ("Kinderen (per kind)", "baby")],
    },
    "better": {
        "en": [
            ("Lower is better (a higher rate is worse)", "lower"),
            ("Higher is better", "higher"),
            ("Neither (a process measure)", "neither"),
        ],
        "nl": [
            ("Lager is beter (hoger is slechter)", "lower"),
            ("Hoger is beter", "higher"),
            ("Geen richting (procesmaat)", "neither"),
        ],
    },
    "unit": {
        "en": [("Percent", "percent"), ("Per 1,000", "per_1000")],
        "nl": [("Procent", "percent"), ("Per 1.000", "per_1000")],
    },
    "domain": {
        "en": [
            ("Mother", "mother"),
            ("Child", "child"),
            ("Process", "process"),
            ("Care path", "care_path"),
        ],
        "nl": [
            ("Moeder", "mother"),
            ("Kind", "child"),
            ("Proces", "process"),
            ("Zorgpad", "care_path"),
        ],
    },
}
_TEXT = {
    "en": {
        "title": "Define an indicator or a theme filter",
        "help": (
            "Write the population, numerator and exclusions with column names of the "
            "analysis table, e.g. <code>ga_days &gt;= 259 and parity == 0</code>, "
            "<code>mode in ['vacuum', 'forceps']</code>, <code>missing(blood_loss)</code>. "
            "Exclusions: one per line, <code>reason: expression</code>."
        ),
        "check": "Check",
        "save": "Save",
        "saved": "Saved to {path}; the explorer lists it now.",
        "saved_no_explorer": "Saved to {path}.",
        "errors": "Cannot be saved yet:",
        "preview": "Preview (counts 1-{tm1} hidden, as in the reports):",
        "accounting": "Where every record went:",
    },
    "nl": {
        "title": "Een indicator of themafilter definiëren",
        "help": (
            "Schrijf populatie, teller en uitsluitingen met kolomnamen van de "
            "analysetabel, bijv. <code>ga_days &gt;= 259 and parity == 0</code>, "
            "<code>mode in ['vacuum', 'forceps']</code>, <code>missing(blood_loss)</code>. "
            "Uitsluitingen: één per regel, <code>reden: expressie</code>."
        ),
        "check": "Controleer",
        "save": "Opslaan",
        "saved": "Opgeslagen in {path}; de verkenner toont hem nu.",
        "saved_no_explorer": "Opgeslagen in {path}.",
        "errors": "Nog niet op te slaan:",
        "preview": "Voorbeeld (aantallen 1-{tm1} verborgen, zoals in de rapporten):",
        "accounting": "Waar elk record bleef:",
    },
}


def parse_exclusions(text: str) -> list[tuple[str, str]]:
    """The exclusions box: one exclusion per line, ``reason: expression``.

    Examples
    --------
    >>> parse_exclusions("onset unknown: onset == 'unknown'\\n\\nno age: missing(maternal_age)")
    [('onset unknown', "onset == 'unknown'"), ('no age', 'missing(maternal_age)')]
    >>> parse_exclusions("missing(parity)")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: exclusion line 1 ('missing(parity)'): write 'reason: expression'
    """
    out = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        reason, sep, when = line.partition(":")
        if not sep or not reason.strip() or not when.strip():
            raise SpecError(
                f"exclusion line {number} ({line.strip()!r}): write 'reason: expression'"
            )
        out.append((reason.strip(), when.strip()))
    return out


class IndicatorEditor:
    """The dashboard panel to define, check and save a user indicator or theme filter.

    Parameters
    ----------
    data : Dataset or DataFrame
    catalogue : str or Path
        The user catalogue file (``<data folder>/mijn_indicatoren.yaml``).
    explorer : Explorer, optional
        The explorer to update after a save (:meth:`Explorer.reload_catalogue`).
    language : {"en", "nl"}
    threshold : int
        Small-number protection of the preview (counts 1 to ``threshold - 1`` hidden).

    Attributes
    ----------
    widget : ipywidgets.VBox
    fields : dict
        Field name (:data:`FIELDS`) -> widget; set ``.value`` to fill in a part.
    buttons : dict
        ``check``, ``save`` -> ipywidgets.Button (``.click()`` presses one).
    result : IndicatorCheck or None
        The latest check.
    message : ipywidgets.HTML
        Errors, the preview table, or what was saved.
    """

    def __init__(
        self,
        data: Any,
        catalogue: Any,
        *,
        explorer: Any = None,
        language: str = "en",
        threshold: int = DEFAULT_THRESHOLD,
    ) -> None:
        import ipywidgets as widgets

        from saz_geboortezorg.explore.controls import level_options

        if catalogue is None:
            raise SpecError(
                "the editor needs a user catalogue file to save to, e.g. "
                "sg.user_catalogue_path(DATA_FOLDER) (<data folder>/mijn_indicatoren.yaml)"
            )
        self.data = data
        self.catalogue = catalogue
        self.explorer = explorer
        self.language = check_language(language)
        self.threshold = threshold
        self.result: IndicatorCheck | None = None
        lang = self.language
        text = widgets.Text
        area = widgets.Textarea
        wide = widgets.Layout(width="95%")
        self.fields = {
            "kind": widgets.ToggleButtons(options=_CHOICES["kind"][lang], value="indicator"),
            "id": text(placeholder="e.g. cs_young_nullip"),
            "name_en": text(layout=wide),
            "name_nl": text(layout=wide),
            "level": widgets.ToggleButtons(options=_CHOICES["level"][lang], value="woman"),
            "population": area(placeholder="ga_days >= 154 and parity == 0", layout=wide),
            "numerator": area(placeholder="cs == 1", layout=wide),
            "exclusions": area(
                placeholder="gestational age unknown: missing(ga_days)", layout=wide
            ),
            "better": widgets.Dropdown(options=_CHOICES["better"][lang], value="lower"),
            "unit": widgets.Dropdown(options=_CHOICES["unit"][lang], value="percent"),
            "domain": widgets.Dropdown(options=_CHOICES["domain"][lang], value="mother"),
            "expression": area(placeholder="parity == 0 and maternal_age < 25", layout=wide),
            "preview_unit": widgets.Dropdown(options=level_options(data, lang)),
        }
        for name, control in self.fields.items():
            control.description = FIELDS[name][0 if lang == "en" else 1]
            control.style = {"description_width": "initial"}
        words = _TEXT[lang]
        self.buttons = {
            "check": widgets.Button(description=words["check"], button_style="info"),
            "save": widgets.Button(description=words["save"], button_style="success"),
        }
        self.buttons["check"].on_click(lambda _: self.check())
        self.buttons["save"].on_click(lambda _: self.save())
        self.message = widgets.HTML()
        self.fields["kind"].observe(lambda _: self._show_fields(), names="value")
        self._indicator_box = widgets.VBox(
            [self.fields[n] for n in ("population", "numerator", "exclusions")]
            + [widgets.HBox([self.fields["better"], self.fields["unit"], self.fields["domain"]])]
        )
        self._theme_box = widgets.VBox([self.fields["expression"]])
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{words['title']}</h3><p>{words['help']}</p>"),
                self.fields["kind"],
                widgets.HBox([self.fields["id"], self.fields["level"]]),
                self.fields["name_en"],
                self.fields["name_nl"],
                self._indicator_box,
                self._theme_box,
                widgets.HBox(
                    [self.buttons["check"], self.buttons["save"], self.fields["preview_unit"]]
                ),
                self.message,
            ]
        )
        self._show_fields()

    def _show_fields(self) -> None:
        theme = self.fields["kind"].value == "theme"
        self._indicator_box.layout.display = "none" if theme else None
        self._theme_box.layout.display = None if theme else "none"

    def definition(self) -> Indicator | Theme:
        """The indicator or theme the fields define (a :class:`SpecError` says what is
        wrong with the parts themselves)."""
        f = {name: control.value for name, control in self.fields.items()}
        if f["kind"] == "theme":
            return define_theme(
                f["id"].strip(),
                name_en=f["name_en"],
                name_nl=f["name_nl"],
                expression=f["expression"],
                level=f["level"],
            )
        return define_indicator(
            f["id"].strip(),
            name_en=f["name_en"],
            name_nl=f["name_nl"],
            population=f["population"],
            numerator=f["numerator"],
            level=f["level"],
            exclusions=parse_exclusions(f["exclusions"]),
            better=f["better"],
            unit=f["unit"],
            domain=f["domain"],
        )

    def check(self) -> IndicatorCheck:
        """What "Check" does: check the definition on the data and show the errors or
        the protected preview."""
        try:
            definition = self.definition()
        except SazError as exc:
            self.result = IndicatorCheck(
                table=pd.DataFrame(), ok=False, errors=[str(exc)], threshold=self.threshold
            )
        else:
            self.result = check_indicator(
                self.data,
                definition,
                catalogue=self.catalogue,
                unit=self.fields["preview_unit"].value or "hospital",
                threshold=self.threshold,
            )
        self.message.value = self._render(self.result)
        return self.result

    def save(self) -> bool:
        """What "Save" does: check, and when there is no error write the definition to
        the user catalogue and reload the explorer's lists. True when saved."""
        import html

        result = self.check()
        if not result.ok:
            return False
        path = save_user_entry(result.definition, self.catalogue)
        words = _TEXT[self.language]
        done = words["saved" if self.explorer is not None else "saved_no_explorer"]
        if self.explorer is not None:
            self.explorer.reload_catalogue()
        self.message.value = f"<p><b>{html.escape(done.format(path=path))}</b></p>" + (
            self.message.value
        )
        return True

    def _render(self, result: IndicatorCheck) -> str:
        import html

        words = _TEXT[self.language]
        if not result.ok:
            items = "".join(f"<li>{html.escape(e)}</li>" for e in result.errors)
            return f"<p><b>{words['errors']}</b></p><ul>{items}</ul>"
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
        shown = result.table.round(2).to_html(index=False, na_rep="·")
        accounting = result.accounting.to_html(index=False, na_rep="·")
        return (
            f"<p><b>{words['preview'].format(tm1=result.threshold - 1)}</b></p>{shown}"
            f"<p>{words['accounting']}</p>{accounting}" + (f"<ul>{notes}</ul>" if notes else "")
        )


def indicator_editor(
    data: Any,
    catalogue: Any,
    *,
    explorer: Any = None,
    language: str = "en",
    threshold: int = DEFAULT_THRESHOLD,
) -> IndicatorEditor:
    """The indicator editor panel (see :class:`IndicatorEditor`); display its ``.widget``.

    Examples
    --------
    >>> editor = indicator_editor(data, sg.user_catalogue_path(folder), explorer=ex)  # doctest: +SKIP
    >>> editor.widget                                                               # doctest: +SKIP
    """
    return IndicatorEditor(
        data, catalogue, explorer=explorer, language=language, threshold=threshold
    )
