"""A token verified lately is not verified again (issue 14), and that changes no answer: the
same claims or the same refusal as a verifier that checks every time, never past the token's
expiry, never after its key changed."""

from __future__ import annotations

import time
from typing import Any

import anyio
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from services.platform.identity import tokens
from services.platform.identity.jwks import LocalKeySet
from services.platform.identity.tokens import Claims, TokenError, TokenVerifier

ISSUER = "https://issuer.test"
AUDIENCE = "regietafel"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sign(key: Any = KEY, kid: str = "k1", **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u1",
        "tenant": "GM0355",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def verifier(keys: dict[str, Any] | None = None, leeway: int = 60) -> TokenVerifier:
    return TokenVerifier(
        issuer=ISSUER,
        audience=AUDIENCE,
        keys=LocalKeySet(keys if keys is not None else {"k1": KEY.public_key()}),
        leeway_seconds=leeway,
    )


def outcome(verify: Any, token: str) -> Claims | str:
    try:
        result: Claims = verify(token)
    except TokenError as error:
        return error.code
    return result


def tokens_of_every_kind() -> list[str]:
    now = int(time.time())
    return [
        sign(),
        sign(sub="u2", tenant="GM0307"),
        sign(exp=now - 30, iat=now - 600),  # expired, within the leeway
        sign(exp=now - 120, iat=now - 600),  # expired
        sign(aud="elders"),
        sign(iss="https://elders.test"),
        sign(key=OTHER),  # a signature of another key
        sign(kid="onbekend"),
        sign(tenant=None),
        sign(exp=None),
        "geen.jwt.token",
    ]


def test_a_verified_token_answers_as_a_fresh_verification_does() -> None:
    cached = verifier()
    for token in tokens_of_every_kind():
        fresh = outcome(verifier().verify, token)
        assert outcome(cached.verify, token) == fresh
        assert outcome(cached.verify, token) == fresh  # the second time from the cache
    assert len(cached._verified) == 3  # only the accepted tokens are kept


def test_the_async_path_answers_the_same() -> None:
    cached = verifier()

    async def verify_async(token: str) -> Claims | str:
        try:
            return await cached.verify_async(token)
        except TokenError as error:
            return error.code

    for token in tokens_of_every_kind():
        fresh = outcome(verifier().verify, token)
        assert anyio.run(verify_async, token) == fresh
        assert anyio.run(verify_async, token) == fresh


def test_a_kept_verification_ends_with_the_token() -> None:
    cached = verifier(leeway=0)
    token = sign(exp=int(time.time()) + 1)
    assert isinstance(cached.verify(token), Claims)
    time.sleep(2.1)
    with pytest.raises(TokenError) as refused:
        cached.verify(token)
    assert refused.value.code == "token-verlopen"
    assert token not in cached._verified


def test_a_kept_verification_lasts_at_most_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = verifier()
    token = sign(exp=int(time.time()) + 3600)
    cached.verify(token)
    later = time.time() + tokens.VERIFIED_SECONDS + 1
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    assert cached._verified_before(token) is None


def test_a_token_is_verified_again_when_its_key_changed() -> None:
    keys = {"k1": KEY.public_key()}
    cached = verifier(keys)
    token = sign()
    assert isinstance(cached.verify(token), Claims)
    keys["k1"] = OTHER.public_key()  # the issuer rotated k1 to another key
    with pytest.raises(TokenError) as refused:
        cached.verify(token)
    assert refused.value.code == "token-handtekening-ongeldig"
    del keys["k1"]  # and then withdrew it
    with pytest.raises(TokenError) as unknown:
        cached.verify(token)
    assert unknown.value.code == "token-sleutel-onbekend"


def test_the_kept_verifications_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_ENTRIES", 3)
    cached = verifier()
    for n in range(10):
        cached.verify(sign(sub=f"u{n}"))
        assert len(cached._verified) <= 3
