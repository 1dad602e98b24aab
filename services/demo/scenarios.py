"""Deterministic, FICTIONAL demo casussen per tenant (plain dataclasses, no database).

Everything here is invented: names are drawn from the fictional cases in the source
documents (Bradley, Rehane, Murat, Faysel, Nigel) and common first names and surnames,
streets are generic Dutch street names with made-up house numbers, and every BSN starts
with ``999`` (recognisable as a demo number) and passes the elfproef. Never real people.

The same ``(tenant, count, seed, today)`` always gives the same scenarios. Dates are
relative to ``today``, so the werkvoorraad timers fire in a living demo.

The seeder (service layer) replays each :class:`DemoCasus` as the real users would:
create the person, the aanmelding on ``aangemeld_on``, then every :class:`DemoStep` of
``path`` in order (each step is a legal transition with the data it requires, see
:func:`.lifecycle.check_transition_data`), the triage outcome, the plan, the assessments.
A :class:`DemoGroupCasus` is replayed the same way through the group steps.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from services.casework.domain import lifecycle
from services.casework.domain.assessments import SCORE_MAX, SCORE_MIN, Moment, instrument_domains
from services.casework.domain.bsn import check_digit
from services.casework.domain.lifecycle import GroupState, PersonState
from services.casework.domain.local_time import local_today
from services.casework.domain.plan import Action, Commitment, Goal, Intervention, PlanContent
from services.casework.domain.triage import age_on
from tenants import reference
from tenants.manifest import SHIPPED_MANIFESTS_DIR, Manifest, MeetingType, Organisation, load_all

# --- Dataclasses (the seeder's input) -------------------------------------------------------


@dataclass(frozen=True)
class DemoAddress:
    """A fictional address in the tenant's gemeente (or region, for a regional bureau)."""

    street: str
    house_number: str
    postcode: str
    city: str

    @property
    def line(self) -> str:
        """``"Kastanjelaan 12, 3701 AB Zeist"``."""
        return f"{self.street} {self.house_number}, {self.postcode} {self.city}"


@dataclass(frozen=True)
class DemoPerson:
    """A fictional person."""

    given_names: str
    """All given names, e.g. ``"Bradley Johannes"``."""
    surname: str
    """Including a tussenvoegsel, e.g. ``"de Vries"``."""
    roepnaam: str
    """The name the person goes by."""
    aliases: tuple[str, ...]
    """Nicknames on the street (people are often known by nickname)."""
    birth_date: date
    bsn: str
    """A valid (elfproef) demo BSN starting with ``999``."""
    address: DemoAddress

    @property
    def display_name(self) -> str:
        """``"Bradley de Vries"`` (roepnaam and surname)."""
        return f"{self.roepnaam} {self.surname}"


@dataclass(frozen=True)
class DemoProblem:
    """A problem on one leefgebied (domain code of the tenant's instrument)."""

    domain: str
    text: str


#: Why a demo casus was archived.
ARCHIVE_REASON = "Geen activiteit meer sinds de waakvlam; dossier gesloten."


@dataclass(frozen=True)
class DemoStep:
    """One transition of the casus, with the data the transition requires."""

    state: str
    """Target state of the transition."""
    on: date
    triage_decision: str | None = None
    """Set on the triage outcome (code of TRIAGE_DECISIONS)."""
    closure_reason: str | None = None
    """Set on closure (code of CLOSURE_REASONS)."""
    reason: str | None = None
    """Motivation: triage reason, reopen reason, early group exit reason."""


@dataclass(frozen=True)
class DemoAssessment:
    """A scored assessment with the tenant's instrument."""

    moment: str
    """``intake``, ``tussentijds`` or ``afsluiting``."""
    taken_on: date
    scores: Mapping[str, int]
    """Every domain of the instrument, scored 1-5."""


@dataclass(frozen=True)
class DemoCasus:
    """A fictional person casus, from aanmelding to its target state."""

    key: str
    """Stable demo key, e.g. ``"GM0355-P07"`` (not a database id)."""
    tenant_code: str
    instrument: str
    person: DemoPerson
    aanmelder_organisation_id: str
    aanmelder_domain: str
    aangemeld_on: date
    waarom_integraal: str
    """Why an integral approach is needed (aanmeldformulier)."""
    problems: tuple[DemoProblem, ...]
    police_registrations_12m: int
    informed: bool
    """Did the aanmelder inform the person at aanmelding?"""
    not_informed_reason: str | None
    """Why not (yet), when ``informed`` is False."""
    target_state: str
    """The state the casus ends in (after the last step of ``path``)."""
    path: tuple[DemoStep, ...]
    """Transitions from ``aangemeld`` to ``target_state``, in order, with dates."""
    criteria_met: tuple[str, ...]
    """Ids of the tenant's inclusion criteria that apply (empty before triage)."""
    triage_decision: str | None
    triage_reason: str | None
    meeting_type_id: str | None
    """The overleg the casus is discussed in (tenant meeting type id)."""
    casusregisseur_organisation_id: str | None
    participant_organisation_ids: tuple[str, ...]
    """Organisations taking part (aanmelder, regisseur, action owners), sorted."""
    plan_created_on: date | None
    plan: PlanContent | None
    """Latest plan content (valid for the tenant), from state ``plan`` on."""
    assessments: tuple[DemoAssessment, ...]
    closure_reason: str | None
    last_melding_on: date | None
    """Last melding of overlast/criminality (timers: positive closure)."""
    reopened: bool
    """The path contains waakvlam -> plan (heropenen)."""


@dataclass(frozen=True)
class DemoGroupMember:
    """A fictional member of a jeugdgroep (known from step 2 on)."""

    person: DemoPerson
    role: str
    """``kern``, ``meeloper`` or ``randfiguur``."""


@dataclass(frozen=True)
class DemoGroupCasus:
    """A fictional group casus (problematische jeugdgroep, seed 003)."""

    key: str
    """Stable demo key, e.g. ``"GM0355-G01"``."""
    tenant_code: str
    group_name: str
    signals: str
    """Group-level signals (step 1: no person identifiers)."""
    meeting_type_id: str | None
    started_on: date
    target_state: str
    path: tuple[DemoStep, ...]
    """Transitions from ``stap-1`` to ``target_state``."""
    members: tuple[DemoGroupMember, ...]
    """Empty while in step 1 (group level only), 3-6 members from step 2 on."""
    coordinator_organisation_id: str | None
    """Organisation of the uitvoeringscoördinator (appointed in step 2)."""
    early_exit_reason: str | None


