"""The response headers of every request (security headers, request id, trace context) are
appended to the raw header list when the response does not set them itself (issue 14); proven
equal to the way they were set before (``MutableScopeHeaders``, one lookup per header), for
responses with and without such headers of their own, as a list or a tuple, in any case."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from litestar.datastructures import MutableScopeHeaders

from services.platform.http.middleware import request_id_middleware
from services.platform.http.security_headers import (
    CACHEABLE_PREFIXES,
    security_headers,
    security_headers_hook,
)


def _old_security_headers(message: dict[str, Any], scope: dict[str, Any], hsts: bool) -> None:
    """The hook as it was."""
    if message["type"] != "http.response.start" or scope["type"] != "http":
        return
    headers = MutableScopeHeaders(message)  # type: ignore[arg-type]
    for name, value in security_headers(hsts=hsts):
        if name not in headers:
            headers[name] = value
    if not scope.get("path", "").startswith(CACHEABLE_PREFIXES):
        headers["cache-control"] = "no-store"
        headers["pragma"] = "no-cache"


RESPONSES: list[Any] = [
    [],
    [(b"content-type", b"application/json"), (b"etag", b'"3"')],
    ((b"content-type", b"text/html; charset=utf-8"),),
    [(b"cache-control", b"public, max-age=3600"), (b"content-type", b"text/css")],
    [(b"Cache-Control", b"max-age=1"), (b"PRAGMA", b"x"), (b"x-frame-options", b"SAMEORIGIN")],
    [(b"content-security-policy", b"default-src 'self'"), (b"pragma", b"a")],
    [(b"X-Request-ID", b"theirs"), (b"traceparent", b"00-x-y-01"), (b"x-request-id", b"two")],
    [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"location", b"/casussen")],
]
PATHS = ["/api/v1/casussen/1", "/static/regietafel.css", "/casussen", ""]


@pytest.mark.parametrize("headers", RESPONSES)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("hsts", [False, True])
def test_security_headers_as_before(headers: Any, path: str, hsts: bool) -> None:
    scope = {"type": "http", "path": path}
    old = {"type": "http.response.start", "status": 200, "headers": copy.deepcopy(headers)}
    new = copy.deepcopy(old)
    _old_security_headers(old, scope, hsts)
    asyncio.run(security_headers_hook(hsts=hsts)(new, scope))  # type: ignore[arg-type]
    assert new == old


def test_other_messages_untouched() -> None:
    body = {"type": "http.response.body", "body": b"x"}
    asyncio.run(security_headers_hook()(body, {"type": "http", "path": "/"}))  # type: ignore[arg-type]
    assert body == {"type": "http.response.body", "body": b"x"}


def _sent_by(middleware_app: Any, headers: Any) -> dict[str, Any]:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [
            (b"x-request-id", b"abcdefgh1234"),
            (b"traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ],
    }
    asyncio.run(middleware_app(app)(scope, receive, send))
    return sent[0]


def _old_request_id_headers(message: dict[str, Any], request_id: str, traceparent: str) -> None:
    response_headers = MutableScopeHeaders(message)  # type: ignore[arg-type]
    response_headers["x-request-id"] = request_id
    response_headers["traceparent"] = traceparent


@pytest.mark.parametrize("headers", RESPONSES)
def test_request_id_headers_as_before(headers: Any) -> None:
    new = _sent_by(request_id_middleware, copy.deepcopy(headers))
    # The same request id and trace context, set the old way on the response's own headers.
    raw = {k.decode().lower(): v.decode() for k, v in new["headers"]}
    old = {"type": "http.response.start", "status": 200, "headers": copy.deepcopy(headers)}
    _old_request_id_headers(old, raw["x-request-id"], raw["traceparent"])
    assert new["headers"] == old["headers"]
    assert raw["x-request-id"] == "abcdefgh1234"
    assert raw["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c-")
