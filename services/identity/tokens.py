"""Verification of OIDC bearer JWTs: signature (JWKS), issuer, audience, expiry, skew."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHMS = ["RS256", "ES256", "PS256"]

KeyResolver = Callable[[str], Any]


class TokenError(Exception):
    """A token that must be refused; ``code`` is machine-readable, messages are for people."""

    def __init__(self, code: str, message_nl: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_nl = message_nl
        self.message_en = message_en


@dataclass(frozen=True)
class Claims:
    subject: str
    tenant: str
    raw: dict[str, Any]


def jwks_url_resolver(url: str) -> KeyResolver:
    client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)

    def resolve(kid: str) -> Any:
        return client.get_signing_key(kid).key

    return resolve


class TokenVerifier:
    def __init__(
        self, *, issuer: str, audience: str, keys: KeyResolver, leeway_seconds: int = 60
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._keys = keys
        self._leeway = leeway_seconds

    def verify(self, token: str) -> Claims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError(
                "token-ongeldig", "Het token is geen geldig JWT.", "The token is not a valid JWT."
            ) from None
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenError(
                "token-ongeldig", "Het token mist een sleutel-id (kid).", "The token has no kid."
            )
        try:
            key = self._keys(kid)
        except Exception:  # noqa: BLE001 - unknown key or JWKS unreachable: refuse the token
            raise TokenError(
                "token-sleutel-onbekend",
                "De sleutel van dit token is onbekend.",
                "The token's signing key is unknown.",
            ) from None
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError(
                "token-verlopen", "Uw sessie is verlopen; log opnieuw in.", "The token has expired."
            ) from None
        except jwt.InvalidIssuerError:
            raise TokenError(
                "token-verkeerde-uitgever",
                "Dit token is uitgegeven door een onbekende partij.",
                "The token was issued by an unknown issuer.",
            ) from None
        except jwt.InvalidAudienceError:
            raise TokenError(
                "token-verkeerde-doelgroep",
                "Dit token is niet bedoeld voor Regietafel.",
                "The token is not meant for this service.",
            ) from None
        except jwt.InvalidSignatureError:
            raise TokenError(
                "token-handtekening-ongeldig",
                "De handtekening van het token klopt niet.",
                "The token signature is invalid.",
            ) from None
        except jwt.PyJWTError as error:
            raise TokenError(
                "token-ongeldig", "Het token is ongeldig.", f"The token is invalid: {error}."
            ) from None
        tenant = payload.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise TokenError(
                "token-zonder-tenant",
                "Het token noemt geen gemeente (tenant).",
                "The token carries no tenant claim.",
            )
        return Claims(subject=str(payload["sub"]), tenant=tenant, raw=payload)
