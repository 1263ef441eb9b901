"""``saz-geboortezorg completeness PATH``: share missing or unknown per unit and variable."""

from __future__ import annotations

import argparse

HELP = "share of missing or unknown values per hospital, practice or region"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import add_mapping, add_quiet, add_unit

    p = subparsers.add_parser(
        "completeness",
        help=HELP,
        description=(
            "Load the extracts in PATH and report, per source and unit, the share of "
            "missing or unknown values (empty, or code 9/99 'onbekend') of every "
            "variable the indicators and case-mix models use. Variables above the "
            "threshold are flagged."
        ),
    )
    p.add_argument("path", metavar="PATH", help="folder of extracts (as for 'validate')")
    add_unit(
        p,
        "level of comparison: hospital (default), practice or region",
        aliases=("--by",),
        default="hospital",
        metavar="{hospital,practice,region}",
        choices=("hospital", "practice", "region"),
    )
    p.add_argument(
        "--threshold", type=float, default=0.05, help="flag above this share (default 0.05 = 5%%)"
    )
    p.add_argument("--salt", help="salt for hashing direct identifiers")
    add_mapping(p)
    add_quiet(p)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the tidy table as JSON")
    out.add_argument("--csv", metavar="FILE", help="write the tidy table to FILE (CSV)")
    return p


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from saz_geboortezorg.errors import SazError
    from saz_geboortezorg.io import load
    from saz_geboortezorg.progress import steps

    with steps("load", total=5):  # four files, linking (io.load announces them)
        data = load(args.path, salt=args.salt, mapping=args.mapping)
    table = data.completeness(unit=args.unit, threshold=args.threshold)
    if args.json:
        print(json.dumps(table.to_dict("records"), indent=2, default=str))
        return 0
    if args.csv:
        target = Path(args.csv)
        if not target.parent.exists():
            raise SazError(f"cannot write {target}: folder {target.parent} does not exist")
        table.to_csv(target, index=False)
        print(f"wrote {len(table):,} rows to {target}")
        return 0
    flagged = table[table["flagged"]]
    print(
        f"Completeness by {args.unit} (flagged: more than {args.threshold:.0%} missing or unknown)"
    )
    total = table[table["unit"] == "all"]
    print("\nAll units:")
    for row in total.itertuples():
        mark = "  <-- flagged" if row.flagged else ""
        print(
            f"  {row.source:<13} {row.variable:<30} {row.missing:>8,} of {row.n:>9,} ({row.share:6.1%}){mark}"
        )
    per_unit = flagged[flagged["unit"] != "all"]
    print(f"\nFlagged per {args.unit}: {per_unit['unit'].nunique()} unit(s)")
    for (unit, source), rows in per_unit.groupby(["unit", "source"], sort=True):
        items = ", ".join(f"{r.variable} {r.share:.1%}" for r in rows.itertuples())
        print(f"  {unit} ({source}): {items}")
    return 0
