"""Group approach steps 3-7 in the JSON API: the content of each step, and what the driehoek
sees. Moving on (``POST /api/v1/casussen/{casus_id}/overgang``) is refused with 409
``groepsstap-onvolledig`` while the step's content is missing."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from services.casework.groepsstappen import schemas
from services.casework.groepsstappen import service as svc
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.platform.identity.guards import principal_of

Req = Request[Any, Any, Any]
Deps = NamedDependency[CaseworkDeps]
CasusId = FromPath[uuid.UUID]


def _record(
    request: Req, casework: CaseworkDeps, casus_id: uuid.UUID, part: str, data: BaseModel
) -> dict[str, Any]:
    with workspace(casework, principal_of(request)) as ws:
        return svc.record(
            ws, casus_id, svc.PartInput(part, data.model_dump(mode="python", exclude_none=True))
        )


class GroepsstappenController(Controller):
    path = "/api/v1/casussen"
    tags = ["groepsaanpak"]  # noqa: RUF012

    @get(
        "/{casus_id:uuid}/groepsstappen",
        sync_to_thread=True,
        summary="Inhoud van stap 3-7 en wat er nog ontbreekt voor de volgende stap",
    )
    def steps(self, request: Req, casework: Deps, casus_id: CasusId) -> dict[str, Any]:
        with workspace(casework, principal_of(request)) as ws:
            return svc.read_steps(ws, casus_id)

    @put(
        "/{casus_id:uuid}/groepsstappen/integraal-beeld",
        sync_to_thread=True,
        summary="Stap 3: integraal beeld van de groep",
        opt={
            "voorbeeld": {
                "tekst": "Kern van drie jongeren; meelopers uit de wijk, vooral 's avonds actief."
            }
        },
    )
    def integraal_beeld(
        self,
        request: Req,
        casework: Deps,
        casus_id: CasusId,
        data: JSONBody[schemas.IntegraalBeeldIn],
    ) -> dict[str, Any]:
        return _record(request, casework, casus_id, "integraal_beeld", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/voorlegging",
        sync_to_thread=True,
        summary="Stap 3-4: geanonimiseerde voorlegging voor de driehoek (geen persoonsgegevens)",
        opt={
            "voorbeeld": {
                "tekst": "Groep van circa tien jongeren; overlast rond het winkelcentrum."
            }
        },
    )
    def voorlegging(
        self, request: Req, casework: Deps, casus_id: CasusId, data: JSONBody[schemas.VoorleggingIn]
    ) -> dict[str, Any]:
        return _record(request, casework, casus_id, "voorlegging", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/advies",
        sync_to_thread=True,
        summary="Stap 4: advies en prioritering van de driehoek (geen persoonsgegevens)",
        opt={
            "voorbeeld": {
                "advies": "Integrale aanpak met voorrang; bestuurlijk spoor eerst.",
                "prioriteit": "hoog",
            }
        },
    )
    def advies(
        self, request: Req, casework: Deps, casus_id: CasusId, data: JSONBody[schemas.AdviesIn]
    ) -> dict[str, Any]:
        return _record(request, casework, casus_id, "advies", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/nulmeting",
        sync_to_thread=True,
        summary="Stap 5: nulmeting van één spoor",
        opt={
            "voorbeeld": {
                "spoor": "bestuurlijk",
                "indicator": "Overlastmeldingen per maand",
                "waarde": "14",
            }
        },
    )
    def nulmeting(
        self, request: Req, casework: Deps, casus_id: CasusId, data: JSONBody[schemas.NulmetingIn]
    ) -> dict[str, Any]:
        return _record(request, casework, casus_id, "nulmeting", data)

    @post(
        "/{casus_id:uuid}/groepsstappen/voortgang",
        sync_to_thread=True,
        status_code=201,
        summary="Stap 6: voortgang van de uitvoering",
        opt={
            "voorbeeld": {
                "spoor": "zorg",
                "tekst": "Twee jongeren zijn weer naar school; intake werk loopt.",
            }
        },
    )
    def voortgang(
        self, request: Req, casework: Deps, casus_id: CasusId, data: JSONBody[schemas.VoortgangIn]
    ) -> dict[str, Any]:
        return _record(request, casework, casus_id, "voortgang", data)

    @put(
        "/{casus_id:uuid}/groepsstappen/evaluatie",
        sync_to_thread=True,
        summary="Stap 7: evaluatie met de nameting per spoor van de nulmeting",
        opt={
            "voorbeeld": {
                "conclusie": "Doelen grotendeels bereikt; de groep is uiteengevallen.",
                "nameting": {"bestuurlijk": "3"},
            }
        },
    )
    def evaluatie(
        self, request: Req, casework: Deps, casus_id: CasusId, data: JSONBody[schemas.EvaluatieIn]
    ) -> dict[str, Any]:
        return _record(request, casework, casus_id, "evaluatie", data)

    @get(
        "/{casus_id:uuid}/driehoek",
        sync_to_thread=True,
        summary="Wat de driehoek ziet: plan, voorlegging en advies, altijd geanonimiseerd",
    )
    def driehoek(self, request: Req, casework: Deps, casus_id: CasusId) -> dict[str, Any]:
        with workspace(casework, principal_of(request)) as ws:
            return svc.driehoek_view(ws, casus_id)
