"""Outcome measurements (uitkomsten) of a person casus, under policy (resource type
``assessment``, purpose ``monitoring`` by default). Flags whose data category the reader
may not see (debts and benefit: financieel; police registrations: strafrechtelijk) are left
out of what is returned."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.outcomes import FLAGS, MOMENTS, validate_flags
from services.casework.errors import Conflict
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, OutcomeMeasurement
from services.platform.policy import Decision

PURPOSE = "monitoring"


def _authorize(ws: Workspace, casus: Casus, action: str, purpose: str | None) -> Decision:
    return ws.enforcer.decide(
        action,
        ws.resource(casus, "assessment"),
        ws.context(purpose or PURPOSE),
        Target("uitkomst", None, casus.id),
    )


def record_outcome(
    ws: Workspace,
    casus_id: uuid.UUID,
    moment: str,
    measured_on: dt.date | None,
    flags: dict[str, bool | None],
) -> OutcomeMeasurement:
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize(ws, casus, "create", None)
    if casus.kind != "persoon":
        raise Conflict("alleen-persoon", "Uitkomsten horen bij een persoonscasus.")
    when = measured_on or ws.today
    if when > ws.today:
        raise DomainValidationError([FieldProblem("datum", "De datum ligt in de toekomst.")])
    stored = validate_flags(moment, flags)
    row = OutcomeMeasurement(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        moment=moment,
        measured_on=when,
        flags=stored,
        recorded_by=ws.principal.user_id,
    )
    ws.session.add(row)
    ws.event(casus, "uitkomst", f"Uitkomsten vastgelegd: {MOMENTS[moment].lower()}.")
    ws.session.flush()
    return row


def list_outcomes(
    ws: Workspace, casus_id: uuid.UUID, purpose: str | None = None
) -> list[dict[str, Any]]:
    casus = ws.load_casus(casus_id)
    decision = _authorize(ws, casus, "read", purpose)
    visible = [f for f in FLAGS if f.category not in decision.mask]
    rows = ws.session.scalars(
        sa.select(OutcomeMeasurement)
        .where(
            OutcomeMeasurement.tenant_id == casus.tenant_id, OutcomeMeasurement.casus_id == casus.id
        )
        .order_by(OutcomeMeasurement.measured_on, OutcomeMeasurement.created_at)
    )
    return [
        {
            "id": str(row.id),
            "moment": row.moment,
            "moment_label": MOMENTS.get(row.moment, row.moment),
            "datum": row.measured_on.isoformat(),
            "uitkomsten": {f.api_name: row.flags.get(f.contract_name) for f in visible},
            "gemaskeerd": sorted({f.api_name for f in FLAGS} - {f.api_name for f in visible}),
        }
        for row in rows
    ]
