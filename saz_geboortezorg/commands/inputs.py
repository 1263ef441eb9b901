"""Reading the DATA argument that several commands share (rates, casemix, funnel)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_table_or_dataset", "add_attribution", "add_unit"]


def load_table_or_dataset(path: Path):
    """A folder of extracts becomes a linked Dataset, a file an analysis table; both with
    their derived columns (Robson group, SGA, ...)."""
    from saz_geboortezorg.errors import SazError

    if path.is_dir():
        from saz_geboortezorg.derive.tables import load

        return load(path)
    if not path.exists():
        raise SazError(f"{path}: no such file or folder")
    import pandas as pd

    from saz_geboortezorg.derive.tables import add_derived

    try:
        if path.suffix.lower() == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path, sep=None, engine="python")
    except (OSError, ValueError) as exc:
        raise SazError(f"{path}: cannot read it as a table: {exc}") from None
    return add_derived(table)


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
