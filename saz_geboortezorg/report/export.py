"""Exports for slides and spreadsheets: every chart as PNG and SVG, every table as CSV and Excel.

Everything passes the disclosure verifier first (the same gate as the HTML): a table or chart
with a disclosive value raises :class:`~saz_geboortezorg.disclosure.check.DisclosureError`
and nothing is written.

Examples
--------
>>> from saz_geboortezorg.report.export import export_report        # doctest: +SKIP
>>> export_report(rep, "reports/R05")                                # doctest: +SKIP
{'png': 21, 'svg': 21, 'csv': 9, 'xlsx': 9}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from saz_geboortezorg.disclosure import assert_safe, check_chart, check_table

__all__ = ["export_chart", "export_table", "export_report"]


def export_chart(spec: dict, path: str | Path, *, threshold: int = 10) -> list[Path]:
    """Write one Vega-Lite spec as ``path.png`` (2x scale) and ``path.svg`` via vl-convert.

    Examples
    --------
    >>> spec = {"data": {"values": [{"x": 1, "y": 2}]}, "mark": "point",
    ...         "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    >>> export_chart(spec, "/tmp/saz_export_demo")                  # doctest: +SKIP
    """
    import vl_convert

    assert_safe(check_chart(spec, threshold, where=str(path)), str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    png, svg = path.with_suffix(".png"), path.with_suffix(".svg")
    text = vl_convert.vegalite_to_svg(spec)  # render once; the PNG is rasterised from it
    svg.write_text(text, encoding="utf-8")
    png.write_bytes(vl_convert.svg_to_png(text, scale=2))
    return [png, svg]


def export_table(table: pd.DataFrame, path: str | Path, *, threshold: int = 10) -> list[Path]:
    """Write one protected table as ``path.csv`` and ``path.xlsx`` (hidden values empty).

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> [p.name for p in export_table(pd.DataFrame({"n": [12, 40]}), os.path.join(d, "t"))]
    ['t.csv', 't.xlsx']
    """
    assert_safe(check_table(table, threshold, where=str(path)), str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    csv, xlsx = path.with_suffix(".csv"), path.with_suffix(".xlsx")
    table.to_csv(csv, index=False)
    out = table.copy()
    for c in out.columns:  # Excel has no time zones; keep dates as dates
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
    out.to_excel(xlsx, index=False, sheet_name=path.stem[:31] or "table")
    return [csv, xlsx]


def export_report(report: Any, folder: str | Path, *, threshold: int = 10) -> dict[str, int]:
    """Export every chart and table of a :class:`~saz_geboortezorg.report.build.RegionReport`.

    Returns the number of files written per format.

    Examples
    --------
    >>> export_report(rep, "reports/R05")                           # doctest: +SKIP
    """
    folder = Path(folder)
    counts = {"png": 0, "svg": 0, "csv": 0, "xlsx": 0}
    for name, spec in report.charts.items():
        for p in export_chart(spec, folder / "charts" / name, threshold=threshold):
            counts[p.suffix[1:]] += 1
    for name, table in report.tables.items():
        for p in export_table(table, folder / "tables" / name, threshold=threshold):
            counts[p.suffix[1:]] += 1
    return counts
