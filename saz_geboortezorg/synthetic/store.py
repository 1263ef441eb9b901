"""Where the default synthetic dataset lives: :func:`default_dataset`.

The default dataset (60,000 births, seed 2024, CSV) is generated on first use and
reused afterwards. Folder, in order of preference:

1. the environment variable ``SAZ_DATA_DIR``;
2. ``<repo>/synthetic_data`` when the package runs from a repository checkout (a
   ``pyproject.toml`` next to the package) and that folder is writable;
3. the user cache, ``~/.cache/saz_geboortezorg/synthetic_data`` (or
   ``$XDG_CACHE_HOME/saz_geboortezorg/synthetic_data``).

A folder counts as complete when it has the four extracts and a ``truth.json``
with the default size and seed and the current parameters (a changed
``parameters.yaml`` regenerates the data). Generation writes into a temporary
folder beside the target and moves the files in, ``truth.json`` last, so a process
never sees a half-written dataset.

Examples
--------
>>> default_folder().name                                    # doctest: +SKIP
'synthetic_data'
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from saz_geboortezorg.errors import SazError
from saz_geboortezorg.synthetic.params import fingerprint

__all__ = ["default_dataset", "default_folder", "is_complete", "DEFAULT_BIRTHS", "DEFAULT_SEED"]

#: Size and seed of the default dataset (:func:`default_dataset`).
DEFAULT_BIRTHS = 60_000
DEFAULT_SEED = 2024

_FILES = ("organisaties", "perined_lvr1", "perined_lvr2", "dbc_declaraties")


def _writable(folder: Path) -> bool:
    probe = folder if folder.exists() else folder.parent
    return probe.exists() and os.access(probe, os.W_OK)


def default_folder() -> Path:
    """The folder of the default dataset (see the module docstring for the order)."""
    env = os.environ.get("SAZ_DATA_DIR")
    if env:
        return Path(env).expanduser()
    package = Path(__file__).resolve().parents[1]
    repo = package.parent
    if (repo / "pyproject.toml").exists() and _writable(repo / "synthetic_data"):
        return repo / "synthetic_data"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "saz_geboortezorg" / "synthetic_data"


def is_complete(folder: Path, births: int, seed: int) -> bool:
    """True when ``folder`` holds the four extracts and the truth of this size and seed.

    Examples
    --------
    >>> import tempfile
    >>> is_complete(Path(tempfile.mkdtemp()), 60_000, 2024)
    False
    """
    truth = folder / "truth.json"
    if not truth.exists():
        return False
    if not all(
        any((folder / f"{f}{ext}").exists() for ext in (".csv", ".parquet")) for f in _FILES
    ):
        return False
    try:
        t = json.loads(truth.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        t.get("births") == births
        and t.get("seed") == seed
        and t.get("parameters_sha256") == fingerprint()
    )


def default_dataset(path: str | Path | None = None, progress: bool | None = None) -> Path:
    """The folder of the default synthetic dataset, generating it on first use.

    Parameters
    ----------
    path : str or Path, optional
        Folder to use instead of the default (see :func:`default_folder`).
    progress : bool or None
        Show the progress of the generation (only when it has to be generated); None
        (default): in a terminal or notebook only (:mod:`saz_geboortezorg.progress`).

    Returns
    -------
    Path
        A folder with ``organisaties.csv``, ``perined_lvr1.csv``, ``perined_lvr2.csv``,
        ``dbc_declaraties.csv`` and ``truth.json`` (60,000 births, seed 2024).

    Examples
    --------
    >>> import saz_geboortezorg as sg
    >>> folder = sg.synthetic.default_dataset()              # doctest: +SKIP
    >>> data = sg.load(folder)                              # doctest: +SKIP
    """
    from saz_geboortezorg.synthetic.generator import generate

    folder = Path(path).expanduser() if path is not None else default_folder()
    if is_complete(folder, DEFAULT_BIRTHS, DEFAULT_SEED):
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SazError(
            f"cannot create {folder} for the synthetic dataset ({exc}); set SAZ_DATA_DIR to a writable folder"
        ) from None
    data = generate(births=DEFAULT_BIRTHS, seed=DEFAULT_SEED, progress=progress)
    with tempfile.TemporaryDirectory(prefix=".synth-", dir=folder) as tmp:
        written = data.write(tmp, format="csv")
        for old in folder.glob("*.parquet"):  # stale files of another format
            if old.stem in _FILES:
                old.unlink()
        (folder / "truth.json").unlink(missing_ok=True)
        for source, file in written.items():
            if source != "truth":
                os.replace(file, folder / file.name)
        os.replace(written["truth"], folder / "truth.json")
    return folder
