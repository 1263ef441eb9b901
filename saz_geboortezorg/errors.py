"""Exceptions of the toolkit, in one place.

Every error a user can cause (bad input, a bad specification, an unknown
indicator) is a :class:`SazError`. The command line prints its message and
exits with status 2, without a traceback.
"""

from __future__ import annotations

__all__ = ["SazError", "ExtractError", "MappingError", "SpecError"]


class SazError(Exception):
    """Base class of every error caused by input the user can fix."""


class ExtractError(SazError):
    """An extract (file) does not match its declared schema.

    ``problems`` holds one human-readable line per problem found; ``details`` the
    structured problems (:class:`saz_geboortezorg.io.problems.Problem`) where the
    validation made them, else an empty list.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        self.details: list = []
        full = (
            message
            if not self.problems
            else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        )
        super().__init__(full)


class MappingError(ExtractError):
    """A mapping file (foreign extract -> schema) is malformed or does not fit the data.

    The message names the mapping file and line; ``problems`` names the data rows.
    """


class SpecError(SazError):
    """A specification (indicator, case-mix model, options) is malformed or does not fit the data."""
