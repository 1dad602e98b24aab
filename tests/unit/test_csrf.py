"""The CSRF signer refuses a forged token of any text, never raising (issue 11 probes)."""

from __future__ import annotations

from services.platform.http.csrf import CsrfSigner


def test_non_ascii_token_is_refused_not_an_error() -> None:
    signer = CsrfSigner("s" * 40)
    good = signer.token("cookie")
    assert signer.valid("cookie", good)
    assert not signer.valid("cookie", "é" * 64)
    assert not signer.valid("cookie", good[:-1] + "€")
    assert not signer.valid("cookie", "")
    assert not signer.valid(None, good)
