"""The web UI as an OpenID Connect client: authorization-code flow with PKCE.

1. ``GET /inloggen``: a fresh ``state``, ``nonce`` and PKCE ``code_verifier`` go into a
   short-lived signed cookie; the browser is sent to the provider's authorization endpoint
   with ``code_challenge = S256(code_verifier)``.
2. The provider (the organisation's, or the development issuer in embedded mode) lets the
   user log in and redirects to ``/inloggen/terug?code=...&state=...``.
3. The callback checks ``state`` against the cookie, redeems the code at the token endpoint
   with the ``code_verifier`` (back channel), verifies the access token and the ID token's
   ``nonce``, and sets the session cookie.

The same flow runs in both modes; only the code exchange differs: over HTTP to the
discovered token endpoint, or in-process against the development issuer (which serves the
same exchange at ``POST /oidc/token`` for other clients).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from services.platform.identity.dev_issuer import pkce_challenge
from services.platform.identity.jwks import discover
from services.platform.identity.tokens import TokenError, TokenVerifier

#: Cookie holding the pending login (state, nonce, verifier); HttpOnly, SameSite=Lax (the
#: provider's redirect back is a cross-site top-level navigation), 10 minutes.
LOGIN_COOKIE = "regietafel_login"
LOGIN_COOKIE_SECONDS = 600
CALLBACK_PATH = "/inloggen/terug"
_KEY_INFO = b"regietafel-web-login-state-v1"


class LoginFailed(Exception):
    """The callback cannot complete a login; ``message`` is Dutch, for the page."""

    def __init__(self, message: str, code: str = "inloggen-mislukt") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class CodeExchange(Protocol):
    def __call__(self, *, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        """The token endpoint's JSON answer for ``code`` (raises on an error answer)."""


class Provider:
    """A remote OIDC provider: discovery (cached), authorization URL and code exchange."""

    def __init__(
        self,
        issuer: str,
        *,
        client_id: str,
        client_secret: str | None,
        timeout_seconds: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.issuer = issuer
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = httpx.Client(timeout=timeout_seconds, transport=transport)
        self._metadata: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                self._metadata = discover(self.issuer, self._http)
            return self._metadata

    def authorization_endpoint(self) -> str:
        return str(self.metadata()["authorization_endpoint"])

    def exchange(self, *, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self._client_id,
            "code_verifier": code_verifier,
        }
        endpoint = self.metadata()["token_endpoint"]
        if self._client_secret:  # a confidential client (client_secret_basic)
            response = self._http.post(
                endpoint, data=form, auth=httpx.BasicAuth(self._client_id, self._client_secret)
            )
        else:
            response = self._http.post(endpoint, data=form)
        if response.status_code != 200:
            raise LoginFailed("De identiteitsprovider weigerde de inlogcode.")
        answer: dict[str, Any] = response.json()
        return answer

    def close(self) -> None:
        self._http.close()


@dataclass(frozen=True)
class LoginStart:
    location: str
    cookie: str


class LoginFlow:
    def __init__(
        self,
        *,
        secret_key: str,
        client_id: str,
        authorization_endpoint: Callable[[], str],
        exchange: CodeExchange,
        verifier: TokenVerifier,
    ) -> None:
        self._key = hmac.new(secret_key.encode("utf-8"), _KEY_INFO, hashlib.sha256).digest()
        self.client_id = client_id
        self._authorization_endpoint = authorization_endpoint
        self._exchange = exchange
        self._verifier = verifier

    def start(self, redirect_uri: str) -> LoginStart:
        state = secrets.token_urlsafe(24)
        nonce = secrets.token_urlsafe(24)
        code_verifier = secrets.token_urlsafe(48)  # 64 characters (RFC 7636: 43-128)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid",
                "state": state,
                "nonce": nonce,
                "code_challenge": pkce_challenge(code_verifier),
                "code_challenge_method": "S256",
            }
        )
        pending = {
            "state": state,
            "nonce": nonce,
            "verifier": code_verifier,
            "redirect_uri": redirect_uri,
            "exp": int(time.time()) + LOGIN_COOKIE_SECONDS,
        }
        return LoginStart(f"{self._authorization_endpoint()}?{query}", self._sign(pending))

    def finish(self, *, cookie: str | None, code: str | None, state: str | None) -> str:
        """The access token of a completed login (the session cookie's value)."""
        pending = self._unsign(cookie)
        if pending is None:
            raise LoginFailed("Deze inlogpoging is verlopen of niet van deze browser.")
        if not state or not hmac.compare_digest(state, str(pending["state"])):
            raise LoginFailed("Het inlogantwoord hoort niet bij deze inlogpoging.")
        if not code:
            raise LoginFailed("De identiteitsprovider gaf geen inlogcode.")
        answer = self._exchange(
            code=code, redirect_uri=str(pending["redirect_uri"]), code_verifier=pending["verifier"]
        )
        access_token = answer.get("access_token")
        if not isinstance(access_token, str):
            raise LoginFailed("De identiteitsprovider gaf geen toegangstoken.")
        try:
            self._verifier.verify(access_token)
            id_token = answer.get("id_token")
            if isinstance(id_token, str):
                self._verifier.verify_id_token(
                    id_token, client_id=self.client_id, nonce=str(pending["nonce"])
                )
        except TokenError as error:
            raise LoginFailed(error.message_nl, error.code) from None
        return access_token

    def _sign(self, payload: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
        return f"{body}.{mac}"

    def _unsign(self, value: str | None) -> dict[str, Any] | None:
        if not value or "." not in value:
            return None
        body, _, mac = value.rpartition(".")
        expected = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, expected):
            return None
        try:
            payload: dict[str, Any] = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
        except ValueError:
            return None
        if int(payload.get("exp", 0)) < time.time():
            return None
        return payload
