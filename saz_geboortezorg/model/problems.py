"""How model problems are reported: in words, never silently.

- :class:`FitError` (a :class:`~saz_geboortezorg.errors.SazError`): the model cannot
  be estimated as specified — separation (a level with no events, or only events),
  a fit that did not converge, terms that are aliased. The message says what happened
  and what to change in the spec. The command line prints it and exits with status 2.
- :class:`CaseMixWarning`: the same problems when the caller asked for
  ``strict=False``; they are also listed in ``CaseMixResult.problems``.
"""

from __future__ import annotations

import warnings

from saz_geboortezorg.errors import SazError

__all__ = ["FitError", "CaseMixWarning", "report"]


class FitError(SazError):
    """The case-mix model cannot be estimated as specified."""


class CaseMixWarning(UserWarning):
    """A problem with a case-mix fit that the caller chose to accept (``strict=False``)."""


def report(message: str, strict: bool, problems: list[str]) -> None:
    """Raise :class:`FitError` (strict) or warn and record the problem."""
    if strict:
        raise FitError(message)
    problems.append(message)
    warnings.warn(message, CaseMixWarning, stacklevel=3)
