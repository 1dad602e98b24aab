"""Casusoverleg end to end: planning, agenda with briefings, the per-participant view
(need-to-know per agenda item), minutes with BOB, decisions and actions, "wijzigingen sinds
het vorige overleg", and optimistic concurrency on the minutes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from factories import aanmelden, werkvoorraad_items
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_BURGEMEESTER_CONTACT,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.casework.domain.local_time import local_today

Headers = Callable[[str, str], dict[str, str]]

T = ZEIST
MEETINGS = "/api/v1/overleggen"


#: "Vorig overleg" is the last held meeting of the same type in the tenant, whoever held it.
#: Other tests share the test database and hold meetings of this type around now (the hostile
#: world holds a PGA-kernteam in Zeist an hour ago), so the meetings whose "vorig overleg"
#: this test checks lie twenty years back, before any other test's meeting.
LONG_AGO = dt.timedelta(days=20 * 365)


def _at(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat()


def _agenda_ids(body: dict[str, Any]) -> list[str]:
    return [item["casus_id"] for item in body["agenda"]]


def test_meeting_agenda_per_participant_minutes_and_changes(
    client: TestClient[Litestar], token_for: Headers
) -> None:
    expert = token_for(T, ZEIST_PGA_EXPERT)  # pga-expert: voorzitter
    wijkagent = token_for(T, ZEIST_WIJKAGENT)  # politie
    werk = token_for(T, ZEIST_KLANTMANAGER)  # werk & inkomen (rsd-krh)
    adviseur = token_for(T, ZEIST_ADVISEUR)
    bestuur = token_for(T, ZEIST_BURGEMEESTER_CONTACT)  # contactpersoon burgemeester: not involved
    foreign = token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT)

    casus_a = aanmelden(client, wijkagent, "Overlegtest-Politie")  # politie takes part
    casus_b = aanmelden(client, werk, "Overlegtest-Werk")  # rsd-krh takes part

    # Only the voorzitter (pga-expert / procesregisseur) plans meetings.
    body = {"type": "pga-kernteam", "datum_tijd": _at(-LONG_AGO)}
    refused = client.post(MEETINGS, json=body, headers=wijkagent)
    assert refused.status_code == 403
    assert refused.json()["code"] == "rol-vereist"
    unknown = client.post(MEETINGS, json={**body, "type": "bestaat-niet"}, headers=expert)
    assert unknown.status_code == 422
    assert {e["field"] for e in unknown.json()["errors"]} == {"type"}

    created = client.post(
        MEETINGS,
        json={**body, "agenda": [{"casus_id": casus_a, "briefing": "Twee nieuwe meldingen."}]},
        headers=expert,
    )
    assert created.status_code == 201, created.text
    meeting = created.json()["id"]
    url = f"{MEETINGS}/{meeting}"
    assert created.headers["location"].endswith(meeting)
    assert created.json()["status"] == "gepland"
    assert created.json()["voorzitter"] == ZEIST_PGA_EXPERT

    added = client.post(
        f"{url}/agenda",
        json={"casus_id": casus_b, "briefing": "Schuldhulp loopt vast."},
        headers=expert,
    )
    assert added.status_code == 201, added.text
    assert added.json()["positie"] == 2
    assert added.headers["etag"] == '"v2"'
    again = client.post(f"{url}/agenda", json={"casus_id": casus_b}, headers=expert)
    assert again.status_code == 409
    assert again.json()["code"] == "al-geagendeerd"

    # Per-participant view: each organisation sees only the casussen it takes part in.
    politie_view = client.get(url, headers=wijkagent)
    assert politie_view.status_code == 200, politie_view.text
    pv = politie_view.json()
    assert _agenda_ids(pv) == [casus_a]
    assert pv["verborgen_agendapunten"] == 1
    assert "1 agendapunt niet getoond" in pv["melding"]
    assert pv["agenda"][0]["briefing"] == "Twee nieuwe meldingen."
    assert pv["agenda"][0]["persoon"]["achternaam"] == "Overlegtest-Politie"
    assert "Overlegtest-Werk" not in politie_view.text
    assert "Schuldhulp loopt vast" not in politie_view.text
    assert pv["vorig_overleg"] is None
    # No previous meeting: the changes go back to the aanmelding.
    assert "aanmelding" in {c["soort"] for c in pv["agenda"][0]["wijzigingen_sinds_vorig_overleg"]}

    werk_view = client.get(url, headers=werk).json()
    assert _agenda_ids(werk_view) == [casus_b]
    assert werk_view["verborgen_agendapunten"] == 1

    assert _agenda_ids(client.get(url, headers=expert).json()) == [casus_a, casus_b]

    pseudo = client.get(url, headers=adviseur)
    assert pseudo.status_code == 200
    assert {i["weergave"] for i in pseudo.json()["agenda"]} == {"pseudoniem"}
    assert "Overlegtest" not in pseudo.text
    assert "Twee nieuwe meldingen" not in pseudo.text
    assert all(i["persoon"]["pseudoniem"].startswith("P-") for i in pseudo.json()["agenda"])

    # The burgemeester's contact does no casework: not even the meeting itself (issue 9).
    refused = client.get(url, headers=bestuur)
    assert refused.status_code == 403
    assert "Overlegtest" not in refused.text
    assert client.get(url, headers=foreign).status_code == 404

    # Minutes: a stale If-Match changes nothing.
    version = client.get(url, headers=expert).headers["etag"]
    deadline = (local_today() + dt.timedelta(days=14)).isoformat()
    minutes = {
        "agendapunten": [
            {
                "casus_id": casus_a,
                "beeldvorming": "Beeld compleet; politie meldt twee incidenten.",
                "oordeelsvorming": "Zorg en veiligheid lopen door elkaar.",
                "besluitvorming": "Integrale aanpak zorg en veiligheid.",
                "besluiten": ["Integrale aanpak.", "Stopgesprek door de wijkagent."],
                "acties": [
                    {
                        "omschrijving": "Stopgesprek voeren.",
                        "eigenaar_organisatie": "politie-basisteam-zeist",
                        "eigenaar_gebruiker": ZEIST_WIJKAGENT,
                        "deadline": deadline,
                    }
                ],
            },
            {
                "casus_id": casus_b,
                "besluitvorming": "Een partner pakt het zelfstandig op.",
                "besluiten": ["Werk en inkomen pakt op."],
            },
        ],
        "aanwezig": ["politie-basisteam-zeist", "rsd-krh", "gemeente-zeist-oov"],
    }
    stale = client.put(f"{url}/verslag", json=minutes, headers={**expert, "If-Match": '"v1"'})
    assert stale.status_code == 412
    assert stale.json()["huidige_etag"] == version
    missing = client.put(f"{url}/verslag", json=minutes, headers=expert)
    assert missing.status_code == 428
    assert client.get(url, headers=expert).json()["status"] == "gepland"

    # Actions go to organisations that take part in the casus.
    wrong_owner: dict[str, Any] = {
        "agendapunten": [
            {
                **minutes["agendapunten"][0],
                "acties": [
                    {
                        "omschrijving": "Uitkering regelen.",
                        "eigenaar_organisatie": "rsd-krh",
                        "eigenaar_gebruiker": ZEIST_WIJKAGENT,
                        "deadline": "2000-01-01",
                    }
                ],
            }
        ]
    }
    invalid = client.put(
        f"{url}/verslag", json=wrong_owner, headers={**expert, "If-Match": version}
    )
    assert invalid.status_code == 422, invalid.text
    assert {e["field"] for e in invalid.json()["errors"]} == {
        "agendapunten[0].acties[0].eigenaar_organisatie",
        "agendapunten[0].acties[0].eigenaar_gebruiker",
        "agendapunten[0].acties[0].deadline",
    }
    not_on_agenda = client.put(
        f"{url}/verslag",
        json={"agendapunten": [{"casus_id": str(uuid.uuid4()), "besluitvorming": "Geen."}]},
        headers={**expert, "If-Match": version},
    )
    assert not_on_agenda.status_code == 422

    recorded = client.put(f"{url}/verslag", json=minutes, headers={**expert, "If-Match": version})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["status"] == "gehouden"
    assert recorded.headers["etag"] != version

    held = client.get(url, headers=wijkagent).json()
    assert held["status"] == "gehouden"
    item = held["agenda"][0]
    assert item["bespreking"]["besluitvorming"] == "Integrale aanpak zorg en veiligheid."
    assert item["besluiten"] == ["Integrale aanpak.", "Stopgesprek door de wijkagent."]
    assert item["acties"][0]["eigenaar_organisatie"] == "politie-basisteam-zeist"
    assert item["acties"][0]["deadline"] == deadline
    assert "Werk en inkomen pakt op" not in str(held)

    # The action lands in its owner's werkvoorraad, and only there.
    queue = werkvoorraad_items(client, wijkagent)
    actions = [i for i in queue if i["soort"] == "overlegactie" and i["casus_id"] == casus_a]
    assert len(actions) == 1
    assert "Stopgesprek voeren." in actions[0]["omschrijving"]
    assert actions[0]["datum"] == deadline
    others = werkvoorraad_items(client, werk)
    assert not [i for i in others if i["soort"] == "overlegactie" and i["casus_id"] == casus_a]

    timeline = client.get(f"/api/v1/casussen/{casus_a}/tijdlijn", headers=wijkagent).json()
    assert "Besproken in PGA-kernteam: 2 besluiten, 1 actie." in [
        e["samenvatting"] for e in timeline
    ]
    timeline_b = client.get(f"/api/v1/casussen/{casus_b}/tijdlijn", headers=werk).json()
    assert "Besproken in PGA-kernteam: 1 besluit." in [e["samenvatting"] for e in timeline_b]

    # The agenda of a held meeting is fixed.
    late = client.post(f"{url}/agenda", json={"casus_id": casus_a}, headers=expert)
    assert late.status_code == 409

    # Something happens after the meeting: werk & inkomen joins casus A.
    invited = client.post(
        f"/api/v1/casussen/{casus_a}/deelnemers",
        json={"organisatie": "rsd-krh", "deelname": "op-afroep", "rol": "inkomen"},
        headers=expert,
    )
    assert invited.status_code == 201, invited.text

    # The next meeting of the same type shows what changed since the previous one.
    nxt = client.post(
        MEETINGS,
        json={
            "type": "pga-kernteam",
            "datum_tijd": _at(-LONG_AGO + dt.timedelta(days=14)),
            "agenda": [{"casus_id": casus_a}, {"casus_id": casus_b}],
        },
        headers=expert,
    )
    assert nxt.status_code == 201, nxt.text
    next_url = f"{MEETINGS}/{nxt.json()['id']}"
    following = client.get(next_url, headers=wijkagent).json()
    assert following["vorig_overleg"]["id"] == meeting
    assert _agenda_ids(following) == [casus_a]
    changes = following["agenda"][0]["wijzigingen_sinds_vorig_overleg"]
    kinds = [c["soort"] for c in changes]
    assert kinds == ["deelnemer"], changes
    # Werk & inkomen now takes part in both casussen, so it sees both items.
    assert _agenda_ids(client.get(next_url, headers=werk).json()) == [casus_a, casus_b]

    # Minutes of a meeting that has not taken place yet are refused.
    coming = client.post(
        MEETINGS,
        json={
            "type": "pga-kernteam",
            "datum_tijd": _at(dt.timedelta(days=14)),
            "agenda": [{"casus_id": casus_a}],
        },
        headers=expert,
    )
    assert coming.status_code == 201, coming.text
    future = client.put(
        f"{MEETINGS}/{coming.json()['id']}/verslag",
        json={"agendapunten": [{"casus_id": casus_a, "besluitvorming": "Voortzetten."}]},
        headers={**expert, "If-Match": coming.headers["etag"]},
    )
    assert future.status_code == 409
    assert future.json()["code"] == "overleg-nog-niet-gehouden"

    # Lists: upcoming and held meetings the caller has a casus in.
    upcoming = client.get(MEETINGS, params={"wanneer": "komend"}, headers=wijkagent).json()
    held_list = client.get(MEETINGS, params={"wanneer": "gehouden"}, headers=wijkagent).json()
    assert coming.json()["id"] in {m["id"] for m in upcoming["items"]}
    assert meeting not in {m["id"] for m in upcoming["items"]}
    assert meeting in {m["id"] for m in held_list["items"]}
    assert client.get(MEETINGS, headers=bestuur).status_code == 403  # no casework role
    assert client.get(MEETINGS, params={"wanneer": "ooit"}, headers=expert).status_code == 422
