"""Opschaling creates an explicit cross-tenant share: the regional bureau reads the casus,
other gemeenten and other regions see nothing, and nobody but the owning gemeente writes.
Household members are persons of their own whose data (derden) needs its own grant."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    HILVERSUM,
    HILVERSUM_PGA_EXPERT,
    REGIO_HAAGLANDEN,
    REGIO_HAAGLANDEN_PGA_EXPERT,
    REGIO_UTRECHT,
    REGIO_UTRECHT_PGA_EXPERT,
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from plan_first import ensure_plan

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


def test_opschaling_to_the_region_and_household_members(
    client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    wijkagent = token_for(T, ZEIST_WIJKAGENT)
    expert = token_for(T, ZEIST_PGA_EXPERT)
    regisseur = token_for(T, ZEIST_CASUSREGISSEUR)
    zvh = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PGA_EXPERT)  # pga-expert of the regional bureau
    hilversum = token_for(HILVERSUM, HILVERSUM_PGA_EXPERT)
    haaglanden = token_for(REGIO_HAAGLANDEN, REGIO_HAAGLANDEN_PGA_EXPERT)

    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Ernstige dreiging en zorgmijding: lokaal lukt het niet.",
            "problemen": {"justitie": "Bedreiging.", "geestelijke-gezondheid": "Zorgmijding."},
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Faysel",
                "achternaam": "Opschaaltest",
                "geboortedatum": "2001-09-09",
            },
        },
        headers=wijkagent,
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}"
    etag = created.headers["etag"]

    def move(headers: dict[str, str], path: str, body: dict[str, object]) -> None:
        nonlocal etag
        response = client.post(f"{url}/{path}", json=body, headers={**headers, "If-Match": etag})
        assert response.status_code == 200, response.text
        etag = response.headers["etag"]

    move(expert, "overgang", {"naar": "in_triage"})
    move(
        expert,
        "triage",
        {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
    )
    assert (
        client.put(
            f"{url}/regie",
            json={"rol": "casusregisseur", "gebruiker": ZEIST_CASUSREGISSEUR},
            headers=expert,
        ).status_code
        == 200
    )
    etag = client.get(url, headers=regisseur).headers["etag"]
    move(regisseur, "overgang", {"naar": "plan"})
    ensure_plan(client, url, regisseur)  # no uitvoering without a plan van aanpak
    move(regisseur, "overgang", {"naar": "uitvoering"})

    # Household member: a person of their own; derden data needs its own grant.
    member = client.post(
        f"{url}/gezinsleden",
        json={"relatie": "ouder", "persoon": {"voornamen": "Samira", "achternaam": "Ouder"}},
        headers=regisseur,
    )
    assert member.status_code == 201, member.text
    seen = client.get(f"{url}/gezinsleden", params={"doel": "plan-van-aanpak"}, headers=regisseur)
    assert seen.status_code == 200, seen.text
    assert seen.json()[0]["persoon"]["voornamen"] == "Samira"
    refused = client.get(
        f"{url}/gezinsleden", params={"doel": "plan-van-aanpak"}, headers=wijkagent
    )
    assert refused.status_code == 403
    assert "categorie-geen-grant" in {r["code"] for r in refused.json()["redenen"]}
    assert "Samira" not in client.get(url, headers=regisseur).text  # kept apart

    # Before opschaling the regional bureau sees nothing.
    assert client.get(url, headers=zvh).status_code == 404

    move(
        regisseur,
        "afsluiting",
        {"reden": "opgeschaald", "toelichting": "Bovenlokale aanpak nodig."},
    )
    detail = client.get(url, headers=regisseur).json()
    assert detail["afsluiting"]["opgeschaald_naar"] == REGIO_UTRECHT

    shared = client.get(url, params={"doel": "opschaling"}, headers=zvh)
    assert shared.status_code == 200, shared.text
    assert shared.json()["tenant"] == T
    assert shared.json()["persoon"]["achternaam"] == "Opschaaltest"
    assert "tenant-gedeeld" in {r["code"] for r in shared.json()["redenen"]}

    # The owning gemeente keeps its own record of who in the region read its casus.
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        owners_rows = (
            conn.execute(
                sa.text(
                    "SELECT tenant_id FROM audit_log WHERE casus_id = :c "
                    f"AND user_id = '{REGIO_UTRECHT_PGA_EXPERT}' AND allowed"
                ),
                {"c": created.json()["id"]},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert {ZEIST, REGIO_UTRECHT} <= set(owners_rows)

    # Only the receiving region: not another gemeente, not another region.
    assert client.get(url, headers=hilversum).status_code == 404
    assert client.get(url, headers=haaglanden).status_code == 404
    # The region reads; it cannot change the gemeente's casus.
    write = client.post(
        f"{url}/overgang", json={"naar": "waakvlam"}, headers={**zvh, "If-Match": etag}
    )
    assert write.status_code in (403, 404)
    assert client.get(url, headers=regisseur).json()["fase"] == "opgeschaald"
