"""The user indicator the catalogue tests define, counted by hand with pandas
(tests/explore/test_indicator_editor.py, tests/commands/test_user_catalogue_commands.py)."""

from __future__ import annotations

import pandas as pd


def hand_counts(women: pd.DataFrame, unit: str, *, under: int) -> pd.DataFrame:
    """Denominator (d) and numerator (x) per unit of 'induction, nulliparous under
    ``under`` years, term' (onset known), from pandas, not through the code under test."""
    d = (
        women["parity"].eq(0).fillna(False)
        & women["maternal_age"].lt(under).fillna(False)
        & women["ga_days"].ge(259).fillna(False)
        & women["onset"].notna()
        & women["onset"].ne("unknown")
    )
    x = d & women["onset"].eq("induced")
    return pd.DataFrame({"d": d, "x": x}).groupby(women[unit]).sum()
