"""Consent (toestemming) of the casus subject: recorded, purpose-specific, revocable.

Consent is never assumed: the policy (rule 6) only accepts it as a legal basis when a
recorded, unrevoked consent for the same purpose exists. :func:`consent_resource` builds the
``consent`` field of a policy resource from the recorded consents; the other functions record,
revoke and list consents, each asking the policy first.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict, NotFound
from services.casework.page_reads import remembered
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, Consent
from services.platform.policy import Decision
from tenants.reference import PURPOSES

#: The consents of a person, newest first, built once (issue 14). Parameters: ``tenant``,
#: ``person_id``.
_CONSENTS = (
    sa.select(Consent)
    .where(
        Consent.tenant_id == sa.bindparam("tenant", type_=sa.String),
        Consent.person_id == sa.bindparam("person_id", type_=sa.Uuid),
    )
    .order_by(Consent.recorded_at.desc(), Consent.id)
)


def _consents_of(ws: Workspace, casus: Casus) -> list[Consent]:
    """The consents recorded for the casus's person, newest first (read once in a page's
    read phase: the items, the explanation of the phase buttons and the toestemming section
    each need them; :mod:`services.casework.page_reads`)."""
    person_id = casus.subject_person_id
    if person_id is None:
        return []

    def load() -> list[Consent]:
        return list(
            ws.session.scalars(_CONSENTS, {"tenant": casus.tenant_id, "person_id": person_id})
        )

    return list(remembered(ws.session, ("consents", casus.tenant_id, person_id), load))


def consent_resource(ws: Workspace, casus: Casus, purpose: str | None) -> dict[str, Any]:
    """The ``consent`` field of a policy resource (docs/policy.md) for ``purpose``.

    The most favourable recorded consent is described: an unrevoked one for this purpose,
    else a revoked one for this purpose, else any other recorded consent (other purpose).
    Consent given under a power imbalance is not valid (overweging 43 AVG): recorded as such
    with the consent, and always assumed for a casus outside the voluntary track
    (``vrijwillig = false``: drang of dwang).
    """
    consents = _consents_of(ws, casus)
    if not consents:
        return {"recorded": False}

    def rank(c: Consent) -> tuple[int, int]:
        return (0 if c.purpose == purpose else 1, 0 if c.revoked_at is None else 1)

    best = min(consents, key=rank)
    return {
        "recorded": True,
        "purpose": best.purpose,
        "revoked": best.revoked_at is not None,
        "power_imbalance": best.power_imbalance or not casus.voluntary,
    }


def relies_on_consent(legal_basis: str | None, art9: str | None, ground: str | None) -> bool:
    """Whether information is shared on the basis of consent (art. 6 basis, art. 9 exception
    or beroepsgeheim ground): reading it then checks the recorded consents."""
    return (
        legal_basis == "toestemming"
        or art9 == "uitdrukkelijke-toestemming"
        or ground == "toestemming"
    )


def _authorize(ws: Workspace, casus: Casus, action: str, consent_id: str | None = None) -> Decision:
    """Consent belongs to the person of the casus: resource type ``person``."""
    return ws.enforcer.decide(
        action,
        ws.resource(casus, "person"),
        ws.context(ws.purpose_for(casus, None)),
        Target("toestemming", consent_id or str(casus.id), casus.id),
    )


def _require_person_casus(casus: Casus) -> uuid.UUID:
    if casus.kind != "persoon" or casus.subject_person_id is None:
        raise Conflict(
            "alleen-persoon",
            "Toestemming wordt vastgelegd voor de persoon van een persoonscasus.",
        )
    return casus.subject_person_id


def record_consent(
    ws: Workspace,
    casus_id: uuid.UUID,
    purpose: str,
    scope: str | None,
    power_imbalance: bool = False,
) -> Consent:
    """Record the consent the casus subject gave, for one purpose (and a described scope)."""
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize(ws, casus, "update")
    person_id = _require_person_casus(casus)
    if purpose not in PURPOSES:
        raise DomainValidationError(
            [FieldProblem("doel", f"Onbekend doel '{purpose}'; kies uit {', '.join(PURPOSES)}.")]
        )
    consent = Consent(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        person_id=person_id,
        purpose=purpose,
        scope=(scope or "").strip() or None,
        power_imbalance=power_imbalance,
        recorded_by=ws.principal.user_id,
        recorded_at=ws.enforcer.now,
    )
    ws.session.add(consent)
    ws.event(casus, "toestemming", f"Toestemming vastgelegd voor doel '{purpose}'.")
    ws.session.flush()
    return consent


def revoke_consent(ws: Workspace, casus_id: uuid.UUID, consent_id: uuid.UUID) -> Consent:
    """The person withdraws consent: from now on it is no legal basis any more."""
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize(ws, casus, "update", str(consent_id))
    person_id = _require_person_casus(casus)
    consent = ws.session.get(Consent, (casus.tenant_id, consent_id), with_for_update=True)
    if consent is None or consent.person_id != person_id:
        raise NotFound(str(consent_id))
    if consent.revoked_at is not None:
        raise Conflict("al-ingetrokken", "Deze toestemming is al ingetrokken.")
    consent.revoked_at = ws.enforcer.now
    ws.event(casus, "toestemming", f"Toestemming ingetrokken voor doel '{consent.purpose}'.")
    ws.session.flush()
    return consent


def list_consents(ws: Workspace, casus_id: uuid.UUID) -> list[dict[str, Any]]:
    casus = ws.load_casus(casus_id)
    decision = _authorize(ws, casus, "read")
    return [consent_view(c, decision) for c in _consents_of(ws, casus)]


def consent_view(consent: Consent, decision: Decision | None = None) -> dict[str, Any]:
    full = decision is None or decision.view == "full"
    return {
        "id": str(consent.id),
        "doel": consent.purpose,
        "doel_label": PURPOSES.get(consent.purpose, consent.purpose),
        # The scope is free text that may name people: only in the full view.
        "reikwijdte": consent.scope if full else None,
        "vastgelegd_door": consent.recorded_by if full else None,
        "vastgelegd_op": consent.recorded_at.isoformat(),
        "ingetrokken_op": consent.revoked_at.isoformat() if consent.revoked_at else None,
        "geldig": consent.revoked_at is None and not consent.power_imbalance,
        "ongelijke_verhouding": consent.power_imbalance,
    }
