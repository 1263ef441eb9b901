"""Loading the FunnelPlotR reference values (tests/compare/reference/funnelplotr)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.funnel import FunnelResult, funnel

REF = Path(__file__).resolve().parents[1] / "reference" / "funnelplotr"

#: FunnelPlotR's column names -> ours, per limit.
UNADJ = {
    "LCL95": "lcl95_unadj",
    "UCL95": "ucl95_unadj",
    "LCL99": "lcl998_unadj",
    "UCL99": "ucl998_unadj",
}
ADJ = {
    "OD95LCL": "lcl95_adj",
    "OD95UCL": "ucl95_adj",
    "OD99LCL": "lcl998_adj",
    "OD99UCL": "ucl998_adj",
}
GRID_UNADJ = {
    "ll95": "lcl95_unadj",
    "ul95": "ucl95_unadj",
    "ll998": "lcl998_unadj",
    "ul998": "ucl998_unadj",
}
GRID_ADJ = {
    "odll95": "lcl95_adj",
    "odul95": "ucl95_adj",
    "odll998": "lcl998_adj",
    "odul998": "ucl998_adj",
}
Z = {"95": 1.959964, "998": 3.090232}  # FunnelPlotR's constants


def read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(REF / name, keep_default_na=True)
    for col in frame.columns:
        if frame[col].dtype == object and col not in (
            "group",
            "unit",
            "run",
            "dataset",
            "data_type",
            "sr_method",
        ):
            frame[col] = frame[col].replace({"Inf": np.inf, "-Inf": -np.inf}).astype(float)
    return frame


@cache
def runs() -> pd.DataFrame:
    return read("runs.csv")


def run_ids() -> list[str]:
    return runs()["run"].tolist()


def settings(run: str) -> pd.Series:
    return runs().set_index("run").loc[run]


@cache
def ours(run: str) -> FunnelResult:
    s = settings(run)
    data = read(f"input_{s['dataset']}.csv")
    return funnel(
        data,
        "observed",
        "expected",
        "unit",
        data_type=s["data_type"],
        sr_method=s["sr_method"] if isinstance(s["sr_method"], str) else "SHMI",
        trim_by=float(s["trim_by"]),
        overdispersion=bool(s["draw_adjusted_in"]),
        multiplier=float(s["multiplier"]),
        shmi_rounding=bool(s["shmi_rounding"]),
    )


def units(run: str) -> pd.DataFrame:
    """FunnelPlotR's per-unit table merged with ours (suffix _r for R)."""
    r = read(f"{run}_units.csv").rename(columns=lambda c: c if c == "group" else f"{c}_r")
    return r.merge(ours(run).table, on="group", how="outer", validate="one_to_one", indicator=True)


def limits(run: str) -> pd.DataFrame:
    r = read(f"{run}_limits.csv")
    mine = ours(run).limits(r["number_seq"].to_numpy())
    return pd.concat([r.reset_index(drop=True), mine.reset_index(drop=True)], axis=1)


def pr_angles(n: np.ndarray, target: float, tau2: float, tag: str) -> tuple[np.ndarray, np.ndarray]:
    """Arcsine-scale angles of the PR limits, computed independently of the library."""
    sd = np.sqrt((1 / (2 * np.sqrt(n))) ** 2 + tau2)
    centre = np.arcsin(np.sqrt(target))
    return centre - Z[tag] * sd, centre + Z[tag] * sd
