"""Uitleg: "mag ik dit (delen)?" — the policy explains in Dutch which rules allow or deny an
action and what is still missing. Asking needs only membership of the gemeente (policy
action ``explain``); the answer never contains case content."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from services.casework.commands import Ws
from services.casework.informatie import uitleg
from services.casework.informatie.checklist import Checklist
from services.casework.informatie.schemas import UitlegOut
from services.platform.http.openapi import BY_ID, problem_responses

CasusId = FromPath[uuid.UUID]

#: Explaining is open to every member of the gemeente (the policy decides it with
#: action ``explain``); the route-table test skips the non-participant check.
OPEN = {"open_voor_niet_deelnemers": True}
READ = problem_responses(*BY_ID)


def _checklist(
    doel: FromQuery[str | None] = None,
    grondslag: FromQuery[str | None] = None,
    art9_uitzondering: FromQuery[str | None] = None,
    beroepsgeheim_grond: FromQuery[str | None] = None,
    noodzaak: FromQuery[str | None] = None,
    persoon_geinformeerd: FromQuery[bool | None] = None,
    reden_niet_geinformeerd: FromQuery[str | None] = None,
) -> Checklist:
    """The checklist gegevensdeling from the query string (a dependency of both routes)."""
    return Checklist(
        purpose=doel or None,
        legal_basis=grondslag or None,
        art9_exception=art9_uitzondering or None,
        beroepsgeheim_ground=beroepsgeheim_grond or None,
        necessity=noodzaak or None,
        person_informed=persoon_geinformeerd,
        not_informed_reason=reden_niet_geinformeerd or None,
    )


class UitlegController(Controller):
    path = "/api/v1/casussen/{casus_id:uuid}"
    tags = ["uitleg"]  # noqa: RUF012
    dependencies = {"checklist": Provide(_checklist, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/uitleg",
        sync_to_thread=True,
        summary="Uitleg: mag ik dit (delen)? Welke regels beslissen en wat ontbreekt",
        opt=OPEN,
        responses=READ,
    )
    def casus(
        self,
        ws: Ws,
        casus_id: CasusId,
        checklist: NamedDependency[Checklist],
        actie: FromQuery[str] = "share",
        categorie: FromQuery[str | None] = None,
    ) -> UitlegOut:
        answer = uitleg.explain_casus(ws, casus_id, actie, checklist, categorie or None)
        return UitlegOut.model_validate(uitleg.explanation_view(answer))

    @get(
        "/informatie/{item_id:uuid}/uitleg",
        sync_to_thread=True,
        summary="Uitleg over een informatie-item: mag ik dit item delen (of lezen)?",
        opt=OPEN,
        responses=READ,
    )
    def item(
        self,
        ws: Ws,
        casus_id: CasusId,
        item_id: FromPath[uuid.UUID],
        checklist: NamedDependency[Checklist],
        actie: FromQuery[str] = "share",
    ) -> UitlegOut:
        answer = uitleg.explain_item(ws, casus_id, item_id, actie, checklist)
        return UitlegOut.model_validate(uitleg.explanation_view(answer))
