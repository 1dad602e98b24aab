"""Plan van aanpak over the API: versions, ETags, validation, need-to-know, driehoek view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_DRIEHOEK,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.casework.domain.local_time import local_today

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
OUTSIDER, DRIEHOEK, COORDINATOR = ZEIST_KLANTMANAGER, ZEIST_DRIEHOEK, ZEIST_COORDINATOR


def person_casus_in_plan(client: Client, token_for: Headers, name: str) -> str:
    """A Zeist person casus, included, with zeist-casusregisseur as casusregisseur, in 'plan'."""
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast, schulden en geen dagbesteding: meerdere partners nodig.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": name, "achternaam": "Plantest", "geboortedatum": "2003-02-01"},
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    casus_id = str(created.json()["id"])
    url = f"/api/v1/casussen/{casus_id}"
    expert = token_for(T, EXPERT)
    etag = created.headers["etag"]
    moved = client.post(
        f"{url}/overgang", json={"naar": "in_triage"}, headers={**expert, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    triaged = client.post(
        f"{url}/triage",
        json={"criteria": ["overlast-criminaliteit", "politieregistraties"], "besluit": "opnemen"},
        headers={**expert, "If-Match": moved.headers["etag"]},
    )
    assert triaged.status_code == 200, triaged.text
    regie = client.put(
        f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": REGISSEUR}, headers=expert
    )
    assert regie.status_code == 200, regie.text
    regisseur = token_for(T, REGISSEUR)
    etag = client.get(url, headers=regisseur).headers["etag"]
    plan = client.post(
        f"{url}/overgang", json={"naar": "plan"}, headers={**regisseur, "If-Match": etag}
    )
    assert plan.status_code == 200, plan.text
    return casus_id


def plan_body(**changes: Any) -> dict[str, Any]:
    today = local_today()
    body: dict[str, Any] = {
        "doelen": [
            {
                "leefgebied": "financien",
                "probleem": "Schulden bij meerdere schuldeisers.",
                "doel": "Schulden in beeld en een budgetplan.",
            },
            {
                "leefgebied": "tijdsbesteding",
                "probleem": "Geen dagbesteding.",
                "doel": "Drie dagen per week dagbesteding.",
            },
        ],
        "eindcriterium": "Zes maanden geen meldingen en schulden onder bewind.",
        "acties": [
            {
                "id": "a1",
                "omschrijving": "Aanmelden bij schuldhulpverlening",
                "eigenaar_organisatie": "sociaal-wijkteam-zeist",
                "eigenaar_gebruiker": REGISSEUR,
                "deadline": (today + dt.timedelta(days=30)).isoformat(),
            }
        ],
        "interventies": [
            {"spoor": "zorg", "omschrijving": "Budgetcoaching", "organisatie": "rsd-krh"},
            {"spoor": "bestuurlijk", "omschrijving": "Gesprek met de burgemeester"},
        ],
        "toezeggingen": [
            {
                "organisatie": "politie-basisteam-zeist",
                "tekst": "Wijkagent loopt wekelijks langs.",
                "gedaan_op": today.isoformat(),
            }
        ],
    }
    body.update(changes)
    return body


def test_plan_versions_accumulate_and_stay_readable(client: Client, token_for: Headers) -> None:
    casus_id = person_casus_in_plan(client, token_for, "Pieter")
    url = f"/api/v1/casussen/{casus_id}/plan"
    regisseur = token_for(T, REGISSEUR)

    assert client.get(url, headers=regisseur).status_code == 404  # no plan yet

    first = client.put(url, json=plan_body(), headers=regisseur)  # first version: no If-Match
    assert first.status_code == 201, first.text
    assert first.headers["etag"] == '"v1"'
    assert first.json()["versie"] == 1
    assert first.json()["samenvatting"][0].startswith("Eerste versie")

    body = plan_body()
    body["acties"][0]["status"] = "loopt"
    body["doelen"].append(
        {
            "leefgebied": "huisvesting",
            "probleem": "Dreigende uithuiszetting.",
            "doel": "Huis houden.",
        }
    )
    second = client.put(url, json=body, headers={**regisseur, "If-Match": first.headers["etag"]})
    assert second.status_code == 200, second.text
    assert second.headers["etag"] == '"v2"'
    summary = second.json()["samenvatting"]
    assert "Actie 'Aanmelden bij schuldhulpverlening': status open → loopt." in summary
    assert any(s.startswith("Nieuw doel bij Huisvesting") for s in summary)

    # The aanmelder's organisation (politie) takes part and may change the plan too.
    body["eindcriterium"] = "Twaalf maanden geen meldingen."
    third = client.put(
        url, json=body, headers={**token_for(T, WIJKAGENT), "If-Match": second.headers["etag"]}
    )
    assert third.status_code == 200, third.text
    assert third.headers["etag"] == '"v3"'

    # Same content again: no new version.
    same = client.put(url, json=body, headers={**regisseur, "If-Match": '"v3"'})
    assert same.status_code == 200, same.text
    assert same.json()["nieuwe_versie"] is False
    assert same.headers["etag"] == '"v3"'

    # Stale and missing If-Match.
    stale = client.put(url, json=plan_body(), headers={**regisseur, "If-Match": '"v1"'})
    assert stale.status_code == 412, stale.text
    assert stale.json()["huidige_etag"] == '"v3"'
    assert client.put(url, json=plan_body(), headers=regisseur).status_code == 428

    current = client.get(url, headers=regisseur)
    assert current.status_code == 200
    assert current.headers["etag"] == '"v3"'
    plan = current.json()
    assert plan["eindcriterium"] == "Twaalf maanden geen meldingen."
    assert [d["leefgebied"] for d in plan["doelen"]] == [
        "financien",
        "tijdsbesteding",
        "huisvesting",
    ]
    assert plan["acties"][0]["eigenaar_gebruiker"] == REGISSEUR
    assert {i["spoor"] for i in plan["interventies"]} == {"zorg", "bestuurlijk"}

    versions = client.get(f"{url}/versies", headers=regisseur).json()["items"]
    assert [v["versie"] for v in versions] == [3, 2, 1]
    assert versions[0]["aangemaakt_door"] == WIJKAGENT
    assert versions[2]["aangemaakt_door"] == REGISSEUR
    assert versions[0]["samenvatting"] == [
        "Eindcriterium gewijzigd: Twaalf maanden geen meldingen."
    ]

    old = client.get(f"{url}/versies/1", headers=regisseur)
    assert old.status_code == 200, old.text
    assert old.headers["etag"] == '"v1"'
    assert old.json()["acties"][0]["status"] == "open"
    assert len(old.json()["doelen"]) == 2
    assert client.get(f"{url}/versies/9", headers=regisseur).status_code == 404

    # Each version is a casus event, without the plan's free text.
    timeline = client.get(f"/api/v1/casussen/{casus_id}/tijdlijn", headers=regisseur).json()
    plan_events = [e["samenvatting"] for e in timeline if e["soort"] == "plan"]
    assert len(plan_events) == 3
    assert not any("Huis houden" in e or "Schulden" in e for e in plan_events)


def test_invalid_plan_is_422_naming_the_field(client: Client, token_for: Headers) -> None:
    casus_id = person_casus_in_plan(client, token_for, "Ilse")
    url = f"/api/v1/casussen/{casus_id}/plan"
    regisseur = token_for(T, REGISSEUR)

    body = plan_body()
    body["doelen"][1]["leefgebied"] = "overlast"  # a Zoetermeer leefgebied, not ZRM
    body["acties"][0]["eigenaar_organisatie"] = "bestaat-niet"
    body["toezeggingen"][0]["controle_op"] = "2000-01-01"
    response = client.put(url, json=body, headers=regisseur)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "doelen[1].leefgebied",
        "acties[0].eigenaar_organisatie",
        "toezeggingen[0].controle_op",
    }
    assert "Zelfredzaamheid-Matrix" in response.text

    wrong_user = plan_body()
    wrong_user["acties"][0]["eigenaar_gebruiker"] = WIJKAGENT  # politie, not the wijkteam
    response = client.put(url, json=wrong_user, headers=regisseur)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "acties[0].eigenaar_gebruiker"

    response = client.put(url, json=plan_body(doelen=[]), headers=regisseur)
    assert response.status_code == 422
    assert any("doelen" in e["field"] for e in response.json()["errors"])

    # Nothing was stored.
    assert client.get(url, headers=regisseur).status_code == 404


def test_non_participant_may_not_read_or_write_the_plan(client: Client, token_for: Headers) -> None:
    casus_id = person_casus_in_plan(client, token_for, "Noor")
    url = f"/api/v1/casussen/{casus_id}/plan"
    outsider = token_for(T, OUTSIDER)
    assert client.put(url, json=plan_body(), headers=token_for(T, REGISSEUR)).status_code == 201

    denied = client.put(url, json=plan_body(), headers={**outsider, "If-Match": '"v1"'})
    assert denied.status_code == 403, denied.text
    assert "geen-need-to-know" in {r["code"] for r in denied.json()["redenen"]}
    assert client.get(url, headers=outsider).status_code == 403
    assert client.get(f"{url}/versies", headers=outsider).status_code == 403
    assert client.get(url, headers=token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT)).status_code == 404
    # The refused write changed nothing.
    assert client.get(url, headers=token_for(T, REGISSEUR)).headers["etag"] == '"v1"'


def test_driehoek_sees_the_group_plan_anonymised(client: Client, token_for: Headers) -> None:
    coordinator = token_for(T, COORDINATOR)
    expert = token_for(T, EXPERT)
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "groep",
            "waarom_integraal": "Groep jongeren bij het winkelcentrum: overlast en intimidatie.",
            "groepsnaam": "Groep Winkelcentrum Plantest",
            "geinformeerd": True,
        },
        headers=coordinator,
    )
    assert created.status_code == 201, created.text
    casus_id = created.json()["id"]
    url = f"/api/v1/casussen/{casus_id}"
    regie = client.put(
        f"{url}/regie",
        json={"rol": "uitvoeringscoordinator", "gebruiker": COORDINATOR},
        headers=expert,
    )
    assert regie.status_code == 200, regie.text
    etag = client.get(url, headers=expert).headers["etag"]
    for step in ("stap-2", "stap-3"):
        moved = client.post(
            f"{url}/overgang", json={"naar": step}, headers={**expert, "If-Match": etag}
        )
        assert moved.status_code == 200, moved.text
        etag = moved.headers["etag"]

    body = plan_body(
        doelen=[
            {
                "leefgebied": "sociaal-netwerk",
                "probleem": "Kevin Groepslid is de aanjager van de groep.",
                "doel": "Kevin los van de groep krijgen.",
            }
        ],
        eindcriterium="Geen overlast meer door Kevin en zijn vrienden.",
        acties=[
            {
                "id": "a1",
                "omschrijving": "Huisbezoek bij Kevin thuis",
                "eigenaar_organisatie": "jongerenwerk-zeist",
                "eigenaar_gebruiker": COORDINATOR,
                "deadline": "2027-01-15",
                "status": "loopt",
            }
        ],
        interventies=[
            {"spoor": "strafrechtelijk", "omschrijving": "Kevin: snelrecht bij een nieuw delict"}
        ],
        toezeggingen=[],
        toelichting="Kevin heeft een broer in de groep.",
    )
    saved = client.put(f"{url}/plan", json=body, headers={**coordinator, "If-Match": "*"})
    assert saved.status_code == 201, saved.text
    assert saved.json()["weergave"] == "full"

    driehoek = token_for(T, DRIEHOEK)
    seen = client.get(f"{url}/plan", headers=driehoek)
    assert seen.status_code == 200, seen.text
    plan = seen.json()
    assert plan["weergave"] == "anoniem"
    assert "Kevin" not in seen.text
    assert COORDINATOR not in seen.text
    assert plan["doelen"] == [  # the goal's status stays, like an action's (issue 12)
        {
            "leefgebied": "sociaal-netwerk",
            "leefgebied_label": "Sociaal netwerk",
            "status": "open",
            "status_label": "open",
        }
    ]
    assert plan["acties"][0]["status"] == "loopt"
    assert plan["acties"][0]["deadline"] == "2027-01-15"
    assert plan["acties"][0]["eigenaar_organisatie"] == "jongerenwerk-zeist"
    assert "eigenaar_gebruiker" not in plan["acties"][0]
    assert [i["spoor"] for i in plan["interventies"]] == ["strafrechtelijk"]
    assert plan["eindcriterium"] is None

    versions = client.get(f"{url}/plan/versies", headers=driehoek)
    assert versions.status_code == 200
    assert "Kevin" not in versions.text
    assert versions.json()["items"][0]["aangemaakt_door"] is None
    assert client.get(f"{url}/plan/versies/1", headers=driehoek).json()["weergave"] == "anoniem"

    # The driehoek reads, never writes; and sees nothing else of the casus.
    write = client.put(f"{url}/plan", json=body, headers={**driehoek, "If-Match": '"v1"'})
    assert write.status_code == 403
    assert client.get(url, headers=driehoek).status_code == 403

    # The coordinator still sees everything.
    full = client.get(f"{url}/plan", headers=coordinator).json()
    assert full["doelen"][0]["probleem"].startswith("Kevin")
