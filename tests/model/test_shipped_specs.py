"""Shipped case-mix specs are package data; the repository's ``case_mix/`` is their copy.

Specs are found by name in the package (``importlib.resources``), never in the working
directory; a spec of one's own is given by its path (issue 16.3).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model.spec import load_spec, shipped_specs

ROOT = Path(__file__).resolve().parents[2]
READABLE = ROOT / "case_mix"
PACKAGED = ROOT / "saz_geboortezorg" / "model" / "case_mix"


def test_readable_copy_equals_the_shipped_specs_byte_for_byte():
    readable = {p.name: p.read_bytes() for p in READABLE.glob("*.yaml")}
    packaged = {p.name: p.read_bytes() for p in PACKAGED.glob("*.yaml")}
    assert len(readable) >= 13
    only_readable, only_packaged = set(readable) - set(packaged), set(packaged) - set(readable)
    assert not only_readable, (
        f"case_mix/ has {sorted(only_readable)} but the package does not: copy them to "
        "saz_geboortezorg/model/case_mix/ (the shipped specs)"
    )
    assert not only_packaged, (
        f"saz_geboortezorg/model/case_mix/ has {sorted(only_packaged)} but case_mix/ does not"
    )
    differ = sorted(n for n in readable if readable[n] != packaged[n])
    assert not differ, (
        f"case_mix/ and saz_geboortezorg/model/case_mix/ differ in {differ}: edit both "
        "(cp case_mix/*.yaml saz_geboortezorg/model/case_mix/)"
    )


def test_shipped_specs_are_the_package_files():
    assert shipped_specs() == sorted(p.stem for p in PACKAGED.glob("*.yaml"))


def test_a_case_mix_folder_in_the_working_directory_changes_nothing(tmp_path, monkeypatch):
    (tmp_path / "case_mix").mkdir()
    (tmp_path / "case_mix" / "caesarean.yaml").write_text(
        "name: caesarean\noutcome: epidural\ncovariates: {}\n"
    )
    (tmp_path / "case_mix" / "mine.yaml").write_text("name: mine\noutcome: cs\ncovariates: {}\n")
    monkeypatch.chdir(tmp_path)
    assert load_spec("caesarean").outcome == "cs"  # the shipped one
    assert len(load_spec("caesarean").covariates) == 8
    with pytest.raises(SpecError, match="given by its path"):
        load_spec("mine")  # a name never resolves to the working directory
    assert load_spec("case_mix/mine.yaml").name == "mine"  # a path does
    assert load_spec(Path("case_mix") / "caesarean.yaml").outcome == "epidural"


def test_a_bare_file_name_in_the_working_directory_is_not_a_spec_name(tmp_path, monkeypatch):
    (tmp_path / "pph").write_text("name: pph\noutcome: cs\ncovariates: {}\n")
    monkeypatch.chdir(tmp_path)
    assert load_spec("pph").outcome == "pph"  # the shipped spec, not the file 'pph'
    assert load_spec(Path("pph")).outcome == "cs"  # a Path is always a file


def test_a_missing_file_named_like_a_shipped_spec_points_at_the_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError, match="no such file.*'caesarean'"):
        load_spec("caesarean.yaml")


def test_an_unknown_name_lists_the_shipped_specs():
    with pytest.raises(SpecError) as err:
        load_spec("caesarian")
    assert "caesarean" in str(err.value) and "pph" in str(err.value)
