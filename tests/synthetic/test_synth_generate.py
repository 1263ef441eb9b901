"""The generator: determinism, arguments, sizes, writing, default dataset."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import SazError
from saz_geboortezorg.synthetic import SyntheticData, generate


def _births(data: SyntheticData) -> int:
    return data.perined_lvr2["zwangerschap_id"].nunique() + int(
        (data.perined_lvr1["eindverantwoordelijke_baring"] == 1).sum()
    )


def test_same_seed_gives_identical_data(small):
    again = generate(births=4_000, seed=5)
    for name, frame in small.frames().items():
        pd.testing.assert_frame_equal(frame, again.frames()[name], obj=name)
    assert json.dumps(small.truth, sort_keys=True) == json.dumps(again.truth, sort_keys=True)


def test_different_seeds_differ(small):
    other = generate(births=4_000, seed=6)
    assert not small.perined_lvr2["zwangerschap_id"].equals(other.perined_lvr2["zwangerschap_id"])
    a = small.truth["hospital_effects"]["intrapartum_cs"]
    b = other.truth["hospital_effects"]["intrapartum_cs"]
    assert a != b


@pytest.mark.parametrize(
    ("births", "years", "hospitals", "practices"),
    [(3_000, (2021, 2023), 17, 72), (2_500, (2019, 2019), 5, 11), (1_000, (2020, 2021), 1, 1)],
)
def test_sizes_and_years_are_respected(births, years, hospitals, practices):
    data = generate(births=births, seed=3, years=years, hospitals=hospitals, practices=practices)
    assert _births(data) == births
    org = data.organisaties
    assert (org["organisatie_type"] == "ZH").sum() == hospitals
    assert (org["organisatie_type"] == "VP").sum() == practices
    assert org["regio_id"].nunique() == hospitals
    dates = pd.concat(
        [data.perined_lvr2["datum_baring"], data.perined_lvr1["datum_baring"].dropna()]
    )
    assert dates.min() >= pd.Timestamp(f"{years[0]}-01-01")
    assert dates.max() <= pd.Timestamp(f"{years[1]}-12-31")
    assert data.truth["births"] == births and data.truth["years"] == list(years)
    # twins: babies outnumber births, by about the multiple-pregnancy rate
    assert births <= data.truth["babies"] <= births * 1.05


def test_default_dataset_size_is_at_least_60000():
    from saz_geboortezorg.synthetic import DEFAULT_BIRTHS, DEFAULT_SEED

    assert DEFAULT_BIRTHS >= 60_000 and DEFAULT_SEED == 2024


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"births": 0}, "births must be a positive"),
        ({"births": -5}, "births must be a positive"),
        ({"births": 2.5}, "births must be a positive"),
        ({"years": (2023, 2021)}, "reversed"),
        ({"practices": 10, "hospitals": 17}, "at least the number of hospitals"),
        ({"hospitals": 0}, "hospitals must be at least 1"),
    ],
)
def test_invalid_arguments_raise_saz_error(kwargs, message):
    with pytest.raises(SazError, match=message):
        generate(**{"births": 100, **kwargs})


def test_seasonality_and_spread_over_years(large):
    d = pd.to_datetime(large.perined_lvr2["datum_baring"])
    per_year = d.dt.year.value_counts(normalize=True)
    assert set(per_year.index) == {2021, 2022, 2023}
    assert per_year.between(0.30, 0.37).all()
    summer = d.dt.month.isin([7, 8, 9]).mean()
    winter = d.dt.month.isin([1, 2, 12]).mean()
    assert summer > winter  # mild summer peak


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_round_trip(small, tmp_path, fmt):
    paths = small.write(tmp_path, format=fmt)
    names = sorted(p.name for p in paths.values())
    assert names == sorted(
        [f"{n}.{fmt}" for n in ("organisaties", "perined_lvr1", "perined_lvr2", "dbc_declaraties")]
        + ["truth.json"]
    )
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 5
    if fmt == "csv":
        back = pd.read_csv(tmp_path / "perined_lvr2.csv", dtype=str)
        assert back["datum_baring"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    else:
        back = pd.read_parquet(tmp_path / "perined_lvr2.parquet")
        assert pd.api.types.is_datetime64_any_dtype(back["datum_baring"])
        assert pd.api.types.is_integer_dtype(back["kind_rangnummer"])
    assert len(back) == len(small.perined_lvr2)


def test_write_rejects_unknown_format(small, tmp_path):
    with pytest.raises(SazError, match="unknown format"):
        small.write(tmp_path, format="xlsx")


def test_truth_is_json_and_never_in_the_extracts(small):
    json.dumps(small.truth)
    t = small.truth
    assert {
        "models",
        "hospital_effects",
        "outliers",
        "initiatives",
        "linkage",
        "parameters",
    } <= set(t)
    hospitals = set(
        small.organisaties.loc[small.organisaties["organisatie_type"] == "ZH", "organisatie_id"]
    )
    assert set(t["hospital_effects"]["intrapartum_cs"]) == hospitals
    for frame in small.frames().values():
        lowered = {c.lower() for c in frame.columns}
        assert not lowered & {"truth", "effect", "hospital_effect", "initiative", "true_bmi"}


def test_linkage_imperfections_are_counted(large):
    t = large.truth["linkage"]
    l1, l2, dbc = large.perined_lvr1, large.perined_lvr2, large.dbc_declaraties
    no_birth = l1["eindverantwoordelijke_baring"].isna()
    assert no_birth.sum() == t["lvr1_no_birth_moved_away"]
    assert 0.007 < no_birth.mean() < 0.013  # ~1% of LVR-1 pregnancies
    assert not l1.loc[no_birth, "zwangerschap_id"].isin(l2["zwangerschap_id"]).any()
    known = set(l1["zwangerschap_id"]) | set(l2["zwangerschap_id"])
    unknown = ~dbc["zwangerschap_id"].isin(known)
    assert unknown.sum() == t["claims_unknown_pregnancy"]
    assert 0.003 < unknown.mean() < 0.007  # ~0.5% of claims
    # births without any claim (their cost is unknown): counted in the truth
    births = set(l2["zwangerschap_id"]) | set(l1.loc[~no_birth, "zwangerschap_id"])
    unclaimed = births - set(dbc["zwangerschap_id"])
    assert len(unclaimed) == t["pregnancies_without_claims"] > 0
    assert 0.001 < len(unclaimed) / len(births) < 0.006  # ~0.3% of births


def test_care_start_and_line_consistency(large):
    l1, l2 = large.perined_lvr1, large.perined_lvr2
    eind = l1["eindverantwoordelijke_baring"]
    referred = (l1["verwijzing_zwangerschap"] == 1) | (l1["verwijzing_durante_partu"] == 1)
    # referred in pregnancy or labour: LVR-1 record without birth items, birth in LVR-2
    assert (eind[referred] == 2).fillna(False).all()
    assert l1.loc[referred, "datum_baring"].isna().all()
    assert l1.loc[referred, "zwangerschap_id"].isin(l2["zwangerschap_id"]).all()
    # first-line births: singletons, not in LVR-2, no epidural or caesarean
    b1 = l1[eind == 1]
    assert not b1["zwangerschap_id"].isin(l2["zwangerschap_id"]).any()
    assert (b1["aantal_foetussen"] == 1).all()
    assert (b1["type_partus"] == "177184002").all()
    assert not (b1["pijnbestrijding_methode"] == 1).any()
    # multiples are born in the second line
    assert (l1.loc[l1["aantal_foetussen"] > 1, "eindverantwoordelijke_baring"].dropna() == 2).all()
    # women who started in the second line have only LVR-2 rows (~12%)
    only2 = ~l2["zwangerschap_id"].isin(l1["zwangerschap_id"])
    share = l2.loc[only2, "zwangerschap_id"].nunique() / large.truth["births"]
    assert 0.09 < share < 0.15


def test_maternal_items_are_consistent_between_sources(large):
    l1, l2 = large.perined_lvr1, large.perined_lvr2
    cols = [
        "leeftijd_moeder",
        "pariteit",
        "eerdere_sectio",
        "bmi",
        "roken",
        "ses_kwintiel",
        "migratieachtergrond",
    ]
    both = l2[l2["kind_rangnummer"] == 1].merge(l1, on="zwangerschap_id", suffixes=("_2", "_1"))
    assert len(both) > 1000
    for c in cols:
        a, b = both[f"{c}_2"], both[f"{c}_1"]
        same = (a == b).fillna(False) | (a.isna() & b.isna())
        assert same.all(), c
    # twins share the mother's items within LVR-2
    twins = l2[l2["aantal_geboren_kinderen"] > 1]
    assert (twins.groupby("zwangerschap_id")[cols[:3]].nunique() == 1).all().all()


def test_dates_in_order(large):
    l1 = large.perined_lvr1
    ref = l1["datum_verwijzing_zwangerschap"]
    book = l1["datum_eerste_consult"]
    assert (book[ref.notna()] <= ref[ref.notna()]).all()
    l2 = large.perined_lvr2.drop_duplicates("zwangerschap_id")
    merged = l1.merge(
        l2[["zwangerschap_id", "datum_baring"]], on="zwangerschap_id", suffixes=("", "_2")
    )
    has = merged["datum_verwijzing_zwangerschap"].notna()
    assert (
        merged.loc[has, "datum_verwijzing_zwangerschap"] <= merged.loc[has, "datum_baring_2"]
    ).all()
    assert (merged["datum_eerste_consult"] < merged["datum_baring_2"]).all()


def test_poorly_registering_hospitals_stand_out(large):
    feats = large.truth["hospital_features"]
    poor = {h for h, f in feats.items() if f["poor_registration"]}
    assert 1 <= len(poor) <= 2
    l2 = large.perined_lvr2
    miss = l2["bmi"].isna().groupby(l2["ziekenhuis_id"]).mean()
    assert miss[list(poor)].min() > 0.2
    assert miss.drop(list(poor)).max() < 0.12
    want = l2["ruggenprik_gewenst_niet_gekregen"].isna().groupby(l2["ziekenhuis_id"]).mean()
    assert want[list(poor)].min() > 0.3 > want.drop(list(poor)).max()


def test_default_dataset_generates_once_and_is_reused(tmp_path, monkeypatch):
    import saz_geboortezorg.synthetic as synth
    from saz_geboortezorg.synthetic import store

    monkeypatch.setattr(store, "DEFAULT_BIRTHS", 800)
    monkeypatch.setenv("SAZ_DATA_DIR", str(tmp_path / "data"))
    assert store.default_folder() == tmp_path / "data"
    folder = synth.default_dataset()
    assert folder == tmp_path / "data"
    assert store.is_complete(folder, 800, 2024)
    stamp = (folder / "perined_lvr2.csv").stat().st_mtime_ns
    assert synth.default_dataset() == folder
    assert (folder / "perined_lvr2.csv").stat().st_mtime_ns == stamp  # not regenerated
    other = synth.default_dataset(tmp_path / "explicit")
    assert (other / "truth.json").exists()


def test_default_folder_without_env_is_repo_or_cache(monkeypatch):
    from saz_geboortezorg.synthetic import store

    monkeypatch.delenv("SAZ_DATA_DIR", raising=False)
    folder = store.default_folder()
    assert folder.name == "synthetic_data"


def test_importing_the_package_stays_light():
    import subprocess
    import sys

    code = "import sys, saz_geboortezorg; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_birthweight_reference_is_shipped_and_matches_generator():
    from importlib import resources

    from saz_geboortezorg.synthetic.reference import reference_table

    path = resources.files("saz_geboortezorg").joinpath("synthetic/birthweight_reference.csv")
    shipped = pd.read_csv(path, dtype={"parity_group": str})
    assert list(shipped.columns) == ["sex", "parity_group", "ga_weeks", "p10", "p50", "p90"]
    pd.testing.assert_frame_equal(shipped, reference_table(), check_dtype=False)
    assert (
        np.diff(shipped.loc[(shipped.sex == "male") & (shipped.parity_group == "0"), "p50"]) >= 0
    ).all()


def test_default_dataset_regenerates_when_parameters_change(tmp_path, monkeypatch):
    import json as _json

    import saz_geboortezorg.synthetic as synth
    from saz_geboortezorg.synthetic import store

    monkeypatch.setattr(store, "DEFAULT_BIRTHS", 500)
    folder = synth.default_dataset(tmp_path)
    truth = _json.loads((folder / "truth.json").read_text())
    truth["parameters_sha256"] = "outdated"
    (folder / "truth.json").write_text(_json.dumps(truth))
    assert not store.is_complete(folder, 500, 2024)
    synth.default_dataset(tmp_path)
    assert store.is_complete(folder, 500, 2024)
    assert not [p for p in folder.iterdir() if p.name.startswith(".synth-")]  # temp folder removed


def test_some_twins_have_discordant_modes_of_birth(large):
    """A later twin may be born by caesarean after a vaginal first twin (combined birth):
    per baby in LVR-2, and only in that direction."""
    l2 = large.perined_lvr2
    cs = l2["type_partus"].isin({"177141003", "274130007"})
    per = pd.DataFrame({"id": l2["zwangerschap_id"], "order": l2["kind_rangnummer"], "cs": cs})
    multiple = per[per["id"].duplicated(keep=False)]
    first = multiple[multiple["order"] == 1].set_index("id")["cs"]
    any_cs = multiple.groupby("id")["cs"].any()
    discordant = any_cs & ~first.reindex(any_cs.index)
    assert 5 <= discordant.sum() <= 0.15 * len(any_cs)
    later = multiple[multiple["order"] > 1].set_index("id")
    assert (later.loc[discordant[discordant].index, "cs"].groupby(level=0).any()).all()
    # a caesarean first twin is never followed by a vaginal one
    assert not (first & ~multiple.groupby("id")["cs"].all().reindex(first.index)).any()
    # prelabour caesareans concern every baby
    prelabour = l2["type_partus"].eq("177141003").groupby(l2["zwangerschap_id"])
    assert (prelabour.any() == prelabour.all()).all()


def test_number_of_previous_caesareans_agrees_with_the_flag(large):
    for frame in (large.perined_lvr1, large.perined_lvr2):
        n = frame["aantal_eerdere_sectio"]
        known = n.notna()
        assert 0.005 < (~known).mean() < 0.04  # optional item, sometimes left empty
        flag = frame["eerdere_sectio"]
        assert ((n[known] >= 1) == (flag[known] == 1)).all()
        assert (n[known] <= frame.loc[known, "pariteit"]).all()
        assert (n[known] >= 2).sum() > 0  # Robson 5.2 occurs
