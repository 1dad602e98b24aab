"""The AVG endpoints: access log, inzage, correctie and beperking (docs/avg.md).

Every endpoint asks the policy (policies/avg.rego) and is audited; errors are problem+json
(404 for another gemeente's casus or person, 403 with the policy's reasons, 412/428 for a
stale or missing If-Match, 422 for bad input).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.casework.avg import correctie, document, toegangslog
from services.casework.avg import inzage as inzage_service
from services.casework.avg.schemas import (
    AanmeldingCorrectieIn,
    BeperkingIn,
    CasusCorrectieOut,
    HistorieOut,
    InzageOut,
    ItemCorrectieIn,
    ItemCorrectieOut,
    PersoonCorrectieIn,
    PersoonCorrectieOut,
    ToegangslogOut,
)
from services.casework.commands import Req, Ws, command, tagged
from services.casework.subjects import is_restricted
from services.casework.workspace import Workspace
from services.platform.db.models import InformationItem, Person
from services.platform.http.openapi import BY_ID, VERSIONED, WITH_BODY, problem_responses

CasusId = FromPath[uuid.UUID]
PersonId = FromPath[uuid.UUID]
ItemId = FromPath[uuid.UUID]

EXAMPLE_PERSON = {
    "wijzigingen": {"achternaam": "Voorbeeld-Jansen", "geboortedatum": "2005-03-02"},
    "reden": "Verzoek van de betrokkene: achternaam en geboortedatum waren onjuist.",
}
EXAMPLE_RESTRICT = {"beperkt": True, "reden": "Betrokkene betwist de juistheid (art. 18 AVG)."}
EXAMPLE_AANMELDING = {
    "wijzigingen": {"waarom_integraal": "Schulden en dreigende uithuiszetting; geen overlast."},
    "problemen": {"financien": "Schulden bij twee schuldeisers."},
    "reden": "Verzoek van de betrokkene: de overlast is nooit vastgesteld.",
}
EXAMPLE_ITEM = {
    "wijzigingen": {"inhoud": "Gecorrigeerde tekst."},
    "reden": "Verzoek van de betrokkene: de datum in de tekst was onjuist.",
}


def _limit(limiet: int) -> int:
    return max(1, min(limiet, 500))


def _log(page: toegangslog.LogPage) -> ToegangslogOut:
    return ToegangslogOut.model_validate({"items": page.entries, "volgende": page.next_cursor})


def _person_out(ws: Workspace, person: Person, changed: list[str]) -> PersoonCorrectieOut:
    return PersoonCorrectieOut(
        id=str(person.id),
        versie=person.version,
        beperkt=is_restricted(ws, "persoon", str(person.id), tenant=person.tenant_id),
        gecorrigeerd=changed,
    )


def _item_out(ws: Workspace, item: InformationItem, changed: list[str]) -> ItemCorrectieOut:
    return ItemCorrectieOut(
        id=str(item.id),
        casus_id=str(item.casus_id),
        versie=item.version,
        beperkt=is_restricted(ws, "item", str(item.id), tenant=item.tenant_id),
        gecorrigeerd=changed,
    )


class PersonenAvgController(Controller):
    """A person's AVG rights: access log, inzage, correctie and beperking."""

    path = "/api/v1/personen"
    tags = ["avg"]  # noqa: RUF012

    @get(
        "/{persoon_id:uuid}/toegangslog",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID),
        summary="Wie heeft de gegevens van deze persoon ingezien (regie en PGA-expert)",
    )
    def access_log(
        self,
        ws: Ws,
        persoon_id: PersonId,
        limiet: FromQuery[int] = 100,
        cursor: FromQuery[str | None] = None,
    ) -> ToegangslogOut:
        page = toegangslog.person_log(ws, persoon_id, limit=_limit(limiet), cursor=cursor)
        return _log(page)

    @post(
        "/{persoon_id:uuid}/inzage",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*BY_ID),
        summary="Inzageverzoek (art. 15 AVG): alles wat over de persoon is vastgelegd",
    )
    def inzage(self, ws: Ws, persoon_id: PersonId) -> InzageOut:
        doc = inzage_service.inzage(ws, persoon_id)
        return InzageOut.model_validate(doc)

    @post(
        "/{persoon_id:uuid}/inzage/html",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*BY_ID),
        summary="Inzageverzoek als leesbaar document (HTML)",
        media_type="text/html",
    )
    def inzage_html(self, ws: Ws, persoon_id: PersonId) -> Response[str]:
        doc = inzage_service.inzage(ws, persoon_id)
        return Response(document.render_html(doc), media_type="text/html; charset=utf-8")

    @post(
        "/{persoon_id:uuid}/inzage/pdf",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*BY_ID),
        summary="Inzageverzoek als PDF voor de betrokkene",
        media_type="application/pdf",
    )
    def inzage_pdf(self, ws: Ws, persoon_id: PersonId) -> Response[bytes]:
        doc = inzage_service.inzage(ws, persoon_id)
        return Response(
            document.render_pdf(doc),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="inzage.pdf"'},
        )

    @patch(
        "/{persoon_id:uuid}",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
        summary="Persoonsgegevens corrigeren (art. 16 AVG; If-Match vereist)",
        opt={"voorbeeld": EXAMPLE_PERSON},
    )
    def correct(
        self,
        request: Req,
        ws: Ws,
        persoon_id: PersonId,
        data: JSONBody[PersoonCorrectieIn],
    ) -> Response[PersoonCorrectieOut]:
        given = data.wijzigingen.model_dump(exclude_unset=True, mode="python")
        changes: dict[str, Any] = {}
        for name, value in given.items():
            if name == "adres":
                value = {k: v for k, v in (value or {}).items() if v is not None}
            elif name == "aliassen":
                value = list(value or [])
            elif name in ("voornamen", "achternaam") and value is None:
                continue  # a name cannot be removed, only corrected
            changes[name] = value
        return command(
            request,
            ws,
            lambda expected: correctie.correct_person(
                ws, persoon_id, changes, data.reden, expected
            ),
            lambda result: _person_out(ws, *result),
            version=lambda result: result[0].version,
        )

    @patch(
        "/{persoon_id:uuid}/beperking",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
        summary="Verwerking beperken of de beperking opheffen (art. 18 AVG; If-Match vereist)",
        opt={"voorbeeld": EXAMPLE_RESTRICT},
    )
    def restrict(
        self, request: Req, ws: Ws, persoon_id: PersonId, data: JSONBody[BeperkingIn]
    ) -> Response[PersoonCorrectieOut]:
        return command(
            request,
            ws,
            lambda expected: correctie.restrict_person(
                ws, persoon_id, data.beperkt, data.reden, expected
            ),
            lambda person: _person_out(ws, person, []),
        )

    @get(
        "/{persoon_id:uuid}/correcties",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID),
        summary="Geschiedenis van correcties en beperkingen (oude waarden; regie); de ETag is "
        "de versie van de persoon",
    )
    def history(self, ws: Ws, persoon_id: PersonId) -> Response[HistorieOut]:
        version, history = correctie.person_history(ws, persoon_id)
        return tagged(HistorieOut.model_validate(history), version)


