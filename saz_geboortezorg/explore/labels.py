"""English and Dutch labels of the explorer: options, chart titles, table headers.

English labels carry the Dutch term in brackets where professionals know the Dutch one
(``"Region (regio)"``); the Dutch labels (``language="nl"``) use Dutch only. Widget
*descriptions* ("Indicator", "Level", ...) are not translated, so scripts and browser
tests always find a control by the same name; what the switch changes are the option
labels, the charts and the table.

The heat table's own words (domains, assessments) live with its chart
(:data:`saz_geboortezorg.present.benchmark_chart.TEXT`) and are reused here.
"""

from __future__ import annotations

import re
from typing import Any

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import get
from saz_geboortezorg.present.benchmark_chart import TEXT as CHART_TEXT

__all__ = [
    "LANGUAGES",
    "WORDS",
    "label",
    "indicator_label",
    "value_label",
    "method_label",
    "check_language",
]

LANGUAGES = ("en", "nl")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        # levels
        "hospital": "Hospital (ziekenhuis)",
        "region": "Region (regio)",
        "practice": "Midwifery practice (verloskundigenpraktijk)",
        "hospital_short": "hospital",
        "region_short": "region",
        "practice_short": "practice",
        "hospital_plural": "hospitals",
        "region_plural": "regions",
        "practice_plural": "practices",
        "all_units": "all {units}",
        # controls
        "adjusted": "Case-mix adjusted (gecorrigeerd)",
        "crude": "Crude (ruw)",
        "overdispersion_on": "On: widen for overdispersion",
        "overdispersion_off": "Off: chance variation only",
        "limits_both": "95% and 99.8%",
        "limits_95": "95% only",
        "limits_998": "99.8% only",
        "all_periods": "All years",
        "year": "Year {year}",
        "no_unit": "(none)",
        "ses_quintile": "SES quintile",
        "migration": "Migration background",
        "parity_group": "Parity",
        "robson_main": "Robson group",
        "language_en": "English",
        "language_nl": "Nederlands (Dutch)",
        # charts and table
        "funnel_title": "{indicator}: {level} compared ({how})",
        "caterpillar_title": "{indicator} per {level}, sorted",
        "trend_title": "{indicator} per {freq}, {period}",
        "quarter": "quarter",
        "month": "month",
        "all_years": "all years",
        "no_records": "{unit} has no records in this selection",
        "no_funnel": "no funnel plot: {reason}",
        "how_adjusted": "case-mix adjusted",
        "how_crude": "crude",
        "expected_events": "expected events",
        "observed_expected": "observed / expected",
        "cases": "number of cases",
        "proportion": "rate",
        "standardised_rate": "standardised rate",
        "crude_rate": "crude rate",
        "interval": "95% interval",
        "unit": "unit",
        "n": "n",
        "observed": "observed",
        "expected": "expected",
        "value": "value",
        "lower": "lower 95%",
        "upper": "upper 95%",
        "flag": "funnel",
        "assessment": "assessment",
        "higher": "higher",
        "lower_flag": "lower",
        "within": "within",
        "better": "better",
        "worse": "worse",
        "different": "different (no direction)",
        "too_few": "too few to judge",
        "alert": "alert",
        "not_assessed": "not assessed",
        "not_available": "Not available: {reason}",
        "unknown": "unknown",
        "unclassifiable": "unclassifiable",
        "dutch": "Dutch",
        "european": "other European",
        "non_european": "non-European",
    },
    "nl": {
        "hospital": "Ziekenhuis",
        "region": "Regio",
        "practice": "Verloskundigenpraktijk",
        "hospital_short": "ziekenhuis",
        "region_short": "regio",
        "practice_short": "praktijk",
        "hospital_plural": "ziekenhuizen",
        "region_plural": "regio's",
        "practice_plural": "praktijken",
        "all_units": "alle {units}",
        "adjusted": "Gecorrigeerd voor case-mix",
        "crude": "Ruw",
        "overdispersion_on": "Aan: verbreed voor overdispersie",
        "overdispersion_off": "Uit: alleen toevalsvariatie",
        "limits_both": "95% en 99,8%",
        "limits_95": "alleen 95%",
        "limits_998": "alleen 99,8%",
        "all_periods": "Alle jaren",
        "year": "Jaar {year}",
        "no_unit": "(geen)",
        "ses_quintile": "SES-kwintiel",
        "migration": "Migratieachtergrond",
        "parity_group": "Pariteit",
        "robson_main": "Robson-groep",
        "language_en": "English",
        "language_nl": "Nederlands",
        "funnel_title": "{indicator}: {level} vergeleken ({how})",
        "caterpillar_title": "{indicator} per {level}, gesorteerd",
        "trend_title": "{indicator} per {freq}, {period}",
        "quarter": "kwartaal",
        "month": "maand",
        "all_years": "alle jaren",
        "no_records": "{unit} heeft geen gegevens in deze selectie",
        "no_funnel": "geen trechterplot: {reason}",
        "how_adjusted": "gecorrigeerd voor case-mix",
        "how_crude": "ruw",
        "expected_events": "verwacht aantal",
        "observed_expected": "waargenomen / verwacht",
        "cases": "aantal",
        "proportion": "percentage",
        "standardised_rate": "gestandaardiseerd cijfer",
        "crude_rate": "ruw cijfer",
        "interval": "95%-interval",
        "unit": "eenheid",
        "n": "n",
        "observed": "waargenomen",
        "expected": "verwacht",
        "value": "waarde",
        "lower": "onder 95%",
        "upper": "boven 95%",
        "flag": "trechter",
        "assessment": "beoordeling",
        "higher": "hoger",
        "lower_flag": "lager",
        "within": "binnen",
        "better": "beter",
        "worse": "slechter",
        "different": "afwijkend (geen richting)",
        "too_few": "te weinig om te beoordelen",
        "alert": "signaal",
        "not_assessed": "niet beoordeeld",
        "not_available": "Niet beschikbaar: {reason}",
        "unknown": "onbekend",
        "unclassifiable": "niet te classificeren",
        "dutch": "Nederlands",
        "european": "overig Europees",
        "non_european": "niet-Europees",
    },
}