# --- Word banks (fictional) -----------------------------------------------------------------

SEED_FIRST_NAMES: Final = ("Bradley", "Rehane", "Murat", "Faysel", "Nigel")
COMMON_FIRST_NAMES: Final = (
    "Daan",
    "Sem",
    "Jesse",
    "Milan",
    "Kevin",
    "Dylan",
    "Shanna",
    "Chelsea",
    "Romano",
    "Mohamed",
    "Anouar",
    "Youssef",
    "Ilias",
    "Soufiane",
    "Jayden",
    "Delano",
    "Priscilla",
    "Naomi",
    "Demi",
    "Melvin",
    "Ricardo",
    "Mehmet",
    "Emre",
    "Sarita",
    "Jordy",
    "Lisa",
    "Kim",
    "Thomas",
    "Ryan",
    "Damian",
)
MIDDLE_NAMES: Final = ("Johannes", "Maria", "Petrus", "Ali", "Hendrik", "Cornelis", "Ibrahim")
SURNAMES: Final = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Kaya",
    "Bouzid",
    "Pinas",
    "Martina",
    "Doornbos",
    "Veldkamp",
    "Öztürk",
    "El Khatib",
    "Rozendaal",
    "van der Heijden",
    "Koerts",
    "Ramdin",
)
NICKNAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Bradley": "Brad",
        "Mohamed": "Mo",
        "Soufiane": "Souf",
        "Youssef": "Joes",
        "Priscilla": "Pris",
        "Ricardo": "Rico",
        "Jayden": "Jay",
    }
)
STREET_ALIASES: Final = ("Kleine B", "de Prins", "Spijker", "Turbo", "Snelle Jelle", "Stille")
STREETS: Final = (
    "Kastanjelaan",
    "Merelstraat",
    "Lindenhof",
    "Beukenlaan",
    "Zwanenplein",
    "Tulpstraat",
    "Vlierweg",
    "Reigerhof",
    "Populierendreef",
    "Hazelaarpad",
    "Lijsterbeslaan",
    "Dahliastraat",
    "Kievitsweg",
    "Eikenhorst",
    "Sparrenhof",
    "Wilgenpad",
)
#: City -> range of postcode digits (the letters are random).
CITY_POSTCODES: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "Hilversum": (1211, 1223),
        "Veenendaal": (3900, 3907),
        "Wijk bij Duurstede": (3961, 3962),
        "Zeist": (3701, 3709),
        "Zoetermeer": (2711, 2729),
        "Utrecht": (3511, 3585),
        "Amersfoort": (3811, 3829),
        "Nieuwegein": (3430, 3439),
        "Den Haag": (2491, 2597),
        "Delft": (2611, 2629),
        "Rijswijk": (2280, 2289),
    }
)
#: Cities used for a regional bureau, by region code.
REGION_CITIES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "regio-utrecht": ("Utrecht", "Amersfoort", "Nieuwegein", "Zeist"),
        "haaglanden": ("Den Haag", "Delft", "Rijswijk", "Zoetermeer"),
    }
)
_POSTCODE_LETTERS: Final = "ABCEGHJKLMNPRTVWXZ"

