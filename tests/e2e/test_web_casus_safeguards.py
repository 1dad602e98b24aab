"""On the casus page, in the browser: toestemming recorded and revoked, household members,
doorbreekglas from the refusal page, and the safeguards (only users who may hold the regie
are offered and accepted; archiveren asks a reason and a confirmation). Each works for the
right role, is refused with no change for a non-participant, and keeps the input on errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_login import login_as
from factories import referentie
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_BEHEERDER,
    ZEIST_CASUSREGISSEUR,
    ZEIST_DRIEHOEK,
    ZEIST_DRIEHOEK_NAME,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from plan_first import ensure_plan

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
OUTSIDER = ZEIST_KLANTMANAGER  # professional of the RSD, which takes no part in these casussen
DRIEHOEK = ZEIST_DRIEHOEK


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


def field(html: str, form_field_id: str) -> str:
    """The HTML of one form field (its wrapper), from its label on."""
    return html.split(f'for="{form_field_id}"')[1].split("</div>")[0]


class Api:
    def __init__(self, client: Client, token_for: Headers) -> None:
        self.client, self.token_for = client, token_for
        self.etag = ""

    def call(self, method: str, path: str, user: str, body: Any = None, status: int = 200) -> Any:
        headers = self.token_for(T, user)
        if method != "GET" and self.etag:
            headers["If-Match"] = self.etag
        response = self.client.request(method, f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code == status, (path, response.status_code, response.text)
        if "etag" in response.headers and path.startswith("/casussen/"):
            self.etag = response.headers["etag"]
        return response.json()

    def casus(self, achternaam: str, *, to: str = "uitvoering") -> str:
        """A person casus by the wijkagent, taken in; the regisseur is Bart Zeistra."""
        self.etag = ""
        created = self.call(
            "POST",
            "/casussen",
            WIJKAGENT,
            {
                "soort": "persoon",
                "waarom_integraal": "Ernstige overlast en schulden: lokaal lukt het niet.",
                "geinformeerd": True,
                "persoon": {"voornamen": "Kees", "achternaam": achternaam},
            },
            status=201,
        )
        casus_id: str = created["id"]
        url = f"/casussen/{casus_id}"
        self.etag = self.client.get(f"/api/v1{url}", headers=self.token_for(T, EXPERT)).headers[
            "etag"
        ]
        self.call("POST", f"{url}/overgang", EXPERT, {"naar": "in_triage"})
        if to == "niet_opgenomen":
            self.call(
                "POST",
                f"{url}/triage",
                EXPERT,
                {"besluit": "niet-opnemen", "reden": "Geen meervoudige problematiek."},
            )
            return casus_id
        self.call(
            "POST",
            f"{url}/triage",
            EXPERT,
            {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
        )
        self.etag = ""
        self.call("PUT", f"{url}/regie", EXPERT, {"rol": "casusregisseur", "gebruiker": REGISSEUR})
        self.etag = self.client.get(f"/api/v1{url}", headers=self.token_for(T, REGISSEUR)).headers[
            "etag"
        ]
        self.call("POST", f"{url}/overgang", REGISSEUR, {"naar": "plan"})
        # No uitvoering without a plan van aanpak (the service refuses it).
        ensure_plan(self.client, f"/api/v1{url}", self.token_for(T, REGISSEUR))
        self.etag = self.client.get(f"/api/v1{url}", headers=self.token_for(T, REGISSEUR)).headers[
            "etag"
        ]
        self.call("POST", f"{url}/overgang", REGISSEUR, {"naar": "uitvoering"})
        self.etag = ""
        return casus_id


@pytest.fixture
def api(client: Client, token_for: Headers) -> Api:
    return Api(client, token_for)


def test_toestemming_recorded_and_revoked(client: Client, api: Api) -> None:
    casus_id = api.casus("Toestemmingtest")
    url = f"/casussen/{casus_id}"
    login(client, REGISSEUR)
    html = get(client, url)
    assert "Toestemming vastleggen" in html and "Er is geen toestemming vastgelegd." in html
    assert "<legend>Is de persoon afhankelijk van wie om toestemming vraagt" in html

    # The power-imbalance question unanswered: a message at the question, input kept.
    scope = "Inkomensgegevens delen met schuldhulpverlening."
    refused = post(
        client,
        f"{url}/toestemmingen",
        {"doel": "plan-van-aanpak", "reikwijdte": scope, "csrf_token": token(html)},
        status=422,
    ).text
    assert "Beantwoord deze vraag: toestemming onder een ongelijke verhouding" in refused
    assert f"{scope}</textarea>" in refused
    assert '<option value="plan-van-aanpak" selected>' in refused
    assert api.call("GET", f"{url}/toestemmingen", REGISSEUR) == []

    # A non-participant: refused, nothing recorded.
    login(client, OUTSIDER)
    page = get(client, url, status=403)
    post(
        client,
        f"{url}/toestemmingen",
        {"doel": "plan-van-aanpak", "ongelijke_verhouding": "nee", "csrf_token": token(page)},
        status=403,
    )
    assert api.call("GET", f"{url}/toestemmingen", REGISSEUR) == []

    login(client, REGISSEUR)
    html = get(client, url)
    response = post(
        client,
        f"{url}/toestemmingen",
        {
            "doel": "plan-van-aanpak",
            "reikwijdte": scope,
            "ongelijke_verhouding": "nee",
            "csrf_token": token(html),
        },
    )
    assert response.headers["location"] == f"{url}?melding=toestemming-vastgelegd"
    (consent,) = api.call("GET", f"{url}/toestemmingen", REGISSEUR)
    assert consent["doel"] == "plan-van-aanpak" and consent["geldig"] is True
    assert consent["reikwijdte"] == scope

    html = get(client, response.headers["location"])
    assert "De toestemming is vastgelegd." in html
    revoke = f"{url}/toestemmingen/{consent['id']}/intrekken"
    assert f'action="{revoke}#toestemming"' in html
    response = post(client, revoke, {"csrf_token": token(html)})
    assert response.headers["location"] == f"{url}?melding=toestemming-ingetrokken"
    (revoked,) = api.call("GET", f"{url}/toestemmingen", REGISSEUR)
    assert revoked["ingetrokken_op"] is not None and revoked["geldig"] is False
    assert f'action="{revoke}' not in get(client, url)


def test_household_member_added(client: Client, api: Api) -> None:
    casus_id = api.casus("Huishoudentest")
    url = f"/casussen/{casus_id}"
    login(client, REGISSEUR)
    html = get(client, url)
    assert "Gezinslid toevoegen" in html

    refused = post(
        client,
        f"{url}/gezinsleden",
        {
            "relatie": "ouder",
            "voornamen": "Samira",
            "achternaam": "",
            "bsn": "123456789",
            "csrf_token": token(html),
        },
        status=422,
    ).text
    assert "Vul dit veld in." in field(refused, "gezinslid-achternaam")
    assert 'value="Samira"' in refused and '<option value="ouder" selected>' in refused
    assert api.call("GET", f"{url}/gezinsleden?doel=plan-van-aanpak", REGISSEUR) == []

    # An invalid BSN (elfproef) is the service's message, beside the BSN field.
    refused = post(
        client,
        f"{url}/gezinsleden",
        {
            "relatie": "ouder",
            "voornamen": "Samira",
            "achternaam": "Ouder",
            "bsn": "123456789",
            "csrf_token": token(html),
        },
        status=422,
    ).text
    assert "Dit is geen geldig BSN (elfproef)." in field(refused, "gezinslid-bsn")

    login(client, OUTSIDER)
    post(
        client,
        f"{url}/gezinsleden",
        {"relatie": "ouder", "voornamen": "X", "achternaam": "Y", "csrf_token": token(html)},
        status=403,
    )
    login(client, REGISSEUR)
    html = get(client, url)
    response = post(
        client,
        f"{url}/gezinsleden",
        {
            "relatie": "ouder",
            "voornamen": "Samira",
            "achternaam": "Ouder",
            "geboortedatum": "1975-02-03",
            "csrf_token": token(html),
        },
    )
    assert response.headers["location"] == f"{url}?melding=gezinslid-vastgelegd"
    (member,) = api.call("GET", f"{url}/gezinsleden?doel=plan-van-aanpak", REGISSEUR)
    assert member["relatie"] == "ouder" and member["persoon"]["achternaam"] == "Ouder"


def test_doorbreekglas_from_the_refusal_page(client: Client, api: Api) -> None:
    casus_id = api.casus("Spoedtest")
    url = f"/casussen/{casus_id}"
    login(client, OUTSIDER)
    page = get(client, url, status=403)
    assert "Spoedtoegang (doorbreekglas)" in page
    action = f"{url}/doorbreekglas"
    assert f'action="{action}#doorbreekglas"' in page

    short = post(
        client, action, {"reden": "Acuut.", "uren": "4", "csrf_token": token(page)}, status=422
    ).text
    assert "Vul minstens 20 tekens in." in field(short, "doorbreekglas-reden")
    assert "Acuut.</textarea>" in short and '<option value="4" selected>' in short
    assert get(client, url, status=403)  # still no access

    reason = "Acute dreiging gemeld bij het loket; wij moeten nu weten wie de regie heeft."
    response = post(client, action, {"reden": reason, "uren": "2", "csrf_token": token(page)})
    assert response.headers["location"] == f"{url}?melding=doorbreekglas"
    html = get(client, response.headers["location"])
    assert "U hebt spoedtoegang (doorbreekglas)." in html
    # The PGA-expert reviews it from the werkvoorraad.
    login(client, EXPERT)
    reference = referentie(client, api.token_for(T, EXPERT), casus_id)
    assert reason in get(client, f"/werkvoorraad?casus={reference}")

    # Someone with a regular basis is not offered it, and is told so when posting anyway.
    login(client, REGISSEUR)
    html = get(client, url)
    assert f'action="{action}' not in html
    again = post(client, action, {"reden": reason, "uren": "2", "csrf_token": token(html)}, 409)
    assert "spoedtoegang is niet nodig" in again.text


def test_regie_only_for_roles_that_may_hold_it(client: Client, api: Api) -> None:
    casus_id = api.casus("Regietest")
    url = f"/casussen/{casus_id}"
    login(client, EXPERT)
    html = get(client, url)
    form = html.split(f'action="{url}/regie')[1].split("</form>")[0]
    assert f'<option value="{REGISSEUR}"' in form
    assert f'<option value="{DRIEHOEK}"' not in form
    assert f'<option value="{ZEIST_ADVISEUR}"' not in form  # adviseur
    assert f'<option value="{ZEIST_BEHEERDER}"' not in form  # tenantbeheerder

    # Posting the driehoek user anyway: refused by the service, nothing changes.
    refused = post(
        client,
        f"{url}/regie",
        {
            "rol": "casusregisseur",
            "gebruiker": DRIEHOEK,
            "reden": "Overdracht",
            "csrf_token": token(html),
        },
        status=422,
    ).text
    assert f"{ZEIST_DRIEHOEK_NAME} kan geen casusregisseur zijn" in field(
        refused, "regie-gebruiker"
    )
    regie = api.call("GET", url, EXPERT)["regie"]
    assert [r["gebruiker"] for r in regie if r["rol"] == "casusregisseur"] == [REGISSEUR]
    # The API refuses it the same way.
    problem = api.call(
        "PUT",
        f"{url}/regie",
        EXPERT,
        {"rol": "casusregisseur", "gebruiker": DRIEHOEK, "reden": "Overdracht"},
        status=422,
    )
    assert "kan geen casusregisseur zijn" in str(problem)


def test_archiveren_asks_reason_and_confirmation(client: Client, api: Api) -> None:
    casus_id = api.casus("Archieftest", to="niet_opgenomen")
    url = f"/casussen/{casus_id}"
    login(client, EXPERT)
    html = get(client, url)
    assert "Ik bevestig dat de casus gearchiveerd wordt" in html
    version = re.search(
        r'action="/casussen/[^"]+/overgang".*?name="versie" value="(\d+)".*?value="gearchiveerd"',
        html,
        re.S,
    )
    assert version
    base = {"naar": "gearchiveerd", "versie": version.group(1), "csrf_token": token(html)}
    refused = post(client, f"{url}/overgang", {**base, "reden": "Dossier compleet."}, 422).text
    assert "Bevestig dat u de casus wilt archiveren" in refused
    assert "Dossier compleet.</textarea>" in refused
    refused = post(client, f"{url}/overgang", {**base, "bevestigd": "ja"}, 422).text
    assert "Geef een reden op voor het archiveren." in refused
    assert api.call("GET", url, EXPERT)["fase"] == "niet_opgenomen"

    response = post(
        client, f"{url}/overgang", {**base, "reden": "Dossier compleet.", "bevestigd": "ja"}
    )
    assert response.headers["location"] == f"{url}?melding=fase-gewijzigd"
    assert api.call("GET", url, EXPERT)["fase"] == "gearchiveerd"
