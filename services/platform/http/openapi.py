"""The typed API contract: response-model base, the problem+json schema, the error responses
each operation documents, and the OpenAPI document at ``/api/v1/openapi.json``.

Response models are pydantic v2 models (like the request schemas). The services keep building
plain dicts; a handler returns ``Model.model_validate(view)``. The apps serialize models with
``exclude_unset`` (:data:`RESPONSE_PLUGIN`), so a key the view leaves out (a masked field, a
reduced view) stays out of the JSON, exactly as before. See docs/adr/0022-typed-api-contract.md.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.pydantic import PydanticPlugin
from pydantic import BaseModel, ConfigDict

from services.platform.http.problems import PROBLEM_JSON

#: Where the OpenAPI document is served (NL API Design Rules: /api/v1/openapi.json).
OPENAPI_PATH = "/api/v1/openapi.json"

#: Models serialize what was set: a key the service's view leaves out stays out of the JSON.
RESPONSE_PLUGIN = PydanticPlugin(exclude_unset=True)


class Out(BaseModel):
    """Base of every response model. Unknown keys are an error: the model is the contract."""

    model_config = ConfigDict(extra="forbid")


class FieldError(BaseModel):
    field: str
    message: str
    message_en: str | None = None
    source: str | None = None


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, in Dutch with an English translation. Some problems carry
    more members (``errors`` per field, the policy's ``ontbreekt``, ...)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str
    title_en: str | None = None
    detail_en: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


_DESCRIPTIONS: dict[int, str] = {
    400: "Ongeldig verzoek (bijv. geen geldige JSON)",
    401: "Niet ingelogd (geen of een ongeldig token)",
    403: "Geen toegang (rol of beleid weigert)",
    404: "Niet gevonden (of u mag het niet zien)",
    409: "Conflict met de huidige toestand",
    412: "Verouderde versie (If-Match klopt niet)",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    422: "Ongeldige invoer (per veld uitgelegd)",
    428: "Versie vereist (stuur If-Match)",
    503: "Tijdelijk niet beschikbaar (database of beleid)",
}

#: What every authenticated API operation can answer.
COMMON = (401, 403, 422, 503)
#: Operations that read or change a resource named in the path.
BY_ID = (404,)
#: Operations with a JSON request body.
WITH_BODY = (400, 415)
#: Operations with optimistic concurrency (If-Match).
VERSIONED = (409, 412, 428)


def problem_responses(*statuses: int, public: bool = False) -> dict[int, ResponseSpec]:
    """The problem+json responses of an operation: 400, the common ones (unless ``public``)
    and ``statuses``. Use on the route decorator: ``responses=problem_responses(404, 409)``."""
    # 400 always: it replaces Litestar's default 400 (a JSON ValidationException that this
    # API never sends: invalid parameters are 422 problems, unreadable bodies 400 problems).
    wanted = sorted({400, *(() if public else COMMON), *statuses})
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_JSON,
            description=_DESCRIPTIONS.get(status, "Fout"),
            generate_examples=False,
        )
        for status in wanted
    }


def success(model: type[BaseModel], description: str) -> ResponseSpec:
    """Another 2xx answer of an operation (e.g. 201 on a first version, 202 for a proposal):
    ``responses={**problem_responses(...), 201: success(PlanOut, "...")}``."""
    return ResponseSpec(data_container=model, description=description, generate_examples=False)


@get(
    OPENAPI_PATH,
    include_in_schema=False,
    sync_to_thread=False,
    opt={"exclude_from_auth": True},
    media_type="application/vnd.oai.openapi+json",
)
def openapi_document(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The OpenAPI document of the app that serves it (also under the app's docs path)."""
    return Response(
        request.app.openapi_schema.to_schema(),
        media_type="application/vnd.oai.openapi+json",
    )
