"""Split a folder of national extracts into regional VSV nodes (for the federated tests).

Each node is one region's VSV: its hospital, the practices around it and their claims.
A pregnancy belongs to the node of its **booking region**: the region of the practice of
its LVR-1 record when it has one (care started in the first line), else the region of
the hospital where second-line care started (``ziekenhuis_aanvang_zorg`` of LVR-2), else
of the birth hospital. All records of a pregnancy go to that node: its LVR-1 record, its
LVR-2 births (also when she gave birth in another region's hospital, an in-utero transfer
to a NICU centre) and its claims. Claims of pregnancies found in no Perined record go to
the node of the provider that sent them. Every node gets the whole organisation register
(public facts: ids, names, regions, NICU centres), as the references between the
extracts need it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SOURCES = ("organisaties", "perined_lvr1", "perined_lvr2", "dbc_declaraties")


def read_text(folder: Path) -> dict[str, pd.DataFrame]:
    """The four CSV files as text (as the library reads CSV: every value a string)."""
    return {
        s: pd.read_csv(Path(folder) / f"{s}.csv", dtype=str, keep_default_na=False) for s in SOURCES
    }


def booking_region(frames: dict[str, pd.DataFrame]) -> pd.Series:
    """Booking region per pregnancy id (see the module docstring)."""
    org = frames["organisaties"].set_index("organisatie_id")["regio_id"]
    lvr1 = frames["perined_lvr1"].drop_duplicates("zwangerschap_id")
    lvr2 = frames["perined_lvr2"].drop_duplicates("zwangerschap_id")
    by_practice = lvr1.set_index("zwangerschap_id")["praktijk_id"].map(org)
    start = lvr2["ziekenhuis_aanvang_zorg"].where(lvr2["ziekenhuis_aanvang_zorg"] != "")
    by_start = pd.Series(
        start.fillna(lvr2["ziekenhuis_id"]).map(org).to_numpy(),
        index=lvr2["zwangerschap_id"].to_numpy(),
    )
    region = by_practice.where(by_practice.notna() & (by_practice != ""))
    region = region.combine_first(by_start)
    return region.dropna()


def split(frames: dict[str, pd.DataFrame]) -> dict[str, list[pd.DataFrame]]:
    """Region id -> the node's four tables, in the order of :data:`SOURCES`."""
    org = frames["organisaties"]
    region_of_org = org.set_index("organisatie_id")["regio_id"]
    region = booking_region(frames)
    claims = frames["dbc_declaraties"]
    claim_region = claims["zwangerschap_id"].map(region)
    claim_region = claim_region.fillna(claims["zorgaanbieder_id"].map(region_of_org))
    nodes = {}
    for r in sorted(org.loc[org["organisatie_type"] == "ZH", "regio_id"].unique()):
        lvr1 = frames["perined_lvr1"][frames["perined_lvr1"]["zwangerschap_id"].map(region) == r]
        lvr2 = frames["perined_lvr2"][frames["perined_lvr2"]["zwangerschap_id"].map(region) == r]
        nodes[r] = [
            org.reset_index(drop=True),
            lvr1.reset_index(drop=True),
            lvr2.reset_index(drop=True),
            claims[claim_region == r].reset_index(drop=True),
        ]
    return nodes
