"""The published API contract (issue 10, ADR 0022), checked against the running services.

- schemathesis generates requests from each service's OpenAPI document (a few examples per
  operation, derandomized, no deadline) and checks every response: no 5xx, every status and
  content type documented, every body valid against its documented schema (2xx models and
  problem+json alike). The casework service is called as logged-in test users (a casus in
  phase plan, with a plan, an information item, a consent and a meeting, so that the reads
  answer 200); every write is undone afterwards (the hostile suite's change log).
- Every operation of both documents has a typed 2xx schema and documents its errors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    ZEIST,
    ZEIST_BEHEERDER,
    ZEIST_CASUSREGISSEUR,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from analytics.app import Principal
from analytics.app import create_app as create_analytics_app
from analytics.db.migrate import upgrade
from services.platform.config import Settings
from services.platform.db.provision import DatabaseUrls
from services.platform.http.openapi import OPENAPI_PATH
from services.platform.identity.setup import Identity
from services.runtime import Runtime
from tenants.manifest import Manifest

Headers = Callable[[str, str], dict[str, str]]

#: Examples per operation: enough to hit the documented answers, small enough for `make test`.
MAX_EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR, BEHEERDER = (
    ZEIST_WIJKAGENT,
    ZEIST_PGA_EXPERT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_BEHEERDER,
)
REGIO, OPERATOR = REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER


@dataclass
class Outcome:
    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.calls} calls, statuses {dict(sorted(self.statuses.items()))}"


def run_contract(
    schema: Any,
    headers_for: Callable[[str], dict[str, str]],
    known: dict[str, str],
) -> Outcome:
    """Every operation, MAX_EXAMPLES generated cases each; failures are collected, not raised,
    so that one run reports all of them."""
    outcome = Outcome()
    for result in schema.get_all_operations():
        operation = result.ok()
        fixed = {name: value for name, value in known.items() if f"{{{name}}}" in operation.path}
        _exercise(operation, fixed, headers_for(operation.path), outcome)()
    return outcome


def _exercise(
    operation: Any, fixed: dict[str, str], headers: dict[str, str], outcome: Outcome
) -> Callable[[], None]:
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(path_parameters=fixed))
    def exercise(case: Any) -> None:
        try:
            response = case.call(headers=headers)
        except Exception as error:  # noqa: BLE001 - a crash is a finding
            outcome.failures.append(f"{operation.label}: {type(error).__name__}: {error}")
            return
        outcome.calls += 1
        outcome.statuses[response.status_code] = outcome.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        # schemathesis raises a FailureGroup (a BaseExceptionGroup) with every failed check.
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported by the test
            outcome.failures.append(f"{operation.label}: {str(error)[:1500]}")

    return exercise  # type: ignore[no-any-return]


# --- casework --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contract_app(runtime: Runtime, identity: Identity, test_tenants: list[Manifest]) -> Litestar:
    """Without the in-process worker and scheduler: only the requests change rows."""
    from services.app import create_app

    return create_app(runtime, identity=identity, start_worker=False)


@pytest.fixture(scope="module")
def change_log(runtime: Runtime) -> Iterator[Any]:
    """Every row the run writes is logged and put back afterwards (tests/integration/hostile)."""
    from hostile.changes import ChangeLog

    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    log = ChangeLog(admin)
    log.install()
    try:
        yield log
    finally:
        log.undo()
        log.uninstall()
        admin.dispose()


def _world(client: TestClient[Litestar], token_for: Headers) -> dict[str, str]:
    """A Zeist person casus in phase plan with a plan, an item, a consent and a meeting."""
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast, schulden en geen dagbesteding: meerdere partners.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Contract",
                "achternaam": "Test",
                "geboortedatum": "2003-02-01",
            },
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    casus_id = created.json()["id"]
    url = f"/api/v1/casussen/{casus_id}"
    expert, regisseur = token_for(T, EXPERT), token_for(T, REGISSEUR)
    moved = client.post(
        f"{url}/overgang",
        json={"naar": "in_triage"},
        headers={**expert, "If-Match": created.headers["etag"]},
    )
    assert moved.status_code == 200, moved.text
    triaged = client.post(
        f"{url}/triage",
        json={"criteria": ["overlast-criminaliteit", "politieregistraties"], "besluit": "opnemen"},
        headers={**expert, "If-Match": moved.headers["etag"]},
    )
    assert triaged.status_code == 200, triaged.text
    regie = client.put(
        f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": REGISSEUR}, headers=expert
    )
    assert regie.status_code == 200, regie.text
    etag = client.get(url, headers=regisseur).headers["etag"]
    plan = client.post(
        f"{url}/overgang", json={"naar": "plan"}, headers={**regisseur, "If-Match": etag}
    )
    assert plan.status_code == 200, plan.text
    saved = client.put(
        f"{url}/plan",
        json={
            "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budget."}],
            "eindcriterium": "Schulden onder bewind.",
        },
        headers=regisseur,
    )
    assert saved.status_code == 201, saved.text
    item = client.post(
        f"{url}/informatie",
        json={
            "categorie": "algemeen",
            "titel": "Afspraak",
            "inhoud": "Gesprek gepland.",
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
        },
        headers=regisseur,
    )
    assert item.status_code == 201, item.text
    consent = client.post(
        f"{url}/toestemmingen", json={"doel": "plan-van-aanpak"}, headers=regisseur
    )
    assert consent.status_code == 201, consent.text
    meeting = client.post(
        "/api/v1/overleggen",
        json={
            "type": "pga-kernteam",
            "datum_tijd": (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat(),
            "agenda": [{"casus_id": casus_id, "briefing": "Stand van zaken."}],
        },
        headers=expert,
    )
    assert meeting.status_code == 201, meeting.text
    return {
        "casus_id": casus_id,
        "item_id": item.json()["id"],
        "consent_id": consent.json()["id"],
        "overleg_id": meeting.json()["id"],
        "versie": "1",
        "user_id": WIJKAGENT,
    }


def test_casework_responses_conform_to_the_openapi_document(
    contract_app: Litestar, change_log: Any, token_for: Headers
) -> None:
    with TestClient(contract_app) as client:
        known = _world(client, token_for)
    schema = schemathesis.openapi.from_asgi(OPENAPI_PATH, contract_app)

    def headers_for(path: str) -> dict[str, str]:
        if path.startswith(("/api/v1/beheer", "/api/v1/operatie")):
            return token_for(REGIO, OPERATOR)
        if path.startswith(("/api/v1/gebruikers", "/api/v1/rolwijzigingen")):
            return token_for(T, BEHEERDER)
        if path.startswith(("/api/v1/overleggen", "/api/v1/werkvoorraad")):
            return token_for(T, EXPERT)
        return token_for(T, REGISSEUR)

    outcome = run_contract(schema, headers_for, known)
    print("contract:", outcome.summary())
    assert outcome.calls > 0
    assert not outcome.failures, outcome.summary() + "\n\n" + "\n\n".join(outcome.failures)
    assert not [s for s in outcome.statuses if s >= 500], outcome.summary()
    # The world's ids make the reads answer: the run saw successful responses, not only errors.
    assert sum(n for s, n in outcome.statuses.items() if s < 300) >= 20, outcome.summary()


# --- analytics -------------------------------------------------------------------------------

ANALYTICS_TABLES = (
    "frozen_periods",
    "researcher_queries",
    "releases",
    "reservation_outcomes",
    "budget_ledger",
    "budget_reservations",
    "budget_accounts",
    "facts",
    "fact_batches",
)


@pytest.fixture(scope="module")
def clean_db(db_urls: DatabaseUrls, settings: Settings) -> Iterator[sa.Engine]:
    """The analytics database, empty before and after this module (as tests/analytics does)."""
    upgrade(db_urls.analytics_owner, runtime_role=settings.db_analytics_role)
    engine = sa.create_engine(db_urls.analytics)
    admin = sa.create_engine(
        db_urls.admin.set(database=db_urls.analytics.database), isolation_level="AUTOCOMMIT"
    )

    def empty() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text("SET session_replication_role = replica"))
            conn.execute(sa.text("; ".join(f"DELETE FROM {t}" for t in ANALYTICS_TABLES)))

    empty()
    try:
        yield engine
    finally:
        empty()
        admin.dispose()
        engine.dispose()


PRINCIPALS = {
    "token-onderzoeker": Principal("onderzoeker-1", None, frozenset({"onderzoeker"})),
    "token-zeist": Principal("beheerder-zeist", ZEIST, frozenset({"tenantbeheerder"})),
    "token-regio": Principal(f"{REGIO_UTRECHT}/bram", None, frozenset({"platformbeheerder"})),
}


def test_analytics_responses_conform_to_the_openapi_document(
    clean_db: sa.Engine, settings: Settings
) -> None:
    from analytics.contract import DEMO_GEOGRAPHY
    from analytics.ledger import YearBudget, grant_researcher, open_year
    from analytics.releases import publish_release
    from analytics.synthetic import generate, to_records

    app = create_analytics_app(settings, clean_db, authenticate=PRINCIPALS.get)
    period = "2026-Q3"
    service = {"Authorization": f"Bearer {settings.service_token}"}
    batches: dict[str, dict[str, Any]] = {}
    for record in to_records(generate(300, DEMO_GEOGRAPHY, period, seed=7)):
        batch = batches.setdefault(
            record.gemeentecode,
            {"contract_version": "1", "gemeentecode": record.gemeentecode, "period": period},
        )
        batch.setdefault("records", []).append(record.model_dump(mode="json"))
    with TestClient(app) as client:
        for batch in batches.values():
            stored = client.post("/api/v1/ingest/facts", json=batch, headers=service)
            assert stored.status_code == 200, stored.text
    release = publish_release(clean_db, period)
    with clean_db.begin() as conn:
        open_year(conn, "2026", YearBudget())
        grant_researcher(conn, "onderzoeker-1", "2026", 0.5, granted_by="test")

    schema = schemathesis.openapi.from_asgi(OPENAPI_PATH, app)

    def headers_for(path: str) -> dict[str, str]:
        if path.startswith("/api/v1/ingest"):
            return service
        if path.startswith("/api/v1/own"):
            return {"Authorization": "Bearer token-zeist"}
        if path.startswith("/api/v1/research/grants"):
            return {"Authorization": "Bearer token-regio"}
        return {"Authorization": "Bearer token-onderzoeker"}

    known = {"release_id": str(release.id), "gemeentecode": ZEIST, "period": period}
    outcome = run_contract(schema, headers_for, known)
    print("contract:", outcome.summary())
    assert outcome.calls > 0
    assert not outcome.failures, outcome.summary() + "\n\n" + "\n\n".join(outcome.failures)
    assert not [s for s in outcome.statuses if s >= 500], outcome.summary()
    assert sum(n for s, n in outcome.statuses.items() if s < 300) >= 5, outcome.summary()


# --- the documents themselves ----------------------------------------------------------------

#: Error statuses each kind of operation must document (besides its own).
AUTHENTICATED = {"401", "403"}


def _untyped(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """An empty schema, ``{}``-like or an object without properties is no contract."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _untyped(components[name], components)
    if "items" in schema:
        return _untyped(schema["items"], components)
    if schema.get("type") == "object":
        return not schema.get("properties")
    return not schema.get("type") and not schema.get("oneOf") and not schema.get("anyOf")


