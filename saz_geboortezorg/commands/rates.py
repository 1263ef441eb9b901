"""``saz-geboortezorg rates``: one indicator per unit, with intervals."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import (
        add_attribution,
        add_catalogue,
        add_mapping,
        add_quiet,
        add_unit,
    )

    p = sub.add_parser(
        "rates",
        help="compute one indicator per hospital, region or practice",
        description=(
            "Compute an indicator per unit: denominator, numerator, rate with Wilson and exact "
            "(Clopper-Pearson) 95%% intervals, and the records each exclusion removed. DATA is a "
            "folder of extracts (validated and linked first) or one CSV/Parquet analysis table."
        ),
    )
    p.add_argument("data", metavar="DATA", type=Path)
    p.add_argument(
        "--indicator",
        required=True,
        metavar="ID",
        help="an id from 'saz-geboortezorg indicators' (or from the --catalogue file)",
    )
    add_unit(
        p,
        "level of comparison: hospital (default), region, practice, all, or a column",
        aliases=("--by",),
        default="hospital",
    )
    add_attribution(p)
    add_mapping(p)
    add_quiet(p)
    add_catalogue(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


def run(args: argparse.Namespace) -> int:
    from saz_geboortezorg.commands.inputs import catalogue_file, load_table_or_dataset
    from saz_geboortezorg.indicators import compute, get

    # fail fast on an unknown id, before loading data
    definition = get(args.indicator, catalogue_file(args.catalogue))
    result = compute(
        load_table_or_dataset(args.data, args.mapping),
        definition,
        unit=args.unit,
        attribution=args.attribution,
    )
    if args.json:
        # the JSON of earlier releases, built from the result's to_dict(): its table's
        # records are the rows (NaN as null); indicator, measure and rule are fields
        out = result.to_dict()
        print(
            json.dumps(
                {
                    "indicator": out["indicator"],
                    "unit": out["measure"],
                    "attribution": out["attribution"],
                    "rows": out["table"],
                },
                indent=2,
            )
        )
        return 0
    unit = {"percent": "%", "per_1000": "per 1,000", "euro": "EUR"}[definition.unit]
    from saz_geboortezorg.indicators.compute import ATTRIBUTION_TEXT

    print(
        f"{definition.name_en} ({definition.name_nl}), {unit}; population: {definition.population_text}"
    )
    if args.unit not in (None, "all"):
        print(f"Outcomes {ATTRIBUTION_TEXT[result.attribution]}.")
    shown = result.table.drop(columns=["indicator", "unit_type", "measure", "attribution"]).round(2)
    print(shown.to_string(index=False))
    return 0