#: Problem and goal texts per domain of both instruments.
PROBLEM_BANK: Final[Mapping[str, tuple[tuple[str, str], ...]]] = MappingProxyType(
    {
        # ZRM
        "financien": (
            (
                "Heeft schulden bij meerdere schuldeisers en opent de post niet.",
                "Schulden in beeld, aangemeld bij schuldhulpverlening en budgetbeheer loopt.",
            ),
            (
                "Geen inkomen sinds de uitval van school; leent geld van vrienden.",
                "Een vast inkomen (uitkering, stagevergoeding of loon) en overzicht van vaste "
                "lasten.",
            ),
        ),
        "werk-opleiding": (
            (
                "Is voortijdig gestopt met de mbo-opleiding en heeft geen startkwalificatie.",
                "Ingeschreven bij een opleiding of werkleertraject en aanwezig volgens rooster.",
            ),
            (
                "Verliest steeds binnen enkele weken werk door te laat komen en conflicten.",
                "Minimaal drie maanden aan het werk bij dezelfde werkgever.",
            ),
        ),
        "tijdsbesteding": (
            (
                "Hangt overdag rond met een groep die overlast veroorzaakt.",
                "Een vaste dagstructuur met werk, school of dagbesteding op vier dagen per week.",
            ),
            (
                "Heeft geen dagritme; slaapt overdag en is 's nachts op straat.",
                "Een regelmatig dag- en nachtritme met een zinvolle dagbesteding.",
            ),
        ),
        "huisvesting": (
            (
                "Dreigt de kamer kwijt te raken door huurachterstand en overlastmeldingen.",
                "Woonruimte behouden met een betalingsregeling en begeleiding bij wonen.",
            ),
            (
                "Slaapt wisselend bij vrienden en familie; heeft geen vast adres.",
                "Een eigen, stabiele woonplek, zo nodig begeleid wonen.",
            ),
        ),
        "huiselijke-relaties": (
            (
                "Thuis lopen ruzies hoog op; moeder voelt zich niet veilig.",
                "Geen meldingen van huiselijk geweld; afspraken met moeder worden nagekomen.",
            ),
            (
                "Het contact met de ouders is verbroken na een conflict.",
                "Herstel van contact met ten minste één ouder of een andere steunfiguur.",
            ),
        ),
        "geestelijke-gezondheid": (
            (
                "Vermoeden van een licht verstandelijke beperking en somberheid; geen hulp in "
                "beeld.",
                "Diagnostiek afgerond en passende behandeling of begeleiding gestart.",
            ),
            (
                "Impulsief en agressief gedrag; eerdere behandeling is afgebroken.",
                "Behandeling bij de GGZ wordt gevolgd en afspraken worden nagekomen.",
            ),
        ),
        "lichamelijke-gezondheid": (
            (
                "Slaapt slecht en heeft geen huisarts.",
                "Ingeschreven bij een huisarts; klachten zijn in behandeling.",
            ),
        ),
        "middelengebruik": (
            (
                "Blowt dagelijks en drinkt in het weekend; het gebruik leidt tot conflicten.",
                "Minder gebruik en deelname aan een traject van de verslavingszorg.",
            ),
            (
                "Gebruikt in het weekend lachgas en cocaïne; schulden door het gebruik.",
                "Geen harddrugsgebruik meer; gebruik besproken met de verslavingszorg.",
            ),
        ),
        "basale-adl": (
            (
                "Verzorgt zichzelf onvoldoende en eet onregelmatig.",
                "Zorgt zelfstandig voor persoonlijke verzorging en maaltijden.",
            ),
        ),
        "instrumentele-adl": (
            (
                "Regelt post en DigiD niet zelf; toeslagen zijn stopgezet.",
                "Administratie op orde met hulp van een maatje of bewindvoerder.",
            ),
            (
                "Mist afspraken met instanties omdat plannen niet lukt.",
                "Gebruikt een agenda en komt afspraken met instanties zelfstandig na.",
            ),
        ),
        "sociaal-netwerk": (
            (
                "Het netwerk bestaat vooral uit leeftijdgenoten die ook met politie in "
                "aanraking komen.",
                "Contact met ten minste één positieve steunfiguur buiten de groep.",
            ),
            (
                "Heeft nauwelijks contacten en trekt zich terug.",
                "Een steunend netwerk van familie, vrienden of een mentor.",
            ),
        ),
        "maatschappelijke-participatie": (
            (
                "Doet niet mee in de wijk en wantrouwt instanties.",
                "Neemt deel aan een activiteit in de wijk, bijvoorbeeld sport of "
                "vrijwilligerswerk.",
            ),
        ),
        "justitie": (
            (
                "Meerdere politieregistraties voor winkeldiefstal, vernieling en bedreiging in "
                "het afgelopen jaar.",
                "Geen nieuwe registraties; strafzaken afgerond en bijzondere voorwaarden "
                "nageleefd.",
            ),
            (
                "Staat onder toezicht van de jeugdreclassering en houdt zich niet aan de "
                "voorwaarden.",
                "De voorwaarden van het toezicht worden nageleefd; geen nieuwe delicten.",
            ),
        ),
        # Leefgebieden-8
        "delictgedrag": (
            (
                "Meerdere aanhoudingen voor diefstal en geweld in het afgelopen jaar.",
                "Geen nieuwe delicten; lopende strafzaken afgerond.",
            ),
            (
                "Verdacht van betrokkenheid bij drugshandel in de wijk.",
                "Afstand genomen van het criminele netwerk; geen nieuwe registraties.",
            ),
        ),
        "overlast": (
            (
                "Veroorzaakt met een groep jongeren overlast bij het winkelcentrum.",
                "Negen maanden geen overlastmeldingen.",
            ),
            (
                "Buren melden geluidsoverlast en intimidatie.",
                "Geen meldingen van buren; afspraken met de woningcorporatie worden nagekomen.",
            ),
        ),
        "wonen-gezin": (
            (
                "Spanningen thuis; de ouders hebben weinig zicht op wat er speelt.",
                "Ouders zijn betrokken bij de aanpak en er zijn duidelijke afspraken thuis.",
            ),
            (
                "Woont zelfstandig maar dreigt uit huis gezet te worden.",
                "Een stabiele woonsituatie zonder huurachterstand.",
            ),
        ),
        "sociale-relaties": (
            (
                "Trekt op met oudere jongeren die betrokkene meenemen in criminaliteit.",
                "Minder contact met de negatieve vriendengroep; positieve vrijetijdsbesteding.",
            ),
        ),
        "dagbesteding-onderwijs-werk": (
            (
                "Veel ongeoorloofd verzuim; dreigt zonder diploma van school te gaan.",
                "Volgt school volgens rooster en haalt een startkwalificatie.",
            ),
            (
                "Geen werk of opleiding; hangt overdag op straat.",
                "Aan het werk of in opleiding via een werkleertraject.",
            ),
        ),
        "gezondheid": (
            (
                "Blowt dagelijks, slaapt slecht en heeft somberheidsklachten.",
                "In behandeling bij de GGZ en minder middelengebruik.",
            ),
        ),
        "financien-hulpverlening": (
            (
                "Schulden bij meerdere instanties; eerdere hulpverlening is gestopt.",
                "Schulden in beeld, aangemeld bij schuldhulp en een vaste hulpverlener.",
            ),
        ),
        "gedrag-houding": (
            (
                "Reageert agressief op gezag en houdt zich niet aan afspraken.",
                "Komt afspraken na en volgt een agressieregulatietraining.",
            ),
        ),
    }
)
assert all(d in PROBLEM_BANK for ds in reference.INSTRUMENT_DOMAINS.values() for d in ds)

#: Action texts with the organisation domains that would own them.
ACTION_BANK: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("Aanmelden bij schuldhulpverlening en eerste gesprek plannen", ("schuldhulp",)),
    ("Gesprek met leerplicht/RMC over terugkeer naar een opleiding", ("onderwijs",)),
    ("Huisbezoek door de wijkagent met de casusregisseur", ("politie",)),
    ("Intake bij de GGZ plannen en begeleiden naar de eerste afspraak", ("zorg",)),
    ("Betalingsregeling huurachterstand afspreken met de woningcorporatie", ("wonen",)),
    ("Startgesprek met betrokkene en ouders", ("gemeente-oov", "sociaal-wijkteam")),
    ("Toeleiden naar sport of activiteiten van het jongerenwerk", ("jongerenwerk",)),
    ("Reclasseringsadvies opvragen voor de lopende strafzaak", ("reclassering",)),
    ("Uitkering aanvragen en inkomsten op orde brengen", ("werk-en-inkomen",)),
    ("Veiligheidsplan opstellen met het gezin", ("veilig-thuis", "jeugdbescherming")),
    ("Werkleertraject zoeken en kennismaking plannen", ("werk-en-inkomen", "onderwijs")),
)

