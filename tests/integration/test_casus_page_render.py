"""The casus page renders the same HTML after issue 14's cheaper templates (the form fields in
Python, the pages' own Jinja environment): every page a request renders is rendered a second
time by the oracle, a plain Jinja environment (as Litestar built it before) with the
``_velden.html`` macros as they were (tests/unit/web/oracle_velden.html), from the same
context; the two must be equal byte for byte. Casussen in several phases, seen by several
roles, and forms that come back with errors (their fields then carry values, messages and
ARIA references)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_login import login_as
from factories import aanmelden, move, to_uitvoering
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)

from services.casework.web import TEMPLATES
from services.casework.web.jinja_env import PageEnvironment

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
ORACLE_VELDEN = Path(__file__).parents[1] / "unit/web/oracle_velden.html"


class Twin:
    """A template that renders with the app's environment and, for the test, with the
    oracle's; the app gets the first."""

    def __init__(self, name: str, app_env: Environment, oracle: Environment, seen: list[Any]):
        self.name, self.app_env, self.oracle, self.seen = name, app_env, oracle, seen

    def render(self, **context: Any) -> str:
        new = self.app_env.get_template(self.name).render(**context)
        old = self.oracle.get_template(self.name).render(**context)
        self.seen.append((self.name, new, old))
        return new


@pytest.fixture
def rendered(app: Litestar, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    engine = app.template_engine
    assert engine is not None
    app_env = engine.engine
    assert isinstance(app_env, PageEnvironment)
    oracle = Environment(
        loader=ChoiceLoader(
            [
                DictLoader({"_velden.html": ORACLE_VELDEN.read_text(encoding="utf-8")}),
                FileSystemLoader(TEMPLATES),
            ]
        ),
        autoescape=True,
    )
    oracle.globals.update(app_env.globals)
    seen: list[Any] = []
    monkeypatch.setattr(engine, "get_template", lambda name: Twin(name, app_env, oracle, seen))
    return seen


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_the_casus_page_renders_as_before(
    app: Litestar, token_for: Headers, rendered: list[Any]
) -> None:
    agent = token_for(T, ZEIST_WIJKAGENT)
    expert = token_for(T, ZEIST_PGA_EXPERT)
    regisseur = token_for(T, ZEIST_CASUSREGISSEUR)
    pages: list[str] = []
    with TestClient(app) as client:
        fresh = aanmelden(client, agent, "Vergelijk")
        running = aanmelden(client, agent, "Uitvoer")
        triage = aanmelden(client, agent, "Triage")
        for casus in (fresh, running):
            item = client.post(
                f"/api/v1/casussen/{casus}/informatie",
                json={
                    "categorie": "politiegegevens",
                    "titel": "Registratie <b>&",
                    "inhoud": "Overlast.",
                    "doel": "casusoverleg",
                    "grondslag": "publieke-taak",
                },
                headers=agent,
            )
            assert item.status_code == 201, item.text
            consent = client.post(
                f"/api/v1/casussen/{casus}/toestemmingen",
                json={"doel": "aanmelding"},
                headers=agent,
            )
            assert consent.status_code == 201, consent.text
        url = f"/api/v1/casussen/{running}"
        etag = client.get(url, headers=expert).headers["etag"]
        to_uitvoering(client, url, etag, expert=expert, regisseur=(ZEIST_CASUSREGISSEUR, regisseur))
        member = client.post(
            f"{url}/gezinsleden",
            json={"relatie": "ouder", "persoon": {"voornamen": "Samira", "achternaam": "Ouder"}},
            headers=regisseur,
        )
        assert member.status_code == 201, member.text
        turl = f"/api/v1/casussen/{triage}"
        move(
            client,
            turl,
            expert,
            client.get(turl, headers=expert).headers["etag"],
            "overgang",
            {"naar": "in_triage"},
        )

        for user in (ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR, ZEIST_KLANTMANAGER):
            assert login_as(client, T, user).status_code == 200
            for casus in (fresh, running, triage):
                for query in ("", "?doel=casusoverleg", "?melding=gedeeld"):
                    response = client.get(f"/casussen/{casus}{query}")
                    assert response.status_code in (200, 403, 404), response.text[:300]
                    pages.append(response.text)
            # The other pages of issue 14's goal go through the same environment.
            for other in ("/casussen", "/casussen?q=Vergelijk", "/werkvoorraad", "/overzicht"):
                response = client.get(other)
                assert response.status_code in (200, 403), response.text[:300]
            if user == ZEIST_WIJKAGENT:
                html = client.get(f"/casussen/{fresh}").text
                # Forms that come back: empty required fields, a stale token.
                back = client.post(
                    f"/casussen/{fresh}/informatie",
                    data={"csrf_token": token(html), "titel": "<i>", "categorie": ""},
                )
                assert back.status_code == 422, back.text[:300]
                pages.append(back.text)
                stale = client.post(
                    f"/casussen/{fresh}/informatie", data={"csrf_token": "0" * 64, "titel": "x"}
                )
                pages.append(stale.text)
            if user == ZEIST_PGA_EXPERT:
                html = client.get(f"/casussen/{triage}").text
                assert "Triagebesluit" in html
                version = re.search(r'name="versie" value="(\d+)"', html)
                assert version
                back = client.post(
                    f"/casussen/{triage}/triage",
                    data={
                        "csrf_token": token(html),
                        "versie": version.group(1),
                        "criteria": "overlast-criminaliteit",
                        "besluit": "niet-opnemen",
                        "actie": "besluiten",
                    },
                )
                assert back.status_code == 422, back.text[:300]
                pages.append(back.text)
    casus_pages = [r for r in rendered if r[0] == "casus.html"]
    assert len(casus_pages) >= 20
    assert any("field-error" in new for _, new, _ in casus_pages)  # errors were rendered
    assert any('aria-invalid="true"' in new for _, new, _ in casus_pages)
    names = {name for name, _, _ in rendered}
    assert {"casussen.html", "werkvoorraad.html", "home.html"} <= names, names
    for name, new, old in rendered:
        assert new == old, name
    assert {new for _, new, _ in casus_pages} <= set(pages)  # what the browser got
