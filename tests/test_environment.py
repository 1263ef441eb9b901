"""environment.yml (for conda users) must stay in sync with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_python_matches_requires_python():
    requires = _pyproject()["project"]["requires-python"]
    minimum = re.match(r">=\s*(\d+\.\d+)", requires).group(1)
    deps = _environment()["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert pythons == [f"python={minimum}"], pythons


#: extras that live in an environment of their own: vantage6-algorithm-tools pins click,
#: python-dateutil and SQLAlchemy (pip then holds pandas at 3.0.x) and installs a top-level
#: ``tests`` package; ``make test-federated`` builds .venv-federated for it
OWN_ENVIRONMENT = {"federated"}


def test_environment_installs_the_package_with_every_extra():
    extras = set(_pyproject()["project"]["optional-dependencies"]) - OWN_ENVIRONMENT
    deps = _environment()["dependencies"]
    assert "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert len(pip_section) == 1, "install the package from pyproject, list nothing twice"
    match = re.fullmatch(r"-e \.\[([a-z,]+)\]", pip_section[0])
    assert match, pip_section[0]
    assert set(match.group(1).split(",")) == extras


def test_environment_lists_no_package_of_its_own():
    """Every dependency comes from pyproject.toml; conda only provides python and pip."""
    deps = _environment()["dependencies"]
    conda_names = {re.split(r"[=<>]", d)[0] for d in deps if isinstance(d, str)}
    assert conda_names == {"python", "pip"}


def test_runtime_dependencies_declared():
    names = {re.split(r"[<>=\[ ]", d)[0].lower() for d in _pyproject()["project"]["dependencies"]}
    for needed in [
        "pandas",
        "numpy",
        "scipy",
        "statsmodels",
        "altair",
        "ipywidgets",
        "pyyaml",
        "pyarrow",
    ]:
        assert needed in names
