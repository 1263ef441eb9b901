"""The committed notebooks hold only reproducible outputs.

nbval compares the outputs stored in each notebook with a fresh run, so the
committed outputs must come from a full top-to-bottom run
(tools/execute_notebooks.py) and must not contain anything that differs per run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_run_top_to_bottom(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts and all(isinstance(c, int) for c in counts), "run tools/execute_notebooks.py"
    assert counts == list(range(1, len(counts) + 1)), counts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_volatile_outputs_committed(path):
    text = path.read_text(encoding="utf-8")
    for volatile in ("altair-viz-", "application/vnd.jupyter.widget-view+json", "/tmp/"):
        assert volatile not in text, f"{path.name} holds volatile output {volatile!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_defines_no_functions(path):
    """Notebooks stay thin: logic lives in the library."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert "def " not in "".join(cell["source"]), "move functions into the library"
