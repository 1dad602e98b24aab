"""Group approach steps 3-7 in the JSON API: the content of each step, and what the driehoek
sees. Moving on (``POST /api/v1/casussen/{casus_id}/overgang``) is refused with 409
``groepsstap-onvolledig`` while the step's content is missing."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from services.casework.commands import Ws
from services.casework.groepsstappen import schemas
from services.casework.groepsstappen import service as svc
from services.casework.workspace import Workspace
from services.platform.http.openapi import BY_ID, WITH_BODY, problem_responses

CasusId = FromPath[uuid.UUID]


def _save_part(
    ws: Workspace, casus_id: uuid.UUID, part: str, data: BaseModel
) -> schemas.GroepsstappenOut:
    """Record one part of steps 3-7 (the same for every part but its name)."""
    return schemas.GroepsstappenOut.model_validate(
        svc.record(
            ws, casus_id, svc.PartInput(part, data.model_dump(mode="python", exclude_none=True))
        )
    )


class GroepsstappenController(Controller):
    path = "/api/v1/casussen"
    tags = ["groepsaanpak"]  # noqa: RUF012

    @get(
        "/{casus_id:uuid}/groepsstappen",
        sync_to_thread=True,
        summary="Inhoud van stap 3-7 en wat er nog ontbreekt voor de volgende stap",
        responses=problem_responses(*BY_ID, 409),
    )
    def steps(self, ws: Ws, casus_id: CasusId) -> schemas.GroepsstappenOut:
        return schemas.GroepsstappenOut.model_validate(svc.read_steps(ws, casus_id))

    @put(
        "/{casus_id:uuid}/groepsstappen/integraal-beeld",
        sync_to_thread=True,
        summary="Stap 3: integraal beeld van de groep",
        responses=problem_responses(*BY_ID, *WITH_BODY, 409),
        opt={
            "voorbeeld": {
                "tekst": "Kern van drie jongeren; meelopers uit de wijk, vooral 's avonds actief."
            }
        },
    )
    def integraal_beeld(
        self,
        ws: Ws,
        casus_id: CasusId,
        data: JSONBody[schemas.IntegraalBeeldIn],
    ) -> schemas.GroepsstappenOut:
        return _save_part(ws, casus_id, "integraal_beeld", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/voorlegging",
        sync_to_thread=True,
        summary="Stap 3-4: geanonimiseerde voorlegging voor de driehoek (geen persoonsgegevens)",
        responses=problem_responses(*BY_ID, *WITH_BODY, 409),
        opt={
            "voorbeeld": {
                "tekst": "Groep van circa tien jongeren; overlast rond het winkelcentrum."
            }
        },
    )
    def voorlegging(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[schemas.VoorleggingIn]
    ) -> schemas.GroepsstappenOut:
        return _save_part(ws, casus_id, "voorlegging", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/advies",
        sync_to_thread=True,
        summary="Stap 4: advies en prioritering van de driehoek (geen persoonsgegevens)",
        responses=problem_responses(*BY_ID, *WITH_BODY, 409),
        opt={
            "voorbeeld": {
                "advies": "Integrale aanpak met voorrang; bestuurlijk spoor eerst.",
                "prioriteit": "hoog",
            }
        },
    )
    def advies(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[schemas.AdviesIn]
    ) -> schemas.GroepsstappenOut:
        return _save_part(ws, casus_id, "advies", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/nulmeting",
        sync_to_thread=True,
        summary="Stap 5: nulmeting van één spoor",
        responses=problem_responses(*BY_ID, *WITH_BODY, 409),
        opt={
            "voorbeeld": {
                "spoor": "bestuurlijk",
                "indicator": "Overlastmeldingen per maand",
                "waarde": "14",
            }
        },
    )
    def nulmeting(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[schemas.NulmetingIn]
    ) -> schemas.GroepsstappenOut:
        return _save_part(ws, casus_id, "nulmeting", data)

    @post(
        "/{casus_id:uuid}/groepsstappen/voortgang",
        sync_to_thread=True,
        status_code=201,
        summary="Stap 6: voortgang van de uitvoering",
        responses=problem_responses(*BY_ID, *WITH_BODY, 409),
        opt={
            "voorbeeld": {
                "spoor": "zorg",
                "tekst": "Twee jongeren zijn weer naar school; intake werk loopt.",
            }
        },
    )
    def voortgang(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[schemas.VoortgangIn]
    ) -> schemas.GroepsstappenOut:
        return _save_part(ws, casus_id, "voortgang", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/evaluatie",
        sync_to_thread=True,
        summary="Stap 7: evaluatie met de nameting per spoor van de nulmeting",
        responses=problem_responses(*BY_ID, *WITH_BODY, 409),
        opt={
            "voorbeeld": {
                "conclusie": "Doelen grotendeels bereikt; de groep is uiteengevallen.",
                "nameting": {"bestuurlijk": "3"},
            }
        },
    )
    def evaluatie(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[schemas.EvaluatieIn]
    ) -> schemas.GroepsstappenOut:
        return _save_part(ws, casus_id, "evaluatie", data)

    @get(
        "/{casus_id:uuid}/driehoek",
        sync_to_thread=True,
        summary="Wat de driehoek ziet: plan, voorlegging en advies, altijd geanonimiseerd",
        responses=problem_responses(*BY_ID, 409),
    )
    def driehoek(self, ws: Ws, casus_id: CasusId) -> schemas.DriehoekOut:
        return schemas.DriehoekOut.model_validate(svc.driehoek_view(ws, casus_id))
