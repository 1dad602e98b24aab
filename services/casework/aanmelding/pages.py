"""Aanmelden in the browser: a person (the aanmeldformulier) and the shared registration
handling that the group aanmelding uses too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from litestar import Controller, Response, get, post
from litestar.response import Template

from services.casework.casussen import aanmelden
from services.casework.casussen.schemas import AanmeldingIn, to_aanmelding
from services.casework.domain import lifecycle
from services.casework.domain.assessments import instrument_domains
from services.casework.domain.bsn import is_valid_bsn, normalize_bsn
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.kit import Form, back, submit
from services.casework.web.schema_forms import Messages, filled, iso_date, parse_form
from services.casework.web.shell import (
    Page,
    Req,
    Web,
    guarded,
    reasons,
    render,
    to_login,
)
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import COOKIE, PUBLIC
from services.platform.policy import PolicyEngineUnavailable
from tenants.reference import DATA_CATEGORIES, INSTRUMENT_DOMAINS

AANMELDING_PURPOSE: Final = "aanmelding"


PROBLEM_PREFIX: Final = "probleem_"


#: Service field names of the aanmelding -> the form's field names.
AANMELD_FIELDS: Final[Mapping[str, str]] = {
    "persoon.bsn": "bsn",
    "persoon.geboortedatum": "geboortedatum",
    "persoon.voornamen": "voornamen",
    "persoon.achternaam": "achternaam",
    "persoon.roepnaam": "roepnaam",
}


#: What the writer can say the general free text is about (free_text.py): it is masked for
#: readers to whom that category is masked. Leefgebied texts carry their own categories.
TEXT_CATEGORY_CHOICES: Final[Mapping[str, str]] = {
    code: DATA_CATEGORIES[code]
    for code in (
        "strafrechtelijk",
        "politiegegevens",
        "justitieel",
        "bijzonder",
        "beroepsgeheim",
        "financieel",
    )
}


AANMELD_FORM_FIELDS: Final = frozenset(
    {
        # The leefgebieden of every instrument: a problem's text has its own field.
        *(PROBLEM_PREFIX + code for domains in INSTRUMENT_DOMAINS.values() for code in domains),
        "tekst_categorie",
        "voornamen",
        "achternaam",
        "roepnaam",
        "geboortedatum",
        "bsn",
        "waarom_integraal",
        "problemen",
        "geinformeerd",
        "reden_niet_geinformeerd",
        "overleg",
        "vrijwillig",
    }
)


def register(
    viewer: Viewer,
    form: Form,
    *,
    form_name: str,
    melding: str,
    page: Callable[[formstate.FormState, int], Template],
    build: Callable[[Form, Mapping[str, str]], aanmelden.Aanmelding],
    state_for: Callable[[dict[str, str | list[str]], Sequence[FieldProblem]], formstate.FormState],
) -> Response[Any]:
    """An aanmelding (person or group) from a form: the new casus page, or the same form
    again with what was entered and why it was not accepted."""
    values = form.values()
    try:
        with viewer.attempt() as ws:
            data = build(form, instrument_domains(ws.manifest.assessment_instrument))
            casus_id = aanmelden.aanmelden(ws, data).id
        return back(casus_id, melding)
    except DomainValidationError as error:
        state = state_for(values, error.problems)
        return guarded(viewer, AANMELDING_PURPOSE, lambda: page(state, 422))
    except AccessDenied as error:
        messages = tuple(r["message"] for r in reasons(error.decision))
        denied = formstate.FormState(form_name, values, general=messages, denied=True)
        return guarded(viewer, AANMELDING_PURPOSE, lambda: page(denied, 403))
    except PolicyEngineUnavailable:
        return render(viewer, "storing.html", {}, doel=AANMELDING_PURPOSE, status=503)


def registration_page(
    viewer: Viewer,
    token: str,
    *,
    kind: str,
    form_name: str,
    template: str,
    state: formstate.FormState | None,
    status: int,
) -> Template:
    """The aanmeld form of a person or a group: the tenant's leefgebieden and the meeting
    types of that casus kind."""
    with viewer.attempt() as ws:
        manifest = ws.manifest
    meetings = [
        {"id": m.id, "naam": m.name} for m in manifest.meeting_types if m.casus_type == kind
    ]
    return render(
        viewer,
        template,
        {
            "f": formstate.FormView(state or formstate.FormState(form_name)),
            "leefgebieden": instrument_domains(manifest.assessment_instrument),
            "prefix": PROBLEM_PREFIX,
            "overleggen": meetings,
            "tekstcategorieen": TEXT_CATEGORY_CHOICES,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "geweigerd": bool(state and state.denied),
        },
        doel=AANMELDING_PURPOSE,
        active="aanmelden",
        status=status,
    )


def aanmeld_page(
    viewer: Viewer,
    token: str,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    return registration_page(
        viewer,
        token,
        kind=lifecycle.PERSON,
        form_name="aanmelden",
        template="aanmelden.html",
        state=state,
        status=status,
    )


#: The person fields of the forms (``persoon.<field>`` in the API).
PERSON_FIELDS: Final = ("voornamen", "achternaam", "roepnaam", "geboortedatum", "bsn")

DATE_MESSAGE: Final = "Vul een geldige datum in (dd-mm-jjjj)."

#: The person fields' own words for the problems the API's schema (PersoonIn) finds.
PERSON_MESSAGES: Final[Messages] = {
    "voornamen": {"missing": "Vul de voornamen in."},
    "achternaam": {"missing": "Vul de achternaam in."},
    "geboortedatum": {"*": DATE_MESSAGE},
    "bsn": {"*": "Een BSN bestaat uit 9 cijfers."},
}

#: The aanmeldformulier's own words for the problems the API's schema finds.
AANMELD_MESSAGES: Final[Messages] = {
    **PERSON_MESSAGES,
    "waarom_integraal": {
        "missing": "Leg uit waarom een integrale aanpak nodig is.",
        "string_too_short": "Leg in ten minste 10 tekens uit waarom een integrale aanpak nodig is.",
    },
    "geinformeerd": {"*": "Geef aan of de persoon is geïnformeerd."},
    "tekst_categorie": {"*": "Kies een van de genoemde soorten gegevens."},
}


def person_data(form: Form) -> tuple[dict[str, str], list[FieldProblem]]:
    """The person fields of a form as the API's PersoonIn data (a Dutch date read as ISO, the
    BSN without spaces or dots), and the form's own check of the BSN (the service checks the
    elfproef too, later): with AANMELD_FIELDS and PERSON_MESSAGES for ``parse_form``."""
    person = filled({name: form.get(name) for name in PERSON_FIELDS})
    problems: list[FieldProblem] = []
    if "geboortedatum" in person:
        person["geboortedatum"] = iso_date(person["geboortedatum"])
    if "bsn" in person:
        bsn = person["bsn"] = normalize_bsn(person["bsn"])
        if not bsn.isdigit() or len(bsn) != 9:
            problems.append(FieldProblem("bsn", "Een BSN bestaat uit 9 cijfers."))
        elif not is_valid_bsn(bsn):
            problems.append(FieldProblem("bsn", "Dit is geen geldig BSN (elfproef)."))
    return person, problems


def _aanmelding_checks(form: Form) -> list[FieldProblem]:
    """What the form checks beyond the API's schema (the service checks it too, later, one
    at a time): every problem of the form is shown at once."""
    problems: list[FieldProblem] = []
    if form.get("geinformeerd") == "nee" and not form.get("reden_niet_geinformeerd"):
        problems.append(
            FieldProblem(
                "reden_niet_geinformeerd",
                "Geef aan waarom de persoon (nog) niet is geïnformeerd over de aanmelding.",
            )
        )
    category = form.get("tekst_categorie")
    if category and category not in TEXT_CATEGORY_CHOICES:
        problems.append(
            FieldProblem("tekst_categorie", "Kies een van de genoemde soorten gegevens.")
        )
    return problems


def _aanmelding_from(form: Form, domains: Mapping[str, str]) -> aanmelden.Aanmelding:
    """The form as the API's AanmeldingIn, then as an Aanmelding; raises
    DomainValidationError with a Dutch problem per form field."""
    person, person_problems = person_data(form)
    informed = {"ja": True, "nee": False}.get(form.get("geinformeerd"))
    category = form.get("tekst_categorie")
    data = parse_form(
        AanmeldingIn,
        filled(
            {
                "soort": lifecycle.PERSON,
                "waarom_integraal": form.get("waarom_integraal"),
                "problemen": filled({code: form.get(PROBLEM_PREFIX + code) for code in domains}),
                "geinformeerd": informed,
                "reden_niet_geinformeerd": form.get("reden_niet_geinformeerd")
                if informed is False
                else None,
                "persoon": person,
                "vrijwillig": form.get("vrijwillig") != "nee",
                "overleg": form.get("overleg"),
                "tekst_categorieen": [category] if category else [],
            }
        ),
        names={
            **AANMELD_FIELDS,
            **{f"problemen.{code}": PROBLEM_PREFIX + code for code in domains},
            "tekst_categorieen.0": "tekst_categorie",
        },
        messages=AANMELD_MESSAGES,
        problems=[*person_problems, *_aanmelding_checks(form)],
    )
    return to_aanmelding(data)


class AanmeldingPagesController(Controller):
    """Aanmelden van een persoon."""

    path = "/"
    include_in_schema = False

    @get("/aanmelden", opt=PUBLIC, sync_to_thread=True)
    def aanmelden_form(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = web.csrf.token(request.cookies.get(COOKIE, ""))
        return guarded(viewer, AANMELDING_PURPOSE, lambda: aanmeld_page(viewer, token))

    @post("/aanmelden", opt=PUBLIC, status_code=303)
    async def aanmelden(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            return register(
                viewer,
                form,
                form_name="aanmelden",
                melding="aangemeld",
                page=lambda state, status: aanmeld_page(viewer, token, state, status),
                build=_aanmelding_from,
                state_for=lambda values, problems: formstate.state_from_problems(
                    "aanmelden", values, problems, fields=AANMELD_FORM_FIELDS, names=AANMELD_FIELDS
                ),
            )

        def again(viewer: Viewer, form: Form, token: str, message: str) -> Response[Any]:
            state = formstate.FormState("aanmelden", form.values(), general=(message,))
            return guarded(
                viewer,
                AANMELDING_PURPOSE,
                lambda: aanmeld_page(viewer, token, state, 403),
            )

        return await submit(request, web, viewer, work, again)