INTERVENTION_BANK: Final[Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]] = MappingProxyType(
    {
        "zorg": (
            ("Ambulante begeleiding vanuit het sociaal wijkteam", ("sociaal-wijkteam",)),
            ("Ambulante behandeling bij de GGZ", ("zorg",)),
            ("Traject bij de verslavingszorg", ("zorg",)),
        ),
        "strafrechtelijk": (
            ("Toezicht met bijzondere voorwaarden", ("reclassering", "jeugdbescherming")),
            ("Afspraak met het OM over snelrecht bij nieuwe delicten", ("om",)),
            ("Reclasseringsadvies bij de lopende strafzaak", ("reclassering",)),
        ),
        "bestuurlijk": (
            ("Waarschuwingsgesprek bij de burgemeester", ("gemeente-oov",)),
            ("Gebiedsverbod winkelcentrum voorbereiden", ("gemeente-oov",)),
            ("Bestuurlijke rapportage aan de woningcorporatie", ("gemeente-oov", "wonen")),
        ),
    }
)

COMMITMENT_BANK: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("Plant binnen vier weken een intake.", ("zorg", "jeugdhulp")),
    (
        "Levert binnen zes weken een begeleider voor de dagbesteding.",
        ("sociaal-wijkteam", "werk-en-inkomen", "jongerenwerk"),
    ),
    ("Deelt wekelijks relevante meldingen met de casusregisseur.", ("politie",)),
    ("Houdt een plek in begeleid wonen vrij zodra de huurachterstand is geregeld.", ("wonen",)),
    (
        "Zorgt voor een vaste contactpersoon voor betrokkene.",
        ("sociaal-wijkteam", "reclassering", "jeugdbescherming"),
    ),
)

END_CRITERIA: Final = (
    "Negen maanden geen nieuwe meldingen van overlast of criminaliteit, een stabiele "
    "dagbesteding en een vaste hulpverlener die de begeleiding overneemt.",
    "Een half jaar geen nieuwe politieregistraties, huisvesting en inkomen op orde en een "
    "warme overdracht naar het sociaal wijkteam.",
    "De doelen op de belangrijkste leefgebieden zijn behaald en de begeleiding kan zonder "
    "regie door één partner worden voortgezet.",
)

NOT_INFORMED_REASONS: Final = (
    "Informeren kan een lopend politieonderzoek schaden; afstemming met de politie volgt.",
    "Betrokkene is nog niet bereikt; de brief volgt na de triage.",
    "Het contact loopt via de jeugdreclassering; informeren gebeurt in het startgesprek.",
)

PLACES: Final = ("rond het winkelcentrum", "bij het station", "in de wijk", "in het park")
STUCK: Final = (
    "eerdere trajecten zijn afgebroken.",
    "hulpverleners weten niet van elkaars inzet.",
    "afspraken worden niet nagekomen en niemand heeft de regie.",
)

TRIAGE_REASONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "opnemen": ("Voldoet aan de inclusiecriteria; integrale aanpak nodig.",),
        "een-partner": (
            "De problematiek ligt vooral in één domein; het sociaal wijkteam pakt dit op.",
        ),
        "doorverwijzen-zorgoverleg": (
            "Vooral zorgvragen zonder veiligheidsrisico; past in het zorgoverleg.",
        ),
        "doorverwijzen-zorgpartner": ("Behandeling is nodig en mogelijk binnen één zorgpartner.",),
        "niet-opnemen": (
            "Onvoldoende inclusiecriteria: geen herhaald overlastgevend of crimineel gedrag.",
            "Geen meervoudige problematiek; regulier hulpaanbod volstaat.",
        ),
    }
)

REOPEN_REASONS: Final = (
    "Nieuwe meldingen van overlast na afsluiting; terug naar een herzien plan.",
    "Terugval na verlies van woonruimte; partners willen de regie hervatten.",
)

GROUP_NAMES: Final = (
    "Groep Stationsplein",
    "De Boskantjongeren",
    "Groep Winkelhof",
    "De Parkbankgroep",
    "Groep Oosterspeelveld",
    "De Sluisjes",
)
GROUP_SIGNALS: Final = (
    "Groep van ongeveer {n} jongeren die 's avonds {place} samenkomt; meldingen van "
    "intimidatie van voorbijgangers, vernielingen en vermoedelijke drugshandel.",
    "Jongeren komen dagelijks {place} bijeen; winkeliers melden diefstal en bedreiging, "
    "jongerenwerk ziet nieuwe, jongere aanwas.",
)
EARLY_EXIT_REASONS: Final = (
    "Signalen afgehandeld met extra toezicht in de wijk; geen integrale aanpak nodig.",
    "Na het integrale beeld is de urgentie niet groot genoeg voor een groepsaanpak.",
    "De driehoek prioriteert de groep niet; partners volgen de signalen in het reguliere overleg.",
)
GROUP_ROLES: Final = ("kern", "meeloper", "randfiguur")

#: Organisation domains that typically make an aanmelding (weighted by repetition).
AANMELDER_DOMAINS: Final = (
    "politie",
    "politie",
    "politie",
    "gemeente-oov",
    "jeugdbescherming",
    "reclassering",
    "sociaal-wijkteam",
    "sociaal-wijkteam",
    "onderwijs",
    "jongerenwerk",
    "wonen",
    "veilig-thuis",
    "zorg-en-veiligheidshuis",
)
_REGIE_DOMAINS: Final = ("gemeente-oov", "zorg-en-veiligheidshuis")
REGISSEUR_DOMAINS: Final = ("sociaal-wijkteam", "gemeente-oov", "zorg-en-veiligheidshuis", "zorg")

#: Target states, every state once before the extra (weighted) ones.
_P = PersonState
PERSON_TARGETS: Final[tuple[str, ...]] = (
    *(s.value for s in PersonState),
    _P.UITVOERING,
    _P.MONITORING,
    _P.UITVOERING,
    _P.IN_TRIAGE,
    _P.PLAN,
    _P.UITVOERING,
    _P.MONITORING,
)

