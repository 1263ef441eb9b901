"""Reading the DATA argument that several commands share (rates, casemix, funnel)."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "load_table_or_dataset",
    "add_attribution",
    "add_unit",
    "add_mapping",
    "add_quiet",
    "add_catalogue",
    "catalogue_file",
]


def load_table_or_dataset(path: Path, mapping: list | None = None):
    """A folder of extracts becomes a linked Dataset, a file an analysis table; both with
    their derived columns (Robson group, SGA, ...).

    ``mapping`` (the ``--mapping`` files) applies to a folder of extracts only.
    """
    from saz_geboortezorg.errors import SazError

    if path.is_dir():
        from saz_geboortezorg.derive.tables import load

        return load(path, mapping=mapping)
    if not path.exists():
        raise SazError(f"{path}: no such file or folder")
    if mapping:
        raise SazError(
            f"{path}: --mapping applies to a folder of extracts, not to one analysis table"
        )
    from saz_geboortezorg.derive.tables import add_derived
    from saz_geboortezorg.io.flat import read_flat_table

    # separator sniffed from the first lines, parsed by pyarrow; derived columns added once
    return add_derived(read_flat_table(path))


def add_mapping(parser) -> None:
    """The ``--mapping FILE`` option (repeatable) of every command that reads extracts.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_mapping(p)
    >>> p.parse_args(["--mapping", "a.yaml", "--mapping", "b.yaml"]).mapping, p.parse_args([]).mapping
    (['a.yaml', 'b.yaml'], None)
    """
    parser.add_argument(
        "--mapping",
        action="append",
        metavar="FILE",
        help=(
            "mapping file (YAML) for extracts in another format: column names, codes, units, "
            "date formats (repeatable, one per source; see 'saz-geboortezorg map')"
        ),
    )


def add_quiet(parser) -> None:
    """The ``--quiet`` option of the commands that run long: no progress bar.

    :func:`saz_geboortezorg.cli.main` switches progress off for the whole command when
    it is given (:func:`saz_geboortezorg.progress.quiet`). Without it the bar shows
    only when standard error is a terminal, and never when ``CI`` is set.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_quiet(p)
    >>> p.parse_args(["--quiet"]).quiet, p.parse_args([]).quiet
    (True, False)
    """
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar on stderr (it shows only on a terminal, and never when CI is set)",
    )


def add_catalogue(parser) -> None:
    """The ``--catalogue FILE`` option: a user catalogue of indicators (and themes).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_catalogue(p)
    >>> str(p.parse_args(["--catalogue", "mijn_indicatoren.yaml"]).catalogue)
    'mijn_indicatoren.yaml'
    """
    parser.add_argument(
        "--catalogue",
        type=Path,
        metavar="FILE",
        help=(
            "a user catalogue (YAML, e.g. DATA/mijn_indicatoren.yaml, 'my indicators'): its "
            "indicators join the shipped ones; see docs/user-indicators.md"
        ),
    )


def catalogue_file(path: Path | None) -> Path | None:
    """The ``--catalogue`` file, checked to exist (a typo should not silently give the
    shipped catalogue only); None when not given.

    Examples
    --------
    >>> catalogue_file(None) is None
    True
    >>> catalogue_file(Path("/nonexistent/mijn_indicatoren.yaml"))
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SazError: --catalogue /nonexistent/mijn_indicatoren.yaml: no such file
    """
    from saz_geboortezorg.errors import SazError

    if path is None:
        return None
    if not path.is_file():
        raise SazError(f"--catalogue {path}: no such file")
    return path


def add_attribution(parser, default: str = "the indicator's own rule") -> None:
    """The ``--attribution`` option (booking or birth) of the commands that compare units."""
    parser.add_argument(
        "--attribution",
        choices=["booking", "birth"],
        default=None,
        help=(
            "count outcomes against where care started (booking, intention to treat) or the "
            f"unit responsible at birth (birth); default: {default}"
        ),
    )


def add_unit(
    parser,
    help: str,
    *,
    aliases: tuple[str, ...] = (),
    default: str | None = None,
    required: bool = False,
    metavar: str = "UNIT",
    choices: tuple[str, ...] | None = None,
) -> None:
    """The ``--unit`` option: the level of comparison (or, for a table, its unit column).

    Every command spells it ``--unit``; the spellings an earlier release used
    (``--by``, ``--group``) stay as aliases with the same destination (``args.unit``).
    Giving two spellings at once is an error.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_unit(p, "hospital or region", aliases=("--by",), default="hospital")
    >>> p.parse_args(["--by", "region"]).unit, p.parse_args([]).unit
    ('region', 'hospital')
    """
    import argparse

    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument(
        "--unit", dest="unit", default=default, metavar=metavar, choices=choices, help=help
    )
    for alias in aliases:
        group.add_argument(
            alias,
            dest="unit",
            default=argparse.SUPPRESS,
            metavar=metavar,
            choices=choices,
            help="alias of --unit",
        )