def _documents(
    contract_app: Litestar, clean_db: sa.Engine, settings: Settings
) -> dict[str, dict[str, Any]]:
    docs = {}
    apps = {"casework": contract_app, "analytics": create_analytics_app(settings, clean_db)}
    for name, app in apps.items():
        with TestClient(app) as client:
            response = client.get(OPENAPI_PATH)
            assert response.status_code == 200, response.text
            docs[name] = json.loads(response.text)
    return docs


def test_every_operation_documents_a_typed_answer_and_its_errors(
    contract_app: Litestar, clean_db: sa.Engine, settings: Settings
) -> None:
    docs = _documents(contract_app, clean_db, settings)
    problems: list[str] = []
    operations = 0
    for service, doc in docs.items():
        components = doc.get("components", {}).get("schemas", {})
        assert "ProblemDetails" in components, service
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                operations += 1
                label = f"{service} {method.upper()} {path}"
                responses = op.get("responses", {})
                ok = [s for s in responses if s.startswith("2")]
                if not ok:
                    problems.append(f"{label}: no 2xx response")
                for status in ok:
                    content = responses[status].get("content", {})
                    if not content:
                        problems.append(f"{label}: {status} has no body schema")
                    for media, body in content.items():
                        if _untyped(body.get("schema", {}), components):
                            problems.append(f"{label}: {status} {media} is untyped")
                errors = {s for s in responses if s[0] in "45"}
                for status in errors:
                    content = responses[status].get("content", {})
                    schema = content.get("application/problem+json", {}).get("schema", {})
                    if not schema.get("$ref", "").endswith("/ProblemDetails") and not (
                        schema.get("$ref", "").endswith("Problem")
                    ):
                        problems.append(f"{label}: {status} is not application/problem+json")
                public = path.startswith(("/health", "/api/v1/indicators", "/api/v1/releases"))
                if not public and not errors >= AUTHENTICATED:
                    problems.append(f"{label}: documents {sorted(errors)}, not 401 and 403")
                if "{" in path and "404" not in errors and not path.startswith("/health"):
                    problems.append(f"{label}: a path with an id but no 404")
                if "requestBody" in op and "422" not in errors:
                    problems.append(f"{label}: a request body but no 422")
    assert operations >= 60, operations
    assert not problems, "\n".join(problems)


def test_the_openapi_document_is_also_served_at_the_old_path(contract_app: Litestar) -> None:
    with TestClient(contract_app) as client:
        new = client.get(OPENAPI_PATH)
        old = client.get("/api/docs/openapi.json")
    assert new.status_code == old.status_code == 200
    assert new.json() == old.json()


def test_zrm_scores_are_documented_as_the_server_accepts_them(contract_app: Litestar) -> None:
    with TestClient(contract_app) as client:
        doc = client.get(OPENAPI_PATH).json()
    scores = doc["components"]["schemas"]["ZelfredzaamheidIn"]["properties"]["scores"]
    assert scores["type"] == "object"
    assert scores["additionalProperties"] == {"type": "integer", "minimum": 1, "maximum": 5}
    assert scores["minProperties"] == 1
