"""No self-elevation: granting a role needs a second tenantbeheerder (four eyes), and every
user and role change is audited (issue 9, defect 10).

Before the fix a tenantbeheerder PATCHed their own user to pga-expert and read 43 full
casussen, and no audit row recorded it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_BEHEERDER,
    ZEIST_BEHEERDER_2,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_BEHEERDER,
)

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
USERS = "/api/v1/gebruikers"
PROPOSALS = "/api/v1/rolwijzigingen"
KOEN, LOTTE = ZEIST_BEHEERDER, ZEIST_BEHEERDER_2  # the two tenantbeheerders of Zeist


@pytest.fixture
def engine(runtime: Runtime) -> Iterator[sa.Engine]:
    owner = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    yield owner
    owner.dispose()


def audit(engine: sa.Engine, tenant: str, resource_id: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT user_id, action, purpose, allowed, reasons, decision_input "
                    "FROM audit_log WHERE tenant_id = :t AND resource_type = 'gebruiker' "
                    "AND resource_id = :r ORDER BY at, action"
                ),
                {"t": tenant, "r": resource_id},
            ).all()
        )


def roles_of(client: TestClient[Litestar], token_for: Headers, user: str) -> list[str]:
    me = client.get("/api/v1/mij", headers=token_for(T, user))
    assert me.status_code == 200, me.text
    return list(me.json()["rollen"])


def test_a_tenantbeheerder_cannot_raise_their_own_roles(
    client: TestClient[Litestar], token_for: Headers, engine: sa.Engine
) -> None:
    koen = token_for(T, KOEN)
    etag = client.get(f"{USERS}/{KOEN}", headers=koen).headers["etag"]
    response = client.patch(
        f"{USERS}/{KOEN}",
        json={"rollen": ["tenantbeheerder", "pga-expert"]},
        headers={**koen, "If-Match": etag},
    )
    assert response.status_code == 202, response.text
    assert roles_of(client, token_for, KOEN) == ["tenantbeheerder"]
    proposal = response.json()["voorstel"]
    assert proposal["rollen_erbij"] == ["pga-expert"]
    assert proposal["status"] == "voorgesteld"

    refused = client.post(f"{PROPOSALS}/{proposal['id']}/goedkeuren", json={}, headers=koen)
    assert refused.status_code == 403
    assert refused.json()["code"] == "vier-ogen"
    assert roles_of(client, token_for, KOEN) == ["tenantbeheerder"]

    rows = audit(engine, T, KOEN)
    actions = [(r.action, r.allowed) for r in rows]
    assert ("rolwijziging-voorstellen", True) in actions
    assert ("rolwijziging-goedkeuren", False) in actions
    assert all(r.purpose == "gebruikersbeheer" and r.user_id == KOEN for r in rows)

    # The second beheerder rejects it; nothing was granted.
    rejected = client.post(
        f"{PROPOSALS}/{proposal['id']}/afwijzen",
        json={"toelichting": "Geen taak van functioneel beheer."},
        headers=token_for(T, LOTTE),
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "afgewezen"
    assert roles_of(client, token_for, KOEN) == ["tenantbeheerder"]


def test_a_role_grant_takes_effect_only_after_a_second_beheerder_approves(
    client: TestClient[Litestar], token_for: Headers, engine: sa.Engine
) -> None:
    koen, lotte = token_for(T, KOEN), token_for(T, LOTTE)
    user_id = f"nieuw-{uuid.uuid4().hex[:8]}"
    created = client.post(
        USERS,
        json={
            "id": user_id,
            "naam": "Nieuwe Regisseur",
            "organisatie": "kwintes",
            "rollen": ["professional"],
            "reden": "Nieuwe collega bij Kwintes.",
        },
        headers=koen,
    )
    assert created.status_code == 201, created.text
    assert created.json()["rollen"] == []
    proposal = created.json()["voorstel"]
    assert roles_of(client, token_for, user_id) == []

    pending = client.get(PROPOSALS, params={"status": "voorgesteld"}, headers=lotte).json()
    assert proposal["id"] in {p["id"] for p in pending}
    assert (
        client.post(f"{PROPOSALS}/{proposal['id']}/goedkeuren", json={}, headers=koen).status_code
        == 403
    )
    approved = client.post(
        f"{PROPOSALS}/{proposal['id']}/goedkeuren", json={"toelichting": "Akkoord."}, headers=lotte
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["besloten_door"] == LOTTE
    assert roles_of(client, token_for, user_id) == ["professional"]
    again = client.post(f"{PROPOSALS}/{proposal['id']}/goedkeuren", json={}, headers=lotte)
    assert again.status_code == 409

    # The subject of a proposal cannot approve it either, even as a beheerder.
    etag = client.get(f"{USERS}/{user_id}", headers=koen).headers["etag"]
    grant_admin = client.patch(
        f"{USERS}/{user_id}",
        json={"rollen": ["professional", "casusregisseur"], "reden": "Wordt casusregisseur."},
        headers={**koen, "If-Match": etag},
    )
    assert grant_admin.status_code == 202
    second = grant_admin.json()["voorstel"]
    duplicate = client.post(
        PROPOSALS,
        json={"gebruiker": user_id, "rollen": ["adviseur"], "reden": "Ook adviseur."},
        headers=lotte,
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "voorstel-open"
    assert (
        client.post(f"{PROPOSALS}/{second['id']}/goedkeuren", json={}, headers=lotte).status_code
        == 200
    )
    assert roles_of(client, token_for, user_id) == ["casusregisseur", "professional"]

    # Taking a role away takes effect at once (and is audited).
    etag = client.get(f"{USERS}/{user_id}", headers=koen).headers["etag"]
    revoked = client.patch(
        f"{USERS}/{user_id}", json={"rollen": ["professional"]}, headers={**koen, "If-Match": etag}
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["voorstel"] is None
    assert roles_of(client, token_for, user_id) == ["professional"]

    rows = audit(engine, T, user_id)
    assert [(r.action, r.user_id, r.allowed) for r in rows] == [
        ("gebruiker-aanmaken", KOEN, True),
        ("rolwijziging-voorstellen", KOEN, True),
        ("rolwijziging-goedkeuren", KOEN, False),
        ("rolwijziging-goedkeuren", LOTTE, True),
        ("rolwijziging-voorstellen", KOEN, True),
        ("rolwijziging-goedkeuren", LOTTE, True),
        ("gebruiker-wijzigen", KOEN, True),
    ]
    assert rows[3].decision_input["na"]["rollen"] == ["professional"]
    assert rows[-1].reasons == ["rollen-ingetrokken"]
    assert rows[-1].decision_input["voor"]["rollen"] == ["casusregisseur", "professional"]


def test_the_subject_of_a_proposal_cannot_approve_it(
    client: TestClient[Litestar], token_for: Headers
) -> None:
    proposed = client.post(
        PROPOSALS,
        json={"gebruiker": KOEN, "rollen": ["adviseur"], "reden": "Voorstel door Lotte."},
        headers=token_for(T, LOTTE),
    )
    assert proposed.status_code == 201, proposed.text
    url = f"{PROPOSALS}/{proposed.json()['id']}"
    refused = client.post(f"{url}/goedkeuren", json={}, headers=token_for(T, KOEN))
    assert refused.status_code == 403
    assert refused.json()["code"] == "eigen-rollen"
    withdrawn = client.post(f"{url}/afwijzen", json={}, headers=token_for(T, LOTTE))
    assert withdrawn.status_code == 200
    assert roles_of(client, token_for, KOEN) == ["tenantbeheerder"]


def test_proposals_stay_within_the_tenant(client: TestClient[Litestar], token_for: Headers) -> None:
    proposed = client.post(
        PROPOSALS,
        json={"gebruiker": ZEIST_WIJKAGENT, "rollen": ["adviseur"], "reden": "Test isolatie."},
        headers=token_for(T, LOTTE),
    )
    assert proposed.status_code == 201
    url = f"{PROPOSALS}/{proposed.json()['id']}"
    zoetermeer = token_for(ZOETERMEER, ZOETERMEER_BEHEERDER)
    assert proposed.json()["id"] not in {
        p["id"] for p in client.get(PROPOSALS, headers=zoetermeer).json()
    }
    assert client.post(f"{url}/goedkeuren", json={}, headers=zoetermeer).status_code == 404
    assert client.post(f"{url}/afwijzen", json={}, headers=token_for(T, LOTTE)).status_code == 200
    professional = token_for(T, ZEIST_WIJKAGENT)
    assert client.get(PROPOSALS, headers=professional).status_code == 403
