"""``saz-geboortezorg report``: mirror-meeting reports per region, with small-number protection."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import add_catalogue, add_mapping, add_quiet

    p = sub.add_parser(
        "report",
        help="one self-contained HTML report per region for a mirror meeting",
        description=(
            "Build one self-contained HTML file per region (opens without internet access): "
            "position on every indicator, funnel plots, Robson table, pain relief, vulnerable "
            "women, costs against outcomes, trends and signals, and a methods appendix. "
            "Counts from 1 to THRESHOLD-1 are hidden, with secondary suppression. DATA is a "
            "folder of extracts."
        ),
    )
    p.add_argument("data", metavar="DATA", type=Path)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--region", action="append", metavar="R", help="a region id (repeatable)")
    which.add_argument("--all-regions", action="store_true", help="one report per region")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (reports/)")
    p.add_argument(
        "--threshold",
        type=int,
        default=10,
        help="hide counts from 1 to THRESHOLD-1 (default 10: counts 1-9)",
    )
    p.add_argument(
        "--exports",
        action="store_true",
        help="also write every chart as PNG and SVG and every table as CSV and Excel",
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    add_mapping(p)
    add_quiet(p)
    add_catalogue(p)
    return p


def run(args: argparse.Namespace) -> int:
    from saz_geboortezorg.errors import SazError

    if args.threshold < 2:
        raise SazError(f"--threshold must be at least 2, not {args.threshold}")
    if not args.data.is_dir():
        raise SazError(f"{args.data}: not a folder of extracts")
    from saz_geboortezorg.commands.inputs import catalogue_file
    from saz_geboortezorg.derive.tables import load
    from saz_geboortezorg.indicators.user import read_user_catalogue
    from saz_geboortezorg.report import build_reports

    catalogue = catalogue_file(args.catalogue)
    read_user_catalogue(catalogue)  # fail fast on a bad file, before loading data
    summary = build_reports(
        load(args.data, mapping=args.mapping),
        None if args.all_regions else args.region,
        args.out,
        threshold=args.threshold,
        exports=args.exports,
        **({} if catalogue is None else {"catalogue": catalogue}),
    )
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    for r in summary["reports"]:
        print(f"{r['unit']}: {r['html']} ({r['charts']} charts, {r['tables']} tables)")
    print("\n".join(summary["suppressed"]))
    s = summary["seconds"]
    print(f"{len(summary['reports'])} report(s) in {s['total']:.1f} s")
    return 0
