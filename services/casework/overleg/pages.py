"""The overleg pages: upcoming and held meetings, one meeting with its agenda, and the forms
of the voorzitter (PGA-expert / procesregisseur): plan a meeting, put a casus on the agenda
with a briefing, and record the verslag (BOB, besluiten, acties). Every form is validated
with the API's pydantic request model and calls the same service function as the API.
A meeting can be downloaded as an iCalendar file (``/overleggen/<id>.ics``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

import sqlalchemy as sa
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from services.casework.casussen import zichtbaar
from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.local_time import LOCAL_TZ, local_date
from services.casework.errors import NotFound
from services.casework.overleg import ical
from services.casework.overleg import service as meetings
from services.casework.overleg.routes import (
    CHAIR_ROLES,
    AgendapuntIn,
    OverlegIn,
    VerslagIn,
    to_minutes,
)
from services.casework.web import formstate
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.kit import Form, refused, submit
from services.casework.web.page_forms import run_form
from services.casework.web.schema_forms import parse_form
from services.casework.web.shell import (
    Page,
    Req,
    Web,
    form_token,
    guarded,
    not_found,
    org_names,
    person_label,
    render,
    to_login,
    user_names,
)
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import MeetingType, Organisation, User
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC
from services.platform.policy import PolicyEngineUnavailable

OverlegId = FromPath[uuid.UUID]

#: Empty action rows offered per agenda item besides the recorded ones.
EXTRA_ACTION_ROWS: Final = 2
#: At most this many action rows per agenda item are read from a form (the API's limit).
MAX_ACTION_ROWS: Final = 30
PLAN_FIELDS: Final = frozenset({"type", "datum", "tijd", "plaats"})
AGENDA_FIELDS: Final = frozenset({"casus_id", "briefing"})
ACTION_FIELDS: Final = ("omschrijving", "eigenaar_organisatie", "eigenaar_gebruiker", "deadline")
_DECISION_LINE = re.compile(r"^(agendapunten\.\d+\.besluiten)\.\d+$")
_ACTION_FIELD = re.compile(r"^agendapunten\.(\d+)\.acties\.(\d+)\.(\w+)$")


def is_chair(viewer: Viewer) -> bool:
    """The API's guard on planning, the agenda and the verslag."""
    return viewer.principal.has_role(*CHAIR_ROLES)


def _meeting_types(ws: Workspace) -> dict[str, str]:
    rows = ws.session.execute(
        sa.select(MeetingType.id, MeetingType.name)
        .where(MeetingType.tenant_id == ws.principal.tenant, MeetingType.active)
        .order_by(MeetingType.name)
    ).all()
    return {row.id: row.name for row in rows}


def _users_by_org(ws: Workspace) -> dict[str, str]:
    orgs = org_names(ws)
    rows = ws.session.execute(
        sa.select(User.id, User.display_name, User.organisation_id)
        .where(User.tenant_id == ws.principal.tenant, User.active)
        .order_by(User.display_name)
    ).all()
    return {
        row.id: f"{row.display_name} ({orgs.get(row.organisation_id, row.organisation_id)})"
        for row in rows
    }


def _active_orgs(ws: Workspace) -> dict[str, str]:
    rows = ws.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.tenant_id == ws.principal.tenant, Organisation.active)
        .order_by(Organisation.name)
    ).all()
    return {row.id: row.name for row in rows}


# ---------------------------------------------------------------------------------------------
# Reading the forms (as the API's request models)
# ---------------------------------------------------------------------------------------------


def _or_none(value: str) -> str | None:
    return value or None


def plan_input(form: Form) -> OverlegIn:
    """Date and time are two fields in the form and one ``datum_tijd`` in the API (local
    time of the gemeente)."""
    problems: list[FieldProblem] = []
    day, time = form.get("datum"), form.get("tijd")
    if not day:
        problems.append(FieldProblem("datum", "Vul de datum van het overleg in."))
    if not time:
        problems.append(FieldProblem("tijd", "Vul de begintijd van het overleg in (uu:mm)."))
    if not form.get("type"):
        problems.append(FieldProblem("type", "Kies het soort overleg."))
    if problems:
        raise DomainValidationError(problems)
    names = {"datum_tijd": "datum"}
    data = parse_form(
        OverlegIn,
        {
            "type": form.get("type"),
            "datum_tijd": f"{day}T{time}",
            "plaats": _or_none(form.get("plaats")),
        },
        names=names,
    )
    if data.datum_tijd.tzinfo is None:
        data = data.model_copy(update={"datum_tijd": data.datum_tijd.replace(tzinfo=LOCAL_TZ)})
    return data


