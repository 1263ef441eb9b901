"""Comparing units: funnel plots of practice variation (:mod:`.funnel`)."""
