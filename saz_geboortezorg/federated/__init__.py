"""Federated open benchmark on vantage6: the data stay in each hospital.

Each organisation (a region's VSV: its hospital, the midwifery practices around it and
their claims) runs a vantage6 node with its extracts as four databases (organisaties,
perined_lvr1, perined_lvr2, dbc_declaraties). The analyst starts a central function; it
sends rounds of partial tasks to the nodes, which validate, link and derive their own
extracts with the library's code (as ``sg.load``) and return only masked sums
(:mod:`.secure`): nothing record-level and no count leaves a node in the clear, and the
central function learns only sums over all nodes. From them it computes the pooled
results exactly (:mod:`.central`):

- ``central_rates(indicators, unit)``: crude rates per unit;
- ``central_casemix(indicator, unit, random_intercept=False)``: the case-mix model by
  federated Newton-Raphson (the pooled estimates) with O/E per unit, and optionally the
  random intercept per unit (:mod:`.mixed`);
- ``central_benchmark(indicators=[...], unit="hospital")``: the rows of
  ``sg.benchmark(data, indicators, unit=...).table``, protected as in every report.

The vantage6 entry points are in :mod:`.algorithm` (``vantage6-algorithm-tools``, the
``federated`` extra); vantage6 runs them by name from this package.

Examples
--------
>>> from saz_geboortezorg import federated
>>> sorted(n for n in federated.__all__ if n.startswith("central"))
['central_benchmark', 'central_casemix', 'central_rates']
"""

from __future__ import annotations

from saz_geboortezorg.federated.algorithm import (
    central_benchmark,
    central_casemix,
    central_rates,
    partial_prepare,
    partial_sums,
)

__all__ = [
    "central_benchmark",
    "central_casemix",
    "central_rates",
    "partial_prepare",
    "partial_sums",
]
