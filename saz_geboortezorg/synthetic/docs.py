"""Generate the Markdown tables of ``synthetic_data/README.md`` from the YAML files.

The data dictionary (every column of every source, with type, codes, range,
nullability, Dutch term, English meaning and its element of the national data standard,
the Kernset Geboortezorg 2.3), the kernset details (sources, code systems and value
sets, and where our columns depart from the kernset and why), the code lists, and the table of
generative parameters with their sources are generated, so they cannot drift from
``schema/extracts.yaml``, ``schema/codes.yaml`` and ``parameters.yaml``. The README
keeps them between ``<!-- BEGIN generated: NAME -->`` / ``<!-- END generated -->``
markers; :func:`update_readme` rewrites those blocks (run
``python -m saz_geboortezorg.synthetic.docs``), and a test checks they are current.

Examples
--------
>>> md = data_dictionary()
>>> "| zwangerschap_id |" in md and "### perined_lvr2" in md
True
>>> "peri23-dataelement-20640 Hoeveelheid bloedverlies" in md
True
"""

from __future__ import annotations

import re
from pathlib import Path

from saz_geboortezorg import schema
from saz_geboortezorg.synthetic.params import load
from saz_geboortezorg.synthetic.store import DEFAULT_BIRTHS, DEFAULT_SEED

__all__ = [
    "data_dictionary",
    "kernset_tables",
    "code_tables",
    "model_table",
    "parameter_table",
    "rates_table",
    "blocks",
    "update_readme",
]

