"""Consent (toestemmingen) of the person of a casus: recorded per purpose, listed and
revoked."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from services.casework.commands import Ws
from services.casework.toestemming import service as consent_service
from services.casework.toestemming.schemas import ToestemmingIn, ToestemmingOut
from services.platform.http.openapi import BY_ID, WITH_BODY, problem_responses

CasusId = FromPath[uuid.UUID]

READ = problem_responses(*BY_ID)
WRITE = problem_responses(*BY_ID, 409, *WITH_BODY)


class ToestemmingenController(Controller):
    path = "/api/v1/casussen/{casus_id:uuid}/toestemmingen"
    tags = ["toestemmingen"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Vastgelegde toestemmingen van de persoon",
        responses=READ,
    )
    def index(self, ws: Ws, casus_id: CasusId) -> list[ToestemmingOut]:
        consents = consent_service.list_consents(ws, casus_id)
        return [ToestemmingOut.model_validate(c) for c in consents]

    @post(
        "/",
        sync_to_thread=True,
        summary="Toestemming vastleggen (per doel)",
        opt={
            "voorbeeld": {
                "doel": "plan-van-aanpak",
                "reikwijdte": "Inkomensgegevens delen met schuldhulpverlening.",
            }
        },
        responses=WRITE,
    )
    def create(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[ToestemmingIn]
    ) -> Response[ToestemmingOut]:
        consent = consent_service.record_consent(
            ws, casus_id, data.doel, data.reikwijdte, data.ongelijke_verhouding
        )
        body = ToestemmingOut.model_validate(consent_service.consent_view(consent))
        return Response(
            body,
            status_code=201,
            headers={"Location": f"/api/v1/casussen/{casus_id}/toestemmingen/{consent.id}"},
        )

    @post(
        "/{consent_id:uuid}/intrekken",
        sync_to_thread=True,
        status_code=200,
        summary="Toestemming intrekken",
        opt={"voorbeeld": {}},
        responses=WRITE,
    )
    def revoke(
        self,
        ws: Ws,
        casus_id: CasusId,
        consent_id: FromPath[uuid.UUID],
    ) -> ToestemmingOut:
        consent = consent_service.revoke_consent(ws, casus_id, consent_id)
        return ToestemmingOut.model_validate(consent_service.consent_view(consent))
