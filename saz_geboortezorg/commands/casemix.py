"""``saz-geboortezorg casemix``: case-mix adjusted comparison of units."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import add_attribution, add_mapping, add_quiet, add_unit

    p = sub.add_parser(
        "casemix",
        help="case-mix adjusted observed/expected and shrunken unit effects",
        description=(
            "Fit a case-mix spec (case_mix/*.yaml) and compare units: observed, expected, "
            "O/E with an exact 95%% interval, risk-standardised rate, and (random_effects: "
            "true) shrunken unit odds ratios with rankability. DATA is a folder of extracts "
            "or one CSV/Parquet table with one row per birth (or woman), the outcome and the "
            "spec's covariate columns."
        ),
    )
    p.add_argument("data", metavar="DATA", type=Path)
    p.add_argument(
        "--spec",
        required=True,
        metavar="SPEC",
        help="the name of a shipped spec (caesarean) or the path of a spec file of your own",
    )
    add_unit(p, "level of comparison: hospital, region, practice, all or a column")
    add_attribution(p, "the rule of the spec's outcome indicator")
    add_mapping(p)
    add_quiet(p)
    p.add_argument("--json", action="store_true", help="print JSON (fields: case_mix/README.md)")
    p.add_argument(
        "--lenient",
        action="store_true",
        help="report separation or non-convergence as warnings instead of failing",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from saz_geboortezorg.commands.inputs import load_table_or_dataset
    from saz_geboortezorg.model import CaseMixModel

    model = CaseMixModel(  # spec errors first
        args.spec, unit=args.unit, strict=not args.lenient, attribution=args.attribution
    )
    result = model.fit(load_table_or_dataset(args.data, args.mapping))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
    return 0