def check_language(language: str) -> str:
    """The language code, or a clear error.

    Examples
    --------
    >>> check_language("nl")
    'nl'
    """
    if language not in LANGUAGES:
        raise SpecError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def label(key: str, language: str = "en", **fields: Any) -> str:
    """A label in English or Dutch; ``fields`` fill its ``{placeholders}``.

    Falls back to the heat table's words (domains), then to the key itself.

    Examples
    --------
    >>> label("region"), label("region", "nl")
    ('Region (regio)', 'Regio')
    >>> label("funnel_title", "nl", indicator="Sectio", level="regio", how="ruw")
    'Sectio: regio vergeleken (ruw)'
    >>> label("mother", "nl")
    'Moeder'
    """
    words = WORDS[check_language(language)]
    text = words.get(key, CHART_TEXT[language].get(key, key))
    return text.format(**fields) if fields else text


def indicator_label(indicator: Any, language: str = "en") -> str:
    """An indicator's name: English with the Dutch name, or Dutch only.

    Examples
    --------
    >>> from saz_geboortezorg.indicators import get
    >>> indicator_label(get("pph"))
    'Postpartum haemorrhage of 1,000 ml or more – Fluxus postpartum (>= 1000 ml)'
    >>> indicator_label(get("pph"), "nl")
    'Fluxus postpartum (>= 1000 ml)'
    """

    ind = get(indicator)
    if check_language(language) == "nl":
        return ind.name_nl
    if ind.name_nl.lower() == ind.name_en.lower():
        return ind.name_en
    return f"{ind.name_en} – {ind.name_nl}"


def value_label(column: str, value: Any, language: str = "en") -> str:
    """A theme filter's value in words.

    Examples
    --------
    >>> value_label("migration", "non_european"), value_label("ses_quintile", "1", "nl")
    ('non-European', 'SES-kwintiel 1')
    >>> value_label("robson_main", "5"), value_label("parity_group", "2+")
    ('Robson group 5', 'Parity 2+')
    """
    text = str(value)
    words = WORDS[check_language(language)]
    if text in words and text not in ("1", "2", "3", "4", "5"):
        return words[text]
    if column in ("ses_quintile", "robson_main", "parity_group"):
        return f"{words[column]} {text}"
    return text


#: The benchmark engine's method notes
#: (:func:`saz_geboortezorg.compare.benchmark.unit_table`, its ``method`` field) in Dutch:
#: English pattern -> Dutch text (``{spec}``: the case-mix spec's name).
METHODS_NL: list[tuple[str, str]] = [
    (
        r"case-mix model '(?P<spec>[^']+)' \(indirect standardisation\)",
        "case-mixmodel '{spec}' (indirecte standaardisatie)",
    ),
    (
        r"crude: the catalogue gives no case-mix model for this indicator",
        "ruw: de catalogus geeft geen case-mixmodel voor deze indicator",
    ),
    (r"crude \(adjustment switched off\)", "ruw (correctie voor case-mix uitgezet)"),
    (
        r"crude: case-mix spec '(?P<spec>[^']+)' uses missing: .*",
        "ruw: case-mixspecificatie '{spec}' laat records met ontbrekende waarden weg; "
        "verwachte waarden per record vragen missing: unknown",
    ),
    (
        r"crude: case-mix spec '(?P<spec>[^']+)' restricts the population .*",
        "ruw: case-mixspecificatie '{spec}' beperkt de populatie verder dan de indicator; "
        "haar verwachte waarden dekken niet elk record",
    ),
    (r"case-mix model not fitted yet", "case-mixmodel nog niet geschat"),
]


def method_label(method: str, language: str = "en") -> str:
    """The benchmark engine's note on how the values were computed, in the language.

    The engine writes English; in Dutch the known notes are translated, a list of
    model problems after ``"; problems: "`` keeps its (technical) English, and an
    unknown note is shown as it is.

    Examples
    --------
    >>> method_label("case-mix model 'caesarean' (indirect standardisation)", "nl")
    "case-mixmodel 'caesarean' (indirecte standaardisatie)"
    >>> method_label("crude (adjustment switched off)", "nl")
    'ruw (correctie voor case-mix uitgezet)'
    >>> method_label("crude (adjustment switched off)")
    'crude (adjustment switched off)'
    """
    if check_language(language) == "en" or not method:
        return method
    head, sep, problems = method.partition("; problems: ")
    for pattern, dutch in METHODS_NL:
        match = re.fullmatch(pattern, head)
        if match:
            head = dutch.format(**match.groupdict())
            break
    return head + ("; problemen: " + problems if sep else "")
