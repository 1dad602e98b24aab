"""The Dutch "Gebruikers" pages of the tenantbeheerder: users, role changes, four eyes.

- ``/gebruikers``: the users of the gemeente and the open proposals; a proposal can be
  approved or rejected here (not by its proposer, not by the user it is about).
- ``/gebruikers/{id}``: one user, with the form to change roles and organisation. Roles
  added or another organisation become a proposal for a second tenantbeheerder; roles
  removed take effect at once.

Plain HTML forms behind the login cookie and the CSRF token, through the same service
functions as the JSON API (services/user_admin.py), so every change is audited the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

import anyio.to_thread
import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from services.casework.web import formstate, herstel
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.kit import Form, read_form
from services.casework.web.shell import render, to_login, viewer_of
from services.gebruikers import service as user_admin
from services.platform.db.models import Organisation, RoleChangeRequest, RoleChangeStatus
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import COOKIE, PUBLIC
from tenants.reference import REGIO_ONLY_ROLES, ROLES

Req = Request[Any, Any, Any]
Web = NamedDependency[WebDeps]

FORM: Final = "rollen"
MIN_REASON: Final = 5
#: Roles a tenantbeheerder can hand out (the bureau's own roles excluded).
ASSIGNABLE: Final[Mapping[str, str]] = {
    code: label for code, label in ROLES.items() if code not in REGIO_ONLY_ROLES
}
MELDINGEN: Final[Mapping[str, tuple[str, str]]] = {
    "voorstel-ingediend": (
        "ok",
        "Het voorstel is ingediend. Een tweede beheerder moet het goedkeuren; pas dan "
        "krijgt de gebruiker de nieuwe rollen.",
    ),
    "rollen-ingetrokken": ("ok", "De rollen zijn ingetrokken; dat werkt direct."),
    "rollen-ingetrokken-en-voorstel": (
        "ok",
        "De ingetrokken rollen werken direct; voor de nieuwe rollen is een voorstel ingediend "
        "dat een tweede beheerder moet goedkeuren.",
    ),
    "geen-wijziging": ("waarschuwing", "Er is niets gewijzigd."),
    "goedgekeurd": ("ok", "Het voorstel is goedgekeurd; de gebruiker heeft de nieuwe rollen."),
    "afgewezen": ("ok", "Het voorstel is afgewezen; er is niets toegekend."),
    "verouderd": (
        "waarschuwing",
        "Iemand anders heeft deze gebruiker intussen gewijzigd; bekijk de nieuwe stand en "
        "probeer opnieuw.",
    ),
}


def _melding(code: str | None) -> dict[str, str] | None:
    if not code or code not in MELDINGEN:
        return None
    soort, tekst = MELDINGEN[code]
    return {"soort": soort, "tekst": tekst}


def _no_admin(viewer: Viewer) -> Template:
    return render(viewer, "gebruikers_geen_rol.html", {}, doel=None, status=403)


def _org_names(session: Session, tenant: str, *, active_only: bool = False) -> dict[str, str]:
    query = sa.select(Organisation.id, Organisation.name).where(Organisation.tenant_id == tenant)
    if active_only:
        query = query.where(Organisation.active)
    return {row.id: row.name for row in session.execute(query.order_by(Organisation.name))}


def _proposal_view(request: RoleChangeRequest, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": str(request.id),
        "gebruiker": request.user_id,
        "gebruiker_naam": names.get(request.user_id, request.user_id),
        "rollen_erbij": [ASSIGNABLE.get(r, r) for r in request.roles_added],
        "organisatie": request.organisation_id,
        "reden": request.reason,
        "voorgesteld_door": request.proposed_by,
        "voorgesteld_door_naam": names.get(request.proposed_by, request.proposed_by),
        "voorgesteld_op": request.proposed_at.isoformat() if request.proposed_at else None,
    }


def overview_page(
    viewer: Viewer,
    web: WebDeps,
    token: str,
    *,
    melding: str | None = None,
    fout: str | None = None,
    status: int = 200,
) -> Template:
    admin = viewer.principal
    with user_admin.transaction(web.sessions, admin) as session:
        users = user_admin.list_users(session, admin)
        names = {u.id: u.display_name for u in users}
        orgs = _org_names(session, admin.tenant)
        open_ = user_admin.list_proposals(session, admin, RoleChangeStatus.PROPOSED)
        rows = [
            {
                "id": u.id,
                "naam": u.display_name,
                "organisatie": orgs.get(u.organisation_id, u.organisation_id),
                "rollen": [ROLES.get(r, r) for r in sorted(u.roles or [])],
                "actief": u.active,
                "bron": u.source.value,
            }
            for u in users
        ]
        proposals = []
        for p in open_:
            view = _proposal_view(p, names)
            view["organisatie"] = orgs.get(p.organisation_id or "", p.organisation_id)
            proposals.append(view)
    return render(
        viewer,
        "gebruikers.html",
        {
            "gebruikers": rows,
            "voorstellen": proposals,
            "melding": _melding(melding),
            "fout": fout,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
        },
        doel=user_admin.PURPOSE,
        active="gebruikers",
        status=status,
    )


def user_page(
    viewer: Viewer,
    web: WebDeps,
    user_id: str,
    token: str,
    *,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    admin = viewer.principal
    with user_admin.transaction(web.sessions, admin) as session:
        user = user_admin.get_user(session, admin, user_id)
        pending = user_admin.open_proposal(session, admin.tenant, user.id)
        all_orgs = _org_names(session, admin.tenant)
        # Active organisations to move to, and always the user's own (so the form does not
        # propose a move by itself when that one was deactivated).
        orgs = _org_names(session, admin.tenant, active_only=True)
        orgs.setdefault(
            user.organisation_id, all_orgs.get(user.organisation_id, user.organisation_id)
        )
        names = {u.id: u.display_name for u in user_admin.list_users(session, admin)}
        current: list[str] = sorted(user.roles or [])
        view: dict[str, Any] = {
            "id": user.id,
            "naam": user.display_name,
            "organisatie": user.organisation_id,
            "organisatie_naam": all_orgs.get(user.organisation_id, user.organisation_id),
            "rollen": current,
            "actief": user.active,
            "functie": user.title,
            "bron": user.source.value,
            "versie": user.version,
            "zelf": user.id == admin.user_id,
        }
        proposal = _proposal_view(pending, names) if pending is not None else None
    forms = formstate.FormView(state)
    checked = forms.values(FORM, "rollen") if forms.active(FORM) else current
    return render(
        viewer,
        "gebruiker.html",
        {
            "g": view,
            "voorstel": proposal,
            "rollen": ASSIGNABLE,
            "aangevinkt": set(checked),
            "organisaties": orgs,
            "f": forms,
            "form": FORM,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
        },
        doel=user_admin.PURPOSE,
        active="gebruikers",
        status=status,
    )


def _error_text(error: user_admin.UserAdminError) -> str:
    return error.message_nl


class GebruikersPagesController(Controller):
    """The tenantbeheerder's pages (behind the login cookie and the CSRF token)."""

    path = "/gebruikers"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def index(self, request: Req, web: Web, melding: FromQuery[str | None] = None) -> Response[Any]:
        viewer = viewer_of(request, web.identity)
        if viewer is None:
            return to_login()
        if not viewer.principal.has_role(user_admin.ADMIN_ROLE):
            return _no_admin(viewer)
        return overview_page(
            viewer, web, web.csrf.token(request.cookies.get(COOKIE, "")), melding=melding
        )

    @get("/{user_id:str}", opt=PUBLIC, sync_to_thread=True)
    def show(self, request: Req, web: Web, user_id: FromPath[str]) -> Response[Any]:
        viewer = viewer_of(request, web.identity)
        if viewer is None:
            return to_login()
        if not viewer.principal.has_role(user_admin.ADMIN_ROLE):
            return _no_admin(viewer)
        token = web.csrf.token(request.cookies.get(COOKIE, ""))
        try:
            return user_page(viewer, web, user_id, token)
        except user_admin.UnknownUser:
            return render(viewer, "niet_gevonden.html", {}, doel=None, status=404)

    @post("/{user_id:str}/rollen", opt=PUBLIC, status_code=303)
    async def change_roles(self, request: Req, web: Web, user_id: FromPath[str]) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            return _change_roles(viewer, web, user_id, form, token)

        return await _admin_submit(request, web, work)

    @post("/voorstellen/{proposal_id:uuid}/goedkeuren", opt=PUBLIC, status_code=303)
    async def approve(
        self, request: Req, web: Web, proposal_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            return _decide(viewer, web, proposal_id, form, token, approve=True)

        return await _admin_submit(request, web, work)

    @post("/voorstellen/{proposal_id:uuid}/afwijzen", opt=PUBLIC, status_code=303)
    async def reject(
        self, request: Req, web: Web, proposal_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            return _decide(viewer, web, proposal_id, form, token, approve=False)

        return await _admin_submit(request, web, work)


Work = Callable[[Viewer, Form, str], Response[Any]]


async def _admin_submit(request: Req, web: WebDeps, work: Work) -> Response[Any]:
    """Login, CSRF token and the tenantbeheerder role, then the work (in a thread)."""
    form = await read_form(request)

    def run() -> Response[Any]:
        viewer = viewer_of(request, web.identity)
        if viewer is None:  # an expired session: what was typed comes back (no lost work)
            return herstel.session_expired(request, form.values())
        cookie = request.cookies.get(COOKIE)
        if not web.csrf.valid(cookie, form.get(CSRF_FIELD)):
            return render(viewer, "formulier_ongeldig.html", {}, doel=None, status=403)
        if not viewer.principal.has_role(user_admin.ADMIN_ROLE):
            return _no_admin(viewer)
        assert cookie is not None
        return work(viewer, form, web.csrf.token(cookie))

    return await anyio.to_thread.run_sync(run)


def _back(melding: str) -> Redirect:
    return Redirect(f"/gebruikers?melding={melding}", status_code=303)


def _change_roles(
    viewer: Viewer, web: WebDeps, user_id: str, form: Form, token: str
) -> Response[Any]:
    admin = viewer.principal
    values = form.values()
    roles = form.getall("rollen")
    organisation = form.get("organisatie") or None
    reason = form.get("reden")
    version = form.get("versie")
    errors: dict[str, list[str]] = {}
    if not roles:
        errors["rollen"] = ["Kies ten minste één rol."]
    if len(reason) > 2_000:
        errors["reden"] = ["De reden is te lang (maximaal 2000 tekens)."]

    def again(state: formstate.FormState, status: int) -> Template:
        return user_page(viewer, web, user_id, token, state=state, status=status)

    try:
        with user_admin.transaction(web.sessions, admin) as session:
            user = user_admin.get_user(session, admin, user_id, lock=True)
            if not version.isdigit() or int(version) != user.version:
                return _back("verouderd")
            granting = bool(set(roles) - set(user.roles or [])) or (
                organisation is not None and organisation != user.organisation_id
            )
            if granting and len(reason) < MIN_REASON:
                errors["reden"] = [
                    "Leg uit waarom de gebruiker deze rollen of organisatie nodig heeft; de "
                    "tweede beheerder beslist daarop."
                ]
            if errors:
                raise _FormProblems(errors)
            before = sorted(user.roles or [])
            proposal = user_admin.update_user(
                session,
                admin,
                user,
                user_admin.UserChanges(roles=roles, organisation=organisation, reason=reason),
            )
            removed = bool(set(before) - set(user.roles or []))
    except _FormProblems as problems:
        return again(formstate.FormState(FORM, values, problems.errors), 422)
    except user_admin.UnknownUser:
        return render(viewer, "niet_gevonden.html", {}, doel=None, status=404)
    except user_admin.UserAdminError as error:
        field = error.field if error.field in ("rollen", "organisatie", "reden") else None
        state = (
            formstate.FormState(FORM, values, {field: [error.message_nl]})
            if field
            else formstate.FormState(FORM, values, general=(error.message_nl,))
        )
        return again(state, 422 if error.status == 422 else error.status)
    if proposal is not None:
        return _back("rollen-ingetrokken-en-voorstel" if removed else "voorstel-ingediend")
    return _back("rollen-ingetrokken" if removed else "geen-wijziging")


class _FormProblems(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("form problems")
        self.errors = errors


def _decide(
    viewer: Viewer,
    web: WebDeps,
    proposal_id: uuid.UUID,
    form: Form,
    token: str,
    *,
    approve: bool,
) -> Response[Any]:
    admin = viewer.principal
    note = form.get("toelichting")[:2_000] or None
    try:
        with user_admin.transaction(web.sessions, admin) as session:
            if approve:
                user_admin.approve(session, admin, proposal_id, note)
            else:
                user_admin.reject(session, admin, proposal_id, note)
    except user_admin.UserAdminError as error:
        return overview_page(viewer, web, token, fout=_error_text(error), status=error.status)
    return _back("goedgekeurd" if approve else "afgewezen")
