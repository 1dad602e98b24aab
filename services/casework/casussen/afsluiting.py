"""Afsluiting and heropenen: afschalen (with a warm handover), opschalen (shared with the
region's Zorg- en Veiligheidshuis), stoppen, the bewaartermijn that follows the closure
reason, and reopening a closed casus.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from services.casework.casussen.fasen import authorize_change, move_to
from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.timers import add_months
from services.casework.errors import Conflict
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, CasusShare, Organisation, Tenant


@dataclass(frozen=True)
class Afsluiting:
    reden: str
    toelichting: str | None = None
    ontvangende_organisatie: str | None = None
    eindgesprek_datum: dt.date | None = None
    eindgesprek_notities: str | None = None
    afsluitbrief_datum: dt.date | None = None


def _region_bureau(ws: Workspace) -> str | None:
    return ws.session.scalars(
        sa.select(Tenant.code).where(Tenant.kind == "regio", Tenant.region == ws.tenant.region)
    ).first()


def afsluiten(
    ws: Workspace, casus_id: uuid.UUID, expected_version: int | None, data: Afsluiting
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    authorize_change(ws, casus, "transition", "afsluiting")
    with ws.changing(casus, expected_version):
        try:
            target = lifecycle.closure_state_for(data.reden)
        except ValueError as error:
            raise DomainValidationError([FieldProblem("reden", str(error))]) from None
        lifecycle.check_transition_data(casus.kind, casus.state, target, closure_reason=data.reden)
        problems = []
        if target == "afgeschaald":
            org = (
                ws.session.get(Organisation, (casus.tenant_id, data.ontvangende_organisatie))
                if data.ontvangende_organisatie
                else None
            )
            if org is None:
                problems.append(
                    FieldProblem(
                        "ontvangende_organisatie",
                        "Afschalen vraagt een warme overdracht: kies de ontvangende organisatie.",
                    )
                )
        if problems:
            raise DomainValidationError(problems)
        bureau: str | None = None
        if target == "opgeschaald":
            bureau = _region_bureau(ws)
            if bureau is None:
                raise Conflict("geen-regio", "Er is geen regionaal bureau om naar op te schalen.")
            ws.session.add(
                CasusShare(
                    tenant_id=casus.tenant_id,
                    casus_id=casus.id,
                    shared_with_tenant=bureau,
                    reason=f"Opschaling: {data.toelichting or data.reden}",
                    created_by=ws.principal.user_id,
                )
            )
        casus.closure = {
            "reden": data.reden,
            "toelichting": data.toelichting,
            "ontvangende_organisatie": data.ontvangende_organisatie,
            "opgeschaald_naar": bureau,
            "eindgesprek": {
                "datum": data.eindgesprek_datum.isoformat() if data.eindgesprek_datum else None,
                "notities": data.eindgesprek_notities,
            },
            "afsluitbrief_datum": data.afsluitbrief_datum.isoformat()
            if data.afsluitbrief_datum
            else None,
            "datum": ws.today.isoformat(),
        }
        casus.closure_date = ws.today
        casus.retention_until = add_months(ws.today, ws.manifest.retention.months_for(data.reden))
        summary = {
            "afgeschaald": f"Afgeschaald met warme overdracht aan {data.ontvangende_organisatie}.",
            "opgeschaald": f"Opgeschaald naar {bureau}.",
            "gestopt": "Gestopt.",
        }[target]
        move_to(ws, casus, target, summary)
    return casus


def heropenen(
    ws: Workspace, casus_id: uuid.UUID, expected_version: int | None, reason: str | None
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    authorize_change(ws, casus, "transition", "plan-van-aanpak")
    with ws.changing(casus, expected_version):
        lifecycle.check_transition_data(casus.kind, casus.state, "plan", reason=reason)
        casus.closure = {
            **casus.closure,
            "heropend_op": ws.today.isoformat(),
            "heropen_reden": reason,
        }
        casus.closure_date = None
        casus.retention_until = None
        casus.last_melding_on = ws.today
        move_to(ws, casus, "plan", f"Heropend: {reason}.")
    return casus
