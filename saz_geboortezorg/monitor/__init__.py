"""Monitoring over time: rates per period, SPC charts, risk-adjusted VLAD and CUSUM,
and interrupted time series for improvement initiatives.

Modules: :mod:`~saz_geboortezorg.monitor.periods` (monthly/quarterly rates per unit),
:mod:`~saz_geboortezorg.monitor.spc` (run chart, p-chart),
:mod:`~saz_geboortezorg.monitor.risk_adjusted` (expected risks, VLAD, CUSUM),
:mod:`~saz_geboortezorg.monitor.its` (segmented regression),
:mod:`~saz_geboortezorg.monitor.change_point` (when a change started),
:mod:`~saz_geboortezorg.monitor.trends` (an indicator per period, case-mix standardised
as in the benchmark, for everybody and 'my unit') and
:mod:`~saz_geboortezorg.monitor.unit` (all risk-adjusted steps for one unit); charts in
:mod:`saz_geboortezorg.present.monitor_charts`.

Examples
--------
A typical session on a loaded dataset (an OASIS initiative in ZH09 from July 2022):

>>> import saz_geboortezorg as sg                                    # doctest: +SKIP
>>> from saz_geboortezorg.monitor import periods, spc, its, unit      # doctest: +SKIP
>>> data = sg.load("synthetic_data")                                  # doctest: +SKIP
>>> r = periods.period_rates(data, "oasis", freq="month")             # doctest: +SKIP
>>> r = r[r.unit == "ZH09"]                                           # doctest: +SKIP
>>> before = r.period < "2022-07-01"                                   # doctest: +SKIP
>>> pc = spc.p_chart(r.events, r.n, baseline=before, periods=r.period)  # doctest: +SKIP
>>> pc.chart(start="2022-07-01")                                      # doctest: +SKIP
>>> m = unit.monitor_unit(data, "oasis", "ZH09", baseline_end="2022-07-01")  # doctest: +SKIP
>>> m.cusums[0.5].chart()                                             # doctest: +SKIP
>>> from saz_geboortezorg.monitor.change_point import change_point       # doctest: +SKIP
>>> rec = periods.indicator_records(data, "oasis")                    # doctest: +SKIP
>>> cp = change_point(rec[rec.hospital_id == "ZH09"])                 # doctest: +SKIP
>>> print(cp.summary())   # estimate, 95% confidence set of months, test  # doctest: +SKIP

Every analysis here returns a result (:mod:`saz_geboortezorg.result`): ``.table``,
``.summary()`` (text), ``.chart()`` and ``.to_dict()``.
"""
