"""Descriptive profiles per unit: who gives birth where, and where they give birth.

These are the first things a mirror meeting looks at before any indicator: how the
women served by each region differ (case mix) and how care is organised (place of
birth). They explain why crude rates must not be compared without adjustment.

All functions take the ``women`` analysis table (one row per pregnancy, see
``saz_geboortezorg/schema/analysis.yaml``). :func:`place_of_birth` returns a
:class:`PlaceOfBirth` result (table, summary, chart); :func:`case_mix_profile` returns
a plain DataFrame: one row per unit of descriptive percentages with nothing else to
carry (no method, no level beyond its ``unit`` column) and no chart of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.result import Result

__all__ = ["case_mix_profile", "place_of_birth", "PlaceOfBirth", "PLACE_LABELS"]

#: Place-of-birth categories in display order, with English and Dutch labels.
PLACE_LABELS: dict[str, dict[str, str]] = {
    "home": {"en": "home", "nl": "thuis"},
    "birth_centre": {"en": "birth centre", "nl": "geboortecentrum"},
    "hospital_midwife": {"en": "hospital, midwife-led", "nl": "poliklinisch"},
    "hospital_obstetrician": {"en": "hospital, obstetrician-led", "nl": "klinisch (tweede lijn)"},
    "unknown": {"en": "unknown", "nl": "onbekend"},
}


def _check_columns(table: pd.DataFrame, columns: list[str], what: str) -> None:
    from saz_geboortezorg.errors import SpecError

    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SpecError(f"{what} needs column(s) {', '.join(missing)}, which the table lacks")


@renamed_arguments(by="unit")
def case_mix_profile(women: pd.DataFrame, unit: str = "region_id") -> pd.DataFrame:
    """Case mix per unit: the characteristics that differ between regions.

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table (one row per pregnancy).
    unit : str
        Unit column: ``"region_id"``, ``"hospital_id"`` or ``"practice_id"``.

    Returns
    -------
    DataFrame
        One row per unit (plus a final row ``"all"``) with the number of women and
        percentages: nulliparous, aged 35 or over, previous caesarean, lowest SES
        quintile, non-European migration background, multiple pregnancy, care started
        in the first line. Unknown values count in the denominator (they are few and
        shown separately by the completeness report).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R2"], "parity": [0, 1, 0],
    ...     "maternal_age": [30, 36, 25], "prev_cs": [0, 1, 0],
    ...     "ses_quintile": ["1", "3", "unknown"], "migration": ["dutch"] * 3,
    ...     "n_babies": [1, 1, 2], "start_line": [1, 1, 2]})
    >>> case_mix_profile(w)[["unit", "women", "nulliparous_pct"]]
      unit  women  nulliparous_pct
    0   R1      2             50.0
    1   R2      1            100.0
    2  all      3             66.7
    """
    needed = [unit, "parity", "maternal_age", "prev_cs", "ses_quintile", "migration"]
    needed += ["n_babies", "start_line"]
    _check_columns(women, needed, "case_mix_profile")
    flags = pd.DataFrame(
        {
            "unit": women[unit].astype("string"),
            "nulliparous_pct": women["parity"].eq(0),
            "age_35plus_pct": women["maternal_age"].ge(35),
            "prev_cs_pct": women["prev_cs"].eq(1),
            "lowest_ses_pct": women["ses_quintile"].astype("string").eq("1"),
            "non_european_pct": women["migration"].eq("non_european"),
            "multiple_pct": women["n_babies"].gt(1),
            "first_line_start_pct": women["start_line"].eq(1),
        }
    )
    pct_cols = [c for c in flags.columns if c != "unit"]
    per_unit = flags.groupby("unit", sort=True)[pct_cols].mean().mul(100)
    per_unit.insert(0, "women", flags.groupby("unit", sort=True).size())
    overall = flags[pct_cols].mean().mul(100).to_frame("all").T
    overall.insert(0, "women", len(flags))
    out = pd.concat([per_unit, overall]).rename_axis("unit").reset_index()
    out[pct_cols] = out[pct_cols].astype(float).round(1)
    out["women"] = out["women"].astype(int)
    return out


@dataclass(repr=False)
class PlaceOfBirth(Result):
    """Where women gave birth, per unit (from :func:`place_of_birth`).

    Attributes
    ----------
    table : DataFrame
        Tidy: ``unit``, ``place``, ``label_en``, ``label_nl``, ``n``, ``pct``.
    unit : str
        The unit column (``"region_id"``, ...); charts name the level from it.
    """

    table: pd.DataFrame
    unit: str = "region_id"

    def summary(self) -> str:
        """Plain text: units, women and the shares of all women together.

        Examples
        --------
        >>> import pandas as pd
        >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R2", "R2"],
        ...     "actual_place": ["home", "hospital_obstetrician", "home", None]})
        >>> print(place_of_birth(w).summary())
        Place of birth per region_id: 2 units, 4 women
        home 50.0%, hospital, obstetrician-led 25.0%, unknown 25.0%
        """
        t = self.table
        overall = t.groupby(["place", "label_en"], sort=False)["n"].sum()
        women = int(overall.sum())
        lines = [f"Place of birth per {self.unit}: {t['unit'].nunique()} units, {women} women"]
        if women:
            lines.append(
                ", ".join(
                    f"{label} {100 * n / women:.1f}%" for (_, label), n in overall.items() if n > 0
                )
            )
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """Stacked shares per unit:
        :func:`saz_geboortezorg.present.profile_chart.place_of_birth_chart`."""
        from saz_geboortezorg.present.profile_chart import place_of_birth_chart

        return place_of_birth_chart(self, **options)


@renamed_arguments(by="unit")
def place_of_birth(women: pd.DataFrame, unit: str = "region_id") -> PlaceOfBirth:
    """Where women gave birth, per unit: counts and percentages that add up to 100.

    Parameters
    ----------
    women : DataFrame
        The ``women`` analysis table, with ``actual_place``.
    unit : str
        Unit column.

    Returns
    -------
    PlaceOfBirth
        ``table``, tidy: ``unit``, ``place`` (home, birth_centre, hospital_midwife,
        hospital_obstetrician, unknown, in that order), ``label_en``, ``label_nl``,
        ``n`` and ``pct`` (of the unit's women; sums to 100 per unit).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"region_id": ["R1", "R1", "R1", "R2"],
    ...     "actual_place": ["home", "hospital_obstetrician", "home", "birth_centre"]})
    >>> t = place_of_birth(w).table
    >>> t[t.n > 0][["unit", "place", "n", "pct"]]
      unit                  place  n     pct
    0   R1                   home  2   66.67
    3   R1  hospital_obstetrician  1   33.33
    6   R2           birth_centre  1  100.00
    """
    _check_columns(women, [unit, "actual_place"], "place_of_birth")
    places = list(PLACE_LABELS)
    place = women["actual_place"].astype("string").fillna("unknown")
    place = place.where(place.isin(places), "unknown")
    counts = (
        pd.crosstab(women[unit].astype("string"), pd.Categorical(place, categories=places))
        .reindex(columns=places, fill_value=0)
        .rename_axis(index="unit", columns="place")
    )
    tidy = counts.stack().rename("n").reset_index()
    tidy["place"] = tidy["place"].astype("string")
    totals = tidy.groupby("unit")["n"].transform("sum")
    tidy["pct"] = (100 * tidy["n"] / totals).round(2)
    tidy.insert(2, "label_en", tidy["place"].map(lambda p: PLACE_LABELS[p]["en"]))
    tidy.insert(3, "label_nl", tidy["place"].map(lambda p: PLACE_LABELS[p]["nl"]))
    return PlaceOfBirth(tidy, unit=unit)
