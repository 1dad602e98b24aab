"""A beperking (art. 18 AVG) in a shared casus, route by route: overleg, brieven,
huishouden and documenten.

:mod:`test_restriction_shared_casus` checks the shared restriction lookup through the casus,
its list row, the search and the casus page. The routes here read the person (or a
restricted item) their own way: the casusoverleg shows the subject on the agenda, a letter
holds the name and address, the household section lists the gezinsleden (persons of their
own) and a document follows its casus's subject and its item. For a casus of Zeist shared by
opschaling with the regional bureau, the bureau's reader must not see a restricted person's
name, birth date or BSN, nor a restricted item's document, through any of them (API and
HTML page), and the owning gemeente is held back exactly as before.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
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

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
Z, REGIO = ZEIST, REGIO_UTRECHT
EXPERT, REGISSEUR, WIJKAGENT = ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR, ZEIST_WIJKAGENT
BUREAU = REGIO_UTRECHT_PGA_EXPERT
#: The regional bureau reads the opgeschaalde casus for its purpose.
OPSCHALING = "?doel=opschaling"
#: The convenant gives the regie the household (derden) for plan-van-aanpak and uitvoering
#: only: the owner reads the household of the closed casus for the purpose it had.
OWNER_DOEL = "?doel=uitvoering"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = {"Accept": "text/html"}
SUBJECT_BIRTH, MEMBER_BIRTH = "1999-03-14", "1968-09-27"
SUBJECT_BIRTH_NL = "14 maart 1999"


def _bsn() -> str:
    """A random BSN that passes the elfproef (so no other test's person has it)."""
    while True:
        digits = [random.randint(1, 9), *(random.randint(0, 9) for _ in range(7))]
        rest = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if rest < 10:
            return "".join(map(str, digits)) + str(rest)


@pytest.fixture(scope="module")
def module_client(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as test_client:
        yield test_client


def _browser(app: Litestar, tenant: str, user: str) -> Iterator[Client]:
    with TestClient(app) as test_client:
        login_as(test_client, tenant, user)
        yield test_client


@pytest.fixture
def bureau_browser(app: Litestar) -> Iterator[Client]:
    yield from _browser(app, REGIO, BUREAU)


@pytest.fixture
def owner_browser(app: Litestar) -> Iterator[Client]:
    """The casusregisseur of Zeist: sees the casus in full, the letters and the household."""
    yield from _browser(app, Z, REGISSEUR)


@pytest.fixture
def expert_browser(app: Litestar) -> Iterator[Client]:
    yield from _browser(app, Z, EXPERT)


def _upload(client: Client, url: str, headers: dict[str, str], **fields: str) -> str:
    document = client.post(
        f"{url}/documenten",
        files={"bestand": ("verslag.pdf", PDF, "application/pdf")},
        data={"categorie": "algemeen", **fields},
        headers=headers,
    )
    assert document.status_code == 201, document.text
    return str(document.json()["id"])


@pytest.fixture(scope="module")
def shared(module_client: Client, token_for: Headers) -> dict[str, Any]:
    """A person casus of Zeist (subject with BSN and address, a household member with BSN,
    on the agenda of a casusoverleg, a shared item with a document attached and a document
    on the casus), opgeschaald: shared with the regional bureau."""
    client = module_client
    tag = uuid.uuid4().hex[:6]
    subject = {"surname": f"Beperkroute{tag}", "bsn": _bsn(), "street": f"Lindelaan{tag}"}
    member = {"surname": f"Gezinsbeperkt{tag}", "bsn": _bsn()}
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast, justitie en zorg tegelijk: integraal nodig.",
            "problemen": {"justitie": "Aanhoudingen.", "financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Mirte",
                "achternaam": subject["surname"],
                "geboortedatum": SUBJECT_BIRTH,
                "bsn": subject["bsn"],
                "adres": {
                    "straat": subject["street"],
                    "huisnummer": "7",
                    "postcode": "3701 AB",
                    "woonplaats": "Zeist",
                },
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
    household = client.post(
        f"{url}/gezinsleden",
        json={
            "relatie": "ouder",
            "persoon": {
                "voornamen": "Hendrika",
                "achternaam": member["surname"],
                "geboortedatum": MEMBER_BIRTH,
                "bsn": member["bsn"],
            },
        },
        headers=regisseur,
    )
    assert household.status_code == 201, household.text
    # A casusoverleg of Zeist with the casus on the agenda (far ahead: no other test's
    # "vorig overleg" or list of held meetings sees it).
    meeting = client.post(
        "/api/v1/overleggen",
        json={
            "type": "pga-kernteam",
            "datum_tijd": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)).isoformat(),
            "agenda": [{"casus_id": casus_id, "briefing": "Voortgang bespreken."}],
        },
        headers=expert,
    )
    assert meeting.status_code == 201, meeting.text
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
    item_document = _upload(
        client, url, wijkagent, informatie_id=item_id, omschrijving="Bijlage bij de afspraak"
    )
    document = _upload(client, url, regisseur, omschrijving="Verslag huisbezoek")
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
        "subject": subject,
        "member": member,
        "person_id": str(client.get(url, headers=expert).json()["persoon"]["id"]),
        "member_id": str(household.json()["id"]),
        "meeting_id": str(meeting.json()["id"]),
        "item_id": item_id,
        "item_document_id": item_document,
        "document_id": document,
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


def _traces(person: dict[str, str], birth: str) -> list[str]:
    """What of a person may not appear anywhere once they are restricted."""
    traces = [person["surname"], person["bsn"], birth]
    if "street" in person:
        traces.append(person["street"])
    return traces


def _assert_absent(body: str | bytes, traces: list[str], where: Any) -> None:
    text = body.decode("latin-1") if isinstance(body, bytes) else body
    for trace in traces:
        assert trace not in text, (where, trace)


def _csrf(html: str) -> str:
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert token, html[:500]
    return token.group(1)


def _letter_from_the_page(browser: Client, casus_id: str) -> Any:
    """Press "Afsluitbrief maken (PDF)" on the casus page (the form posts without a purpose)."""
    page = browser.get(f"/casussen/{casus_id}", headers=HTML)
    assert page.status_code == 200, page.text[:500]
    return browser.post(
        f"/casussen/{casus_id}/brieven/afsluitbrief", data={"csrf_token": _csrf(page.text)}
    )


# -- the restricted subject: overleg, brieven, documenten ----------------------------------------


def test_a_restricted_subject_is_not_on_the_agenda_in_a_letter_or_a_document(
    module_client: Client,
    owner_browser: Client,
    expert_browser: Client,
    bureau_browser: Client,
    token_for: Headers,
    shared: dict[str, Any],
) -> None:
    client = module_client
    url, casus_id = shared["url"], shared["id"]
    expert, regisseur = token_for(Z, EXPERT), token_for(Z, REGISSEUR)
    bureau = token_for(REGIO, BUREAU)
    traces = _traces(shared["subject"], SUBJECT_BIRTH)
    surname = shared["subject"]["surname"]
    meeting_api = f"/api/v1/overleggen/{shared['meeting_id']}"
    meeting_page = f"/overleggen/{shared['meeting_id']}"
    document = shared["document_id"]

    # Before: the owner sees the subject on the agenda (API and page) and makes the
    # afsluitbrief; the bureau reads the casus's documents for opschaling; the overleg and
    # the letters are the gemeente's own (the bureau neither finds the meeting nor gets a
    # letter: no grant for name and address for afsluiting).
    agenda = client.get(meeting_api, headers=expert)
    assert agenda.status_code == 200, agenda.text
    [on_agenda] = [a for a in agenda.json()["agenda"] if a["casus_id"] == casus_id]
    assert on_agenda["persoon"]["achternaam"] == surname, on_agenda
    assert surname in expert_browser.get(meeting_page, headers=HTML).text
    letter = client.get(f"{url}/brieven/afsluitbrief", headers=regisseur)
    assert letter.status_code == 200, letter.text
    assert surname.encode() in letter.content
    from_page = _letter_from_the_page(owner_browser, casus_id)
    assert from_page.headers["content-type"] == "application/pdf", from_page.text[:500]
    assert surname.encode() in from_page.content
    listed = client.get(f"{url}/documenten{OPSCHALING}", headers=bureau)
    assert document in {d["id"] for d in listed.json()["items"]}, listed.text
    content = client.get(f"{url}/documenten/{document}/inhoud{OPSCHALING}", headers=bureau)
    assert content.status_code == 200 and content.content == PDF, content.text
    download = bureau_browser.get(f"/casussen/{casus_id}/documenten/{document}{OPSCHALING}")
    assert download.status_code == 200 and download.content == PDF, download.text[:500]

    def bureau_sees_nothing_of_the_overleg_or_the_letters() -> None:
        found = client.get(meeting_api, headers=bureau)
        assert found.status_code == 404, found.text
        _assert_absent(found.text, traces, "overleg-api")
        listed = client.get("/api/v1/overleggen", headers=bureau)
        assert listed.status_code in (200, 403), listed.text
        assert shared["meeting_id"] not in listed.text
        page = bureau_browser.get(meeting_page, headers=HTML)
        assert page.status_code == 404, page.text[:500]
        _assert_absent(page.text, traces, "overleg-page")
        for kind in ("notificatiebrief", "afsluitbrief"):
            for doel in ("", OPSCHALING):
                refused = client.get(f"{url}/brieven/{kind}{doel}", headers=bureau)
                assert refused.status_code == 403, (kind, refused.text)
                _assert_absent(refused.content, traces, kind)
        page_letter = _letter_from_the_page(bureau_browser, casus_id)
        assert page_letter.headers["content-type"] != "application/pdf"
        _assert_absent(page_letter.content, traces, "letter-page")

    bureau_sees_nothing_of_the_overleg_or_the_letters()

    person_url = f"/api/v1/personen/{shared['person_id']}"
    etag = _restrict(
        client, token_for, person_url, _person_etag(client, token_for, person_url), True
    )
    try:
        # Overleg: the owner's agenda shows the person as restricted, without data.
        agenda = client.get(meeting_api, headers=expert)
        assert agenda.status_code == 200, agenda.text
        [on_agenda] = [a for a in agenda.json()["agenda"] if a["casus_id"] == casus_id]
        assert on_agenda["persoon"]["weergave"] == "beperkt", on_agenda
        assert "leeftijdscategorie" not in on_agenda["persoon"], on_agenda
        _assert_absent(agenda.text, traces, "overleg-api-owner")
        page = expert_browser.get(meeting_page, headers=HTML)
        assert page.status_code == 200, page.text[:500]
        _assert_absent(page.text, [*traces, SUBJECT_BIRTH_NL], "overleg-page-owner")
        calendar = expert_browser.get(f"{meeting_page}.ics")
        assert calendar.status_code == 200, calendar.text[:500]
        _assert_absent(calendar.text, traces, "overleg-ics-owner")
        # Brieven: no letter for anyone (API and the casus page's button).
        for kind in ("notificatiebrief", "afsluitbrief"):
            refused = client.get(f"{url}/brieven/{kind}", headers=regisseur)
            assert refused.status_code == 403, (kind, refused.text)
            _assert_absent(refused.content, traces, kind)
        assert "verwerking-beperkt" in {r["code"] for r in refused.json()["redenen"]}
        from_page = _letter_from_the_page(owner_browser, casus_id)
        assert from_page.headers["content-type"] != "application/pdf"
        _assert_absent(from_page.content, [*traces, SUBJECT_BIRTH_NL], "letter-page-owner")
        bureau_sees_nothing_of_the_overleg_or_the_letters()
        # Documenten: the casus's documents are the person's data too (API, download page).
        readers = ((Z, REGISSEUR, ""), (REGIO, BUREAU, OPSCHALING))
        for tenant, user, doel in readers:
            headers = token_for(tenant, user)
            listed = client.get(f"{url}/documenten{doel}", headers=headers)
            assert listed.status_code in (200, 403), listed.text
            assert document not in listed.text, (tenant, listed.text)
            content = client.get(f"{url}/documenten/{document}/inhoud{doel}", headers=headers)
            assert content.status_code == 403, (tenant, content.text)
            assert "verwerking-beperkt" in {r["code"] for r in content.json()["redenen"]}
        for browser, doel in ((owner_browser, ""), (bureau_browser, OPSCHALING)):
            download = browser.get(f"/casussen/{casus_id}/documenten/{document}{doel}")
            assert download.status_code == 403, download.text[:500]
            assert download.content != PDF
            _assert_absent(download.text, [*traces, SUBJECT_BIRTH_NL], "download-page")
    finally:
        _restrict(client, token_for, person_url, etag, False)
    # Lifted: as before.
    assert client.get(f"{url}/brieven/afsluitbrief", headers=regisseur).status_code == 200
    content = client.get(f"{url}/documenten/{document}/inhoud{OPSCHALING}", headers=bureau)
    assert content.status_code == 200 and content.content == PDF


# -- a restricted household member: huishouden ---------------------------------------------------


def test_a_restricted_household_member_is_not_shown_in_the_household(
    module_client: Client,
    owner_browser: Client,
    bureau_browser: Client,
    token_for: Headers,
    shared: dict[str, Any],
) -> None:
    """A gezinslid is a person of their own, restricted on their own (as a person the casus
    is about). The bureau never reads Zeist's household members (third-party data are not
    shared by opschaling); the owner sees the restricted member without data."""
    client = module_client
    url, casus_id = shared["url"], shared["id"]
    regisseur, bureau = token_for(Z, REGISSEUR), token_for(REGIO, BUREAU)
    traces = _traces(shared["member"], MEMBER_BIRTH)
    surname = shared["member"]["surname"]
    casus_page = f"/casussen/{casus_id}"

    def members(response: Any) -> list[dict[str, Any]]:
        assert response.status_code == 200, response.text
        return [m for m in response.json() if m["persoon"]["id"] == shared["member_id"]]

    def bureau_sees_no_member() -> None:
        for doel in ("", OPSCHALING):
            household = client.get(f"{url}/gezinsleden{doel}", headers=bureau)
            assert household.status_code in (200, 403), household.text
            if household.status_code == 200:
                assert household.json() == [], household.text
            _assert_absent(household.text, traces, ("gezinsleden", doel))
            page = bureau_browser.get(casus_page + doel, headers=HTML)
            assert page.status_code == 200, page.text[:500]
            _assert_absent(page.text, traces, ("casus-page", doel))

    [member] = members(client.get(f"{url}/gezinsleden{OWNER_DOEL}", headers=regisseur))
    assert member["persoon"]["achternaam"] == surname, member
    assert surname in owner_browser.get(casus_page + OWNER_DOEL, headers=HTML).text
    bureau_sees_no_member()

    person_url = f"/api/v1/personen/{shared['member_id']}"
    etag = _restrict(
        client, token_for, person_url, _person_etag(client, token_for, person_url), True
    )
    try:
        household = client.get(f"{url}/gezinsleden{OWNER_DOEL}", headers=regisseur)
        [member] = members(household)
        assert member["persoon"]["weergave"] == "beperkt", member
        assert "leeftijdscategorie" not in member["persoon"], member
        _assert_absent(household.text, traces, "gezinsleden-owner")
        page = owner_browser.get(casus_page + OWNER_DOEL, headers=HTML)
        assert page.status_code == 200, page.text[:500]
        assert 'id="kop-huishouden"' in page.text
        _assert_absent(page.text, traces, "casus-page-owner")
        # The subject is not restricted: the owner still sees them.
        assert shared["subject"]["surname"] in page.text
        bureau_sees_no_member()
    finally:
        _restrict(client, token_for, person_url, etag, False)
    [member] = members(client.get(f"{url}/gezinsleden{OWNER_DOEL}", headers=regisseur))
    assert member["persoon"]["achternaam"] == surname


# -- a restricted item: its document -------------------------------------------------------------


def test_a_restricted_items_document_is_restricted_for_the_shared_reader(
    module_client: Client, bureau_browser: Client, token_for: Headers, shared: dict[str, Any]
) -> None:
    client = module_client
    url, casus_id = shared["url"], shared["id"]
    document = shared["item_document_id"]
    item_url = f"{url}/informatie/{shared['item_id']}"
    readers = ((Z, WIJKAGENT, ""), (Z, REGISSEUR, ""), (REGIO, BUREAU, OPSCHALING))
    for tenant, user, doel in readers:
        headers = token_for(tenant, user)
        listed = client.get(f"{url}/documenten{doel}", headers=headers)
        assert document in {d["id"] for d in listed.json()["items"]}, (tenant, listed.text)
        content = client.get(f"{url}/documenten/{document}/inhoud{doel}", headers=headers)
        assert content.status_code == 200, (tenant, user, content.text)
    download = bureau_browser.get(f"/casussen/{casus_id}/documenten/{document}{OPSCHALING}")
    assert download.status_code == 200 and download.content == PDF

    etag = _restrict(client, token_for, item_url, _item_etag(client, token_for, item_url), True)
    try:
        for tenant, user, doel in readers:
            headers = token_for(tenant, user)
            listed = client.get(f"{url}/documenten{doel}", headers=headers)
            assert listed.status_code == 200, listed.text
            shown = {d["id"] for d in listed.json()["items"]}
            assert document not in shown, (tenant, user)
            # The casus's own document is not the item's: still there.
            assert shared["document_id"] in shown, (tenant, user)
            content = client.get(f"{url}/documenten/{document}/inhoud{doel}", headers=headers)
            assert content.status_code == 403, (tenant, user, content.text)
            assert "verwerking-beperkt" in {r["code"] for r in content.json()["redenen"]}
        download = bureau_browser.get(f"/casussen/{casus_id}/documenten/{document}{OPSCHALING}")
        assert download.status_code == 403, download.text[:500]
        assert download.content != PDF
    finally:
        _restrict(client, token_for, item_url, etag, False)
    content = client.get(
        f"{url}/documenten/{document}/inhoud{OPSCHALING}", headers=token_for(REGIO, BUREAU)
    )
    assert content.status_code == 200 and content.content == PDF
