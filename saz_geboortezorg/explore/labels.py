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
    "HELP",
    "HELP_TITLE",
    "help_html",
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


#: "How to read this": the explanation behind the explorer's toggle, in HTML, per
#: language (formerly the first cell of ``notebooks/dashboard.ipynb``).
HELP: dict[str, str] = {
    "en": """
<p><i>Verkenner</i> is Dutch for <i>explorer</i>: the benchmark explorer of the
<b>saz_geboortezorg</b> toolkit on one page, without code. It runs on this computer only
(nobody else on the network can open it without its token) and needs no internet: the
charts carry their own JavaScript.</p>
<p><b>How to use it.</b> Choose an indicator (grouped by mother, child, process, care path
and cost), the level of comparison (<i>ziekenhuis</i> = hospital, <i>regio</i> = region,
<i>praktijk</i> = midwifery practice), the period, and crude or case-mix adjusted rates
(<i>casemix-correctie</i>: corrected for differences in the women each unit cares for), and
optionally a group of women (SES quintile, migration background, parity, Robson group).
'Language' switches the labels between English and Dutch. The charts redraw when a
control changes:</p>
<ul>
<li>the <b>funnel plot</b> (<i>trechterdiagram</i>): each dot is a unit; the funnel lines show
how far a unit can lie from the overall rate by chance alone, given its number of births:
dashed at 95%, solid at 99.8%. The line under the title says who the outcome is counted
against (see below);</li>
<li>the <b>caterpillar plot</b>: units ranked, each with its confidence interval;</li>
<li>the <b>trend</b> over the years, and a <b>table</b> with the numbers behind the charts.</li>
</ul>
<p>'My unit' highlights your own hospital, region or practice; add
<code>?unit=R05</code> (or <code>?unit=ZH05&amp;level=hospital</code>) to the address to open
the dashboard with it, and bookmark that address.</p>
<p><b>Verdict and alert: how to read the table.</b> The funnel gives two levels of
judgement, in two columns of the table:</p>
<ul>
<li><b>assessment</b> (<i>beoordeling</i>), the <b>verdict</b>: a unit outside the 99.8% lines
is <i>better</i> or <i>worse</i> than the overall rate, or <i>different</i> for indicators where
neither direction is simply better (caesarean, induction of labour, referral). A unit
whose care is really no different from the rest ends up there by chance only about once
in 500. Inside the lines it is <i>within</i>.</li>
<li><b>alert</b> (<i>signaal</i>): a unit outside the 95% lines but inside the 99.8% lines.
That is a reason to look at the data and the care together in the mirror meeting
(<i>spiegelgesprek</i>), not a conclusion: about 1 unit in 20 gets an alert by chance, so
among 17 hospitals one alert is normal.</li>
<li><b>too few to judge</b> (<i>te weinig om te beoordelen</i>): fewer than 5 expected events
(or expected non-events), for example a small practice and a rare outcome such as
perinatal death. The funnel is then so wide that a position says nothing, so no verdict
or alert is given.</li>
</ul>
<p>With 'Limits' set to one level only, the verdict is given at that level and there are
no alerts.</p>
<p><b>Who is counted where</b> (<i>toerekening</i>, attribution). Every indicator follows
one rule, shown as a line under the funnel's title:</p>
<ul>
<li><b>outcomes of care during birth</b> (such as caesarean, induction, instrumental birth,
epidural, episiotomy, third- or fourth-degree tear, postpartum haemorrhage, low Apgar
score) count against the unit responsible at birth: the hospital where a second-line
(<i>tweede lijn</i>, obstetrician-led) birth took place, or for a birth under the community
midwife (<i>eerste lijn</i>) her practice's hospital;</li>
<li><b>outcomes of the whole pregnancy</b> (preterm birth, small for gestational age,
perinatal mortality, Big4, NICU admission), most of the care path (referrals, home birth)
and cost count against the unit where care started, the booking (<i>boeking</i>; intention
to treat): the woman's midwifery practice and its hospital and region, or the hospital
where she booked when her care started in the second line. A woman transferred before the
birth to a hospital with a neonatal intensive care unit (<i>in-utero-overplaatsing</i>,
in-utero transfer) still counts where she booked, so the NICU centres are not blamed for
the very preterm babies other hospitals send them. Their dots carry a note in the
funnel's tooltip.</li>
</ul>
<p><b>Presenter mode</b> (for the mirror meeting): choose the indicators to show under
'Present', switch 'Presenter mode' on, and step through them with 'Next' and 'Previous'
or the arrow keys (→ ← or Page Down / Page Up, as a presentation clicker sends). 'Full
screen' fills the screen; Esc leaves it.</p>
<p><b>Save this view</b> writes the funnel and caterpillar plot (PNG and SVG) and the
table (CSV) to a folder, with counts from 1 to 9 hidden as in the reports: units whose
counts are hidden are left out of the plots, and the funnel is refitted on the units
shown.</p>
<p><b>Which data.</b> The dashboard shows the data its notebook loads: the toolkit's
<b>synthetic</b> data (no real women), unless <code>DATA</code> in
<code>notebooks/dashboard.ipynb</code> points to the folder of real extracts (see
<code>notebooks/00_start_hier.ipynb</code>).</p>
""",
    "nl": """
<p>De <i>Verkenner</i> is de benchmarkverkenner van de <b>saz_geboortezorg</b>-toolkit op
één pagina, zonder code. Hij draait alleen op deze computer (niemand anders op het
netwerk kan hem openen zonder het token) en heeft geen internet nodig: de grafieken
hebben hun eigen JavaScript bij zich.</p>
<p><b>Zo gebruik je hem.</b> Kies een indicator (gegroepeerd naar moeder, kind, proces,
zorgpad en kosten), het niveau van vergelijken (ziekenhuis, regio of
verloskundigenpraktijk), de periode, en ruwe of voor case-mix gecorrigeerde cijfers
(gecorrigeerd voor verschillen in de vrouwen die elke eenheid zorg geeft), en zo nodig
een groep vrouwen (SES-kwintiel, migratieachtergrond, pariteit, Robson-groep).
'Language' wisselt tussen Engels en Nederlands. De grafieken worden opnieuw getekend
zodra een keuze verandert:</p>
<ul>
<li>het <b>trechterdiagram</b>: elke stip is een eenheid; de trechterlijnen laten zien hoe
ver een eenheid door toeval alleen van het totale cijfer kan liggen, gegeven haar
aantal geboorten: gestreept bij 95%, doorgetrokken bij 99,8%. De regel onder de titel
zegt aan wie de uitkomst wordt toegerekend (zie onder);</li>
<li>de <b>rupsgrafiek</b>: eenheden op volgorde, elk met haar betrouwbaarheidsinterval;</li>
<li>de <b>trend</b> over de jaren, en een <b>tabel</b> met de getallen achter de grafieken.</li>
</ul>
<p>'My unit' licht je eigen ziekenhuis, regio of praktijk uit; zet
<code>?unit=R05</code> (of <code>?unit=ZH05&amp;level=hospital</code>) achter het adres om
het dashboard daarmee te openen, en bewaar dat adres als bladwijzer.</p>
<p><b>Oordeel en signaal: zo lees je de tabel.</b> De trechter kent twee niveaus van
oordeel, in twee kolommen van de tabel:</p>
<ul>
<li><b>beoordeling</b>, het <b>oordeel</b>: een eenheid buiten de 99,8%-lijnen is
<i>beter</i> of <i>slechter</i> dan het totale cijfer, of <i>afwijkend</i> bij indicatoren
waar geen richting eenvoudig beter is (sectio, inleiding, verwijzing). Een eenheid
waarvan de zorg echt niet verschilt van de rest komt daar door toeval maar ongeveer één
op de 500 keer terecht. Binnen de lijnen is het <i>binnen</i>.</li>
<li><b>signaal</b>: een eenheid buiten de 95%-lijnen maar binnen de 99,8%-lijnen. Dat is
een reden om in het spiegelgesprek samen naar de gegevens en de zorg te kijken, geen
conclusie: ongeveer 1 op de 20 eenheden krijgt door toeval een signaal, dus bij 17
ziekenhuizen is één signaal normaal.</li>
<li><b>te weinig om te beoordelen</b>: minder dan 5 verwachte gebeurtenissen (of verwachte
niet-gebeurtenissen), bijvoorbeeld een kleine praktijk en een zeldzame uitkomst zoals
perinatale sterfte. De trechter is dan zo breed dat een positie niets zegt, dus er
volgt geen oordeel en geen signaal.</li>
</ul>
<p>Staat 'Limits' op één niveau, dan volgt het oordeel op dat niveau en zijn er geen
signalen.</p>
<p><b>Wie telt waar</b> (toerekening). Elke indicator volgt één regel, die als regel onder
de titel van de trechter staat:</p>
<ul>
<li><b>uitkomsten van de zorg rond de geboorte</b> (zoals sectio, inleiding, vaginale
kunstverlossing, epidurale, episiotomie, totaalruptuur, fluxus postpartum, lage
Apgarscore) tellen bij de eenheid die bij de geboorte verantwoordelijk was: het
ziekenhuis waar een tweedelijnsbevalling plaatsvond, of bij een bevalling onder de
verloskundige (eerste lijn) het ziekenhuis van haar praktijk;</li>
<li><b>uitkomsten van de hele zwangerschap</b> (vroeggeboorte, small for gestational age,
perinatale sterfte, Big4, NICU-opname), het grootste deel van het zorgpad (verwijzingen,
thuisbevalling) en de kosten tellen bij de eenheid waar de zorg begon, de boeking
(intention to treat): de verloskundigenpraktijk van de vrouw en haar ziekenhuis en
regio, of het ziekenhuis waar zij boekte als haar zorg in de tweede lijn begon. Een vrouw
die vóór de geboorte naar een ziekenhuis met een NICU is overgeplaatst
(in-utero-overplaatsing) telt nog waar zij boekte, zodat de NICU-centra niet de zeer
vroeggeboren kinderen aangerekend krijgen die andere ziekenhuizen hun sturen. Hun
stippen hebben een toelichting in de tooltip van de trechter.</li>
</ul>
<p><b>Presentatiemodus</b> (voor het spiegelgesprek): kies onder 'Present' de indicatoren
die je wilt laten zien, zet 'Presenter mode' aan en blader erdoor met 'Next' en
'Previous' of de pijltjestoetsen (→ ← of Page Down / Page Up, zoals een presentatieklikker
stuurt). 'Full screen' vult het scherm; Esc sluit het.</p>
<p><b>Save this view</b> (deze weergave bewaren) schrijft het trechterdiagram en de
rupsgrafiek (PNG en SVG) en de tabel (CSV) naar een map, met aantallen van 1 tot en met 9
verborgen zoals in de rapporten: eenheden met verborgen aantallen staan niet in de
grafieken, en de trechter is opnieuw berekend op de getoonde eenheden.</p>
<p><b>Welke gegevens.</b> Het dashboard toont de gegevens die zijn notebook laadt: de
<b>synthetische</b> gegevens van de toolkit (geen echte vrouwen), tenzij <code>DATA</code>
in <code>notebooks/dashboard.ipynb</code> naar de map met echte extracten wijst (zie
<code>notebooks/00_start_hier.ipynb</code>).</p>
""",
}

#: The title of the "How to read this" toggle.
HELP_TITLE = {"en": "How to read this", "nl": "Zo lees je dit"}


def help_html(language: str = "en") -> str:
    """The explanation behind the explorer's "How to read this" toggle, in HTML.

    Examples
    --------
    >>> "funnel plot" in help_html("en"), "trechterdiagram" in help_html("nl")
    (True, True)
    >>> help_html("de")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: language must be one of en, nl, not 'de'
    """
    return HELP[check_language(language)]
