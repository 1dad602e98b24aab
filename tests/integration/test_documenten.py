"""Documents (issue 12): attachments on a casus or an information item, under the policy of
items of their category, stored in PostgreSQL under row-level security.

Upload, list and download by an authorised role; refused for a role or category without a
grant; another gemeente's id is 404; too large is 413 problem+json, a wrong type 415, a
missing category 422; nothing is written by a refused or invalid upload.
"""

from __future__ import annotations

import io
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
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from PIL import Image
from pypdf import PdfReader

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR, OUTSIDER = (
    ZEIST_WIJKAGENT,
    ZEIST_PGA_EXPERT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def module_client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def casus(module_client: TestClient[Litestar], token_for: Headers) -> dict[str, str]:
    client = module_client
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden: politie en zorg samen nodig.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": "Ilse", "achternaam": "Documenttest"},
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
        moved = client.post(f"{url}/{path}", json=body, headers={**expert, "If-Match": etag})
        assert moved.status_code == 200, moved.text
        etag = moved.headers["etag"]
    regie = client.put(
        f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": REGISSEUR}, headers=expert
    )
    assert regie.status_code == 200, regie.text
    return {"id": created.json()["id"], "url": url}


def upload(
    client: TestClient[Litestar],
    url: str,
    headers: dict[str, str],
    content: bytes,
    *,
    name: str = "toestemming.pdf",
    declared: str = "application/pdf",
    fields: dict[str, str] | None = None,
) -> Any:
    data = {"categorie": "algemeen", "omschrijving": "Getekend toestemmingsformulier"}
    data.update(fields or {})
    return client.post(
        f"{url}/documenten",
        files={"bestand": (name, content, declared)},
        data={k: v for k, v in data.items() if v is not None},
        headers=headers,
    )


def count_documents(runtime: Runtime, casus_id: str) -> int:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT count(*) FROM documents WHERE casus_id = :c"), {"c": casus_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def is_problem(response: Any) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/problem+json")


def test_upload_list_download_delete(
    module_client: TestClient[Litestar],
    token_for: Headers,
    casus: dict[str, str],
    runtime: Runtime,
) -> None:
    client, url = module_client, casus["url"]
    regisseur = token_for(T, REGISSEUR)
    created = upload(client, url, regisseur, PDF)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["mediatype"] == "application/pdf"
    assert body["grootte"] == len(PDF)
    assert body["bestandsnaam"] == "toestemming.pdf"
    assert created.headers["etag"] == '"v1"'

    # Another participant with a grant for 'algemeen' sees it and may download it.
    listed = client.get(f"{url}/documenten", headers=token_for(T, WIJKAGENT))
    assert listed.status_code == 200, listed.text
    mine = [d for d in listed.json()["items"] if d["id"] == body["id"]]
    assert mine and mine[0]["omschrijving"] == "Getekend toestemmingsformulier"
    download = client.get(
        f"{url}/documenten/{body['id']}/inhoud",
        params={"doel": "plan-van-aanpak"},
        headers=token_for(T, WIJKAGENT),
    )
    assert download.status_code == 200, download.text
    assert download.content == PDF
    assert "toestemming.pdf" in download.headers["content-disposition"]

    # The download is an audited read with its purpose.
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT action, purpose, allowed FROM audit_log WHERE resource_type = 'document' "
                "AND resource_id = :d AND user_id = :u"
            ),
            {"d": body["id"], "u": WIJKAGENT},
        ).all()
    engine.dispose()
    assert ("read", "plan-van-aanpak", True) in [tuple(r) for r in rows]

    # A PNG (sniffed, declared as the browser does for unknown files).
    image = upload(
        client,
        url,
        regisseur,
        png(),
        name="foto.png",
        declared="application/octet-stream",
        fields={"omschrijving": "Foto van de schade"},
    )
    assert image.status_code == 201, image.text
    assert image.json()["mediatype"] == "image/png"

    # Delete: only the source, with If-Match.
    target = f"{url}/documenten/{image.json()['id']}"
    assert client.delete(target, headers=regisseur).status_code == 428
    assert client.delete(target, headers={**regisseur, "If-Match": '"v9"'}).status_code == 412
    other = client.delete(target, headers={**token_for(T, WIJKAGENT), "If-Match": '"v1"'})
    assert other.status_code == 409 and is_problem(other)
    gone = client.delete(target, headers={**regisseur, "If-Match": '"v1"'})
    assert gone.status_code == 200, gone.text
    assert gone.json()["verwijderd"] is True
    assert client.get(f"{target}/inhoud", headers=regisseur).status_code == 404


