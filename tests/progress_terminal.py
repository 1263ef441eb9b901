"""A fake terminal for the progress-bar tests (tests/test_progress.py and
tests/commands/test_progress_commands.py); their shared fixture is ``progress_automatic``
in tests/conftest.py."""

from __future__ import annotations

import io

CLEAR = "\x1b[K"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def screens(stream: io.StringIO) -> list[str]:
    """What a terminal shows after each redraw (the text between carriage returns)."""
    return [s for s in stream.getvalue().replace(CLEAR, "").split("\r") if s]
