"""BSN: elfproef, encryption, lookup hash and masking."""

from __future__ import annotations

import pytest
from people import HILVERSUM, ZEIST

from services.casework.domain import bsn
from services.casework.domain.bsn import BsnDecryptionError, BsnVault, is_valid_bsn

SECRET = "test-secret-for-bsn-vault-0123456789"


@pytest.mark.parametrize("value", ["111222333", "123456782", "999999990"])
def test_valid_bsns(value: str) -> None:
    assert is_valid_bsn(value)


@pytest.mark.parametrize(
    "value",
    [
        "111222334",  # elfproef fails
        "123456789",
        "000000000",  # all zeros
        "11122233",  # 8 digits
        "1112223330",  # 10 digits
        "11122233a",
        "111 222 333",
        "",
        "１１１２２２３３３",  # full-width digits
    ],
)
def test_invalid_bsns(value: str) -> None:
    assert not is_valid_bsn(value)


def test_check_digit_and_normalize() -> None:
    assert bsn.check_digit("11122233") == 3
    assert bsn.normalize_bsn("111.222.333") == "111222333"
    assert bsn.require_valid_bsn("111 22 2333") == "111222333"
    with pytest.raises(ValueError, match="elfproef"):
        bsn.require_valid_bsn("111222334")
    with pytest.raises(ValueError, match="9 cijfers"):
        bsn.require_valid_bsn("1234")


def test_encrypt_decrypt_roundtrip_with_random_nonce() -> None:
    vault = BsnVault(SECRET)
    first = vault.encrypt("111222333")
    second = vault.encrypt("111222333")
    assert first != second
    assert b"111222333" not in first
    assert vault.decrypt(first) == "111222333"
    assert vault.decrypt(second) == "111222333"
    assert len(first) == 1 + 12 + 9 + 16


def test_decrypt_refuses_wrong_key_tampering_and_context() -> None:
    vault = BsnVault(SECRET)
    blob = vault.encrypt("123456782", context=ZEIST)
    assert vault.decrypt(blob, context=ZEIST) == "123456782"
    with pytest.raises(BsnDecryptionError):
        vault.decrypt(blob, context=HILVERSUM)
    with pytest.raises(BsnDecryptionError):
        BsnVault(SECRET + "x").decrypt(blob, context=ZEIST)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(BsnDecryptionError):
        vault.decrypt(tampered, context=ZEIST)
    with pytest.raises(BsnDecryptionError):
        vault.decrypt(b"\x02" + blob[1:], context=ZEIST)
    with pytest.raises(BsnDecryptionError):
        vault.decrypt(b"kort")


def test_encrypt_refuses_invalid_bsn() -> None:
    with pytest.raises(ValueError, match="elfproef"):
        BsnVault(SECRET).encrypt("111222334")


def test_lookup_hash() -> None:
    vault = BsnVault(SECRET)
    assert vault.lookup_hash("111222333") == vault.lookup_hash("111222333")
    assert vault.lookup_hash("111222333") == BsnVault(SECRET).lookup_hash("111.222.333")
    assert vault.lookup_hash("111222333") != vault.lookup_hash("123456782")
    assert vault.lookup_hash("111222333") != BsnVault(SECRET + "x").lookup_hash("111222333")
    digest = vault.lookup_hash("111222333")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert "111222333" not in digest


def test_mask() -> None:
    assert bsn.mask("111222333") == "******333"
    assert BsnVault.mask("123456782") == "******782"
    assert bsn.mask("12") == "**"


def test_short_secret_refused() -> None:
    with pytest.raises(ValueError, match="minimaal"):
        BsnVault("kort")
    assert SECRET not in repr(BsnVault(SECRET))
