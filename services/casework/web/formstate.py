"""A form that came back: what was entered and what is wrong, per field (FormState, FormView),
and the flash messages after a form was handled (``?melding=<code>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from services.casework.domain.errors import FieldProblem

#: The fields of every form; a problem about another field is shown above the form.
FORM_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "overgang": frozenset({"reden", "bevestigd"}),
    "triage": frozenset({"criteria", "besluit", "reden", "afwijking_reden"}),
    "afsluiten": frozenset(
        {
            "reden",
            "ontvangende_organisatie",
            "toelichting",
            "eindgesprek_datum",
            "eindgesprek_notities",
            "afsluitbrief_datum",
        }
    ),
    "heropenen": frozenset({"reden"}),
    "informatie": frozenset(
        {
            "categorie",
            "titel",
            "inhoud",
            "doel",
            "grondslag",
            "art9_uitzondering",
            "beroepsgeheim_grond",
        }
    ),
    "informeren": frozenset(
        {
            "brief_ondertekend_door",
            "brief_overhandigd_door",
            "brief_datum",
            "startgesprek_datum",
            "startgesprek_notities",
            "geen_reactie",
            "toelichting",
        }
    ),
    "document": frozenset({"bestand", "categorie", "omschrijving"}),
    "delen": frozenset(
        {
            "doel",
            "grondslag",
            "art9_uitzondering",
            "beroepsgeheim_grond",
            "noodzaak",
            "persoon_geinformeerd",
            "reden_niet_geinformeerd",
        }
    ),
    "deelnemer": frozenset({"organisatie", "deelname", "rol"}),
    "regie": frozenset({"rol", "gebruiker", "reden"}),
    "signaal": frozenset({"tekst", "waargenomen_op", "locatie"}),
    "groepslid": frozenset({"rol", "voornamen", "achternaam", "roepnaam", "geboortedatum", "bsn"}),
    "lid-verwijderen": frozenset({"reden"}),
    # Toestemming, gezinsleden, doorbreekglas (issue 12).
    "toestemming": frozenset({"doel", "reikwijdte", "ongelijke_verhouding"}),
    "gezinslid": frozenset(
        {"relatie", "voornamen", "achternaam", "roepnaam", "geboortedatum", "bsn"}
    ),
    "doorbreekglas": frozenset({"reden", "uren"}),
    # Group approach steps 3-7 (services/casework/groepsstappen/pages.py FORM_FIELDS).
    "groepsstap": frozenset(
        {
            "tekst",
            "advies",
            "prioriteit",
            "besproken_op",
            "spoor",
            "indicator",
            "waarde",
            "gemeten_op",
            "bron",
            "datum",
            "conclusie",
            "vervolg",
            "omschrijving",
            "organisatie",
            "leefgebied",
            "probleem",
            "doel",
            "eindcriterium",
            "nameting.zorg",
            "nameting.strafrechtelijk",
            "nameting.bestuurlijk",
            "interventies",
            "doelen",
        }
    ),
}


#: Field names of the service layer (English or API paths) -> the form's field names.
SERVICE_FIELDS: Final[Mapping[str, str]] = {
    "reason": "reden",
    "closure_reason": "reden",
    "triage_decision": "besluit",
    "decision": "besluit",
    "override_reason": "afwijking_reden",
    "eindgesprek.datum": "eindgesprek_datum",
    "eindgesprek.notities": "eindgesprek_notities",
    "notificatiebrief.ondertekend_door": "brief_ondertekend_door",
    "notificatiebrief.overhandigd_door": "brief_overhandigd_door",
    "notificatiebrief.datum": "brief_datum",
    "startgesprek.datum": "startgesprek_datum",
    "startgesprek.notities": "startgesprek_notities",
    "persoon.bsn": "bsn",
    "persoon.geboortedatum": "geboortedatum",
    "persoon.voornamen": "voornamen",
    "persoon.achternaam": "achternaam",
    "persoon.roepnaam": "roepnaam",
}


STALE: Final = "verouderd"


STALE_TEXT: Final = (
    "Iemand anders heeft deze casus intussen gewijzigd; bekijk de nieuwe stand en probeer opnieuw."
)


#: Flash messages after a redirect (``?melding=<code>``): fixed texts, never echoed input.
MELDINGEN: Final[Mapping[str, tuple[str, str]]] = {
    "aangemeld": ("ok", "De aanmelding is opgeslagen. De casus staat nu op 'Aangemeld'."),
    "fase-gewijzigd": ("ok", "De fase van de casus is gewijzigd."),
    "triage-besloten": ("ok", "Het triagebesluit is vastgelegd."),
    "afgesloten": ("ok", "De casus is afgesloten."),
    "heropend": ("ok", "De casus is heropend en staat weer op 'Plan van aanpak'."),
    "informatie-toegevoegd": (
        "ok",
        "De informatie is toegevoegd. Alleen uw organisatie ziet dit item, totdat u het deelt.",
    ),
    "geinformeerd": ("ok", "Het informeren van de persoon is vastgelegd."),
    "gedeeld": (
        "ok",
        "Het item is gedeeld met de deelnemers van de casus (checklist gegevensdeling compleet).",
    ),
    "achtergehouden": ("ok", "Het item is achtergehouden: alleen uw organisatie ziet het nog."),
    "vrijgegeven": ("ok", "Het item is vrijgegeven."),
    "deelnemer-uitgenodigd": ("ok", "De organisatie neemt nu deel aan de casus."),
    "regie-vastgelegd": ("ok", "De regie is vastgelegd."),
    "groep-aangemeld": (
        "ok",
        "De groep is aangemeld. De groepscasus staat op stap 1: alleen signalen op groepsniveau.",
    ),
    "signaal-toegevoegd": ("ok", "Het signaal over de groep is vastgelegd."),
    "groepslid-toegevoegd": ("ok", "Het groepslid staat op de namenlijst."),
    "groepslid-verwijderd": (
        "ok",
        "Het groepslid is van de namenlijst gehaald; dit blijft vastgelegd met de reden.",
    ),
    STALE: ("waarschuwing", STALE_TEXT),
    # Plan van aanpak, zelfredzaamheid and werkvoorraad (issue 12).
    "plan-opgeslagen": ("ok", "Het plan van aanpak is vastgesteld als nieuwe versie."),
    "plan-ongewijzigd": ("ok", "Er was niets gewijzigd; het plan van aanpak blijft zoals het was."),
    "zrm-vastgelegd": ("ok", "De zelfredzaamheidsmeting is vastgelegd."),
    "werk-gereed": ("ok", "Het item is afgehandeld en staat niet meer in uw werkvoorraad."),
    "werk-uitgesteld": (
        "ok",
        "Het item is uitgesteld naar de nieuwe datum; de reden staat bij het plan.",
    ),
    # Overleg, toestemming, gezinsleden, doorbreekglas (issue 12).
    "overleg-gepland": ("ok", "Het overleg is gepland. Zet nu de casussen op de agenda."),
    "geagendeerd": ("ok", "De casus staat op de agenda."),
    "verslag-vastgelegd": (
        "ok",
        "Het verslag is vastgelegd. De acties staan in de werkvoorraad van hun eigenaar.",
    ),
    "toestemming-vastgelegd": ("ok", "De toestemming is vastgelegd."),
    "toestemming-ingetrokken": (
        "ok",
        "De toestemming is ingetrokken: zij is vanaf nu geen grondslag meer.",
    ),
    "gezinslid-vastgelegd": ("ok", "Het gezinslid is vastgelegd (apart van de casus)."),
    "gezinslid-beeindigd": ("ok", "Het gezinslid hoort niet meer tot het huishouden."),
    "doorbreekglas": (
        "waarschuwing",
        "U hebt spoedtoegang (doorbreekglas). Dit is vastgelegd en wordt beoordeeld door de "
        "PGA-expert van de gemeente.",
    ),
    # Documents (services/casework/documenten).
    "document-toegevoegd": ("ok", "Het document is toegevoegd."),
    "document-verwijderd": ("ok", "Het document is verwijderd."),
    "document-achtergehouden": (
        "ok",
        "Het document is achtergehouden: alleen uw organisatie ziet het nog.",
    ),
    "document-vrijgegeven": ("ok", "Het document is vrijgegeven."),
    # Group approach steps 3-7 (services/casework/groepsstappen).
    "groepsstap-integraal-beeld": ("ok", "Het integraal beeld van de groep is vastgelegd."),
    "groepsstap-voorlegging": (
        "ok",
        "De geanonimiseerde voorlegging voor de driehoek is vastgelegd.",
    ),
    "groepsstap-advies": ("ok", "Het advies en de prioritering van de driehoek zijn vastgelegd."),
    "groepsstap-nulmeting": ("ok", "De nulmeting is vastgelegd."),
    "groepsstap-voortgang": ("ok", "De voortgang van de uitvoering is vastgelegd."),
    "groepsstap-evaluatie": ("ok", "De evaluatie van de groepsaanpak is vastgelegd."),
    "groepsstap-interventie": (
        "ok",
        "De interventie staat in het plan van aanpak (nieuwe versie).",
    ),
    "groepsstap-conceptdoel": (
        "ok",
        "Het doel staat in het conceptplan van aanpak (nieuwe versie).",
    ),
    # Meldingen (services/casework/meldingen).
    "melding-gelezen": ("ok", "De melding is als gelezen gemarkeerd."),
    "meldingen-gelezen": ("ok", "Al uw meldingen zijn als gelezen gemarkeerd."),
}


def melding(code: str | None) -> dict[str, str] | None:
    """The flash message of a code (unknown codes show nothing)."""
    if not code or code not in MELDINGEN:
        return None
    soort, tekst = MELDINGEN[code]
    return {"soort": soort, "tekst": tekst}


@dataclass(frozen=True)
class FormState:
    """A form that was sent and came back: what was entered and what is wrong.

    ``form`` is the form's key (``overgang:<naar>`` for a transition form).
    """

    form: str
    values: Mapping[str, str | list[str]] = field(default_factory=dict)
    errors: Mapping[str, list[str]] = field(default_factory=dict)
    general: tuple[str, ...] = ()
    denied: bool = False
    preview: bool = False
    """Only the triage criteria were checked ("Criteria toetsen"), nothing was sent."""


def form_kind(form: str) -> str:
    return form.split(":", 1)[0]


def state_from_problems(
    form: str,
    values: Mapping[str, str | list[str]],
    problems: Iterable[FieldProblem],
    *,
    fields: frozenset[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> FormState:
    """Problems per form field; problems about other fields go above the form."""
    known = fields if fields is not None else FORM_FIELDS.get(form_kind(form), frozenset())
    mapping = {**SERVICE_FIELDS, **(names or {})}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        name = mapping.get(problem.field, problem.field)
        if name in known:
            errors.setdefault(name, []).append(problem.message)
        else:
            general.append(problem.message)
    return FormState(form, values, errors, tuple(general))


class FormView:
    """Template helper: values and problems of the form that came back (if any)."""

    def __init__(self, state: FormState | None) -> None:
        self.state = state

    def active(self, form: str) -> bool:
        return self.state is not None and self.state.form == form

    def value(self, form: str, name: str, default: str = "") -> str:
        if not self.active(form):
            return default
        assert self.state is not None
        raw = self.state.values.get(name, "")
        return raw[0] if isinstance(raw, list) and raw else raw if isinstance(raw, str) else ""

    def values(self, form: str, name: str) -> list[str]:
        if not self.active(form):
            return []
        assert self.state is not None
        raw = self.state.values.get(name, [])
        return list(raw) if isinstance(raw, list) else [raw] if raw else []

    def errors(self, form: str, name: str) -> list[str]:
        if not self.active(form):
            return []
        assert self.state is not None
        return list(self.state.errors.get(name, []))

    def general(self, form: str) -> list[str]:
        if not self.active(form):
            return []
        assert self.state is not None
        return list(self.state.general)

    def denied(self, form: str) -> bool:
        return self.active(form) and self.state is not None and self.state.denied

    def has_problems(self, form: str) -> bool:
        return (
            self.active(form)
            and self.state is not None
            and (bool(self.state.errors) or bool(self.state.general))
        )
