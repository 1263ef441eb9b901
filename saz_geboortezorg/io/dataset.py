"""Load a folder of extracts: read, validate, hash identifiers, link.

Examples
--------
>>> import tempfile
>>> import saz_geboortezorg as sg
>>> tmp = tempfile.TemporaryDirectory()
>>> folder = tmp.name
>>> _ = sg.synthetic.generate(births=200, seed=2, progress=False).write(folder)
>>> data = sg.load(folder, salt="example")
>>> sorted(data.sources)
['dbc_declaraties', 'organisaties', 'perined_lvr1', 'perined_lvr2']
>>> list(data.linkage_summary().columns)
['source', 'records_in', 'linked', 'excluded', 'reconciles']
>>> tmp.cleanup()
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from saz_geboortezorg import schema
from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import ExtractError, MappingError, SazError
from saz_geboortezorg.io.completeness import completeness as _completeness
from saz_geboortezorg.io.fast import bulk_memory_pool, main_arena_thread
from saz_geboortezorg.io.identifiers import hash_identifiers
from saz_geboortezorg.io.link import link, linkage_summary
from saz_geboortezorg.io.mapping import SourceMapping, apply_mapping, read_mappings
from saz_geboortezorg.io.packed import PackedFrame, Sources, pack
from saz_geboortezorg.io.read import SUFFIXES, RawExtract, clean_text, read_raw
from saz_geboortezorg.io.validate import Extract, check_extract, check_references, raise_problems
from saz_geboortezorg.progress import step as progress_step

__all__ = ["Dataset", "load", "load_frames", "read_extract", "REQUIRED_SOURCES", "find_files"]

#: Sources a folder must contain; the others (claims) are optional.
REQUIRED_SOURCES = ("organisaties", "perined_lvr1", "perined_lvr2")


@dataclass
class Dataset:
    """Validated extracts and the linked analysis tables.

    Attributes
    ----------
    sources : mapping of DataFrame
        Typed extracts by source name; each index holds the row numbers of its file.
        :func:`load` gives a :class:`~saz_geboortezorg.io.packed.Sources`: a dict-like
        mapping that holds the frames packed (small) and rebuilds each on first read.
    births : DataFrame
        One row per baby (``schema/analysis.yaml``: births).
    women : DataFrame
        One row per pregnancy with a birth, with costs (analysis.yaml: women).
    linkage : DataFrame
        Linkage report: ``source, outcome, detail, records``; for each source the
        records in (outcome ``in``), then ``linked`` (used in births/women) and
        ``excluded`` per detail, so that in = linked + excluded. LVR-2 births without
        an LVR-1 record are used (linked) but unlinked to LVR-1; the detail says so.
        Two ``out`` rows give the sizes of births and women. See :meth:`linkage_summary`.
    excluded : DataFrame
        Every record not used in births/women: ``source, row_in_file, pregnancy_id,
        record_id, reason``.
    notes : list of str
        Remarks that are not errors (extra columns, encodings, hashing, ...).
    files : dict of str
        File name per source.
    """

    sources: Mapping[str, pd.DataFrame]
    births: pd.DataFrame
    women: pd.DataFrame
    linkage: pd.DataFrame
    excluded: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def linkage_summary(self) -> pd.DataFrame:
        """Per source: records in, linked, excluded, and whether in = linked + excluded."""
        return linkage_summary(self.linkage)

    def excluded_records(self, source: str) -> pd.DataFrame:
        """The full records of ``source`` that were excluded, with their reason.

        The index holds the row numbers of the file, as in ``sources``.

        Examples
        --------
        >>> import tempfile
        >>> from saz_geboortezorg.synthetic import generate
        >>> tmp = tempfile.TemporaryDirectory()
        >>> _ = generate(births=300, seed=1, progress=False).write(tmp.name)
        >>> data = load(tmp.name, salt="example")
        >>> claims = data.excluded_records("dbc_declaraties")
        >>> bool(len(claims) == (data.excluded["source"] == "dbc_declaraties").sum())
        True
        >>> "reason" in claims.columns
        True
        >>> tmp.cleanup()
        """
        if source not in self.sources:
            raise SazError(
                f"no source {source!r} in this dataset; sources: {', '.join(self.sources)}"
            )
        ex = self.excluded[self.excluded["source"] == source]
        frame = self.sources[source]
        out = frame.loc[ex["row_in_file"].to_numpy()].copy()
        out["reason"] = ex["reason"].to_numpy()
        return out

    @renamed_arguments(by="unit")
    def completeness(self, unit: str = "hospital", threshold: float = 0.05) -> pd.DataFrame:
        """Share missing or unknown per source, unit and variable (tidy).

        See :func:`saz_geboortezorg.io.completeness.completeness`.
        """
        return _completeness(self.sources, unit=unit, threshold=threshold)

    def __repr__(self) -> str:
        rows = getattr(self.sources, "rows", lambda s: len(self.sources[s]))
        parts = ", ".join(f"{k}={rows(k)}" for k in self.sources)
        return f"Dataset(sources: {parts}; births={len(self.births)}, women={len(self.women)}, excluded={len(self.excluded)})"


def find_files(
    folder: Path, file_names: dict[str, str] | None = None
) -> tuple[dict[str, Path], list[str]]:
    """Match the files in ``folder`` to sources: ``({source: path}, problems)``.

    ``file_names`` gives another file name (with or without suffix) for some sources, as a
    mapping's ``file:`` does.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "Organisaties.CSV").write_text("x")
    >>> find_files(d)[0]["organisaties"].name
    'Organisaties.CSV'
    """
    found: dict[str, Path] = {}
    problems: list[str] = []
    by_name: dict[str, list[Path]] = {}
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix.lower() in SUFFIXES:
            by_name.setdefault(p.stem.lower(), []).append(p)
    for source, spec in schema.sources().items():
        name = (file_names or {}).get(source) or spec["file"]
        if (folder / name).is_file():
            found[source] = folder / name
            continue
        candidates = by_name.get(name.lower(), [])
        if len(candidates) > 1:
            names = " and ".join(c.name for c in candidates)
            problems.append(f"{names}: two files for source {source}; keep one")
        elif candidates:
            found[source] = candidates[0]
    return found, problems


def _load_extract(
    path: Path, source: str, salt: str | None, mapping: SourceMapping | None = None
) -> Extract:
    raw = read_raw(path)
    if mapping is not None:
        raw, _ = apply_mapping(raw, mapping)
    ext = check_extract(raw, source)
    ext.frame, notes = hash_identifiers(ext.frame, schema.source(source)["columns"], ext.file, salt)
    ext.notes += notes
    return ext


#: Threads that read, check and pack the files of a folder side by side (Parquet
#: decoding, Arrow compute and most NumPy kernels release the GIL): 2, the calling
#: thread reads the biggest file while a second one reads the others; 1, one file after
#: the other in the calling thread. The second thread is used only where glibc malloc
#: lets it share the first thread's memory (:func:`~saz_geboortezorg.io.fast.main_arena_thread`;
#: otherwise the linkage cannot reuse what it freed, and the peak rose from 2.6 to
#: 3.2 GB at 2,000,000 pregnancies), and only for folders of at least
#: :data:`THREADED_BYTES` in Parquet (:data:`THREADED_SUFFIXES`). Results never
#: depend on it. On glibc this caps malloc at one arena for the rest of the process
#: (see ``main_arena_thread``); ``READERS = 1`` or ``MALLOC_ARENA_MAX`` in the
#: environment leave glibc's arenas alone.
READERS = 2

#: Folders with fewer bytes of files are read in the calling thread alone: starting a
#: thread, and the arena check, cost more than they save at 60,000 births.
THREADED_BYTES = 32 * 1024 * 1024

#: Only folders whose files all have these suffixes are read on two threads. Arrow's
#: CSV reader parses one file on both cores already: two CSV files at once raised the
#: 2,000,000 load from 24.7 to 29.0 s and its peak from 3.0 to 3.7 GB.
THREADED_SUFFIXES = frozenset({".parquet"})


def _read_source(
    path: Path, source: str, salt: str | None, mapping: SourceMapping | None, validate: bool
) -> tuple[Extract, pd.DataFrame | PackedFrame | None]:
    """One file read, checked and (when it will be linked) packed: ``(extract, packed)``.

    The packed frame is what :class:`Sources` would make of ``extract.frame`` (None when
    the file has problems and the load will stop on them). When the frame is packed,
    the extract keeps only the columns the cross-file checks read (the others are freed
    now rather than after the last file: at 2,000,000 pregnancies the packed and the
    unpacked LVR frames together would raise the peak while the claims are read).
    """
    ext = _load_extract(path, source, salt, mapping)
    if ext.problems and validate:
        return ext, None
    encoded = {c: e for c in ext.encoded if (e := ext.encoding(c)) is not None}
    packed = pack(ext.frame, encoded=encoded)
    if packed is not ext.frame:  # the rest of the frame is held packed from here on
        keep = _cross_file_columns(source)
        ext.frame = ext.frame[[c for c in ext.frame.columns if c in keep]]
        ext.encoded = {c: v for c, v in ext.encoded.items() if c in keep}
    return ext, packed


def _cross_file_columns(source: str) -> set[str]:
    """The columns of ``source`` that the checks across files read (its references and
    the columns other sources refer to)."""
    keep = set(schema.source(source).get("references", {}))
    for spec in schema.sources().values():
        keep |= {col for target, col in spec.get("references", {}).values() if target == source}
    return keep


class _Failed(NamedTuple):
    """A file's problem, as :func:`_read_sources` reports it."""

    mapping: bool  # a MappingError (else an ExtractError)
    text: str