class CasussenAvgController(Controller):
    """A casus's access log, corrections of its aanmelding and items, item restrictions."""

    path = "/api/v1/casussen/{casus_id:uuid}"
    tags = ["avg"]  # noqa: RUF012

    @get(
        "/toegangslog",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID),
        summary="Wie heeft deze casus ingezien (casusregisseur, procesregisseur, PGA-expert)",
    )
    def access_log(
        self,
        ws: Ws,
        casus_id: CasusId,
        limiet: FromQuery[int] = 100,
        cursor: FromQuery[str | None] = None,
    ) -> ToegangslogOut:
        page = toegangslog.casus_log(ws, casus_id, limit=_limit(limiet), cursor=cursor)
        return _log(page)

    @patch(
        "/aanmelding",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
        summary="Teksten van de aanmelding corrigeren (art. 16 AVG; If-Match vereist)",
        opt={"etag": True, "voorbeeld": EXAMPLE_AANMELDING},
    )
    def correct_aanmelding(
        self,
        request: Req,
        ws: Ws,
        casus_id: CasusId,
        data: JSONBody[AanmeldingCorrectieIn],
    ) -> Response[CasusCorrectieOut]:
        changes = data.wijzigingen.model_dump(exclude_unset=True)
        return command(
            request,
            ws,
            lambda expected: correctie.correct_aanmelding(
                ws, casus_id, changes, dict(data.problemen), data.reden, expected
            ),
            lambda result: CasusCorrectieOut(
                id=str(result[0].id), versie=result[0].version, gecorrigeerd=result[1]
            ),
            version=lambda result: result[0].version,
        )

    @patch(
        "/informatie/{item_id:uuid}/correctie",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
        summary="Een informatie-item corrigeren (art. 16 AVG; If-Match vereist)",
        opt={"voorbeeld": EXAMPLE_ITEM},
    )
    def correct_item(
        self,
        request: Req,
        ws: Ws,
        casus_id: CasusId,
        item_id: ItemId,
        data: JSONBody[ItemCorrectieIn],
    ) -> Response[ItemCorrectieOut]:
        changes = {k: v for k, v in data.wijzigingen.model_dump(exclude_unset=True).items() if v}
        return command(
            request,
            ws,
            lambda expected: correctie.correct_item(
                ws, casus_id, item_id, changes, data.reden, expected
            ),
            lambda result: _item_out(ws, *result),
            version=lambda result: result[0].version,
        )

    @patch(
        "/informatie/{item_id:uuid}/beperking",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
        summary="Verwerking van een item beperken of opheffen (art. 18 AVG; If-Match vereist)",
        opt={"voorbeeld": EXAMPLE_RESTRICT},
    )
    def restrict_item(
        self,
        request: Req,
        ws: Ws,
        casus_id: CasusId,
        item_id: ItemId,
        data: JSONBody[BeperkingIn],
    ) -> Response[ItemCorrectieOut]:
        return command(
            request,
            ws,
            lambda expected: correctie.restrict_item(
                ws, casus_id, item_id, data.beperkt, data.reden, expected
            ),
            lambda item: _item_out(ws, item, []),
        )

    @get(
        "/correcties",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID),
        summary="Geschiedenis van correcties en beperkingen in deze casus (regie)",
    )
    def history(self, ws: Ws, casus_id: CasusId) -> HistorieOut:
        return HistorieOut.model_validate(correctie.casus_history(ws, casus_id))
