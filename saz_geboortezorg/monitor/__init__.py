"""Monitoring over time: rates per period, SPC charts, risk-adjusted VLAD and CUSUM,
and interrupted time series for improvement initiatives.

Modules: :mod:`~saz_geboortezorg.monitor.periods` (monthly/quarterly rates per unit),
:mod:`~saz_geboortezorg.monitor.spc` (run chart, p-chart),
:mod:`~saz_geboortezorg.monitor.risk_adjusted` (expected risks, VLAD, CUSUM),
:mod:`~saz_geboortezorg.monitor.its` (segmented regression) and
:mod:`~saz_geboortezorg.monitor.unit` (all risk-adjusted steps for one unit).
"""
