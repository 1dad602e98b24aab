"""The AVG pages in the browser: the access log tab for the regie, the correction and
restriction forms, and the inzage document (HTML and PDF) for the pga-expert."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_CASUSREGISSEUR_NAME,
    ZEIST_PGA_EXPERT,
    ZEIST_PGA_EXPERT_NAME,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from pypdf import PdfReader

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
EXPERT, REGISSEUR, WIJKAGENT = ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR, ZEIST_WIJKAGENT


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def casus(web: Client, token_for: Headers) -> dict[str, str]:
    surname = f"Webavg{uuid.uuid4().hex[:6]}"
    created = web.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden tegelijk: integrale aanpak nodig.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Wilma", "achternaam": surname, "roepnaam": "Wil"},
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    casus_id = created.json()["id"]
    regie = web.put(
        f"/api/v1/casussen/{casus_id}/regie",
        json={"rol": "casusregisseur", "gebruiker": REGISSEUR},
        headers=token_for(T, EXPERT),
    )
    assert regie.status_code == 200, regie.text
    person = web.get(f"/api/v1/casussen/{casus_id}", headers=token_for(T, EXPERT)).json()
    return {"id": casus_id, "person": person["persoon"]["id"], "surname": surname}


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:800])
    return response.text


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


def test_access_log_tab_for_the_regie_only(web: Client, casus: dict[str, str]) -> None:
    login_as(web, T, REGISSEUR)
    detail = page(web, f"/casussen/{casus['id']}")
    assert f"/casussen/{casus['id']}/toegangslog" in detail
    log = page(web, f"/casussen/{casus['id']}/toegangslog")
    assert "Wie heeft" in log and "toegestaan" in log
    assert (
        ZEIST_PGA_EXPERT_NAME in log and ZEIST_CASUSREGISSEUR_NAME in log
    )  # who appointed, who reads
    login_as(web, T, WIJKAGENT)
    refused = page(web, f"/casussen/{casus['id']}/toegangslog", 403)
    assert "avg-alleen-regie" in refused
    login_as(web, ZOETERMEER, ZOETERMEER_PGA_EXPERT)
    page(web, f"/casussen/{casus['id']}/toegangslog", 404)
    page(web, f"/personen/{casus['person']}/avg", 404)


def test_correction_form_shows_new_value_and_keeps_the_old(
    web: Client, casus: dict[str, str]
) -> None:
    login_as(web, T, REGISSEUR)
    url = f"/personen/{casus['person']}/avg"
    form = page(web, url)
    data: dict[str, Any] = {
        "csrf_token": field(form, "csrf_token"),
        "versie": field(form, "versie"),
        "actie": "correctie",
        "voornamen": "Wilma",
        "achternaam": casus["surname"],
        "roepnaam": "Willy",
        "geboortedatum": "",
        "reden": "Verzoek van de betrokkene: roepnaam Willy.",
    }
    short = web.post(url, data={**data, "reden": "x"}, follow_redirects=False)
    assert short.status_code == 422 and "reden" in short.text.lower()
    done = web.post(url, data=data, follow_redirects=False)
    assert done.status_code == 303, done.text[:800]
    after = page(web, done.headers["location"])
    assert 'value="Willy"' in after  # the new value
    assert "<td>Wil</td>" in after and "<td>Willy</td>" in after  # the history: old and new
    stale = web.post(url, data=data, follow_redirects=False)  # the old version again
    assert stale.status_code == 412

    restrict = page(web, url)
    done = web.post(
        url,
        data={
            "csrf_token": field(restrict, "csrf_token"),
            "versie": field(restrict, "versie"),
            "actie": "beperking",
            "beperkt": "ja",
            "reden": "Betrokkene betwist de juistheid.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    login_as(web, T, EXPERT)
    assert (
        casus["surname"]
        not in page(web, f"/casussen/{casus['id']}").split("<main")[1].split("AVG-verzoeken")[0]
    )


def test_inzage_from_the_browser_for_the_pga_expert(web: Client, casus: dict[str, str]) -> None:
    login_as(web, T, EXPERT)
    url = f"/personen/{casus['person']}/avg"
    form = page(web, url)
    assert "Inzage als PDF" in form
    token = field(form, "csrf_token")
    html = web.post(
        f"/personen/{casus['person']}/inzage", data={"csrf_token": token, "formaat": "html"}
    )
    assert html.status_code == 200 and casus["surname"] in html.text
    pdf = web.post(
        f"/personen/{casus['person']}/inzage", data={"csrf_token": token, "formaat": "pdf"}
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert casus["surname"] in text
    forged = web.post(f"/personen/{casus['person']}/inzage", data={"formaat": "pdf"})
    assert forged.status_code == 403
    login_as(web, T, REGISSEUR)
    regie_form = page(web, url)
    assert "Inzage als PDF" not in regie_form
    refused = web.post(
        f"/personen/{casus['person']}/inzage",
        data={"csrf_token": field(regie_form, "csrf_token"), "formaat": "pdf"},
    )
    assert refused.status_code == 403 and "inzage-alleen-pga-expert" in refused.text
