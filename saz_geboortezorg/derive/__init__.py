"""Derivations on the linked analysis tables: profiles, indicators, Robson groups."""
