"""The analytics service over HTTP: ingestion, releases, researchers, own view, problems.

Also the guarantee that no route ever returns a fact record or a pseudonym."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from analytics.app import Principal, create_app
from analytics.contract import DEMO_GEOGRAPHY
from analytics.ledger import YearBudget, balance, grant_researcher, open_year, year_account
from analytics.releases import publish_release
from analytics.synthetic import generate, to_records
from services.platform.config import Settings
from services.platform.http.openapi import OPENAPI_PATH

PERIOD = "2026-Q3"
HEX64 = re.compile(r"[0-9a-f]{64}")

PRINCIPALS = {
    "token-onderzoeker": Principal("onderzoeker-1", None, frozenset({"onderzoeker"})),
    "token-zeist": Principal("beheerder-zeist", "GM0355", frozenset({"tenantbeheerder"})),
    "token-regio": Principal("RGUTRECHT/bram", None, frozenset({"platformbeheerder"})),
    "token-zeist-prof": Principal("GM0355/dennis", "GM0355", frozenset({"professional"})),
}


def _authenticate(token: str) -> Principal | None:
    return PRINCIPALS.get(token)


@pytest.fixture
def app(clean_db: sa.Engine, settings: Settings) -> Litestar:
    return create_app(settings, clean_db, authenticate=_authenticate)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as c:
        yield c


def _batches(seed: int = 5, n: int = 600) -> dict[str, dict[str, Any]]:
    frame = generate(n, DEMO_GEOGRAPHY, PERIOD, seed=seed)
    out: dict[str, dict[str, Any]] = {}
    for record in to_records(frame):
        batch = out.setdefault(
            record.gemeentecode,
            {
                "contract_version": "1",
                "gemeentecode": record.gemeentecode,
                "period": PERIOD,
                "records": [],
            },
        )
        batch["records"].append(record.model_dump(mode="json"))
    return out


def _service(settings: Settings) -> dict[str, str]:
    assert settings.service_token
    return {"Authorization": f"Bearer {settings.service_token}"}


def _ingest(client: TestClient[Litestar], settings: Settings) -> dict[str, dict[str, Any]]:
    batches = _batches()
    for batch in batches.values():
        response = client.post("/api/v1/ingest/facts", json=batch, headers=_service(settings))
        assert response.status_code == 200, response.text
        assert "pseudonym" not in response.text
    return batches


def test_health_and_openapi(client: TestClient[Litestar]) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    assert client.get("/health/ready").status_code == 200
    schema = client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/ingest/facts" in schema.json()["paths"]


def test_ingestion_requires_service_token(client: TestClient[Litestar]) -> None:
    batch = next(iter(_batches(n=30).values()))
    response = client.post("/api/v1/ingest/facts", json=batch)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    response = client.post(
        "/api/v1/ingest/facts", json=batch, headers={"Authorization": "Bearer " + "w" * 60}
    )
    assert response.status_code == 401


def test_ingestion_is_idempotent(
    client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    batches = _ingest(client, settings)
    with clean_db.connect() as conn:
        first = conn.execute(sa.text("SELECT count(*) FROM facts")).scalar_one()
    _ingest(client, settings)  # the same delivery again
    zeist = dict(batches["GM0355"])
    zeist["records"] = zeist["records"][:10]  # a smaller corrected delivery replaces the old one
    response = client.post("/api/v1/ingest/facts", json=zeist, headers=_service(settings))
    assert response.json()["replaced"] is True
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM facts")).scalar_one() == (
            first - len(batches["GM0355"]["records"]) + 10
        )


def test_problem_json_for_errors(client: TestClient[Litestar], settings: Settings) -> None:
    for method, path, status, kwargs in (
        ("GET", "/bestaat-niet", 404, {}),
        ("DELETE", "/api/v1/releases", 405, {}),
        ("GET", "/api/v1/releases/00000000-0000-0000-0000-000000000000", 404, {}),
        ("GET", "/api/v1/releases/geen-uuid/cells", 404, {}),
        (
            "POST",
            "/api/v1/ingest/facts",
            422,
            {"json": {"gemeentecode": "x"}, "headers": _service(settings)},
        ),
        ("POST", "/api/v1/research/queries", 401, {"json": {}}),
    ):
        response = client.request(method, path, **kwargs)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == status
        assert "Traceback" not in response.text


def test_release_idempotent_and_immutable(
    client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    _ingest(client, settings)
    first = publish_release(clean_db, PERIOD)
    second = publish_release(clean_db, PERIOD)
    assert second.id == first.id and second.reused and not first.reused
    with clean_db.connect() as conn:
        reservations = conn.execute(sa.text("SELECT count(*) FROM budget_reservations")).one()
        spent = balance(conn, year_account("2026")).spent
    assert reservations[0] == 1 and spent == pytest.approx(first.rho)
    with pytest.raises(sa.exc.DBAPIError, match="permission denied"), clean_db.begin() as conn:
        conn.execute(sa.text("UPDATE releases SET version = 9"))
    methodology = first.methodology
    for key in (
        "privacy_unit",
        "mechanism",
        "rho",
        "epsilon_equivalent",
        "contribution_bound",
        "keys",
        "margins",
    ):
        assert key in methodology


def test_no_route_returns_records_or_pseudonyms(
    app: Litestar, client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    batches = _ingest(client, settings)
    pseudonyms = {r["pseudonym"] for b in batches.values() for r in b["records"]}
    release = publish_release(clean_db, PERIOD)
    with clean_db.begin() as conn:
        open_year(conn, "2026", YearBudget())
        grant_researcher(conn, "onderzoeker-1", "2026", 0.5, granted_by="regio")
    answer = client.post(
        "/api/v1/research/queries",
        json={
            "period": PERIOD,
            "indicators": ["werk-afsluiting", "personen"],
            "breakdown": "gemeente",
            "rho": 0.05,
        },
        headers={"Authorization": "Bearer token-onderzoeker"},
    )
    assert answer.status_code == 200, answer.text
    bodies = [answer.text]
    values = {"release_id": release.id, "period": PERIOD, "gemeentecode": "GM0355"}
    auth = {"Authorization": "Bearer token-zeist"}
    for route in app.routes:
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if "GET" not in handler.http_methods:
                continue
            path = route.path
            for name, value in values.items():
                path = re.sub(r"\{" + name + r":[a-z]+\}", value, path)
            if "{" in path:
                continue
            headers = (
                auth
                if "/own/" in path
                else ({"Authorization": "Bearer token-onderzoeker"} if "/research/" in path else {})
            )
            response = client.get(path, headers=headers)
            assert response.status_code < 500, path
            # The OpenAPI document (both paths) documents the input model.
            if not path.startswith(("/schema", OPENAPI_PATH)):
                bodies.append(response.text)
            else:
                assert not any(p in response.text for p in pseudonyms)
    for body in bodies:
        for match in HEX64.findall(body):
            assert match not in pseudonyms
        # no record-shaped objects: fact-record keys never appear as JSON keys
        for key in (
            "pseudonym",
            "aanmelding_month",
            "zrm_intake",
            "outcomes_closure",
            "days_aanmelding_to_plan",
            "voluntary",
        ):
            assert f'"{key}":' not in body, key


def test_dashboard_is_dutch_without_external_assets(
    client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    _ingest(client, settings)
    release = publish_release(clean_db, PERIOD)
    for path in (
        "/",
        f"/releases/{release.id}",
        f"/releases/{release.id}/methodologie",
        "/indicatoren",
    ):
        page = client.get(path)
        assert page.status_code == 200, page.text
        assert "niet om af te rekenen" in page.text
        assert "http://" not in page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in page.text
    page = client.get(f"/releases/{release.id}").text
    assert "<svg" in page and 'viewBox="0 0' in page
    assert "Over het jaar 2026 is per persoon" in page  # the cumulative budget is public
    for path in ("/uitleg", "/eigen", "/onderzoek"):
        assert client.get(path).status_code in (200, 401)
    assert "Wat betekent de marge?" in client.get("/uitleg").text


def test_csv_opens_in_dutch_excel(
    client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    _ingest(client, settings)
    release = publish_release(clean_db, PERIOD)
    response = client.get(f"/api/v1/releases/{release.id}/cells.csv?indicator=inclusiegraad")
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())  # UTF-8 with BOM
    lines = response.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:4] == ["Release", "Dataset", "Periode", "Versie"]
    assert "Gemeente" in header and "Marge (95%)" in header
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    zeist = next(r for r in rows if r["Gemeentecode"] == "GM0355")
    assert zeist["Gemeente"] == "Zeist" and zeist["Indicatornaam"] == "Inclusiegraad"
    value = zeist["Waarde"]
    assert "." not in value and ("," in value or value.isdigit())  # comma decimals


def test_own_gemeente_and_researcher_pages_with_the_login_cookie(
    client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    _ingest(client, settings)
    client.cookies.set("regietafel_token", "token-zeist")
    own = client.get(f"/eigen?periode={PERIOD}")
    assert own.status_code == 200 and "Exacte cijfers van Zeist" in own.text
    assert "•" in own.text  # suppressed cells are marked, not shown
    client.cookies.set("regietafel_token", "token-zeist-prof")
    assert client.get("/eigen").status_code == 403  # not management
    with clean_db.begin() as conn:
        open_year(conn, "2026", YearBudget())
        grant_researcher(conn, "onderzoeker-1", "2026", 0.3, granted_by="regio")
    client.cookies.set("regietafel_token", "token-onderzoeker")
    page = client.get("/onderzoek")
    assert page.status_code == 200 and "Uw privacybudget" in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf is not None
    form = {
        "periode": PERIOD,
        "indicator": ["personen", "inclusiegraad"],
        "uitsplitsing": "gemeente",
        "rho": "0,05",
    }
    refused = client.post("/onderzoek/vraag", data={**form, "csrf": "vervalst"})
    assert refused.status_code == 403  # a form without this login's token is refused
    answer = client.post("/onderzoek/vraag", data={**form, "csrf": csrf.group(1)})
    assert answer.status_code == 200, answer.text
    assert "Antwoord" in answer.text and "GM0355" in answer.text
    assert "u heeft nog ρ = 0,25" in answer.text
    too_much = client.post("/onderzoek/vraag", data={**form, "rho": "0,9", "csrf": csrf.group(1)})
    assert too_much.status_code == 422 and "Vraag niet toegestaan" in too_much.text


def test_researcher_budget_and_own_view(
    client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    _ingest(client, settings)
    researcher = {"Authorization": "Bearer token-onderzoeker"}
    query = {
        "period": PERIOD,
        "indicators": ["inclusiegraad"],
        "breakdown": "regio-bron",
        "rho": 0.1,
    }
    assert (
        client.post("/api/v1/research/queries", json=query, headers=researcher).status_code == 403
    )
    grant = {"onderzoeker": "onderzoeker-1", "period": PERIOD, "rho": 0.15}
    self_granted = client.post("/api/v1/research/grants", json=grant, headers=researcher)
    assert self_granted.status_code == 403
    regio = {"Authorization": "Bearer token-regio"}
    too_much = client.post("/api/v1/research/grants", json={**grant, "rho": 0.6}, headers=regio)
    assert too_much.status_code == 409 and too_much.json()["code"] == "onderzoekspool-op"
    granted = client.post("/api/v1/research/grants", json=grant, headers=regio)
    assert granted.status_code == 201, granted.text
    assert granted.json()["remaining_rho"] == pytest.approx(0.15)
    assert (
        client.post("/api/v1/research/queries", json=query, headers=researcher).status_code == 200
    )
    refused = client.post("/api/v1/research/queries", json=query, headers=researcher)
    assert refused.status_code == 409 and refused.json()["code"] == "budget-op"
    budget = client.get(f"/api/v1/research/budget/{PERIOD}", headers=researcher).json()
    assert budget["remaining_rho"] == pytest.approx(0.05)
    # own-gemeente exact view: only for the tenant's own users
    zeist = {"Authorization": "Bearer token-zeist"}
    assert client.get(f"/api/v1/own/GM0345/{PERIOD}", headers=zeist).status_code == 403
    professional = {"Authorization": "Bearer token-zeist-prof"}
    assert client.get(f"/api/v1/own/GM0355/{PERIOD}", headers=professional).status_code == 403
    own = client.get(f"/api/v1/own/GM0355/{PERIOD}", headers=zeist).json()
    assert own["exact"] is True
    for cell in own["cells"]:
        if not cell["suppressed"] and cell["indicator"] == "personen":
            assert cell["value"] >= 5
    assert any(c["suppressed"] for c in own["cells"])


def test_a_request_is_authenticated_once(clean_db: sa.Engine, settings: Settings) -> None:
    """The guard's principal is reused by the handler: one token check per request."""
    calls: list[str] = []

    def counting(token: str) -> Principal | None:
        calls.append(token)
        return PRINCIPALS.get(token)

    app = create_app(settings, clean_db, authenticate=counting)
    with TestClient(app) as test_client:
        response = test_client.get(
            f"/api/v1/research/budget/{PERIOD}",
            headers={"Authorization": "Bearer token-onderzoeker"},
        )
    assert response.status_code == 404  # no budget granted yet
    assert calls == ["token-onderzoeker"]


def test_a_released_quarter_is_frozen_as_exported(
    client: TestClient[Litestar], settings: Settings, clean_db: sa.Engine
) -> None:
    """A past quarter re-exported with today's state must not change the facts, create a new
    version or charge the budget again (issue 13)."""
    batches = _ingest(client, settings)
    first = publish_release(clean_db, PERIOD)
    later = dict(batches["GM0355"])
    later["records"] = later["records"][:3]  # "today's state" differs from the exported one
    response = client.post("/api/v1/ingest/facts", json=later, headers=_service(settings))
    assert response.status_code == 200
    assert response.json()["frozen"] is True and response.json()["replaced"] is False
    with pytest.raises(sa.exc.DBAPIError, match="bevroren"), clean_db.begin() as conn:
        conn.execute(sa.text("DELETE FROM facts WHERE period = :p"), {"p": PERIOD})
    again = publish_release(clean_db, PERIOD)
    assert again.id == first.id and again.reused
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM budget_reservations")).scalar() == 1
        stored = conn.execute(
            sa.text("SELECT count(*) FROM facts WHERE gemeentecode = 'GM0355'")
        ).scalar()
    assert stored == len(batches["GM0355"]["records"])
