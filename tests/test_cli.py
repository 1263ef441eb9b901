"""The command line: help, version, python -m, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from saz_geboortezorg import __version__
from saz_geboortezorg.cli import COMMANDS, main


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


@pytest.mark.parametrize("name", COMMANDS)
def test_each_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert "usage: saz-geboortezorg " + name in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "COMMAND" in capsys.readouterr().out


def test_python_dash_m_runs_the_same_cli():
    result = subprocess.run(
        [sys.executable, "-m", "saz_geboortezorg", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert __version__ in result.stdout


def test_import_is_light():
    """Importing the package (and building the CLI parser) must not load heavy libraries."""
    code = (
        "import sys, saz_geboortezorg, saz_geboortezorg.cli as c; c.build_parser();"
        "heavy = [m for m in ('pandas', 'altair', 'statsmodels', 'ipywidgets', 'scipy')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_unknown_attribute_is_an_attribute_error():
    import saz_geboortezorg

    with pytest.raises(AttributeError):
        saz_geboortezorg.does_not_exist  # noqa: B018
