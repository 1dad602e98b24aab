"""Plan van aanpak (versioned), zelfredzaamheid (ZRM / leefgebieden-8) and the werkvoorraad."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from services.casework.commands import Req, Ws, tagged
from services.casework.plan import service as plans
from services.casework.plan.schemas import (
    MetingOut,
    PlanIn,
    PlanOpgeslagenOut,
    PlanOut,
    PlanversiesOut,
    ZelfredzaamheidIn,
    ZelfredzaamheidOut,
)
from services.casework.zelfredzaamheid import service as assessment_service
from services.platform.http.etag import if_match_version
from services.platform.http.openapi import (
    BY_ID,
    VERSIONED,
    WITH_BODY,
    problem_responses,
    success,
)

CasusId = FromPath[uuid.UUID]

READ = problem_responses(*BY_ID)
WRITE = problem_responses(*BY_ID, 409, *WITH_BODY)

EXAMPLE_PLAN: dict[str, Any] = {
    "doelen": [
        {
            "leefgebied": "financien",
            "probleem": "Schulden bij meerdere schuldeisers.",
            "doel": "Schulden in beeld en een stabiel budgetplan.",
        }
    ],
    "eindcriterium": "Geen nieuwe meldingen en schulden onder bewind.",
    "acties": [
        {
            "id": "a1",
            "omschrijving": "Aanmelden bij schuldhulpverlening.",
            "eigenaar_organisatie": "onbekend-voorbeeld",
            "deadline": "2026-12-31",
            "status": "open",
        }
    ],
    "interventies": [{"spoor": "zorg", "omschrijving": "Budgetcoaching."}],
    "toezeggingen": [
        {
            "organisatie": "onbekend-voorbeeld",
            "tekst": "Intake binnen twee weken.",
            "gedaan_op": "2026-11-20",
        }
    ],
}

EXAMPLE_ZRM: dict[str, Any] = {
    "moment": "intake",
    "datum": "2026-11-20",
    "scores": {"financien": 2, "huisvesting": 3},
    "toelichting": "Intake samen met de klantmanager afgenomen.",
}


def _plan_if_match(request: Req) -> int | None:
    """``If-Match: *`` may create the first version; otherwise the plan version (or None)."""
    header = request.headers.get("if-match")
    if header is not None and header.strip() == "*":
        return plans.ANY_VERSION
    return if_match_version(request)


class PlanController(Controller):
    path = "/api/v1/casussen/{casus_id:uuid}"
    tags = ["plan van aanpak", "zelfredzaamheid"]  # noqa: RUF012

    @get("/plan", sync_to_thread=True, summary="Plan van aanpak (huidige versie)", responses=READ)
    def current(
        self, ws: Ws, casus_id: CasusId, doel: FromQuery[str | None] = None
    ) -> Response[PlanOut]:
        read = plans.read_plan(ws, casus_id, doel)
        body = PlanOut.model_validate(plans.plan_view(ws, read))
        return tagged(body, read.version.version)

    @get(
        "/plan/versies",
        sync_to_thread=True,
        summary="Versies van het plan van aanpak",
        responses=READ,
    )
    def versions(
        self, ws: Ws, casus_id: CasusId, doel: FromQuery[str | None] = None
    ) -> PlanversiesOut:
        items, anon = plans.list_versions(ws, casus_id, doel)
        return PlanversiesOut.model_validate(
            {"items": items, "weergave": "anoniem" if anon else "full"}
        )

    @get(
        "/plan/versies/{versie:int}",
        sync_to_thread=True,
        summary="Een (eerdere) versie van het plan van aanpak",
        responses=READ,
    )
    def version(
        self,
        ws: Ws,
        casus_id: CasusId,
        versie: FromPath[int],
        doel: FromQuery[str | None] = None,
    ) -> Response[PlanOut]:
        read = plans.read_plan(ws, casus_id, doel, versie)
        body = PlanOut.model_validate(plans.plan_view(ws, read))
        return tagged(body, read.version.version)

    @put(
        "/plan",
        sync_to_thread=True,
        summary="Plan van aanpak vaststellen of wijzigen (nieuwe versie)",
        opt={"etag": True, "voorbeeld": EXAMPLE_PLAN},
        responses={
            **problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
            201: success(PlanOpgeslagenOut, "De eerste versie van het plan is vastgesteld"),
        },
    )
    def save(
        self,
        request: Req,
        ws: Ws,
        casus_id: CasusId,
        data: JSONBody[PlanIn],
        doel: FromQuery[str | None] = None,
    ) -> Response[PlanOpgeslagenOut]:
        read, created = plans.save_plan(
            ws, casus_id, _plan_if_match(request), data.model_dump(mode="json"), doel
        )
        body = PlanOpgeslagenOut.model_validate(
            {**plans.plan_view(ws, read), "nieuwe_versie": created}
        )
        first = created and read.version.version == 1
        return tagged(body, read.version.version, status=201 if first else 200)

    @post(
        "/zelfredzaamheid",
        sync_to_thread=True,
        status_code=201,
        summary="Zelfredzaamheid meten (instrument van de gemeente)",
        opt={"voorbeeld": EXAMPLE_ZRM},
        responses=WRITE,
    )
    def assess(
        self,
        ws: Ws,
        casus_id: CasusId,
        data: JSONBody[ZelfredzaamheidIn],
        doel: FromQuery[str | None] = None,
    ) -> MetingOut:
        row = assessment_service.record_assessment(
            ws,
            casus_id,
            assessment_service.AssessmentInput(
                data.moment, data.scores, data.datum, data.toelichting
            ),
            doel,
        )
        return MetingOut(
            id=str(row.id),
            instrument=row.instrument,
            moment=row.moment,
            datum=row.taken_on.isoformat(),
            scores=dict(row.scores),
            toelichting=row.explanation,
        )

    @get(
        "/zelfredzaamheid",
        sync_to_thread=True,
        summary="Zelfredzaamheid: metingen en ontwikkeling per domein",
        responses=READ,
    )
    def assessments(
        self, ws: Ws, casus_id: CasusId, doel: FromQuery[str | None] = None
    ) -> ZelfredzaamheidOut:
        return ZelfredzaamheidOut.model_validate(assessment_service.history(ws, casus_id, doel))
