"""Casework outcomes as problem+json (one place for the mapping)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.types import ExceptionHandlersMap
from sqlalchemy.orm.exc import StaleDataError

from services.casework.domain.errors import DomainValidationError
from services.casework.domain.lifecycle import InvalidTransition
from services.casework.errors import Conflict, NotFound, VersionMismatch, VersionRequired
from services.platform.authz.enforce import AccessDenied
from services.platform.http.etag import etag
from services.platform.http.problems import problem_response, standard_problem
from services.platform.policy import PolicyEngineUnavailable

Req = Request[Any, Any, Any]


def _denied(request: Req, exc: AccessDenied) -> Response[Any]:
    if "tenant-anders" in exc.decision.codes:
        return problem_response(request, standard_problem(404))
    reasons = [r.to_dict() for r in exc.decision.denied_by]
    detail = " ".join(r["message"] for r in reasons) or "Het beleid staat dit niet toe."
    return problem_response(
        request,
        standard_problem(
            403,
            code="beleid-weigert",
            detail=detail,
            detail_en="The policy does not allow this.",
            extra={"redenen": reasons},
        ),
    )


def _not_found(request: Req, exc: NotFound) -> Response[Any]:
    return problem_response(request, standard_problem(404))


def _invalid_transition(request: Req, exc: InvalidTransition) -> Response[Any]:
    return problem_response(
        request,
        standard_problem(
            409,
            code="ongeldige-overgang",
            title="Ongeldige faseovergang",
            detail=exc.message,
            detail_en=f"Cannot move from {exc.current} to {exc.target}.",
            extra={"huidige_fase": exc.current, "toegestaan": list(exc.allowed)},
        ),
    )


def _conflict(request: Req, exc: Conflict) -> Response[Any]:
    return problem_response(
        request, standard_problem(409, code=exc.code, detail=exc.message, extra=dict(exc.extra))
    )


#: Domain field names (English) as the API calls them (Dutch).
API_FIELD_NAMES = {
    "reason": "reden",
    "closure_reason": "reden",
    "triage_decision": "besluit",
    "decision": "besluit",
    "override_reason": "afwijking_reden",
}


def _invalid(request: Req, exc: DomainValidationError) -> Response[Any]:
    errors = [
        {"field": API_FIELD_NAMES.get(p["field"], p["field"]), "message": p["message"]}
        for p in exc.as_dicts()
    ]
    fields = ", ".join(e["field"] for e in errors)
    return problem_response(
        request,
        standard_problem(
            422,
            code="ongeldige-invoer",
            title="Ongeldige invoer",
            title_en="Unprocessable content",
            detail=" ".join(e["message"] for e in errors),
            detail_en=f"Check these fields: {fields}.",
            extra={"errors": errors},
        ),
    )


def _stale(request: Req, exc: VersionMismatch) -> Response[Any]:
    extra = {"huidige_etag": etag(exc.current)} if exc.current is not None else {}
    return problem_response(request, standard_problem(412, extra=extra))


def _stale_row(request: Req, exc: StaleDataError) -> Response[Any]:
    """A flush found a row changed by another transaction since it was read (the request's
    workspace re-raises it unchanged; docs/adr/0024-request-scoped-workspace.md)."""
    return _stale(request, VersionMismatch(None))


def _required(request: Req, exc: VersionRequired) -> Response[Any]:
    return problem_response(request, standard_problem(428))


def _unavailable(request: Req, exc: PolicyEngineUnavailable) -> Response[Any]:
    return problem_response(
        request,
        standard_problem(
            503,
            code="beleid-niet-beschikbaar",
            detail="De beleidsbeslissing kon niet worden genomen; er worden geen gegevens "
            "getoond. Probeer het zo opnieuw.",
            detail_en="No policy decision could be made; nothing is returned (fail closed).",
            headers={"Retry-After": "5"},
        ),
    )


CASEWORK_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    AccessDenied: _denied,
    NotFound: _not_found,
    InvalidTransition: _invalid_transition,
    Conflict: _conflict,
    DomainValidationError: _invalid,
    VersionMismatch: _stale,
    StaleDataError: _stale_row,
    VersionRequired: _required,
    PolicyEngineUnavailable: _unavailable,
}
