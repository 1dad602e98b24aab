"""The shell of every Dutch page: who is looking (the login cookie), the header and footer, the
friendly refusal / not-found / outage pages, and the template helpers.

Every page calls the same casework service functions as the JSON API, inside the same unit
of work: the policy decides and audits every page view exactly as it does for the API. A
refusal by the policy is a friendly page with the policy's reasons (403); a casus of another
gemeente, or one that does not exist, is a 404 page (no existence leak).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import replace
from typing import Any, Final

import anyio
import anyio.to_thread
import sqlalchemy as sa
from litestar import Request
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from services.casework.domain.local_time import LOCAL_TZ, local_date
from services.casework.domain.text import format_date_nl
from services.casework.errors import NotFound
from services.casework.page_reads import colleagues, organisation_names
from services.casework.unit_of_work import (
    CaseworkDeps,
    LazyWorkspace,
    UnitOfWork,
    request_slots,
)
from services.casework.web.context import BadgeCount, Viewer, WebDeps
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import CsrfSigner
from services.platform.identity.authn import COOKIE
from services.platform.identity.directory import AccessRefused
from services.platform.identity.principal import Principal
from services.platform.identity.principal_cache import PrincipalCache
from services.platform.identity.setup import Identity
from services.platform.identity.tokens import TokenError
from services.platform.policy import Decision, PolicyEngineUnavailable
from tenants.reference import PURPOSES

Req = Request[Any, Any, Any]


Web = NamedDependency[WebDeps]

#: The viewer of a casework page (None without a valid login), with the request's workspace.
Page = NamedDependency[Viewer | None]


LOGIN: Final = "/inloggen"


#: Footer of a refused casus page without a chosen purpose: the purpose that fits the
#: casus phase was used, but naming it would tell an outsider the phase.
PHASE_PURPOSE: Final = "fase"


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
        day = local_date(moment)
    elif isinstance(value, dt.datetime):
        day = local_date(value)
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


def cookie_principal(request: Req, identity: Identity) -> Principal | None:
    """The principal of the login cookie, or None when there is none or it is not valid."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return identity.directory.resolve(identity.verifier.verify(token))
    except (TokenError, AccessRefused):
        return None


def viewer_from(principal: Principal) -> Viewer:
    """The viewer of a resolved login: the header's names come with the principal (the
    directory reads them with it, the principal cache keeps them and drops them on the same
    signal as the rest: ADR 0027), so a page needs no transaction of its own for them."""
    return Viewer(
        principal,
        principal.organisation_name or principal.organisation,
        principal.tenant_name or principal.tenant,
    )


def viewer_of(request: Req, identity: Identity) -> Viewer | None:
    """The viewer of the login cookie (None without a valid login); may read the directory
    (a principal not cached), so not on the event loop."""
    principal = cookie_principal(request, identity)
    return None if principal is None else viewer_from(principal)


