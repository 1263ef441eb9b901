"""An independent checker of extracts against schema/extracts.yaml (test helper).

Deliberately separate from saz_geboortezorg.io: it reads the YAML itself and checks
CSV text as written (columns, types and their text form, code lists, ranges,
nullability, required_when, keys, references, date order).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SCHEMA = Path(__file__).resolve().parents[2] / "saz_geboortezorg" / "schema"
_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COND = re.compile(r"^\s*(\w+)\s*==\s*('?)([^']*)\2\s*$")


_PATTERNS = yaml.safe_load((SCHEMA / "extracts.yaml").read_text(encoding="utf-8"))["patterns"]


def load_schema() -> tuple[dict, dict]:
    extracts = yaml.safe_load((SCHEMA / "extracts.yaml").read_text(encoding="utf-8"))
    codes = yaml.safe_load((SCHEMA / "codes.yaml").read_text(encoding="utf-8"))
    return extracts["sources"], codes


def read_csv_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def check_source(
    name: str, text: pd.DataFrame, sources: dict, codes: dict
) -> tuple[list[str], dict]:
    """Problems of one source (text frame) and its typed values by column."""
    spec = sources[name]
    problems: list[str] = []
    cols = spec["columns"]
    missing = [c for c, s in cols.items() if c not in text.columns and not s.get("optional")]
    extra = [c for c in text.columns if c not in cols]
    if missing:
        problems.append(f"{name}: missing columns {missing}")
    if extra:
        problems.append(f"{name}: undeclared columns {extra}")
    typed: dict[str, pd.Series] = {}
    for col, s in cols.items():
        if col not in text.columns:
            continue
        raw = text[col]
        filled = raw.notna()
        values = raw[filled].astype(str)
        t = s["type"]
        if t in ("integer", "flag"):
            bad = ~values.str.match(_INT)
            num = pd.to_numeric(raw.where(filled), errors="coerce")
            if t == "flag":
                bad |= ~values.isin(["0", "1"])
        elif t == "float":
            bad = ~values.str.match(_FLOAT)
            num = pd.to_numeric(raw.where(filled), errors="coerce")
        elif t == "date":
            bad = ~values.str.match(_DATE)
            num = pd.to_datetime(raw.where(filled), format="%Y-%m-%d", errors="coerce")
            bad |= num[filled].isna()
        else:
            bad = values.str.strip() == ""
            num = raw
        if bad.any():
            problems.append(
                f"{name}.{col}: {int(bad.sum())} values not {t}, e.g. {values[bad].iloc[0]!r}"
            )
        typed[col] = num
        if not s.get("nullable", False) and (~filled).any():
            problems.append(f"{name}.{col}: {int((~filled).sum())} empty values but not nullable")
        if "codes" in s:
            allowed = {str(k) for k in codes[s["codes"]]["codes"]}
            outside = ~values.isin(allowed)
            if outside.any():
                problems.append(
                    f"{name}.{col}: codes {sorted(set(values[outside]))[:5]} not in {s['codes']}"
                )
        if "range" in s:
            lo, hi = s["range"]
            v = pd.to_numeric(values, errors="coerce")
            out = (v < lo) | (v > hi)
            if out.any():
                problems.append(f"{name}.{col}: {int(out.sum())} values outside [{lo}, {hi}]")
        if "pattern" in s:
            pat = _PATTERNS[s["pattern"]]
            filled = values.dropna()
            unsafe = ~filled.str.fullmatch(pat["regex"])
            reserved = filled.str.lower().isin({str(r).lower() for r in pat["reserved"]})
            if unsafe.any() or reserved.any():
                problems.append(f"{name}.{col}: {int((unsafe | reserved).sum())} unsafe ids")
    for col, s in cols.items():
        cond = s.get("required_when")
        if not cond or col not in text.columns:
            continue
        m = _COND.match(cond)
        assert m, f"cannot parse required_when {cond!r}"
        other, _, value = m.groups()
        where = text[other].astype("string") == value
        empty = where.fillna(False) & text[col].isna()
        if empty.any():
            problems.append(f"{name}.{col}: {int(empty.sum())} empty where {cond}")
    key = spec.get("key", [])
    if key and all(k in text.columns for k in key) and text.duplicated(key).any():
        problems.append(f"{name}: {int(text.duplicated(key).sum())} duplicate keys {key}")
    for earlier, later in spec.get("date_order", []):
        a, b = typed.get(earlier), typed.get(later)
        if a is not None and b is not None:
            both = a.notna() & b.notna()
            wrong = both & (a > b)
            if wrong.any():
                problems.append(f"{name}: {int(wrong.sum())} rows with {earlier} after {later}")
    return problems, typed


def check_folder(folder: Path) -> list[str]:
    """All problems of the CSV extracts in ``folder`` (empty list when conforming)."""
    sources, codes = load_schema()
    texts = {name: read_csv_text(folder / f"{spec['file']}.csv") for name, spec in sources.items()}
    problems: list[str] = []
    for name in sources:
        p, _ = check_source(name, texts[name], sources, codes)
        problems += p
    for name, spec in sources.items():
        for col, (target, tcol) in (spec.get("references") or {}).items():
            known = set(texts[target][tcol].dropna())
            vals = texts[name][col].dropna()
            unknown = ~vals.isin(known)
            if unknown.any():
                problems.append(f"{name}.{col}: {int(unknown.sum())} values not in {target}.{tcol}")
    return problems


def integer_like(series: pd.Series) -> bool:
    """True when a (parquet) column holds whole numbers (Int64 or int)."""
    return pd.api.types.is_integer_dtype(series.dtype) or bool(
        np.all(np.mod(series.dropna().astype(float), 1) == 0)
    )
