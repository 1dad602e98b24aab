"""The Dutch, server-rendered pages for professionals (read-mostly).

Every page calls the same casework service functions as the JSON API, inside the same unit
of work (:func:`services.casework.unit_of_work.workspace`): the policy decides and audits
every page view exactly as it does for the API. The pages do not decide anything themselves;
they show what the services return (pseudonymised rows, masked fields, hidden items).

Browsers carry the login cookie; without a valid one a page redirects to ``/inloggen``
instead of answering with a JSON 401. A refusal by the policy is a friendly page with the
policy's reasons (403); a casus of another gemeente, or one that does not exist, is a 404
page (no existence leak).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session, sessionmaker

from services.casework.casussen import service as svc
from services.casework.domain import lifecycle
from services.casework.domain.assessments import instrument_domains
from services.casework.domain.errors import DomainValidationError
from services.casework.domain.text import format_date_nl
from services.casework.errors import NotFound
from services.casework.groepsaanpak import service as groups
from services.casework.informatie import service as information
from services.casework.overleg import service as meetings
from services.casework.plan import service as plans
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.casework.werkvoorraad import service as werkvoorraad
from services.casework.workspace import Workspace
from services.casework.zelfredzaamheid import service as assessment_service
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import Organisation, Tenant, User
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.authn import COOKIE, PUBLIC
from services.platform.identity.directory import AccessRefused
from services.platform.identity.principal import Principal
from services.platform.identity.setup import Identity
from services.platform.identity.tokens import TokenError
from services.platform.policy import Decision, PolicyEngineUnavailable
from services.web import acties
from services.web.context import WebDeps
from services.web.csrf import FIELD as CSRF_FIELD
from services.web.csrf import CsrfSigner
from tenants.reference import PURPOSES

Req = Request[Any, Any, Any]
Web = NamedDependency[WebDeps]

LOGIN: Final = "/inloggen"
LOCAL_TZ: Final = ZoneInfo("Europe/Amsterdam")
PAGE_SIZE: Final = 25
#: The home counts page through the casussen with this page size, up to COUNT_CAP.
COUNT_PAGE: Final = 100
COUNT_CAP: Final = 500
LIST_PURPOSE: Final = "casusoverleg"  # the default of list_casussen
#: The home counts list the casussen and the werkvoorraad, each under its own purpose.
HOME_PURPOSES: Final = (LIST_PURPOSE, werkvoorraad.PURPOSE)
#: Footer of a refused casus page without a chosen purpose: the purpose that fits the
#: casus phase was used, but naming it would tell an outsider the phase.
PHASE_PURPOSE: Final = "fase"

DUE_KIND_LABELS: Final[Mapping[str, str]] = {
    "herijking": "Herijking",
    "positieve-afsluiting": "Positieve afsluiting",
    "toezegging-controleren": "Toezegging controleren",
    "doorbreekglas-beoordelen": "Doorbreekglas beoordelen",
}
ROLE_LABELS: Final[Mapping[str, str]] = {
    "casusregisseur": "Casusregisseur",
    "procesregisseur": "Procesregisseur",
    "uitvoeringscoordinator": "Uitvoeringscoördinator",
}
PARTICIPATION_LABELS: Final[Mapping[str, str]] = {"kern": "kern", "op-afroep": "op afroep"}
VIEW_LABELS: Final[Mapping[str, str]] = {
    "full": "volledig",
    "pseudoniem": "gepseudonimiseerd",
    "anoniem": "geanonimiseerd",
}


# ---------------------------------------------------------------------------------------------
# Formatting helpers (passed to the templates)
# ---------------------------------------------------------------------------------------------


def nl_date(value: str | dt.date | None) -> str:
    """``"2026-03-04"`` (or a date, or an ISO timestamp) -> ``"4 maart 2026"``; empty for None."""
    if value is None or value == "":
        return ""
    day: dt.date
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        day = (moment.astimezone(LOCAL_TZ) if moment.tzinfo else moment).date()
    elif isinstance(value, dt.datetime):
        day = (value.astimezone(LOCAL_TZ) if value.tzinfo else value).date()
    else:
        day = value
    return format_date_nl(day)


def nl_datetime(value: str | dt.datetime | None) -> str:
    """An ISO timestamp as ``"4 maart 2026, 09:30"`` (Amsterdam time)."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return f"{format_date_nl(moment.date())}, {moment:%H:%M}"


def purpose_label(code: str | tuple[str, ...] | None) -> str:
    """Dutch label of a purpose code (or several, for a page that reads under more)."""
    if isinstance(code, tuple):
        return ", ".join(purpose_label(c) for c in code)
    if not code:
        return ""
    if code == PHASE_PURPOSE:
        return "het doel dat past bij de fase van de casus"
    return PURPOSES.get(code, code).lower()


