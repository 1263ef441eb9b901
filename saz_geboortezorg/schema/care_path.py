"""The vocabulary of the care path (zorgstromen): its stages and their categories.

Labels in English and Dutch, in display order. :mod:`saz_geboortezorg.derive.flows`
classifies women into these categories; the care-flow charts
(:mod:`saz_geboortezorg.present.flow_chart`) name and order them with it. Like the code
lists of ``codes.yaml`` it is vocabulary, so it sits in the schema layer where both
can read it.

Examples
--------
>>> list(STAGES)
['start', 'pregnancy', 'labour', 'place', 'mode', 'postpartum']
>>> CATEGORIES["labour"]["referred"]["nl"]
'verwezen durante partu'
"""

from __future__ import annotations

__all__ = ["STAGES", "CATEGORIES"]

#: The stages of the care path in order, with English and Dutch names.
STAGES: dict[str, dict[str, str]] = {
    "start": {"en": "Start of care", "nl": "Begin zorg"},
    "pregnancy": {"en": "Pregnancy", "nl": "Zwangerschap"},
    "labour": {"en": "Labour", "nl": "Baring"},
    "place": {"en": "Place of birth", "nl": "Plaats geboorte"},
    "mode": {"en": "Mode of birth", "nl": "Wijze geboorte"},
    "postpartum": {"en": "Postpartum", "nl": "Kraamperiode"},
}

_UNKNOWN = {"en": "unknown", "nl": "onbekend"}

#: The categories of every stage in display order, with English and Dutch labels.
CATEGORIES: dict[str, dict[str, dict[str, str]]] = {
    "start": {
        "first_line": {"en": "first line (midwife)", "nl": "eerste lijn (verloskundige)"},
        "second_line": {"en": "second line (hospital)", "nl": "tweede lijn (ziekenhuis)"},
        "unknown": _UNKNOWN,
    },
    "pregnancy": {
        "first_line": {"en": "first line, not referred", "nl": "eerste lijn, niet verwezen"},
        "referred": {"en": "referred in pregnancy", "nl": "verwezen in zwangerschap"},
        "second_line": {"en": "second line from the start", "nl": "tweede lijn vanaf begin"},
        "unknown": _UNKNOWN,
    },
    "labour": {
        "first_line": {"en": "stayed in first line", "nl": "in eerste lijn gebleven"},
        "referred": {"en": "referred during labour", "nl": "verwezen durante partu"},
        "second_line_spontaneous": {
            "en": "second line, spontaneous onset",
            "nl": "tweede lijn, spontaan begonnen",
        },
        "second_line_induced": {"en": "second line, induced", "nl": "tweede lijn, ingeleid"},
        "no_labour": {"en": "no labour (planned caesarean)", "nl": "geen baring (primaire sectio)"},
        "unknown": _UNKNOWN,
    },
    "place": {
        "home": {"en": "home", "nl": "thuis"},
        "birth_centre": {"en": "birth centre", "nl": "geboortecentrum"},
        "hospital_midwife": {
            "en": "hospital, midwife-led",
            "nl": "poliklinisch",
        },
        "hospital_obstetrician": {
            "en": "hospital, obstetrician-led",
            "nl": "klinisch",
        },
        "unknown": _UNKNOWN,
    },
    "mode": {
        "spontaneous": {"en": "spontaneous vaginal", "nl": "spontaan vaginaal"},
        "instrumental": {"en": "vacuum or forceps", "nl": "vacuüm of forceps"},
        "intrapartum_cs": {"en": "caesarean in labour", "nl": "secundaire sectio"},
        "prelabour_cs": {"en": "planned caesarean", "nl": "primaire sectio"},
        "unknown": _UNKNOWN,
    },
    "postpartum": {
        "first_line": {"en": "first line, not referred", "nl": "eerste lijn, niet verwezen"},
        "referred": {"en": "referred after birth", "nl": "verwezen post partum"},
        "second_line": {"en": "birth in second line", "nl": "bevalling in tweede lijn"},
        "unknown": _UNKNOWN,
    },
}