def _size(file: Path) -> int:
    """The file's size in bytes (0 if it cannot be read: its reading will say why)."""
    try:
        return file.stat().st_size
    except OSError:
        return 0


def _helper_thread(files: dict[str, Path]) -> contextlib.AbstractContextManager:
    """:func:`~saz_geboortezorg.io.fast.main_arena_thread` when ``files`` are read on two
    threads (:data:`READERS`, :data:`THREADED_BYTES`, :data:`THREADED_SUFFIXES`), else
    a block that gives None."""
    if (
        READERS > 1
        and len(files) > 1
        and all(f.suffix.lower() in THREADED_SUFFIXES for f in files.values())
        and sum(_size(f) for f in files.values()) >= THREADED_BYTES
    ):
        return main_arena_thread()
    return contextlib.nullcontext()


def _read_sources(
    files: dict[str, Path], salt: str | None, validate: bool, mappings: dict[str, SourceMapping]
) -> tuple[dict[str, Extract], dict[str, pd.DataFrame | PackedFrame], list[str], list[str]]:
    """Read, check and pack every file: ``(extracts, packed, problems, mapping problems)``.

    With a second thread (:data:`READERS`), this thread reads the biggest file and the
    second one the others. The results are taken in the order of ``files``, so the
    files' problems (:class:`ExtractError`, :class:`MappingError`) and notes come in the
    same order whichever thread finishes first. Two differences remain: the progress
    bar names the biggest file first, and if two files fail with an unexpected error
    (a bug, not a problem of the file) the biggest file's error may be the one raised.
    """
    extracts: dict[str, Extract] = {}
    packed: dict[str, pd.DataFrame | PackedFrame] = {}
    problems: list[str] = []
    mapping_problems: list[str] = []

    def read(source: str) -> tuple[Extract, pd.DataFrame | PackedFrame | None] | _Failed:
        try:
            return _read_source(files[source], source, salt, mappings.get(source), validate)
        except (MappingError, ExtractError) as exc:  # reported in the order of the files
            # its text only: the exception's traceback would keep the file's frames alive
            return _Failed(isinstance(exc, MappingError), str(exc))

    with _helper_thread(files) as helper:
        done: dict[str, tuple[Extract, pd.DataFrame | PackedFrame | None] | _Failed] = {}
        futures = {}
        if helper is not None:
            first = max(files, key=lambda s: _size(files[s]))
            futures = {s: helper.submit(read, s) for s in files if s != first}
            progress_step("load", f"reading {files[first].name}")
            done[first] = read(first)
        for source, file in files.items():
            if source not in done:
                progress_step("load", f"reading {file.name}")
                done[source] = futures.pop(source).result() if source in futures else read(source)
            outcome = done.pop(source)
            if isinstance(outcome, _Failed):
                (mapping_problems if outcome.mapping else problems).append(outcome.text)
            else:
                extracts[source], frame = outcome
                if frame is not None:
                    packed[source] = frame
            del outcome
    return extracts, packed, problems, mapping_problems


