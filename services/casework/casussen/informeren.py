"""Informeren: the notificatiebrief and the startgesprek with the person of a casus, or how
the approach goes on without a reaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from services.casework.casussen.fasen import authorize_change
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict
from services.casework.workspace import Workspace
from services.platform.db.models import Casus


@dataclass(frozen=True)
class Informeren:
    brief_ondertekend_door: str | None = None
    brief_overhandigd_door: str | None = None
    brief_datum: dt.date | None = None
    startgesprek_datum: dt.date | None = None
    startgesprek_notities: str | None = None
    geen_reactie: bool = False
    toelichting: str | None = None


def informeren(
    ws: Workspace, casus_id: uuid.UUID, expected_version: int | None, data: Informeren
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    authorize_change(ws, casus, "update", "informeren")
    with ws.changing(casus, expected_version):
        if casus.kind != "persoon":
            raise Conflict(
                "alleen-persoon", "Informeren met een brief hoort bij een persoonscasus."
            )
        problems = []
        if data.brief_datum and not data.brief_ondertekend_door:
            problems.append(
                FieldProblem("notificatiebrief.ondertekend_door", "Wie heeft de brief ondertekend?")
            )
        if data.startgesprek_datum and not (data.startgesprek_notities or "").strip():
            problems.append(
                FieldProblem(
                    "startgesprek.notities", "Leg vast wat er in het startgesprek is besproken."
                )
            )
        if data.geen_reactie and not (data.toelichting or "").strip():
            problems.append(
                FieldProblem("toelichting", "Geef aan hoe verder wordt gegaan zonder reactie.")
            )
        if problems:
            raise DomainValidationError(problems)
        casus.informing = {
            "notificatiebrief": {
                "ondertekend_door": data.brief_ondertekend_door,
                "overhandigd_door": data.brief_overhandigd_door,
                "datum": data.brief_datum.isoformat() if data.brief_datum else None,
            },
            "startgesprek": {
                "datum": data.startgesprek_datum.isoformat() if data.startgesprek_datum else None,
                "notities": data.startgesprek_notities,
            },
            "geen_reactie": data.geen_reactie,
            "toelichting": data.toelichting,
        }
        ws.event(
            casus,
            "informeren",
            "Geen reactie van de persoon: aanpak gaat door met nadruk op handhaving."
            if data.geen_reactie
            else "Persoon geïnformeerd (notificatiebrief/startgesprek vastgelegd).",
        )
    return casus
