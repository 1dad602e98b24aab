"""The code lists of the platform: THE one place where codes are defined.

Codes are lower-case and hyphenated; they are used unchanged in the database, the policies,
the API and the analytics contract. Every mapping below goes from code to its Dutch label,
which is what the UI shows. Source: docs/reference-data.md (shared docs).

Only :data:`ORGANISATION_DOMAINS` is extensible: a tenant manifest may add domains in its
``extra_domains`` table, but may never rename or relabel a code defined here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

#: Syntax of every code (and of manifest ids): lower-case words joined by single hyphens.
CODE_PATTERN: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _codes(items: dict[str, str]) -> Mapping[str, str]:
    for code in items:
        assert CODE_PATTERN.fullmatch(code), code
    return MappingProxyType(items)


# --- Tenants --------------------------------------------------------------------------------

#: Kinds of tenant: a gemeente, or the regional bureau (Zorg- en Veiligheidshuis) of a region.
TENANT_KINDS: Final = _codes(
    {
        "gemeente": "Gemeente",
        "regio": "Regionaal bureau (Zorg- en Veiligheidshuis)",
    }
)

# --- Organisations and people ---------------------------------------------------------------

#: Organisation domains (extensible per manifest through ``extra_domains``).
ORGANISATION_DOMAINS: Final = _codes(
    {
        "politie": "Politie",
        "om": "Openbaar Ministerie",
        "reclassering": "Reclassering",
        "jeugdbescherming": "Jeugdbescherming en jeugdreclassering",
        "raad-kinderbescherming": "Raad voor de Kinderbescherming",
        "veilig-thuis": "Veilig Thuis",
        "zorg": "Zorg (GGZ, verslavingszorg, LVB-zorg, forensische zorg)",
        "jeugdhulp": "Jeugdhulp",
        "sociaal-wijkteam": "Sociaal wijkteam en CJG",
        "onderwijs": "Onderwijs, leerplicht en RMC",
        "werk-en-inkomen": "Werk en inkomen",
        "schuldhulp": "Schuldhulpverlening",
        "wonen": "Wonen (woningcorporatie, begeleid en beschermd wonen)",
        "jongerenwerk": "Jongerenwerk",
        "gemeente-oov": "Gemeente, openbare orde en veiligheid",
        "zorg-en-veiligheidshuis": "Zorg- en Veiligheidshuis",
        "halt": "Halt",
    }
)

#: User roles.
ROLES: Final = _codes(
    {
        "platformbeheerder": "Platformbeheerder (regionaal bureau)",
        "tenantbeheerder": "Beheerder van de gemeente",
        "pga-expert": "PGA-expert / procesregisseur",
        "casusregisseur": "Casusregisseur",
        "uitvoeringscoordinator": "Uitvoeringscoördinator (groepsaanpak)",
        "professional": "Professional van een partnerorganisatie",
        "adviseur": "Adviseur (niet betrokken, gepseudonimiseerd beeld)",
        "burgemeester-contactpersoon": "Contactpersoon burgemeester",
        "driehoek": "Driehoek (alleen geanonimiseerde plannen)",
        "onderzoeker": "Onderzoeker (alleen statistiek)",
    }
)

#: Roles that only a regional bureau (tenant kind ``regio``) may hand out.
REGIO_ONLY_ROLES: Final = frozenset({"platformbeheerder"})

# --- Information sharing --------------------------------------------------------------------

#: Data categories of an information item or field.
DATA_CATEGORIES: Final = _codes(
    {
        "algemeen": "Algemene casusinformatie",
        "identificerend": "Identificerende gegevens (NAW, geboortedatum)",
        "bsn": "Burgerservicenummer",
        "bijzonder": "Bijzondere persoonsgegevens (art. 9 AVG)",
        "strafrechtelijk": "Strafrechtelijke gegevens (art. 10 AVG / UAVG)",
        "politiegegevens": "Politiegegevens (Wet politiegegevens)",
        "justitieel": "Justitiële en strafvorderlijke gegevens (Wjsg)",
        "beroepsgeheim": "Gegevens onder beroepsgeheim",
        "financieel": "Financiële gegevens (inkomen, uitkering, schulden)",
        "derden": "Gegevens over derden (gezinsleden, anderen)",
    }
)

#: Purposes (doelbinding).
PURPOSES: Final = _codes(
    {
        "aanmelding": "Aanmelding",
        "triage": "Triage / screening",
        "informeren": "Informeren (brief, startgesprek)",
        "casusoverleg": "Casusoverleg",
        "plan-van-aanpak": "Plan van aanpak",
        "uitvoering": "Uitvoering",
        "monitoring": "Monitoring",
        "afsluiting": "Afsluiting",
        "opschaling": "Opschaling",
        "nazorg": "Nazorg",
        "inzage": "Inzageverzoek (AVG)",
        "verantwoording": "Verantwoording (alleen gepseudonimiseerde statistiek)",
    }
)

#: Legal bases of art. 6(1) AVG.
LEGAL_BASES_ART6: Final = _codes(
    {
        "toestemming": "Toestemming (art. 6 lid 1 sub a AVG)",
        "overeenkomst": "Overeenkomst (art. 6 lid 1 sub b AVG)",
        "wettelijke-verplichting": "Wettelijke verplichting (art. 6 lid 1 sub c AVG)",
        "vitaal-belang": "Vitaal belang (art. 6 lid 1 sub d AVG)",
        "publieke-taak": "Publieke taak (art. 6 lid 1 sub e AVG)",
        "gerechtvaardigd-belang": "Gerechtvaardigd belang (art. 6 lid 1 sub f AVG)",
    }
)

#: Art. 6(1)(f) is not available to public bodies performing their public tasks.
NOT_FOR_PUBLIC_TASKS: Final = frozenset({"gerechtvaardigd-belang"})

#: Exceptions of art. 9(2) AVG, required for the category ``bijzonder``.
LEGAL_BASES_ART9: Final = _codes(
    {
        "uitdrukkelijke-toestemming": "Uitdrukkelijke toestemming (art. 9 lid 2 sub a AVG)",
        "sociale-zekerheid": "Arbeidsrecht en sociale zekerheid (art. 9 lid 2 sub b AVG)",
        "vitaal-belang": "Vitaal belang (art. 9 lid 2 sub c AVG)",
        "rechtsvordering": "Rechtsvordering (art. 9 lid 2 sub f AVG)",
        "zwaarwegend-algemeen-belang": "Zwaarwegend algemeen belang (art. 9 lid 2 sub g AVG)",
        "zorg-en-sociale-stelsels": "Zorg en sociale stelsels (art. 9 lid 2 sub h AVG)",
    }
)

#: Grounds for breaking beroepsgeheim (category ``beroepsgeheim``).
BEROEPSGEHEIM_GROUNDS: Final = _codes(
    {
        "toestemming": "Toestemming van de betrokkene",
        "wettelijke-plicht": "Wettelijke plicht of wettelijk meldrecht",
        "conflict-van-plichten": "Conflict van plichten",
    }
)

# --- Administration (operators of the regional bureau, tenantbeheerders) --------------------

#: The purpose recorded with administrative actions: every operator action of the regional
#: bureau on tenants, and every user and role change by a tenantbeheerder.
ADMIN_PURPOSES: Final = _codes(
    {
        "platformbeheer": "Platformbeheer: gemeenten aansluiten, bijwerken, opschorten",
        "gebruikersbeheer": "Gebruikersbeheer van de gemeente",
    }
)

#: Purposes for which an operator may export all data of a tenant (stated per export and
#: recorded in the audit log of the tenant and of the regional bureau).
EXPORT_PURPOSES: Final = _codes(
    {
        "beeindiging-aansluiting": "Beëindiging van de aansluiting: gegevens terug naar gemeente",
        "overdracht-verwerker": "Overdracht aan een nieuwe verwerker of een opvolgend systeem",
        "inzageverzoek": "Inzage- of kopieverzoek van een betrokkene (art. 15 AVG)",
        "verzoek-toezichthouder": "Verzoek van een toezichthouder (Autoriteit Persoonsgegevens)",
        "vordering-justitie": "Vordering van justitie of een rechterlijk bevel",
    }
)

#: Legal bases (art. 6 AVG) an export can rest on; consent and legitimate interest cannot
#: carry the export of a whole gemeente.
EXPORT_LEGAL_BASES: Final = frozenset({"wettelijke-verplichting", "publieke-taak", "overeenkomst"})

# --- Assessment instruments -----------------------------------------------------------------

#: ZRM (Zelfredzaamheid-Matrix): 13 domains, the default instrument.
ZRM_DOMAINS: Final = _codes(
    {
        "financien": "Financiën",
        "werk-opleiding": "Werk en opleiding",
        "tijdsbesteding": "Tijdsbesteding",
        "huisvesting": "Huisvesting",
        "huiselijke-relaties": "Huiselijke relaties",
        "geestelijke-gezondheid": "Geestelijke gezondheid",
        "lichamelijke-gezondheid": "Lichamelijke gezondheid",
        "middelengebruik": "Middelengebruik",
        "basale-adl": "Basale ADL",
        "instrumentele-adl": "Instrumentele ADL",
        "sociaal-netwerk": "Sociaal netwerk",
        "maatschappelijke-participatie": "Maatschappelijke participatie",
        "justitie": "Justitie",
    }
)

#: Leefgebieden-8 (Zoetermeer PGA-monitor).
LEEFGEBIEDEN_8: Final = _codes(
    {
        "delictgedrag": "Delictgedrag / justitieel contact",
        "overlast": "Overlast",
        "wonen-gezin": "Woonsituatie / gezinssysteem",
        "sociale-relaties": "Sociale relaties",
        "dagbesteding-onderwijs-werk": "Dagbesteding, onderwijs en werk",
        "gezondheid": "Gezondheid",
        "financien-hulpverlening": "Financiën en hulpverlening",
        "gedrag-houding": "Gedrag en houding",
    }
)

#: Assessment instruments a tenant can choose (``zrm`` is the default).
ASSESSMENT_INSTRUMENTS: Final = _codes(
    {
        "zrm": "Zelfredzaamheid-Matrix (13 domeinen)",
        "leefgebieden-8": "Acht leefgebieden (PGA-monitor)",
    }
)

DEFAULT_ASSESSMENT_INSTRUMENT: Final = "zrm"

#: Domains per instrument.
INSTRUMENT_DOMAINS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {"zrm": ZRM_DOMAINS, "leefgebieden-8": LEEFGEBIEDEN_8}
)

#: The data categories of a leefgebied (ZRM or leefgebieden-8 domain): a score, a problem
#: description or a goal on that leefgebied falls under them and is masked with them.
#: Leefgebieden not listed are ``algemeen``.
LEEFGEBIED_CATEGORIES: Final[Mapping[str, frozenset[str]]] = {
    "financien": frozenset({"financieel"}),
    "financien-hulpverlening": frozenset({"financieel"}),
    "geestelijke-gezondheid": frozenset({"bijzonder"}),
    "lichamelijke-gezondheid": frozenset({"bijzonder"}),
    "middelengebruik": frozenset({"bijzonder"}),
    "gezondheid": frozenset({"bijzonder"}),
    "justitie": frozenset({"strafrechtelijk", "justitieel"}),
    "delictgedrag": frozenset({"strafrechtelijk", "justitieel"}),
}


#: The 1-5 scale shared by both instruments.
ASSESSMENT_SCALE: Final[Mapping[int, str]] = MappingProxyType(
    {
        1: "Acute problematiek",
        2: "Niet zelfredzaam",
        3: "Beperkt zelfredzaam",
        4: "Voldoende zelfredzaam",
        5: "Volledig zelfredzaam",
    }
)

# --- Casus lifecycle ------------------------------------------------------------------------

#: Casus types: person-centred and the group approach (jeugdgroepen).
CASUS_TYPES: Final = _codes({"persoon": "Persoonsgerichte aanpak", "groep": "Groepsaanpak"})

#: Triage decisions.
TRIAGE_DECISIONS: Final = _codes(
    {
        "opnemen": "Opnemen in de PGA",
        "een-partner": "Eén partner pakt het op",
        "doorverwijzen-zorgoverleg": "Doorverwijzen naar een zorgoverleg",
        "doorverwijzen-zorgpartner": "Doorverwijzen naar een zorgpartner",
        "niet-opnemen": "Niet opnemen",
    }
)

#: Closure reasons.
CLOSURE_REASONS: Final = _codes(
    {
        "afgeschaald": "Afgeschaald (doelen behaald; warme overdracht)",
        "opgeschaald": "Opgeschaald (Zorg- en Veiligheidshuis of andere gemeente)",
        "gestopt-strafrecht": "Gestopt: strafrecht heeft het overgenomen",
        "gestopt-verhuisd": "Gestopt: verhuisd",
        "gestopt-geen-medewerking": "Gestopt: geen medewerking",
        "gestopt-overig": "Gestopt: overige reden",
    }
)

#: States after closure.
POST_CLOSURE_STATES: Final = _codes(
    {
        "waakvlam": "Waakvlam (afgesloten, kan worden heropend)",
        "gearchiveerd": "Gearchiveerd",
    }
)

#: Outcomes a retention period can be set for: every triage decision that ends the casus
#: (all but ``opnemen``) and every closure reason.
RETENTION_OUTCOMES: Final = _codes(
    {
        **{code: label for code, label in TRIAGE_DECISIONS.items() if code != "opnemen"},
        **CLOSURE_REASONS,
    }
)

# --- Age bands (analytics breakdowns) -------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    """A public age band used in analytics breakdowns (inclusive bounds)."""

    code: str
    label: str
    min_age: int
    max_age: int | None  # None: no upper bound


AGE_BANDS: Final[tuple[AgeBand, ...]] = (
    AgeBand("onder-18", "Jonger dan 18", 0, 17),
    AgeBand("18-22", "18 tot en met 22", 18, 22),
    AgeBand("23-27", "23 tot en met 27", 23, 27),
    AgeBand("ouder-dan-27", "Ouder dan 27", 28, None),
)


def age_band_for(age: int) -> AgeBand:
    """Return the analytics age band of an age in whole years."""
    if age < 0:
        raise ValueError(f"negative age: {age}")
    for band in AGE_BANDS:
        if band.max_age is None or age <= band.max_age:
            return band
    raise AssertionError("unreachable: the last band is open-ended")


def label(codes: Mapping[str, str], code: str) -> str:
    """Dutch label of ``code`` in ``codes``; the code itself when it is unknown."""
    return codes.get(code, code)
