"""A self-contained HTML page: inline Vega/Vega-Lite/vega-embed (once per file), specs as JSON.

No network access is needed to open a report: the JavaScript bundle of vl-convert (Vega,
Vega-Lite and vega-embed) is inlined once, and each chart is a
``<script type="application/json" data-vega-lite>`` block rendered by one small loader.
The same blocks are what :func:`saz_geboortezorg.disclosure.check.check_html` scans.

Examples
--------
>>> page = Page("Demo")
>>> page.heading("Section")
>>> page.paragraph("Text with <b>tags</b> escaped.")
>>> "&lt;b&gt;" in page.render(javascript="")
True
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Page", "javascript_bundle", "script_json", "table_html", "HIDDEN_MARK"]

#: What a hidden value looks like in a report table.
HIDDEN_MARK = "·"
#: What a value that does not apply (not computed) looks like.
NA_MARK = "–"
_COUNT_COLUMNS = {
    "n",
    "observed",
    "women",
    "cs",
    "numerator",
    "denominator",
    "events",
    "outcome_n",
    "outcome_events",
    "cost_n",
    "records",
}

#: Column headers a clinician reads; the column's own name stays in the header's tooltip
#: (and is what the CSV and Excel exports use).
_HEADERS = {
    "unit": "unit",
    "n": "n",
    "cs": "caesareans",
    "oe": "O/E",
    "relative_size_pct": "share of women (%)",
    "cs_rate_pct": "caesarean rate (%)",
    "contribution_pct": "contribution to the overall rate (%)",
    "share_of_cs_pct": "share of all caesareans (%)",
    "assessment": "verdict",  # the benchmark's first tier; 'alert' is the second
}
_WORDS = {"pct": "(%)", "lcl95": "lower 95%", "ucl95": "upper 95%", "cs": "caesarean", "n": "n"}


def header(column: Any) -> str:
    """A readable header for a table column.

    Examples
    --------
    >>> header("cs_rate_pct"), header("oe_lcl95"), header("expected")
    ('caesarean rate (%)', 'oe lower 95%', 'expected')
    """
    name = str(column)
    if name in _HEADERS:
        return _HEADERS[name]
    return " ".join(_WORDS.get(w, w) for w in name.split("_"))


_CSS = """
body{font-family:Helvetica,Arial,sans-serif;font-size:16px;color:#222;max-width:1100px;
margin:0 auto;padding:24px;line-height:1.45}
h1{font-size:28px;margin-bottom:4px}h2{font-size:22px;border-bottom:2px solid #0072B2;
padding-bottom:4px;margin-top:40px}h3{font-size:18px;margin-top:24px}
table{border-collapse:collapse;margin:12px 0;font-size:14px}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}
th{background:#f0f0f0}td.text,th.text{text-align:left}
.mine{background:#fbe3d3;font-weight:bold}.note{color:#555;font-size:14px}
.chart{margin:16px 0}.box{background:#f6f6f6;border-left:4px solid #D55E00;padding:8px 14px}
nav a{margin-right:12px}pre{white-space:pre-wrap;font-size:14px}
"""

_LOADER = """
document.querySelectorAll('script[data-vega-lite]').forEach(function (s) {
  var target = document.getElementById(s.dataset.target);
  window.vegaEmbed(target, JSON.parse(s.textContent), {actions: false, renderer: 'svg'})
    .catch(function (e) { target.textContent = 'chart failed: ' + e; });
});
"""


@functools.lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script (vl-convert's bundle; ~0.9 MB, cached).

    vl-convert assembles the bundle anew on every call (about 2 s, holding the GIL), and
    it only changes with vl-convert's version, so it is kept on disk per version, in the
    user cache (``$XDG_CACHE_HOME`` or ``~/.cache``, then ``saz_geboortezorg/vl_convert``),
    with its SHA-256: a cached copy that does not match (or cannot be read or written)
    is made again by vl-convert, so a damaged cache never reaches a report.

    Examples
    --------
    >>> "vegaEmbed" in javascript_bundle()                       # doctest: +SKIP
    True
    """
    import vl_convert

    path = _bundle_cache_path(getattr(vl_convert, "__version__", None))
    cached = _read_bundle(path) if path is not None else None
    if cached is not None:
        return cached
    bundle = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    if path is not None:
        _write_bundle(path, bundle)
    return bundle


def _bundle_cache_path(version: str | None) -> Path | None:
    """Where the bundle of this vl-convert version is cached (None: no version known).

    Examples
    --------
    >>> _bundle_cache_path("1.9.0").name
    'javascript_bundle-1.9.0.js'
    >>> _bundle_cache_path(None) is None
    True
    """
    if not version or not all(c.isalnum() or c in ".-+_" for c in version):
        return None
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "saz_geboortezorg" / "vl_convert" / f"javascript_bundle-{version}.js"


def _read_bundle(path: Path) -> str | None:
    """The cached bundle, or None when it is missing, unreadable or does not match its
    checksum (first line: the SHA-256 of the rest)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    digest, sep, bundle = text.partition("\n")
    if not sep or hashlib.sha256(bundle.encode("utf-8")).hexdigest() != digest:
        return None
    return bundle


def _write_bundle(path: Path, bundle: str) -> None:
    """Cache ``bundle`` at ``path`` (written to a temporary file and moved in, so a reader
    never sees half a file); a cache that cannot be written is skipped."""
    digest = hashlib.sha256(bundle.encode("utf-8")).hexdigest()
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
        ) as tmp:
            temporary = Path(tmp.name)
            tmp.write(f"{digest}\n{bundle}")
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _cell(value: Any, digits: int, hidden: bool = True) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return HIDDEN_MARK if hidden else NA_MARK
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if float(value).is_integer() and abs(value) < 1e12 and digits == 0:
            return f"{int(value):,}"
        return f"{float(value):,.{digits}f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return html.escape(str(value))


def table_html(
    table: pd.DataFrame,
    *,
    highlight_rows: Any = None,
    highlight_column: str | None = None,
    digits: dict[str, int] | None = None,
    hidden: pd.DataFrame | None = None,
) -> str:
    """An HTML table; hidden values show as ``·``; a row mask or a column can be highlighted.

    With ``hidden`` (a boolean frame of the same shape, True where small-number protection
    hid a value) other missing values show as ``–`` (does not apply); without it every
    missing value shows as ``·``.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": ["A", "B"], "n": [120, float("nan")]})
    >>> "<td>·</td>" in table_html(t, highlight_rows=[True, False])
    True
    """
    digits = digits or {}
    mask = (
        np.zeros(len(table), dtype=bool)
        if highlight_rows is None
        else np.asarray(highlight_rows, dtype=bool)
    )
    text = {
        c
        for c in table.columns
        if not pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c])
    }
    out = ["<table><thead><tr>"]
    attrs, places = [], []  # per column: the cells' class attribute and digits
    for c in table.columns:
        cls = ["text"] if c in text else []
        if c == highlight_column:
            cls.append("mine")
        out.append(
            f'<th class="{" ".join(cls)}" title="{html.escape(str(c))}">'
            f"{html.escape(header(c))}</th>"
        )
        attrs.append(f' class="{" ".join(cls)}"' if cls else "")
        places.append(digits.get(c, 0 if c in _COUNT_COLUMNS else 2))
    out.append("</tr></thead><tbody>")
    hid = (
        None
        if hidden is None
        else hidden.reindex(columns=table.columns, fill_value=False).to_numpy()
    )
    for i, row in enumerate(table.itertuples(index=False)):
        out.append('<tr class="mine">' if mask[i] else "<tr>")
        for j, v in enumerate(row):
            is_hidden = True if hid is None else bool(hid[i, j])
            out.append(f"<td{attrs[j]}>{_cell(v, places[j], is_hidden)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(obj: Any) -> str:
    """JSON text safe to place inside a ``<script>`` element of an HTML page.

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\uXXXX`` escapes, so no
    value (a region id such as ``<!--<script>``) can close the element, open an HTML
    comment or end a JavaScript line; the JSON decodes to the same values.

    Examples
    --------
    >>> script_json({"a": "</script><!--&"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u0026"}'
    """
    return json.dumps(obj, default=str).translate(_SCRIPT_ESCAPES)


class Page:
    """Collects the parts of one report and renders them as one HTML string.

    Examples
    --------
    >>> p = Page("T")
    >>> p.chart({"mark": "point", "data": {"values": [{"x": 1}]}})
    >>> p.render(javascript="").count("data-target=")
    1
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []
        self.specs: list[dict] = []
        self.sections: list[tuple[str, str]] = []

    def heading(self, text: str, level: int = 2, anchor: str | None = None) -> None:
        """Add a heading (level 2 headings are listed in the contents)."""
        anchor = anchor or (f"s{len(self.sections) + 1}" if level == 2 else f"p{len(self.parts)}")
        if level == 2:
            self.sections.append((anchor, text))
        self.parts.append(f'<h{level} id="{anchor}">{html.escape(text)}</h{level}>')

    def paragraph(self, text: str, css: str | None = None) -> None:
        """Add a paragraph of plain text (escaped)."""
        cls = f' class="{css}"' if css else ""
        self.parts.append(f"<p{cls}>{html.escape(text)}</p>")

    def bullets(self, items: list[str]) -> None:
        """Add a bulleted list of plain-text items."""
        self.parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")

    def raw(self, fragment: str) -> None:
        """Add an HTML fragment built by this package (tables)."""
        self.parts.append(fragment)

    def chart(self, spec: dict) -> None:
        """Add a chart from a Vega-Lite spec (dict)."""
        self.specs.append(spec)
        i = len(self.specs)
        text = script_json(spec)
        self.parts.append(
            f'<div class="chart" id="chart-{i}"></div>'
            f'<script type="application/json" data-vega-lite data-target="chart-{i}">'
            f"{text}</script>"
        )

    def render(self, javascript: str | None = None) -> str:
        """The whole page; ``javascript`` defaults to the inlined vl-convert bundle."""
        js = javascript_bundle() if javascript is None else javascript
        nav = " ".join(f'<a href="#{a}">{html.escape(t)}</a>' for a, t in self.sections)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style>"
            f'<script type="module">{js}</script></head><body>'
            f"<h1>{html.escape(self.title)}</h1><nav>{nav}</nav>"
            + "\n".join(self.parts)
            + f'<script type="module">{_LOADER}</script></body></html>\n'
        )
