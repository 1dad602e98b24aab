"""In-app notifications (meldingen, issue 12): each cause writes exactly one notification for
the right user(s) in its own transaction (a failing cause leaves none); a notification names
a reference and a link only; nobody else (another user, another gemeente) sees or marks it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    VEENENDAAL,
    VEENENDAAL_PGA_EXPERT,
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_BEHEERDER,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)

from services.casework.casussen import deelnemers
from services.casework.unit_of_work import workspace
from services.platform.db.models import User, UserNotification
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
KLANTMANAGER, ADVISEUR, BEHEERDER = ZEIST_KLANTMANAGER, ZEIST_ADVISEUR, ZEIST_BEHEERDER
OTHER_TENANT, OTHER_EXPERT = VEENENDAAL, VEENENDAAL_PGA_EXPERT
NAME = "Meldingtest"


def aanmelden(client: Client, token_for: Headers, name: str = NAME) -> dict[str, Any]:
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden: een integrale aanpak is nodig.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": name, "achternaam": "Melding", "geboortedatum": "2001-02-03"},
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def of_casus(client: Client, headers: dict[str, str], casus_id: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/meldingen", headers=headers)
    assert response.status_code == 200, response.text
    return [m for m in response.json()["meldingen"] if m["casus_id"] == casus_id]


def rows_of(runtime: Runtime, casus_id: str) -> list[UserNotification]:
    with tenant_transaction(runtime.sessions, T) as session:
        rows = list(
            session.scalars(
                sa.select(UserNotification).where(UserNotification.casus_id == uuid.UUID(casus_id))
            )
        )
        session.expunge_all()
        return rows


def caseworkers_of(runtime: Runtime, organisation: str) -> set[str]:
    """The active users of ``organisation`` with a casework role, as stored."""
    with tenant_transaction(runtime.sessions, T) as session:
        users = session.scalars(
            sa.select(User).where(User.organisation_id == organisation, User.active)
        )
        return {
            u.id
            for u in users
            if set(u.roles)
            & {"professional", "casusregisseur", "uitvoeringscoordinator", "pga-expert"}
        }


def principal(runtime: Runtime, tenant: str, user: str) -> Principal:
    return PrincipalDirectory(runtime.sessions).resolve(Claims(subject=user, tenant=tenant, raw={}))


def test_an_aanmelding_tells_the_procesregisseurs_once(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus = aanmelden(client, token_for)
    casus_id, reference = str(casus["id"]), casus["referentie"]

    notes = of_casus(client, token_for(T, EXPERT), casus_id)
    assert len(notes) == 1
    note = notes[0]
    assert note["soort"] == "aanmelding"
    assert note["tekst"] == f"Nieuwe aanmelding voor triage: casus {reference}."
    assert note["link"] == f"/casussen/{casus_id}"
    assert note["gelezen"] is False
    assert NAME not in str(note)  # a reference and a link: no name
    # Only the procesregisseurs (pga-expert) of the gemeente; not the one who registered.
    assert {r.user_id for r in rows_of(runtime, casus_id)} == {EXPERT}
    assert of_casus(client, token_for(T, WIJKAGENT), casus_id) == []


def test_an_invitation_tells_the_caseworkers_of_the_organisation_once(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus = aanmelden(client, token_for)
    casus_id, reference = str(casus["id"]), casus["referentie"]
    url = f"/api/v1/casussen/{casus_id}/deelnemers"
    expert = token_for(T, EXPERT)
    body = {"organisatie": "rsd-krh", "deelname": "op-afroep", "rol": "inkomen"}
    assert client.post(url, json=body, headers=expert).status_code == 201
    # Inviting again (the same participation, changed) is not a new invitation.
    again = client.post(url, json={**body, "deelname": "kern"}, headers=expert)
    assert again.status_code == 201, again.text

    notes = of_casus(client, token_for(T, KLANTMANAGER), casus_id)
    assert [(n["soort"], n["tekst"]) for n in notes] == [
        ("uitnodiging", f"U bent uitgenodigd voor casus {reference}: uw organisatie neemt deel.")
    ]
    invited = {r.user_id for r in rows_of(runtime, casus_id) if r.kind == "uitnodiging"}
    assert invited == {KLANTMANAGER}

    # An organisation whose demo users do no casework: the adviseur of the gemeente's OOV
    # department is not told. Only its caseworkers are (other tests of this session may have
    # added one, so they are read from the users table, not assumed).
    oov = client.post(
        url, json={"organisatie": "gemeente-zeist-oov", "deelname": "op-afroep"}, headers=expert
    )
    assert oov.status_code == 201, oov.text
    invited = {r.user_id for r in rows_of(runtime, casus_id) if r.kind == "uitnodiging"}
    # The pga-expert who invites works at the OOV department too: nobody is told of their
    # own action.
    told = caseworkers_of(runtime, "gemeente-zeist-oov") - {EXPERT}
    assert invited == {KLANTMANAGER} | told
    assert ADVISEUR not in invited
    assert of_casus(client, token_for(T, ADVISEUR), casus_id) == []


def test_an_appointment_tells_the_casusregisseur_once(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus = aanmelden(client, token_for)
    casus_id, reference = str(casus["id"]), casus["referentie"]
    url = f"/api/v1/casussen/{casus_id}/regie"
    expert = token_for(T, EXPERT)
    body = {"rol": "casusregisseur", "gebruiker": REGISSEUR}
    assert client.put(url, json=body, headers=expert).status_code == 200
    assert client.put(url, json=body, headers=expert).status_code == 200  # already: no change

    notes = of_casus(client, token_for(T, REGISSEUR), casus_id)
    assert [(n["soort"], n["tekst"]) for n in notes] == [
        ("regie", f"U bent aangesteld als casusregisseur van casus {reference}.")
    ]
    assert [r.user_id for r in rows_of(runtime, casus_id) if r.kind == "regie"] == [REGISSEUR]


def test_a_failing_cause_leaves_no_notification(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus = aanmelden(client, token_for)
    casus_id = str(casus["id"])
    before = rows_of(runtime, casus_id)

    # The appointment itself succeeds, then its transaction fails: nothing of it stays.
    def appoint_then_fail() -> None:
        with workspace(runtime.casework, principal(runtime, T, EXPERT)) as ws:
            deelnemers.set_regie(ws, uuid.UUID(casus_id), "casusregisseur", REGISSEUR, None)
            deelnemers.invite(ws, uuid.UUID(casus_id), "rsd-krh", "kern", None)
            raise RuntimeError("the transaction of the cause fails")

    with pytest.raises(RuntimeError):
        appoint_then_fail()
    assert {r.id for r in rows_of(runtime, casus_id)} == {r.id for r in before}

    # Refused by the policy: a professional not involved in the casus appoints no regie.
    refused = client.put(
        f"/api/v1/casussen/{casus_id}/regie",
        json={"rol": "casusregisseur", "gebruiker": REGISSEUR},
        headers=token_for(T, KLANTMANAGER),
    )
    assert refused.status_code == 403, refused.text
    # Invalid: an aanmelding without its reason is no aanmelding (and no notification).
    invalid = client.post(
        "/api/v1/casussen",
        json={"soort": "persoon", "waarom_integraal": "", "problemen": {}, "geinformeerd": True},
        headers=token_for(T, WIJKAGENT),
    )
    assert invalid.status_code == 422
    assert {r.id for r in rows_of(runtime, casus_id)} == {r.id for r in before}
    assert of_casus(client, token_for(T, REGISSEUR), casus_id) == []


def test_only_the_recipient_sees_and_marks_a_notification(
    client: Client, token_for: Headers
) -> None:
    casus = aanmelden(client, token_for)
    casus_id = str(casus["id"])
    expert = token_for(T, EXPERT)
    (note,) = of_casus(client, expert, casus_id)
    unread = client.get("/api/v1/meldingen", headers=expert).json()["ongelezen"]
    assert unread >= 1

    for tenant, user in ((T, REGISSEUR), (T, BEHEERDER), (OTHER_TENANT, OTHER_EXPERT)):
        headers = token_for(tenant, user)
        listed = client.get("/api/v1/meldingen", headers=headers)
        assert listed.status_code == 200
        assert note["id"] not in str(listed.json())
        marked = client.post(f"/api/v1/meldingen/{note['id']}/gelezen", headers=headers)
        assert marked.status_code == 404, (user, marked.text)
        assert marked.headers["content-type"].startswith("application/problem+json")
        everything = client.post("/api/v1/meldingen/gelezen", headers=headers)
        assert everything.status_code == 200
    assert of_casus(client, expert, casus_id)[0]["gelezen"] is False

    marked = client.post(f"/api/v1/meldingen/{note['id']}/gelezen", headers=expert)
    assert marked.status_code == 200, marked.text
    assert marked.json()["gelezen"] is True
    assert client.get("/api/v1/meldingen", headers=expert).json()["ongelezen"] == unread - 1
    only_unread = client.get("/api/v1/meldingen?ongelezen=true", headers=expert).json()
    assert note["id"] not in [m["id"] for m in only_unread["meldingen"]]
    # Marking again changes nothing.
    again = client.post(f"/api/v1/meldingen/{note['id']}/gelezen", headers=expert)
    assert again.json()["gelezen_op"] == marked.json()["gelezen_op"]
    unknown = client.post(f"/api/v1/meldingen/{uuid.uuid4()}/gelezen", headers=expert)
    assert unknown.status_code == 404
    assert client.get("/api/v1/meldingen").status_code == 401


def test_due_actions_and_toezeggingen_are_notified_once_to_their_owners(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    from test_werkvoorraad import TODAY, casus_in_uitvoering

    from services.jobs import _due_notifications

    casus_id = casus_in_uitvoering(client, token_for, "Termijn")
    url = f"/api/v1/casussen/{casus_id}"
    regisseur = token_for(T, REGISSEUR)
    expert = token_for(T, EXPERT)
    invited = client.post(
        f"{url}/deelnemers", json={"organisatie": "rsd-krh", "deelname": "kern"}, headers=expert
    )
    assert invited.status_code == 201, invited.text
    overdue = (TODAY - dt.timedelta(days=10)).isoformat()
    plan = {
        "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budgetplan."}],
        "eindcriterium": "Schulden onder bewind.",
        "acties": [
            {
                "id": "a1",
                "omschrijving": "Geheim budgetgesprek voeren.",
                "eigenaar_organisatie": "sociaal-wijkteam-zeist",
                "eigenaar_gebruiker": REGISSEUR,
                "deadline": overdue,
            },
            {
                "id": "a2",
                "omschrijving": "Huisbezoek plannen.",
                "eigenaar_organisatie": "sociaal-wijkteam-zeist",
                "deadline": (TODAY + dt.timedelta(days=5)).isoformat(),
            },
        ],
        "toezeggingen": [
            {
                "organisatie": "rsd-krh",
                "tekst": "Beslagvrije voet herberekenen.",
                "gedaan_op": (TODAY - dt.timedelta(weeks=10)).isoformat(),
            }
        ],
    }
    current = client.get(f"{url}/plan", headers=regisseur)
    saved = client.put(
        f"{url}/plan", json=plan, headers={**regisseur, "If-Match": current.headers["etag"]}
    )
    assert saved.status_code in (200, 201), saved.text
    reference = client.get(url, headers=regisseur).json()["referentie"]

    notify = _due_notifications(runtime.sessions, runtime.settings)
    assert notify() >= 2
    termijn = [r for r in rows_of(runtime, casus_id) if r.kind == "termijn"]
    assert sorted(r.user_id for r in termijn) == sorted([KLANTMANAGER, REGISSEUR])
    by_user = {r.user_id: r for r in termijn}
    assert by_user[REGISSEUR].text.startswith(
        f"Een actie uit het plan van aanpak in casus {reference} is te laat"
    )
    assert by_user[KLANTMANAGER].text.startswith(
        f"Een toezegging van uw organisatie in casus {reference} is te laat"
    )
    assert "Geheim" not in by_user[REGISSEUR].text  # the action's text stays in the plan
    assert by_user[REGISSEUR].link == f"/werkvoorraad?casus={reference}"

    # Idempotent: the job again (the same day, or a rerun) adds nothing.
    notify()
    assert len([r for r in rows_of(runtime, casus_id) if r.kind == "termijn"]) == 2
    notes = of_casus(client, regisseur, casus_id)
    assert [n["soort"] for n in notes].count("termijn") == 1
    assert of_casus(client, token_for(T, WIJKAGENT), casus_id) == []
