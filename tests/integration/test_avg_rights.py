"""AVG rights over the API (issue 11): the access log per casus and person, inzage
(art. 15) as JSON, HTML and PDF, correctie (art. 16) and beperking (art. 18).

Every role of the gemeente is tried on every new endpoint; another gemeente's users get
404 (no existence leak); every answer that is not 2xx is problem+json.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    HILVERSUM,
    HILVERSUM_PGA_EXPERT,
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_BEHEERDER,
    ZEIST_BURGEMEESTER_CONTACT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_DRIEHOEK,
    ZEIST_KLANTMANAGER,
    ZEIST_ONDERZOEKER,
    ZEIST_PGA_EXPERT,
    ZEIST_PSYCHIATER,
    ZEIST_WIJKAGENT,
    ZEIST_WIJKAGENT_NAME,
    ZEIST_WOONBEGELEIDER,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from pypdf import PdfReader

from services.casework.domain.plan import PlanContent
from services.platform.db.models import (
    AgendaItem,
    Assessment,
    AuditEntry,
    HouseholdMember,
    Meeting,
    Person,
    PlanVersion,
)
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T, OTHER = ZEIST, ZOETERMEER
EXPERT, REGISSEUR, WIJKAGENT = ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR, ZEIST_WIJKAGENT
#: Every test user of Zeist with the roles the manifest gives them.
ROLES = {
    ZEIST_PGA_EXPERT: "pga-expert",
    ZEIST_CASUSREGISSEUR: "casusregisseur (regie van deze casus)",
    ZEIST_WIJKAGENT: "professional (aanmelder, deelnemer)",
    ZEIST_KLANTMANAGER: "professional",
    ZEIST_WOONBEGELEIDER: "professional",
    ZEIST_PSYCHIATER: "professional",
    ZEIST_ADVISEUR: "adviseur",
    ZEIST_BURGEMEESTER_CONTACT: "burgemeester-contactpersoon",
    ZEIST_DRIEHOEK: "driehoek",
    ZEIST_COORDINATOR: "uitvoeringscoordinator",
    ZEIST_BEHEERDER: "tenantbeheerder",
    ZEIST_ONDERZOEKER: "onderzoeker",
}
#: Who may read the access log: the regie of the casus and the pga-expert (procesregisseur).
LOG_READERS = {EXPERT, REGISSEUR}
FOREIGN = [(ZOETERMEER, ZOETERMEER_PGA_EXPERT), (HILVERSUM, HILVERSUM_PGA_EXPERT)]


def valid_bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


def is_problem(response: Any) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/problem+json")


@pytest.fixture(scope="module")
def module_client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def world(
    module_client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> dict[str, Any]:
    """One person with a casus, items (one withheld), a plan, an assessment, an overleg line
    and a household member: everything the inzage must show."""
    client = module_client
    tag = uuid.uuid4().hex[:6]
    bsn = valid_bsn(random.Random(tag))
    person = {
        "voornamen": "Annelies",
        "achternaam": f"Inzagetest{tag}",
        "roepnaam": "Lies",
        "geboortedatum": "2003-04-05",
        "bsn": bsn,
        "adres": {
            "straat": "Slotlaan",
            "huisnummer": "1",
            "postcode": "3701 AA",
            "woonplaats": "Zeist",
        },
    }
    aanmelding = {
        "soort": "persoon",
        "waarom_integraal": "Overlast, schulden en uitval: een integrale aanpak is nodig.",
        "problemen": {"financien": "Schulden bij de woningcorporatie."},
        "geinformeerd": True,
        "persoon": person,
    }
    created = client.post("/api/v1/casussen", json=aanmelding, headers=token_for(T, WIJKAGENT))
    assert created.status_code == 201, created.text
    casus_id = created.json()["id"]
    url = f"/api/v1/casussen/{casus_id}"
    expert = token_for(T, EXPERT)
    regie = client.put(
        f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": REGISSEUR}, headers=expert
    )
    assert regie.status_code == 200, regie.text
    detail = client.get(url, headers=expert)
    assert detail.status_code == 200, detail.text
    person_id = detail.json()["persoon"]["id"]
    item = {
        "categorie": "algemeen",
        "titel": "Afspraak woningcorporatie",
        "inhoud": "Gesprek over de huurachterstand op 3 december.",
        "doel": "casusoverleg",
        "grondslag": "publieke-taak",
    }
    shown = client.post(f"{url}/informatie", json=item, headers=token_for(T, WIJKAGENT))
    assert shown.status_code == 201, shown.text
    secret = {
        "categorie": "politiegegevens",
        "titel": "Lopend onderzoek geheim",
        "inhoud": "Onderzoeksdetails die niet naar buiten mogen.",
        "doel": "casusoverleg",
        "grondslag": "publieke-taak",
    }
    held = client.post(f"{url}/informatie", json=secret, headers=token_for(T, WIJKAGENT))
    assert held.status_code == 201, held.text
    withheld = client.post(
        f"{url}/informatie/{held.json()['id']}/achterhouden", headers=token_for(T, WIJKAGENT)
    )
    assert withheld.status_code == 200, withheld.text
    # Refused attempt on record: a professional who does not take part.
    assert client.get(url, headers=token_for(T, ZEIST_KLANTMANAGER)).status_code == 403

    # Stored as the plan service stores it (domain names): other tests in this database read
    # every plan (the werkvoorraad), so the row must be a valid plan.
    plan = PlanContent.model_validate(
        {
            "goals": [
                {"domain": "financien", "problem": "Schulden.", "goal": "Schulden in beeld."}
            ],
            "end_criterion": "Schulden onder bewind.",
        }
    ).model_dump(mode="json")
    scores = {"financien": 2, "huisvesting": 3}
    meeting_id = uuid.uuid4()
    household_id = uuid.uuid4()
    with tenant_transaction(runtime.sessions, T) as session:
        session.add(
            PlanVersion(
                tenant_id=T,
                casus_id=uuid.UUID(casus_id),
                version=1,
                content=plan,
                created_by=REGISSEUR,
            )
        )
        session.add(
            Assessment(
                tenant_id=T,
                id=uuid.uuid4(),
                casus_id=uuid.UUID(casus_id),
                instrument="zrm",
                moment="intake",
                taken_on=dt.date(2026, 11, 20),
                scores=scores,
                assessor_user_id=REGISSEUR,
            )
        )
        session.add(
            Meeting(
                tenant_id=T,
                id=meeting_id,
                meeting_type_id="pga-kernteam",
                scheduled_for=dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC),
                chair_user_id=EXPERT,
            )
        )
        member = Person(tenant_id=T, id=uuid.uuid4(), given_names="Gerrit", surname=f"Vader{tag}")
        session.add(member)
        session.flush()
        session.add(
            AgendaItem(
                tenant_id=T,
                meeting_id=meeting_id,
                casus_id=uuid.UUID(casus_id),
                briefing="Stand van zaken schulden.",
                decisions=["Budgetcoach inzetten."],
            )
        )
        session.add(
            HouseholdMember(
                tenant_id=T,
                id=household_id,
                person_id=uuid.UUID(person_id),
                member_person_id=member.id,
                relation="ouder",
            )
        )
    return {
        "casus_id": casus_id,
        "url": url,
        "person_id": person_id,
        "person": person,
        "bsn": bsn,
        "aanmelding": aanmelding,
        "item": {**item, "id": shown.json()["id"]},
        "secret": {**secret, "id": held.json()["id"]},
        "plan": plan,
        "scores": scores,
        "member_surname": f"Vader{tag}",
        "household_id": str(household_id),
    }


# -- the access log ----------------------------------------------------------------------------


@pytest.mark.parametrize("user", sorted(ROLES))
def test_casus_access_log_per_role(
    user: str, module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    response = module_client.get(f"{world['url']}/toegangslog", headers=token_for(T, user))
    if user in LOG_READERS:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, (ROLES[user], response.text)
        assert is_problem(response)
        assert {r["code"] for r in response.json()["redenen"]} & {
            "avg-alleen-regie",
            "onderzoeker-geen-persoonsgegevens",
        }


@pytest.mark.parametrize("user", sorted(ROLES))
def test_person_access_log_per_role(
    user: str, module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    response = module_client.get(
        f"/api/v1/personen/{world['person_id']}/toegangslog", headers=token_for(T, user)
    )
    assert response.status_code == (200 if user in LOG_READERS else 403), response.text


def test_access_log_shows_who_when_purpose_what_and_refusals(
    module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    response = module_client.get(f"{world['url']}/toegangslog", headers=token_for(T, REGISSEUR))
    assert response.status_code == 200
    entries = response.json()["items"]
    create = next(e for e in entries if e["gebruiker"] == WIJKAGENT and e["handeling"] == "create")
    assert create["naam"] == ZEIST_WIJKAGENT_NAME
    assert create["organisatie"] == "politie-basisteam-zeist"
    assert create["organisatie_naam"] and create["organisatie_naam"] != create["organisatie"]
    assert create["toegestaan"] is True and create["tijdstip"]
    refused = [e for e in entries if e["gebruiker"] == ZEIST_KLANTMANAGER]
    assert refused and all(e["toegestaan"] is False for e in refused)
    casus_refusal = next(e for e in refused if e["wat"] == "casus")
    assert "geen-need-to-know" in casus_refusal["redenen"] and casus_refusal["doel"]
    reads = [e for e in entries if e["handeling"] == "read" and e["wat"] == "casus"]
    assert reads and all(e["doel"] for e in reads)
    # Reading the log is itself on the log (accountability).
    again = module_client.get(f"{world['url']}/toegangslog", headers=token_for(T, EXPERT)).json()
    assert any(e["wat"] == "toegangslog" and e["gebruiker"] == REGISSEUR for e in again["items"])
    # Paging: newest first, a cursor to the next page.
    first = module_client.get(
        f"{world['url']}/toegangslog", params={"limiet": 2}, headers=token_for(T, EXPERT)
    ).json()
    assert len(first["items"]) == 2 and first["volgende"]
    second = module_client.get(
        f"{world['url']}/toegangslog",
        params={"limiet": 2, "cursor": first["volgende"]},
        headers=token_for(T, EXPERT),
    ).json()
    assert {e["id"] for e in second["items"]}.isdisjoint({e["id"] for e in first["items"]})
    assert first["items"][-1]["tijdstip"] >= second["items"][0]["tijdstip"]


@pytest.mark.parametrize(("tenant", "user"), FOREIGN)
def test_other_tenants_get_404_everywhere(
    tenant: str,
    user: str,
    module_client: TestClient[Litestar],
    token_for: Headers,
    world: dict[str, Any],
) -> None:
    headers = {**token_for(tenant, user), "If-Match": '"v1"'}
    person = f"/api/v1/personen/{world['person_id']}"
    item = f"{world['url']}/informatie/{world['item']['id']}"
    calls = [
        ("GET", f"{world['url']}/toegangslog", None),
        ("GET", f"{person}/toegangslog", None),
        ("POST", f"{person}/inzage", None),
        ("POST", f"{person}/inzage/pdf", None),
        ("GET", f"{person}/correcties", None),
        ("GET", f"{world['url']}/correcties", None),
        ("PATCH", person, {"wijzigingen": {"achternaam": "X"}, "reden": "Vreemde tenant."}),
        ("PATCH", f"{person}/beperking", {"beperkt": True, "reden": "Vreemde tenant."}),
        ("PATCH", f"{world['url']}/aanmelding", {"problemen": {}, "reden": "Vreemde tenant."}),
        ("PATCH", f"{item}/correctie", {"wijzigingen": {"titel": "X"}, "reden": "Vreemde tenant."}),
        ("PATCH", f"{item}/beperking", {"beperkt": True, "reden": "Vreemde tenant."}),
    ]
    for method, url, body in calls:
        response = module_client.request(method, url, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.text)
        assert is_problem(response)
        assert world["person"]["achternaam"] not in response.text


def test_unknown_ids_are_404(module_client: TestClient[Litestar], token_for: Headers) -> None:
    expert = token_for(T, EXPERT)
    for url in (
        f"/api/v1/personen/{uuid.uuid4()}/toegangslog",
        f"/api/v1/casussen/{uuid.uuid4()}/toegangslog",
    ):
        response = module_client.get(url, headers=expert)
        assert response.status_code == 404 and is_problem(response)


# -- inzage ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", sorted(ROLES))
def test_inzage_only_by_the_pga_expert(
    user: str, module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    response = module_client.post(
        f"/api/v1/personen/{world['person_id']}/inzage", headers=token_for(T, user)
    )
    if user == EXPERT:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, (ROLES[user], response.text)
        assert is_problem(response)
        assert world["person"]["achternaam"] not in response.text


def test_inzage_shows_everything_stored_field_by_field(
    module_client: TestClient[Litestar],
    token_for: Headers,
    world: dict[str, Any],
    runtime: Runtime,
) -> None:
    response = module_client.post(
        f"/api/v1/personen/{world['person_id']}/inzage", headers=token_for(T, EXPERT)
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    stored = world["person"]
    person = doc["persoon"]
    for field in ("voornamen", "achternaam", "roepnaam", "geboortedatum"):
        assert person[field] == stored[field], field
    assert person["adres"] == stored["adres"]
    assert person["bsn"] != world["bsn"] and person["bsn"].endswith(world["bsn"][-3:])
    assert person["bron"] == "Aanmelding door " + doc["casussen"][0]["aanmelder_organisatie"]
    assert person["beperkt"] is False

    [casus] = [c for c in doc["casussen"] if c["id"] == world["casus_id"]]
    assert casus["uw_rol"] == "hoofdpersoon"
    assert casus["aanmelding"]["waarom_integraal"] == world["aanmelding"]["waarom_integraal"]
    assert casus["aanmelding"]["problemen"] == world["aanmelding"]["problemen"]
    assert casus["aanmelding"]["bron"] == casus["aanmelder_organisatie"]
    [item] = casus["items"]
    expected = world["item"]
    assert item["id"] == expected["id"]
    assert item["titel"] == expected["titel"] and item["inhoud"] == expected["inhoud"]
    assert item["categorie"] == expected["categorie"] and item["doel"] == expected["doel"]
    assert item["grondslag"] == expected["grondslag"]
    assert item["bron"] == casus["aanmelder_organisatie"]  # the police wrote it
    # The withheld item is listed as withheld, with its legal ground, without its content.
    [held] = casus["achtergehouden"]
    assert held["id"] == world["secret"]["id"] and held["wat"] == "informatie-item"
    assert held["categorie"] == "politiegegevens" and "41 lid 1 onder d UAVG" in held["reden"]
    assert world["secret"]["titel"] not in response.text
    assert world["secret"]["inhoud"] not in response.text
    [plan] = casus["plannen"]
    assert plan["versie"] == 1 and plan["inhoud"] == world["plan"]
    [meting] = casus["metingen"]
    assert meting["scores"] == world["scores"] and meting["datum"] == "2026-11-20"
    [line] = casus["overleg"]
    assert line["briefing"] == "Stand van zaken schulden."
    assert line["besluiten"] == ["Budgetcoach inzetten."]
    assert casus["bewaartermijn_tot"] is None and "loopt nog" in casus["bewaartermijn"]
    # Household: the relation, never the other person's identity.
    [member] = doc["gezin"]
    assert member["id"] == world["household_id"] and member["relatie"] == "ouder"
    assert world["member_surname"] not in response.text
    # Purposes, recipients, access log, bewaartermijn.
    assert {"aanmelding", "casusoverleg", "plan-van-aanpak"} <= {d["code"] for d in doc["doelen"]}
    recipients = {r["organisatie"] for r in doc["ontvangers"]}
    assert "politie-basisteam-zeist" in recipients and "analysedienst" in recipients
    assert any(
        e["gebruiker"] == ZEIST_KLANTMANAGER and not e["toegestaan"] for e in doc["toegangslog"]
    )
    assert doc["bewaartermijn"]["standaard_maanden"] == 60
    assert doc["bewaartermijn"]["per_reden_maanden"]["niet-opnemen"] == 6

    # The inzage itself is audited, by the pga-expert, about this person.
    with tenant_transaction(runtime.sessions, T) as session:
        rows = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.resource_type == "inzage",
                AuditEntry.resource_id == world["person_id"],
                AuditEntry.user_id == EXPERT,
            )
        ).all()
        assert rows and all(r.allowed and r.purpose == "inzage" for r in rows)
        assert all(r.legal_basis == "wettelijke-verplichting" for r in rows)


def test_inzage_as_html_and_pdf(
    module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    base = f"/api/v1/personen/{world['person_id']}/inzage"
    html = module_client.post(f"{base}/html", headers=token_for(T, EXPERT))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert world["person"]["achternaam"] in html.text
    assert "Achtergehouden" in html.text and "artikel 15 AVG" in html.text
    assert world["secret"]["inhoud"] not in html.text

    pdf = module_client.post(f"{base}/pdf", headers=token_for(T, EXPERT))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Annelies" in text and world["person"]["achternaam"] in text
    assert world["item"]["titel"] in text
    assert world["secret"]["inhoud"] not in text
    assert module_client.post(f"{base}/pdf", headers=token_for(T, REGISSEUR)).status_code == 403


# -- correctie and beperking --------------------------------------------------------------------


def test_person_correction_new_value_shown_old_in_history_both_audited(
    module_client: TestClient[Litestar],
    token_for: Headers,
    world: dict[str, Any],
    runtime: Runtime,
) -> None:
    client = module_client
    url = f"/api/v1/personen/{world['person_id']}"
    regisseur = token_for(T, REGISSEUR)
    body = {"wijzigingen": {"roepnaam": "Annie"}, "reden": "Verzoek betrokkene: roepnaam is Annie."}
    missing = client.patch(url, json=body, headers=regisseur)
    assert missing.status_code == 428 and is_problem(missing)
    stale = client.patch(url, json=body, headers={**regisseur, "If-Match": '"v99"'})
    assert stale.status_code == 412 and is_problem(stale)
    refused = client.patch(url, json=body, headers={**token_for(T, WIJKAGENT), "If-Match": '"v1"'})
    assert refused.status_code == 403 and is_problem(refused)
    bad = client.patch(
        url,
        json={"wijzigingen": {"onbekend": 1}, "reden": "x"},
        headers={**regisseur, "If-Match": '"v1"'},
    )
    assert bad.status_code == 422 and is_problem(bad)

    done = client.patch(url, json=body, headers={**regisseur, "If-Match": '"v1"'})
    assert done.status_code == 200, done.text
    assert done.json()["gecorrigeerd"] == ["roepnaam"] and done.headers["etag"] == '"v2"'
    same = client.patch(url, json=body, headers={**regisseur, "If-Match": '"v2"'})
    assert same.status_code == 422  # nothing to change

    shown = client.get(world["url"], headers=token_for(T, EXPERT)).json()
    assert shown["persoon"]["roepnaam"] == "Annie"
    history = client.get(f"{url}/correcties", headers=token_for(T, EXPERT))
    assert history.status_code == 200
    [change] = [c for c in history.json()["correcties"] if c["veld"] == "roepnaam"]
    assert change["oude_waarde"] == "Lies" and change["nieuwe_waarde"] == "Annie"
    assert change["door"] == REGISSEUR and change["reden"] == body["reden"]
    # The old value is under access control: a participating professional may not read it.
    assert client.get(f"{url}/correcties", headers=token_for(T, WIJKAGENT)).status_code == 403
    with tenant_transaction(runtime.sessions, T) as session:
        rows = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.resource_type == "correctie",
                AuditEntry.resource_id == world["person_id"],
            )
        ).all()
    assert any(r.action == "update" and r.allowed and r.user_id == REGISSEUR for r in rows)
    assert any(r.action == "read" and r.allowed and r.user_id == EXPERT for r in rows)
    assert any(r.action == "update" and not r.allowed and r.user_id == WIJKAGENT for r in rows)
    # The inzage shows the correction too.
    doc = client.post(f"{url}/inzage", headers=token_for(T, EXPERT)).json()
    assert doc["persoon"]["roepnaam"] == "Annie"
    assert any(c["oude_waarde"] == "Lies" for c in doc["correcties"])


def test_aanmelding_and_item_corrections(
    module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    client = module_client
    regisseur = token_for(T, REGISSEUR)
    etag = client.get(world["url"], headers=regisseur).headers["etag"]
    new_text = "Schulden en uitval; de overlast is nooit vastgesteld."
    fixed = client.patch(
        f"{world['url']}/aanmelding",
        json={
            "wijzigingen": {"waarom_integraal": new_text},
            "problemen": {"financien": "Schulden bij één schuldeiser."},
            "reden": "Verzoek betrokkene: overlast onjuist vermeld.",
        },
        headers={**regisseur, "If-Match": etag},
    )
    assert fixed.status_code == 200, fixed.text
    # The answer names what changed; it does not echo the (maskable) texts.
    assert fixed.json()["gecorrigeerd"] == ["problemen.financien", "waarom_integraal"]
    assert new_text not in fixed.text
    assert (
        client.get(world["url"], headers=regisseur).json()["aanmelding"]["waarom_integraal"]
        == new_text
    )
    history = client.get(f"{world['url']}/correcties", headers=regisseur).json()["correcties"]
    old = {c["veld"]: c["oude_waarde"] for c in history}
    assert old["waarom_integraal"] == world["aanmelding"]["waarom_integraal"]
    # The old value is masked exactly when the current one is, for the same reader.
    for user in (REGISSEUR, EXPERT):
        current = client.get(world["url"], headers=token_for(T, user)).json()["aanmelding"]
        rows = client.get(f"{world['url']}/correcties", headers=token_for(T, user)).json()
        [row] = [c for c in rows["correcties"] if c["veld"] == "problemen.financien"]
        if current["problemen"].get("financien") is None:
            assert row["afgeschermd"] and row["oude_waarde"] is None, user
        else:
            assert not row["afgeschermd"], user
            assert row["oude_waarde"] == world["aanmelding"]["problemen"]["financien"]
            assert row["nieuwe_waarde"] == current["problemen"]["financien"]

    item_url = f"{world['url']}/informatie/{world['item']['id']}"
    item_etag = client.get(item_url, headers=token_for(T, WIJKAGENT)).headers["etag"]
    corrected = client.patch(
        f"{item_url}/correctie",
        json={"wijzigingen": {"inhoud": "Gesprek op 4 december."}, "reden": "Datum was onjuist."},
        headers={**regisseur, "If-Match": item_etag},
    )
    assert corrected.status_code == 200, corrected.text
    assert (
        client.get(item_url, headers=token_for(T, WIJKAGENT)).json()["inhoud"]
        == "Gesprek op 4 december."
    )
    history = client.get(f"{world['url']}/correcties", headers=regisseur).json()["correcties"]
    assert any(
        c["soort"] == "item" and c["oude_waarde"] == world["item"]["inhoud"] for c in history
    )


def test_restricted_item_and_person_are_kept_but_not_processed(
    module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    client = module_client
    regisseur = token_for(T, REGISSEUR)
    wijkagent = token_for(T, WIJKAGENT)
    item_url = f"{world['url']}/informatie/{world['item']['id']}"
    etag = client.get(item_url, headers=wijkagent).headers["etag"]
    body = {"beperkt": True, "reden": "Betrokkene betwist de juistheid."}
    restricted = client.patch(
        f"{item_url}/beperking", json=body, headers={**regisseur, "If-Match": etag}
    )
    assert restricted.status_code == 200, restricted.text and restricted.json()["beperkt"]
    # Not shown, not shared: even its source is refused, with the reason.
    read = client.get(item_url, headers=wijkagent)
    assert read.status_code == 403 and "verwerking-beperkt" in {
        r["code"] for r in read.json()["redenen"]
    }
    listed = client.get(f"{world['url']}/informatie", headers=wijkagent).json()
    assert world["item"]["id"] not in {i["id"] for i in listed["items"]}
    share = client.post(
        f"{item_url}/delen",
        json={
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "noodzaak": "Zonder deze informatie geen passende aanpak.",
            "persoon_geinformeerd": True,
        },
        headers=wijkagent,
    )
    assert share.status_code == 403
    # Kept: the inzage still lists it, marked as restricted.
    doc = client.post(
        f"/api/v1/personen/{world['person_id']}/inzage", headers=token_for(T, EXPERT)
    ).json()
    [casus] = [c for c in doc["casussen"] if c["id"] == world["casus_id"]]
    assert [i["beperkt"] for i in casus["items"] if i["id"] == world["item"]["id"]] == [True]
    # Lifting the restriction makes it usable again.
    lifted = client.patch(
        f"{item_url}/beperking",
        json={"beperkt": False, "reden": "Juistheid vastgesteld."},
        headers={**regisseur, "If-Match": restricted.headers["etag"]},
    )
    assert lifted.status_code == 200 and client.get(item_url, headers=wijkagent).status_code == 200

    person_url = f"/api/v1/personen/{world['person_id']}"
    etag = _person_etag(client, token_for, world)
    on = client.patch(f"{person_url}/beperking", json=body, headers={**regisseur, "If-Match": etag})
    assert on.status_code == 200, on.text
    casus = client.get(world["url"], headers=token_for(T, EXPERT)).json()
    assert casus["persoon"]["weergave"] == "beperkt"
    assert world["person"]["achternaam"] not in str(casus["persoon"])
    # The lists look the page's restrictions up in one query (issue 14): still restricted.
    listed_casussen = client.get("/api/v1/casussen?limiet=50", headers=token_for(T, EXPERT))
    [row] = [c for c in listed_casussen.json()["items"] if c["id"] == world["casus_id"]]
    assert row["persoon"]["weergave"] == "beperkt", row
    assert world["person"]["achternaam"] not in str(row)
    found = client.post(
        "/api/v1/casussen/zoeken", json={"limiet": 50}, headers=token_for(T, EXPERT)
    ).json()
    [hit] = [t for t in found["treffers"] if t["id"] == world["casus_id"]]
    assert world["person"]["achternaam"] not in str(hit)
    off = client.patch(
        f"{person_url}/beperking",
        json={"beperkt": False, "reden": "Beperking opgeheven."},
        headers={**regisseur, "If-Match": on.headers["etag"]},
    )
    assert off.status_code == 200
    assert (
        client.get(world["url"], headers=token_for(T, EXPERT)).json()["persoon"]["weergave"]
        == "full"
    )


def _person_etag(client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]) -> str:
    """The person's current version: the ETag of their correction history."""
    response = client.get(
        f"/api/v1/personen/{world['person_id']}/correcties", headers=token_for(T, REGISSEUR)
    )
    assert response.status_code == 200
    return str(response.headers["etag"])


