"""Authentication middleware: every route needs a valid bearer token unless it is marked
``opt={"exclude_from_auth": True}``.

The API accepts the ``Authorization: Bearer`` header only, never the web UI's login cookie:
a cookie is sent by the browser on any cross-site request (a ``text/plain`` form POST needs
no CORS preflight), so an API that honoured it would be open to cross-site request forgery.
The web pages read the cookie themselves and check a CSRF token on every form.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp
from litestar.utils.sync import ensure_async_callable

from services.platform.http.problems import Problem, standard_problem
from services.platform.identity.directory import AccessRefused, PrincipalResolver
from services.platform.identity.principal_cache import PrincipalCache
from services.platform.identity.tokens import TokenError, TokenVerifier

COOKIE = "regietafel_token"
PUBLIC: dict[str, Any] = {"exclude_from_auth": True}


def _unauthorized(code: str, nl: str, en: str) -> Problem:
    return standard_problem(
        401,
        code=code,
        detail=nl,
        detail_en=en,
        headers={"WWW-Authenticate": 'Bearer realm="regietafel"'},
    )


class BearerAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: TokenVerifier,
        directory: PrincipalResolver,
        exclude: list[str] | None = None,
    ) -> None:
        super().__init__(app, exclude=exclude)
        self._verifier = verifier
        self._resolve = ensure_async_callable(directory.resolve)
        # A cached principal is taken on the event loop (no I/O); a miss reads the database
        # in a worker thread.
        self._lookup = directory.lookup if isinstance(directory, PrincipalCache) else None

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not token:
            raise _unauthorized(
                "niet-ingelogd",
                "Log in om verder te gaan (Authorization: Bearer <token>).",
                "Authentication is required (Authorization: Bearer <token>).",
            )
        try:
            claims = await self._verifier.verify_async(token)
            cached = self._lookup(claims) if self._lookup is not None else None
            principal = cached if cached is not None else await self._resolve(claims)
        except TokenError as error:
            raise _unauthorized(error.code, error.message_nl, error.message_en) from None
        except AccessRefused as error:
            if error.status == 401:
                raise _unauthorized(error.code, error.message_nl, error.message_en) from None
            raise standard_problem(
                error.status, code=error.code, detail=error.message_nl, detail_en=error.message_en
            ) from None
        return AuthenticationResult(user=principal, auth=claims)
