"""``saz-geboortezorg validate PATH``: check a folder of extracts and show the linkage.

Prints, per source, OK with the row count; the notes; the linkage report (records
in = linked + excluded, per source); and the units whose completeness is below
par. Bad input gives a clear message and exit status 2. Nothing is written.
"""

from __future__ import annotations

import argparse

from saz_geboortezorg.commands.inputs import add_mapping, add_quiet

HELP = "validate and link a folder of extracts; print the linkage report"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "validate",
        help=HELP,
        description=(
            "Validate every extract in PATH against the declared schema "
            "(saz_geboortezorg/schema/extracts.yaml), link them and print the linkage "
            "report and a completeness summary. Exit status 2 when an extract is invalid."
        ),
    )
    p.add_argument(
        "path",
        metavar="PATH",
        help="folder with organisaties, perined_lvr1, perined_lvr2 (and dbc_declaraties) as .csv or .parquet",
    )
    p.add_argument(
        "--salt",
        help="salt for hashing direct identifiers (default: environment SAZ_SALT, else random)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.05,
        help="completeness: flag variables with more than this share missing (default 0.05)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_mapping(p)
    add_quiet(p)
    return p


def run(args: argparse.Namespace) -> int:
    import json

    from saz_geboortezorg.io import load
    from saz_geboortezorg.progress import steps

    with steps("load", total=5):  # four files, linking (io.load announces them)
        data = load(args.path, salt=args.salt, mapping=args.mapping)
    summary = data.linkage_summary()
    comp = data.completeness(unit="hospital", threshold=args.threshold)
    flagged = comp[comp["flagged"] & (comp["unit"] != "all")]
    if args.json:
        out = {
            "ok": True,
            "sources": {
                s: {"file": data.files[s], "rows": len(f)} for s, f in data.sources.items()
            },
            "births": len(data.births),
            "women": len(data.women),
            "notes": data.notes,
            "linkage": data.linkage.to_dict("records"),
            "linkage_summary": summary.to_dict("records"),
            "completeness_flagged": flagged.to_dict("records"),
        }
        print(json.dumps(out, indent=2, default=str))
        return 0
    print(f"Extracts in {args.path}: valid")
    for source, frame in data.sources.items():
        print(f"  OK  {data.files[source]:<28} {len(frame):>9,} rows")
    print(f"  ->  births {len(data.births):,} rows, women {len(data.women):,} rows")
    if data.notes:
        print("\nNotes:")
        for note in data.notes:
            print(f"  - {note}")
    print("\nLinkage (records in = linked + excluded, per source):")
    for source, rows in data.linkage.groupby("source", sort=False):
        for row in rows.itertuples():
            print(f"  {source:<16} {row.outcome:<9} {row.records:>9,}  {row.detail}")
    print()
    for row in summary.itertuples():
        state = "reconciles" if row.reconciles else "DOES NOT RECONCILE"
        print(
            f"  {row.source:<16} in {row.records_in:,} = linked {row.linked:,} + excluded {row.excluded:,}: {state}"
        )
    print(
        f"\nCompleteness by hospital (flagged: more than {args.threshold:.0%} missing or unknown):"
    )
    if flagged.empty:
        print("  no variable flagged")
    else:
        for (unit, source), rows in flagged.groupby(["unit", "source"], sort=True):
            items = ", ".join(f"{r.variable} {r.share:.1%}" for r in rows.itertuples())
            print(f"  {unit} ({source}): {items}")
    return 0
