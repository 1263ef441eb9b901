"""The package works when installed from its wheel, away from the repository (issue 16.3).

The wheel is built from this checkout, installed (not editable) into a fresh virtual
environment, and used from a temporary folder: ``sg.benchmark`` on a small synthetic
dataset and ``saz-geboortezorg report``. The new environment has no pip and no packages
of its own; one ``.pth`` line lets it see the running interpreter's site-packages for the
dependencies only (so the test needs no network for them and stays fast). The package
itself must come from the installed wheel, which the test asserts: the running
environment's editable install is a ``.pth`` hook that a path added this way does not run.

A folder ``case_mix/`` with a broken ``caesarean.yaml`` sits in the working directory
during the run: shipped specs are found by name in the package, never in the working
directory, so it must change nothing.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Run inside the fresh environment, from the temporary folder.
SCRIPT = r"""
import json, sys
from pathlib import Path
import saz_geboortezorg as sg
from saz_geboortezorg.model.spec import load_spec, shipped_specs
from saz_geboortezorg.present.templates import voila_template_dir
from saz_geboortezorg.indicators import catalogue

data = sg.load("data")
result = sg.benchmark(data)
print(json.dumps({
    "file": sg.__file__,
    "indicators": sorted(set(result.table["indicator"])),
    "rows": int(len(result.table)),
    "caesarean_outcome": load_spec("caesarean").outcome,
    "shipped": shipped_specs(),
    "catalogue": len(catalogue()),
    "template": sorted(p.name for p in voila_template_dir().iterdir()),
}))
"""


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 300):
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}"
    )
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, scripts dir, site-packages) of a fresh venv with the wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    _run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp)],
        tmp,
        env,
    )
    wheels = list(tmp.glob("saz_geboortezorg-*.whl"))
    assert len(wheels) == 1, wheels
    target = tmp / "venv"
    venv.EnvBuilder(with_pip=False, clear=True).create(target)
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = target / bindir / ("python.exe" if os.name == "nt" else "python")
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.strip()
    )
    # The dependencies: the running interpreter's site-packages, appended after the
    # venv's own (so the installed wheel is found first).
    deps = {*site.getsitepackages(), sysconfig.get_paths()["purelib"]}
    (purelib / "zz_saz_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheels[0]),
        ],
        tmp,
        env,
    )
    return python, target / bindir, purelib, env


@pytest.fixture(scope="module")
def workdir(installed, tmp_path_factory):
    """A temporary folder with a small synthetic dataset and a decoy ``case_mix/``."""
    python, bindir, _, env = installed
    work = tmp_path_factory.mktemp("elsewhere")
    _run(
        [str(bindir / "saz-geboortezorg"), "synth", "--births", "6000", "--hospitals", "4"]
        + ["--practices", "8", "--seed", "5", "--out", "data", "--quiet"],
        work,
        env,
    )
    (work / "case_mix").mkdir()
    (work / "case_mix" / "caesarean.yaml").write_text("name: [broken\n")
    return work


def test_benchmark_runs_from_the_installed_wheel(installed, workdir):
    python, _, purelib, env = installed
    out = _run([str(python), "-c", SCRIPT], workdir, env)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # imported from the wheel in the fresh environment, not from the repository
    assert Path(got["file"]).resolve().is_relative_to(purelib.resolve()), got["file"]
    assert not Path(got["file"]).resolve().is_relative_to(ROOT)
    # the shipped spec, not the decoy in the working directory
    assert got["caesarean_outcome"] == "cs"
    assert set(got["shipped"]) == {p.stem for p in (ROOT / "case_mix").glob("*.yaml")}
    assert got["catalogue"] > 20
    assert got["template"] == ["conf.json", "index.html.j2"]
    assert "cs" in got["indicators"] and got["rows"] > 0


def test_report_runs_from_the_installed_wheel(installed, workdir):
    _, bindir, _, env = installed
    out = _run(
        [str(bindir / "saz-geboortezorg"), "report", "data", "--region", "R01"]
        + ["--out", "reports", "--json"],
        workdir,
        env,
    )
    pages = sorted((workdir / "reports").rglob("*.html"))
    assert pages, out.stdout[-2000:]
    text = pages[0].read_text(encoding="utf-8")
    assert "R01" in text and "data-vega-lite" in text
