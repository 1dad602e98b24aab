"""Casussen: aanmelding, lijst, inzage, fasen, triage, informeren, deelnemers, regie,
afsluiting, heropenen, tijdlijn, doorbreekglas and the policy explainer (uitleg)."""

from __future__ import annotations

import datetime as dt
import uuid

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from services.casework.casussen import (
    aanmelden,
    afsluiting,
    deelnemers,
    doorbreekglas,
    fasen,
    gezinsleden,
    informeren,
    tijdlijn,
    triage,
    weergave,
    zichtbaar,
)
from services.casework.casussen.schemas import (
    AanmeldingIn,
    AfsluitingIn,
    CasusOut,
    CasussenOut,
    CasusStatusOut,
    DeelnemerIn,
    DeelnemerOut,
    DoorbreekglasIn,
    DoorbreekglasOut,
    GebeurtenisOut,
    GezinslidAangemaaktOut,
    GezinslidBeeindigdOut,
    GezinslidEindeIn,
    GezinslidIn,
    GezinslidOut,
    HeropenenIn,
    InformerenIn,
    OvergangIn,
    RegieIn,
    RegieOut,
    TriageIn,
    TriageOut,
    UitkomstAangemaaktOut,
    UitkomstenIn,
    UitkomstmetingOut,
    to_aanmelding,
    to_afsluiting,
    to_informeren,
    to_person_input,
)
from services.casework.commands import Req, Ws, command, created, tagged_json
from services.casework.uitkomsten import service as outcomes
from services.platform.db.models import Casus
from services.platform.http.openapi import BY_ID, VERSIONED, WITH_BODY, problem_responses

CasusId = FromPath[uuid.UUID]

ETAG = {"etag": True}


#: The problem+json responses of the casus operations.
READ = problem_responses(*BY_ID, 409)
WRITE = problem_responses(*BY_ID, 409, *WITH_BODY)
VERSIONED_WRITE = problem_responses(*BY_ID, *WITH_BODY, *VERSIONED)


def _state(casus: Casus) -> CasusStatusOut:
    return CasusStatusOut(
        id=str(casus.id), referentie=casus.reference, fase=casus.state, versie=casus.version
    )


EXAMPLE_AANMELDING = {
    "soort": "persoon",
    "waarom_integraal": "Overlast in de wijk, schulden en dreigende uithuiszetting.",
    "problemen": {"financien": "Schulden bij meerdere schuldeisers."},
    "geinformeerd": True,
    "persoon": {"voornamen": "Bradley", "achternaam": "Voorbeeld", "geboortedatum": "2005-03-01"},
}


