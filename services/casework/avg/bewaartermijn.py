"""The bewaartermijn sweep: delete what has passed its retention term (docs/avg.md).

A casus gets its term when it is closed or refused at triage (``Casus.retention_until``:
the closure or triage reason's months from the tenant manifest, ``[retention]``). Once the
term has passed, the sweep removes the casus with everything hanging off it (participants,
regie, items, plan versions, assessments, overleg agenda lines, events, group members,
shares, doorbreekglas grants, outcome measurements), the corrections and restrictions about
it, and every person it held (subject, group members, household members, persons items
were about) that no remaining casus still needs: a person who is the subject, a group
member, a household member of the subject, or the person an item is about in any casus
that is not itself expired is kept, untouched.

What it does not remove: the audit log (append-only, kept for its own, longer term), the
meetings themselves (date, type, chair: no person data), outbox events and notifications
(no person data by design), and the facts already delivered to the analytics service
(pseudonymised: keyed pseudonym, age band, months; they stay there).

Every real run records itself: a ``retention_runs`` row (casus references and counts, no
person data) and an audit row (action ``bewaartermijn``). A dry run computes the same plan
and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.authz.audit import AuditRecord, append_audit
from services.platform.db.models import (
    AgendaItem,
    Assessment,
    Casus,
    Consent,
    Correction,
    Document,
    GroupMember,
    HouseholdMember,
    InformationItem,
    Person,
    PlanVersion,
    Restriction,
    RetentionRun,
    Tenant,
    TenantStatus,
)
from services.platform.db.unit_of_work import platform_transaction, tenant_transaction

_log = logging.getLogger(__name__)

#: Who the audit row names: the sweep is the platform's own processing, not a user's.
SYSTEM_USER = "bewaartermijn"


@dataclass
class SweepResult:
    tenant_id: str
    as_of: dt.date
    dry_run: bool
    casussen: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    kept_persons: int = 0
    run_id: uuid.UUID | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant_id,
            "peildatum": self.as_of.isoformat(),
            "proefdraai": self.dry_run,
            "casussen": list(self.casussen),
            "aantallen": dict(self.counts),
            "personen_behouden": self.kept_persons,
            "run_id": str(self.run_id) if self.run_id else None,
        }


def sweep(
    sessions: sessionmaker[Session],
    today: dt.date,
    *,
    dry_run: bool = False,
    tenants: Sequence[str] | None = None,
) -> list[SweepResult]:
    """Sweep every active tenant (or the given ones), each in its own transaction."""
    if tenants is None:
        with platform_transaction(sessions) as session:
            tenants = list(
                session.scalars(
                    sa.select(Tenant.code)
                    .where(Tenant.status == TenantStatus.ACTIVE)
                    .order_by(Tenant.code)
                )
            )
    results = []
    for tenant_id in tenants:
        with tenant_transaction(sessions, tenant_id) as session:
            result = sweep_tenant(session, tenant_id, today, dry_run=dry_run)
        if result.casussen:
            _log.info(
                "bewaartermijn %s: %s casussen %s (dry run: %s)",
                tenant_id,
                len(result.casussen),
                "would be removed" if dry_run else "removed",
                dry_run,
            )
        results.append(result)
    return results


def _count(session: Session, model: Any, condition: sa.ColumnElement[bool]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(model).where(condition)) or 0)


def sweep_tenant(
    session: Session, tenant_id: str, today: dt.date, *, dry_run: bool = False
) -> SweepResult:
    """Plan (and unless ``dry_run``, carry out) the sweep of one tenant, in ``session``."""
    result = SweepResult(tenant_id, today, dry_run)
    expired = list(
        session.execute(
            sa.select(Casus.id, Casus.reference)
            .where(
                Casus.tenant_id == tenant_id,
                Casus.retention_until.is_not(None),
                Casus.retention_until < today,
                Casus.closure_date.is_not(None),
            )
            .order_by(Casus.reference)
        ).all()
    )
    if not expired:
        return result
    ids = [row.id for row in expired]
    result.casussen = [row.reference for row in expired]
    in_expired = sa.and_(Casus.tenant_id == tenant_id, Casus.id.in_(ids))
    remaining = sa.and_(Casus.tenant_id == tenant_id, Casus.id.not_in(ids))

    # The persons these casussen held, and those a remaining casus still needs.
    candidates = (
        set(session.scalars(sa.select(Casus.subject_person_id).where(in_expired)))
        | set(
            session.scalars(
                sa.select(GroupMember.person_id).where(
                    GroupMember.tenant_id == tenant_id, GroupMember.casus_id.in_(ids)
                )
            )
        )
        | set(
            session.scalars(
                sa.select(InformationItem.about_person_id).where(
                    InformationItem.tenant_id == tenant_id, InformationItem.casus_id.in_(ids)
                )
            )
        )
    )
    candidates.discard(None)
    subjects = {c for c in candidates if c is not None}
    candidates |= set(
        session.scalars(
            sa.select(HouseholdMember.member_person_id).where(
                HouseholdMember.tenant_id == tenant_id, HouseholdMember.person_id.in_(subjects)
            )
        )
    )
    people = sorted(c for c in candidates if c is not None)
    remaining_subjects = sa.select(Casus.subject_person_id).where(
        remaining, Casus.subject_person_id.is_not(None)
    )
    needed = set(
        session.scalars(
            sa.select(Person.id).where(
                Person.tenant_id == tenant_id,
                Person.id.in_(people),
                sa.or_(
                    Person.id.in_(remaining_subjects),
                    Person.id.in_(
                        sa.select(GroupMember.person_id).where(
                            GroupMember.tenant_id == tenant_id, GroupMember.casus_id.not_in(ids)
                        )
                    ),
                    Person.id.in_(
                        sa.select(InformationItem.about_person_id).where(
                            InformationItem.tenant_id == tenant_id,
                            InformationItem.casus_id.not_in(ids),
                        )
                    ),
                    # A household member of a remaining casus's subject, or the person a
                    # remaining subject is a household member of.
                    Person.id.in_(
                        sa.select(HouseholdMember.member_person_id).where(
                            HouseholdMember.tenant_id == tenant_id,
                            HouseholdMember.person_id.in_(remaining_subjects),
                        )
                    ),
                    Person.id.in_(
                        sa.select(HouseholdMember.person_id).where(
                            HouseholdMember.tenant_id == tenant_id,
                            HouseholdMember.member_person_id.in_(remaining_subjects),
                        )
                    ),
                ),
            )
        )
    )
    gone = [p for p in people if p not in needed]
    result.kept_persons = len(needed)
    target_ids = [str(i) for i in ids] + [
        str(i)
        for i in session.scalars(
            sa.select(InformationItem.id).where(
                InformationItem.tenant_id == tenant_id, InformationItem.casus_id.in_(ids)
            )
        )
    ]
    about = [str(p) for p in gone]
    corrections = sa.and_(
        Correction.tenant_id == tenant_id,
        sa.or_(
            Correction.casus_id.in_(ids),
            Correction.person_id.in_(gone),
            Correction.target_id.in_(target_ids + about),
        ),
    )
    restrictions = sa.and_(
        Restriction.tenant_id == tenant_id,
        sa.or_(
            Restriction.casus_id.in_(ids),
            Restriction.person_id.in_(gone),
            Restriction.target_id.in_(target_ids + about),
        ),
    )
    household = sa.and_(
        HouseholdMember.tenant_id == tenant_id,
        sa.or_(HouseholdMember.person_id.in_(gone), HouseholdMember.member_person_id.in_(gone)),
    )
    result.counts = {
        "casussen": len(ids),
        "informatie_items": _count(
            session,
            InformationItem,
            sa.and_(InformationItem.tenant_id == tenant_id, InformationItem.casus_id.in_(ids)),
        ),
        # Documents go with their casus (ON DELETE CASCADE), like items.
        "documenten": _count(
            session,
            Document,
            sa.and_(Document.tenant_id == tenant_id, Document.casus_id.in_(ids)),
        ),
        "plannen": _count(
            session,
            PlanVersion,
            sa.and_(PlanVersion.tenant_id == tenant_id, PlanVersion.casus_id.in_(ids)),
        ),
        "metingen": _count(
            session,
            Assessment,
            sa.and_(Assessment.tenant_id == tenant_id, Assessment.casus_id.in_(ids)),
        ),
        "overleglijnen": _count(
            session,
            AgendaItem,
            sa.and_(AgendaItem.tenant_id == tenant_id, AgendaItem.casus_id.in_(ids)),
        ),
        "personen": len(gone),
        "gezinsrelaties": _count(session, HouseholdMember, household),
        "toestemmingen": _count(
            session, Consent, sa.and_(Consent.tenant_id == tenant_id, Consent.person_id.in_(gone))
        ),
        "correcties": _count(session, Correction, corrections),
        "beperkingen": _count(session, Restriction, restrictions),
    }
    if dry_run:
        return result

    session.execute(sa.delete(Correction).where(corrections))
    session.execute(sa.delete(Restriction).where(restrictions))
    # The casus rows cascade to everything hanging off them (foreign keys ON DELETE CASCADE).
    session.execute(sa.delete(Casus).where(in_expired))
    if gone:
        # Household links and consents cascade with the person.
        session.execute(sa.delete(Person).where(Person.tenant_id == tenant_id, Person.id.in_(gone)))
    run = RetentionRun(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        as_of=today,
        casussen=result.casussen,
        counts=result.counts,
        kept_persons=result.kept_persons,
    )
    session.add(run)
    session.flush()
    result.run_id = run.id
    append_audit(
        session,
        AuditRecord(
            tenant_id=tenant_id,
            user_id=SYSTEM_USER,
            organisation_id="-",
            roles=(),
            action="bewaartermijn",
            resource_type="bewaartermijn",
            resource_id=str(run.id),
            allowed=True,
            legal_basis="wettelijke-verplichting",
            details={
                "peildatum": today.isoformat(),
                "casussen": result.casussen,
                "aantallen": result.counts,
                "personen_behouden": result.kept_persons,
            },
        ),
    )
    return result
