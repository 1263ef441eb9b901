"""The explorer widget: ipywidgets controls wired to :func:`~.view.explorer_view`.

No statistics here: every control change updates an :class:`~.view.ExplorerState` and
calls the view function; the charts go to :class:`~saz_geboortezorg.present.chart_pane.ChartPane`
panes (only those the change affects), the table to an HTML widget. Control
descriptions are fixed English words ("Indicator", "Level", "Period", "Adjustment",
"Overdispersion", "Limits", "My unit", "Language", "SES quintile", "Migration",
"Parity", "Robson group") so that scripts and browser tests find them in either
language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SazError
from saz_geboortezorg.explore import controls as opts
from saz_geboortezorg.explore.labels import HELP_TITLE, check_language, help_html
from saz_geboortezorg.explore.presenter import HIDDEN_CLASS, Presenter
from saz_geboortezorg.explore.query import choice_from_query
from saz_geboortezorg.explore.view import CHARTS, ExplorerState, explorer_view
from saz_geboortezorg.memory import small_pages

__all__ = ["Explorer", "DESCRIPTIONS"]

#: Control name -> the widget's description (stable, not translated).
DESCRIPTIONS = {
    "indicator": "Indicator",
    "level": "Level",
    "period": "Period",
    "adjusted": "Adjustment",
    "overdispersion": "Overdispersion",
    "limits": "Limits",
    "my_unit": "My unit",
    "language": "Language",
    "ses_quintile": "SES quintile",
    "migration": "Migration",
    "parity_group": "Parity",
    "robson_main": "Robson group",
}


class Explorer:
    """Funnel plot, caterpillar plot, trend and table of one indicator, redrawn when a
    control changes.

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded dataset (``sg.load(...)``).
    highlight : str, optional
        'My unit': the unit to highlight (at the starting level of comparison).
        Formerly ``my_unit`` (deprecated).
    language : {"en", "nl"}
        Labels in English (with the Dutch terms) or Dutch.
    indicator : str
        The indicator shown first.
    unit : str
        The starting level of comparison: ``hospital``, ``region`` or ``practice``.
        Formerly ``level`` (deprecated).
    cache : BenchmarkCache, optional
        Share fitted models with other explorers or benchmarks on the same data.
    catalogue : str or Path, optional
        A user catalogue file (``<data folder>/mijn_indicatoren.yaml``, see
        :mod:`saz_geboortezorg.indicators.user`): its indicators join the indicator
        list, its themes the theme filters. After the file changes (the indicator
        editor's Save), :meth:`reload_catalogue` picks them up.
    query : str, optional
        The page's query string (``"unit=R05"``, ``"unit=ZH05&level=hospital"``,
        ``lang=nl``; in Voila ``os.environ["QUERY_STRING"]``, see
        :mod:`saz_geboortezorg.explore.query`): its unit, level and language win over
        ``highlight``, ``unit`` and ``language``. An unknown unit or level is dropped
        with a message above the charts; the explorer always opens.
    save_folder : str or Path, optional
        Where "Save this view" writes (default: ``views`` beside the user catalogue,
        else in the working folder).

    Attributes
    ----------
    widget : ipywidgets.VBox
        Display this (the last expression of a notebook cell, or in Voila).
    controls : dict
        Control name -> widget (see :data:`DESCRIPTIONS`).
    panes : dict
        Chart name (``funnel``, ``caterpillar``, ``trend``) -> ChartPane.
    help : ipywidgets.Accordion
        "How to read this", closed at the start, in the explorer's language.
    presenter : Presenter
        Presenter mode (:mod:`saz_geboortezorg.explore.presenter`); see :meth:`present`
        and :meth:`step`.
    save_button : ipywidgets.Button
        "Save this view" (:meth:`save_view`); ``save_folder`` (a Text) says where.
    address_note : str
        Why (part of) the page's address was not followed ('' when it was).
    state : ExplorerState
    view : View or None
        The latest view (None after an error; the message is in ``status``).
    view_function : callable
        ``(data, state, cache, previous) -> View``; :func:`explorer_view` by default.

    Examples
    --------
    >>> import saz_geboortezorg as sg
    >>> from saz_geboortezorg.explore import Explorer
    >>> data = sg.load(sg.synthetic.default_dataset())            # doctest: +SKIP
    >>> ex = Explorer(data, highlight="R05")                        # doctest: +SKIP
    >>> ex.controls["level"].value = "hospital"   # redraws         # doctest: +SKIP
    >>> ex.widget                                                   # doctest: +SKIP
    >>> Explorer(data, query="unit=ZH05&level=hospital").state.my_unit  # doctest: +SKIP
    'ZH05'
    >>> ex.present(["cs", "induction"]); ex.step(1)                  # doctest: +SKIP
    >>> ex.save_view("views").files[0].name                         # doctest: +SKIP
    'funnel.png'
    """

    @renamed_arguments(my_unit="highlight", level="unit")
    def __init__(
        self,
        data: Any,
        *,
        highlight: str | None = None,
        language: str = "en",
        indicator: str = "cs",
        unit: str = "region",
        cache: Any = None,
        view_function: Any = None,
        catalogue: Any = None,
        query: str | None = None,
        save_folder: Any = None,
    ) -> None:
        import ipywidgets as widgets

        from saz_geboortezorg.compare.benchmark import BenchmarkCache
        from saz_geboortezorg.present.chart_pane import ChartPane

        self.data = data
        self.address_note = ""
        if query is not None:
            choice = choice_from_query(data, query, default_level=unit)
            highlight = choice.unit if choice.unit is not None else highlight
            unit = choice.level or unit
            language = choice.language or language
            if choice.unit is None and choice.level is not None:
                highlight = None  # the address asked for a unit not at this level
            self.address_note = choice.message
        self.cache = cache if cache is not None else BenchmarkCache()
        self.view_function = view_function or explorer_view
        self.state = ExplorerState(
            indicator=indicator,
            level=unit,
            my_unit=highlight,
            language=check_language(language),
            catalogue=None if catalogue is None else str(catalogue),
        )
        self.view: Any = None
        self._quiet = False
        self._options_memo: dict[tuple, tuple] = {}  # see _data_options
        self.controls = self._make_controls(widgets)
        for name, control in self.controls.items():
            control.observe(self._handler(name), names="value")
        self.panes = {name: ChartPane() for name in CHARTS}
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self.help = widgets.Accordion(
            children=[widgets.HTML(help_html(self.state.language))],
            titles=(HELP_TITLE[self.state.language],),
            selected_index=None,
        )
        self.presenter = Presenter(self)
        self.save_button = widgets.Button(
            description="Save this view",
            tooltip="Funnel and caterpillar plot (PNG, SVG) and table (CSV), small counts hidden",
        )
        self.save_folder = widgets.Text(
            value=str(self._default_folder(save_folder, catalogue)),
            description="Folder",
            layout=widgets.Layout(width="40em"),
        )
        self.saved = widgets.HTML()
        self.save_button.on_click(lambda _: self._save_clicked())
        self.widget = self._layout(widgets)
        self.widget.add_class("saz-explorer")
        self.refresh()

    # -- controls -----------------------------------------------------------------
    def _make_controls(self, widgets: Any) -> dict[str, Any]:
        s, lang = self.state, self.state.language
        periods, units, themes = self._data_options(lang, s.level, s.catalogue)
        wide = {"description_width": "initial"}
        layout = widgets.Layout(width="auto")
        made = {
            "indicator": widgets.Dropdown(
                options=opts.indicator_options(lang, s.catalogue),
                value=s.indicator,
                layout=layout,
            ),
            "level": widgets.ToggleButtons(
                options=opts.level_options(self.data, lang), value=s.level
            ),
            "period": widgets.Dropdown(options=periods, value=s.period),
            "adjusted": widgets.ToggleButtons(
                options=opts.adjustment_options(lang), value=s.adjusted
            ),
            "overdispersion": widgets.ToggleButtons(
                options=opts.overdispersion_options(lang), value=s.overdispersion
            ),
            "limits": widgets.Dropdown(options=opts.limit_options(lang), value=s.limits),
            "my_unit": widgets.Dropdown(options=units, value=s.my_unit),
            "language": widgets.ToggleButtons(options=opts.language_options(), value=lang),
        }
        for column, (title, options) in themes.items():
            made[column] = self._theme_control(widgets, column, title, options)
        for name, control in made.items():
            if name in DESCRIPTIONS:
                control.description = DESCRIPTIONS[name]
            control.style = wide
        return made

    @staticmethod
    def _theme_control(widgets: Any, column: str, title: str, options: list) -> Any:
        control = widgets.SelectMultiple(options=options, value=(), rows=4)
        # a user theme's description is its English name (stable, as the fixed words)
        control.description = DESCRIPTIONS.get(column, title.split(" – ")[0])
        return control

    def _theme_names(self) -> list[str]:
        user = [c for c in self.controls if c.startswith(opts.THEME_PREFIX)]
        return [t for t in opts.THEMES if t in self.controls] + user

    def _layout(self, widgets: Any) -> Any:
        c = self.controls
        row = widgets.HBox
        top = [
            c["indicator"],
            row([c["level"], c["period"]]),
            row([c["adjusted"], c["limits"]]),
            row([c["overdispersion"], c["my_unit"]]),
            c["language"],
        ]
        themes = [c[t] for t in self._theme_names()]
        charts = [self.panes[name].widget for name in CHARTS]
        wrap = widgets.Layout(flex_flow="row wrap")
        self._themes_row = row(themes, layout=wrap)
        save = row([self.save_button, self.save_folder, self.saved], layout=wrap)
        rest = row(charts[1:], layout=wrap)
        for part in (self.help, *top, self._themes_row, save, rest):
            part.add_class(HIDDEN_CLASS)  # presenter mode: the funnel and its table only
        self.status.add_class(HIDDEN_CLASS)
        return widgets.VBox(
            [
                self.help,
                *top,
                self._themes_row,
                self.presenter.bar,
                save,
                self.status,
                charts[0],
                rest,
                self.table,
            ]
        )

    def _handler(self, name: str):
        def changed(change: dict) -> None:
            if not self._quiet:
                self.set(name, change["new"])

        return changed

    def set(self, name: str, value: Any) -> None:
        """Change one control's value in the state and redraw (what a widget change does).

        Theme filters take a sequence of values (empty: everybody).
        """
        if name in opts.THEMES or name.startswith(opts.THEME_PREFIX):
            self.state = self.state.with_filter(name, value)
        elif name == "level":
            self.state = self.state.replace(level=value)
            self._relabel()  # 'my unit' choices belong to the level
        elif name == "language":
            self.state = self.state.replace(language=check_language(value))
            self._relabel()
            self.help.children[0].value = help_html(self.state.language)
            self.help.titles = (HELP_TITLE[self.state.language],)
        else:
            self.state = self.state.replace(**{name: value})
        self.refresh()

    def _relabel(self) -> None:
        """Option lists in the current language and level, keeping every value."""
        s, lang = self.state, self.state.language
        periods, units, themes = self._data_options(lang, s.level, s.catalogue)
        fresh = {
            "indicator": opts.indicator_options(lang, s.catalogue),
            "level": opts.level_options(self.data, lang),
            "period": periods,
            "adjusted": opts.adjustment_options(lang),
            "overdispersion": opts.overdispersion_options(lang),
            "limits": opts.limit_options(lang),
            "my_unit": units,
        }
        for column, (_, options) in themes.items():
            fresh[column] = options
        units = {v for _, v in fresh["my_unit"]}
        if s.my_unit not in units:
            self.state = s = s.replace(my_unit=None)
        self._quiet = True
        try:
            for name, options in fresh.items():
                control = self.controls.get(name)
                if control is None:
                    continue
                value = control.value
                control.options = options
                if name == "my_unit":
                    value = s.my_unit
                elif name == "indicator":
                    value = s.indicator
                control.value = value
        finally:
            self._quiet = False
        presenter = getattr(self, "presenter", None)
        if presenter is not None:
            presenter.relabel()

    def _data_options(self, language: str, level: str, catalogue: Any) -> tuple:
        """The option lists read from the data (years, units of the level, theme values
        and user themes), kept per language, level and catalogue: the data does not
        change, and reading millions of records again would hold up a change of level
        or language (:meth:`reload_catalogue` forgets them)."""
        memo = self._options_memo
        made = {
            ("period", language): lambda: opts.period_options(self.data, language),
            ("units", level, language): lambda: opts.unit_options(self.data, level, language),
            ("themes", language, catalogue): lambda: opts.theme_options(
                self.data, language, catalogue
            ),
        }
        for key, make in made.items():
            if key not in memo:
                memo[key] = make()
        return tuple(memo[key] for key in made)

    def reload_catalogue(self) -> None:
        """Read the user catalogue again: new or changed indicators join the indicator
        list, new themes get a filter, removed ones go; then redraw everything (a
        changed definition under the same id is computed afresh).

        The indicator editor's Save calls this for the explorer it was given.
        """
        import ipywidgets as widgets

        s, lang = self.state, self.state.language
        self._options_memo.clear()  # user themes may have changed
        themes = opts.theme_options(self.data, lang, s.catalogue)
        for name in [c for c in self.controls if c.startswith(opts.THEME_PREFIX)]:
            if name not in themes:
                self.controls.pop(name).close()
                self.state = self.state.with_filter(name, ())
        for column, (title, options) in themes.items():
            if column.startswith(opts.THEME_PREFIX) and column not in self.controls:
                control = self._theme_control(widgets, column, title, options)
                control.style = {"description_width": "initial"}
                control.observe(self._handler(column), names="value")
                self.controls[column] = control
        self._themes_row.children = [self.controls[t] for t in self._theme_names()]
        indicators = {v for _, v in opts.indicator_options(lang, s.catalogue)}
        if self.state.indicator not in indicators:
            self.state = self.state.replace(indicator="cs")
        self._relabel()
        self.view = None  # nothing reused: a definition may have changed under its id
        self.refresh()

    # -- drawing --------------------------------------------------------------------
    def refresh(self) -> None:
        """Compute the view for the current state and show what changed."""
        try:
            with small_pages():  # a redraw works on every row (saz_geboortezorg.memory)
                view = self.view_function(self.data, self.state, self.cache, self.view)
        except SazError as exc:
            self.status.value = f"<b>{_escape(str(exc))}</b>"
            return
        except Exception as exc:
            # A bug, not a user error: say so on screen (Voila shows callback errors
            # nowhere else), keep the previous charts, and let the error propagate.
            self.status.value = (
                f"<b>Internal error ({_escape(type(exc).__name__)}: {_escape(str(exc))}); "
                "the charts still show the previous choice. Please report this.</b>"
            )
            raise
        reused = set(getattr(view, "reused", ()))
        for name, pane in self.panes.items():
            if name not in reused or pane.chart is None:
                pane.update(view.charts[name])
        self.table.value = view.display().to_html(index=False, na_rep="")
        notes = [view.method, *view.notes]
        self.status.value = "<br>".join(_escape(n) for n in notes if n)
        if self.address_note:
            self.status.value = f"<b>{_escape(self.address_note)}</b><br>" + self.status.value
        self.view = view
        presenter = getattr(self, "presenter", None)
        if presenter is not None and presenter.active:
            presenter.show_position()

    # -- presenter mode and saved views --------------------------------------------
    def present(self, indicators: Any = None, on: bool = True) -> None:
        """Presenter mode on (or off with ``on=False``): large type, the funnel plot and
        table of one indicator, Previous/Next and the arrow keys step through
        ``indicators`` (ids; default: the ones chosen under "Present", else the current
        one). See :mod:`saz_geboortezorg.explore.presenter`."""
        self.presenter.switch(on, indicators)

    def step(self, by: int = 1) -> str:
        """Presenter mode: show the next (``by=1``) or previous (``-1``) indicator of the
        list (it stops at either end); returns its id."""
        return self.presenter.step(by)

    def save_view(self, folder: Any = None, *, threshold: int | None = None) -> Any:
        """Write the current funnel and caterpillar plot (PNG, SVG) and table (CSV),
        protected as the reports are (:func:`saz_geboortezorg.explore.save.save_view`).

        Parameters
        ----------
        folder : str or Path, optional
            Default: the "Folder" box (``save_folder``).
        threshold : int, optional
            Counts from 1 to ``threshold - 1`` are hidden (default 10, as the reports).

        Returns
        -------
        SavedView
        """
        from saz_geboortezorg.disclosure import DEFAULT_THRESHOLD
        from saz_geboortezorg.explore.save import save_view

        if self.view is None:
            raise SazError("nothing to save: the explorer shows no view (see its message)")
        where = Path(folder if folder is not None else self.save_folder.value).expanduser()
        return save_view(self.view, where, threshold=threshold or DEFAULT_THRESHOLD)

    def _save_clicked(self) -> None:
        self.saved.value = "Saving ..."
        try:
            saved = self.save_view()
        except (SazError, OSError) as exc:
            self.saved.value = f"<b>Not saved: {_escape(str(exc))}</b>"
            return
        names = ", ".join(p.name for p in saved.files)
        hidden = f" {_escape(saved.summary)}" if saved.hidden_units else ""
        self.saved.value = (
            f"Saved to <code>{_escape(str(saved.folder))}</code>: {_escape(names)}.{hidden}"
        )

    @staticmethod
    def _default_folder(folder: Any, catalogue: Any) -> Path:
        if folder is not None:
            return Path(folder)
        if catalogue is not None:
            return Path(catalogue).parent / "views"
        return Path.cwd() / "views"


def _escape(text: str) -> str:
    import html

    return html.escape(text)
