"""Signing keys of the OIDC issuer: found through discovery, cached, refreshed off the
request path.

* The JWKS address comes from the issuer's discovery document
  (``<issuer>/.well-known/openid-configuration``, ``jwks_uri``) unless it is configured.
* Keys are fetched by one background thread: at start, every ``refresh_seconds``, and when
  a token names a ``kid`` that is not in the cache (a key rotation). Such an unknown-kid
  refresh happens at most once per ``min_refresh_seconds``; tokens arriving meanwhile with
  unknown kids are refused at once, without any fetch. So a flood of made-up kids costs one
  HTTP request per interval and never blocks the event loop: the async path *awaits* the
  background fetch instead of performing it.
* A failed fetch keeps the keys we have.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import httpx
import jwt

_log = logging.getLogger(__name__)


class KeySource(Protocol):
    def get(self, kid: str) -> Any | None:
        """The cached key of ``kid`` (never blocks)."""

    def refresh_for(self, kid: str) -> Future[None] | None:
        """Ask for a refresh because ``kid`` is unknown: the pending fetch, a new one, or
        None when the rate limit forbids one (the caller then refuses the token)."""


class DiscoveryError(RuntimeError):
    pass


def discover(issuer: str, client: httpx.Client) -> dict[str, Any]:
    """The issuer's OpenID Provider metadata (OpenID Connect Discovery 1.0, section 4)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = client.get(url)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise DiscoveryError(f"discovery document of {issuer} names another issuer")
    return document


class RemoteKeySet:
    """The JWKS of a remote issuer (see the module docstring)."""

    def __init__(
        self,
        issuer: str,
        *,
        jwks_url: str | None = None,
        refresh_seconds: float = 300,
        min_refresh_seconds: float = 30,
        timeout_seconds: float = 5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.issuer = issuer
        self._jwks_url = jwks_url
        self._refresh_seconds = refresh_seconds
        self._min_refresh = min_refresh_seconds
        self._client = httpx.Client(timeout=timeout_seconds, transport=transport)
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jwks")
        self._pending: Future[None] | None = None
        self._last_on_demand = float("-inf")
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.fetches = 0  # how many times the JWKS was requested (for tests and metrics)

    # -- KeySource --------------------------------------------------------------------------

    def get(self, kid: str) -> Any | None:
        return self._keys.get(kid)

    def refresh_for(self, kid: str) -> Future[None] | None:
        with self._lock:
            if self._pending is not None and not self._pending.done():
                return self._pending
            now = time.monotonic()
            if now - self._last_on_demand < self._min_refresh:
                _log.info("unknown signing key id refused without a JWKS fetch (rate limit)")
                return None
            self._last_on_demand = now
            return self._submit_locked()

    # -- background work --------------------------------------------------------------------

    def start(self) -> None:
        """First fetch and the periodic refresh, both in the background."""
        self.refresh()
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="jwks-refresh", daemon=True)
            self._ticker.start()

    def refresh(self) -> Future[None]:
        """Fetch now (in the background) unless a fetch is already running."""
        with self._lock:
            if self._pending is not None and not self._pending.done():
                return self._pending
            return self._submit_locked()

    def close(self) -> None:
        self._stop.set()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _tick(self) -> None:
        while not self._stop.wait(self._refresh_seconds):
            self.refresh()

    def _submit_locked(self) -> Future[None]:
        self._pending = self._executor.submit(self._fetch)
        return self._pending

    def _fetch(self) -> None:
        self.fetches += 1
        try:
            url = self._jwks_url or discover(self.issuer, self._client)["jwks_uri"]
            response = self._client.get(url)
            response.raise_for_status()
            keys: dict[str, Any] = {}
            for jwk in jwt.PyJWKSet.from_dict(response.json()).keys:
                if jwk.key_id:
                    keys[jwk.key_id] = jwk.key
            self._keys = keys
            _log.info("JWKS of %s loaded: %d keys", self.issuer, len(keys))
        except Exception as error:
            _log.warning("JWKS of %s not loaded: %s", self.issuer, type(error).__name__)
            raise


class LocalKeySet:
    """The development issuer's key, in-process (nothing to fetch)."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self._keys = keys

    def get(self, kid: str) -> Any | None:
        return self._keys.get(kid)

    def refresh_for(self, kid: str) -> Future[None] | None:
        return None