def agenda_input(form: Form) -> AgendapuntIn:
    if not form.get("casus_id"):
        raise DomainValidationError([FieldProblem("casus_id", "Kies een casus.")])
    return parse_form(
        AgendapuntIn,
        {"casus_id": form.get("casus_id"), "briefing": _or_none(form.get("briefing"))},
    )


def _action_rows(form: Form, i: int) -> int:
    rows = 0
    for name in form.fields:
        match = _ACTION_FIELD.match(name)
        if match and int(match.group(1)) == i:
            rows = max(rows, int(match.group(2)) + 1)
    return min(rows, MAX_ACTION_ROWS)


def minutes_points(form: Form, items: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The verslag form as the API's ``VerslagIn`` data; empty action rows are left out.
    Returns the data and the renaming of its field paths to the form's (the rows left out
    shift the indexes)."""
    points: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for i in range(items):
        prefix = f"agendapunten.{i}."
        actions: list[dict[str, Any]] = []
        for row in range(_action_rows(form, i)):
            values = {f: form.get(f"{prefix}acties.{row}.{f}") for f in ACTION_FIELDS}
            if not any(values.values()):
                continue
            k = len(actions)
            for f in ACTION_FIELDS:
                names[f"{prefix}acties.{k}.{f}"] = f"{prefix}acties.{row}.{f}"
            actions.append({f: _or_none(v) for f, v in values.items()})
        decisions = [
            line.strip() for line in form.get(f"{prefix}besluiten").splitlines() if line.strip()
        ]
        points.append(
            {
                "casus_id": form.get(f"{prefix}casus_id"),
                "beeldvorming": _or_none(form.get(f"{prefix}beeldvorming")),
                "oordeelsvorming": _or_none(form.get(f"{prefix}oordeelsvorming")),
                "besluitvorming": form.get(f"{prefix}besluitvorming"),
                "besluiten": decisions,
                "acties": actions,
            }
        )
    return {"agendapunten": points, "aanwezig": form.getall("aanwezig")}, names


def minutes_input(data: Mapping[str, Any]) -> VerslagIn:
    """Field paths stay the model's (renamed to the form's by the caller); a problem with
    one line of the besluiten is shown beside the besluiten field."""
    try:
        return parse_form(VerslagIn, data)
    except DomainValidationError as error:
        raise DomainValidationError(
            [FieldProblem(_DECISION_LINE.sub(r"\1", p.field), p.message) for p in error.problems]
        ) from None


# ---------------------------------------------------------------------------------------------
# Page contexts
# ---------------------------------------------------------------------------------------------


def _verslag_defaults(body: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """The recorded verslag as form values (to correct it)."""
    values: dict[str, str | list[str]] = {"aanwezig": list(body.get("aanwezig") or [])}
    for i, item in enumerate(body["agenda"]):
        prefix = f"agendapunten.{i}."
        bob = item.get("bespreking") or {}
        for part in ("beeldvorming", "oordeelsvorming", "besluitvorming"):
            values[prefix + part] = bob.get(part) or ""
        values[prefix + "besluiten"] = "\n".join(item.get("besluiten") or [])
        for j, action in enumerate(item.get("acties") or []):
            for f in ACTION_FIELDS:
                values[f"{prefix}acties.{j}.{f}"] = action.get(f) or ""
    return values


def _verslag_form(
    ws: Workspace, body: dict[str, Any], viewer: Viewer, state: formstate.FormState | None
) -> dict[str, Any] | None:
    """The verslag form for the voorzitter, from the day of the meeting on."""
    if not is_chair(viewer) or not body["agenda"]:
        return None
    day = local_date(dt.datetime.fromisoformat(body["datum_tijd"]))
    if day > ws.today:
        return {"te_vroeg": True}
    values = dict(_verslag_defaults(body))
    if state is not None and state.form == "verslag":
        values = dict(state.values)
    rows: list[int] = []
    for i, item in enumerate(body["agenda"]):
        posted = max(
            (
                int(m.group(2)) + 1
                for m in (_ACTION_FIELD.match(k) for k in values)
                if m and int(m.group(1)) == i
            ),
            default=0,
        )
        rows.append(max(posted, len(item.get("acties") or []) + EXTRA_ACTION_ROWS))
    return {
        "te_vroeg": False,
        "rijen": rows,
        "waarden": values,
        "organisaties": _active_orgs(ws),
        "gebruikers": _users_by_org(ws),
    }


def _agenda_form(ws: Workspace, body: dict[str, Any], viewer: Viewer) -> dict[str, Any] | None:
    """Casussen the voorzitter may put on the agenda: active, of the meeting's kind, not on
    it yet (read under the policy, like the casus list)."""
    if not is_chair(viewer) or body["status"] != meetings.PLANNED:
        return None
    on_agenda = {item["casus_id"] for item in body["agenda"]}
    page = zichtbaar.list_casussen(ws, soort=body["soort_casussen"], limit=100)
    options = {
        c["id"]: f"{c['referentie']} — {person_label(c)}"
        for c in page.items
        if lifecycle.is_active(c["soort"], c["fase"]) and c["id"] not in on_agenda
    }
    return {"casussen": options}


def meetings_page(
    viewer: Viewer,
    web: WebDeps,
    *,
    token: str,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    with viewer.attempt() as ws:
        upcoming = meetings.list_meetings(ws, wanneer="komend")
        held = meetings.list_meetings(ws, wanneer="gehouden", limit=10)
        chairs = user_names(ws, {m["voorzitter"] for m in upcoming + held})
        types = _meeting_types(ws) if is_chair(viewer) else {}
    return render(
        viewer,
        "overleggen.html",
        {
            "komend": upcoming,
            "gehouden": held,
            "voorzitters": chairs,
            "plannen": {"soorten": types} if is_chair(viewer) else None,
            "f": formstate.FormView(state),
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": None,
        },
        doel=meetings.PURPOSE,
        active="overleggen",
        status=status,
    )


def meeting_page(
    viewer: Viewer,
    web: WebDeps,
    overleg_id: uuid.UUID,
    *,
    token: str,
    melding: str | None = None,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    with viewer.attempt() as ws:
        _, body = meetings.meeting_view(ws, overleg_id)
        organisations = org_names(ws)
        chair = user_names(ws, {body["voorzitter"]})
        owners = user_names(
            ws,
            {
                str(action["eigenaar_gebruiker"])
                for item in body["agenda"]
                for action in item.get("acties") or []
                if action.get("eigenaar_gebruiker")
            },
        )
        agenda_form = _agenda_form(ws, body, viewer)
        verslag_form = _verslag_form(ws, body, viewer, state)
    for item in body["agenda"]:
        item["naam"] = person_label(item)
    return render(
        viewer,
        "overleg.html",
        {
            "overleg": body,
            "organisaties": organisations,
            "voorzitters": chair,
            "gebruikers": owners,
            "agendaformulier": agenda_form,
            "verslag": verslag_form,
            "f": formstate.FormView(state),
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": formstate.melding(melding),
        },
        doel=meetings.PURPOSE,
        active="overleggen",
        status=status,
    )


def _to_meeting(overleg_id: uuid.UUID | str, melding: str) -> Redirect:
    return Redirect(f"/overleggen/{overleg_id}?melding={melding}", status_code=303)


class OverlegPagesController(Controller):
    """Overleggen: komend en gehouden, een overleg met de agenda, plannen, agenderen, het
    verslag en de agenda als iCalendar-bestand."""

    path = "/"
    include_in_schema = False

    @get("/overleggen", opt=PUBLIC, sync_to_thread=True)
    def meetings_index(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = form_token(request, web.csrf)
        return guarded(viewer, meetings.PURPOSE, lambda: meetings_page(viewer, web, token=token))

    @get("/overleggen/{overleg_id:str}", opt=PUBLIC, sync_to_thread=True)
    def meeting(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        overleg_id: FromPath[str],
        melding: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """``/overleggen/<id>`` (the page) or ``/overleggen/<id>.ics`` (the calendar file;
        Litestar matches a path parameter only as a whole segment)."""
        if viewer is None:
            return to_login()
        calendar = overleg_id.endswith(".ics")
        try:
            meeting_id = uuid.UUID(overleg_id.removesuffix(".ics"))
        except ValueError:
            return not_found(viewer, meetings.PURPOSE)
        if calendar:
            return self._calendar(viewer, web, meeting_id)
        token = form_token(request, web.csrf)
        return guarded(
            viewer,
            meetings.PURPOSE,
            lambda: meeting_page(viewer, web, meeting_id, token=token, melding=melding),
        )

    @staticmethod
    def _calendar(viewer: Viewer, web: WebDeps, overleg_id: uuid.UUID) -> Response[Any]:
        """The meeting as the caller may see it (the policy decides and audits, as for the
        page), as an iCalendar file."""
        try:
            with viewer.attempt() as ws:
                _, body = meetings.meeting_view(ws, overleg_id)
                chair = user_names(ws, {body["voorzitter"]}).get(body["voorzitter"])
                stamp = ws.enforcer.now
        except (AccessDenied, NotFound, PolicyEngineUnavailable) as error:
            failure = error

            def again() -> Template:
                raise failure

            return guarded(viewer, meetings.PURPOSE, again)
        content = ical.meeting_calendar(
            body, chair_name=chair, stamp=stamp, uid_domain=ical.UID_DOMAIN
        )
        day = local_date(dt.datetime.fromisoformat(body["datum_tijd"]))
        return Response(
            content,
            media_type=ical.MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="overleg-{day.isoformat()}.ics"',
                "Cache-Control": "no-store",
            },
        )

    @post("/overleggen", opt=PUBLIC, status_code=303)
    async def plan(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            if not is_chair(viewer):
                return refused(viewer)

            def change() -> Response[Any]:
                data = plan_input(form)
                with viewer.attempt() as ws:
                    meeting = meetings.create_meeting(
                        ws, data.type, data.datum_tijd, None, (), place=data.plaats
                    )
                    meeting_id = meeting.id
                return _to_meeting(meeting_id, "overleg-gepland")

            return run_form(
                viewer,
                "overleg-plannen",
                form,
                change,
                lambda state, status: meetings_page(
                    viewer, web, token=token, state=state, status=status
                ),
                doel=meetings.PURPOSE,
                fields=PLAN_FIELDS,
            )

        return await submit(request, web, viewer, work)

    @post("/overleggen/{overleg_id:uuid}/agenda", opt=PUBLIC, status_code=303)
    async def add_to_agenda(
        self, request: Req, web: Web, viewer: Page, overleg_id: OverlegId
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            if not is_chair(viewer):
                return refused(viewer)

            def change() -> Response[Any]:
                data = agenda_input(form)
                with viewer.attempt() as ws:
                    meetings.add_to_agenda(
                        ws, overleg_id, meetings.AgendaInput(data.casus_id, data.briefing)
                    )
                return _to_meeting(overleg_id, "geagendeerd")

            return run_form(
                viewer,
                "agenderen",
                form,
                change,
                lambda state, status: meeting_page(
                    viewer, web, overleg_id, token=token, state=state, status=status
                ),
                doel=meetings.PURPOSE,
                fields=AGENDA_FIELDS,
            )

        return await submit(request, web, viewer, work)

    @post("/overleggen/{overleg_id:uuid}/verslag", opt=PUBLIC, status_code=303)
    async def record_minutes(
        self, request: Req, web: Web, viewer: Page, overleg_id: OverlegId
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            if not is_chair(viewer):
                return refused(viewer)
            items = sum(
                1 for name in form.fields if re.fullmatch(r"agendapunten\.\d+\.casus_id", name)
            )
            names: dict[str, str] = {}

            def change() -> Response[Any]:
                points, renamed = minutes_points(form, items)
                names.update(renamed)
                data = minutes_input(points)
                version = form.get("versie")
                with viewer.attempt() as ws:
                    meetings.record_minutes(
                        ws,
                        overleg_id,
                        int(version) if version.isdigit() else None,
                        to_minutes(data),
                    )
                return _to_meeting(overleg_id, "verslag-vastgelegd")

            return run_form(
                viewer,
                "verslag",
                form,
                change,
                lambda state, status: meeting_page(
                    viewer, web, overleg_id, token=token, state=state, status=status
                ),
                doel=meetings.PURPOSE,
                fields={"aanwezig", "agendapunten"},
                names=names,
            )

        return await submit(request, web, viewer, work)
