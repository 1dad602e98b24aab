"""The audit log in the shape of Logboek Dataverwerkingen, through the HTTP API.

- A ``traceparent`` header is continued: the rows carry its trace id, and the response's
  ``traceparent`` names the span that is the parent of every row's own span; without one a
  trace is started.
- Every allowed read, list or share carries a legal basis and a processing activity of the
  tenant's register; a share records the basis the checklist checked.
- The data subject is a sealed reference that opens (with the key) to the casus's person
  and never holds the id itself.
- The register of processing activities is readable by the burgemeester's contact person,
  as JSON and as a Dutch page, and refused to a professional.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_CASUSREGISSEUR, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT, ZOETERMEER

from services.platform.authz.register import GENERAL_ACTIVITY, build_register
from services.platform.authz.subjects import SUBJECT_TYPE, SubjectSealer
from services.runtime import Runtime
from tenants.manifest import Manifest

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CHECKLIST = {
    "doel": "casusoverleg",
    "grondslag": "publieke-taak",
    "noodzaak": "Zonder deze informatie kan het overleg geen passende aanpak kiezen.",
    "persoon_geinformeerd": True,
}


@pytest.fixture(scope="module")
def admin_db(runtime: Runtime) -> Iterator[sa.Engine]:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    yield engine
    engine.dispose()


def rows_of(engine: sa.Engine, request_id: str) -> list[sa.Row[tuple[object, ...]]]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text("SELECT * FROM audit_log WHERE request_id = :r ORDER BY seq"),
                {"r": request_id},
            ).all()
        )


def test_traceparent_is_continued_and_every_row_has_its_own_span(
    client: TestClient[Litestar], token_for: Headers, admin_db: sa.Engine
) -> None:
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Tracetest: overlast en schulden tegelijk.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Tom", "achternaam": "Tracetest"},
        },
        headers=token_for(T, ZEIST_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    request_id = uuid.uuid4().hex
    response = client.get(
        "/api/v1/casussen",
        headers={
            **token_for(T, ZEIST_PGA_EXPERT),
            "X-Request-ID": request_id,
            "traceparent": f"00-{TRACE}-00f067aa0ba902b7-01",
        },
    )
    assert response.status_code == 200
    version, trace_id, span_id, flags = response.headers["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", TRACE, "01")
    assert span_id != "00f067aa0ba902b7"  # our own span, the caller's is its parent
    rows = rows_of(admin_db, request_id)
    assert rows
    assert {r.trace_id for r in rows} == {TRACE}
    assert {r.parent_span_id for r in rows} == {span_id}
    assert len({r.span_id for r in rows}) == len(rows)


@pytest.mark.parametrize("header", [None, "garbage", f"00-{'0' * 32}-00f067aa0ba902b7-01"])
def test_a_missing_or_invalid_traceparent_starts_a_new_trace(
    client: TestClient[Litestar], token_for: Headers, header: str | None
) -> None:
    headers = token_for(T, ZEIST_PGA_EXPERT)
    if header is not None:
        headers["traceparent"] = header
    response = client.get("/api/v1/casussen", headers=headers)
    version, trace_id, span_id, _ = response.headers["traceparent"].split("-")
    assert version == "00" and len(trace_id) == 32 and trace_id != "0" * 32
    assert len(span_id) == 16


def test_allowed_reads_and_shares_carry_legal_basis_activity_and_sealed_subject(
    client: TestClient[Litestar],
    token_for: Headers,
    admin_db: sa.Engine,
    runtime: Runtime,
    test_tenants: list[Manifest],
) -> None:
    politie, wijkteam = token_for(T, ZEIST_WIJKAGENT), token_for(T, ZEIST_CASUSREGISSEUR)
    expert = token_for(T, ZEIST_PGA_EXPERT)
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Logboektest: overlast en schulden tegelijk.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": "Lotte", "achternaam": "Logboektest"},
        },
        headers=politie,
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}"
    casus_id = uuid.UUID(created.json()["id"])
    assert (
        client.put(
            f"{url}/regie",
            json={"rol": "casusregisseur", "gebruiker": ZEIST_CASUSREGISSEUR},
            headers=expert,
        ).status_code
        == 200
    )
    item = client.post(
        f"{url}/informatie",
        json={
            "categorie": "financieel",
            "titel": "Schulden",
            "inhoud": "Logboektest: schulden bij de woningcorporatie.",
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
        },
        headers=wijkteam,
    )
    assert item.status_code == 201, item.text
    share_id, read_id = uuid.uuid4().hex, uuid.uuid4().hex
    shared = client.post(
        f"{url}/informatie/{item.json()['id']}/delen",
        json=CHECKLIST,
        headers={**wijkteam, "X-Request-ID": share_id},
    )
    assert shared.status_code == 200, shared.text
    read = client.get(
        url, params={"doel": "casusoverleg"}, headers={**wijkteam, "X-Request-ID": read_id}
    )
    assert read.status_code == 200, read.text

    share_rows = [r for r in rows_of(admin_db, share_id) if r.action == "share"]
    assert share_rows and all(r.allowed for r in share_rows)
    assert {r.legal_basis for r in share_rows} == {"publieke-taak"}
    assert {r.processing_activity for r in share_rows} == {"casusoverleg"}
    read_rows = [r for r in rows_of(admin_db, read_id) if r.allowed]
    assert read_rows
    for row in read_rows:
        assert row.legal_basis == "publieke-taak"
        assert row.processing_activity == "casusoverleg"
        assert row.status == "ok"

    # The subject: a keyed reference and a sealed id, which opens to the casus's person.
    with admin_db.connect() as conn:
        person_id = conn.execute(
            sa.text("SELECT subject_person_id FROM casussen WHERE id = :c"), {"c": casus_id}
        ).scalar_one()
    sealer = SubjectSealer(runtime.settings.secret_key or "")
    for row in read_rows + share_rows:
        assert row.data_subject_type == SUBJECT_TYPE
        assert row.data_subject_ref == sealer.reference(T, person_id)
        assert sealer.open(T, bytes(row.data_subject_enc)) == person_id
        assert str(person_id) not in (row.data_subject_ref or "")
        with pytest.raises(ValueError, match="does not open"):
            sealer.open(ZOETERMEER, bytes(row.data_subject_enc))  # bound to the tenant

    # Over the whole log: no allowed read, list or share without a basis and an activity.
    register = build_register(next(m for m in test_tenants if m.gemeentecode == T))
    codes = {a.code for a in register.activities}
    with admin_db.connect() as conn:
        missing = conn.execute(
            sa.text(
                "SELECT count(*) FROM audit_log WHERE allowed AND action IN "
                "('read', 'list', 'share') AND (legal_basis IS NULL OR processing_activity "
                "IS NULL OR trace_id IS NULL OR span_id IS NULL)"
            )
        ).scalar_one()
        activities = set(
            conn.execute(
                sa.text("SELECT DISTINCT processing_activity FROM audit_log WHERE tenant_id = :t"),
                {"t": T},
            ).scalars()
        )
    assert missing == 0
    assert activities <= codes and GENERAL_ACTIVITY in codes


def test_the_register_is_readable_by_the_burgemeester_contact(
    client: TestClient[Litestar],
    token_for: Headers,
    admin_db: sa.Engine,
    test_tenants: list[Manifest],
) -> None:
    contact = next(
        (m.gemeentecode, u.id)
        for m in test_tenants
        for u in m.users
        if "burgemeester-contactpersoon" in u.roles
    )
    response = client.get("/api/v1/verwerkingsregister", headers=token_for(*contact))
    assert response.status_code == 200, response.text
    register = response.json()
    manifest = next(m for m in test_tenants if m.gemeentecode == contact[0])
    assert register["verwerkingsverantwoordelijke"] == manifest.name
    by_code = {a["code"]: a for a in register["activiteiten"]}
    assert {"casusoverleg", "platformbeheer", "gebruikersbeheer", GENERAL_ACTIVITY} <= set(by_code)
    casusoverleg = by_code["casusoverleg"]
    assert casusoverleg["legal_basis"] == "publieke-taak"
    assert casusoverleg["uri"].endswith(f":{contact[0]}:casusoverleg")
    granted_domains = {
        d for g in manifest.grants if "casusoverleg" in g.purposes for d in g.domains
    }
    expected = {
        f"{o.name} ({manifest.domains[o.domain]})"
        for o in manifest.organisations
        if o.domain in granted_domains
    }
    assert set(casusoverleg["recipients"]) == expected
    assert str(manifest.retention.default_months) in casusoverleg["retention"]

    refused = client.get("/api/v1/verwerkingsregister", headers=token_for(T, ZEIST_WIJKAGENT))
    assert refused.status_code == 403

    client.cookies.set("regietafel_token", token_for(*contact)["Authorization"][7:])
    try:
        page = client.get("/verwerkingsregister")
    finally:
        client.cookies.clear()
    assert page.status_code == 200
    assert "Register van verwerkingsactiviteiten" in page.text and manifest.name in page.text