def load(
    path: str | Path,
    *,
    salt: str | None = None,
    validate: bool = True,
    mapping: str | Path | list | dict | None = None,
) -> Dataset:
    """Load, validate and link a folder of extracts.

    Parameters
    ----------
    path : str or Path
        Folder with one file per source, named per ``extracts.yaml`` (``file:``) plus
        ``.csv`` or ``.parquet``: ``organisaties``, ``perined_lvr1``, ``perined_lvr2``
        (required) and ``dbc_declaraties`` (optional; without it costs are empty).
    salt : str, optional
        Salt for hashing direct identifiers (default: environment ``SAZ_SALT``, else
        random per process).
    validate : bool
        If True (default) any problem raises one :class:`ExtractError` listing all
        problems of all files. If False, problems are kept as notes and bad values
        are treated as missing (use with care).
    mapping : str, Path or list, optional
        Mapping file(s) for extracts in another format (column names, codes, units,
        date formats): one YAML file per source, or one with a ``sources:`` block; see
        :mod:`saz_geboortezorg.io.mapping` and ``io/mapping_example.yaml``. A mapping's
        ``file:`` names that source's file in the folder.

    Returns
    -------
    Dataset

    Raises
    ------
    ExtractError
        Folder or file missing, unreadable, or not matching the schema.
    MappingError
        A mapping file is malformed or does not fit its extract (names the mapping line
        and the data rows); nothing is loaded.

    Notes
    -----
    A folder of Parquet files of 32 MB or more is read on two threads on Linux (glibc):
    this thread reads the biggest file, a second one the others. For that the load caps
    glibc malloc at one arena for the rest of the process, so the threads share freed
    memory (:func:`saz_geboortezorg.io.fast.main_arena_thread`); set
    ``saz_geboortezorg.io.dataset.READERS = 1``, or ``MALLOC_ARENA_MAX`` in the
    environment, to keep glibc's own arenas. Results never depend on it.

    Examples
    --------
    >>> import tempfile
    >>> from saz_geboortezorg.io import load
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = tmp.name
    >>> _ = generate(births=300, seed=1, progress=False).write(folder, format="csv")
    >>> data = load(folder, salt="example")
    >>> len(data.women), bool(data.linkage_summary()["reconciles"].all())
    (300, True)
    >>> sorted(data.births["line_at_birth"].unique().tolist())
    [1, 2]
    >>> tmp.cleanup()

    A folder that is not there:

    >>> load("/no/such/folder")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.ExtractError: /no/such/folder: folder not found; expected a folder with one file per source (organisaties, perined_lvr1, perined_lvr2, dbc_declaraties as .csv or .parquet)
    """
    with bulk_memory_pool():  # speed only (see bulk_memory_pool)
        return _load_folder(Path(path), salt, validate, mapping)


