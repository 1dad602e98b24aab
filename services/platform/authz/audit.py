"""Writing audit rows for administrative actions: one helper, one place.

Operator actions (``tenants apply/plan/suspend/resume/export/list``) and user and role
changes by a tenantbeheerder are not policy decisions on casework, but they are recorded in
the same append-only ``audit_log`` as every read of person data. :func:`append_audit` is the
single function that inserts such a row; the database chains it (migration 0013,
docs/adr/0018-audit-chain.md). Each row carries the trace context, a processing activity of
the tenant's register (services/authz/register.py) and, when allowed, the legal basis of
that activity unless the action names its own (an export).

Row-level security binds ``audit_log`` to the transaction's tenant, so a row for another
tenant (the affected gemeente of an operator action) is written with that tenant set and the
previous setting restored afterwards, as
:func:`services.platform.authz.enforce.insert_audit_rows` does for a casus shared across
tenants.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.authz.register import activity_code, legal_basis_for
from services.platform.db.models import AuditEntry
from services.platform.db.unit_of_work import SET_TENANT
from services.platform.identity.principal import Principal
from services.platform.logging import current_trace, new_span_id, request_id_var

_CURRENT_TENANT = sa.text("SELECT current_setting('pga.tenant_id', true)")


@dataclass(frozen=True)
class AuditRecord:
    """One audit row of an administrative action (no person data in ``details``)."""

    tenant_id: str
    user_id: str
    organisation_id: str
    roles: Sequence[str]
    action: str
    resource_type: str
    resource_id: str | None
    allowed: bool
    purpose: str | None = None
    legal_basis: str | None = None
    reasons: Sequence[str] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    casus_id: uuid.UUID | None = None

    @classmethod
    def by(
        cls,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_id: str | None,
        *,
        allowed: bool = True,
        purpose: str | None = None,
        reasons: Sequence[str] = (),
        details: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """A row of what ``principal`` did, in their own tenant's log (who: user,
        organisation and roles, as every row names them)."""
        return cls(
            tenant_id=principal.tenant,
            user_id=principal.user_id,
            organisation_id=principal.organisation,
            roles=sorted(principal.roles),
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            allowed=allowed,
            purpose=purpose,
            reasons=reasons,
            details=details or {},
        )

    def for_tenant(self, tenant_id: str) -> AuditRecord:
        """The same record, for another tenant's log."""
        return replace(self, tenant_id=tenant_id)


def append_audit(session: Session, record: AuditRecord) -> None:
    """Insert one audit row into ``record.tenant_id``'s log, in the caller's transaction."""
    previous = session.execute(_CURRENT_TENANT).scalar_one_or_none() or ""
    session.flush()
    session.execute(SET_TENANT, {"tenant": record.tenant_id})
    trace = current_trace()
    activity = activity_code(record.purpose)
    try:
        session.add(
            AuditEntry(
                tenant_id=record.tenant_id,
                user_id=record.user_id[:64],
                organisation_id=record.organisation_id[:64],
                roles=sorted(record.roles),
                action=record.action,
                resource_type=record.resource_type,
                resource_id=record.resource_id,
                casus_id=record.casus_id,
                purpose=record.purpose,
                legal_basis=legal_basis_for(record.allowed, (), record.legal_basis, activity),
                allowed=record.allowed,
                status="ok" if record.allowed else "unset",
                processing_activity=activity,
                trace_id=trace.trace_id,
                span_id=new_span_id(),
                parent_span_id=trace.span_id,
                reasons=sorted(record.reasons),
                # Administrative rows have no policy decision: the column that holds a
                # decision's input holds what the action was asked to do.
                decision_input=dict(record.details),
                request_id=request_id_var.get(),
            )
        )
        session.flush()
    finally:
        session.execute(SET_TENANT, {"tenant": previous})


def append_audits(session: Session, records: Iterable[AuditRecord]) -> None:
    for record in records:
        append_audit(session, record)


def audit_refusal(sessions: sessionmaker[Session], records: Iterable[AuditRecord]) -> None:
    """Record refused actions in a transaction of their own: the action itself wrote
    nothing, but the attempt must be on record."""
    with sessions() as session, session.begin():
        append_audits(session, records)
