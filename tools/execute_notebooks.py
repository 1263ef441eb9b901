"""Execute the notebooks in place so that their committed outputs are the reference
nbval compares against.

Usage::

    .venv/bin/python tools/execute_notebooks.py                    # every notebook
    .venv/bin/python tools/execute_notebooks.py notebooks/00_start_hier.ipynb

Cells whose first line is ``# NBVAL_IGNORE_OUTPUT`` (charts, widgets, progress) are
run but their outputs are not kept: they would differ on every run (random chart
ids) and nbval does not compare them. Every other output is kept, and must be the
same on every run (the notebooks are seeded). Progress bars are switched off
(``SAZ_GEBOORTEZORG_PROGRESS=0``, inherited by the kernel): a widget would be a volatile
output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
MARKERS = ("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP")


def execute(path: Path) -> None:
    os.environ["SAZ_GEBOORTEZORG_PROGRESS"] = "0"  # the kernel inherits it: no progress widgets
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if cell.source.lstrip().startswith(MARKERS):
            cell.outputs = []
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"executed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        execute(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
