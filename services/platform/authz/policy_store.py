"""Which policy-data document is in force: stored documents and the activation log.

``policy_data`` holds each generated document once (keyed by its content hash);
``policy_data_activations`` records every switch, and its row with the highest ``seq`` is
the current revision. Whoever changes what the policy data is generated from (manifests,
tenant status) calls :func:`activate` in the same transaction, under the provisioning lock,
so the activations are ordered as the changes were committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.platform.db.models import PolicyDataActivation, PolicyDataRevision

#: Serialises every change of tenants and policy data (``tenants apply``, suspend, resume).
PROVISIONING_LOCK = sa.text("SELECT pg_advisory_xact_lock(7208432)")


@dataclass(frozen=True)
class Activation:
    seq: int
    revision: str


def current_activation(session: Session) -> Activation | None:
    """The policy data in force (None: nothing applied yet)."""
    row = session.execute(
        sa.select(PolicyDataActivation.seq, PolicyDataActivation.revision)
        .order_by(PolicyDataActivation.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else Activation(int(row.seq), str(row.revision))


def load_document(session: Session, revision: str) -> dict[str, Any] | None:
    row = session.get(PolicyDataRevision, revision)
    return None if row is None else row.document


def activate(session: Session, document: dict[str, Any], *, reason: str, actor: str | None) -> bool:
    """Make ``document`` the policy data in force; True when that changed anything.

    The document is stored once; an activation row is appended whenever the current
    revision differs, also when the document was stored (and in force) before.
    """
    revision = str(document["revision"])
    if session.get(PolicyDataRevision, revision) is None:
        session.add(PolicyDataRevision(revision=revision, document=document))
        session.flush()
    current = current_activation(session)
    if current is not None and current.revision == revision:
        return False
    session.add(PolicyDataActivation(revision=revision, reason=reason, actor=actor))
    session.flush()
    return True
