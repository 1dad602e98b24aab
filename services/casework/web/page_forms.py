"""A form on a page of its own (not the casus page): run the service call in one unit of
work and turn every outcome into a page. A form that comes back keeps what was entered;
a stale version is a message above the form (nothing is lost), not a redirect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from litestar import Response
from litestar.response import Template

from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict, NotFound, VersionMismatch, VersionRequired
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.kit import Form
from services.casework.web.shell import not_found, reasons, render
from services.platform.authz.enforce import AccessDenied
from services.platform.policy import PolicyEngineUnavailable

STALE_TEXT: Final = (
    "Iemand anders heeft dit intussen gewijzigd. Uw invoer staat hieronder nog; bekijk de "
    "nieuwe stand en verstuur het formulier opnieuw."
)

_INDEX = re.compile(r"\[(\d+)\]")


def dotted(field: str) -> str:
    """A service field path (``agendapunten[0].acties[1].deadline``) in the dotted form of
    the form's field names (``agendapunten.0.acties.1.deadline``)."""
    return _INDEX.sub(r".\1", field)


def problems_in_form(
    problems: Iterable[FieldProblem], names: Mapping[str, str] | None = None
) -> list[FieldProblem]:
    """Service problems renamed to the form's field names."""
    rename = names or {}
    return [FieldProblem(rename.get(dotted(p.field), dotted(p.field)), p.message) for p in problems]


def run_form(
    viewer: Viewer,
    form_key: str,
    form: Form,
    work: Callable[[], Response[Any]],
    page: Callable[[formstate.FormState, int], Template],
    *,
    doel: str | None,
    fields: Iterable[str],
    names: Mapping[str, str] | None = None,
) -> Response[Any]:
    """``work`` does the change (its own unit of work) and answers the redirect; on a problem
    ``page`` renders the form again with the state (values kept, messages per field)."""
    values = form.values()
    known = frozenset(fields) | frozenset(form.fields)
    state: formstate.FormState
    status: int
    try:
        return work()
    except (VersionMismatch, VersionRequired):
        state, status = formstate.FormState(form_key, values, general=(STALE_TEXT,)), 409
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return not_found(viewer, doel)
        messages = tuple(r["message"] for r in reasons(error.decision))
        state, status = formstate.FormState(form_key, values, general=messages, denied=True), 403
    except DomainValidationError as error:
        state = formstate.state_from_problems(
            form_key, values, problems_in_form(error.problems, names), fields=known
        )
        status = 422
    except (lifecycle.InvalidTransition, Conflict) as error:
        state, status = formstate.FormState(form_key, values, general=(error.message,)), 409
    except NotFound:
        return not_found(viewer, doel)
    except PolicyEngineUnavailable:
        return render(viewer, "storing.html", {}, doel=doel, status=503)
    try:
        return page(state, status)
    except AccessDenied as error:
        return render(
            viewer,
            "geweigerd.html",
            {"redenen": reasons(error.decision), "actie": error.action},
            doel=doel,
            status=403,
        )
    except NotFound:
        return not_found(viewer, doel)
