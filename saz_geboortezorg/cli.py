"""The ``saz-geboortezorg`` command line.

Each subcommand lives in its own module in :mod:`saz_geboortezorg.commands` with two
functions: ``add_parser(subparsers)`` and ``run(args) -> int``. Heavy libraries are
imported inside ``run`` so that ``--help`` stays instant.

Errors the user can fix (:class:`saz_geboortezorg.errors.SazError`) are printed
without a traceback and give exit status 2. A command's ``--quiet`` switches the
progress bar off for everything the command runs (:mod:`saz_geboortezorg.progress`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

from saz_geboortezorg import __version__
from saz_geboortezorg.errors import SazError
from saz_geboortezorg.memory import small_pages
from saz_geboortezorg.progress import quiet

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = [
    "synth",
    "map",
    "validate",
    "completeness",
    "indicators",
    "rates",
    "casemix",
    "funnel",
    "report",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="saz-geboortezorg",
        description=(
            "Open benchmarking of value-based maternity care (waardegedreven geboortezorg): "
            "synthetic data, validation and linkage of Perined and DBC extracts, indicators, "
            "case-mix models and funnel plots."
        ),
        epilog="Run 'saz-geboortezorg COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"saz_geboortezorg.commands.{name}")
        sp = module.add_parser(sub)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        with quiet() if getattr(args, "quiet", False) else contextlib.nullcontext():
            with small_pages():  # see saz_geboortezorg.memory: every command is long work
                return int(args._run(args) or 0)
    except SazError as exc:
        print(f"saz-geboortezorg {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
