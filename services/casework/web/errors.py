"""Error pages for people: a browser (``Accept: text/html``) that meets an error gets a Dutch
HTML page with the same status, never raw problem+json.

The exception handlers stay the single source of every error's status, code and text
(:mod:`services.platform.http.problems`, :mod:`services.casework.problems`); this module wraps
them for the casework service: when the client prefers HTML over JSON, the problem they made
is rendered as ``fout.html``. API clients (``Accept: application/json``, ``*/*`` or none) get
problem+json exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from litestar import Request, Response
from litestar.response import Template
from litestar.types import ExceptionHandlersMap

from services.platform.http.problems import PROBLEM_JSON
from services.platform.identity.principal import Principal

Req = Request[Any, Any, Any]
Handler = Callable[[Req, Any], Response[Any]]

#: What a browser asks for first; JSON first, so ``*/*`` (curl, scripts) stays JSON.
_OFFERS: Final = [PROBLEM_JSON, "application/json", "text/html"]
_CASUS_PATH: Final = re.compile(r"^/casussen/([0-9a-f-]{36})/")

#: A word of advice per status, besides the problem's own detail.
ADVICE: Final[dict[int, str]] = {
    401: "Log in om verder te gaan.",
    403: "Vraag uw regisseur of beheerder als u denkt dat u hier wel bij moet kunnen.",
    404: "Controleer het adres, of ga terug naar uw casussen.",
    405: "Dit adres is het doel van een formulier; open de pagina met het formulier opnieuw.",
    500: "Probeer het opnieuw. Blijft het misgaan, vermeld dan de foutcode hieronder.",
    503: "Probeer het over een paar minuten opnieuw; er is niets gewijzigd.",
}


def wants_html(request: Req) -> bool:
    """The client prefers an HTML page to JSON (a browser's navigation)."""
    accept = request.headers.get("accept", "")
    if "text/html" not in accept:
        return False
    return request.accept.best_match(_OFFERS, default=PROBLEM_JSON) == "text/html"


def back_link(path: str) -> tuple[str, str]:
    """Where to go from an error at ``path``: the casus of a casus form, else the casussen."""
    match = _CASUS_PATH.match(path)
    if match:
        return f"/casussen/{match.group(1)}", "Terug naar de casus"
    return "/casussen", "Naar mijn casussen"


def error_page(request: Req, response: Response[Any], principal: Principal | None) -> Response[Any]:
    """The problem in ``response`` as a Dutch page (same status and headers)."""
    body = response.content if isinstance(response.content, dict) else {}
    status = response.status_code or 500
    href, label = back_link(request.url.path)
    page = Template(
        "fout.html",
        context={
            "principal": principal,
            "status": status,
            "titel": body.get("title") or "Er ging iets mis",
            "detail": body.get("detail") or "",
            "advies": ADVICE.get(status, ""),
            "redenen": [r.get("message", "") for r in body.get("redenen", [])],
            "fouten": [e.get("message", "") for e in body.get("errors", [])],
            "foutcode": body.get("request_id") if status >= 500 else None,
            "terug": {"href": href, "tekst": label},
        },
        status_code=status,
    )
    for name, value in (response.headers or {}).items():
        if name.lower() in ("retry-after", "allow", "www-authenticate"):
            page.headers[name] = value
    return page


def html_error_pages(
    handlers: ExceptionHandlersMap, principal_of: Callable[[Req], Principal | None]
) -> ExceptionHandlersMap:
    """``handlers`` that answer a browser with an HTML page instead of problem+json."""

    def wrap(handler: Handler) -> Handler:
        def handle(request: Req, exc: Any) -> Response[Any]:
            response = handler(request, exc)
            if response.media_type != PROBLEM_JSON or not wants_html(request):
                return response
            try:
                principal = principal_of(request)
            except Exception:  # noqa: BLE001 - the error page must render even so
                principal = None
            return error_page(request, response, principal)

        return handle

    return {key: wrap(handler) for key, handler in handlers.items()}