class CasussenController(Controller):
    path = "/api/v1/casussen"
    tags = ["casussen"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Casussen waaraan u (uw organisatie) deelneemt",
        responses=problem_responses(),
    )
    def index(
        self,
        ws: Ws,
        fase: FromQuery[str | None] = None,
        soort: FromQuery[str | None] = None,
        doel: FromQuery[str | None] = None,
        limiet: FromQuery[int] = 25,
        cursor: FromQuery[str | None] = None,
    ) -> CasussenOut:
        limit = max(1, min(limiet, 100))
        page = zichtbaar.list_casussen(
            ws, fase=fase, soort=soort, purpose=doel, limit=limit, cursor=cursor
        )
        return CasussenOut.model_validate({"items": page.items, "volgende": page.next_cursor})

    @post(
        "/",
        sync_to_thread=True,
        summary="Aanmelding (persoon of jeugdgroep)",
        opt={"voorbeeld": EXAMPLE_AANMELDING},
        responses=problem_responses(*BY_ID, 409, *WITH_BODY),
    )
    def create(self, ws: Ws, data: JSONBody[AanmeldingIn]) -> Response[CasusStatusOut]:
        casus = aanmelden.aanmelden(ws, to_aanmelding(data))
        return created(ws, casus, _state(casus), f"{self.path}/{casus.id}")

    @get(
        "/{casus_id:uuid}",
        sync_to_thread=True,
        summary="Casus inzien (met doelbinding)",
        responses=READ,
    )
    def show(
        self, ws: Ws, casus_id: CasusId, doel: FromQuery[str | None] = None
    ) -> Response[CasusOut]:
        def respond() -> Response[CasusOut]:
            # The casus as a plain row, not an ORM object: nothing here changes it (ADR 0024,
            # amendment casus3; issue 14).
            casus, decision = weergave.read_casus_record(ws, casus_id, doel)
            body = CasusOut.model_validate(weergave.detail_view(ws, casus, decision))
            return tagged_json(body, casus.version)

        # Read, build the response (its bytes too), then commit, all in this thread: the
        # commit needs no thread hop of its own (ADR 0024, amendment 2; issue 14).
        return ws.committed(respond)

    @post(
        "/{casus_id:uuid}/overgang",
        sync_to_thread=True,
        status_code=200,
        opt={**ETAG, "voorbeeld": {"naar": "in_triage"}},
        responses=VERSIONED_WRITE,
    )
    def move(
        self, request: Req, ws: Ws, casus_id: CasusId, data: JSONBody[OvergangIn]
    ) -> Response[CasusStatusOut]:
        return command(
            request,
            ws,
            lambda expected: fasen.transition(ws, casus_id, data.naar, expected, reason=data.reden),
            _state,
        )

    @get(
        "/{casus_id:uuid}/triage",
        sync_to_thread=True,
        summary="Triage: criteria en dubbelingen",
        responses=READ,
    )
    def triage_preview(
        self,
        ws: Ws,
        casus_id: CasusId,
        criteria: FromQuery[str | None] = None,
    ) -> TriageOut:
        met = {c for c in (criteria or "").split(",") if c}
        try:
            return TriageOut.model_validate(triage.triage_preview(ws, casus_id, met))
        except ValueError as error:
            from services.casework.domain.errors import DomainValidationError, FieldProblem

            raise DomainValidationError([FieldProblem("criteria", str(error))]) from None

    @post(
        "/{casus_id:uuid}/triage",
        sync_to_thread=True,
        status_code=200,
        opt={
            **ETAG,
            "voorbeeld": {"criteria": [], "besluit": "niet-opnemen", "reden": "Geen PGA."},
        },
        responses=VERSIONED_WRITE,
    )
    def triage(
        self, request: Req, ws: Ws, casus_id: CasusId, data: JSONBody[TriageIn]
    ) -> Response[CasusStatusOut]:
        return command(
            request,
            ws,
            lambda expected: triage.triage_decide(
                ws,
                casus_id,
                expected,
                criteria_met=set(data.criteria),
                decision=data.besluit,
                reason=data.reden,
                override_reason=data.afwijking_reden,
            ),
            _state,
        )

    @put(
        "/{casus_id:uuid}/informeren",
        sync_to_thread=True,
        opt={**ETAG, "voorbeeld": {"geen_reactie": True, "toelichting": "Verder via handhaving."}},
        responses=VERSIONED_WRITE,
    )
    def inform(
        self, request: Req, ws: Ws, casus_id: CasusId, data: JSONBody[InformerenIn]
    ) -> Response[CasusStatusOut]:
        return command(
            request,
            ws,
            lambda expected: informeren.informeren(ws, casus_id, expected, to_informeren(data)),
            _state,
        )

    @post(
        "/{casus_id:uuid}/deelnemers",
        sync_to_thread=True,
        status_code=201,
        opt={"voorbeeld": {"organisatie": "onbekend-voorbeeld", "deelname": "kern"}},
        responses=WRITE,
    )
    def invite(self, ws: Ws, casus_id: CasusId, data: JSONBody[DeelnemerIn]) -> DeelnemerOut:
        p = deelnemers.invite(ws, casus_id, data.organisatie, data.deelname, data.rol)
        return DeelnemerOut(
            organisatie=p.organisation_id, deelname=p.participation, rol=p.declared_role
        )

    @put(
        "/{casus_id:uuid}/regie",
        sync_to_thread=True,
        opt={"voorbeeld": {"rol": "casusregisseur", "gebruiker": "onbekend-voorbeeld"}},
        responses=WRITE,
    )
    def regie(self, ws: Ws, casus_id: CasusId, data: JSONBody[RegieIn]) -> RegieOut:
        role = deelnemers.set_regie(ws, casus_id, data.rol, data.gebruiker, data.reden)
        return RegieOut(rol=role.role, gebruiker=role.user_id, organisatie=role.organisation_id)

    @post(
        "/{casus_id:uuid}/afsluiting",
        sync_to_thread=True,
        status_code=200,
        opt={**ETAG, "voorbeeld": {"reden": "gestopt-overig", "toelichting": "Voorbeeld."}},
        responses=VERSIONED_WRITE,
    )
    def close(
        self, request: Req, ws: Ws, casus_id: CasusId, data: JSONBody[AfsluitingIn]
    ) -> Response[CasusStatusOut]:
        return command(
            request,
            ws,
            lambda expected: afsluiting.afsluiten(ws, casus_id, expected, to_afsluiting(data)),
            _state,
        )

    @post(
        "/{casus_id:uuid}/heropenen",
        sync_to_thread=True,
        status_code=200,
        opt={**ETAG, "voorbeeld": {"reden": "Nieuwe meldingen van overlast."}},
        responses=VERSIONED_WRITE,
    )
    def reopen(
        self, request: Req, ws: Ws, casus_id: CasusId, data: JSONBody[HeropenenIn]
    ) -> Response[CasusStatusOut]:
        return command(
            request,
            ws,
            lambda expected: afsluiting.heropenen(ws, casus_id, expected, data.reden),
            _state,
        )

    @get(
        "/{casus_id:uuid}/tijdlijn",
        sync_to_thread=True,
        summary="Wat er gebeurde",
        responses=READ,
    )
    def history(
        self,
        ws: Ws,
        casus_id: CasusId,
        sinds: FromQuery[dt.datetime | None] = None,
    ) -> list[GebeurtenisOut]:
        return [GebeurtenisOut.model_validate(e) for e in tijdlijn.timeline(ws, casus_id, sinds)]

    @post(
        "/{casus_id:uuid}/doorbreekglas",
        sync_to_thread=True,
        status_code=201,
        opt={
            # Doorbreekglas exists for people who do not take part: the policy decides.
            "open_voor_niet_deelnemers": True,
            "voorbeeld": {
                "reden": "Acute dreiging, overleg met wachtdienst noodzakelijk.",
                "uren": 2,
            },
        },
        responses=WRITE,
    )
    def break_glass(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[DoorbreekglasIn]
    ) -> DoorbreekglasOut:
        grant = doorbreekglas.doorbreekglas(ws, casus_id, data.reden, data.uren)
        return DoorbreekglasOut(
            id=str(grant.id),
            verloopt=grant.expires_at.isoformat(),
            melding="Spoedtoegang verleend. Dit wordt gelogd en beoordeeld door de PGA-expert.",
        )

    @post(
        "/{casus_id:uuid}/gezinsleden",
        sync_to_thread=True,
        status_code=201,
        summary="Gezinslid vastleggen (derden: apart van de casus van de persoon)",
        opt={
            "voorbeeld": {
                "relatie": "ouder",
                "persoon": {"voornamen": "Petra", "achternaam": "Voorbeeld"},
            }
        },
        responses=WRITE,
    )
    def add_household_member(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[GezinslidIn]
    ) -> GezinslidAangemaaktOut:
        member = gezinsleden.add_household_member(
            ws, casus_id, to_person_input(data.persoon), data.relatie
        )
        return GezinslidAangemaaktOut(id=str(member.id), relatie=data.relatie)

    @post(
        "/{casus_id:uuid}/gezinsleden/{lid_id:uuid}/beeindigen",
        sync_to_thread=True,
        status_code=200,
        summary="Gezinslid hoort niet meer tot het huishouden (datum en reden)",
        opt={"voorbeeld": {"datum": "2026-11-01", "reden": "Verhuisd naar een eigen woning."}},
        responses=WRITE,
    )
    def end_household_member(
        self,
        ws: Ws,
        casus_id: CasusId,
        lid_id: FromPath[uuid.UUID],
        data: JSONBody[GezinslidEindeIn],
    ) -> GezinslidBeeindigdOut:
        link = gezinsleden.end_household_member(ws, casus_id, lid_id, data.datum, data.reden)
        assert link.ended_on is not None
        return GezinslidBeeindigdOut(
            id=str(link.id), relatie=link.relation, beeindigd_op=link.ended_on
        )

    @get(
        "/{casus_id:uuid}/gezinsleden",
        sync_to_thread=True,
        summary="Gezinsleden (derden)",
        responses=READ,
    )
    def household(
        self, ws: Ws, casus_id: CasusId, doel: FromQuery[str | None] = None
    ) -> list[GezinslidOut]:
        return [GezinslidOut.model_validate(m) for m in gezinsleden.household(ws, casus_id, doel)]

    @post(
        "/{casus_id:uuid}/uitkomsten",
        sync_to_thread=True,
        status_code=201,
        summary="Uitkomsten vastleggen (werk, school, wonen, schulden, uitkering, politie)",
        opt={
            "voorbeeld": {
                "moment": "intake",
                "uitkomsten": {"werk_of_dagbesteding": False, "stabiele_huisvesting": True},
            }
        },
        responses=WRITE,
    )
    def record_outcomes(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[UitkomstenIn]
    ) -> UitkomstAangemaaktOut:
        row = outcomes.record_outcome(ws, casus_id, data.moment, data.datum, dict(data.uitkomsten))
        return UitkomstAangemaaktOut(
            id=str(row.id), moment=row.moment, datum=row.measured_on.isoformat()
        )

    @get(
        "/{casus_id:uuid}/uitkomsten",
        sync_to_thread=True,
        summary="Uitkomstmetingen",
        responses=READ,
    )
    def list_outcomes(
        self, ws: Ws, casus_id: CasusId, doel: FromQuery[str | None] = None
    ) -> list[UitkomstmetingOut]:
        rows = outcomes.list_outcomes(ws, casus_id, doel)
        return [UitkomstmetingOut.model_validate(r) for r in rows]
