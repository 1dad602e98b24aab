"""Casusoverleg in the browser: the voorzitter plans a meeting (type, date, time, place),
puts casussen on the agenda with a briefing and records the verslag (BOB, besluiten, acties);
the actions land in the owner's werkvoorraad. The meeting downloads as an iCalendar file
that parses back. Forms keep what was typed on errors; a non-chair changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from browser_login import login_as
from factories import referentie
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZEIST_WIJKAGENT_NAME,
)

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
MEETING_URL = re.compile(r"^/overleggen/([0-9a-f-]{36})\?melding=overleg-gepland$")
TZ = ZoneInfo("Europe/Amsterdam")
#: A meeting type no other test holds meetings of ("vorig overleg" is per type and tenant).
TYPE, TYPE_NAME = "veldtafel", "Veldtafel"
WHY = "Herhaald overlast en schulden; de politie alleen komt niet verder."


def login(client: Client, user: str) -> None:
    assert login_as(client, T, user).status_code == 200


def get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:800])
    return response.text


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def post(client: Client, url: str, data: dict[str, Any], status: int = 303) -> Any:
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:2000])
    return response


def api(client: Client, token_for: Headers, path: str, user: str = EXPERT) -> Any:
    response = client.get(f"/api/v1{path}", headers=token_for(T, user))
    assert response.status_code == 200, response.text
    return response.json()


def casus_aangemeld(client: Client, token_for: Headers, achternaam: str) -> str:
    """A person casus reported by the wijkagent (through the API)."""
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": WHY,
            "geinformeerd": True,
            "persoon": {"voornamen": "Bradley", "achternaam": achternaam},
            "overleg": "pga-kernteam",
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    casus_id: str = created.json()["id"]
    return casus_id


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


def plan(client: Client, day: dt.date, place: str = "Gemeentehuis, kamer 2.14") -> str:
    login(client, EXPERT)
    html = get(client, "/overleggen")
    assert "Overleg plannen" in html and 'name="type"' in html
    response = post(
        client,
        "/overleggen",
        {
            "type": TYPE,
            "datum": day.isoformat(),
            "tijd": "09:30",
            "plaats": place,
            "csrf_token": token(html),
        },
    )
    match = MEETING_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def test_plan_agenda_verslag_and_werkvoorraad(client: Client, token_for: Headers) -> None:
    casus_id = casus_aangemeld(client, token_for, "Overlegtest")
    meeting_id = plan(client, today())
    url = f"/overleggen/{meeting_id}"
    html = get(client, f"{url}?melding=overleg-gepland")
    assert "Het overleg is gepland." in html
    assert "Gemeentehuis, kamer 2.14" in html
    shown = api(client, token_for, f"/overleggen/{meeting_id}")
    assert shown["plaats"] == "Gemeentehuis, kamer 2.14" and shown["status"] == "gepland"
    start = dt.datetime.fromisoformat(shown["datum_tijd"]).astimezone(TZ)
    assert (start.date(), start.hour, start.minute) == (today(), 9, 30)

    # Agenda: the casus with a briefing.
    assert 'action="/overleggen/' + meeting_id + "/agenda" in html
    assert f'<option value="{casus_id}"' in html
    response = post(
        client,
        f"{url}/agenda",
        {
            "casus_id": casus_id,
            "briefing": "Nieuwe meldingen van de buren.",
            "csrf_token": token(html),
        },
    )
    assert response.headers["location"] == f"{url}?melding=geagendeerd"
    html = get(client, response.headers["location"])
    assert "De casus staat op de agenda." in html
    assert "Nieuwe meldingen van de buren." in html
    assert f'<option value="{casus_id}"' not in html  # on the agenda: not offered again

    # Verslag without besluitvorming, with an action without deadline: messages beside the
    # fields, everything typed is still there, nothing recorded.
    assert 'name="agendapunten.0.besluitvorming"' in html
    version = re.search(r'action="[^"]*/verslag#verslag".*?name="versie" value="(\d+)"', html, re.S)
    assert version
    form = {
        "csrf_token": token(html),
        "versie": version.group(1),
        "aanwezig": ["politie-basisteam-zeist", "gemeente-zeist-oov"],
        "agendapunten.0.casus_id": casus_id,
        "agendapunten.0.beeldvorming": "Overlast neemt toe; schulden stapelen zich op.",
        "agendapunten.0.oordeelsvorming": "Integrale aanpak nodig.",
        "agendapunten.0.besluitvorming": "",
        "agendapunten.0.besluiten": "Opnemen in de PGA.\nSchuldhulp inschakelen.",
        "agendapunten.0.acties.0.omschrijving": "Huisbezoek afleggen",
        "agendapunten.0.acties.0.eigenaar_organisatie": "politie-basisteam-zeist",
        "agendapunten.0.acties.0.eigenaar_gebruiker": WIJKAGENT,
        "agendapunten.0.acties.0.deadline": "",
        "agendapunten.0.acties.1.omschrijving": "",
        "agendapunten.0.acties.1.eigenaar_organisatie": "",
        "agendapunten.0.acties.1.eigenaar_gebruiker": "",
        "agendapunten.0.acties.1.deadline": "",
    }
    refused = post(client, f"{url}/verslag", form, status=422).text
    besluit = refused.split('for="verslag-agendapunten-0-besluitvorming"')[1].split("</textarea>")[
        0
    ]
    assert "Vul dit veld in." in besluit and 'aria-invalid="true"' in besluit
    deadline = refused.split('for="verslag-agendapunten-0-acties-0-deadline"')[1].split(">", 3)
    assert "field-error" in "".join(deadline)
    assert "Overlast neemt toe; schulden stapelen zich op.</textarea>" in refused
    assert "Opnemen in de PGA.\nSchuldhulp inschakelen.</textarea>" in refused
    assert 'value="Huisbezoek afleggen"' in refused
    assert 'value="politie-basisteam-zeist" checked' in refused
    assert api(client, token_for, f"/overleggen/{meeting_id}")["status"] == "gepland"

    # Complete: the meeting is held; the action lands in the politie's werkvoorraad.
    due = today() + dt.timedelta(days=7)
    form["agendapunten.0.besluitvorming"] = "Integrale aanpak zorg en veiligheid."
    form["agendapunten.0.acties.0.deadline"] = due.isoformat()
    response = post(client, f"{url}/verslag", form)
    assert response.headers["location"] == f"{url}?melding=verslag-vastgelegd"
    held = api(client, token_for, f"/overleggen/{meeting_id}")
    assert held["status"] == "gehouden"
    assert sorted(held["aanwezig"]) == ["gemeente-zeist-oov", "politie-basisteam-zeist"]
    (item,) = held["agenda"]
    assert item["bespreking"]["besluitvorming"] == "Integrale aanpak zorg en veiligheid."
    assert item["besluiten"] == ["Opnemen in de PGA.", "Schuldhulp inschakelen."]
    assert [a["omschrijving"] for a in item["acties"]] == ["Huisbezoek afleggen"]
    # The owner by name, not by user id (issue 12: "say it in words").
    minutes = get(client, url)
    assert f"({ZEIST_WIJKAGENT_NAME})" in minutes and f"({WIJKAGENT})" not in minutes

    login(client, WIJKAGENT)
    reference = referentie(client, token_for(T, WIJKAGENT), casus_id)
    werk = get(client, f"/werkvoorraad?casus={reference}")
    assert "Huisbezoek afleggen" in werk

    # A stale version: the message above the form, what was typed is still there.
    login(client, EXPERT)
    form["csrf_token"] = token(get(client, url))
    form["agendapunten.0.beeldvorming"] = "Bijgewerkt beeld na het overleg."
    stale = post(client, f"{url}/verslag", form, status=409).text
    assert "Iemand anders heeft dit intussen gewijzigd." in stale
    assert "Bijgewerkt beeld na het overleg.</textarea>" in stale


def test_plan_form_keeps_input_and_non_chair_changes_nothing(
    client: Client, token_for: Headers
) -> None:
    login(client, EXPERT)
    html = get(client, "/overleggen")
    refused = post(
        client,
        "/overleggen",
        {
            "type": TYPE,
            "datum": "",
            "tijd": "09:30",
            "plaats": "Raadzaal",
            "csrf_token": token(html),
        },
        status=422,
    ).text
    assert "Vul de datum van het overleg in." in refused
    assert 'value="Raadzaal"' in refused and 'value="09:30"' in refused
    assert f'<option value="{TYPE}" selected>' in refused

    # A professional (no voorzitter) gets no form and is refused when posting anyway.
    before = len(api(client, token_for, "/overleggen")["items"])
    login(client, WIJKAGENT)
    page = get(client, "/overleggen")
    assert "Overleg plannen" not in page
    post(
        client,
        "/overleggen",
        {"type": TYPE, "datum": "2026-12-01", "tijd": "09:30", "csrf_token": token(page)},
        status=403,
    )
    assert len(api(client, token_for, "/overleggen")["items"]) == before


def test_agenda_refused_for_non_chair(client: Client, token_for: Headers) -> None:
    casus_id = casus_aangemeld(client, token_for, "Agendatest")
    meeting_id = plan(client, today() + dt.timedelta(days=14))
    login(client, REGISSEUR)
    html = get(client, "/overzicht")
    post(
        client,
        f"/overleggen/{meeting_id}/agenda",
        {"casus_id": casus_id, "briefing": "x", "csrf_token": token(html)},
        status=403,
    )
    assert api(client, token_for, f"/overleggen/{meeting_id}")["agenda"] == []
    # The future meeting has no verslag form yet, only the notice.
    login(client, EXPERT)
    page = get(client, f"/overleggen/{meeting_id}")
    assert "Casus agenderen" in page


def test_icalendar_export_parses(client: Client, token_for: Headers) -> None:
    casus_id = casus_aangemeld(client, token_for, "Icaltest")
    day = today() + dt.timedelta(days=3)
    place = "Gemeentehuis; kamer 2,14 — ingang Slotlaan"
    meeting_id = plan(client, day, place)
    html = get(client, f"/overleggen/{meeting_id}")
    post(
        client,
        f"/overleggen/{meeting_id}/agenda",
        {"casus_id": casus_id, "csrf_token": token(html)},
    )
    assert f'href="/overleggen/{meeting_id}.ics"' in get(client, f"/overleggen/{meeting_id}")

    response = client.get(f"/overleggen/{meeting_id}.ics", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded (RFC 5545 3.1)
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0"
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART").astimezone(TZ)
    assert (start.date(), start.hour, start.minute) == (day, 9, 30)
    assert event.decoded("DTEND") > event.decoded("DTSTART")
    assert str(event["LOCATION"]) == place  # escaped ; and , come back intact
    assert str(event["SUMMARY"]) == TYPE_NAME
    assert meeting_id in str(event["UID"])
    reference = api(client, token_for, f"/overleggen/{meeting_id}")["agenda"][0]["referentie"]
    description = str(event["DESCRIPTION"])
    assert reference in description and "Bradley" not in description  # no names leave

    # A professional whose organisation takes no part in the casus: not on their agenda.
    login(client, ZEIST_KLANTMANAGER)
    other = client.get(f"/overleggen/{meeting_id}.ics", follow_redirects=False)
    if other.status_code == 200:
        assert reference.encode() not in other.content
    else:
        assert other.status_code in (403, 404)
    assert "Niet gevonden" in get(client, "/overleggen/geen-overleg.ics", status=404)