def _load_folder(
    folder: Path, salt: str | None, validate: bool, mapping: str | Path | list | dict | None
) -> Dataset:
    """:func:`load`'s work."""

    expected = ", ".join(s["file"] for s in schema.sources().values())
    hint = f"expected a folder with one file per source ({expected} as .csv or .parquet)"
    if not folder.exists():
        raise ExtractError(f"{folder}: folder not found; {hint}")
    if not folder.is_dir():
        raise ExtractError(
            f"{folder}: is a file, not a folder; {hint} (use read_extract for one file)"
        )
    mappings = read_mappings(mapping)
    files, problems = find_files(folder, {s: m.file for s, m in mappings.items() if m.file})
    for source in REQUIRED_SOURCES:
        if source not in files:
            name = (mappings[source].file if source in mappings else None) or schema.source(source)[
                "file"
            ]
            present = sorted(p.name for p in folder.iterdir() if p.is_file())
            wanted = name if Path(name).suffix else f"{name}.csv or {name}.parquet"
            problems.append(
                f"{folder}: required file {wanted} (source {source}) is missing; "
                f"files found: {', '.join(present) or 'none'}"
            )
    extracts, packed, more, mapping_problems = _read_sources(files, salt, validate, mappings)
    problems += more
    unused = sorted(set(mappings) - set(files))
    if unused:
        problems += [
            f"{mappings[s].path}: maps source {s}, but {folder} has no file for it" for s in unused
        ]
    if mapping_problems:
        raise MappingError(f"cannot map the extracts in {folder}", mapping_problems)
    if problems:
        raise ExtractError(
            f"cannot load the extracts in {folder}",
            problems + [str(p) for e in extracts.values() for p in e.problems],
        )
    notes = []
    known = {p.name for p in files.values()} | {Path(m.path).name for m in mappings.values()}
    ignored = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.name not in known and not p.name.startswith(".")
    )
    if ignored:
        notes.append(f"{folder}: file(s) not used: {', '.join(ignored)}")
    if "dbc_declaraties" not in files:
        notes.append(f"{folder}: no dbc_declaraties file: costs are not available")
    return _link_extracts(
        extracts, notes, validate=validate, where=f"folder {folder}", packed=packed
    )