#: Days a transition to a state typically takes, (low, high).
_GAPS: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        _P.IN_TRIAGE: (2, 10),
        _P.NIET_OPGENOMEN: (7, 21),
        _P.DOORVERWEZEN: (7, 21),
        _P.OPGENOMEN: (7, 21),
        _P.PLAN: (10, 30),
        _P.UITVOERING: (14, 35),
        _P.MONITORING: (90, 200),
        _P.AFGESCHAALD: (60, 200),
        _P.OPGESCHAALD: (30, 120),
        _P.GESTOPT: (30, 150),
        _P.WAAKVLAM: (14, 30),
        _P.GEARCHIVEERD: (60, 180),
    }
)
#: Days spent in the final state before today, (low, high).
_TAILS: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        _P.AANGEMELD: (0, 7),
        _P.IN_TRIAGE: (0, 10),
        _P.NIET_OPGENOMEN: (0, 60),
        _P.DOORVERWEZEN: (0, 60),
        _P.OPGENOMEN: (0, 14),
        _P.PLAN: (0, 20),
        _P.UITVOERING: (10, 250),
        _P.MONITORING: (10, 200),
        _P.AFGESCHAALD: (0, 20),
        _P.OPGESCHAALD: (0, 20),
        _P.GESTOPT: (0, 20),
        _P.WAAKVLAM: (10, 200),
        _P.GEARCHIVEERD: (0, 400),
    }
)


# --- Manifests ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Manifest]:
    return {m.gemeentecode.upper(): m for m in load_all(SHIPPED_MANIFESTS_DIR)}


def _manifest(tenant_code: str, manifest: Manifest | None) -> Manifest:
    if manifest is not None:
        if manifest.gemeentecode.upper() != tenant_code.upper():
            raise ValueError(
                f"Manifest '{manifest.gemeentecode}' hoort niet bij tenant '{tenant_code}'."
            )
        return manifest
    try:
        return _shipped()[tenant_code.upper()]
    except KeyError:
        raise ValueError(
            f"Onbekende tenant '{tenant_code}'; bekend: {', '.join(sorted(_shipped()))}."
        ) from None


def _rng(tenant_code: str, seed: int, kind: str) -> random.Random:
    return random.Random(f"{tenant_code.upper()}|{seed}|{kind}")


# --- People ---------------------------------------------------------------------------------


class _Factory:
    """Draws fictional people for one tenant; keeps BSNs unique within one call."""

    def __init__(self, rng: random.Random, manifest: Manifest, bsn_digits: str) -> None:
        self.rng = rng
        self.manifest = manifest
        self.bsn_digits = bsn_digits
        self.used_bsns: set[str] = set()
        self.used_aliases: set[str] = set()
        if manifest.kind == "regio":
            self.cities = REGION_CITIES.get(manifest.region, ("Utrecht",))
        else:
            self.cities = (manifest.name,)

    def bsn(self) -> str:
        while True:
            first_eight = (
                "999" + self.rng.choice(self.bsn_digits) + f"{self.rng.randrange(10_000):04d}"
            )
            digit = check_digit(first_eight)
            if digit is None:
                continue
            value = first_eight + str(digit)
            if value not in self.used_bsns:
                self.used_bsns.add(value)
                return value

    def address(self) -> DemoAddress:
        rng = self.rng
        city = rng.choice(self.cities)
        low, high = CITY_POSTCODES.get(city, (1000, 9999))
        letters = rng.choice(_POSTCODE_LETTERS) + rng.choice(_POSTCODE_LETTERS)
        number = str(rng.randint(1, 180))
        if rng.random() < 0.2:
            number += rng.choice(("A", "B", "-bis", " 2-hoog"))
        return DemoAddress(rng.choice(STREETS), number, f"{rng.randint(low, high)} {letters}", city)

    def birth_date(self, earliest_check: date, latest_check: date, lo: int, hi: int) -> date:
        """A birth date with age >= lo on ``earliest_check`` and <= hi on ``latest_check``."""
        rng = self.rng
        for _ in range(100):
            age = rng.randint(lo, hi)
            birth = date(earliest_check.year - age, 1, 1) + timedelta(days=rng.randrange(365))
            if birth > earliest_check:
                continue
            if age_on(birth, earliest_check) >= lo and age_on(birth, latest_check) <= hi:
                return birth
        # Fallback: exactly lo years old on earliest_check (span shorter than the band).
        return date(earliest_check.year - lo, earliest_check.month, 1) - timedelta(days=1)

    def person(self, earliest_check: date, latest_check: date, lo: int, hi: int) -> DemoPerson:
        rng = self.rng
        first = rng.choice(SEED_FIRST_NAMES) if rng.random() < 0.3 else None
        first = first or rng.choice(COMMON_FIRST_NAMES)
        given = first if rng.random() < 0.5 else f"{first} {rng.choice(MIDDLE_NAMES)}"
        roepnaam = NICKNAMES[first] if first in NICKNAMES and rng.random() < 0.5 else first
        aliases: tuple[str, ...] = ()
        free = [a for a in STREET_ALIASES if a not in self.used_aliases]
        if free and rng.random() < 0.35:
            aliases = (rng.choice(free),)
            self.used_aliases.add(aliases[0])
        return DemoPerson(
            given_names=given,
            surname=rng.choice(SURNAMES),
            roepnaam=roepnaam,
            aliases=aliases,
            birth_date=self.birth_date(earliest_check, latest_check, lo, hi),
            bsn=self.bsn(),
            address=self.address(),
        )


def _age_limits(manifest: Manifest) -> tuple[int, int]:
    lo, hi = manifest.age_band.min, manifest.age_band.max
    if manifest.kind == "regio":
        lo, hi = max(lo, 18), min(hi, 45)
    return lo, max(lo, hi)


def _pick_org(
    rng: random.Random, orgs: Sequence[Organisation], domains: Sequence[str]
) -> Organisation:
    """An organisation of the first domain that has one; else the regie; else any."""
    for domain in (*domains, *_REGIE_DOMAINS):
        matches = [o for o in orgs if o.domain == domain]
        if matches:
            return rng.choice(matches)
    return rng.choice(list(orgs))


def _fitting(
    bank: Sequence[tuple[str, tuple[str, ...]]], orgs: Sequence[Organisation]
) -> list[tuple[str, tuple[str, ...]]]:
    """Bank entries some organisation of the tenant can own (all when none fits)."""
    present = {o.domain for o in orgs}
    fitting = [entry for entry in bank if present.intersection(entry[1])]
    return fitting or list(bank)


