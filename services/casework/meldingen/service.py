"""In-app notifications (meldingen): written in the same transaction as their cause, read and
marked read only by their recipient.

A notification says what happened by reference and link only ("U bent uitgenodigd voor casus
GM0355-2026-0A1B2C"): no name, no free text, nothing of a data category. Who gets one is
decided by the cause, from the rows (never from input):

* invited to a casus: the active users of the invited organisation whose role does casework
  (only they are opened the casus by the participation, policies/need_to_know.rego);
* appointed to the regie of a casus: the appointee;
* a new aanmelding: the tenant's procesregisseurs (the users who may hold that regie:
  ``pga-expert``), who do the triage;
* an action or toezegging due: the owner (user, else the users of the owning organisation),
  by the periodic job (services/casework/werkvoorraad/termijnen.py), once per item and date.

The one who caused it is not told about it. Each user sees only their own notifications
(the query names the user; row-level security binds the tenant); someone else's id is
"not found", whoever asks.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from services.casework.errors import NotFound
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, User, UserNotification
from services.platform.identity.principal import Principal

#: Kinds of notification and their Dutch names.
KINDS: Final[Mapping[str, str]] = {
    "uitnodiging": "Uitnodiging voor een casus",
    "regie": "Regie van een casus",
    "aanmelding": "Nieuwe aanmelding voor triage",
    "termijn": "Termijn verstreken",
}

#: The most notifications a list shows (newest first).
LIMIT: Final = 200

#: The user role that holds the procesregie (casussen.deelnemers.REGIE_HOLDER_ROLES).
PROCESREGISSEUR_ROLE: Final = "pga-expert"


def casus_link(casus: Casus) -> str:
    return f"/casussen/{casus.id}"


def notify(
    ws: Workspace,
    user_ids: Iterable[str],
    kind: str,
    casus: Casus | None,
    text: str,
    link: str,
    *,
    dedupe_key: str | None = None,
    to_self: bool = False,
) -> int:
    """Write one notification per recipient in the caller's transaction (the caller itself
    excepted, unless ``to_self``: a periodic job acting as the user); with ``dedupe_key`` a
    recipient who had that key before gets none. Returns how many were written."""
    assert kind in KINDS, kind
    recipients = sorted(set(user_ids) - (set() if to_self else {ws.principal.user_id}))
    if not recipients:
        return 0
    tenant = casus.tenant_id if casus is not None else ws.principal.tenant
    rows = [
        {
            "tenant_id": tenant,
            "id": uuid.uuid4(),
            "user_id": user_id,
            "kind": kind,
            "casus_id": casus.id if casus is not None else None,
            "text": text,
            "link": link,
            "dedupe_key": dedupe_key,
            "created_at": ws.enforcer.now,
        }
        for user_id in recipients
    ]
    written = ws.session.execute(
        insert(UserNotification)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_user_notifications_dedupe")
        .returning(UserNotification.id)
    ).all()
    return len(written)


def _active_users(ws: Workspace, tenant: str) -> list[User]:
    return list(
        ws.session.scalars(
            sa.select(User).where(User.tenant_id == tenant, User.active).order_by(User.id)
        )
    )


def notify_invited(
    ws: Workspace, casus: Casus, organisation_id: str, casework_roles: Collection[str]
) -> int:
    """The organisation was invited to the casus: its caseworkers hear of it."""
    users = [
        u.id
        for u in _active_users(ws, casus.tenant_id)
        if u.organisation_id == organisation_id and set(u.roles) & set(casework_roles)
    ]
    return notify(
        ws,
        users,
        "uitnodiging",
        casus,
        f"U bent uitgenodigd voor casus {casus.reference}: uw organisatie neemt deel.",
        casus_link(casus),
    )


def notify_regie(ws: Workspace, casus: Casus, role_label: str, user_id: str) -> int:
    """The user was appointed to the regie of the casus (casusregisseur, ...)."""
    return notify(
        ws,
        [user_id],
        "regie",
        casus,
        f"U bent aangesteld als {role_label.lower()} van casus {casus.reference}.",
        casus_link(casus),
    )


def notify_aanmelding(ws: Workspace, casus: Casus) -> int:
    """A new aanmelding waits for triage: the procesregisseurs of the tenant hear of it."""
    users = [u.id for u in _active_users(ws, casus.tenant_id) if PROCESREGISSEUR_ROLE in u.roles]
    return notify(
        ws,
        users,
        "aanmelding",
        casus,
        f"Nieuwe aanmelding voor triage: casus {casus.reference}.",
        casus_link(casus),
    )


# -- reading and marking ------------------------------------------------------------------


def _own(principal: Principal) -> sa.ColumnElement[bool]:
    return sa.and_(
        UserNotification.tenant_id == principal.tenant,
        UserNotification.user_id == principal.user_id,
    )


def view(row: UserNotification) -> dict[str, Any]:
    return {
        "id": row.id,
        "soort": row.kind,
        "soort_label": KINDS.get(row.kind, row.kind),
        "tekst": row.text,
        "link": row.link,
        "casus_id": row.casus_id,
        "aangemaakt_op": row.created_at,
        "gelezen_op": row.read_at,
        "gelezen": row.read_at is not None,
    }


def unread_count(session: Session, principal: Principal) -> int:
    """How many unread notifications the user has (the header's badge)."""
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(UserNotification)
            .where(_own(principal), UserNotification.read_at.is_(None))
        )
        or 0
    )


def list_own(ws: Workspace, *, only_unread: bool = False) -> dict[str, Any]:
    """The caller's notifications, newest first, and how many are unread."""
    query = (
        sa.select(UserNotification)
        .where(_own(ws.principal))
        .order_by(UserNotification.created_at.desc(), UserNotification.id)
        .limit(LIMIT)
    )
    if only_unread:
        query = query.where(UserNotification.read_at.is_(None))
    rows = list(ws.session.scalars(query))
    return {
        "ongelezen": unread_count(ws.session, ws.principal),
        "meldingen": [view(r) for r in rows],
    }


def mark_read(ws: Workspace, notification_id: uuid.UUID) -> UserNotification:
    """Mark one of the caller's notifications read (again: no change). Anyone else's, or
    one that does not exist, is not found."""
    row = ws.session.scalars(
        sa.select(UserNotification)
        .where(_own(ws.principal), UserNotification.id == notification_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(str(notification_id))
    if row.read_at is None:
        row.read_at = ws.enforcer.now
        ws.session.flush()
    return row


def mark_all_read(ws: Workspace) -> int:
    """Mark every unread notification of the caller read; returns how many."""
    result = ws.session.execute(
        sa.update(UserNotification)
        .where(_own(ws.principal), UserNotification.read_at.is_(None))
        .values(read_at=ws.enforcer.now)
        .returning(UserNotification.id)
    ).all()
    return len(result)
