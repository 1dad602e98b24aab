"""Wie heeft deze casus (of deze persoon) ingezien: the access log from ``audit_log``.

Every decision on casework is an audit row (services/platform/authz/enforce.py): who
(user, organisation, roles), when, for which purpose and legal basis, what (action and
resource) and whether it was allowed. The log of a casus is its rows; the log of a person
is the rows of every casus about them plus the rows about the person themselves (inzage,
correctie). Reading it is a policy decision (resource ``toegangslog``, policies/avg.rego)
and is itself audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.subjects import (
    LEGAL_BASIS,
    casus_avg_resource,
    casus_ids_about,
    load_person,
    person_avg_resource,
)
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import AuditEntry, Organisation, User
from tenants.reference import PURPOSES

#: Reading the log answers "who has seen my data": the AVG purpose the regie handles
#: (``inzage``; policies/codes.rego inzage_roles). ``verantwoording`` is for statistics only.
PURPOSE = "inzage"

ACTION_LABELS = {
    "read": "ingezien",
    "list": "in een lijst gezien",
    "create": "vastgelegd",
    "update": "gewijzigd",
    "share": "gedeeld",
    "withhold": "achtergehouden",
    "release": "vrijgegeven",
    "transition": "fase gewijzigd",
    "explain": "uitleg gevraagd",
}


@dataclass(frozen=True)
class LogPage:
    entries: list[dict[str, Any]]
    next_cursor: str | None


def casus_log(
    ws: Workspace, casus_id: uuid.UUID, *, limit: int = 100, cursor: str | None = None
) -> LogPage:
    casus = ws.load_casus(casus_id)
    ws.enforcer.decide(
        "read",
        casus_avg_resource(ws, casus, "toegangslog"),
        _context(ws),
        Target("toegangslog", str(casus.id), casus.id),
    )
    return _page(ws, AuditEntry.casus_id == casus.id, limit, cursor)


def person_log(
    ws: Workspace, person_id: uuid.UUID, *, limit: int = 100, cursor: str | None = None
) -> LogPage:
    person = load_person(ws, person_id)
    ids = casus_ids_about(ws, person.id)
    ws.enforcer.decide(
        "read",
        person_avg_resource(ws, person, ids, "toegangslog"),
        _context(ws),
        Target("toegangslog", str(person.id)),
    )
    return _page(ws, _about_person(person.id, ids), limit, cursor)


def _about_person(person_id: uuid.UUID, casus_ids: Sequence[uuid.UUID]) -> sa.ColumnElement[bool]:
    about = AuditEntry.resource_id == str(person_id)
    return sa.or_(about, AuditEntry.casus_id.in_(casus_ids)) if casus_ids else about


def entries_about_person(
    ws: Workspace, person_id: uuid.UUID, casus_ids: Sequence[uuid.UUID], limit: int = 1000
) -> list[dict[str, Any]]:
    """The access log for the inzage document (already authorised by the caller)."""
    return _page(ws, _about_person(person_id, casus_ids), limit, None).entries


def _context(ws: Workspace) -> dict[str, Any]:
    return ws.enforcer.context(PURPOSE, {"legal_basis": LEGAL_BASIS})


def _page(
    ws: Workspace, condition: sa.ColumnElement[bool], limit: int, cursor: str | None
) -> LogPage:
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.tenant_id == ws.principal.tenant, condition)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        try:
            at_raw, id_raw = cursor.split("_", 1)
            at, before_id = dt.datetime.fromisoformat(at_raw), uuid.UUID(id_raw)
        except ValueError:
            raise DomainValidationError([FieldProblem("cursor", "Ongeldige cursor.")]) from None
        query = query.where(sa.tuple_(AuditEntry.at, AuditEntry.id) < sa.tuple_(at, before_id))
    rows = list(ws.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    users = _names(ws, User, {r.user_id for r in rows})
    orgs = _names(ws, Organisation, {r.organisation_id for r in rows})
    entries = [_entry(r, users, orgs) for r in rows]
    next_cursor = f"{rows[-1].at.isoformat()}_{rows[-1].id}" if more and rows else None
    return LogPage(entries, next_cursor)


def _names(ws: Workspace, model: type[User] | type[Organisation], ids: set[str]) -> dict[str, str]:
    """Display names of users or organisations of the caller's tenant (no person data)."""
    if not ids:
        return {}
    if model is User:
        query = sa.select(User.id, User.display_name).where(
            User.tenant_id == ws.principal.tenant, User.id.in_(ids)
        )
    else:
        query = sa.select(Organisation.id, Organisation.name).where(
            Organisation.tenant_id == ws.principal.tenant, Organisation.id.in_(ids)
        )
    return {str(row[0]): str(row[1]) for row in ws.session.execute(query)}


def _entry(row: AuditEntry, users: dict[str, str], orgs: dict[str, str]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "tijdstip": row.at.isoformat(),
        "gebruiker": row.user_id,
        "naam": users.get(row.user_id, row.user_id),
        "organisatie": row.organisation_id,
        "organisatie_naam": orgs.get(row.organisation_id, row.organisation_id),
        "rollen": list(row.roles),
        "handeling": row.action,
        "handeling_label": ACTION_LABELS.get(row.action, row.action),
        "wat": row.resource_type,
        "wat_id": row.resource_id,
        "casus_id": str(row.casus_id) if row.casus_id else None,
        "doel": row.purpose,
        "doel_label": PURPOSES.get(row.purpose, row.purpose) if row.purpose else None,
        "grondslag": row.legal_basis,
        "toegestaan": row.allowed,
        "redenen": list(row.reasons),
    }
