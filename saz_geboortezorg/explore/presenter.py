"""Presenter mode of the explorer, for mirror meetings (*spiegelgesprekken*): large type
for a projector, one indicator per view (the funnel plot and its table), full screen, and
the keyboard to step through a chosen list of indicators.

How it works, with no CDN and nothing beyond ipywidgets and anywidget (both already
needed by the dashboard):

- presenter mode adds the CSS class ``saz-presenter`` to the explorer's widget; the rules
  for it (larger type through CSS ``zoom``, controls hidden) come with
  :class:`PresenterKeys`, an anywidget whose stylesheet is put in the page when it is
  shown;
- :class:`PresenterKeys` also listens to the keyboard (→ and Page Down: next; ← and
  Page Up: previous, the keys a presentation clicker sends) while presenter mode is on,
  and sends each step to Python; its "Full screen" button calls the browser's fullscreen
  API from the click itself (browsers allow fullscreen only from a user's gesture);
- :class:`Presenter` holds the controls (the indicators to show, the switch, Previous and
  Next) and steps the explorer's indicator control, so a step redraws as any other change.

Examples
--------
>>> ex = Explorer(data)                                  # doctest: +SKIP
>>> ex.present(["cs", "induction", "pph"])               # doctest: +SKIP
>>> ex.step(1); ex.state.indicator                       # doctest: +SKIP
'induction'
"""

from __future__ import annotations

from typing import Any

from saz_geboortezorg.explore import controls as opts
from saz_geboortezorg.explore.labels import indicator_label

__all__ = ["Presenter", "PresenterKeys", "PRESENTER_CLASS", "HIDDEN_CLASS", "KEYS"]

#: CSS class of the explorer's widget in presenter mode.
PRESENTER_CLASS = "saz-presenter"
#: CSS class of the parts of the explorer hidden in presenter mode.
HIDDEN_CLASS = "saz-hide-in-presenter"
#: CSS class of the parts shown only in presenter mode.
ONLY_CLASS = "saz-presenter-only"
#: Keys -> step (what a presentation clicker sends, and the arrow keys).
KEYS = {"ArrowRight": 1, "PageDown": 1, "ArrowLeft": -1, "PageUp": -1}

_CSS = f"""
.{PRESENTER_CLASS} {{ zoom: 1.5; }}
.{PRESENTER_CLASS} .{HIDDEN_CLASS} {{ display: none !important; }}
.saz-explorer:not(.{PRESENTER_CLASS}) .{ONLY_CLASS} {{ display: none !important; }}
.{PRESENTER_CLASS} .saz-presenter-title {{ font-size: 140%; font-weight: bold; }}
.{PRESENTER_CLASS} table {{ font-size: 110%; }}
.saz-fullscreen {{ margin: 2px; padding: 0 12px; height: var(--jp-widgets-inline-height, 28px); }}
"""

_ESM = """
const KEYS = %s;

function render({ model, el }) {
  const button = document.createElement("button");
  button.className = "saz-fullscreen jupyter-button widget-button";
  button.textContent = "Full screen";
  button.title = "Fill the screen (Esc leaves it)";
  button.addEventListener("click", () => {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(() => {});
    }
  });
  el.appendChild(button);
  const onKey = (event) => {
    if (!model.get("active") || !el.isConnected) return;
    const tag = ((event.target && event.target.tagName) || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    const step = KEYS[event.key];
    if (!step) return;
    event.preventDefault();
    model.send({ step: step });
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
export default { render };
"""


def _keys_class() -> type:
    import anywidget
    import traitlets

    class PresenterKeys(anywidget.AnyWidget):
        """The keyboard and the "Full screen" button of presenter mode (see the module
        docstring); ``active``: listen to the keys (presenter mode on)."""

        _esm = _ESM % ("{" + ", ".join(f'"{key}": {step}' for key, step in KEYS.items()) + "}")
        _css = _CSS
        active = traitlets.Bool(False).tag(sync=True)

    return PresenterKeys


_KEYS_CLASS: type | None = None


def PresenterKeys(**kwargs: Any) -> Any:  # noqa: N802 (a class, made when first needed)
    """An instance of the presenter's keyboard widget (anywidget is imported only now)."""
    global _KEYS_CLASS
    if _KEYS_CLASS is None:
        _KEYS_CLASS = _keys_class()
    return _KEYS_CLASS(**kwargs)


