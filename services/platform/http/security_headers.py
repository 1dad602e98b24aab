"""Security headers on every HTTP response of both services.

* ``Content-Security-Policy``: nothing loads from anywhere but our own origin, no script at
  all, no inline styles (the casework templates use only ``/static/regietafel.css``; a
  service with an inline ``<style>`` block passes its hash, see :func:`style_hashes`), no
  framing (``frame-ancestors 'none'``), forms post only to ourselves;
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``X-Frame-Options: DENY`` (for browsers without CSP level 2),
  ``Cross-Origin-Opener-Policy`` and ``Cross-Origin-Resource-Policy: same-origin``;
* ``Cache-Control: no-store`` on everything except our static files: pages and API answers
  carry person data and must never sit in a shared or browser cache;
* ``Strict-Transport-Security`` when the service is reached over HTTPS (``hsts``).

A header a handler has set itself (e.g. ``Cache-Control`` on a static file) is kept.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import Message, Scope

#: Paths that may be cached by the browser (our own CSS); everything else is no-store.
CACHEABLE_PREFIXES: tuple[str, ...] = ("/static/",)

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def style_hashes(templates: Iterable[Path]) -> list[str]:
    """CSP source expressions (``'sha256-...'``) for the inline ``<style>`` blocks of
    ``templates``, so a service with one inline stylesheet needs no ``'unsafe-inline'``."""
    hashes: list[str] = []
    for template in templates:
        for block in _STYLE_BLOCK.findall(template.read_text(encoding="utf-8")):
            digest = hashlib.sha256(block.encode("utf-8")).digest()
            hashes.append("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")
    return hashes


def content_security_policy(style_sources: Sequence[str] = ()) -> str:
    styles = " ".join(["'self'", *style_sources])
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "script-src 'none'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(
    *, style_sources: Sequence[str] = (), hsts: bool = False
) -> tuple[tuple[str, str], ...]:
    headers = [
        ("content-security-policy", content_security_policy(style_sources)),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ]
    if hsts:
        headers.append(("strict-transport-security", "max-age=31536000; includeSubDomains"))
    return tuple(headers)


def security_headers_hook(
    *, style_sources: Sequence[str] = (), hsts: bool = False
) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook (``Litestar(before_send=[...])``): it sees every response,
    including the error responses that the exception handlers send past any middleware."""
    fixed = security_headers(style_sources=style_sources, hsts=hsts)
    encoded = tuple(
        (name, name.encode("latin-1"), value.encode("latin-1")) for name, value in fixed
    )

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        # The headers' names looked at once, the new ones appended (issue 14: the
        # ``MutableScopeHeaders`` lookups decoded every header name for each of the nine
        # headers); a response that set cache-control or pragma itself takes the general
        # way. The same headers in the same order (tests/unit/test_security_headers_fast.py).
        raw = message["headers"]
        if not isinstance(raw, list):
            raw = message["headers"] = list(raw)
        present = {name.decode("latin-1").lower() for name, _ in raw}
        for name, name_encoded, value_encoded in encoded:
            if name not in present:
                raw.append((name_encoded, value_encoded))
        if not scope.get("path", "").startswith(CACHEABLE_PREFIXES):
            if "cache-control" in present or "pragma" in present:
                headers = MutableScopeHeaders(message)
                headers["cache-control"] = "no-store"
                headers["pragma"] = "no-cache"
            else:
                raw.extend(NO_STORE)

    return add_headers


#: ``Cache-Control: no-store`` and ``Pragma: no-cache`` as raw headers.
NO_STORE: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
)