def test_category_without_grant_and_other_roles_are_refused(
    module_client: TestClient[Litestar], token_for: Headers, casus: dict[str, str], runtime: Runtime
) -> None:
    client, url = module_client, casus["url"]
    before = count_documents(runtime, casus["id"])
    # As for items, the source may add its own data of any category; who reads it needs a
    # grant for that category (the wijkagent's domain, politie, has none for financieel).
    # The regisseur (sociaal wijkteam) may; the wijkagent then does not see it.
    allowed = upload(
        client,
        url,
        token_for(T, REGISSEUR),
        b"Overzicht schulden: drie schuldeisers.\n",
        name="schulden.txt",
        declared="text/plain",
        fields={"categorie": "financieel", "omschrijving": "Schuldenoverzicht"},
    )
    assert allowed.status_code == 201, allowed.text
    doc = allowed.json()["id"]
    listed = client.get(f"{url}/documenten", headers=token_for(T, WIJKAGENT)).json()
    assert doc not in {d["id"] for d in listed["items"]}
    assert listed["niet_zichtbaar"] >= 1
    assert "Schuldenoverzicht" not in str(listed)
    denied = client.get(f"{url}/documenten/{doc}/inhoud", headers=token_for(T, WIJKAGENT))
    assert denied.status_code == 403 and is_problem(denied)
    # A non-participant and a role without casework see nothing.
    for user in (OUTSIDER, ZEIST_BEHEERDER):
        response = client.get(f"{url}/documenten/{doc}/inhoud", headers=token_for(T, user))
        assert response.status_code in (403, 404), (user, response.status_code)
        assert "drie schuldeisers" not in response.text
        assert upload(client, url, token_for(T, user), PDF).status_code in (403, 404)
    assert count_documents(runtime, casus["id"]) == before + 1
    assert "categorie-geen-grant" in {r["code"] for r in denied.json()["redenen"]}


def test_other_tenant_gets_404(
    module_client: TestClient[Litestar], token_for: Headers, casus: dict[str, str], runtime: Runtime
) -> None:
    client, url = module_client, casus["url"]
    made = upload(client, url, token_for(T, REGISSEUR), PDF).json()["id"]
    foreign = token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT)
    before = count_documents(runtime, casus["id"])
    for response in (
        client.get(f"{url}/documenten", headers=foreign),
        client.get(f"{url}/documenten/{made}/inhoud", headers=foreign),
        client.delete(f"{url}/documenten/{made}", headers={**foreign, "If-Match": '"v1"'}),
        upload(client, url, foreign, PDF),
    ):
        assert response.status_code == 404, response.text
        assert is_problem(response)
    assert count_documents(runtime, casus["id"]) == before
    # An unknown document id of this casus: 404 as well.
    unknown = client.get(f"{url}/documenten/{uuid.uuid4()}/inhoud", headers=token_for(T, REGISSEUR))
    assert unknown.status_code == 404


def test_too_large_wrong_type_and_missing_fields_write_nothing(
    module_client: TestClient[Litestar], token_for: Headers, casus: dict[str, str], runtime: Runtime
) -> None:
    client, url = module_client, casus["url"]
    regisseur = token_for(T, REGISSEUR)
    before = count_documents(runtime, casus["id"])
    limit = runtime.settings.document_max_bytes
    big = upload(client, url, regisseur, PDF + b"0" * limit)
    assert big.status_code == 413, big.text
    assert is_problem(big)
    assert big.json()["code"] == "document-te-groot"
    assert "te groot" in big.json()["detail"]

    exe = upload(client, url, regisseur, b"MZ\x90\x00\x03\x00\x00\x00", name="brief.pdf")
    assert exe.status_code == 415, exe.text
    assert is_problem(exe) and "niet toegestaan" in exe.json()["detail"]
    # Declared as PNG, but the content is a PDF: the content decides.
    lying = upload(client, url, regisseur, PDF, name="foto.png", declared="image/png")
    assert lying.status_code == 415, lying.text
    # A PNG header with garbage behind it is no image.
    broken = upload(client, url, regisseur, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, name="x.png")
    assert broken.status_code == 415

    no_category = upload(client, url, regisseur, PDF, fields={"categorie": ""})
    assert no_category.status_code == 422, no_category.text
    assert "categorie" in {e["field"] for e in no_category.json()["errors"]}
    unknown = upload(client, url, regisseur, PDF, fields={"categorie": "geheim"})
    assert unknown.status_code == 422
    no_file = client.post(
        f"{url}/documenten",
        data={"categorie": "algemeen", "omschrijving": "Zonder bestand"},
        headers=regisseur,
    )
    assert no_file.status_code == 422, no_file.text
    assert "bestand" in {e["field"] for e in no_file.json()["errors"]}
    assert count_documents(runtime, casus["id"]) == before


