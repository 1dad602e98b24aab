"""ASGI middleware: request ids (from X-Request-ID or new), the W3C trace context
(``traceparent`` continued or started, and returned), and one access-log line each.

The rest of the stack (authentication included) runs inside an exception handler here, so
a refusal raised by a middleware (a 401 of the authentication middleware, a 422 of the input
guard) becomes its response *inside* this middleware: the access log gets its real status
and the response its request id and trace headers.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar._asgi.utils import wrap_in_exception_handler
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from services.platform.logging import TraceContext, request_id_var, trace_var

_log = logging.getLogger("regietafel.access")
#: The response headers this middleware sets.
_OURS = frozenset({"x-request-id", "traceparent"})
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    inner = wrap_in_exception_handler(app)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        trace = TraceContext.from_traceparent(headers.get(b"traceparent", b"").decode("latin-1"))
        token = request_id_var.set(request_id)
        trace_token = trace_var.set(trace)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                raw = message["headers"]
                if not isinstance(raw, list):
                    raw = message["headers"] = list(raw)
                # Appended when the response has neither (as a rule; issue 14: each
                # ``MutableScopeHeaders`` lookup decodes every header name), else replaced.
                if any(name.decode("latin-1").lower() in _OURS for name, _ in raw):
                    response_headers = MutableScopeHeaders(message)
                    response_headers["x-request-id"] = request_id
                    response_headers["traceparent"] = trace.traceparent()
                else:
                    raw.append((b"x-request-id", request_id.encode("latin-1")))
                    raw.append((b"traceparent", trace.traceparent().encode("latin-1")))
            await send(message)

        try:
            await inner(scope, receive, send_with_id)
        finally:
            _log.info(
                "%s %s %s %.1fms",
                scope.get("method", "-"),
                scope.get("path", "-"),
                status,
                (time.perf_counter() - started) * 1000,
            )
            trace_var.reset(trace_token)
            request_id_var.reset(token)

    return middleware
