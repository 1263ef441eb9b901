"""``saz-geboortezorg synth``: generate synthetic extracts with a known truth."""

from __future__ import annotations

import argparse

HELP = "generate synthetic Perined/DBC extracts with a known truth"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from saz_geboortezorg.commands.inputs import add_quiet

    p = subparsers.add_parser(
        "synth",
        help=HELP,
        description=(
            "Generate synthetic extracts shaped exactly like real ones "
            "(saz_geboortezorg/schema/extracts.yaml): organisaties, perined_lvr1 (first line), "
            "perined_lvr2 (second line) and dbc_declaraties (claims), plus truth.json with the "
            "true model coefficients, hospital effects, outliers and improvement initiatives. "
            "BIRTHS counts pregnancies with a birth (twins once). The same seed gives the same data. "
            "Parameters and their sources: saz_geboortezorg/synthetic/parameters.yaml; "
            "data dictionary: synthetic_data/README.md."
        ),
        epilog="Example: saz-geboortezorg synth --births 60000 --seed 2024 --out synthetic_data/",
    )
    p.add_argument(
        "--births", type=int, default=60_000, help="pregnancies with a birth (default 60000)"
    )
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument(
        "--out", default="synthetic_data", help="output folder (default synthetic_data/)"
    )
    p.add_argument(
        "--years",
        type=int,
        nargs=2,
        default=[2021, 2023],
        metavar=("FIRST", "LAST"),
        help="first and last year of birth (default 2021 2023)",
    )
    p.add_argument("--hospitals", type=int, default=17, help="hospitals = regions (default 17)")
    p.add_argument(
        "--practices",
        type=int,
        default=72,
        help="midwifery practices, at least --hospitals (default 72)",
    )
    p.add_argument(
        "--format", choices=["csv", "parquet"], default="csv", help="file format (default csv)"
    )
    add_quiet(p)
    return p


def run(args: argparse.Namespace) -> int:
    import time

    from saz_geboortezorg.io.fast import bulk_memory_pool
    from saz_geboortezorg.progress import steps
    from saz_geboortezorg.synthetic.generator import check_arguments, generate

    check_arguments(args.births, tuple(args.years), args.hospitals, args.practices)
    start = time.perf_counter()
    # generating, then one step per file written (SyntheticData.write); --quiet: see cli
    # bulk_memory_pool: Arrow's buffers (the tables written) on jemalloc, as a load's
    with steps("synth", total=5) as progress, bulk_memory_pool():
        progress.step(f"generating {args.births:,} births")
        data = generate(
            births=args.births,
            seed=args.seed,
            years=tuple(args.years),
            hospitals=args.hospitals,
            practices=args.practices,
        )
        paths = data.write(args.out, format=args.format)
    elapsed = time.perf_counter() - start
    t = data.truth
    rows = ", ".join(
        f"{p.name} ({len(data.frames()[s]):,} rows)" for s, p in paths.items() if s != "truth"
    )
    r = t["rates"]
    print(
        f"Wrote synthetic data for {t['births']:,} births ({t['babies']:,} babies; seed {t['seed']}, "
        f"{t['years'][0]}-{t['years'][1]}, {t['hospitals']} hospitals, {t['practices']} practices) "
        f"to {args.out}: {rows}, and truth.json with the true coefficients, hospital effects, "
        f"{len(t['outliers'])} deliberate outliers and {len(t['initiatives'])} improvement initiatives. "
        f"Caesarean {r['caesarean_pct']:.1f}%, induction {r['induction_pct']:.1f}%, home birth "
        f"{r['home_birth_pct']:.1f}%, perinatal mortality {r['perinatal_mortality_per_1000']:.1f} per 1,000. "
        f"Linkage imperfections: {t['linkage']['lvr1_no_birth_moved_away']:,} LVR-1 pregnancies without birth, "
        f"{t['linkage']['claims_unknown_pregnancy']:,} claims for unknown pregnancies, "
        f"{t['linkage'].get('pregnancies_without_claims', 0):,} births without claims. Took {elapsed:.1f} s."
    )
    return 0
