"""Bugs found by the hostile input generator (issue 12 work): a CSRF token with non-ASCII
characters was a 500 (``compare_digest`` refuses such str), and a NUL byte in a form field
reached PostgreSQL (500) instead of being dropped."""

from __future__ import annotations

from services.platform.http.csrf import CsrfSigner


def test_a_forged_token_with_non_ascii_characters_is_simply_invalid() -> None:
    signer = CsrfSigner("een-geheim-van-voldoende-lengte")
    cookie = "sessie-cookie"
    good = signer.token(cookie)
    assert signer.valid(cookie, good)
    for forged in ("é" * 64, good[:-1] + "ü", "\udcff", "\x00"):
        assert signer.valid(cookie, forged) is False
