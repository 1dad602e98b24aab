"""Group approach steps 3-7 in the browser (plain HTML forms through the same services as
the API): each step's content, the refusal to click a step through empty with the Dutch
list of what is missing, the anonymised voorlegging and the driehoek's page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_COORDINATOR, ZEIST_DRIEHOEK, ZEIST_PGA_EXPERT

from services.casework.domain.local_time import local_today

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
COORDINATOR, EXPERT, DRIEHOEK = ZEIST_COORDINATOR, ZEIST_PGA_EXPERT, ZEIST_DRIEHOEK
API = "/api/v1/casussen"


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:800])
    return response.text


def form_post(client: Client, url: str, data: dict[str, str], status: int = 303) -> Any:
    casus_page = re.match(r"^/casussen/[0-9a-f-]{36}", url)
    assert casus_page, url
    html = page(client, casus_page.group(0))
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    version = re.search(r'name="versie" value="(\d+)"', html)
    plan = re.search(r'name="planversie" value="(\d+)"', html)
    assert token
    body = {"csrf_token": token.group(1), **data}
    if version:
        body.setdefault("versie", version.group(1))
    if plan:
        body.setdefault("planversie", plan.group(1))
    response = client.post(url, data=body, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:2000])
    return response


def group_in_step_3(client: Client, token_for: Headers) -> str:
    """A group made and moved to step 3 through the API (steps 1-2 are not this test's)."""
    coordinator, expert = token_for(T, COORDINATOR), token_for(T, EXPERT)
    created = client.post(
        API,
        json={
            "soort": "groep",
            "waarom_integraal": "Groep jongeren veroorzaakt overlast bij het station.",
            "geinformeerd": True,
            "groepsnaam": "Groep Stationsplein",
        },
        headers=coordinator,
    )
    assert created.status_code == 201, created.text
    url = f"{API}/{created.json()['id']}"
    regie = {"rol": "uitvoeringscoordinator", "gebruiker": COORDINATOR}
    assert client.put(f"{url}/regie", json=regie, headers=expert).status_code == 200
    member = {"rol": "kern", "persoon": {"voornamen": "Sverre", "achternaam": "Stationslid"}}
    for target, who in (("stap-2", expert), ("stap-3", coordinator)):
        etag = client.get(url, headers=who).headers["etag"]
        moved = client.post(
            f"{url}/overgang",
            json={"naar": target, "reden": "Volgende stap."},
            headers={**who, "If-Match": etag},
        )
        assert moved.status_code == 200, moved.text
        if target == "stap-2":
            assert client.post(f"{url}/leden", json=member, headers=coordinator).status_code == 201
    return str(created.json()["id"])


def test_group_steps_3_to_7_in_the_browser(web: Client, token_for: Headers) -> None:
    casus_id = group_in_step_3(web, token_for)
    casus = f"/casussen/{casus_id}"
    assert login_as(web, T, COORDINATOR).status_code == 200
    html = page(web, casus)
    assert "Groepsaanpak: inhoud per stap" in html
    assert "Nog nodig voordat de groep naar de volgende stap kan" in html

    # Clicking "naar stap 4" with nothing recorded: refused, with what is missing, in Dutch.
    refused = form_post(web, f"{casus}/overgang", {"naar": "stap-4"}, status=409)
    assert "Stap 3 is nog niet af" in refused.text
    assert "Leg het integraal beeld van de groep vast." in refused.text
    assert "Stel een conceptplan van aanpak op." in refused.text

    # Too short: the form comes back with the message beside the field and the input kept.
    short = form_post(web, f"{casus}/groep/integraal-beeld", {"tekst": "Kort."}, status=422)
    assert "Beschrijf het integraal beeld in ten minste 20 tekens." in short.text
    assert ">Kort.</textarea>" in short.text
    beeld = "Kern van drie jongeren; Sverre is de spil, meelopers uit de buurt."
    done = form_post(web, f"{casus}/groep/integraal-beeld", {"tekst": beeld})
    assert done.headers["location"].endswith("melding=groepsstap-integraal-beeld")
    no_goal = form_post(
        web,
        f"{casus}/groep/conceptdoel",
        {"leefgebied": "tijdsbesteding", "probleem": "", "doel": "Dagbesteding voor allen."},
        status=422,
    )
    assert "Vul dit veld in." in no_goal.text
    form_post(
        web,
        f"{casus}/groep/conceptdoel",
        {
            "leefgebied": "tijdsbesteding",
            "probleem": "Geen dagbesteding; rondhangen bij het station.",
            "doel": "Iedere jongere heeft school, werk of een vaste activiteit.",
            "eindcriterium": "Drie maanden geen meldingen over de groep.",
        },
    )
    html = page(web, casus)
    assert beeld in html and "Stap 3 (integraal beeld en conceptplan) is compleet" in html
    form_post(web, f"{casus}/overgang", {"naar": "stap-4"})

    # Step 4: the voorlegging is anonymised — a member's name is refused.
    named = form_post(
        web,
        f"{casus}/groep/voorlegging",
        {"tekst": "Sverre en twee anderen intimideren reizigers bij het station."},
        status=422,
    )
    assert "De driehoek ziet de groep alleen geanonimiseerd" in named.text
    voorlegging = "Groep van circa acht jongeren; kern van drie; intimidatie van reizigers."
    form_post(web, f"{casus}/groep/voorlegging", {"tekst": voorlegging})
    no_priority = form_post(
        web, f"{casus}/groep/advies", {"advies": "Integrale aanpak, met voorrang."}, status=422
    )
    assert 'id="groepsstap-advies-prioriteit-fout1"' in no_priority.text
    assert "Integrale aanpak, met voorrang.</textarea>" in no_priority.text
    advice = "Integrale aanpak met voorrang; cameratoezicht bij het station."
    form_post(
        web,
        f"{casus}/groep/advies",
        {"advies": advice, "prioriteit": "hoog", "besproken_op": local_today().isoformat()},
    )
    # What the driehoek sees: the same page for the driehoek and as a preview, anonymised.
    preview = page(web, f"{casus}/driehoek")
    assert voorlegging in preview and advice in preview and "Sverre" not in preview
    assert login_as(web, T, DRIEHOEK).status_code == 200
    seen = page(web, f"{casus}/driehoek")
    assert voorlegging in seen and "Hoog: met voorrang aanpakken" in seen
    for secret in ("Sverre", "Stationslid", beeld, "Groep Stationsplein", COORDINATOR):
        assert secret not in seen
    denied = page(web, casus, status=403)
    assert "Sverre" not in denied and beeld not in denied
    assert 'href="/driehoek"' in denied  # the way to what the driehoek may see
    listed = page(web, "/driehoek")
    assert f'href="{casus}/driehoek"' in listed and "Hoog: met voorrang aanpakken" in listed
    assert "Sverre" not in listed and "Groep Stationsplein" not in listed
    assert login_as(web, T, COORDINATOR).status_code == 200
    form_post(web, f"{casus}/overgang", {"naar": "stap-5"})

    # Step 5: the plan per spoor and its nulmeting.
    form_post(
        web,
        f"{casus}/groep/interventie",
        {"spoor": "bestuurlijk", "omschrijving": "Cameratoezicht bij het station."},
    )
    half = form_post(web, f"{casus}/overgang", {"naar": "stap-6"}, status=409)
    assert "Leg de nulmeting vast." in half.text
    form_post(
        web,
        f"{casus}/groep/nulmeting",
        {"spoor": "bestuurlijk", "indicator": "Meldingen per maand", "waarde": "11"},
    )
    html = page(web, casus)
    assert "Cameratoezicht bij het station." in html and "Meldingen per maand" in html
    form_post(web, f"{casus}/overgang", {"naar": "stap-6"})

    # Step 6: voortgang; step 7: the evaluation with the nameting; then closing.
    assert "Leg de voortgang van de uitvoering vast." in page(web, casus)
    form_post(
        web,
        f"{casus}/groep/voortgang",
        {"spoor": "bestuurlijk", "tekst": "Camera's geplaatst; minder meldingen sinds juni."},
    )
    form_post(web, f"{casus}/overgang", {"naar": "stap-7"})
    no_after = form_post(
        web,
        f"{casus}/groep/evaluatie",
        {"conclusie": "Overlast sterk afgenomen; de kern is uiteengevallen."},
        status=422,
    )
    assert "Geef de nameting voor het spoor bestuurlijk" in no_after.text
    form_post(
        web,
        f"{casus}/groep/evaluatie",
        {
            "conclusie": "Overlast sterk afgenomen; de kern is uiteengevallen.",
            "nameting.bestuurlijk": "2",
            "vervolg": "Wijkagent houdt de vinger aan de pols.",
        },
    )
    form_post(web, f"{casus}/overgang", {"naar": "afgesloten"})
    html = page(web, casus)
    assert "Afgesloten" in html and "Overlast sterk afgenomen" in html
    # A part of another step is refused with its reason (and nothing changes).
    late = form_post(
        web, f"{casus}/groep/voortgang", {"tekst": "Nog een late voortgangsregel."}, status=409
    )
    assert "De groepscasus is afgesloten." in late.text


def test_a_form_for_another_step_says_which_step_it_belongs_to(
    web: Client, token_for: Headers
) -> None:
    casus_id = group_in_step_3(web, token_for)
    assert login_as(web, T, COORDINATOR).status_code == 200
    wrong = form_post(
        web,
        f"/casussen/{casus_id}/groep/advies",
        {"advies": "Integrale aanpak met voorrang.", "prioriteit": "hoog"},
        status=409,
    )
    assert "Het advies van de driehoek hoort bij stap 4; deze groep is stap 3." in wrong.text


def test_a_nul_byte_in_a_form_field_is_refused_not_a_500(web: Client, token_for: Headers) -> None:
    """NUL bytes never reach the database: the input guard refuses them with a Dutch 422
    (issue 11) before any handler runs, and nothing is stored."""
    casus_id = group_in_step_3(web, token_for)
    assert login_as(web, T, EXPERT).status_code == 200
    refused = form_post(
        web, f"/casussen/{casus_id}/deelnemers", {"organisatie": "\x00"}, status=422
    )
    assert "ongeldige-tekens" in refused.text
    nul_text = form_post(
        web,
        f"/casussen/{casus_id}/groep/integraal-beeld",
        {"tekst": "Kern van drie jongeren\x00 met meelopers uit de buurt."},
        status=422,
    )
    assert "ongeldige-tekens" in nul_text.text
    html = page(web, f"/casussen/{casus_id}")
    assert "Kern van drie jongeren" not in html
