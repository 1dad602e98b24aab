"""The shape every casework API handler shares, once.

Handlers receive their workspace as the request-scoped dependency ``ws`` (:data:`Ws`,
provided by :func:`services.casework.unit_of_work.request_workspace`: one transaction per
request, committed after the response is built, rolled back with the refusals on record when
the handler raises). A write that answers with the new version of a row goes through
:func:`command`: the version the client names in If-Match goes to the service (which checks
it: 428 without, 412 when stale), the change is flushed so the row's ``version_id_col`` has
moved on, and the response carries that version as its ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from litestar import MediaType, Request, Response
from litestar.di import NamedDependency
from litestar.serialization import encode_json
from pydantic import BaseModel

from services.casework.workspace import Workspace
from services.platform.http.etag import etag, if_match_version

Req = Request[Any, Any, Any]

#: The workspace of this request (the dependency ``ws``).
Ws = NamedDependency[Workspace]


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


R = TypeVar("R")
V = TypeVar("V", bound=Versioned)
B = TypeVar("B")


def tagged(body: B, version: int, *, status: int = 200, location: str | None = None) -> Response[B]:
    """``body`` with the ETag of ``version`` (and a Location for something created)."""
    headers = {"ETag": etag(version)}
    if location is not None:
        headers["Location"] = location
    return Response(body, status_code=status, headers=headers)


M = TypeVar("M", bound=BaseModel)


def json_bytes(body: BaseModel) -> bytes:
    """``body`` as the bytes Litestar would send for it: the response plugin's
    ``model_dump(mode="json", exclude_unset=True)`` (services/platform/http/openapi.py,
    RESPONSE_PLUGIN) encoded by Litestar's JSON encoder. Not pydantic's own ``to_json``
    (one pass, about 7 µs less for a casus): it writes large floats in free JSON fields
    differently (``1e+16`` for ``1e16``), and the bytes must stay those of before
    (tests/integration/test_casus_json_path.py)."""
    return encode_json(body.model_dump(mode="json", exclude_unset=True))


def tagged_json(body: M, version: int) -> Response[M]:
    """:func:`tagged` with the body already encoded (:func:`json_bytes`): a handler that
    commits in its own thread (``Workspace.committed``) has its response built, bytes
    included, before the commit. Typed as ``Response[M]``: the model stays the OpenAPI
    contract of the route."""
    encoded: Response[bytes] = Response(
        json_bytes(body), media_type=MediaType.JSON, headers={"ETag": etag(version)}
    )
    return cast("Response[M]", encoded)


def command(
    request: Req,
    ws: Workspace,
    change: Callable[[int | None], R],
    respond: Callable[[R], B],
    *,
    version: Callable[[R], int] | None = None,
    status: int = 200,
) -> Response[B]:
    """If-Match → ``change(expected_version)`` → ``respond(result)`` with the new version as
    ETag. ``change`` is the service call; it checks the version it is given. The version is
    the result's own (a row), or ``version(result)`` for a service that answers more."""
    result = change(if_match_version(request))
    ws.session.flush()  # the UPDATE that moves version_id_col on: the ETag names the result
    current = version(result) if version is not None else cast(Versioned, result).version
    return tagged(respond(result), current, status=status)


def created(ws: Workspace, row: V, body: B, location: str) -> Response[B]:
    """201 for a new row: its first version as ETag, where it lives as Location."""
    ws.session.flush()
    return tagged(body, row.version, status=201, location=location)