def _link_extracts(
    extracts: dict[str, Extract],
    notes: list[str],
    *,
    validate: bool,
    where: str,
    packed: Mapping[str, pd.DataFrame | PackedFrame] | None = None,
) -> Dataset:
    """Cross-file checks, validation and linkage of read extracts (``load``, ``load_frames``).

    ``packed`` holds frames already packed (:func:`~saz_geboortezorg.io.packed.pack`
    of the extract's frame); the others are packed here.
    """
    check_references(extracts)
    notes = [n for e in extracts.values() for n in e.notes] + notes
    if validate:
        raise_problems(list(extracts.values()), where)
    else:
        ignored_problems = [str(p) for e in extracts.values() for p in e.problems]
        if ignored_problems:
            notes.append(
                f"validation off: {len(ignored_problems)} problem(s) ignored, bad values treated as missing"
            )
            notes += [f"ignored: {p}" for p in ignored_problems]
    # pack the typed frames before linking (each birth is held again in births and
    # women): the load's peak is the tables at the end of the linkage
    packed = packed or {}
    sources = Sources({s: packed[s] if s in packed else e.frame for s, e in extracts.items()})
    for e in extracts.values():
        e.frame = None  # the packed copy stands in for it from here on
        e.encoded = {}
    progress_step("load", "linking")
    try:
        result = link(sources.views(whole=("organisaties",)))
    except (KeyError, ValueError) as exc:
        if validate:
            raise
        raise SazError(
            f"cannot link the extracts without validation ({type(exc).__name__}: {exc}); load with validate=True to see why"
        ) from None
    notes += result.notes
    return Dataset(
        sources=sources,
        births=result.births,
        women=result.women,
        linkage=result.linkage,
        excluded=result.excluded,
        notes=notes,
        files={s: e.file for s, e in extracts.items()},
    )


def _infer_source(path: Path, columns: list[str]) -> str | None:
    stem = path.stem.lower()
    specs = schema.sources()
    for source, spec in specs.items():
        if stem == spec["file"].lower():
            return source
    hits = [s for s, spec in specs.items() if spec["file"].lower() in stem]
    if hits:
        return max(hits, key=lambda s: len(specs[s]["file"]))
    best, score = None, 0.0
    for source, spec in specs.items():
        declared = set(spec["columns"])
        share = len(declared & set(columns)) / len(declared)
        if share > score:
            best, score = source, share
    return best if score >= 0.5 else None


def read_extract(
    path: str | Path,
    source: str | None = None,
    *,
    salt: str | None = None,
    validate: bool = True,
    mapping: str | Path | SourceMapping | None = None,
) -> pd.DataFrame:
    """Read and validate one extract file.

    Cross-file checks (references to other sources) are not possible here; use
    :func:`load` on the folder for those.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.parquet`` file.
    source : str, optional
        Source name; by default inferred from the file name, else from the columns.
    salt : str, optional
        Salt for hashing direct identifiers.
    validate : bool
        Raise an :class:`ExtractError` listing all problems (default True).
    mapping : str, Path or SourceMapping, optional
        A mapping file for a file in another format; it names the source.

    Returns
    -------
    DataFrame
        Typed values; the index holds the row numbers of the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "unknown.csv"
    >>> _ = p.write_text("a,b\\n1,2\\n")
    >>> read_extract(p)
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.ExtractError: unknown.csv: cannot tell which source this file is (name or columns); pass source= one of organisaties, perined_lvr1, perined_lvr2, dbc_declaraties
    """
    path = Path(path)
    raw = read_raw(path)
    mappings = read_mappings(mapping)
    if len(mappings) > 1 and source is None:
        raise MappingError(
            f"the mapping has several sources; pass source= one of {', '.join(mappings)}"
        )
    if mappings:
        chosen = mappings.get(source) if source else next(iter(mappings.values()))
        if chosen is None:
            raise MappingError(f"the mapping has no block for source {source}")
        source = chosen.source
        raw, _ = apply_mapping(raw, chosen)
    if source is None:
        source = _infer_source(path, list(raw.frame.columns))
        if source is None:
            raise ExtractError(
                f"{path.name}: cannot tell which source this file is (name or columns); "
                f"pass source= one of {', '.join(schema.sources())}"
            )
    schema.source(source)  # unknown name -> SazError
    ext = check_extract(raw, source)
    ext.frame, _ = hash_identifiers(ext.frame, schema.source(source)["columns"], ext.file, salt)
    if validate:
        raise_problems([ext], f"source {source}")
    return ext.frame


