"""``saz-geboortezorg indicators``: list the indicator catalogue."""

from __future__ import annotations

import argparse


def add_parser(sub) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import add_catalogue

    p = sub.add_parser(
        "indicators",
        help="list the indicator catalogue",
        description=(
            "List every indicator with its Dutch and English name, domain, level, unit and "
            "which direction is better. Definitions: saz_geboortezorg/indicators/catalogue.yaml "
            "(and the --catalogue file)."
        ),
    )
    p.add_argument("--domain", choices=["mother", "child", "process", "care_path", "cost"])
    p.add_argument(
        "--full", action="store_true", help="also show population, numerator, exclusions and source"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_catalogue(p)
    return p


def run(args: argparse.Namespace) -> int:
    from saz_geboortezorg.commands.inputs import catalogue_file
    from saz_geboortezorg.indicators import catalogue

    cat = catalogue(user=catalogue_file(args.catalogue))
    if args.domain:
        cat = cat[cat["domain"] == args.domain]
    if args.json:
        print(cat.to_json(orient="records", indent=2, force_ascii=False))
        return 0
    columns = ["id", "name_en", "name_nl", "domain", "level", "unit", "better"]
    if args.full:
        columns += ["population_text", "numerator", "exclusions", "case_mix", "source"]
        for _, row in cat.iterrows():
            print(f"{row['id']}: {row['name_en']} ({row['name_nl']})")
            for c in columns[3:]:
                if row[c]:
                    print(f"    {c}: {row[c]}")
        return 0
    print(cat[columns].to_string(index=False))
    return 0