def _person_meeting(
    rng: random.Random, meetings: Sequence[MeetingType], *, triage: bool, age: int
) -> str | None:
    person = [m for m in meetings if m.casus_type == lifecycle.PERSON]

    def triage_like(m: MeetingType) -> bool:
        return any(w in m.id for w in ("triage", "screening", "agendering"))

    if triage:
        options = [m for m in person if triage_like(m)]
        return rng.choice(options).id if options else None
    options = [
        m
        for m in person
        if not triage_like(m) and "herijking" not in m.id and m.frequency_weeks is not None
    ]
    if any(m.id.endswith("23-plus") for m in options):
        if age >= 23:
            options = [m for m in options if m.id.endswith("23-plus")]
        else:
            options = [m for m in options if not m.id.endswith("23-plus")]
    if not options:
        options = [m for m in person if not triage_like(m)]
    return rng.choice(options).id if options else None


# --- Person casussen ------------------------------------------------------------------------


def _route(rng: random.Random, target: str) -> tuple[list[DemoStep], bool]:
    """States (without dates) from aangemeld to ``target``; True when it reopens."""
    steps: list[DemoStep] = []

    def add(state: str, **data: str | None) -> None:
        steps.append(DemoStep(str(state), date.min, **data))

    def triage(decision: str) -> None:
        add(_P.IN_TRIAGE)
        add(
            lifecycle.TRIAGE_DECISION_STATES[decision],
            triage_decision=decision,
            reason=rng.choice(TRIAGE_REASONS[decision]),
        )

    def closure(state: str) -> None:
        add(state, closure_reason=rng.choice(lifecycle.CLOSURE_REASON_CODES[state]))

    def included(until: str) -> None:
        triage("opnemen")
        if until == _P.OPGENOMEN:
            return
        for state in (_P.PLAN, _P.UITVOERING, _P.MONITORING):
            add(state)
            if state == until:
                return

    reopened = False
    if target == _P.AANGEMELD:
        pass
    elif target == _P.IN_TRIAGE:
        add(_P.IN_TRIAGE)
    elif target == _P.NIET_OPGENOMEN:
        triage("niet-opnemen")
    elif target == _P.DOORVERWEZEN:
        triage(rng.choice([d for d, s in lifecycle.TRIAGE_DECISION_STATES.items() if s == target]))
    elif target in (_P.OPGENOMEN, _P.PLAN, _P.MONITORING):
        included(target)
    elif target == _P.UITVOERING:
        if rng.random() < 0.25:
            included(_P.MONITORING)
            closure(_P.AFGESCHAALD)
            add(_P.WAAKVLAM)
            add(_P.PLAN, reason=rng.choice(REOPEN_REASONS))
            add(_P.UITVOERING)
            reopened = True
        else:
            included(_P.UITVOERING)
    elif target in lifecycle.CLOSURE_STATES:
        included(_P.MONITORING if target == _P.AFGESCHAALD else _P.UITVOERING)
        closure(target)
    elif target == _P.WAAKVLAM:
        included(_P.MONITORING)
        closure(rng.choice(sorted(lifecycle.CLOSURE_STATES)))
        add(_P.WAAKVLAM)
    elif target == _P.GEARCHIVEERD:
        if rng.random() < 0.5:
            triage(rng.choice(["niet-opnemen", "een-partner", "doorverwijzen-zorgpartner"]))
        else:
            included(_P.MONITORING)
            closure(rng.choice(sorted(lifecycle.CLOSURE_STATES)))
            add(_P.WAAKVLAM)
        # Archiving needs a reason (issue 12); a fixed one keeps the random stream unchanged.
        add(_P.GEARCHIVEERD, reason=ARCHIVE_REASON)
    else:  # pragma: no cover - every state is handled above
        raise AssertionError(target)
    return steps, reopened


def _dated(
    rng: random.Random, steps: list[DemoStep], target: str, today: date
) -> tuple[date, tuple[DemoStep, ...]]:
    gaps = [rng.randint(*_GAPS[step.state]) for step in steps]
    tail = rng.randint(*_TAILS[target])
    start = today - timedelta(days=sum(gaps) + tail)
    dated: list[DemoStep] = []
    on = start
    for step, gap in zip(steps, gaps, strict=True):
        on = on + timedelta(days=gap)
        dated.append(
            DemoStep(str(step.state), on, step.triage_decision, step.closure_reason, step.reason)
        )
    return start, tuple(dated)


def _criteria(rng: random.Random, manifest: Manifest, decision: str | None) -> tuple[str, ...]:
    ids = [c.id for c in manifest.inclusion.criteria]
    minimum = manifest.inclusion.minimum_met
    if decision is None:
        return ()
    if decision == "opnemen":
        count = rng.randint(minimum, len(ids))
    elif decision == "niet-opnemen":
        count = rng.randint(0, minimum - 1)
    else:
        count = rng.randint(0, len(ids))
    return tuple(sorted(rng.sample(ids, count)))


def _trend(closure_reason: str | None) -> tuple[float, float, float]:
    if closure_reason == "afgeschaald":
        return (0.05, 0.4, 0.55)
    if closure_reason in ("opgeschaald", "gestopt-strafrecht", "gestopt-geen-medewerking"):
        return (0.35, 0.5, 0.15)
    return (0.12, 0.53, 0.35)


def _assessments(
    rng: random.Random,
    instrument: str,
    problem_domains: Sequence[str],
    intake_on: date,
    end_on: date,
    closure_reason: str | None,
    closed: bool,
) -> tuple[DemoAssessment, ...]:
    domains = list(instrument_domains(instrument))
    scores = {
        d: rng.randint(1, 2) if d in problem_domains else rng.choice((2, 3, 3, 4, 4, 5))
        for d in domains
    }
    result = [DemoAssessment(Moment.INTAKE.value, intake_on, MappingProxyType(dict(scores)))]
    weights = _trend(closure_reason)
    on = intake_on
    while True:
        on = on + timedelta(days=rng.randint(120, 180))
        last = on >= end_on
        if last and not closed:
            break
        for d in domains:
            delta = rng.choices((-1, 0, 1), weights=weights)[0]
            scores[d] = min(SCORE_MAX, max(SCORE_MIN, scores[d] + delta))
        moment = Moment.AFSLUITING if last else Moment.TUSSENTIJDS
        result.append(DemoAssessment(moment.value, min(on, end_on), MappingProxyType(dict(scores))))
        if last:
            break
    return tuple(result)