def test_the_regie_of_one_casus_has_no_rights_on_another(
    module_client: TestClient[Litestar], token_for: Headers, world: dict[str, Any]
) -> None:
    """Robin is casusregisseur of the world's casus only: another casus (and its person) is
    not his to audit or correct, and ids cannot be mixed across casussen."""
    client = module_client
    other = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Een andere casus waarvan Robin geen regie heeft.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Otto", "achternaam": f"Anders{uuid.uuid4().hex[:6]}"},
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert other.status_code == 201, other.text
    other_url = f"/api/v1/casussen/{other.json()['id']}"
    other_person = client.get(other_url, headers=token_for(T, EXPERT)).json()["persoon"]["id"]
    robin = token_for(T, REGISSEUR)
    assert client.get(f"{other_url}/toegangslog", headers=robin).status_code == 403
    assert (
        client.get(f"/api/v1/personen/{other_person}/toegangslog", headers=robin).status_code == 403
    )
    assert (
        client.get(f"/api/v1/personen/{other_person}/correcties", headers=robin).status_code == 403
    )
    fix = client.patch(
        f"/api/v1/personen/{other_person}",
        json={"wijzigingen": {"roepnaam": "O"}, "reden": "Niet mijn casus."},
        headers={**robin, "If-Match": '"v1"'},
    )
    assert fix.status_code == 403 and "avg-alleen-regie" in {
        r["code"] for r in fix.json()["redenen"]
    }
    # The world's item through the other casus's path: not found there.
    mixed = client.patch(
        f"{other_url}/informatie/{world['item']['id']}/correctie",
        json={"wijzigingen": {"titel": "X"}, "reden": "Gemengde ids."},
        headers={**token_for(T, EXPERT), "If-Match": '"v1"'},
    )
    assert mixed.status_code == 404 and is_problem(mixed)
    # The pga-expert (procesregisseur) of the gemeente may read it.
    assert client.get(f"{other_url}/toegangslog", headers=token_for(T, EXPERT)).status_code == 200
