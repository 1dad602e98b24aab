"""Writing a domain event into the outbox, inside the business transaction."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from services.platform.db.models import OutboxEvent


def record_event(
    session: Session,
    *,
    tenant_id: str,
    casus_id: uuid.UUID | None,
    kind: str,
    summary: str,
    actor_user_id: str | None,
    at: dt.datetime,
) -> OutboxEvent:
    """Add the event to ``session``: it commits (or rolls back) with the change itself, so
    an event exists exactly when its change does. The relay publishes it later."""
    event = OutboxEvent(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        casus_id=casus_id,
        kind=kind,
        summary=summary,
        actor_user_id=actor_user_id,
        occurred_at=at,
    )
    session.add(event)
    return event
