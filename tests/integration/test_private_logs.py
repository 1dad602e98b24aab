"""Logs hold no person data, and text the database cannot store never reaches it.

- NUL characters and invalid UTF-8 (percent-encoded bytes, lone surrogates in JSON) in a
  JSON body, a form body, the query string or a path parameter: 422 problem+json, nothing
  written (they gave 500 before).
- A database error caused by input with a person's name in it (here: a surname longer than
  a constraint allows) is a 500 problem+json whose log lines, in the test's log capture and
  in what the service writes to stderr, hold neither the name nor the other values of the statement.
- A refusal of the authentication middleware is logged with its real status (401) and the
  request id it answered with (it was logged as 500, without an id in the response).
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_BEHEERDER, ZEIST_WIJKAGENT

from services.platform.logging import configure_logging
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T, AANMELDER = ZEIST, ZEIST_WIJKAGENT


@pytest.fixture
def app_logging() -> Iterator[io.StringIO]:
    """The service's own logging set-up (JSON lines, redaction filter), as in production;
    what its handler writes to stderr is kept here."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", json_output=True)
    written = io.StringIO()
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(written)
    yield written
    root.handlers[:] = handlers
    root.setLevel(level)


def casus_body(surname: str, given: str = "Anna") -> dict[str, object]:
    return {
        "soort": "persoon",
        "waarom_integraal": "Privacytest: overlast en schulden tegelijk.",
        "geinformeerd": True,
        "persoon": {"voornamen": given, "achternaam": surname, "geboortedatum": "1999-04-03"},
    }


def persons_named(runtime: Runtime, fragment: str) -> int:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT count(*) FROM persons WHERE surname LIKE :f"),
                    {"f": f"%{fragment}%"},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def assert_refused(response: object) -> None:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert response.json()["code"] == "ongeldige-tekens"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "surname", ["Nul\u0000teken", "Half\ud800surrogaat", "Laag\udc00surrogaat"]
)
def test_nul_and_lone_surrogates_in_json_are_refused_before_the_database(
    client: TestClient[Litestar], token_for: Headers, runtime: Runtime, surname: str
) -> None:
    import json

    body = json.dumps(casus_body(surname), ensure_ascii=True)  # \u0000 and \ud800 escapes
    response = client.post(
        "/api/v1/casussen",
        content=body,
        headers={**token_for(T, AANMELDER), "Content-Type": "application/json"},
    )
    assert_refused(response)
    assert persons_named(runtime, surname[:3]) == 0


def test_raw_nul_and_invalid_utf8_bytes_in_json_are_refused(
    client: TestClient[Litestar], token_for: Headers
) -> None:
    for raw in (b'{"soort": "persoon\x00"}', b'{"soort": "pers\xc3\x28oon"}'):
        response = client.post(
            "/api/v1/casussen",
            content=raw,
            headers={**token_for(T, AANMELDER), "Content-Type": "application/json"},
        )
        assert_refused(response)


@pytest.mark.parametrize(
    ("method", "path", "content", "content_type"),
    [
        ("GET", "/api/v1/casussen?doel=casus%00overleg", None, None),
        ("GET", "/api/v1/casussen?doel=%FF%FE", None, None),
        ("GET", "/api/v1/gebruikers/koen%00bosman", None, None),
        ("GET", "/api/v1/gebruikers/koen%C3%28", None, None),
        (
            "POST",
            "/aanmelden",
            b"achternaam=Jan%00sen&voornamen=Piet",
            "application/x-www-form-urlencoded",
        ),
        ("POST", "/aanmelden", b"achternaam=Jan%ED%A0%80sen", "application/x-www-form-urlencoded"),
    ],
)
def test_query_path_and_form_are_refused(
    client: TestClient[Litestar],
    token_for: Headers,
    method: str,
    path: str,
    content: bytes | None,
    content_type: str | None,
) -> None:
    headers = token_for(T, ZEIST_BEHEERDER)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.request(method, path, content=content, headers=headers)
    assert_refused(response)


def test_ordinary_text_still_passes(client: TestClient[Litestar], token_for: Headers) -> None:
    response = client.post(
        "/api/v1/casussen",
        json=casus_body("Çelik-Ünal 😀 \\u0000 als tekst"),
        headers=token_for(T, AANMELDER),
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def surname_limit(runtime: Runtime) -> Iterator[None]:
    """A constraint the API does not know about: a surname over 200 characters makes the
    database refuse the statement (a real database error, in the middle of a request)."""
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "ALTER TABLE persons ADD CONSTRAINT persons_surname_length "
                "CHECK (length(surname) <= 200)"
            )
        )
    yield
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE persons DROP CONSTRAINT persons_surname_length"))
    engine.dispose()


def test_a_database_error_leaves_no_person_data_in_the_logs(
    client: TestClient[Litestar],
    token_for: Headers,
    caplog: pytest.LogCaptureFixture,
    app_logging: io.StringIO,
    surname_limit: None,
) -> None:
    surname = "Vermeulen-Geheimnaam" * 12  # 240 characters
    caplog.set_level(logging.INFO)
    request_id = uuid.uuid4().hex
    response = client.post(
        "/api/v1/casussen",
        json=casus_body(surname, given="Zorgvuldigvoornaam"),
        headers={**token_for(T, AANMELDER), "X-Request-ID": request_id},
    )
    assert response.status_code == 500, response.text
    assert response.json()["request_id"] == request_id
    stderr = app_logging.getvalue()
    logged = caplog.text + "\n".join(r.exc_text or "" for r in caplog.records) + stderr
    # The error is on record ...
    assert "IntegrityError" in logged or "CheckViolation" in logged
    assert "persons_surname_length" in logged and request_id in stderr
    # ... but no value of the statement is.
    for secret in ("Geheimnaam", "Zorgvuldigvoornaam", "1999-04-03", "Privacytest"):
        assert secret not in logged, secret


def test_authentication_refusals_are_logged_with_their_status_and_request_id(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    request_id = uuid.uuid4().hex
    with caplog.at_level(logging.INFO, logger="regietafel.access"):
        response = client.get(
            "/api/v1/casussen",
            headers={"X-Request-ID": request_id, "Authorization": "Bearer niet-geldig"},
        )
        missing = client.get("/api/v1/casussen")
    assert response.status_code == 401 and missing.status_code == 401
    assert response.headers["x-request-id"] == request_id
    assert missing.headers["x-request-id"]
    assert response.json()["request_id"] == request_id
    lines = [r.getMessage() for r in caplog.records if r.name == "regietafel.access"]
    assert "GET /api/v1/casussen 401" in " ".join(lines)
    assert not any(" 500 " in line for line in lines), lines
    record = next(r for r in caplog.records if r.name == "regietafel.access")
    assert getattr(record, "request_id", request_id) == request_id