README = Path(__file__).resolve().parents[2] / "synthetic_data" / "README.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def data_dictionary() -> str:
    """One Markdown table per source of ``schema/extracts.yaml``."""

    out = []
    for name, spec in schema.sources().items():
        out.append(f"### {name}\n")
        out.append(f"File `{spec['file']}.csv` / `.parquet`. {_cell(spec['en'])}\n")
        if spec.get("key"):
            out.append(f"Key (unique): `{', '.join(spec['key'])}`.")
        for col, (src, tcol) in (spec.get("references") or {}).items():
            out.append(f"`{col}` must exist in `{src}.{tcol}`.")
        for a, b in spec.get("date_order") or []:
            out.append(f"`{a}` <= `{b}` where both are filled.")
        out.append("")
        out.append(
            "| column | type | codes / range | empty allowed | Dutch term | meaning "
            "| kernset 2.3 element |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for col, c in spec["columns"].items():
            codes = f"`{c['codes']}`" if "codes" in c else ""
            if "range" in c:
                codes = (codes + " " if codes else "") + f"{c['range'][0]}-{c['range'][1]}"
            empty = "yes" if c.get("nullable") else "no"
            if c.get("required_when"):
                empty += f"; required when `{c['required_when']}`"
            if c.get("optional"):
                empty += "; the column may be absent"
            out.append(
                f"| {col} | {c['type']} | {codes} | {_cell(empty)} | {_cell(c.get('nl', ''))} "
                f"| {_cell(c.get('en', ''))} | {_cell(_element(c['kernset']))} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _element(entry: dict) -> str:
    """``peri23-dataelement-N Dutch name`` (joined with ``+``), or ``none``."""
    if "none" in entry:
        return "none"
    names = entry["nl"] if isinstance(entry["nl"], list) else [entry["nl"]]
    ids = schema.kernset_element_ids(entry)
    return " + ".join(f"{i} {n}" for i, n in zip(ids, names, strict=True))


def kernset_tables() -> str:
    """The kernset sources, and per source each column's element, codes and departure.

    Examples
    --------
    >>> md = kernset_tables()
    >>> "| aantal_eerdere_sectio | peri23-dataelement-80624 Type partus |" in md
    True
    """
    base = schema.kernset_base()
    out = [
        f"Element ids are ART-DECOR data elements `peri23-dataelement-N`, concept OID "
        f"`{base}.N`. Code system `2.16.840.1.113883.6.96` is SNOMED CT. Sources:\n"
    ]
    for key, text in schema.kernset_sources().items():
        out.append(f"- `{key}`: {_cell(text)}")
    out.append("")
    for name, spec in schema.sources().items():
        out.append(f"#### {name}\n")
        out.append(
            "| column | kernset 2.3 element | code system / value set | how ours departs, and why |"
        )
        out.append("|---|---|---|---|")
        for col, c in spec["columns"].items():
            k = c["kernset"]
            if "none" in k:
                out.append(f"| {col} | none | | {_cell(k['none'])} |")
                continue
            vocab = " / ".join(f"`{k[f]}`" for f in ("codesystem", "valueset") if f in k)
            out.append(
                f"| {col} | {_cell(_element(k))} | {vocab} | {_cell(k.get('differs', 'as in the kernset'))} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def code_tables() -> str:
    """The code lists used by the extracts (code, Dutch label, English meaning)."""

    used = {
        c["codes"] for s in schema.sources().values() for c in s["columns"].values() if "codes" in c
    }
    out = []
    for name, spec in schema.code_lists().items():
        if name not in used:
            continue
        out.append(f"**{name}**: {_cell(spec.get('description', ''))}\n")
        out.append("| code | Dutch | English |")
        out.append("|---|---|---|")
        for code, lab in spec["codes"].items():
            out.append(f"| {code} | {_cell(lab.get('nl', ''))} | {_cell(lab.get('en', ''))} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def parameter_table() -> str:
    """Every generative parameter with its value and source note."""

    p = load()
    rows = ["| parameter | value | source |", "|---|---|---|"]

    def walk(node: object, path: str) -> None:
        if path == "models":
            return
        if isinstance(node, dict) and path not in ("outliers", "initiatives"):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
            return
        if isinstance(node, list):
            for i, v in enumerate(node):
                rows.append(f"| {path}[{i}] | {_cell(v)} | |")
            return
        source = p.sources.get(path) or p.sources.get(path.rsplit(".", 1)[0], "")
        rows.append(f"| {path} | {_cell(node)} | {_cell(source)} |")

    walk(p.values, "")
    return "\n".join(rows) + "\n"


def model_table() -> str:
    """The logistic models: population, intercept, log odds ratios, hospital sd, source."""

    p = load()
    rows = [
        "| model | level | population | intercept | log odds ratios | hospital sd | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in p.values["models"].items():
        coefs = ", ".join(f"{k} {v:+g}" for k, v in (m.get("coefficients") or {}).items())
        rows.append(
            f"| {name} | {m['level']} | {_cell(m['population'])} | {m['intercept']:g} | {coefs} "
            f"| {m.get('hospital_sd', 0):g} | {_cell(p.sources.get(f'models.{name}', ''))} |"
        )
    return "\n".join(rows) + "\n"


#: Dutch reference figure for each simulated rate (domain.md section 4 unless noted).
TARGETS = {
    "caesarean_pct": "16-18% (15.8% 2019, 18.1% 2021)",
    "caesarean_robson1_pct": "9.9% (2000-2010)",
    "prelabour_cs_pct": "8.0% (8.1% primary CS 2014)",
    "induction_pct": "25.0%",
    "instrumental_nulliparae_pct": "16-19% (term singleton)",
    "instrumental_multiparae_pct": "3-4% (term singleton)",
    "epidural_labouring_pct": "20-24% of (hospital) births",
    "epidural_nulliparae_pct": "32.7% (2019)",
    "epidural_multiparae_pct": "11.0% (2019)",
    "episiotomy_vaginal_pct": "52.3% of second-line labours (2014); no national figure for all vaginal births",
    "oasis_vaginal_pct": "unverified; 1.8-5.9% (English primiparae)",
    "pph_pct": "4.5-6.4%",
    "home_birth_pct": "13.1-14.8%",
    "birth_centre_pct": "2.4-3.0%",
    "poliklinisch_pct": "9.7-11.1%",
    "second_line_birth_pct": "68.6-69.2%",
    "start_first_line_pct": "~88% (90% in 2020)",
    "referral_pregnancy_nulliparae_pct": "~45%",
    "referral_labour_nulliparae_pct": "56.8% (practices 13.8-78.1%); regions 55-68%",
    "referral_labour_multiparae_pct": "brief: ~20-25%",
    "referral_labour_pct": "37.8% (practices 9.7-63.7%)",
    "preterm_pct": "6.9-7.6%",
    "multiple_pct": "1.5%",
    "sga_pct": "9.7% (Hoftiezer; here by the shipped reference)",
    "perinatal_mortality_per_1000": "7.3 (>= 22 wk, 2019); 4.5 (>= 24 wk, 2021)",
    "low_apgar_term_per_1000": "4.1-8.6",
    "nicu_term_per_1000": "5.58",
    "congenital_anomaly_pct": "brief: 2-3%",
}


def rates_table(truth: dict) -> str:
    """Simulated rates of a dataset (``truth['rates']``) next to the Dutch figures."""
    rows = [
        f"Default dataset: {truth['births']:,} births, seed {truth['seed']}.\n",
        "| rate | simulated | Dutch figure |",
        "|---|---|---|",
    ]
    for k, v in truth["rates"].items():
        rows.append(f"| {k} | {v:.1f} | {_cell(TARGETS.get(k, ''))} |")
    return "\n".join(rows) + "\n"


def blocks(truth: dict | None = None) -> dict[str, str]:
    """The generated README blocks by name (``rates`` only when ``truth`` is given)."""
    extra = {"rates": rates_table(truth)} if truth is not None else {}
    return {
        **extra,
        "data-dictionary": data_dictionary(),
        "kernset": kernset_tables(),
        "code-lists": code_tables(),
        "models": model_table(),
        "parameters": parameter_table(),
    }


def update_readme(path: Path = README, truth: dict | None = None) -> bool:
    """Rewrite the generated blocks of the README; True when something changed.

    Without ``truth`` the default dataset is generated (in memory) for the rates.
    """
    if truth is None:
        from saz_geboortezorg.synthetic.generator import generate  # scipy: lazy

        truth = generate(births=DEFAULT_BIRTHS, seed=DEFAULT_SEED).truth
    text = path.read_text(encoding="utf-8")
    new = text
    for name, body in blocks(truth).items():
        pattern = re.compile(
            rf"(<!-- BEGIN generated: {re.escape(name)} -->\n).*?(<!-- END generated -->)", re.S
        )
        new = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), new)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    print("updated" if update_readme() else "already current")
