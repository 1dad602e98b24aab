"""RFC 9457 problem details for every error, in Dutch with an English translation.

No stack trace ever leaves the service: unexpected errors are logged (redacted) with the
request id, and the client gets a 500 problem that carries the same id.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap
from sqlalchemy import exc as sa_exc

from services.platform.logging import request_id_var

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://regietafel.nl/problemen/"

_log = logging.getLogger(__name__)


class Problem(Exception):
    """An error the client should see: status, machine code, Dutch and English text."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        title_en: str | None = None,
        detail_en: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail_en or detail}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.title_en = title_en
        self.detail_en = detail_en
        self.extra = extra or {}
        self.headers = headers or {}


def problem_response(request: Request[Any, Any, Any], problem: Problem) -> Response[Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.code,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
        "code": problem.code,
    }
    if problem.title_en:
        body["title_en"] = problem.title_en
    if problem.detail_en:
        body["detail_en"] = problem.detail_en
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    body.update(problem.extra)
    return Response(
        content=body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


_STANDARD: dict[int, tuple[str, str, str, str, str]] = {
    400: (
        "ongeldig-verzoek",
        "Ongeldig verzoek",
        "Bad request",
        "Het verzoek kon niet worden verwerkt.",
        "The request could not be processed.",
    ),
    401: (
        "niet-ingelogd",
        "Niet ingelogd",
        "Not authenticated",
        "Log in om verder te gaan.",
        "Authentication is required.",
    ),
    403: (
        "geen-toegang",
        "Geen toegang",
        "Forbidden",
        "U heeft geen toegang tot deze gegevens.",
        "You are not allowed to access this.",
    ),
    404: (
        "niet-gevonden",
        "Niet gevonden",
        "Not found",
        "Deze pagina of dit gegeven bestaat niet (of u mag het niet zien).",
        "This resource does not exist (or you may not see it).",
    ),
    405: (
        "methode-niet-toegestaan",
        "Methode niet toegestaan",
        "Method not allowed",
        "Deze bewerking is hier niet toegestaan.",
        "This method is not allowed here.",
    ),
    409: (
        "conflict",
        "Conflict",
        "Conflict",
        "Het verzoek botst met de huidige toestand.",
        "The request conflicts with the current state.",
    ),
    412: (
        "verouderde-versie",
        "Verouderde versie",
        "Precondition failed",
        "Iemand anders heeft dit intussen gewijzigd. Laad opnieuw en probeer het nog eens.",
        "Someone else changed this in the meantime. Reload and try again.",
    ),
    413: (
        "te-groot",
        "Verzoek te groot",
        "Payload too large",
        "Het verzoek is te groot.",
        "The request is too large.",
    ),
    415: (
        "mediatype-niet-ondersteund",
        "Mediatype niet ondersteund",
        "Unsupported media type",
        "Stuur JSON (application/json).",
        "Send JSON (application/json).",
    ),
    428: (
        "versie-vereist",
        "Versie vereist",
        "Precondition required",
        "Stuur de header If-Match met de ETag die u las.",
        "Send an If-Match header with the ETag you read.",
    ),
    429: (
        "te-veel-verzoeken",
        "Te veel verzoeken",
        "Too many requests",
        "Probeer het later opnieuw.",
        "Try again later.",
    ),
    500: (
        "interne-fout",
        "Interne fout",
        "Internal error",
        "Er ging iets mis aan onze kant. Vermeld het request-id als u contact opneemt.",
        "Something went wrong on our side. Quote the request id when you contact us.",
    ),
    503: (
        "niet-beschikbaar",
        "Tijdelijk niet beschikbaar",
        "Service unavailable",
        "De dienst is tijdelijk niet beschikbaar.",
        "The service is temporarily unavailable.",
    ),
}


def standard_problem(status: int, **kwargs: Any) -> Problem:
    code, title, title_en, detail, detail_en = _STANDARD.get(
        status,
        ("fout", "Fout", "Error", "Er ging iets mis.", "Something went wrong."),
    )
    params: dict[str, Any] = {"title_en": title_en, "detail_en": detail_en}
    params.update(kwargs)
    return Problem(
        status,
        params.pop("code", code),
        params.pop("title", title),
        params.pop("detail", detail),
        **params,
    )


def _field_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            errors.append({"field": key, "message": str(item.get("message", ""))})
    return errors


def _on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = _field_errors(exc)
    fields = ", ".join(e["field"] for e in errors) or "body"
    problem = standard_problem(
        422,
        code="ongeldige-invoer",
        title="Ongeldige invoer",
        title_en="Unprocessable content",
        detail=f"Controleer deze velden: {fields}.",
        detail_en=f"Check these fields: {fields}.",
        extra={"errors": errors},
    )
    return problem_response(request, problem)


def _on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    headers = dict(exc.headers or {})
    return problem_response(request, standard_problem(exc.status_code, headers=headers))


def _on_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[Any]:
    return problem_response(request, exc)


def is_database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached (stopped, restarting, connection lost), as opposed
    to a bug in a query: those are the errors a retry may fix."""
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)) or (
        isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated
    )


def _on_database_error(request: Request[Any, Any, Any], exc: sa_exc.DBAPIError) -> Response[Any]:
    if not is_database_unavailable(exc):
        return _on_unexpected(request, exc)
    _log.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    problem = standard_problem(
        503,
        code="database-niet-beschikbaar",
        detail="De database is tijdelijk niet bereikbaar; er is niets gewijzigd. Probeer het "
        "zo opnieuw.",
        detail_en="The database is temporarily unavailable; nothing was changed. Retry shortly.",
        headers={"Retry-After": "5"},
    )
    return problem_response(request, problem)


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    _log.error(
        "unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc
    )
    return problem_response(request, standard_problem(HTTP_500_INTERNAL_SERVER_ERROR))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    Problem: _on_problem,
    ValidationException: _on_validation,
    NotAuthorizedException: _on_http,
    PermissionDeniedException: _on_http,
    NotFoundException: _on_http,
    MethodNotAllowedException: _on_http,
    HTTPException: _on_http,
    sa_exc.DBAPIError: _on_database_error,
    Exception: _on_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "Problem", "standard_problem"]
