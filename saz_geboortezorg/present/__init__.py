"""Presentation: altair charts, tables for display, widgets and reports.

Modules here only draw what the analysis layers (derive, model, compare) computed;
they never compute statistics themselves. altair is imported inside functions so
that importing the package stays light.
"""
