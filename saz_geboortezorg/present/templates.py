"""The offline Voila template of the dashboard, shipped as package data.

Voila's default template links two Font Awesome stylesheets on a CDN, which hospital
networks often block (a hanging stylesheet link delays the whole page). The template
``saz-offline`` drops those links. It lives in the package
(``present/jupyter/voila/templates/saz-offline``) and is read with
:mod:`importlib.resources`, so an installed wheel has it too. Voila finds it when
:func:`jupyter_path` is on ``JUPYTER_PATH``::

    JUPYTER_PATH=$(python -c "from saz_geboortezorg.present.templates import jupyter_path; print(jupyter_path())") \\
        voila notebooks/dashboard.ipynb --template=saz-offline --strip_sources=True

Examples
--------
>>> sorted(p.name for p in voila_template_dir().iterdir())
['conf.json', 'index.html.j2']
>>> voila_template_dir().relative_to(jupyter_path()).as_posix()
'voila/templates/saz-offline'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from saz_geboortezorg.errors import SazError

__all__ = ["TEMPLATE", "jupyter_path", "voila_template_dir"]

#: The template's name (``voila --template=saz-offline``).
TEMPLATE = "saz-offline"


def jupyter_path() -> Path:
    """The folder to put on ``JUPYTER_PATH`` for Voila to find :data:`TEMPLATE`.

    Raises
    ------
    SazError
        The package is installed in a form without real folders (a zip file), which a
        ``JUPYTER_PATH`` cannot point into.
    """
    folder = resources.files(__package__).joinpath("jupyter")
    if not isinstance(folder, Path) or not folder.is_dir():
        raise SazError(
            f"the Voila template is not in a folder on disk ({folder}); install the "
            "package unzipped (pip install) to serve the dashboard"
        )
    return folder


def voila_template_dir() -> Path:
    """The folder of the ``saz-offline`` Voila template (``conf.json``, ``index.html.j2``)."""
    return jupyter_path() / "voila" / "templates" / TEMPLATE
