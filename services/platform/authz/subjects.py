"""The data subject of an audit row, never in the clear (``dpl.core.data_subject_id``).

Each row about a person carries two forms of the person's id, both bound to the tenant:

* ``data_subject_ref``: a keyed reference (HMAC-SHA256), so the access log of one person
  can be found ("wie heeft mijn gegevens ingezien") without the log naming anyone;
* ``data_subject_enc``: the id sealed with AES-256-GCM (random nonce, the tenant as
  associated data), so the controller, holding the key, can tell whom a row is about.

The keys are derived with HKDF from the deployment secret that also keys the BSN vault
(services/casework/domain/bsn.py), under labels of their own: neither key opens the other's
data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: ``dpl.core.data_subject_id_type`` of the rows: the platform's own person id.
SUBJECT_TYPE: Final = "regietafel-persoon"
_VERSION: Final = b"\x01"
_NONCE: Final = 12


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


class SubjectSealer:
    def __init__(self, secret: str) -> None:
        raw = secret.encode("utf-8")
        self._aead = AESGCM(_derive(raw, b"regietafel-audit-subject-enc"))
        self._ref_key = _derive(raw, b"regietafel-audit-subject-ref")

    def __repr__(self) -> str:
        return "SubjectSealer(<secret>)"

    def reference(self, tenant: str, person_id: uuid.UUID) -> str:
        message = f"{tenant}|{person_id}".encode("ascii")
        return hmac.new(self._ref_key, message, hashlib.sha256).hexdigest()

    def seal(self, tenant: str, person_id: uuid.UUID) -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSION + nonce + self._aead.encrypt(nonce, person_id.bytes, _aad(tenant))

    def open(self, tenant: str, blob: bytes) -> uuid.UUID:
        """The person id of a sealed reference; ValueError when it is not one of ours."""
        if len(blob) < 1 + _NONCE + 16 or blob[:1] != _VERSION:
            raise ValueError("not a sealed subject reference")
        try:
            plain = self._aead.decrypt(blob[1 : 1 + _NONCE], blob[1 + _NONCE :], _aad(tenant))
        except InvalidTag:
            raise ValueError("sealed subject reference does not open") from None
        return uuid.UUID(bytes=plain)

    def columns(self, tenant: str, person_id: uuid.UUID | None) -> dict[str, object]:
        """The audit columns for a row about ``person_id`` (all None for no person)."""
        if person_id is None:
            return {"data_subject_ref": None, "data_subject_enc": None, "data_subject_type": None}
        return {
            "data_subject_ref": self.reference(tenant, person_id),
            "data_subject_enc": self.seal(tenant, person_id),
            "data_subject_type": SUBJECT_TYPE,
        }


def _aad(tenant: str) -> bytes:
    return b"regietafel-audit-subject|" + tenant.encode("utf-8")
