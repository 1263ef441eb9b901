"""``saz-geboortezorg funnel``: funnel plot analysis of a table, with overdispersion."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import add_catalogue, add_mapping, add_quiet, add_unit

    p = sub.add_parser(
        "funnel",
        help="funnel plot limits, overdispersion and outliers per unit",
        description=(
            "Funnel plot analysis of practice variation (Spiegelhalter 2005), numerically as the "
            "R package FunnelPlotR 0.6: standardised ratios (SR, SHMI or CQC method), proportions "
            "(PR) or ratios of counts (RC), with overdispersion-adjusted limits when the "
            "dispersion ratio phi exceeds 1. CSV is a table with one or more rows per unit "
            "(rows of a unit are summed). CQC adjusted limits are squared back to the ratio scale "
            "(FunnelPlotR does not: its issue #33). With --indicator ID the counts come from "
            "an indicator (shipped, or from the --catalogue file) computed per --unit on "
            "DATA (a folder of extracts or an analysis table): a crude proportion funnel."
        ),
    )
    p.add_argument(
        "csv",
        metavar="CSV",
        type=Path,
        help="CSV (or Parquet) table; with --indicator also a folder of extracts",
    )
    p.add_argument(
        "--numerator", metavar="COL", help="observed events (required without --indicator)"
    )
    p.add_argument(
        "--denominator",
        metavar="COL",
        help="expected events (SR), cases (PR) or the second count (RC) (required without "
        "--indicator)",
    )
    p.add_argument(
        "--indicator",
        metavar="ID",
        help="compute the counts from this indicator per --unit (hospital, region, practice "
        "or a column) instead of --numerator/--denominator",
    )
    add_unit(
        p,
        "column with the units (e.g. hospital); the JSON and table call it 'group'",
        aliases=("--group",),
        required=True,
        metavar="COL",
    )
    p.add_argument(
        "--data-type",
        default=None,
        choices=["SR", "PR", "RC"],
        type=str.upper,
        help="SR (default), PR or RC; PR with --indicator",
    )
    p.add_argument("--sr-method", default="SHMI", choices=["SHMI", "CQC"], type=str.upper)
    p.add_argument(
        "--trim-by",
        default=0.1,
        type=float,
        metavar="F",
        help="fraction truncated (SHMI) or winsorised at each end before phi (default 0.1)",
    )
    p.add_argument(
        "--limits",
        default=[95.0, 99.8],
        type=float,
        nargs="+",
        metavar="PCT",
        help="limit levels in percent (default: 95 99.8)",
    )
    p.add_argument(
        "--multiplier",
        default=None,
        type=float,
        help="e.g. 100 for per 100 (default 1; with --indicator its scale: 100 for percent)",
    )
    p.add_argument(
        "--no-overdispersion",
        dest="overdispersion",
        action="store_false",
        help="always use the unadjusted limits",
    )
    p.add_argument(
        "--pr-limits",
        default="arcsine",
        choices=["arcsine", "exact"],
        help="unadjusted PR limits: arcsine approximation (FunnelPlotR) or exact binomial",
    )
    p.add_argument(
        "--fitted-expected",
        action="store_true",
        help="SR: the expected counts come from a model fitted to the same data "
        "(test of overdispersion on n - 1 degrees of freedom)",
    )
    p.add_argument(
        "--phi-correction",
        action="store_true",
        help="use the bias-corrected phi (trimmed phi rescaled by its mean with no "
        "overdispersion) for tau2 and the limits; default FunnelPlotR's trimmed phi",
    )
    p.add_argument(
        "--test-draws",
        default=999,
        type=int,
        metavar="B",
        help="datasets simulated for the overdispersion test's p-value when trim-by > 0 "
        "(parametric bootstrap; 0: no p-value; default 999)",
    )
    p.add_argument("--seed", default=None, type=int, help="seed of those simulations")
    p.add_argument(
        "--chart", type=Path, metavar="FILE", help="also save the chart (.png, .svg, .html)"
    )
    p.add_argument("--highlight", metavar="UNIT", help="unit to highlight in the chart")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_mapping(p)
    add_quiet(p)
    add_catalogue(p)
    return p


def run(args: argparse.Namespace) -> int:
    from saz_geboortezorg.commands.inputs import load_table_or_dataset
    from saz_geboortezorg.compare.funnel import funnel
    from saz_geboortezorg.errors import SazError

    if args.indicator is not None:
        data, numerator, denominator, unit, multiplier = _indicator_counts(args)
        data_type = args.data_type or "PR"
        if data_type != "PR":
            raise SazError("--indicator gives proportions: use --data-type PR (the default)")
    else:
        if args.numerator is None or args.denominator is None:
            raise SazError("give --numerator COL and --denominator COL (or --indicator ID)")
        if args.catalogue is not None:
            raise SazError("--catalogue goes with --indicator ID")
        if args.csv.is_dir():
            raise SazError(f"{args.csv}: give a table (CSV or Parquet), not a folder")
        data = load_table_or_dataset(args.csv, args.mapping)
        numerator, denominator, unit = args.numerator, args.denominator, args.unit
        data_type, multiplier = args.data_type or "SR", 1.0
    if args.multiplier is not None:
        multiplier = args.multiplier
    result = funnel(
        data,
        numerator,
        denominator,
        unit,
        data_type=data_type,
        sr_method=args.sr_method,
        trim_by=args.trim_by,
        limits=tuple(args.limits),
        overdispersion=args.overdispersion,
        multiplier=multiplier,
        pr_limits=args.pr_limits,
        fitted_expected=args.fitted_expected,
        phi_correction=args.phi_correction,
        test_draws=args.test_draws,
        **({} if args.seed is None else {"seed": args.seed}),
    )
    if args.chart:
        if args.chart.suffix.lower() not in (".png", ".svg", ".html", ".json", ".pdf"):
            raise SazError(
                f"{args.chart}: the chart file must end in .png, .svg, .pdf, .html or .json"
            )
        result.chart(highlight=args.highlight).save(str(args.chart))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(result.summary())
    print()
    from saz_geboortezorg.stats.intervals import level_tag

    tags = [level_tag(x) for x in result.levels]
    cols = ["group", "numerator", "denominator", "value", "z"]
    for tag in tags:
        cols += [f"lcl{tag}", f"ucl{tag}", f"flag{tag}"]
    shown = result.table[cols].copy()
    for col in shown.columns:
        if shown[col].dtype.kind == "f":
            shown[col] = shown[col].map(lambda v: f"{v:.4g}")
    print(shown.to_string(index=False))
    out = result.outliers()
    if len(out):
        widest = max(result.levels)
        print(
            f"\nOutside the {widest:g}% limits: "
            + ", ".join(
                f"{g} ({f})" for g, f in zip(out["group"], out[f"flag{tags[-1]}"], strict=True)
            )
        )
    if args.chart:
        print(f"\nChart saved to {args.chart}")
    return 0


def _indicator_counts(args: argparse.Namespace):
    """(table, numerator, denominator, unit column, multiplier) of ``--indicator`` per
    ``--unit``: the indicator's denominator and numerator per unit (crude)."""
    from saz_geboortezorg.commands.inputs import catalogue_file, load_table_or_dataset
    from saz_geboortezorg.errors import SazError
    from saz_geboortezorg.indicators import compute, get

    if args.numerator is not None or args.denominator is not None:
        raise SazError("--indicator computes the counts: leave out --numerator/--denominator")
    definition = get(args.indicator, catalogue_file(args.catalogue))  # before loading data
    if definition.is_mean:
        raise SazError(f"{definition.id} is an amount (euro), not a proportion: no funnel here")
    rates = compute(load_table_or_dataset(args.csv, args.mapping), definition, unit=args.unit)
    table = rates.table[rates.table["denominator"] > 0]
    return table, "numerator", "denominator", "unit", definition.multiplier
