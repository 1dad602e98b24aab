"""The development OIDC issuer of embedded mode.

It signs tokens for the demo users with an RSA key kept in the data directory, publishes
discovery metadata and its JWKS, and implements the authorization-code flow with PKCE
(RFC 7636, ``S256`` only) that the web UI uses against any OIDC provider: the "choose a
fictional user" page is its login screen. Tokens are verified exactly as in production.
It refuses to exist in production mode.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.platform.config import Mode, Settings
from services.platform.identity.jwks import LocalKeySet

KID = "regietafel-dev-1"
CODE_LIFETIME_SECONDS = 120
#: The only redirect path the development issuer sends codes to (the web UI's callback).
CALLBACK_PATH = "/inloggen/terug"


class DevIssuerNotAllowed(RuntimeError):
    pass


class OAuthError(Exception):
    """An OAuth 2.0 error response (RFC 6749 section 5.2 / 4.1.2.1)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class AuthorizationRequest:
    """The parameters of ``GET /oidc/authorize`` the login page carries along."""

    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    response_type: str = "code"
    scope: str = "openid"


@dataclass(frozen=True)
class _Grant:
    request: AuthorizationRequest
    tenant: str
    user_id: str
    expires: float


def pkce_challenge(verifier: str) -> str:
    """``S256``: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class DevIssuer:
    def __init__(self, settings: Settings, issuer_url: str) -> None:
        if settings.mode is Mode.PRODUCTION:
            raise DevIssuerNotAllowed(
                "De ontwikkel-inlog is niet toegestaan in productie; "
                "configureer REGIETAFEL_OIDC_ISSUER."
            )
        self.issuer = issuer_url
        self.audience = settings.oidc_audience
        self.client_id = settings.oidc_client_id
        self._base_url = settings.base_url
        self._key = _load_or_create_key(settings.data_dir / "dev-issuer-key.pem")
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    # -- keys and metadata --------------------------------------------------------------------

    def key_set(self) -> LocalKeySet:
        return LocalKeySet({KID: self._key.public_key()})

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid"],
        }

    def issue(
        self,
        *,
        tenant: str,
        user_id: str,
        lifetime_seconds: int = 8 * 3600,
        audience: str | None = None,
        nonce: str | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience or self.audience,
            "sub": user_id,
            "tenant": tenant,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
            "jti": uuid.uuid4().hex,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KID})

    # -- authorization-code flow with PKCE ----------------------------------------------------

    def check_request(self, request: AuthorizationRequest, *, request_origin: str) -> None:
        """Refuse what the login page must not continue with (RFC 6749 4.1.2.1)."""
        if request.client_id != self.client_id:
            raise OAuthError("unauthorized_client", "Onbekende client_id.")
        target = urlsplit(request.redirect_uri)
        origin = f"{target.scheme}://{target.netloc}"
        if target.path != CALLBACK_PATH or origin not in (self._base_url, request_origin):
            raise OAuthError("invalid_request", "Deze redirect_uri is niet geregistreerd.")
        if request.response_type != "code":
            raise OAuthError("unsupported_response_type", "Alleen response_type=code.")
        if request.code_challenge_method != "S256" or len(request.code_challenge) < 43:
            raise OAuthError("invalid_request", "PKCE met S256 is verplicht.")
        if not request.state or not request.nonce:
            raise OAuthError("invalid_request", "state en nonce zijn verplicht.")

    def authorize(self, request: AuthorizationRequest, *, tenant: str, user_id: str) -> str:
        """The one-time code for the chosen user (the caller checked the request)."""
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            for stale in [c for c, g in self._grants.items() if g.expires < now]:
                del self._grants[stale]
            self._grants[code] = _Grant(request, tenant, user_id, now + CODE_LIFETIME_SECONDS)
        return code

    def redeem(
        self, *, code: str, client_id: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        """The token response for a code: once only, same client and redirect, PKCE."""
        with self._lock:
            grant = self._grants.pop(code, None)
        if grant is None or grant.expires < time.monotonic():
            raise OAuthError("invalid_grant", "De code is onbekend, verlopen of al gebruikt.")
        if client_id != grant.request.client_id or redirect_uri != grant.request.redirect_uri:
            raise OAuthError("invalid_grant", "client_id of redirect_uri wijkt af.")
        if not hmac.compare_digest(pkce_challenge(code_verifier), grant.request.code_challenge):
            raise OAuthError("invalid_grant", "De code_verifier past niet bij de challenge.")
        lifetime = 8 * 3600
        return {
            "access_token": self.issue(tenant=grant.tenant, user_id=grant.user_id),
            "id_token": self.issue(
                tenant=grant.tenant,
                user_id=grant.user_id,
                audience=grant.request.client_id,
                nonce=grant.request.nonce,
            ),
            "token_type": "Bearer",
            "expires_in": lifetime,
        }


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} holds no RSA key")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key
