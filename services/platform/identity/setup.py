"""Choosing the identity parts: the configured OIDC provider, or the built-in dev issuer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from services.platform.config import Settings
from services.platform.identity.dev_issuer import DevIssuer
from services.platform.identity.directory import PrincipalDirectory, PrincipalResolver
from services.platform.identity.jwks import RemoteKeySet
from services.platform.identity.login_flow import LoginFlow, Provider
from services.platform.identity.tokens import TokenVerifier


@dataclass(frozen=True)
class Identity:
    verifier: TokenVerifier
    directory: PrincipalResolver
    dev_issuer: DevIssuer | None
    login: LoginFlow
    _closers: tuple[Callable[[], None], ...] = field(default=(), repr=False)

    def close(self) -> None:
        for close in self._closers:
            close()


def base_url(settings: Settings) -> str:
    return settings.base_url


def remote_verifier(settings: Settings) -> tuple[TokenVerifier, RemoteKeySet]:
    """Token verification against ``REGIETAFEL_OIDC_ISSUER`` (JWKS found by discovery)."""
    assert settings.oidc_issuer
    keys = RemoteKeySet(
        settings.oidc_issuer,
        jwks_url=settings.oidc_jwks_url,
        refresh_seconds=settings.oidc_jwks_refresh_seconds,
        min_refresh_seconds=settings.oidc_jwks_min_refresh_seconds,
        timeout_seconds=settings.oidc_http_timeout_seconds,
    )
    keys.start()
    verifier = TokenVerifier(
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        keys=keys,
        leeway_seconds=settings.oidc_clock_skew_seconds,
        key_wait_seconds=settings.oidc_http_timeout_seconds,
    )
    return verifier, keys


class _Wiring(Protocol):
    """What the identity needs from the composition root (a :class:`services.runtime.Runtime`)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def sessions(self) -> sessionmaker[Session]: ...


def build_identity(runtime: _Wiring) -> Identity:
    settings = runtime.settings
    assert settings.secret_key, "set by start_runtime"
    directory = PrincipalDirectory(runtime.sessions)
    if settings.oidc_issuer:
        verifier, keys = remote_verifier(settings)
        provider = Provider(
            settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            timeout_seconds=settings.oidc_http_timeout_seconds,
        )
        login = LoginFlow(
            secret_key=settings.secret_key,
            client_id=settings.oidc_client_id,
            authorization_endpoint=provider.authorization_endpoint,
            exchange=provider.exchange,
            verifier=verifier,
        )
        return Identity(verifier, directory, None, login, (keys.close, provider.close))
    issuer = DevIssuer(settings, settings.base_url + "/oidc")
    verifier = TokenVerifier(
        issuer=issuer.issuer,
        audience=settings.oidc_audience,
        keys=issuer.key_set(),
        leeway_seconds=settings.oidc_clock_skew_seconds,
    )
    login = LoginFlow(
        secret_key=settings.secret_key,
        client_id=settings.oidc_client_id,
        # Same origin as the web UI: a relative address works behind any host name.
        authorization_endpoint=lambda: "/oidc/authorize",
        exchange=lambda *, code, redirect_uri, code_verifier: issuer.redeem(
            code=code,
            client_id=settings.oidc_client_id,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        ),
        verifier=verifier,
    )
    return Identity(verifier, directory, issuer, login)
