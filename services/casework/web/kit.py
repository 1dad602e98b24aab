"""Reading a posted form, and the login/CSRF handling every form shares (forms validate with
the API's schemas: :mod:`services.casework.web.schema_forms`).

Plain HTML forms (no JavaScript). Every POST must carry the hidden token derived from the
login cookie (:mod:`services.platform.http.csrf`) besides the SameSite=Strict cookie;
otherwise a Dutch 403 page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from litestar import Response
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError
from services.casework.errors import Conflict, NotFound, VersionMismatch, VersionRequired
from services.casework.web import formstate, herstel
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.shell import (
    PHASE_PURPOSE,
    Req,
    guarded,
    not_found,
    reasons,
    render,
)
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import COOKIE
from services.platform.policy import PolicyEngineUnavailable

CasusId = FromPath[uuid.UUID]


@dataclass(frozen=True)
class Form:
    """The fields of a posted form (text values only)."""

    fields: Mapping[str, list[str]]

    def get(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0].strip() if values else ""

    def getall(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]

    def version(self) -> int | None:
        """The casus version the form was made for (None: the service answers 'required')."""
        value = self.get("versie")
        return int(value) if value.isdigit() else None

    def values(self) -> dict[str, str | list[str]]:
        """What was entered, to put back in the form (never the CSRF token)."""
        kept: dict[str, str | list[str]] = {}
        for name, values in self.fields.items():
            if name == CSRF_FIELD:
                continue
            kept[name] = values[0] if len(values) == 1 else list(values)
        return kept


async def read_form(request: Req) -> Form:
    raw = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in raw.multi_items():
        if isinstance(value, str):
            # NUL is never text a person typed, and PostgreSQL refuses it in text columns.
            fields.setdefault(name, []).append(value.replace("\x00", ""))
    return Form(fields)


def refused(viewer: Viewer) -> Template:
    return render(viewer, "formulier_ongeldig.html", {}, doel=None, status=403)


#: Shows a form again with the values sent and a message above it: (viewer, form, token of
#: this login, message) -> the form's own page (status 403: nothing was done).
Again = Callable[[Viewer, Form, str, str], Response[Any]]


async def submit(
    request: Req,
    web: WebDeps,
    viewer: Viewer | None,
    work: Callable[[Viewer, Form, str], Response[Any]],
    again: Again | None = None,
) -> Response[Any]:
    """Read the form, then (in a worker thread) check the login and the CSRF token first.

    No lost work (:mod:`services.casework.web.herstel`): without a valid login the values come
    back on a page that can send them again; with a stale token the form comes back filled in
    (``again``, else a page listing the values), with the token of this login."""
    form = await read_form(request)

    def run() -> Response[Any]:
        if viewer is None:
            return herstel.session_expired(request, form.values())
        cookie = request.cookies.get(COOKIE)
        if not web.csrf.valid(cookie, form.get(CSRF_FIELD)):
            assert cookie is not None
            token = web.csrf.token(cookie)
            if again is not None:
                return again(viewer, form, token, herstel.STALE_FORM_TEXT)
            return herstel.send_again(viewer, request, form.values(), token)
        assert cookie is not None
        return work(viewer, form, web.csrf.token(cookie))

    return await anyio.to_thread.run_sync(run)


def back(casus_id: uuid.UUID, melding: str) -> Redirect:
    return Redirect(f"/casussen/{casus_id}?melding={melding}", status_code=303)


def yes_no(value: str) -> bool | None:
    return True if value == "ja" else False if value == "nee" else None


#: Casus form endpoint -> (form key, perform builder).
Builder = Callable[[Form, uuid.UUID], Callable[[Workspace], str]]


def casus_action(
    viewer: Viewer,
    web: WebDeps,
    casus_id: uuid.UUID,
    token: str,
    form_key: str,
    form: Form,
    perform: Callable[[Workspace], str],
) -> Response[Any]:
    """Run one casus form in one unit of work; turn every outcome into a page."""
    values = form.values()

    def page(state: formstate.FormState, status: int) -> Template:
        return web.casus_page(viewer, casus_id, token=token, state=state, status=status)

    state: formstate.FormState
    status: int
    try:
        with viewer.attempt() as ws:
            melding = perform(ws)
        return back(casus_id, melding)
    except (VersionMismatch, VersionRequired):
        return back(casus_id, formstate.STALE)
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return not_found(viewer, PHASE_PURPOSE)
        messages = tuple(r["message"] for r in reasons(error.decision))
        state, status = formstate.FormState(form_key, values, general=messages, denied=True), 403
    except DomainValidationError as error:
        state, status = formstate.state_from_problems(form_key, values, error.problems), 422
    except lifecycle.InvalidTransition as error:
        state, status = formstate.FormState(form_key, values, general=(error.message,)), 409
    except Conflict as error:
        state, status = formstate.FormState(form_key, values, general=(error.message,)), 409
    except NotFound:
        return not_found(viewer, PHASE_PURPOSE)
    except PolicyEngineUnavailable:
        return render(viewer, "storing.html", {}, doel=PHASE_PURPOSE, status=503)
    return guarded(viewer, PHASE_PURPOSE, lambda: page(state, status))


async def casus_form(
    request: Req,
    web: WebDeps,
    viewer: Viewer | None,
    casus_id: uuid.UUID,
    form_key: Callable[[Form], str],
    build: Builder,
) -> Response[Any]:
    """A form on the casus page: the shared login/CSRF handling and the service call."""

    def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
        return casus_action(
            viewer, web, casus_id, token, form_key(form), form, build(form, casus_id)
        )

    def again(viewer: Viewer, form: Form, token: str, message: str) -> Response[Any]:
        state = formstate.FormState(form_key(form), form.values(), general=(message,))
        return guarded(
            viewer,
            PHASE_PURPOSE,
            lambda: web.casus_page(viewer, casus_id, token=token, state=state, status=403),
        )

    return await submit(request, web, viewer, work, again)