def _plan(
    rng: random.Random,
    manifest: Manifest,
    goals: Sequence[tuple[str, str, str]],
    plan_on: date,
    state: str,
    today: date,
) -> PlanContent:
    orgs = manifest.organisations
    finished = not lifecycle.is_active(lifecycle.PERSON, state)
    actions: list[Action] = []
    action_bank = _fitting(ACTION_BANK, orgs)
    picked = rng.sample(action_bank, min(len(action_bank), rng.randint(2, 4)))
    for index, (text, domains) in enumerate(picked, 1):
        deadline = plan_on + timedelta(weeks=rng.randint(2, 12))
        if state == _P.PLAN:
            status = "open"
        elif finished:
            status = rng.choice(("gereed", "gereed", "vervallen"))
        elif deadline < today:
            status = rng.choice(("gereed", "gereed", "loopt"))
        else:
            status = rng.choice(("open", "loopt"))
        actions.append(
            Action(
                id=f"a{index}",
                description=text,
                owner_organisation_id=_pick_org(rng, orgs, domains).id,
                deadline=deadline,
                status=status,
            )
        )
    interventions = []
    for track in rng.sample(sorted(INTERVENTION_BANK), rng.randint(1, 3)):
        text, domains = rng.choice(_fitting(INTERVENTION_BANK[track], orgs))
        interventions.append(
            Intervention(
                track=track,
                description=text,
                organisation_id=_pick_org(rng, orgs, domains).id,
            )
        )
    commitments = []
    commitment_bank = _fitting(COMMITMENT_BANK, orgs)
    picked_commitments = rng.sample(commitment_bank, min(len(commitment_bank), rng.randint(1, 2)))
    for text, domains in picked_commitments:
        if finished:
            c_status = "nagekomen"
        elif state == _P.PLAN:
            c_status = "open"
        else:
            c_status = rng.choice(("open", "nagekomen", "nagekomen"))
        commitments.append(
            Commitment(
                organisation_id=_pick_org(rng, orgs, domains).id,
                text=text,
                made_on=plan_on,
                status=c_status,
            )
        )
    return PlanContent(
        goals=[Goal(domain=d, problem=p, goal=g) for d, p, g in goals],
        end_criterion=rng.choice(END_CRITERIA),
        actions=actions,
        interventions=interventions,
        commitments=commitments,
    )


def _one_casus(
    rng: random.Random, factory: _Factory, manifest: Manifest, index: int, target: str, today: date
) -> DemoCasus:
    instrument = manifest.assessment_instrument
    steps, reopened = _route(rng, target)
    aangemeld_on, path = _dated(rng, steps, target, today)
    lo, hi = _age_limits(manifest)
    person = factory.person(aangemeld_on, today, lo, hi)
    orgs = [o for o in manifest.organisations if not o.receive_only] or manifest.organisations
    aanmelder = _pick_org(rng, orgs, [rng.choice(AANMELDER_DOMAINS)])

    domains = list(instrument_domains(instrument))
    chosen = rng.sample(domains, rng.randint(3, min(5, len(domains))))
    goals: list[tuple[str, str, str]] = []
    for d in chosen:
        problem, goal = rng.choice(PROBLEM_BANK[d])
        goals.append((d, problem, goal))
    problems = tuple(DemoProblem(d, p) for d, p, _ in goals)

    triage_step = next((s for s in path if s.triage_decision), None)
    decision = triage_step.triage_decision if triage_step else None
    closed = not lifecycle.is_active(lifecycle.PERSON, target) and not reopened
    closure_step = next((s for s in reversed(path) if s.closure_reason), None) if closed else None
    closure_reason = closure_step.closure_reason if closure_step else None
    plan_step = next((s for s in path if s.state == _P.PLAN), None)
    plan_on = plan_step.on if plan_step else None

    informed = rng.random() < 0.7
    if decision is None:
        registrations = rng.randint(0, 6)
    elif decision == "opnemen":
        registrations = rng.randint(2, 9)
    else:
        registrations = rng.randint(0, 3)
    if registrations == 0:
        police = "is in het afgelopen jaar niet door de politie geregistreerd"
    elif registrations == 1:
        police = "is in het afgelopen jaar één keer door de politie geregistreerd"
    else:
        police = f"is in het afgelopen jaar {registrations} keer door de politie geregistreerd"
    labels = [instrument_domains(instrument)[d].lower() for d in chosen]
    age = age_on(person.birth_date, aangemeld_on)
    waarom = (
        f"{person.roepnaam} ({age}) veroorzaakt herhaaldelijk overlast {rng.choice(PLACES)} "
        f"en {police}. "
        f"Er spelen problemen op {len(chosen)} leefgebieden ({', '.join(labels)}). "
        f"Losse hulpverlening loopt vast: {rng.choice(STUCK)} "
        "Een geregisseerde aanpak met meerdere partners is nodig."
    )

    included = decision == "opnemen"
    regisseur = _pick_org(rng, manifest.organisations, REGISSEUR_DOMAINS) if included else None
    plan = None
    assessments: tuple[DemoAssessment, ...] = ()
    if plan_on is not None:
        plan = _plan(rng, manifest, goals, plan_on, target, today)
        end_on = closure_step.on if closure_step else today
        assessments = _assessments(
            rng,
            instrument,
            chosen,
            plan_on,
            end_on,
            closure_reason,
            closed=closure_step is not None,
        )
    participants = {aanmelder.id}
    if regisseur is not None:
        participants.add(regisseur.id)
    if plan is not None:
        participants.update(a.owner_organisation_id for a in plan.actions)
        participants.update(i.organisation_id for i in plan.interventions if i.organisation_id)
        participants.update(c.organisation_id for c in plan.commitments)

    in_triage = target == _P.IN_TRIAGE
    meeting = None
    if in_triage or included:
        meeting = _person_meeting(
            rng, manifest.meeting_types, triage=in_triage, age=age_on(person.birth_date, today)
        )
    last_melding = None
    if target in (_P.UITVOERING, _P.MONITORING) and plan_on is not None:
        since = (today - aangemeld_on).days
        last_melding = today - timedelta(days=rng.randint(5, max(6, since + 30)))

    return DemoCasus(
        key=f"{manifest.gemeentecode}-P{index:02d}",
        tenant_code=manifest.gemeentecode,
        instrument=instrument,
        person=person,
        aanmelder_organisation_id=aanmelder.id,
        aanmelder_domain=aanmelder.domain,
        aangemeld_on=aangemeld_on,
        waarom_integraal=waarom,
        problems=problems,
        police_registrations_12m=registrations,
        informed=informed,
        not_informed_reason=None if informed else rng.choice(NOT_INFORMED_REASONS),
        target_state=target,
        path=path,
        criteria_met=_criteria(rng, manifest, decision),
        triage_decision=decision,
        triage_reason=triage_step.reason if triage_step else None,
        meeting_type_id=meeting,
        casusregisseur_organisation_id=regisseur.id if regisseur else None,
        participant_organisation_ids=tuple(sorted(participants)),
        plan_created_on=plan_on,
        plan=plan,
        assessments=assessments,
        closure_reason=closure_reason,
        last_melding_on=last_melding,
        reopened=reopened,
    )


