"""The werkvoorraad API: what the caller has to do next, and the doorbreekglas review."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.casework.commands import Ws
from services.casework.plan.routes import WRITE
from services.casework.plan.schemas import BeoordelingIn, BeoordelingOut, WerkvoorraadOut
from services.casework.werkvoorraad import afhandelen
from services.casework.werkvoorraad import service as werkvoorraad
from services.casework.werkvoorraad.schemas import UitstelIn, WerkitemIn, WerkitemUit
from services.platform.http.openapi import problem_responses


class WerkvoorraadController(Controller):
    path = "/api/v1/werkvoorraad"
    tags = ["werkvoorraad"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Uw werkvoorraad: wat moet er gebeuren",
        responses=problem_responses(),
    )
    def index(
        self,
        ws: Ws,
        horizon_dagen: FromQuery[int | None] = None,
        soort: FromQuery[str | None] = None,
        te_laat: FromQuery[bool] = False,
        casus: FromQuery[str | None] = None,
        sorteer: FromQuery[str] = "datum",
        pagina: FromQuery[int] = 1,
    ) -> WerkvoorraadOut:
        """One page of the werkvoorraad, as on the page ``/werkvoorraad``: the same filter
        (soort, te laat, casus-referentie), order (datum, casus, soort) and pages of 25
        (``vorige``/``volgende``: the page numbers, or null)."""
        selection = werkvoorraad.Selection(soort or None, te_laat, casus or None, sorteer, pagina)
        return WerkvoorraadOut.model_validate(
            werkvoorraad.work_queue(ws, horizon_dagen, selection=selection)
        )

    @post(
        "/doorbreekglas/{grant_id:uuid}/beoordeeld",
        sync_to_thread=True,
        status_code=200,
        summary="Spoedtoegang (doorbreekglas) beoordelen (PGA-expert)",
        opt={"voorbeeld": {"oordeel": "terecht", "toelichting": "Acute dreiging; terecht."}},
        responses=WRITE,
    )
    def review(
        self,
        ws: Ws,
        grant_id: FromPath[uuid.UUID],
        data: JSONBody[BeoordelingIn],
    ) -> BeoordelingOut:
        grant = werkvoorraad.review_urgent_access(ws, grant_id, data.oordeel, data.toelichting)
        return BeoordelingOut(
            id=str(grant.id),
            casus_id=str(grant.casus_id),
            oordeel=grant.review_verdict,
            toelichting=grant.review_note,
            beoordeeld_door=grant.reviewed_by,
            beoordeeld_op=grant.reviewed_at.isoformat() if grant.reviewed_at else None,
        )

    @post(
        "/gereed",
        sync_to_thread=True,
        status_code=200,
        summary="Een actie of toezegging uit de werkvoorraad gereed melden",
        responses=WRITE,
        opt={
            "voorbeeld": {
                "casus_id": "00000000-0000-0000-0000-000000000000",
                "soort": "planactie",
                "onderwerp": "a1",
                "plan_versie": 1,
            }
        },
    )
    def done(self, ws: Ws, data: JSONBody[WerkitemIn]) -> WerkitemUit:
        outcome = afhandelen.complete(
            ws, data.casus_id, data.soort, data.onderwerp, data.plan_versie
        )
        return _outcome(outcome)

    @post(
        "/uitstellen",
        sync_to_thread=True,
        status_code=200,
        summary="Een actie of toezegging uit de werkvoorraad uitstellen (nieuwe datum, reden)",
        responses=WRITE,
        opt={
            "voorbeeld": {
                "casus_id": "00000000-0000-0000-0000-000000000000",
                "soort": "toezegging-controleren",
                "onderwerp": "toezegging-1",
                "plan_versie": 1,
                "nieuwe_datum": "2026-12-31",
                "reden": "Intake verschoven door wachtlijst.",
            }
        },
    )
    def postpone(self, ws: Ws, data: JSONBody[UitstelIn]) -> WerkitemUit:
        outcome = afhandelen.postpone(
            ws,
            data.casus_id,
            data.soort,
            data.onderwerp,
            data.plan_versie,
            data.nieuwe_datum,
            data.reden,
        )
        return _outcome(outcome)


def _outcome(outcome: afhandelen.Outcome) -> WerkitemUit:
    return WerkitemUit.model_validate(
        {
            "casus_id": outcome.casus_id,
            "soort": outcome.kind,
            "onderwerp": outcome.subject,
            "status": outcome.status,
            "datum": outcome.due_on,
            "plan_versie": outcome.plan_version,
            "nieuwe_versie": outcome.new_version,
        }
    )