#: The order of the sources in :func:`load_frames` (the last one is optional).
FRAME_ORDER = ("organisaties", "perined_lvr1", "perined_lvr2", "dbc_declaraties")


def _raw_frame(frame: pd.DataFrame, source: str) -> RawExtract:
    """A DataFrame as a raw extract, as a Parquet file of it would be read (row 1 = first)."""
    names = [str(c).strip().lstrip("\ufeff").strip().lower() for c in frame.columns]
    name = f"{source} (table)"
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ExtractError(f"{name}: column name(s) appear more than once: {', '.join(dupes)}")
    if len(frame) == 0:
        raise ExtractError(f"{name}: the table has no rows")
    out = frame.copy()
    out.columns = names
    out.index = pd.RangeIndex(1, 1 + len(out), name="row")
    return RawExtract(clean_text(out), name, "row")


def load_frames(
    frames: list | tuple | dict, *, salt: str | None = None, validate: bool = True
) -> Dataset:
    """Load, validate and link extracts given as tables or files instead of a folder.

    The same checks and linkage as :func:`load`; for a system that hands over its data
    as tables (a vantage6 node, a database query), not as a folder.

    Parameters
    ----------
    frames : list or dict
        In the order organisaties, perined_lvr1, perined_lvr2 and (optional)
        dbc_declaraties (:data:`FRAME_ORDER`), or a dict by source name. Each is a
        DataFrame (values as text, as a CSV file holds them, or typed, as Parquet) or
        the path of a ``.csv`` or ``.parquet`` file.
    salt, validate
        As in :func:`load`.

    Returns
    -------
    Dataset

    Raises
    ------
    ExtractError
        A table missing or not matching the schema (all problems of all tables at once).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = generate(births=200, seed=2, progress=False).write(tmp.name, format="csv")
    >>> paths = [pathlib.Path(tmp.name) / f"{s}.csv" for s in FRAME_ORDER]
    >>> frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths]
    >>> a = load_frames(frames, salt="example")
    >>> b = load(tmp.name, salt="example")
    >>> a.women.equals(b.women), len(a.births) == len(b.births)
    (True, True)
    >>> load_frames(frames[:2])
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.ExtractError: give the tables in the order organisaties, perined_lvr1, perined_lvr2 and (optional) dbc_declaraties; got 2
    >>> tmp.cleanup()
    """
    if isinstance(frames, dict):
        unknown = sorted(set(frames) - set(FRAME_ORDER))
        if unknown:
            raise ExtractError(f"unknown source(s) {unknown}; expected {', '.join(FRAME_ORDER)}")
        given = {s: frames[s] for s in FRAME_ORDER if frames.get(s) is not None}
    else:
        items = list(frames)
        if not 3 <= len(items) <= 4:
            raise ExtractError(
                f"give the tables in the order {', '.join(FRAME_ORDER[:3])} and (optional) "
                f"{FRAME_ORDER[3]}; got {len(items)}"
            )
        given = {s: f for s, f in zip(FRAME_ORDER, items, strict=False) if f is not None}
    problems = [f"required table {s} is missing" for s in REQUIRED_SOURCES if s not in given]
    extracts: dict[str, Extract] = {}
    for source, item in given.items():
        try:
            if isinstance(item, pd.DataFrame):
                raw = _raw_frame(item, source)
            else:
                raw = read_raw(item)
            ext = check_extract(raw, source)
            ext.frame, more = hash_identifiers(
                ext.frame, schema.source(source)["columns"], ext.file, salt
            )
            ext.notes += more
            extracts[source] = ext
        except ExtractError as exc:
            problems.append(str(exc))
    if problems:
        raise ExtractError(
            "cannot load the tables",
            problems + [str(p) for e in extracts.values() for p in e.problems],
        )
    notes = []
    if "dbc_declaraties" not in given:
        notes.append("no dbc_declaraties table: costs are not available")
    return _link_extracts(extracts, notes, validate=validate, where="the tables")