def scenarios_for(
    tenant_code: str,
    count: int,
    seed: int,
    *,
    today: date | None = None,
    manifest: Manifest | None = None,
) -> list[DemoCasus]:
    """``count`` fictional person casussen for a tenant (gemeentecode, e.g. ``GM0355``).

    With ``count >= 13`` every person state occurs at least once; the rest are weighted
    towards running casussen. ``manifest`` defaults to the shipped manifest of the tenant
    (read once from ``tenants/manifests``); ``today`` defaults to the current date.
    Deterministic for equal arguments.
    """
    if count < 0:
        raise ValueError("Het aantal casussen mag niet negatief zijn.")
    m = _manifest(tenant_code, manifest)
    day = today or local_today()
    rng = _rng(tenant_code, seed, "persoon")
    factory = _Factory(rng, m, "01234567")
    targets = [str(PERSON_TARGETS[i % len(PERSON_TARGETS)]) for i in range(count)]
    rng.shuffle(targets)
    return [
        _one_casus(rng, factory, m, index, target, day) for index, target in enumerate(targets, 1)
    ]


# --- Group casussen -------------------------------------------------------------------------

_G = GroupState
_GROUP_GAPS: Final = (14, 35)


def _group_route(rng: random.Random, target: str) -> tuple[list[DemoStep], str | None]:
    steps: list[DemoStep] = []
    exit_reason = None
    order = [s.value for s in GroupState if s.value.startswith("stap-")]
    if target == _G.AFGESLOTEN and rng.random() < 0.5:
        exit_after = rng.randint(1, 4)
        for state in order[1:exit_after]:
            steps.append(DemoStep(state, date.min))
        exit_reason = rng.choice(EARLY_EXIT_REASONS)
        steps.append(DemoStep(_G.AFGESLOTEN, date.min, reason=exit_reason))
        return steps, exit_reason
    last = order.index(target) if target in order else len(order) - 1
    for state in order[1 : last + 1]:
        steps.append(DemoStep(state, date.min))
    if target == _G.AFGESLOTEN:
        steps.append(DemoStep(_G.AFGESLOTEN, date.min))
    return steps, exit_reason


def group_scenarios_for(
    tenant_code: str,
    count: int | None,
    seed: int,
    *,
    today: date | None = None,
    manifest: Manifest | None = None,
) -> list[DemoGroupCasus]:
    """Fictional group casussen (jeugdgroepen) for a tenant.

    ``count`` None: 2 when the tenant has a meeting type for groups, else none. Members
    (3-6, ages within the tenant band and at most 23) are known from step 2 on.
    """
    m = _manifest(tenant_code, manifest)
    group_meetings = [t for t in m.meeting_types if t.casus_type == lifecycle.GROUP]
    if count is None:
        count = 2 if group_meetings and m.kind == "gemeente" else 0
    if count < 0:
        raise ValueError("Het aantal groepscasussen mag niet negatief zijn.")
    day = today or local_today()
    rng = _rng(tenant_code, seed, "groep")
    factory = _Factory(rng, m, "89")
    lo = max(m.age_band.min, 14)
    hi = max(lo, min(m.age_band.max, 23))
    targets = [s.value for s in GroupState if s != _G.GEARCHIVEERD]
    rng.shuffle(targets)
    names = rng.sample(GROUP_NAMES, min(count, len(GROUP_NAMES)))
    result: list[DemoGroupCasus] = []
    for index in range(count):
        target = str(targets[index % len(targets)])
        steps, exit_reason = _group_route(rng, target)
        gaps = [rng.randint(*_GROUP_GAPS) for _ in steps]
        started_on = day - timedelta(days=sum(gaps) + rng.randint(0, 30))
        on = started_on
        path: list[DemoStep] = []
        for step, gap in zip(steps, gaps, strict=True):
            on = on + timedelta(days=gap)
            path.append(DemoStep(str(step.state), on, reason=step.reason))
        reached_step_2 = any(s.state == _G.STAP_2 for s in path)
        members: tuple[DemoGroupMember, ...] = ()
        coordinator = None
        if reached_step_2:
            size = rng.randint(3, 6)
            members = tuple(
                DemoGroupMember(
                    factory.person(started_on, day, lo, hi),
                    "kern" if i < 2 else rng.choice(GROUP_ROLES[1:]),
                )
                for i in range(size)
            )
            coordinator = _pick_org(rng, m.organisations, ("gemeente-oov", "jongerenwerk")).id
        name = names[index] if index < len(names) else f"Groep {index + 1}"
        signals = rng.choice(GROUP_SIGNALS).format(
            n=max(len(members), rng.randint(5, 9)), place=rng.choice(PLACES)
        )
        result.append(
            DemoGroupCasus(
                key=f"{m.gemeentecode}-G{index + 1:02d}",
                tenant_code=m.gemeentecode,
                group_name=name,
                signals=signals,
                meeting_type_id=rng.choice(group_meetings).id if group_meetings else None,
                started_on=started_on,
                target_state=target,
                path=tuple(path),
                members=members,
                coordinator_organisation_id=coordinator,
                early_exit_reason=exit_reason,
            )
        )
    return result
