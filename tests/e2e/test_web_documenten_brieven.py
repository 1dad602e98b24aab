"""Letters and documents in the browser (issue 12): on the casus page the casusregisseur
makes the notificatiebrief (PDF) in the phase informeren, and every participant with a grant
adds documents (file, category, description) and downloads them; errors come back in Dutch
on the form with what was typed (too large, wrong type, no category)."""

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
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from pypdf import PdfReader

from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
EXPERT, REGISSEUR, WIJKAGENT, OUTSIDER = (
    ZEIST_PGA_EXPERT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_WIJKAGENT,
    ZEIST_KLANTMANAGER,
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def casus(web: Client, token_for: Headers) -> dict[str, str]:
    """A Zeist casus just included (phase informeren) with its casusregisseur."""
    surname = f"Webbrief{uuid.uuid4().hex[:6]}"
    created = web.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden tegelijk: integrale aanpak nodig.",
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Wilma",
                "achternaam": surname,
                "adres": {"straat": "Dorpsstraat", "huisnummer": "3", "woonplaats": "Zeist"},
            },
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}"
    expert = token_for(T, EXPERT)
    etag = created.headers["etag"]
    for path, body in (
        ("overgang", {"naar": "in_triage"}),
        (
            "triage",
            {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
        ),
    ):
        moved = web.post(f"{url}/{path}", json=body, headers={**expert, "If-Match": etag})
        assert moved.status_code == 200, moved.text
        etag = moved.headers["etag"]
    regie = web.put(
        f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": REGISSEUR}, headers=expert
    )
    assert regie.status_code == 200, regie.text
    return {"id": created.json()["id"], "surname": surname}


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:800])
    return response.text


def token(html: str) -> str:
    match = re.search(rf'name="{CSRF_FIELD}" value="([^"]*)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def add_document(
    client: Client,
    casus_id: str,
    html: str,
    content: bytes,
    *,
    name: str = "toestemming.pdf",
    category: str = "algemeen",
    description: str = "Getekend toestemmingsformulier",
) -> Any:
    return client.post(
        f"/casussen/{casus_id}/documenten",
        data={CSRF_FIELD: token(html), "categorie": category, "omschrijving": description},
        files={"bestand": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def test_the_casusregisseur_makes_the_notificatiebrief(web: Client, casus: dict[str, str]) -> None:
    login_as(web, T, REGISSEUR)
    html = page(web, f"/casussen/{casus['id']}")
    assert "Notificatiebrief maken (PDF)" in html
    assert "Afsluitbrief maken (PDF)" not in html  # not closed
    response = web.post(
        f"/casussen/{casus['id']}/brieven/notificatiebrief",
        data={CSRF_FIELD: token(html)},
        follow_redirects=False,
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Wilma {casus['surname']}" in text and "Dorpsstraat 3" in text
    # Without a valid form token nothing is made.
    stale = web.post(
        f"/casussen/{casus['id']}/brieven/notificatiebrief",
        data={CSRF_FIELD: "verlopen"},
        follow_redirects=False,
    )
    assert stale.status_code != 200 or "application/pdf" not in stale.headers["content-type"]
    # A professional who does not take part sees no button and gets no letter.
    login_as(web, T, OUTSIDER)
    home = page(web, "/casussen")
    refused = web.post(
        f"/casussen/{casus['id']}/brieven/notificatiebrief",
        data={CSRF_FIELD: token(home)},
        follow_redirects=False,
    )
    assert refused.status_code in (403, 404)
    assert casus["surname"] not in refused.text


def test_documents_upload_list_download_and_dutch_errors(
    web: Client, casus: dict[str, str], runtime: Runtime
) -> None:
    login_as(web, T, REGISSEUR)
    url = f"/casussen/{casus['id']}"
    html = page(web, url)
    assert 'id="kop-documenten"' in html and 'enctype="multipart/form-data"' in html

    added = add_document(web, casus["id"], html, PDF)
    assert added.status_code == 303, added.text[:500]
    assert "melding=document-toegevoegd" in added.headers["location"]
    html = page(web, url + "?melding=document-toegevoegd")
    assert "Het document is toegevoegd." in html
    assert "Getekend toestemmingsformulier" in html and "toestemming.pdf" in html
    link = re.search(rf'href="(/casussen/{casus["id"]}/documenten/[0-9a-f-]+)\?doel=[a-z-]+"', html)
    assert link, "no download link"
    download = web.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert "attachment" in download.headers["content-disposition"]

    # Errors in Dutch on the form, the description kept.
    wrong = add_document(
        web, casus["id"], html, b"MZ\x90\x00binary", name="brief.exe", description="Mijn uitleg"
    )
    assert wrong.status_code == 422
    assert "Dit bestandstype is niet toegestaan" in wrong.text
    assert 'value="Mijn uitleg"' in wrong.text
    big = add_document(web, casus["id"], html, PDF + b"0" * runtime.settings.document_max_bytes)
    assert big.status_code == 422
    assert "Het bestand is te groot" in big.text
    no_category = add_document(web, casus["id"], html, PDF, category="")
    assert no_category.status_code == 422
    assert "Kies de categorie van de gegevens." in no_category.text
    assert 'aria-invalid="true"' in no_category.text

    # Withhold and release from the page (the source decides).
    doc_id = link.group(1).rsplit("/", 1)[1]
    html = page(web, url)
    held = web.post(
        f"{url}/documenten/{doc_id}/achterhouden",
        data={CSRF_FIELD: token(html), "versie": "1"},
        follow_redirects=False,
    )
    assert held.status_code == 303, held.text[:500]
    html = page(web, url + "?melding=document-achtergehouden")
    assert "achtergehouden" in html and "Vrijgeven" in html
    released = web.post(
        f"{url}/documenten/{doc_id}/vrijgeven",
        data={CSRF_FIELD: token(html), "versie": "2"},
        follow_redirects=False,
    )
    assert released.status_code == 303, released.text[:500]

    # Delete from the page (the source only).
    html = page(web, url)
    removed = web.post(
        f"{url}/documenten/{doc_id}/verwijderen",
        data={CSRF_FIELD: token(html), "versie": "3"},
        follow_redirects=False,
    )
    assert removed.status_code == 303, removed.text[:500]
    assert web.get(link.group(1)).status_code == 404

    # Another gemeente: not found.
    login_as(web, ZOETERMEER, ZOETERMEER_PGA_EXPERT)
    page(web, url, 404)
