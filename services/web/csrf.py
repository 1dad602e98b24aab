"""CSRF protection of the web forms, on top of the SameSite=Strict login cookie.

Every form carries a hidden token derived from the login cookie: an HMAC of the cookie
value under a key derived from ``settings.secret_key``. A POST without the token of the
cookie it comes with is refused (a Dutch 403 page). The token changes with every login and
is useless without the (httpOnly) cookie it belongs to.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

#: Name of the hidden form field.
FIELD: Final = "csrf_token"
_KEY_INFO: Final = b"regietafel-web-formulieren-csrf-v1"


class CsrfSigner:
    """Makes and checks the form token of a login cookie."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("Het geheim voor de formuliertokens ontbreekt.")
        # Domain separation: the secret key also derives other keys (BSN vault).
        self._key = hmac.new(secret.encode("utf-8"), _KEY_INFO, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "CsrfSigner(<secret>)"

    def token(self, cookie: str) -> str:
        return hmac.new(self._key, cookie.encode("utf-8"), hashlib.sha256).hexdigest()

    def valid(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        # compare_digest refuses non-ASCII text with a TypeError (a 500 from a forged form
        # field, found by the hostile input probes): compare bytes instead.
        return hmac.compare_digest(self.token(cookie).encode(), token.encode("utf-8"))
