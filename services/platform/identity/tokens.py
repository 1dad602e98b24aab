"""Verification of OIDC bearer JWTs: signature (JWKS), issuer, audience, expiry, skew."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import jwt

from services.platform.identity.jwks import KeySource

ALGORITHMS = ["RS256", "ES256", "PS256"]

#: Tokens verified lately, kept so that a client's next request with the same token skips
#: the signature check (a JWT decode and an RSA verification: ~0.1 ms per API request,
#: issue 14). Bounded: when full, it starts over.
VERIFIED_ENTRIES = 4096
#: How long a verification is reused at most (it never outlives the token's ``exp``).
VERIFIED_SECONDS = 60.0


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


@dataclass(frozen=True)
class _Verified:
    kid: str
    key: Any
    claims: Claims
    #: ``time.time()`` until which the verification holds: the token's ``exp`` plus the
    #: leeway (as PyJWT judges it) and at most VERIFIED_SECONDS after the verification.
    until: float


class TokenVerifier:
    """Checks tokens against the issuer's keys.

    ``verify`` may wait (in a worker thread) for a JWKS refresh; ``verify_async`` awaits the
    same refresh without blocking the event loop. Either waits at most ``key_wait_seconds``.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: KeySource,
        leeway_seconds: int = 60,
        key_wait_seconds: float = 5.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self._leeway = leeway_seconds
        self._key_wait = key_wait_seconds
        self._verified: dict[str, _Verified] = {}

    def verify(self, token: str) -> Claims:
        cached = self._verified_before(token)
        if cached is not None:
            return cached
        kid = _kid_of(token)
        key = self.keys.get(kid)
        if key is None:
            pending = self.keys.refresh_for(kid)
            if pending is not None:
                # A failed or slow fetch: the token is refused below when its kid is unknown.
                with contextlib.suppress(Exception):
                    pending.result(timeout=self._key_wait)
            key = self.keys.get(kid)
        return self._remember(token, kid, key, self._decode(token, _known(key), self.audience))

    def verify_id_token(self, token: str, *, client_id: str, nonce: str) -> dict[str, Any]:
        """An OIDC ID token for ``client_id`` carrying the ``nonce`` of this login."""
        payload = self._decode(token, _known(self.keys.get(_kid_of(token))), client_id)
        if not hmac.compare_digest(str(payload.get("nonce", "")), nonce):
            raise TokenError(
                "token-nonce-onjuist",
                "Dit inlogantwoord hoort niet bij deze inlogpoging.",
                "The ID token's nonce does not match this login.",
            )
        return payload

    async def verify_async(self, token: str) -> Claims:
        cached = self._verified_before(token)
        if cached is not None:
            return cached
        kid = _kid_of(token)
        key = self.keys.get(kid)
        if key is None:
            pending = self.keys.refresh_for(kid)
            if pending is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(
                        asyncio.shield(asyncio.wrap_future(pending)), self._key_wait
                    )
            key = self.keys.get(kid)
        return self._remember(token, kid, key, self._decode(token, _known(key), self.audience))

    def _verified_before(self, token: str) -> Claims | None:
        """The claims of ``token`` when this exact token (its signature included) passed
        every check lately, it has not expired since, and the key that verified it is still
        the issuer's key of its ``kid`` (a key rotated out or refreshed: verified again)."""
        entry = self._verified.get(token)
        if entry is None:
            return None
        if time.time() < entry.until and self.keys.get(entry.kid) is entry.key:
            return entry.claims
        self._verified.pop(token, None)
        return None

    def _remember(self, token: str, kid: str, key: Any, payload: dict[str, Any]) -> Claims:
        claims = self._claims(payload)  # a token without a tenant is refused, not kept
        expires = payload["exp"]  # required, an integer (PyJWT checked both)
        until = min(float(expires) + self._leeway, time.time() + VERIFIED_SECONDS)
        if len(self._verified) >= VERIFIED_ENTRIES:
            self._verified.clear()
        self._verified[token] = _Verified(kid, key, claims, until)
        return claims

    def _decode(self, token: str, key: Any, audience: str) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=audience,
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
        return payload

    @staticmethod
    def _claims(payload: dict[str, Any]) -> Claims:
        tenant = payload.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise TokenError(
                "token-zonder-tenant",
                "Het token noemt geen gemeente (tenant).",
                "The token carries no tenant claim.",
            )
        return Claims(subject=str(payload["sub"]), tenant=tenant, raw=payload)


def _kid_of(token: str) -> str:
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
    return kid


def _known(key: Any | None) -> Any:
    if key is None:
        raise TokenError(
            "token-sleutel-onbekend",
            "De sleutel van dit token is onbekend.",
            "The token's signing key is unknown.",
        )
    return key


__all__ = ["ALGORITHMS", "Claims", "TokenError", "TokenVerifier"]
