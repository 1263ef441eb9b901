"""Claims reconcile to the care path, and costs sit near the NZa anchors."""

from __future__ import annotations

import pandas as pd
import pytest

CS_CODES = {"177141003", "274130007"}


@pytest.fixture(scope="module")
def per_pregnancy(large):
    dbc = large.dbc_declaraties
    return dbc.groupby(["zwangerschap_id", "zorgproduct"]).size().unstack(fill_value=0)


def _has(per_pregnancy: pd.DataFrame, ids: pd.Series, product: str) -> pd.Series:
    """Per pregnancy with claims: has it a claim for ``product``? (A few births have no
    claim at all, linkage.pregnancies_without_claims: they are left out here.)"""
    ids = ids[ids.isin(per_pregnancy.index)]
    col = per_pregnancy[product] if product in per_pregnancy else pd.Series(dtype=int)
    return ids.map(col).fillna(0) > 0


def test_every_caesarean_has_a_sectio_claim(large, per_pregnancy):
    """A pregnancy with any baby born by caesarean (also a second twin after a vaginal
    first twin) has the caesarean claim; one without has none."""
    l2 = large.perined_lvr2
    any_cs = l2["type_partus"].isin(CS_CODES).groupby(l2["zwangerschap_id"]).any()
    cs = pd.Series(any_cs.index[any_cs.to_numpy()])
    assert len(cs) > 1000
    assert _has(per_pregnancy, cs, "ZH_SECTIO").all()
    vaginal = pd.Series(any_cs.index[~any_cs.to_numpy()])
    assert not _has(per_pregnancy, vaginal, "ZH_SECTIO").any()


def test_birth_products_follow_mode_and_interventions(large, per_pregnancy):
    l2 = large.perined_lvr2.drop_duplicates("zwangerschap_id")
    instr = l2[l2["type_partus"].isin(["61586001", "302383004"])]["zwangerschap_id"]
    assert _has(per_pregnancy, instr, "ZH_KUNSTVERLOSSING").all()
    induced = l2[l2["wijze_begin_baring"] == 3]["zwangerschap_id"]
    assert _has(per_pregnancy, induced, "ZH_INDUCTIE").all()
    not_induced = l2[l2["wijze_begin_baring"] != 3]["zwangerschap_id"]
    assert not _has(per_pregnancy, not_induced, "ZH_INDUCTIE").any()
    epi = l2[l2["pijnbestrijding_methode"] == 1]["zwangerschap_id"]
    assert _has(per_pregnancy, epi, "ZH_EPIDURAAL").all()
    nicu = large.perined_lvr2[large.perined_lvr2["nicu_opname"] == 1]["zwangerschap_id"]
    assert _has(per_pregnancy, nicu, "ZH_NEONATOLOGIE").all()


def test_midwifery_products_follow_the_care_path(large, per_pregnancy):
    l1 = large.perined_lvr1
    first_line_birth = l1[l1["eindverantwoordelijke_baring"] == 1]["zwangerschap_id"]
    assert _has(per_pregnancy, first_line_birth, "VERL_VOLLEDIG").all()
    referred = l1[(l1["verwijzing_zwangerschap"] == 1) | (l1["verwijzing_durante_partu"] == 1)][
        "zwangerschap_id"
    ]
    assert not _has(per_pregnancy, referred, "VERL_VOLLEDIG").any()
    assert _has(per_pregnancy, referred, "VERL_PRENATAAL_DEEL").all()
    in_labour = l1[l1["verwijzing_durante_partu"] == 1]["zwangerschap_id"]
    assert _has(per_pregnancy, in_labour, "VERL_NATAAL").all()
    poli = l1[(l1["eindverantwoordelijke_baring"] == 1) & (l1["werkelijke_plaats_baring"] == 3)][
        "zwangerschap_id"
    ]
    assert _has(per_pregnancy, poli, "ZH_POLIKLINISCH").all()


def test_claims_lines_products_and_providers_agree(large):
    from importlib import resources

    import yaml

    codes = yaml.safe_load(
        resources.files("saz_geboortezorg.schema").joinpath("codes.yaml").read_text()
    )
    line_of = {k: v["lijn"] for k, v in codes["zorgproduct"]["codes"].items()}
    dbc = large.dbc_declaraties
    assert (dbc["zorgproduct"].map(line_of) == dbc["lijn"]).all()
    org = large.organisaties.set_index("organisatie_id")["organisatie_type"]
    kind = dbc["zorgaanbieder_id"].map(org)
    assert ((kind == "ZH") == (dbc["lijn"] == 2)).all()
    assert (dbc["datum_begin"] <= dbc["datum_eind"]).all()
    assert (dbc["tarief"] > 0).all()


def test_costs_near_nza_anchors(large):
    """NZa 2020: hospital EUR 2,600 and midwifery EUR 940 per client (domain.md 4)."""
    dbc = large.dbc_declaraties
    per = dbc.groupby(["zwangerschap_id", "lijn"])["tarief"].sum().unstack()
    hospital = per[2].dropna().mean()
    midwife = per[1].dropna().mean()
    assert 2000 <= hospital <= 3500, hospital
    assert 700 <= midwife <= 1300, midwife
    by_mode = dbc.pivot_table(index="zorgproduct", values="tarief", aggfunc="mean")["tarief"]
    assert by_mode["ZH_SECTIO"] > by_mode["ZH_KUNSTVERLOSSING"] > by_mode["ZH_BEVALLING_VAGINAAL"]
    assert by_mode["ZH_NEONATOLOGIE"] > by_mode["ZH_SECTIO"]


def test_largest_possible_claim_is_within_the_schema_range():
    """Regression: a 1,000,000-birth run once drew a NICU claim above the schema's
    plausible maximum, so the generated extract failed validation. The length of stay
    is capped; the largest claim it allows (with a hospital tariff 10 SD above the
    mean) must stay inside the declared range."""
    from saz_geboortezorg import schema
    from saz_geboortezorg.synthetic.claims import MAX_NICU_DAYS
    from saz_geboortezorg.synthetic.params import load

    values = load().values
    per_day = values["tariffs"]["ZH_NEONATOLOGIE_PER_DAY"]
    tariff_sd = values["organisations"]["tariff_sd"]
    largest = MAX_NICU_DAYS * per_day * (1 + 10 * tariff_sd)
    low, high = schema.source("dbc_declaraties")["columns"]["tarief"]["range"]
    assert low == 0 and largest <= high
