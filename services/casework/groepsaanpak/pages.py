"""The group approach in the browser: aanmelden of a group, signals (step 1) and the namenlijst."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from services.casework.aanmelding.pages import (
    AANMELDING_PURPOSE,
    PROBLEM_PREFIX,
    person_from,
    register,
    registration_page,
)
from services.casework.casussen import aanmelden
from services.casework.domain import lifecycle
from services.casework.domain.errors import FieldProblem
from services.casework.groepsaanpak import service as groups
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.kit import SHORT, Builder, CasusId, Checks, Form, casus_form, submit
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


def _no_person_data(checks: Checks, name: str, value: str | None) -> None:
    """Group-level text only (the same heuristic as the signals of step 1)."""
    found = groups.person_identifiers_in(value or "")
    if found:
        checks.problems.append(
            FieldProblem(
                name,
                "Stap 1 gaat over de groep als geheel: geen persoonsgegevens "
                f"(gevonden: {', '.join(found)}).",
            )
        )


def _group_aanmelding_from(form: Form, domains: Mapping[str, str]) -> aanmelden.Aanmelding:
    checks = Checks(form)
    name = checks.text(
        "groepsnaam", required="Geef de (werk)naam van de groep op.", max_length=SHORT
    )
    why = checks.text(
        "waarom_integraal",
        required="Beschrijf de signalen over de groep.",
        min_length=10,
        too_short="Beschrijf de signalen over de groep in ten minste 10 tekens.",
    )
    _no_person_data(checks, "waarom_integraal", why)
    problems: dict[str, str] = {}
    for code in domains:
        text = checks.text(PROBLEM_PREFIX + code)
        _no_person_data(checks, PROBLEM_PREFIX + code, text)
        if text:
            problems[code] = text
    checks.done()
    assert name and why
    return aanmelden.Aanmelding(
        kind=lifecycle.GROUP,
        waarom_integraal=why,
        problemen=problems,
        geinformeerd=False,
        reden_niet_geinformeerd=GROUP_NOT_INFORMED,
        group_name=name,
        meeting_type=form.get("overleg") or None,
    )


def _signal(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        text = checks.text(
            "tekst",
            required="Beschrijf het signaal.",
            max_length=2_000,
            min_length=5,
            too_short="Beschrijf het signaal in ten minste 5 tekens.",
        )
        observed = checks.date("waargenomen_op")
        location = checks.text("locatie", max_length=SHORT)
        checks.done()
        assert text
        groups.add_signal(
            ws, casus_id, groups.SignalInput(text=text, observed_on=observed, location=location)
        )
        return "signaal-toegevoegd"

    return perform


def _add_member(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        role = form.get("rol")
        if not role:
            checks.problems.append(FieldProblem("rol", "Kies de rol in de groep."))
        person = person_from(checks)
        checks.done()
        groups.add_member(ws, casus_id, groups.MemberInput(role=role, person=person))
        return "groepslid-toegevoegd"

    return perform


def _remove_member(person_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
        def perform(ws: Workspace, checks: Checks) -> str:
            reason = checks.text(
                "reden",
                required="Geef een reden op.",
                max_length=2_000,
                min_length=3,
                too_short="Geef een reden van ten minste 3 tekens.",
            )
            checks.done()
            assert reason
            groups.remove_member(ws, casus_id, person_id, reason)
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
