"""Choosing the token verifier: the configured OIDC issuer, or the built-in dev issuer."""

from __future__ import annotations

from dataclasses import dataclass

from services.config import Settings
from services.identity.dev_issuer import DevIssuer
from services.identity.directory import PrincipalDirectory
from services.identity.tokens import TokenVerifier, jwks_url_resolver
from services.runtime import Runtime


@dataclass(frozen=True)
class Identity:
    verifier: TokenVerifier
    directory: PrincipalDirectory
    dev_issuer: DevIssuer | None


def base_url(settings: Settings) -> str:
    return settings.public_base_url or f"http://{settings.host}:{settings.port}"


def build_identity(runtime: Runtime) -> Identity:
    settings = runtime.settings
    directory = PrincipalDirectory(runtime.sessions)
    if settings.oidc_issuer:
        jwks = settings.oidc_jwks_url or settings.oidc_issuer.rstrip("/") + "/jwks.json"
        verifier = TokenVerifier(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            keys=jwks_url_resolver(jwks),
            leeway_seconds=settings.oidc_clock_skew_seconds,
        )
        return Identity(verifier, directory, None)
    issuer = DevIssuer(settings, base_url(settings) + "/oidc")
    verifier = TokenVerifier(
        issuer=issuer.issuer,
        audience=settings.oidc_audience,
        keys=issuer.public_key,
        leeway_seconds=settings.oidc_clock_skew_seconds,
    )
    return Identity(verifier, directory, issuer)