async def cookie_viewer(request: Req, identity: Identity) -> Viewer | None:
    """:func:`viewer_of` for the event loop: a verified token and a cached principal are
    taken without a thread hop (as the API's authentication middleware does); only a
    principal not cached is read from the directory, in a worker thread."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    directory = identity.directory
    try:
        claims = await identity.verifier.verify_async(token)
        principal = directory.lookup(claims) if isinstance(directory, PrincipalCache) else None
        if principal is None:
            principal = await anyio.to_thread.run_sync(directory.resolve, claims)
    except (TokenError, AccessRefused):
        return None
    return viewer_from(principal)


#: Requests that cannot write: a page answering one counts the header's badge up front.
READING_METHODS: Final = frozenset({"GET", "HEAD"})


class PageWorkspace(LazyWorkspace):
    """The workspace of a page request. For a request that cannot write (GET, HEAD: no page
    of those writes notifications; only forms and jobs do) the header's unread-meldingen
    count is read the moment the workspace opens, in its transaction, as its first
    statement after the tenant: one statement, in the page's worker thread, instead of a
    savepoint, the count and its release while the template renders on the event loop.

    A count that fails cannot break the page: it is the transaction's first statement, so
    nothing is lost by ending that transaction (nothing read, decided or recorded yet) and
    opening the workspace again; the header then shows no badge, as before."""

    def __init__(
        self, deps: CaseworkDeps, principal: Principal, *, count_badge: BadgeCount | None
    ) -> None:
        super().__init__(deps, principal)
        self._count_badge = count_badge
        #: Whether :attr:`unread` was read when the workspace opened (None: the count failed).
        self.badge_counted = False
        self.unread: int | None = None

    def get(self) -> Workspace:
        count = self._count_badge
        if self._workspace is not None or count is None:
            return super().get()
        ws = super().get()
        self.badge_counted = True
        try:
            self.unread = count(ws.session, ws.principal)
        except sa.exc.SQLAlchemyError as error:
            unit = self._unit
            self._workspace = None
            unit.abort(error)  # a rollback: nothing was done in it yet
            self._unit = UnitOfWork(unit.deps, unit.principal)
            ws = super().get()
        return ws


async def page_viewer(request: Req, web: Web) -> AsyncGenerator[Viewer | None, None]:
    """The dependency ``viewer`` of every casework page: who is looking (the login cookie),
    with the workspace of the request. The workspace opens when the page first uses it; it
    commits after the page is built (before it is sent), or rolls back, with the refusals on
    record, when the handler raises. Each part of a page that may fail and be shown as a page
    (a refusal, a form with problems) runs in :meth:`Viewer.attempt`: it rolls back to a
    savepoint and keeps its refusals on record, as its own unit of work did before; a part
    that only reads runs in :meth:`Viewer.reading`, the same without the savepoint."""
    viewer = await cookie_viewer(request, web.identity)
    if viewer is None:
        yield None
        return
    scope = PageWorkspace(
        web.casework,
        viewer.principal,
        count_badge=web.unread_count if request.method in READING_METHODS else None,
    )
    async with request_slots(web.casework):  # before a connection (unit_of_work.request_slots)
        try:
            yield replace(viewer, request_workspace=scope)
        except BaseException as error:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(scope.abort, error)
            raise
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(scope.commit)


def to_login() -> Redirect:
    return Redirect(LOGIN, status_code=303)


def render(
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
            "viewer": viewer,
            "organisation_name": viewer.organisation_name,
            "tenant_name": viewer.tenant_name,
            "doel": doel,
            "active": active,
            **context,
        },
        status_code=status,
    )


def reasons(decision: Decision) -> list[dict[str, str]]:
    denied = [r.to_dict() for r in decision.denied_by]
    return denied or [
        {"code": "beleid-weigert", "effect": "deny", "message": "Het beleid staat dit niet toe."}
    ]


def guarded(
    viewer: Viewer, doel: str | tuple[str, ...] | None, build: Callable[[], Template]
) -> Template:
    """Run a page; the policy's refusal, a missing casus or an unavailable policy engine
    become a friendly Dutch page instead of a stack trace or problem+json."""
    try:
        return build()
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return not_found(viewer, doel)
        return render(
            viewer,
            "geweigerd.html",
            {"redenen": reasons(error.decision), "actie": error.action},
            doel=doel,
            status=403,
        )
    except NotFound:
        return not_found(viewer, doel)
    except PolicyEngineUnavailable:
        return render(
            viewer,
            "storing.html",
            {},
            doel=doel,
            status=503,
        )


def not_found(viewer: Viewer, doel: str | tuple[str, ...] | None) -> Template:
    return render(viewer, "niet_gevonden.html", {}, doel=doel, status=404)


def org_names(ws: Workspace) -> dict[str, str]:
    """Organisation names of the caller's tenant (reference data, no person data); read
    once in a page's read phase (:mod:`services.casework.page_reads`)."""
    return organisation_names(ws.session, ws.principal.tenant)


def user_names(ws: Workspace, user_ids: set[str]) -> dict[str, str]:
    """Display names of colleagues in the caller's tenant (once per id in a page's read
    phase)."""
    found = colleagues(ws.session, ws.principal.tenant, user_ids)
    return {user_id: name for user_id, (name, _organisation) in found.items()}


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


def form_token(request: Req, signer: CsrfSigner) -> str:
    """The hidden CSRF token of this login (empty without a cookie)."""
    cookie = request.cookies.get(COOKIE)
    return signer.token(cookie) if cookie else ""