def test_document_on_an_item_follows_the_item(
    module_client: TestClient[Litestar], token_for: Headers, casus: dict[str, str]
) -> None:
    client, url = module_client, casus["url"]
    regisseur = token_for(T, REGISSEUR)
    item = client.post(
        f"{url}/informatie",
        json={
            "categorie": "algemeen",
            "titel": "Rapportage wijkteam",
            "inhoud": "Verslag van het huisbezoek.",
            "doel": "plan-van-aanpak",
            "grondslag": "publieke-taak",
        },
        headers=regisseur,
    )
    assert item.status_code == 201, item.text
    item_id = item.json()["id"]
    attached = upload(
        client,
        url,
        regisseur,
        PDF,
        name="rapportage.pdf",
        fields={"informatie_id": item_id, "omschrijving": "Rapportage huisbezoek"},
    )
    assert attached.status_code == 201, attached.text
    doc = attached.json()
    assert doc["informatie_id"] == item_id
    # The item is not shared yet: for the others neither item nor document exists.
    wijkagent = token_for(T, WIJKAGENT)
    assert doc["id"] not in {
        d["id"] for d in client.get(f"{url}/documenten", headers=wijkagent).json()["items"]
    }
    assert client.get(f"{url}/documenten/{doc['id']}/inhoud", headers=wijkagent).status_code == 404
    # A category other than the item's is refused.
    other = upload(
        client, url, regisseur, PDF, fields={"informatie_id": item_id, "categorie": "financieel"}
    )
    assert other.status_code == 422
    # Shared: visible; withheld by the source: hidden again (the source decides).
    shared = client.post(
        f"{url}/informatie/{item_id}/delen",
        json={
            "doel": "plan-van-aanpak",
            "grondslag": "publieke-taak",
            "noodzaak": "Nodig voor het plan van aanpak.",
            "persoon_geinformeerd": True,
        },
        headers=regisseur,
    )
    assert shared.status_code == 200, shared.text
    seen = client.get(
        f"{url}/documenten/{doc['id']}/inhoud",
        params={"doel": "plan-van-aanpak"},
        headers=wijkagent,
    )
    assert seen.status_code == 200 and seen.content == PDF
    withheld = client.post(f"{url}/informatie/{item_id}/achterhouden", headers=regisseur)
    assert withheld.status_code == 200, withheld.text
    hidden = client.get(
        f"{url}/documenten/{doc['id']}/inhoud",
        params={"doel": "plan-van-aanpak"},
        headers=wijkagent,
    )
    assert hidden.status_code == 403
    assert "bron-achtergehouden" in {r["code"] for r in hidden.json()["redenen"]}


def test_documents_are_in_the_inzage(
    module_client: TestClient[Litestar], token_for: Headers, casus: dict[str, str]
) -> None:
    """Art. 15: the person's overview lists the documents (the files on request), and a
    document on a withheld item as withheld, with its ground."""
    client, url = module_client, casus["url"]
    expert = token_for(T, EXPERT)
    made = upload(
        client,
        url,
        token_for(T, REGISSEUR),
        b"Verslag startgesprek.\n",
        name="startgesprek.txt",
        declared="text/plain",
        fields={"omschrijving": "Verslag van het startgesprek"},
    )
    assert made.status_code == 201, made.text
    person = client.get(url, headers=expert).json()["persoon"]["id"]
    inzage = client.post(f"/api/v1/personen/{person}/inzage", headers=expert)
    assert inzage.status_code == 200, inzage.text
    [own] = [c for c in inzage.json()["casussen"] if c["id"] == casus["id"]]
    listed = {d["id"]: d for d in own["documenten"]}
    assert listed[made.json()["id"]]["omschrijving"] == "Verslag van het startgesprek"
    assert any(w["wat"] == "document" for w in own["achtergehouden"])  # the withheld item's
    pdf = client.post(f"/api/v1/personen/{person}/inzage/pdf", headers=expert)
    assert pdf.status_code == 200
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Verslag van het startgesprek" in text


def test_the_source_withholds_and_releases_its_document(
    module_client: TestClient[Litestar], token_for: Headers, casus: dict[str, str]
) -> None:
    client, url = module_client, casus["url"]
    regisseur, wijkagent = token_for(T, REGISSEUR), token_for(T, WIJKAGENT)
    made = upload(client, url, regisseur, PDF, fields={"omschrijving": "Rapport lopend onderzoek"})
    assert made.status_code == 201, made.text
    doc = f"{url}/documenten/{made.json()['id']}"
    # Only the source withholds.
    other = client.post(f"{doc}/achterhouden", headers=wijkagent)
    assert other.status_code == 403 and is_problem(other)
    assert "alleen-bron-achterhouden" in {r["code"] for r in other.json()["redenen"]}
    withheld = client.post(f"{doc}/achterhouden", headers=regisseur)
    assert withheld.status_code == 200, withheld.text
    assert withheld.json()["achtergehouden"] is True
    assert client.get(f"{doc}/inhoud", headers=wijkagent).status_code == 403
    listed = client.get(f"{url}/documenten", headers=wijkagent).json()
    assert made.json()["id"] not in {d["id"] for d in listed["items"]}
    assert client.get(f"{doc}/inhoud", headers=regisseur).status_code == 200  # the source
    stale = client.post(f"{doc}/vrijgeven", headers={**regisseur, "If-Match": '"v1"'})
    assert stale.status_code == 412
    released = client.post(f"{doc}/vrijgeven", headers=regisseur)
    assert released.status_code == 200, released.text
    assert client.get(f"{doc}/inhoud", headers=wijkagent).status_code == 200
