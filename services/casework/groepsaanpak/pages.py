"""The group approach in the browser: aanmelden of a group, signals (step 1) and the namenlijst."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from services.casework.aanmelding.pages import (
    AANMELD_FIELDS,
    AANMELDING_PURPOSE,
    DATE_MESSAGE,
    PERSON_MESSAGES,
    PROBLEM_PREFIX,
    person_data,
    register,
    registration_page,
)
from services.casework.casussen import aanmelden
from services.casework.casussen.schemas import AanmeldingIn, to_aanmelding, to_person_input
from services.casework.domain import lifecycle
from services.casework.domain.errors import FieldProblem
from services.casework.groepsaanpak import service as groups
from services.casework.groepsaanpak.routes import LidIn, SignaalIn, VerwijderIn
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.kit import Builder, CasusId, Form, casus_form, submit
from services.casework.web.schema_forms import Messages, filled, iso_date, parse_form
from services.casework.web.shell import Page, Req, Web, guarded, to_login
from services.casework.workspace import Workspace
from services.platform.identity.authn import COOKIE, PUBLIC

PersonId = FromPath[uuid.UUID]


GROUP_FORM: Final = "aanmelden-groep"


GROUP_FORM_FIELDS: Final = frozenset({"groepsnaam", "waarom_integraal", "problemen", "overleg"})


#: Step 1 is about the group as a whole: nobody has been informed, no person is known yet.
GROUP_NOT_INFORMED: Final = "Stap 1 gaat over de groep; personen nog niet bekend."


def _group_page(
    viewer: Viewer,
    token: str,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    return registration_page(
        viewer,
        token,
        kind=lifecycle.GROUP,
        form_name=GROUP_FORM,
        template="aanmelden_groep.html",
        state=state,
        status=status,
    )


def _no_person_data(name: str, value: str | None) -> list[FieldProblem]:
    """Group-level text only (the same heuristic as the signals of step 1)."""
    found = groups.person_identifiers_in(value or "")
    if not found:
        return []
    return [
        FieldProblem(
            name,
            "Stap 1 gaat over de groep als geheel: geen persoonsgegevens "
            f"(gevonden: {', '.join(found)}).",
        )
    ]


#: The group aanmeldformulier's own words for the problems the API's schema finds.
GROUP_MESSAGES: Final[Messages] = {
    "waarom_integraal": {
        "missing": "Beschrijf de signalen over de groep.",
        "string_too_short": "Beschrijf de signalen over de groep in ten minste 10 tekens.",
    },
}

SIGNAL_MESSAGES: Final[Messages] = {
    "tekst": {
        "missing": "Beschrijf het signaal.",
        "string_too_short": "Beschrijf het signaal in ten minste 5 tekens.",
    },
    "waargenomen_op": {"*": DATE_MESSAGE},
}

MEMBER_MESSAGES: Final[Messages] = {**PERSON_MESSAGES, "rol": {"*": "Kies de rol in de groep."}}

REMOVE_MESSAGES: Final[Messages] = {
    "reden": {
        "missing": "Geef een reden op.",
        "string_too_short": "Geef een reden van ten minste 3 tekens.",
    }
}


def _group_aanmelding_from(form: Form, domains: Mapping[str, str]) -> aanmelden.Aanmelding:
    """The form as the API's AanmeldingIn of a group (step 1), then as an Aanmelding."""
    why = form.get("waarom_integraal")
    texts = {code: form.get(PROBLEM_PREFIX + code) for code in domains}
    name = form.get("groepsnaam")
    # The schema leaves the group's name to the service (a person casus has none).
    own = [] if name else [FieldProblem("groepsnaam", "Geef de (werk)naam van de groep op.")]
    own.extend(_no_person_data("waarom_integraal", why))
    for code, text in texts.items():
        own.extend(_no_person_data(PROBLEM_PREFIX + code, text))
    data = parse_form(
        AanmeldingIn,
        filled(
            {
                "soort": lifecycle.GROUP,
                "groepsnaam": name,
                "waarom_integraal": why,
                "problemen": filled(texts),
                "geinformeerd": False,
                "reden_niet_geinformeerd": GROUP_NOT_INFORMED,
                "overleg": form.get("overleg"),
            }
        ),
        names={f"problemen.{code}": PROBLEM_PREFIX + code for code in domains},
        messages=GROUP_MESSAGES,
        problems=own,
    )
    return to_aanmelding(data)


def _signal(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        data = parse_form(
            SignaalIn,
            filled(
                {
                    "tekst": form.get("tekst"),
                    "waargenomen_op": iso_date(form.get("waargenomen_op")),
                    "locatie": form.get("locatie"),
                }
            ),
            messages=SIGNAL_MESSAGES,
        )
        groups.add_signal(
            ws,
            casus_id,
            groups.SignalInput(
                text=data.tekst, observed_on=data.waargenomen_op, location=data.locatie
            ),
        )
        return "signaal-toegevoegd"

    return perform


def _add_member(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        person, own = person_data(form)
        data = parse_form(
            LidIn,
            filled({"rol": form.get("rol"), "persoon": person}),
            names=AANMELD_FIELDS,
            messages=MEMBER_MESSAGES,
            problems=own,
        )
        assert data.persoon is not None
        groups.add_member(
            ws,
            casus_id,
            groups.MemberInput(role=data.rol, person=to_person_input(data.persoon)),
        )
        return "groepslid-toegevoegd"

    return perform


def _remove_member(person_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
        def perform(ws: Workspace) -> str:
            data = parse_form(
                VerwijderIn, filled({"reden": form.get("reden")}), messages=REMOVE_MESSAGES
            )
            groups.remove_member(ws, casus_id, person_id, data.reden)
            return "groepslid-verwijderd"

        return perform

    return build


class GroepsaanpakPagesController(Controller):
    """Groepsaanpak: een groep aanmelden, signalen en de namenlijst."""

    path = "/"
    include_in_schema = False

    @get("/aanmelden/groep", opt=PUBLIC, sync_to_thread=True)
    def group_form(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = web.csrf.token(request.cookies.get(COOKIE, ""))
        return guarded(viewer, AANMELDING_PURPOSE, lambda: _group_page(viewer, token))

    @post("/aanmelden/groep", opt=PUBLIC, status_code=303)
    async def aanmelden_groep(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            domains = {name for name in form.fields if name.startswith(PROBLEM_PREFIX)}
            return register(
                viewer,
                form,
                form_name=GROUP_FORM,
                melding="groep-aangemeld",
                page=lambda state, status: _group_page(viewer, token, state, status),
                build=_group_aanmelding_from,
                state_for=lambda values, problems: formstate.state_from_problems(
                    GROUP_FORM, values, problems, fields=GROUP_FORM_FIELDS | domains
                ),
            )

        return await submit(request, web, viewer, work)

    @post("/casussen/{casus_id:uuid}/signalen", opt=PUBLIC, status_code=303)
    async def add_signal(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: "signaal",
            _signal,
        )

    @post("/casussen/{casus_id:uuid}/leden", opt=PUBLIC, status_code=303)
    async def add_member(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: "groepslid",
            _add_member,
        )

    @post(
        "/casussen/{casus_id:uuid}/leden/{persoon_id:uuid}/verwijderen",
        opt=PUBLIC,
        status_code=303,
    )
    async def remove_member(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
        persoon_id: PersonId,
    ) -> Response[Any]:
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: f"lid-verwijderen:{persoon_id}",
            _remove_member(persoon_id),
        )
