"""Burgerservicenummer: the elfproef, encryption at rest, a keyed lookup hash and masking.

The BSN is stored encrypted (AES-256-GCM, random 96-bit nonce) and found back through a
keyed hash (HMAC-SHA256), so the database never holds the number in the clear and equal
numbers can still be matched (duplicate check). Both keys are derived from one secret with
HKDF-SHA256 under different ``info`` labels, so the lookup key cannot decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ELFPROEF_WEIGHTS: Final = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_NINE_DIGITS: Final = re.compile(r"^[0-9]{9}$")

ENCRYPTION_INFO: Final = b"regietafel-bsn-enc"
LOOKUP_INFO: Final = b"regietafel-bsn-lookup"
BLOB_VERSION: Final = b"\x01"
NONCE_BYTES: Final = 12
MIN_SECRET_LENGTH: Final = 16


def normalize_bsn(value: str) -> str:
    """Remove spaces, dots and hyphens (``"1112.22.333"`` -> ``"111222333"``)."""
    return re.sub(r"[\s.\-]", "", value)


def elfproef_sum(digits: str) -> int:
    """Weighted sum of 9 digits with the BSN weights 9..2, -1."""
    return sum(int(d) * w for d, w in zip(digits, ELFPROEF_WEIGHTS, strict=True))


def is_valid_bsn(value: str) -> bool:
    """9 digits, not all zeros, and the elfproef sum divisible by 11."""
    if not isinstance(value, str) or not _NINE_DIGITS.fullmatch(value):
        return False
    if value == "000000000":
        return False
    return elfproef_sum(value) % 11 == 0


def check_digit(first_eight: str) -> int | None:
    """The 9th digit that makes ``first_eight`` a valid BSN; None when none exists (10)."""
    if not re.fullmatch(r"[0-9]{8}", first_eight):
        raise ValueError("Geef precies 8 cijfers op.")
    partial = sum(int(d) * w for d, w in zip(first_eight, ELFPROEF_WEIGHTS[:8], strict=True))
    digit = partial % 11
    return None if digit == 10 else digit


def require_valid_bsn(value: str) -> str:
    """Return the normalized BSN or raise ValueError with a Dutch message."""
    normalized = normalize_bsn(value)
    if not _NINE_DIGITS.fullmatch(normalized):
        raise ValueError("Een BSN bestaat uit precies 9 cijfers.")
    if not is_valid_bsn(normalized):
        raise ValueError("Dit is geen geldig BSN (de elfproef klopt niet).")
    return normalized


def mask(bsn: str) -> str:
    """Show only the last three digits: ``"111222333"`` -> ``"******333"``."""
    value = normalize_bsn(bsn)
    if len(value) <= 3:
        return "*" * len(value)
    return "*" * (len(value) - 3) + value[-3:]


_mask = mask


class BsnDecryptionError(ValueError):
    """The blob cannot be decrypted: wrong key, tampered or not a BSN blob."""


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


class BsnVault:
    """Encrypts, decrypts and hashes BSNs with keys derived from one secret.

    Blob layout: version byte ``0x01`` | 12-byte nonce | AES-GCM ciphertext and tag.
    An optional ``context`` (e.g. the tenant code) is bound as associated data: a blob
    decrypts only with the same context.
    """

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"Het geheim voor BSN-versleuteling moet minimaal {MIN_SECRET_LENGTH} "
                "tekens lang zijn."
            )
        raw = secret.encode("utf-8")
        self._aead = AESGCM(_derive(raw, ENCRYPTION_INFO))
        self._lookup_key = _derive(raw, LOOKUP_INFO)

    def __repr__(self) -> str:
        return "BsnVault(<secret>)"

    def encrypt(self, bsn: str, *, context: str = "") -> bytes:
        """Encrypt a valid BSN; a fresh random nonce per call (equal BSNs differ)."""
        value = require_valid_bsn(bsn)
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode("ascii"), self._aad(context))
        return BLOB_VERSION + nonce + sealed

    def decrypt(self, blob: bytes, *, context: str = "") -> str:
        """Decrypt a blob made by :meth:`encrypt`; raises :class:`BsnDecryptionError`."""
        if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != BLOB_VERSION:
            raise BsnDecryptionError("Onbekend of beschadigd BSN-versleutelingsformaat.")
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, sealed, self._aad(context))
        except InvalidTag:
            raise BsnDecryptionError(
                "Het BSN kan niet worden ontsleuteld (verkeerde sleutel of gewijzigde gegevens)."
            ) from None
        return plain.decode("ascii")

    def lookup_hash(self, bsn: str) -> str:
        """Keyed hash (HMAC-SHA256, hex) of the normalized BSN, for equality lookups."""
        value = require_valid_bsn(bsn)
        return hmac.new(self._lookup_key, value.encode("ascii"), hashlib.sha256).hexdigest()

    @staticmethod
    def mask(bsn: str) -> str:
        """Masked BSN for display (see module-level :func:`mask`)."""
        return _mask(bsn)

    @staticmethod
    def _aad(context: str) -> bytes:
        return b"regietafel-bsn|" + context.encode("utf-8")
