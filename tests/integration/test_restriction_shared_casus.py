"""A beperking (art. 18 AVG) holds in a casus shared with another tenant, too.

The restriction is the owning gemeente's (the tenant of the person and the casus). A
reader of the tenant the casus was shared with (opschaling to the regional bureau) must be
held back exactly as a reader of the owning gemeente is: the person's data in the casus,
its list row, the search and the casus page; a restricted item and the casus's documents.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from browser_login import login_as
from factories import move, to_uitvoering
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PGA_EXPERT,
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)

from services.platform.db.models import Casus, CasusShare, InformationItem, Restriction
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
Z, REGIO = ZEIST, REGIO_UTRECHT
EXPERT, REGISSEUR, WIJKAGENT = ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR, ZEIST_WIJKAGENT
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def module_client(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def browser(app: Litestar) -> Iterator[Client]:
    """A browser of its own (the session cookie stays in it)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def shared(module_client: Client, token_for: Headers) -> dict[str, Any]:
    """A person casus of Zeist with a shared item and a document, opgeschaald (shared with
    the regional bureau)."""
    client = module_client
    surname = f"Beperkdeel{uuid.uuid4().hex[:6]}"
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast, justitie en zorg tegelijk: integraal nodig.",
            "problemen": {"justitie": "Aanhoudingen.", "financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Wessel",
                "achternaam": surname,
                "geboortedatum": "2001-02-03",
            },
        },
        headers=token_for(Z, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    casus_id = str(created.json()["id"])
    url = f"/api/v1/casussen/{casus_id}"
    expert = token_for(Z, EXPERT)
    regisseur = token_for(Z, REGISSEUR)
    etag = to_uitvoering(
        client, url, created.headers["etag"], expert=expert, regisseur=(REGISSEUR, regisseur)
    )
    wijkagent = token_for(Z, WIJKAGENT)
    item = client.post(
        f"{url}/informatie",
        json={
            "categorie": "algemeen",
            "titel": "Afspraak woningcorporatie",
            "inhoud": "Gesprek over de huurachterstand.",
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
        },
        headers=wijkagent,
    )
    assert item.status_code == 201, item.text
    item_id = str(item.json()["id"])
    delen = client.post(
        f"{url}/informatie/{item_id}/delen",
        json={
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "noodzaak": "Nodig voor de afstemming in het casusoverleg.",
            "persoon_geinformeerd": True,
        },
        headers=wijkagent,
    )
    assert delen.status_code == 200, delen.text
    document = client.post(
        f"{url}/documenten",
        files={"bestand": ("verslag.pdf", PDF, "application/pdf")},
        data={"categorie": "algemeen", "omschrijving": "Verslag huisbezoek"},
        headers=regisseur,
    )
    assert document.status_code == 201, document.text
    etag = client.get(url, headers=regisseur).headers["etag"]
    move(
        client,
        url,
        regisseur,
        etag,
        "afsluiting",
        {"reden": "opgeschaald", "toelichting": "Regionale aanpak nodig."},
    )
    return {
        "id": casus_id,
        "url": url,
        "surname": surname,
        "person_id": str(client.get(url, headers=expert).json()["persoon"]["id"]),
        "item_id": item_id,
        "document_id": str(document.json()["id"]),
    }


def _restrict(client: Client, token_for: Headers, url: str, etag: str, on: bool) -> str:
    """Restrict (or lift) as the pga-expert of Zeist; returns the new version."""
    body = {"beperkt": on, "reden": "Betrokkene betwist de juistheid."}
    response = client.patch(
        f"{url}/beperking", json=body, headers={**token_for(Z, EXPERT), "If-Match": etag}
    )
    assert response.status_code == 200, response.text
    return str(response.headers["etag"])


def _person_etag(client: Client, token_for: Headers, person_url: str) -> str:
    return str(client.get(f"{person_url}/correcties", headers=token_for(Z, EXPERT)).headers["etag"])


def _item_etag(client: Client, token_for: Headers, item_url: str) -> str:
    return str(client.get(item_url, headers=token_for(Z, WIJKAGENT)).headers["etag"])


#: The readers compared: the owning gemeente's pga-expert, and the regional bureau's, who
#: reads the opgeschaalde casus for its purpose (opschaling).
READERS = ((Z, EXPERT, ""), (REGIO, REGIO_UTRECHT_PGA_EXPERT, "?doel=opschaling"))
SEARCH_PURPOSE = {Z: {}, REGIO: {"doel": "opschaling"}}
ITEM_READERS = ((Z, WIJKAGENT, ""), (REGIO, REGIO_UTRECHT_PGA_EXPERT, "?doel=opschaling"))


def _person_seen(
    client: Client,
    headers: dict[str, str],
    shared: dict[str, Any],
    doel: str,
    search_purpose: dict[str, str],
) -> dict[str, Any]:
    """What ``headers``'s reader sees of the casus's person: casus, list row and search."""
    detail = client.get(shared["url"] + doel, headers=headers)
    assert detail.status_code == 200, detail.text
    listed = client.get("/api/v1/casussen?limiet=500", headers=headers)
    assert listed.status_code == 200, listed.text
    rows = [c for c in listed.json()["items"] if c["id"] == shared["id"]]
    found = client.post(
        "/api/v1/casussen/zoeken",
        json={"limiet": 50, "zoekterm": shared["surname"], **search_purpose},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    return {"detail": detail, "rows": rows, "found": found}


def test_a_restricted_person_is_restricted_for_the_tenant_the_casus_is_shared_with(
    module_client: Client, browser: Client, token_for: Headers, shared: dict[str, Any]
) -> None:
    client = module_client
    regio = token_for(REGIO, REGIO_UTRECHT_PGA_EXPERT)
    surname = shared["surname"]
    # Before the restriction the regional bureau sees the person as its policy lets it
    # (for opschaling: by name): the share works.
    for tenant, user, doel in READERS:
        found = _person_seen(client, token_for(tenant, user), shared, doel, SEARCH_PURPOSE[tenant])
        [hit] = [t for t in found["found"].json()["treffers"] if t["id"] == shared["id"]]
        assert "naam" in hit["gevonden_op"], (tenant, hit)
    seen_before = _person_seen(client, regio, shared, READERS[1][2], SEARCH_PURPOSE[REGIO])
    before = seen_before["detail"]
    assert before.json()["persoon"]["weergave"] != "beperkt", before.text
    assert "leeftijdscategorie" in before.json()["persoon"], before.text
    assert surname in before.text
    [row] = seen_before["rows"]
    assert "leeftijdscategorie" in row["persoon"], row
    documents = client.get(f"{shared['url']}/documenten{READERS[1][2]}", headers=regio)
    assert shared["document_id"] in documents.text, documents.text
    login_as(browser, REGIO, REGIO_UTRECHT_PGA_EXPERT)
    page_url = f"/casussen/{shared['id']}{READERS[1][2]}"
    page = browser.get(page_url, headers={"Accept": "text/html"})
    assert page.status_code == 200 and surname in page.text, page.text

    person_url = f"/api/v1/personen/{shared['person_id']}"
    etag = _restrict(
        client, token_for, person_url, _person_etag(client, token_for, person_url), True
    )
    try:
        for tenant, user, doel in READERS:
            seen = _person_seen(
                client, token_for(tenant, user), shared, doel, SEARCH_PURPOSE[tenant]
            )
            person = seen["detail"].json()["persoon"]
            assert person["weergave"] == "beperkt", (tenant, person)
            assert "leeftijdscategorie" not in person, (tenant, person)
            assert surname not in seen["detail"].text, tenant
            assert seen["rows"], tenant
            for row in seen["rows"]:
                assert row["persoon"]["weergave"] == "beperkt", (tenant, row)
                assert "leeftijdscategorie" not in row["persoon"], (tenant, row)
                assert surname not in str(row), tenant
            # Not found by the restricted person's name either (for any reader).
            assert shared["id"] not in seen["found"].text, (tenant, seen["found"].text)
            # The casus's documents are the person's data too: not processed.
            documents = client.get(
                f"{shared['url']}/documenten{doel}", headers=token_for(tenant, user)
            )
            assert documents.status_code in (200, 403), documents.text
            assert shared["document_id"] not in documents.text, (tenant, documents.text)
        # The casus page of the regional bureau.
        page = browser.get(page_url, headers={"Accept": "text/html"})
        assert page.status_code == 200, page.text
        assert surname not in page.text
        assert "2001-02-03" not in page.text
    finally:
        _restrict(client, token_for, person_url, etag, False)
    after = client.get(shared["url"] + READERS[1][2], headers=regio)
    assert after.json()["persoon"] == before.json()["persoon"]


def test_a_restricted_item_is_restricted_for_the_tenant_the_casus_is_shared_with(
    module_client: Client, token_for: Headers, shared: dict[str, Any]
) -> None:
    client = module_client
    regio = token_for(REGIO, REGIO_UTRECHT_PGA_EXPERT)
    item_url = f"{shared['url']}/informatie/{shared['item_id']}"
    # Before the restriction the regional bureau reads the item (for opschaling).
    assert client.get(item_url + ITEM_READERS[1][2], headers=regio).status_code == 200
    etag = _restrict(client, token_for, item_url, _item_etag(client, token_for, item_url), True)
    try:
        for tenant, user, doel in ITEM_READERS:
            headers = token_for(tenant, user)
            read = client.get(item_url + doel, headers=headers)
            assert read.status_code == 403, (tenant, read.text)
            assert "verwerking-beperkt" in {r["code"] for r in read.json()["redenen"]}
            listed = client.get(f"{shared['url']}/informatie{doel}", headers=headers)
            assert listed.status_code == 200, listed.text
            assert shared["item_id"] not in {i["id"] for i in listed.json()["items"]}, tenant
    finally:
        _restrict(client, token_for, item_url, etag, False)
    assert client.get(item_url + ITEM_READERS[1][2], headers=regio).status_code == 200


def test_the_shared_reader_sees_no_restrictions_of_casussen_not_shared_with_them(
    module_client: Client, token_for: Headers, runtime: Runtime, shared: dict[str, Any]
) -> None:
    """Row-level security: the regional bureau reads the restrictions of what was shared
    with it (the subject, the items of the casus), nothing else of Zeist's."""
    person_url = f"/api/v1/personen/{shared['person_id']}"
    item_url = f"{shared['url']}/informatie/{shared['item_id']}"
    unshared = Restriction(
        tenant_id=Z,
        id=uuid.uuid4(),
        target_type="persoon",
        target_id=str(uuid.uuid4()),
        person_id=None,
        casus_id=None,
        reason="Niet gedeeld.",
        restricted_by=EXPERT,
    )
    with tenant_transaction(runtime.sessions, Z) as session:
        session.add(unshared)
    client = module_client
    person_etag = _restrict(
        client, token_for, person_url, _person_etag(client, token_for, person_url), True
    )
    item_etag = _restrict(
        client, token_for, item_url, _item_etag(client, token_for, item_url), True
    )
    try:
        with tenant_transaction(runtime.sessions, REGIO) as session:
            seen = {
                r.id: r.target_id
                for r in session.scalars(sa.select(Restriction).where(Restriction.tenant_id == Z))
            }
        with tenant_transaction(runtime.sessions, Z) as session:
            shared_casussen = set(
                session.scalars(
                    sa.select(CasusShare.casus_id).where(CasusShare.shared_with_tenant == REGIO)
                )
            )
            subjects = {
                str(p)
                for p in session.scalars(
                    sa.select(Casus.subject_person_id).where(Casus.id.in_(shared_casussen))
                )
            }
            items = {
                str(i)
                for i in session.scalars(
                    sa.select(InformationItem.id).where(
                        InformationItem.casus_id.in_(shared_casussen)
                    )
                )
            }
            expected = {
                r.id: r.target_id
                for r in session.scalars(sa.select(Restriction))
                if (r.target_type == "persoon" and r.target_id in subjects)
                or (r.target_type == "item" and r.target_id in items)
            }
    finally:
        _restrict(client, token_for, item_url, item_etag, False)
        _restrict(client, token_for, person_url, person_etag, False)
    assert {shared["person_id"], shared["item_id"]} <= set(seen.values())
    assert unshared.id not in seen
    assert seen == expected