def trend(change: int | None) -> dict[str, str]:
    """Arrow, CSS class and screen-reader text for a score change (higher = better)."""
    if change is None:
        return {"pijl": "–", "klasse": "masked", "tekst": "niet zichtbaar"}
    if change > 0:
        return {"pijl": "▲", "klasse": "up", "tekst": f"verbeterd met {change}"}
    if change < 0:
        return {"pijl": "▼", "klasse": "down", "tekst": f"verslechterd met {-change}"}
    return {"pijl": "=", "klasse": "same", "tekst": "gelijk gebleven"}


HELPERS: Final[dict[str, Callable[..., Any]]] = {
    "datum": nl_date,
    "datumtijd": nl_datetime,
    "doel_label": purpose_label,
    "trend": trend,
}


# ---------------------------------------------------------------------------------------------
# Who is looking
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    organisation_name: str
    tenant_name: str


def cookie_principal(request: Req, identity: Identity) -> Principal | None:
    """The principal of the login cookie, or None when there is none or it is not valid."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return identity.directory.resolve(identity.verifier.verify(token))
    except (TokenError, AccessRefused):
        return None


def _viewer(request: Req, identity: Identity, sessions: sessionmaker[Session]) -> Viewer | None:
    principal = cookie_principal(request, identity)
    if principal is None:
        return None
    with tenant_transaction(sessions, principal.tenant) as session:
        org = session.get(Organisation, (principal.tenant, principal.organisation))
        tenant = session.get(Tenant, principal.tenant)
        return Viewer(
            principal,
            org.name if org else principal.organisation,
            tenant.name if tenant else principal.tenant,
        )


def _to_login() -> Redirect:
    return Redirect(LOGIN, status_code=303)


def _render(
    viewer: Viewer,
    template: str,
    context: Mapping[str, Any],
    *,
    doel: str | tuple[str, ...] | None,
    active: str | None = None,
    status: int = 200,
) -> Template:
    """A page for this viewer: header (name, organisation, gemeente), nav and the footer."""
    return Template(
        template,
        context={
            **HELPERS,
            "principal": viewer.principal,
            "organisation_name": viewer.organisation_name,
            "tenant_name": viewer.tenant_name,
            "doel": doel,
            "active": active,
            **context,
        },
        status_code=status,
    )


def _reasons(decision: Decision) -> list[dict[str, str]]:
    denied = [r.to_dict() for r in decision.denied_by]
    return denied or [
        {"code": "beleid-weigert", "effect": "deny", "message": "Het beleid staat dit niet toe."}
    ]


def _guarded(
    viewer: Viewer, doel: str | tuple[str, ...] | None, build: Callable[[], Template]
) -> Template:
    """Run a page; the policy's refusal, a missing casus or an unavailable policy engine
    become a friendly Dutch page instead of a stack trace or problem+json."""
    try:
        return build()
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return _not_found(viewer, doel)
        return _render(
            viewer,
            "geweigerd.html",
            {"redenen": _reasons(error.decision), "actie": error.action},
            doel=doel,
            status=403,
        )
    except NotFound:
        return _not_found(viewer, doel)
    except PolicyEngineUnavailable:
        return _render(
            viewer,
            "storing.html",
            {},
            doel=doel,
            status=503,
        )


def _not_found(viewer: Viewer, doel: str | tuple[str, ...] | None) -> Template:
    return _render(viewer, "niet_gevonden.html", {}, doel=doel, status=404)


def _org_names(ws: Workspace) -> dict[str, str]:
    """Organisation names of the caller's tenant (reference data, no person data)."""
    rows = ws.session.execute(
        sa.select(Organisation.id, Organisation.name).where(
            Organisation.tenant_id == ws.principal.tenant
        )
    ).all()
    return {row.id: row.name for row in rows}