class Presenter:
    """The presenter controls of one :class:`~saz_geboortezorg.explore.widgets.Explorer`.

    Attributes
    ----------
    choose : ipywidgets.SelectMultiple
        The indicators to step through ("Present"), in the order of the list; none
        chosen: the current indicator only.
    toggle : ipywidgets.ToggleButton
        "Presenter mode" on or off.
    previous, next : ipywidgets.Button
    position : ipywidgets.HTML
        "2 / 5 · <indicator>" in presenter mode.
    keys : PresenterKeys
        Keyboard and full screen.
    bar : ipywidgets.HBox
        The list (hidden in presenter mode), the switch, Previous, Next, Full screen
        and the position, in one row.
    """

    def __init__(self, explorer: Any) -> None:
        import ipywidgets as widgets

        self.explorer = explorer
        s = explorer.state
        self.choose = widgets.SelectMultiple(
            options=opts.indicator_options(s.language, s.catalogue),
            value=(),
            rows=3,
            description="Present",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="45em"),
        )
        self.choose.add_class(HIDDEN_CLASS)
        self.toggle = widgets.ToggleButton(
            value=False, description="Presenter mode", tooltip="Large type, one indicator"
        )
        self.previous = widgets.Button(
            description="◀ Previous", tooltip="Previous indicator (← or Page Up)"
        )
        self.next = widgets.Button(description="Next ▶", tooltip="Next indicator (→ or Page Down)")
        for button in (self.previous, self.next):
            button.add_class(ONLY_CLASS)
        self.position = widgets.HTML()
        self.position.add_class("saz-presenter-title")
        self.position.add_class(ONLY_CLASS)
        self.keys = PresenterKeys()
        self.keys.add_class(ONLY_CLASS)
        self._quiet = False
        self.toggle.observe(self._toggled, names="value")
        self.previous.on_click(lambda _: self.step(-1))
        self.next.on_click(lambda _: self.step(1))
        self.keys.on_msg(self._message)
        self.bar = widgets.HBox(
            [self.choose, self.toggle, self.previous, self.next, self.keys, self.position],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )

    # -- state ----------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Presenter mode is on."""
        return bool(self.toggle.value)

    @property
    def indicators(self) -> list[str]:
        """The indicators to step through (the chosen ones, else the current one)."""
        return list(self.choose.value) or [self.explorer.state.indicator]

    def switch(self, on: bool = True, indicators: Any = None) -> None:
        """Presenter mode on or off; ``indicators`` (ids) replaces the chosen list.

        Switching on shows the first chosen indicator unless the current one is chosen.
        """
        if indicators is not None:
            self.choose.value = tuple(indicators)
        self._quiet = True
        try:
            self.toggle.value = bool(on)
        finally:
            self._quiet = False
        self._apply()

    def step(self, by: int) -> str:
        """Show the next (``by=1``) or previous (``-1``) indicator of the list; stays at
        the first or last one. Returns the indicator shown."""
        chosen = self.indicators
        current = self.explorer.state.indicator
        if current in chosen:
            i = min(max(chosen.index(current) + int(by), 0), len(chosen) - 1)
        else:
            i = 0
        if chosen[i] != current:
            self.explorer.controls["indicator"].value = chosen[i]  # redraws
        self.show_position()
        return chosen[i]

    def show_position(self) -> None:
        """The position line ("2 / 5 · Caesarean section")."""
        from saz_geboortezorg.indicators import get

        s = self.explorer.state
        chosen = self.indicators
        where = (
            f"{chosen.index(s.indicator) + 1} / {len(chosen)} · " if s.indicator in chosen else ""
        )
        name = indicator_label(get(s.indicator, s.catalogue), s.language)
        import html

        self.position.value = html.escape(where + name)

    def relabel(self) -> None:
        """The indicator list in the explorer's language (the choice kept)."""
        s = self.explorer.state
        options = opts.indicator_options(s.language, s.catalogue)
        ids = {v for _, v in options}
        value = tuple(v for v in self.choose.value if v in ids)
        self.choose.options = options
        self.choose.value = value
        self.show_position()

    # -- events ---------------------------------------------------------------------
    def _toggled(self, change: dict) -> None:
        if not self._quiet:
            self._apply()

    def _apply(self) -> None:
        on = self.active
        self.keys.active = on
        widget = self.explorer.widget
        if on:
            widget.add_class(PRESENTER_CLASS)
            if self.explorer.state.indicator not in self.indicators:
                self.step(0)
        else:
            widget.remove_class(PRESENTER_CLASS)
        self.show_position()

    def _message(self, _widget: Any, content: Any, _buffers: Any = None) -> None:
        if self.active and isinstance(content, dict) and content.get("step") in (1, -1):
            self.step(content["step"])
