"""The burgemeester's letters as PDF (API): the notificatiebrief and the afsluitbrief.

Making a letter reads the person's name and address under the policy (purpose
``informeren`` or ``afsluiting``) and is audited; 404 for another gemeente's casus, 403 with
the policy's reasons, 409 when the casus is not in a phase the letter belongs to.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.casework.brieven import service as letters
from services.casework.commands import Ws
from services.casework.unit_of_work import CaseworkDeps
from services.platform.http.openapi import BY_ID, problem_responses

Req = Request[Any, Any, Any]
Deps = NamedDependency[CaseworkDeps]
CasusId = FromPath[uuid.UUID]

DESCRIPTION = (
    "Een PDF (A4) uit naam van de burgemeester, met naam en adres van de persoon, de datum, "
    "het kenmerk van de casus en de contactgegevens, volgens het sjabloon van de gemeente "
    "(`[letters]` in het manifest) of de standaardtekst. Het maken leest de identificerende "
    "gegevens van de persoon voor het doel van de brief en wordt gelogd. Het versturen legt u "
    "vast zoals altijd: de notificatiebrief bij *informeren* (ondertekend door, overhandigd "
    "door, datum), de afsluitbrief bij de afsluiting (`afsluitbrief_datum`)."
)


def _pdf(letter: letters.Letter) -> Response[bytes]:
    return Response(
        letter.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{letter.filename}"',
            "Cache-Control": "no-store",
        },
    )


class BrievenController(Controller):
    """De brieven van de burgemeester aan de persoon."""

    path = "/api/v1/casussen/{casus_id:uuid}/brieven"
    tags = ["brieven"]  # noqa: RUF012

    @get(
        "/notificatiebrief",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID, 409),
        summary="Notificatiebrief (PDF): de persoon wordt geïnformeerd over de opname",
        description=DESCRIPTION,
        media_type="application/pdf",
    )
    def notificatiebrief(self, ws: Ws, casus_id: CasusId) -> Response[bytes]:
        letter = letters.make_letter(ws, casus_id, "notificatiebrief")
        return _pdf(letter)

    @get(
        "/afsluitbrief",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID, 409),
        summary="Afsluitbrief (PDF): de persoon hoort dat de aanpak is afgesloten",
        description=DESCRIPTION,
        media_type="application/pdf",
    )
    def afsluitbrief(self, ws: Ws, casus_id: CasusId) -> Response[bytes]:
        letter = letters.make_letter(ws, casus_id, "afsluitbrief")
        return _pdf(letter)
