"""What happens to events and periodic jobs once a worker picks them up.

Every consumer is idempotent:

* an event is claimed by setting ``handled_at`` (``UPDATE ... WHERE handled_at IS NULL``) in
  the same transaction that records its notifications, so a second delivery of the same
  event finds it handled and does nothing;
* a periodic job's effect is keyed in ``job_receipts`` (a reminder per user and day).

E-mail leaves after the transaction (it cannot be rolled back); a failure raises, the
message is retried with backoff, and the retry sends what is still unsent.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from services.platform.config import Mode, Settings
from services.platform.db.models import (
    Casus,
    CasusRole,
    JobReceipt,
    Notification,
    OutboxEvent,
    Tenant,
    TenantStatus,
    User,
)
from services.platform.db.unit_of_work import platform_transaction, tenant_transaction
from services.platform.outbox.mail import Mailer, compose

_log = logging.getLogger(__name__)

REGIE_ROLES = ("casusregisseur", "procesregisseur", "uitvoeringscoordinator")
#: Events the PGA-experts of the gemeente hear about besides the casus's regisseurs.
EXPERT_EVENTS = frozenset({"aanmelding", "doorbreekglas"})
EXPERT_ROLE = "pga-expert"
EVENT_LABELS = {
    "aanmelding": "Nieuwe aanmelding",
    "deelnemer": "Uitnodiging voor een casus",
    "regie": "Regie gewijzigd",
    "plan": "Nieuwe versie plan van aanpak",
    "agenda": "Casus geagendeerd voor overleg",
    "overleg": "Casusoverleg vastgelegd",
    "fase": "Fase gewijzigd",
    "doorbreekglas": "Spoedtoegang (doorbreekglas) gebruikt",
    "informeren": "Betrokkene geïnformeerd",
}
DUE_LABELS = {
    "herijking": "Herijking",
    "positieve-afsluiting": "Positieve afsluiting overwegen",
    "toezegging-controleren": "Toezegging controleren",
    "doorbreekglas-beoordelen": "Doorbreekglas beoordelen",
    "overlegactie": "Actie uit casusoverleg",
}
NO_PERSON_DATA = "Dit bericht bevat bewust geen persoonsgegevens; open Regietafel voor de inhoud."


@dataclass
class ConsumerDeps:
    sessions: sessionmaker[Session]
    settings: Settings
    mailer: Mailer | None


# -- events ---------------------------------------------------------------------------------


def handle_event(deps: ConsumerDeps, tenant_id: str, event_id: uuid.UUID) -> bool:
    """Notify the people an event concerns; False when it was handled before."""
    with tenant_transaction(deps.sessions, tenant_id) as session:
        event = session.scalars(
            sa.update(OutboxEvent)
            .where(
                OutboxEvent.tenant_id == tenant_id,
                OutboxEvent.id == event_id,
                OutboxEvent.handled_at.is_(None),
            )
            .values(handled_at=sa.func.now())
            .returning(OutboxEvent)
        ).one_or_none()
        if event is not None:
            casus = session.get(Casus, (tenant_id, event.casus_id)) if event.casus_id else None
            for user in _recipients(session, event, casus):
                session.add(_event_notification(deps.settings, event, casus, user))
    send_pending_mail(deps, tenant_id, event_id=event_id)
    return event is not None


def _recipients(session: Session, event: OutboxEvent, casus: Casus | None) -> list[User]:
    wanted: set[str] = set()
    if casus is not None:
        wanted.update(
            session.scalars(
                sa.select(CasusRole.user_id).where(
                    CasusRole.tenant_id == casus.tenant_id,
                    CasusRole.casus_id == casus.id,
                    CasusRole.ended_at.is_(None),
                    CasusRole.role.in_(REGIE_ROLES),
                )
            )
        )
    users = session.scalars(
        sa.select(User).where(User.tenant_id == event.tenant_id, User.active)
    ).all()
    if event.kind in EXPERT_EVENTS:
        wanted.update(u.id for u in users if EXPERT_ROLE in u.roles)
    wanted.discard(event.actor_user_id or "")
    return sorted((u for u in users if u.id in wanted), key=lambda u: u.id)


def mail_address(settings: Settings, user: User) -> str | None:
    """The user's address; in embedded mode a fictional one (``.invalid``, RFC 2606) for
    demo users without one, so the local mail folder shows what would be sent."""
    if user.email or settings.mode is not Mode.EMBEDDED:
        return user.email
    return f"{user.id}@{user.tenant_id.lower()}.regietafel.invalid"


def _casus_link(settings: Settings, casus_id: uuid.UUID | None) -> str:
    return f"{settings.base_url}/casussen/{casus_id}" if casus_id else settings.base_url


def _event_notification(
    settings: Settings, event: OutboxEvent, casus: Casus | None, user: User
) -> Notification:
    label = EVENT_LABELS.get(event.kind, event.kind)
    reference = casus.reference if casus is not None else "-"
    return Notification(
        tenant_id=event.tenant_id,
        id=uuid.uuid4(),
        event_id=event.id,
        user_id=user.id,
        kind=event.kind,
        subject=f"Regietafel: {label} (casus {reference})",
        body=(
            f"{label} in casus {reference}.\n\n{event.summary}\n\n"
            f"Open de casus: {_casus_link(settings, event.casus_id)}\n"
        ),
        # The e-mail leaves the platform: no summary (it may name a data category), only
        # what happened where, and the link.
        mail_body=(
            f"{label} in casus {reference}.\n\n"
            f"Open de casus: {_casus_link(settings, event.casus_id)}\n\n{NO_PERSON_DATA}\n"
        ),
        email=mail_address(settings, user),
    )


def send_pending_mail(
    deps: ConsumerDeps, tenant_id: str, *, event_id: uuid.UUID | None = None
) -> int:
    """E-mail the unsent notifications (of one event, or all of the tenant); each one is
    marked sent in its own transaction right after it left."""
    if deps.mailer is None:
        return 0
    sent = 0
    while True:
        with tenant_transaction(deps.sessions, tenant_id) as session:
            query = (
                sa.select(Notification)
                .where(
                    Notification.tenant_id == tenant_id,
                    Notification.email.is_not(None),
                    Notification.mail_sent_at.is_(None),
                )
                .order_by(Notification.created_at, Notification.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if event_id is not None:
                query = query.where(Notification.event_id == event_id)
            note = session.scalars(query).first()
            if note is None:
                return sent
            assert note.email is not None
            deps.mailer.send(
                compose(
                    sender=deps.settings.mail_from,
                    to=note.email,
                    subject=note.subject,
                    body=note.mail_body,
                    message_id=str(note.id),
                )
            )
            note.mail_sent_at = dt.datetime.now(dt.UTC)
            sent += 1


# -- periodic jobs --------------------------------------------------------------------------


def claim(session: Session, job: str, key: str) -> bool:
    """Record that ``job`` did ``key``; False when it was done before (idempotency)."""
    inserted = session.execute(
        insert(JobReceipt)
        .values(job=job, key=key)
        .on_conflict_do_nothing()
        .returning(JobReceipt.key)
    ).first()
    return inserted is not None


def active_tenants(sessions: sessionmaker[Session]) -> list[str]:
    with platform_transaction(sessions) as session:
        return list(
            session.scalars(
                sa.select(Tenant.code)
                .where(Tenant.status == TenantStatus.ACTIVE)
                .order_by(Tenant.code)
            )
        )


WorkQueue = Callable[[str, str], dict[str, Any]]


def send_reminders(deps: ConsumerDeps, today: dt.date, work_queue: WorkQueue) -> int:
    """One reminder per user and day listing what is due or overdue (herijking, positieve
    afsluiting, toezeggingen, overlegacties, doorbreekglas reviews): exactly the user's own
    werkvoorraad, computed under the policy as that user (and audited as such)."""
    reminded = 0
    for tenant_id in active_tenants(deps.sessions):
        with tenant_transaction(deps.sessions, tenant_id) as session:
            holders = sorted(
                set(
                    session.scalars(
                        sa.select(CasusRole.user_id).where(
                            CasusRole.tenant_id == tenant_id, CasusRole.ended_at.is_(None)
                        )
                    )
                )
                | set(
                    session.scalars(
                        sa.select(User.id).where(
                            User.tenant_id == tenant_id,
                            User.active,
                            sa.literal(EXPERT_ROLE) == sa.any_(User.roles),
                        )
                    )
                )
            )
        for user_id in holders:
            key = f"{tenant_id}/{user_id}/{today.isoformat()}"
            with platform_transaction(deps.sessions) as session:
                done = session.get(JobReceipt, ("herinnering", key)) is not None
            if done:
                continue
            try:
                queue = work_queue(tenant_id, user_id)
            except Exception as error:  # noqa: BLE001 - one user's failure must not stop others
                _log.warning(
                    "reminder for a user in %s skipped: %s", tenant_id, type(error).__name__
                )
                continue
            due = [item for item in queue["items"] if dt.date.fromisoformat(item["datum"]) <= today]
            with tenant_transaction(deps.sessions, tenant_id) as session:
                if not claim(session, "herinnering", key) or not due:
                    continue
                user = session.get(User, (tenant_id, user_id))
                if user is None:
                    continue
                session.add(_reminder(deps.settings, tenant_id, user, due, today))
                reminded += 1
        send_pending_mail(deps, tenant_id)
    return reminded


def _reminder(
    settings: Settings, tenant_id: str, user: User, due: Iterable[dict[str, Any]], today: dt.date
) -> Notification:
    lines = []
    count = 0
    for item in due:
        count += 1
        late = " (te laat)" if item["te_laat"] else ""
        lines.append(
            f"- {DUE_LABELS.get(item['soort'], item['soort'])}: casus {item['referentie']}, "
            f"{item['datum']}{late}"
        )
    body = (
        "Vandaag of eerder aan de beurt:\n"
        + "\n".join(lines)
        + f"\n\nWerkvoorraad: {settings.base_url}/werkvoorraad\n\n{NO_PERSON_DATA}\n"
    )
    return Notification(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        event_id=None,
        user_id=user.id,
        kind="herinnering",
        subject=f"Regietafel: {count} item(s) in uw werkvoorraad ({today.isoformat()})",
        body=body,
        mail_body=body,
        email=mail_address(settings, user),
    )


def verify_audit_chain(deps: ConsumerDeps) -> dict[str, int]:
    """The periodic audit-chain job: verify every tenant's hash chains (services/authz/
    chain.py; a break is logged as an error naming the first bad row), then checkpoint the
    chain heads. Returns, per tenant with a break, the position of its first bad row (in
    its chain, which the logged error names)."""
    from services.platform.authz.chain import broken, verify_and_checkpoint

    engine = deps.sessions.kw["bind"]
    assert isinstance(engine, sa.Engine)
    reports = verify_and_checkpoint(engine)
    return {r.tenant: r.first_break.seq for r in broken(reports) if r.first_break is not None}
