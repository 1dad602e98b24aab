"""No raw JSON for people: a browser (Accept: text/html) gets a Dutch HTML page for every
error (404, 403, 405, 500, 401); API clients keep problem+json. Developer material lives on
/ontwikkelaar only."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from browser_login import login_as
from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_PSYCHIATER, ZEIST_WIJKAGENT, ZEIST_WIJKAGENT_NAME

from services.casework.web import TEMPLATES
from services.casework.web.errors import html_error_pages, wants_html
from services.platform.http.middleware import request_id_middleware
from services.platform.http.problems import EXCEPTION_HANDLERS, PROBLEM_JSON

Headers = Callable[[str, str], dict[str, str]]
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
T = ZEIST


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as client:
        yield client


def html_page(response: object, status: int) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    text: str = response.text  # type: ignore[attr-defined]
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert '"status":' not in text
    return text


def test_unknown_page_is_an_html_404_for_browsers_and_json_for_clients(
    web: TestClient[Litestar],
) -> None:
    page = html_page(web.get("/bestaat-niet", headers=BROWSER), 404)
    assert "<h1>Niet gevonden</h1>" in page and "Naar mijn casussen" in page
    api = web.get("/bestaat-niet", headers={"Accept": "*/*"})
    assert api.status_code == 404 and api.headers["content-type"] == PROBLEM_JSON
    assert api.json()["code"] == "niet-gevonden"
    assert web.get("/bestaat-niet").headers["content-type"] == PROBLEM_JSON


def test_get_on_a_form_address_is_an_html_405_that_leads_back_to_the_casus(
    web: TestClient[Litestar],
) -> None:
    casus = uuid.uuid4()
    page = html_page(web.get(f"/casussen/{casus}/overgang", headers=BROWSER), 405)
    assert "Methode niet toegestaan" in page
    assert f'href="/casussen/{casus}"' in page and "Terug naar de casus" in page


def test_policy_refusal_and_missing_login_are_html_pages(
    web: TestClient[Litestar], token_for: Headers
) -> None:
    created = web.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Herhaald overlast; de politie alleen komt niet verder.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Fout", "achternaam": "Paginatest"},
        },
        headers=token_for(T, ZEIST_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    # A professional who does not take part: the policy's refusal on a Dutch page.
    outsider = {**BROWSER, **token_for(T, ZEIST_PSYCHIATER)}
    page = html_page(web.get(f"/api/v1/casussen/{created.json()['id']}", headers=outsider), 403)
    assert "Geen toegang" in page and "Paginatest" not in page
    unauthenticated = html_page(web.get("/api/v1/casussen", headers=BROWSER), 401)
    assert 'href="/inloggen"' in unauthenticated and "Log in om verder te gaan." in unauthenticated
    login_as(web, T, ZEIST_WIJKAGENT)
    logged_in = html_page(web.get("/bestaat-niet", headers=BROWSER), 404)
    assert ZEIST_WIJKAGENT_NAME in logged_in and 'href="/overzicht"' in logged_in


def test_an_unexpected_error_is_an_html_500_with_the_request_id() -> None:
    @get("/stuk", sync_to_thread=False)
    def broken() -> str:
        raise RuntimeError("kapot")

    app = Litestar(
        route_handlers=[broken],
        middleware=[request_id_middleware],
        exception_handlers=html_error_pages(EXCEPTION_HANDLERS, lambda request: None),
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
    )
    with TestClient(app) as client:
        response = client.get("/stuk", headers=BROWSER)
        page = html_page(response, 500)
        assert "Interne fout" in page and "kapot" not in page
        assert f"Foutcode: <code>{response.headers['x-request-id']}</code>" in page
        assert client.get("/stuk").headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", True),
        ("*/*", False),
        ("", False),
        ("application/json", False),
        ("application/json, text/html;q=0.5", False),
    ],
)
def test_wants_html_follows_the_accept_header(accept: str, html: bool) -> None:
    @get("/", sync_to_thread=False)
    def probe(request: object) -> str:
        return "html" if wants_html(request) else "json"  # type: ignore[arg-type]

    with TestClient(Litestar(route_handlers=[probe])) as client:
        headers = {"Accept": accept} if accept else {}
        assert client.get("/", headers=headers).text == ("html" if html else "json")


def test_developer_material_only_on_the_developer_page(web: TestClient[Litestar]) -> None:
    login_as(web, T, ZEIST_WIJKAGENT)
    cookie = web.cookies.get("regietafel_token")
    assert cookie
    for home in ("/", "/overzicht"):
        page = web.get(home).text
        assert cookie not in page and "openapi.json" not in page
        assert 'href="/ontwikkelaar"' in page or home == "/overzicht"
    developer = web.get("/ontwikkelaar")
    assert developer.status_code == 200
    assert cookie in developer.text and 'href="/api/docs/openapi.json"' in developer.text
    with TestClient(web.app) as anonymous:
        gone = anonymous.get("/ontwikkelaar", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"] == "/inloggen"


def test_an_expired_session_on_a_beheer_form_keeps_what_was_typed(app: Litestar) -> None:
    with TestClient(app) as anonymous:
        response = anonymous.post(
            f"/gebruikers/{ZEIST_WIJKAGENT}/rollen",
            data={"rollen": "professional", "reden": "Nieuwe taak in het wijkteam"},
        )
        assert response.status_code == 401, response.text
        assert "Uw sessie is verlopen" in response.text
        assert "Nieuwe taak in het wijkteam" in response.text
        assert f'action="/gebruikers/{ZEIST_WIJKAGENT}/rollen"' in response.text


def test_a_stale_token_on_the_triage_form_keeps_the_chosen_criteria(
    web: TestClient[Litestar], token_for: Headers
) -> None:
    created = web.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Herhaald overlast; de politie alleen komt niet verder.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Triage", "achternaam": "Tokentest"},
        },
        headers=token_for(T, ZEIST_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    url = f"/casussen/{created.json()['id']}"
    moved = web.post(
        f"/api/v1{url}/overgang",
        json={"naar": "in_triage"},
        headers={**token_for(T, ZEIST_PGA_EXPERT), "If-Match": created.headers["etag"]},
    )
    assert moved.status_code == 200, moved.text
    login_as(web, T, ZEIST_PGA_EXPERT)
    response = web.post(
        f"{url}/triage",
        data={
            "criteria": ["overlast-criminaliteit", "politieregistraties"],
            "besluit": "opnemen",
            "reden": "Mijn toelichting",
            "csrf_token": "0" * 64,
        },
    )
    assert response.status_code == 403, response.text
    page = response.text
    assert "Formulier niet verwerkt: het hoorde bij een eerdere inlogsessie" in page
    assert 'value="overlast-criminaliteit" checked' in page
    assert 'value="opnemen" checked' in page and "Mijn toelichting</textarea>" in page
    after = web.get(f"/api/v1{url}", headers=token_for(T, ZEIST_PGA_EXPERT)).json()
    assert after["fase"] == "in_triage" and after["triage"] == {}