def _user_names(ws: Workspace, user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = ws.session.execute(
        sa.select(User.id, User.display_name).where(
            User.tenant_id == ws.principal.tenant, User.id.in_(user_ids)
        )
    ).all()
    return {row.id: row.display_name for row in rows}


def person_label(view: Mapping[str, Any]) -> str:
    """The name of the subject, or its pseudonym / group name as the view allows."""
    if view.get("soort") == "groep":
        return str(view.get("groepsnaam") or f"Groep (stap {view.get('stap') or '–'})")
    person = view.get("persoon")
    if not person:
        return "–"
    if person.get("weergave") == "full" and person.get("achternaam"):
        roepnaam = person.get("roepnaam")
        name = f"{person.get('voornamen', '')} {person['achternaam']}".strip()
        return f"{name} ({roepnaam})" if roepnaam else name
    return str(person.get("pseudoniem") or "–")


# ---------------------------------------------------------------------------------------------
# Counts for the home page
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    casussen: int
    casussen_meer: bool
    werkvoorraad: int
    te_laat: int


def home_counts(casework: CaseworkDeps, principal: Principal) -> Counts:
    """How many casussen the caller may see and how many werkvoorraad items are due, through
    the same service functions (so the policy decides and audits this too)."""
    with workspace(casework, principal) as ws:
        total, cursor, more = 0, None, False
        while True:
            page = svc.list_casussen(ws, limit=COUNT_PAGE, cursor=cursor)
            total += len(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
            if total >= COUNT_CAP:
                more = True
                break
        queue = werkvoorraad.work_queue(ws)
    return Counts(total, more, int(queue["aantal"]), int(queue["te_laat"]))


# ---------------------------------------------------------------------------------------------
# The casus page
# ---------------------------------------------------------------------------------------------


@dataclass
class Section:
    """A part of the casus page: its data, or why the policy did not show it."""

    data: Any = None
    geweigerd: list[dict[str, str]] | None = None
    ontbreekt: bool = False


def _section(load: Callable[[], Any]) -> Section:
    """One section under the policy. A refusal hides only this section (and is audited by
    the enforcer in the same transaction as the rest of the page)."""
    try:
        return Section(data=load())
    except AccessDenied as error:
        return Section(geweigerd=_reasons(error.decision))
    except NotFound:
        return Section(ontbreekt=True)


def _casus_context(
    ws: Workspace,
    casus_id: uuid.UUID,
    doel: str | None,
    state: acties.FormState | None = None,
) -> dict[str, Any]:
    casus, decision = svc.read_casus(ws, casus_id, doel)
    purpose = ws.purpose_for(casus, doel)
    detail = svc.detail_view(ws, casus, decision)
    org_names = _org_names(ws)
    plan = _section(lambda: plans.plan_view(ws, plans.read_plan(ws, casus_id, purpose)))
    named = {r["gebruiker"] for r in detail["regie"] if r["gebruiker"]}
    if plan.data and plan.data.get("aangemaakt_door"):
        named.add(plan.data["aangemaakt_door"])
    users = _user_names(ws, named)
    zrm = (
        _section(lambda: assessment_service.history(ws, casus_id, purpose))
        if casus.kind == lifecycle.PERSON
        else None
    )
    items = _section(lambda: information.list_items(ws, casus_id, purpose))
    group = casus.kind == lifecycle.GROUP
    members = _section(lambda: groups.list_members(ws, casus_id)) if group else None
    signals = _section(lambda: groups.list_signals(ws, casus_id)) if group else None
    events = _section(lambda: svc.timeline(ws, casus_id, None))
    domain_labels = instrument_domains(ws.manifest_of(casus.tenant_id).assessment_instrument)
    forms = acties.FormView(state)
    return {
        "acties": acties.action_context(ws, casus, detail, org_names, forms),
        "f": forms,
        "casus": detail,
        "naam": person_label(detail),
        "doel": purpose,
        "organisaties": org_names,
        "gebruikers": users,
        "leefgebieden": domain_labels,
        "plan": plan,
        "zrm": zrm,
        "informatie": items,
        "leden": members,
        "signalen": signals,
        "tijdlijn": events,
        "weergave_label": VIEW_LABELS.get(detail["weergave"] or "", detail["weergave"]),
        "rol_labels": ROLE_LABELS,
        "deelname_labels": PARTICIPATION_LABELS,
        "doelen": PURPOSES,
    }


def form_token(request: Req, signer: CsrfSigner) -> str:
    """The hidden CSRF token of this login (empty without a cookie)."""
    cookie = request.cookies.get(COOKIE)
    return signer.token(cookie) if cookie else ""


def casus_page(
    viewer: Viewer,
    casework: CaseworkDeps,
    casus_id: uuid.UUID,
    requested: str | None,
    *,
    token: str,
    melding: str | None = None,
    state: acties.FormState | None = None,
    status: int = 200,
) -> Template:
    """The casus page with its forms; ``state`` is a form that came back with problems."""
    with workspace(casework, viewer.principal) as ws:
        context = _casus_context(ws, casus_id, requested, state)
    context.update(
        {
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": acties.melding(melding),
        }
    )
    return _render(
        viewer, "casus.html", context, doel=context["doel"], active="casussen", status=status
    )


# ---------------------------------------------------------------------------------------------
# The controller
# ---------------------------------------------------------------------------------------------


class PagesController(Controller):
    """Mijn casussen, de casuspagina, werkvoorraad en overleggen (all behind the login)."""

    path = "/"
    include_in_schema = False

    @get("/overzicht", opt=PUBLIC, sync_to_thread=True)
    def overview(self, request: Req, web: Web) -> Response[Any]:
        """The home page with counts (``/`` itself is served by HomeController)."""
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()

        def build() -> Template:
            counts = home_counts(web.casework, viewer.principal)
            return _render(
                viewer, "home.html", {"counts": counts}, doel=HOME_PURPOSES, active="home"
            )

        return _guarded(viewer, HOME_PURPOSES, build)

    @get("/casussen", opt=PUBLIC, sync_to_thread=True)
    def casussen(
        self,
        request: Req,
        web: Web,
        fase: FromQuery[str | None] = None,
        na: FromQuery[str | None] = None,
    ) -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()
        fase = fase or None

        def build() -> Template:
            problem: str | None = None
            items: list[dict[str, Any]] = []
            next_cursor: str | None = None
            with workspace(web.casework, viewer.principal) as ws:
                try:
                    page = svc.list_casussen(ws, fase=fase, limit=PAGE_SIZE, cursor=na or None)
                    items, next_cursor = page.items, page.next_cursor
                except DomainValidationError as error:
                    problem = " ".join(p["message"] for p in error.as_dicts())
            rows = [{**item, "naam": person_label(item)} for item in items]
            return _render(
                viewer,
                "casussen.html",
                {
                    "rijen": rows,
                    "fase": fase,
                    "fasen": _phase_options(),
                    "volgende": next_cursor,
                    "vervolg": bool(na),
                    "probleem": problem,
                },
                doel=LIST_PURPOSE,
                active="casussen",
            )

        return _guarded(viewer, LIST_PURPOSE, build)

    @get("/casussen/{casus_id:uuid}", opt=PUBLIC, sync_to_thread=True)
    def casus(
        self,
        request: Req,
        web: Web,
        casus_id: FromPath[uuid.UUID],
        doel: FromQuery[str | None] = None,
        melding: FromQuery[str | None] = None,
    ) -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()
        requested = doel if doel in PURPOSES else None

        def build() -> Template:
            return casus_page(
                viewer,
                web.casework,
                casus_id,
                requested,
                token=form_token(request, web.csrf),
                melding=melding,
            )

        return _guarded(viewer, requested or PHASE_PURPOSE, build)

    @get("/werkvoorraad", opt=PUBLIC, sync_to_thread=True)
    def work(self, request: Req, web: Web) -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()

        def build() -> Template:
            with workspace(web.casework, viewer.principal) as ws:
                queue = werkvoorraad.work_queue(ws)
            return _render(
                viewer,
                "werkvoorraad.html",
                {"werk": queue, "soorten": DUE_KIND_LABELS},
                doel=werkvoorraad.PURPOSE,
                active="werkvoorraad",
            )

        return _guarded(viewer, werkvoorraad.PURPOSE, build)

    @get("/overleggen", opt=PUBLIC, sync_to_thread=True)
    def meetings_index(self, request: Req, web: Web) -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()

        def build() -> Template:
            with workspace(web.casework, viewer.principal) as ws:
                upcoming = meetings.list_meetings(ws, wanneer="komend")
                held = meetings.list_meetings(ws, wanneer="gehouden", limit=10)
                chairs = _user_names(ws, {m["voorzitter"] for m in upcoming + held})
            return _render(
                viewer,
                "overleggen.html",
                {"komend": upcoming, "gehouden": held, "voorzitters": chairs},
                doel=meetings.PURPOSE,
                active="overleggen",
            )

        return _guarded(viewer, meetings.PURPOSE, build)

    @get("/overleggen/{overleg_id:uuid}", opt=PUBLIC, sync_to_thread=True)
    def meeting(
        self,
        request: Req,
        web: Web,
        overleg_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()

        def build() -> Template:
            with workspace(web.casework, viewer.principal) as ws:
                _, body = meetings.meeting_view(ws, overleg_id)
                org_names = _org_names(ws)
                chair = _user_names(ws, {body["voorzitter"]})
            for item in body["agenda"]:
                item["naam"] = person_label(item)
            return _render(
                viewer,
                "overleg.html",
                {"overleg": body, "organisaties": org_names, "voorzitters": chair},
                doel=meetings.PURPOSE,
                active="overleggen",
            )

        return _guarded(viewer, meetings.PURPOSE, build)


def _phase_options() -> list[dict[str, str]]:
    """Every phase of both casus kinds, for the filter (codes are unique across kinds,
    except ``gearchiveerd``)."""
    options: dict[str, str] = {}
    for kind in (lifecycle.PERSON, lifecycle.GROUP):
        for state in lifecycle.states(kind):
            label = lifecycle.state_label(kind, state)
            options.setdefault(state, label if kind == lifecycle.PERSON else f"Groep: {label}")
    return [{"code": code, "label": label} for code, label in options.items()]
