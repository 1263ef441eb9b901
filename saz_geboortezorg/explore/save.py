"""Save this view: the explorer's funnel, caterpillar and table as files for a slide or
a spreadsheet, with the same small-number protection as the reports.

What is written is protected first, exactly as a report's benchmark table
(:func:`saz_geboortezorg.disclosure.benchmark.protect_benchmark`: counts ``n`` and
``observed`` from 1 to ``threshold - 1`` hidden, secondary suppression across the
units, every value derived from a hidden count hidden with it).
When nothing is hidden the view is written as it is shown. Otherwise, as in the reports
(:func:`saz_geboortezorg.report.build.shown_only`):

- the funnel is refitted on the units whose counts are shown
  (:func:`~saz_geboortezorg.compare.funnel.refit_funnel`), so its phi, target and limits
  do not depend on a hidden count; with fewer than 3 shown units there is no funnel;
- the funnel flag, verdict and alert of every shown unit are judged again on that funnel,
  with the explorer's rules (exact test and volume rule, as :func:`~.view.explorer_view`);
- the caterpillar plot shows the shown units only.

Every file passes the disclosure checks (:mod:`saz_geboortezorg.disclosure.check`) before
it is written; a finding raises and nothing more is written.

Examples
--------
>>> from saz_geboortezorg.explore.save import save_view            # doctest: +SKIP
>>> saved = save_view(explorer.view, "views")                       # doctest: +SKIP
>>> [p.name for p in saved.files]                                   # doctest: +SKIP
['funnel.png', 'funnel.svg', 'caterpillar.png', 'caterpillar.svg', 'table.csv']
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.disclosure import DEFAULT_THRESHOLD, assert_safe, check_chart, check_table
from saz_geboortezorg.disclosure.benchmark import protect_benchmark
from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.explore.labels import label
from saz_geboortezorg.explore.view import View, display_table, draw_charts, judge_units
from saz_geboortezorg.indicators import get

__all__ = ["SavedView", "protect_view", "save_view", "view_name", "SAVED_CHARTS"]

#: The charts a saved view holds (the trend is not part of it).
SAVED_CHARTS = ("funnel", "caterpillar")


@dataclass
class SavedView:
    """What "Save this view" wrote.

    Attributes
    ----------
    folder : Path
        The folder of this view (``<folder>/<view name>``).
    files : list of Path
        ``funnel.png``, ``funnel.svg``, ``caterpillar.png``, ``caterpillar.svg`` and
        ``table.csv``.
    table : DataFrame
        The protected table as written to ``table.csv`` (hidden values empty).
    hidden_units : list of str
        Units whose counts are hidden (left out of both charts).
    summary : str
        What was hidden, in one sentence.
    """

    folder: Path
    files: list[Path] = field(default_factory=list)
    table: pd.DataFrame | None = None
    hidden_units: list[str] = field(default_factory=list)
    summary: str = ""


def view_name(view: View) -> str:
    """A folder name for a view: indicator, level, period, highlighted unit, filters.

    Examples
    --------
    >>> from saz_geboortezorg.explore.view import ExplorerState
    >>> s = ExplorerState(indicator="cs", level="hospital", period="2022", my_unit="ZH05")
    >>> view_name(View(s, pd.DataFrame(), None, pd.DataFrame(), None, "", [], {}))
    'cs_hospital_2022_ZH05'
    >>> s = s.replace(my_unit=None, adjusted=False).with_filter("ses_quintile", ["1", "2"])
    >>> view_name(View(s, pd.DataFrame(), None, pd.DataFrame(), None, "", [], {}))
    'cs_hospital_2022_crude_ses_quintile-1-2'
    """
    s = view.state
    parts = [s.indicator, s.level, s.period]
    if not s.adjusted:
        parts.append("crude")
    if s.my_unit:
        parts.append(s.my_unit)
    parts += ["-".join([c, *v]) for c, v in s.filters]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "_".join(str(p) for p in parts))


def protect_view(view: View, threshold: int = DEFAULT_THRESHOLD) -> tuple[View, list[str], str]:
    """A copy of a view that may be shared: protected table, funnel refitted on the shown
    units, flags and verdicts judged on it, caterpillar of the shown units, charts
    redrawn.

    Parameters
    ----------
    view : View
        From :func:`~.view.explorer_view` (``Explorer.view``).
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden (the reports' default: 10).

    Returns
    -------
    (View, hidden units, summary)
        The view's ``table`` holds NaN where a value is hidden.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.explore.view import ExplorerState, explorer_view
    >>> rng = np.random.default_rng(1)
    >>> w = pd.DataFrame({"region_id": rng.choice([f"R{i}" for i in range(6)], 900),
    ...                   "ga_days": 280, "birth_date": pd.Timestamp("2022-05-01"),
    ...                   "onset": rng.choice(["spontaneous", "induced"], 900)})
    >>> w.loc[:6, "region_id"] = "R9"   # 7 women in R9: a small count
    >>> v = explorer_view(w, ExplorerState(indicator="induction", adjusted=False), draw=False)
    >>> safe, hidden, _ = protect_view(v)
    >>> "R9" in hidden, bool(safe.table.set_index("unit").loc["R9", ["n", "value"]].isna().all())
    (True, True)
    >>> "R9" in set(safe.funnel.table["group"])
    False
    """
    ind = get(view.state.indicator, view.state.catalogue)
    base = view.table.reset_index(drop=True)
    table = base.assign(indicator=ind.id, measure=ind.unit)
    parts = protect_benchmark(table, threshold)
    protected = pd.concat([p.table for p in parts]).sort_index()
    hidden = pd.concat([p.hidden for p in parts]).sort_index()
    gone = hidden["observed"].to_numpy(dtype=bool) | hidden["n"].to_numpy(dtype=bool)
    hidden_units = base.loc[gone, "unit"].astype(str).tolist()
    summary = " ".join(p.describe() for p in parts)
    shown = ~gone

    fr, no_funnel = None, ""
    if view.funnel is not None and not gone.any():
        fr = view.funnel  # nothing hidden: the funnel, flags and verdicts as shown
    elif view.funnel is not None:
        from saz_geboortezorg.compare.funnel import refit_funnel

        keep = ~view.funnel.table["group"].astype(str).isin(hidden_units).to_numpy()
        if keep.sum() >= 3:
            try:
                fr = refit_funnel(view.funnel, keep)
            except SazError as exc:
                no_funnel = str(exc)
        else:
            no_funnel = (
                f"fewer than 3 {label(f'{view.state.level}_plural')} with counts that can be shown"
            )
    else:
        no_funnel = next((n for n in view.notes if n), "no funnel for this selection")

    out = protected.drop(columns=["indicator", "measure"]).astype(
        {c: object for c in ("flag", "assessment", "alert") if c in protected}
    )
    units = base.loc[shown, "unit"].tolist()
    rows = np.flatnonzero(shown)
    if fr is view.funnel and fr is not None:
        new = {}  # nothing hidden: the view's own labels stay
    else:
        new = judge_units(
            fr, units, base.loc[shown, "expected_events"], view.state.limits, ind.better
        )
    for col, values in new.items():
        out.iloc[rows, out.columns.get_loc(col)] = values
    caterpillar = view.caterpillar[view.caterpillar["unit"].isin(units)].reset_index(drop=True)
    safe = dataclasses.replace(
        view,
        table=out,
        funnel=fr,
        caterpillar=caterpillar,
        charts={},
        reused=(),
        unit_notes={u: t for u, t in view.unit_notes.items() if u in set(units)},
    )
    if view.charts and fr is view.funnel:
        safe.charts = dict(view.charts)  # nothing hidden: the charts as shown
    elif view.charts:
        keep_charts = {"trend": view.charts["trend"]} if "trend" in view.charts else {}
        safe.charts = draw_charts(safe, keep_charts, no_funnel)
    return safe, hidden_units, summary


def _spec(chart: Any) -> dict:
    return chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)


def save_view(view: View, folder: str | Path, *, threshold: int = DEFAULT_THRESHOLD) -> SavedView:
    """Write the view's funnel and caterpillar plot (PNG and SVG) and its table (CSV),
    protected as the reports are (see the module docstring).

    Parameters
    ----------
    view : View
        The explorer's current view (``Explorer.view``), drawn (``draw=True``).
    folder : str or Path
        The files go to ``folder / view_name(view)``; files of the same view are
        replaced.
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden (default 10, as the reports).

    Returns
    -------
    SavedView

    Raises
    ------
    SpecError
        The view has no charts (computed with ``draw=False``).
    DisclosureError
        A file would show a small count (a bug: nothing more is written).

    Examples
    --------
    >>> saved = save_view(explorer.view, "views")                   # doctest: +SKIP
    >>> saved.summary                                               # doctest: +SKIP
    'benchmark table: 2 values hidden (1 small count, 1 to protect a small count).'
    """
    import vl_convert

    if not view.charts:
        raise SpecError("save_view needs a drawn view (explorer_view(..., draw=True))")
    safe, hidden_units, summary = protect_view(view, threshold)
    target = Path(folder) / view_name(view)
    target.mkdir(parents=True, exist_ok=True)
    saved = SavedView(folder=target, hidden_units=hidden_units, summary=summary)
    for name in SAVED_CHARTS:
        spec = _spec(safe.charts[name])
        assert_safe(check_chart(spec, threshold, where=f"{name} chart"), f"{name} chart")
        svg = vl_convert.vegalite_to_svg(spec)  # render once; the PNG is rasterised from it
        (target / f"{name}.svg").write_text(svg, encoding="utf-8")
        (target / f"{name}.png").write_bytes(vl_convert.svg_to_png(svg, scale=2))
        saved.files += [target / f"{name}.png", target / f"{name}.svg"]
    table = display_table(safe)
    language = view.state.language
    for key in ("n", "observed"):  # whole numbers, hidden ones empty
        col = label(key, language)
        table[col] = pd.array(table[col].round(0), dtype="Int64")
    counts = [label("n", language), label("observed", language)]
    assert_safe(check_table(table, threshold, where="table", counts=counts), "table")
    table.to_csv(target / "table.csv", index=False)
    saved.files.append(target / "table.csv")
    saved.table = table
    return saved
