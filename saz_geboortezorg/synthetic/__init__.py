"""Synthetic Perined and DBC extracts with a known truth.

Real patient data never enters the repository, so the toolkit ships a generator:
:func:`generate` draws pregnancies, care paths, outcomes and claims from documented
logistic models (``parameters.yaml``) with true coefficients and true hospital
effects, and returns four extracts shaped exactly like ``schema/extracts.yaml`` plus
the truth (``truth.json``). ``births`` counts pregnancies with a birth: twins add
a second baby row, so babies slightly outnumber births.

Examples
--------
>>> from saz_geboortezorg.synthetic import generate
>>> data = generate(births=2_000, seed=1, progress=False)
>>> len(data.perined_lvr2.drop_duplicates("zwangerschap_id")) + int(
...     (data.perined_lvr1["eindverantwoordelijke_baring"] == 1).sum())
2000
>>> data.truth["models"]["intrapartum_cs"]["coefficients"]["nulliparous"]
1.75
"""

from __future__ import annotations

from typing import Any

__all__ = ["generate", "default_dataset", "SyntheticData", "DEFAULT_BIRTHS", "DEFAULT_SEED"]


def __getattr__(name: str) -> Any:
    if name in ("generate", "SyntheticData"):
        from saz_geboortezorg.synthetic import generator

        return getattr(generator, name)
    if name in ("default_dataset", "DEFAULT_BIRTHS", "DEFAULT_SEED"):
        from saz_geboortezorg.synthetic import store

        return getattr(store, name)
    raise AttributeError(f"module 'saz_geboortezorg.synthetic' has no attribute {name!r}")
