"""Mirror-meeting (spiegelbijeenkomst) reports: one self-contained HTML file per region.

Pipeline: :mod:`.analysis` (all statistics, once, by library functions) →
:mod:`.protect` (small-number protection across all units, once) → :mod:`.build` (one page
per unit from the protected tables, checked by the disclosure verifier) → :mod:`.export`
(PNG/SVG/CSV/Excel). Command: ``saz-geboortezorg report DATA --region R --out reports/``.

Examples
--------
>>> import saz_geboortezorg as sg
>>> from saz_geboortezorg.report import build_reports
>>> build_reports(sg.load(sg.synthetic.default_dataset()), None, "reports/")  # doctest: +SKIP
"""

from saz_geboortezorg.report.build import SECTIONS, build_reports, region_report

__all__ = ["SECTIONS", "build_reports", "region_report"]
