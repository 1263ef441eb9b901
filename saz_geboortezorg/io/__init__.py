"""Load, validate and link extracts (real or synthetic).

One module per job:

============== ==============================================================
read           read one CSV (any separator/encoding) or Parquet file as raw values
mapping        translate a foreign extract (names, codes, units, dates) by a mapping file
convert        convert raw values to the declared types, marking bad values
validate       check an extract against ``schema/extracts.yaml``
identifiers    replace direct identifiers by salted SHA-256 hashes
decode         registry codes -> readable categories of ``schema/analysis.yaml``
link           link the sources into ``births`` and ``women`` with a linkage report
completeness   share missing/unknown per source, unit and variable
dataset        :func:`load` a folder into a :class:`Dataset`; :func:`read_extract`
============== ==============================================================

Examples
--------
>>> import tempfile
>>> import saz_geboortezorg as sg
>>> tmp = tempfile.TemporaryDirectory()
>>> folder = tmp.name
>>> _ = sg.synthetic.generate(births=200, seed=4, progress=False).write(folder, format="parquet")
>>> data = sg.load(folder, salt="example")
>>> int(data.births.groupby("hospital_id").size().sum()) == len(data.births)
True
>>> tmp.cleanup()
"""

from __future__ import annotations

from saz_geboortezorg.io.completeness import completeness, completeness_wide
from saz_geboortezorg.io.dataset import Dataset, load, read_extract
from saz_geboortezorg.io.link import linkage_summary

__all__ = [
    "load",
    "Dataset",
    "read_extract",
    "completeness",
    "completeness_wide",
    "linkage_summary",
]
