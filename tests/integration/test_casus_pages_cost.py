"""The casussen list and the casus page within their budget (issue 14): how many SQL
statements a page sends does not grow with its rows or sections, and every cheaper query is
checked against the plain one it replaced."""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from browser_login import login_as
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_PGA_EXPERT,
    ZEIST_PGA_EXPERT_NAME,
    ZEIST_WIJKAGENT,
)
from workspaces import is_background, principal_of, rolled_back, statements_in_this_thread

from services.casework.casussen import tijdlijn, zoeken
from services.casework.casussen.zichtbaar import visible_casus_condition
from services.casework.documenten import service as documents_service
from services.casework.page_reads import colleagues, organisation_names, page_reads
from services.casework.subjects import is_restricted
from services.casework.toestemming import service as consent_service
from services.casework.workspace import REGIE_ROLES, Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, CasusRole, Consent, Restriction, User
from services.platform.identity.principal import Principal
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


@pytest.fixture(scope="module")
def casus_id(app: Litestar, token_for: Headers) -> uuid.UUID:
    with TestClient(app) as client:
        return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Kostenpost"))


@pytest.fixture
def expert(runtime: Runtime) -> Principal:
    return principal_of(runtime, ZEIST_PGA_EXPERT, T)


def _regisseurs_by_exists(ws: Workspace) -> dict[str, str]:
    """The filter's users as the plain EXISTS query found them before issue 14."""
    rows = ws.session.execute(
        sa.select(User.id, User.display_name)
        .where(
            User.tenant_id == ws.principal.tenant,
            sa.exists().where(
                CasusRole.tenant_id == User.tenant_id,
                CasusRole.user_id == User.id,
                CasusRole.role.in_(REGIE_ROLES),
                CasusRole.ended_at.is_(None),
            ),
        )
        .order_by(User.display_name)
    ).all()
    return {row.id: row.display_name for row in rows}


def _role(casus_id: uuid.UUID, role: str, user: str, **extra: Any) -> CasusRole:
    return CasusRole(
        tenant_id=T,
        casus_id=casus_id,
        role=role,
        user_id=user,
        organisation_id="sociaal-wijkteam-zeist",
        **extra,
    )


def test_the_regisseur_filter_lists_whoever_holds_regie_now(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws:
        ws.session.add_all(
            [
                _role(casus_id, "casusregisseur", ZEIST_CASUSREGISSEUR),
                _role(casus_id, "procesregisseur", ZEIST_ADVISEUR, ended_at=sa.func.now()),
                _role(casus_id, "uitvoeringscoordinator", ZEIST_COORDINATOR),
            ]
        )
        ws.session.flush()
        found = zoeken.regisseurs(ws)
        assert found == _regisseurs_by_exists(ws)
        assert list(found) == sorted(found, key=found.__getitem__)  # by name, as before
        assert ZEIST_CASUSREGISSEUR in found
        held = set(_regisseurs_by_exists(ws))
        assert (ZEIST_ADVISEUR in found) == (ZEIST_ADVISEUR in held)  # an ended role: no
        assert (ZEIST_COORDINATOR in found) == (ZEIST_COORDINATOR in held)
        ws.session.add(_role(casus_id, "procesregisseur", ZEIST_COORDINATOR))
        ws.session.flush()
        assert ZEIST_COORDINATOR in zoeken.regisseurs(ws)
        assert zoeken.regisseurs(ws) == _regisseurs_by_exists(ws)


def _regisseurs_plan(ws: Workspace, *settings: str) -> dict[str, Any]:
    for setting in settings:
        ws.session.execute(sa.text(f"SET LOCAL {setting}"))
    sql = (
        zoeken._regisseurs_query()
        .params(r_tenant=T)
        .compile(dialect=ws.session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    )
    row = ws.session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}")).one()
    plan: dict[str, Any] = row[0][0]["Plan"]
    return plan


def _limits_over_roles(plan: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Per ``Limit`` node that reads ``casus_roles`` below it, the chain of nodes from its
    child down to that scan (through single-child nodes other than a ``Limit``: ``Result``,
    ``Sort``, ...)."""
    found = []
    stack = [plan]
    while stack:
        node = stack.pop()
        children = node.get("Plans", [])
        stack.extend(children)
        if node["Node Type"] != "Limit":
            continue
        chain = []
        below = [c for c in children if c.get("Parent Relationship") != "SubPlan"]
        while len(below) == 1 and below[0]["Node Type"] != "Limit":
            chain.append(below[0])
            below = [
                c for c in below[0].get("Plans", []) if c.get("Parent Relationship") != "SubPlan"
            ]
        if chain and chain[-1].get("Relation Name") == "casus_roles":
            found.append(chain)
    return found


def test_the_regisseur_filter_never_stops_a_seq_scan_of_the_roles_early(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    """The filter's ``LIMIT 1`` per user reads casus_roles in the order of
    ix_casus_roles_user_active, so a Seq Scan must sort the whole table before its first row
    and is costed so: with ``role IN (..) LIMIT 1`` the planner costed a Seq Scan at the
    fraction it expected to read before a match, and after an ``ANALYZE`` with a small sample
    (``default_statistics_target = 10``) it chose one: every user without regie read all
    58,000 roles, 0.2 -> 160 ms on the benchmark (``cliffs``, ADR 0020). Fails when the
    ``ORDER BY casus_id`` is dropped (Limit -> Seq Scan) or the branches per role become
    one ``role IN (..)`` (no ordered index scan in PostgreSQL 15: Limit -> Sort -> Index)."""
    with rolled_back(runtime, expert) as ws:
        ws.session.add(_role(casus_id, "casusregisseur", ZEIST_CASUSREGISSEUR))
        ws.session.flush()
        # Index scans off: the plan a planner that believes the Seq Scan gets.
        forced = _limits_over_roles(
            _regisseurs_plan(ws, "enable_indexscan = off", "enable_bitmapscan = off")
        )
        assert forced
        for chain in forced:
            assert chain[0]["Node Type"] == "Sort", [n["Node Type"] for n in chain]
        # Seq scans off: the index answers the LIMIT from its first entry, no sort.
        indexed = _limits_over_roles(
            _regisseurs_plan(
                ws, "enable_indexscan = on", "enable_bitmapscan = on", "enable_seqscan = off"
            )
        )
        assert indexed
        for chain in indexed:
            assert [n["Node Type"] for n in chain] in (["Index Scan"], ["Index Only Scan"]), [
                n["Node Type"] for n in chain
            ]
            assert chain[-1]["Index Name"] == "ix_casus_roles_user_active"


# ---------------------------------------------------------------------------------------------
# Statements per page
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def sent() -> Iterator[list[str]]:
    """The SQL statements sent while the block runs, whole (whitespace folded): a check for
    a table's read must see its ``FROM``, which a cut statement may not hold."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not is_background(statement):
            seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def _get(client: TestClient[Litestar], url: str) -> tuple[Any, list[str]]:
    with sent() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response, statements


def _audit_inserts(statements: list[str]) -> int:
    return sum(s.startswith("INSERT INTO audit_log") for s in statements)


def _ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text[:500]
    return response


def test_the_casus_page_sends_as_many_statements_however_many_rows_it_shows(
    app: Litestar, token_for: Headers
) -> None:
    """Each section is decided and audited on its own, but the page's audit rows go out in
    one INSERT, and the rows several sections read (consents, organisations, names) are read
    once: more rows in a section, or more consents, are not more statements."""
    agent = token_for(T, ZEIST_WIJKAGENT)
    with TestClient(app) as client:
        casus = aanmelden(client, agent, "Telling")

        def item(title: str) -> None:
            body = {
                "categorie": "politiegegevens",
                "titel": title,
                "inhoud": "Overlast.",
                "doel": "casusoverleg",
                "grondslag": "publieke-taak",
            }
            _ok(client.post(f"/api/v1/casussen/{casus}/informatie", json=body, headers=agent))

        def consent(purpose: str) -> None:
            _ok(
                client.post(
                    f"/api/v1/casussen/{casus}/toestemmingen",
                    json={"doel": purpose},
                    headers=agent,
                )
            )

        item("Registratie")
        consent("aanmelding")
        assert login_as(client, T, ZEIST_WIJKAGENT).status_code == 200
        listening(app)
        _get(client, f"/casussen/{casus}")  # the tenant's reference data now cached
        _, before = _get(client, f"/casussen/{casus}")
        assert _audit_inserts(before) == 1
        item("Tweede registratie")
        item("Derde registratie")
        consent("casusoverleg")
        response, after = _get(client, f"/casussen/{casus}")
        assert "Derde registratie" in response.text
        assert _audit_inserts(after) == 1
        assert len(after) == len(before), "\n".join(after)
        assert sum(s.startswith("SELECT consents.") for s in after) == 1
        # The tenant's organisations, users' names and manifest: from the app's cache.
        for table in ("organisations", "users", "tenants"):
            assert not any(f" FROM {table} WHERE" in s for s in after), table
        assert len(after) <= CASUS_PAGE_STATEMENTS, "\n".join(after)


#: The casus page of a person casus (login and header included); 41 before issue 14's
#: page levers; the budget was 30 until the sections' statements were counted again (the
#: documents take the subject's restriction from the page's load of the casus); 21 until the
#: page shell lost its login transaction (3), the header's badge its savepoint (2) and the
#: page's reading part its savepoint (2); 14 until the tenant's organisations, its users'
#: names and its manifest came from the app's cache (3; ADR 0027, amendment casuspagina).
CASUS_PAGE_STATEMENTS = 11


def listening(app: Litestar) -> None:
    """Wait until the app's principal signal listens (its cache is in use from then on)."""
    cache = app.state.principals.cache
    deadline = time.monotonic() + 30
    while not cache.listening:
        assert time.monotonic() < deadline, "the principal signal does not listen"
        time.sleep(0.005)


def test_a_refused_section_still_shows_its_reasons_and_is_on_record(
    app: Litestar, token_for: Headers, runtime: Runtime
) -> None:
    """The politie may not see the household (derden) for this purpose: that section says
    why, the others are shown, and every section's decision is audited — the refusal too —
    in the page's one INSERT."""
    with TestClient(app) as client:
        casus = aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Weigering")
        assert login_as(client, T, ZEIST_WIJKAGENT).status_code == 200
        response, statements = _get(client, f"/casussen/{casus}")
    html = response.text
    assert html.count("Niet zichtbaar voor u") == 1
    denied = html[html.index('id="kop-huishouden"') :]
    assert "categorie-geen-grant" in denied[: denied.index("</section>")]
    assert "geen toegang tot categorie" in denied
    assert _audit_inserts(statements) == 1
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT action, resource_type, allowed FROM audit_log "
                    "WHERE request_id = :r AND casus_id = :c"
                ),
                {"r": response.headers["x-request-id"], "c": casus},
            ).all()
    finally:
        engine.dispose()
    decided = {(r.action, r.resource_type): r.allowed for r in rows}
    assert decided[("read", "gezinslid")] is False
    for section in (
        ("read", "casus"),
        ("read", "plan"),
        ("read", "assessment"),
        ("list", "casus"),
        ("explain", "uitleg"),
        ("read", "toestemming"),
    ):
        assert decided[section] is True, section
    assert len(rows) == 9


def test_the_casussen_page_sends_as_many_statements_however_many_rows_it_lists(
    app: Litestar, token_for: Headers
) -> None:
    agent = token_for(T, ZEIST_WIJKAGENT)
    with TestClient(app) as client:
        aanmelden(client, agent, "Lijstje")
        assert login_as(client, T, ZEIST_WIJKAGENT).status_code == 200
        _, before = _get(client, "/casussen")
        for surname in ("Lijstje-twee", "Lijstje-drie", "Lijstje-vier"):
            aanmelden(client, agent, surname)
        response, after = _get(client, "/casussen")
        assert "Lijstje-vier" in response.text or "Lijstje" in response.text
        assert len(after) == len(before), "\n".join(after)
        assert _audit_inserts(after) == 1
        assert len(after) <= CASUSSEN_PAGE_STATEMENTS, "\n".join(after)


#: The casussen page (login and header included); 20 before the page shell lost its login
#: transaction, the header's badge its savepoint and the list's reading part its savepoint.
CASUSSEN_PAGE_STATEMENTS = 7


# ---------------------------------------------------------------------------------------------
# The read phase's memo is only used while the page only reads
# ---------------------------------------------------------------------------------------------


def _consents(ws: Workspace, casus_id: uuid.UUID) -> list[str]:
    return [c.purpose for c in consent_service._consents_of(ws, ws.load_casus(casus_id))]


def test_a_page_reads_shared_rows_once(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws, sent() as statements:
        with page_reads(ws.session):
            first = organisation_names(ws.session, T)
            _consents(ws, casus_id)
            before = len(statements)
            assert organisation_names(ws.session, T) == first
            _consents(ws, casus_id)
            assert colleagues(ws.session, T, {ZEIST_PGA_EXPERT}) == {
                ZEIST_PGA_EXPERT: (ZEIST_PGA_EXPERT_NAME, expert.organisation)
            }
            assert colleagues(ws.session, T, {ZEIST_PGA_EXPERT, "niemand"}) == {
                ZEIST_PGA_EXPERT: (ZEIST_PGA_EXPERT_NAME, expert.organisation)
            }
            assert len(statements) == before + 2  # a known colleague is not read again
            assert colleagues(ws.session, T, {"niemand", ZEIST_PGA_EXPERT}) == {
                ZEIST_PGA_EXPERT: (ZEIST_PGA_EXPERT_NAME, expert.organisation)
            }
            assert len(statements) == before + 2  # absent ids are remembered as absent
        organisation_names(ws.session, T)  # outside the read phase: read again
        assert len(statements) == before + 3


def test_a_change_in_the_read_phase_switches_the_memo_off(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws, page_reads(ws.session):
        casus = ws.load_casus(casus_id)
        assert casus.subject_person_id is not None
        assert "nazorg" not in _consents(ws, casus_id)
        consent = Consent(
            tenant_id=T, person_id=casus.subject_person_id, purpose="nazorg", recorded_by="x"
        )
        ws.session.add(consent)
        assert "nazorg" in _consents(ws, casus_id)  # pending: flushed first, memo off
        ws.session.flush()
        assert "nazorg" in _consents(ws, casus_id)
    with rolled_back(runtime, expert) as ws, page_reads(ws.session):
        assert "nazorg" not in _consents(ws, casus_id)  # the first one was rolled back
        person = ws.load_casus(casus_id).subject_person_id
        ws.session.execute(
            sa.insert(Consent).values(
                tenant_id=T, id=uuid.uuid4(), person_id=person, purpose="nazorg", recorded_by="x"
            )
        )
        assert "nazorg" in _consents(ws, casus_id)  # a statement that writes: memo off


def test_audit_rows_alone_keep_the_memo(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    """The decisions of the sections add audit rows (and the owner's copy is flushed on its
    own): those are no change to what the page reads."""
    with rolled_back(runtime, expert) as ws, sent() as statements, page_reads(ws.session):
        casus = ws.load_casus(casus_id)
        _consents(ws, casus_id)
        target = Target("casus", str(casus.id), casus.id)
        ws.enforcer.decide("read", ws.resource(casus), ws.context("casusoverleg"), target)
        ws.session.flush()
        before = len(statements)
        _consents(ws, casus_id)
        assert len(statements) == before


# ---------------------------------------------------------------------------------------------
# The list's windows: the same rows as the plain query, in every order
# ---------------------------------------------------------------------------------------------


def _plain(
    ws: Workspace, conditions: list[Any], sortering: str, offset: int, fetch: int
) -> list[uuid.UUID]:
    """The candidates as one query over every visible casus (the order's definition)."""
    query = (
        sa.select(Casus.id)
        .where(visible_casus_condition(ws), *conditions)
        .order_by(*zoeken._order(sortering))
        .offset(offset)
        .limit(fetch)
    )
    return list(ws.session.scalars(query))


def test_the_lists_windows_give_the_rows_of_the_plain_query_in_every_order(
    app: Litestar, token_for: Headers, runtime: Runtime, expert: Principal
) -> None:
    wijkagent, pga = token_for(T, ZEIST_WIJKAGENT), token_for(T, ZEIST_PGA_EXPERT)
    with TestClient(app) as client:
        made = [aanmelden(client, wijkagent, f"Volgorde{i}") for i in range(4)]
        for casus in made[:2]:  # two in another phase
            url = f"/api/v1/casussen/{casus}"
            etag = client.get(url, headers=pga).headers["etag"]
            moved = client.post(
                f"{url}/overgang", json={"naar": "in_triage"}, headers={**pga, "If-Match": etag}
            )
            assert moved.status_code == 200, moved.text
    agent = principal_of(runtime, ZEIST_WIJKAGENT, T)
    for principal in (agent, expert):
        with rolled_back(runtime, principal) as ws:
            states = set(ws.session.scalars(sa.select(Casus.state).where(Casus.tenant_id == T)))
            assert {"aangemeld", "in_triage"} <= states
            for conditions, filters in (
                ([], zoeken.Filters()),
                ([Casus.kind == "persoon"], zoeken.Filters(soort="persoon")),
                ([Casus.state == "in_triage"], zoeken.Filters(fase="in_triage")),
            ):
                for sortering in zoeken.SORTERINGEN:
                    sorted_by = dataclasses.replace(filters, sortering=sortering)
                    for offset, fetch in ((0, 3), (2, 3), (0, 200), (5, 2)):
                        found = zoeken.candidates(ws, sorted_by, None, offset, fetch)
                        assert [c.id for c in found] == _plain(
                            ws, conditions, sortering, offset, fetch
                        ), (principal.user_id, sortering, offset, fetch)


# ---------------------------------------------------------------------------------------------
# Fast paths of the casus page's sections, against the plain ones they replaced
# ---------------------------------------------------------------------------------------------


def _restriction(subject: uuid.UUID, **extra: Any) -> Restriction:
    return Restriction(
        tenant_id=T,
        id=uuid.uuid4(),
        target_type="persoon",
        target_id=str(subject),
        person_id=subject,
        casus_id=None,
        reason="Beperking (test).",
        restricted_by=ZEIST_PGA_EXPERT,
        **extra,
    )


def test_the_documents_section_knows_the_subjects_restriction_as_the_query_does(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    """The documents' subject restriction from the casus page's own load of the casus with
    its subject (no query) equals the plain lookup: not restricted, lifted, active."""
    with rolled_back(runtime, expert) as ws:
        subject = ws.load_casus(casus_id).subject_person_id
        assert subject is not None

        def both() -> tuple[bool, bool, int]:
            ws._forget()  # as at the start of a page: the casus loaded with its subject
            casus = ws.load_casus(casus_id, subject=True)
            assert ws.known_subject(casus) is not None
            with statements_in_this_thread() as seen:
                fast = documents_service._subject_restricted(ws, casus)
            plain = is_restricted(ws, "persoon", str(subject), tenant=casus.tenant_id)
            return fast, plain, len(seen)

        assert both() == (False, False, 0)
        ws.session.add(_restriction(subject, lifted_at=sa.func.now(), lifted_by=ZEIST_PGA_EXPERT))
        ws.session.flush()
        assert both() == (False, False, 0)
        ws.session.add(_restriction(subject))
        ws.session.flush()
        assert both() == (True, True, 0)
        # Without the page's load (another route), the plain lookup as before.
        ws.session.expire_all()
        ws._forget()
        casus = ws.load_casus(casus_id)
        assert ws.known_subject(casus) is None
        assert documents_service._subject_restricted(ws, casus) is True


def _in_words_before(
    text: str, organisations: dict[str, str], users: dict[str, tuple[str, str]]
) -> str:
    """``tijdlijn.in_words`` as it was before issue 14 (a pattern per line)."""
    import re

    names = {**organisations, **{uid: name for uid, (name, _org) in users.items()}}
    if names:
        pattern = re.compile(
            r"(?<![\w-])("
            + "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
            + r")(?![\w-])"
        )
        text = pattern.sub(lambda m: names[m.group(1)], text)
    for code, words in tijdlijn.CODE_WORDS.items():
        text = text.replace(code, words)
    return text


@pytest.mark.parametrize(
    ("organisations", "users"),
    [
        ({}, {}),
        ({"politie": "Politie", "politie-zeist": "Politie Zeist"}, {}),
        (
            {"sociaal-wijkteam-zeist": "Sociaal wijkteam"},
            {"u1": ("Ans", "sociaal-wijkteam-zeist"), "u12": ("Bert", "politie")},
        ),
    ],
)
def test_the_tijdlijn_in_words_reads_as_before(
    organisations: dict[str, str], users: dict[str, tuple[str, str]]
) -> None:
    lines = [
        "",
        "Deelnemer politie-zeist (op-afroep) toegevoegd door u12.",
        "Regie naar u1 als uitvoeringscoordinator (kern); u12x en xu1 blijven.",
        "politie en politie-zeist, sociaal-wijkteam-zeist: u1/u12.",
    ]
    words = tijdlijn._Words(organisations, users)
    for line in lines:
        expected = _in_words_before(line, organisations, users)
        assert words(line) == expected
        assert tijdlijn.in_words(line, organisations, users) == expected


def test_the_sections_decisions_and_records_equal_the_plain_ones(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    """``Enforcer.decide`` validates and masks the subject and context of a page's sections
    once: every input, decision and masked record equals the plain ``build_input`` and
    ``mask_for_log`` of it, and an invalid input still fails closed as before."""
    from services.platform.policy import PolicyInputInvalid, build_input, mask_for_log

    with rolled_back(runtime, expert) as ws:
        casus = ws.load_casus(casus_id)
        enforcer = ws.enforcer
        subject = expert.policy_subject()
        target = Target("casus", str(casus.id), casus.id)
        asked = []
        for purpose in ("triage", "casusoverleg", "triage", None):
            context = ws.context(purpose)
            for action, resource in (
                ("read", ws.resource(casus)),
                ("list", ws.resource(casus, "plan")),
                ("read", ws.resource(casus, "assessment")),
                ("read", {**ws.resource(casus), "restricted": True}),
            ):
                decision = enforcer.decide(action, resource, context, target, raise_on_deny=False)
                asked.append((action, context, resource, decision))
        rows = enforcer.recorded[-len(asked) :]
        assert len(enforcer._heads) == 3 * 2  # per action and context (3 x 2), not per call
        for (action, context, resource, decision), row in zip(asked, rows, strict=True):
            plain = build_input(subject, action, context, resource)
            fast, _ = enforcer._input(action, context, resource)
            assert fast == plain
            assert decision == enforcer.engine.decide(plain)
            assert row["decision_input"] == mask_for_log(plain)
            assert row["allowed"] is decision.allow
        with pytest.raises(PolicyInputInvalid):
            build_input(subject, "read", ws.context("triage"), {**ws.resource(casus), "x": 1})
        before = len(enforcer.recorded)
        with pytest.raises(PolicyInputInvalid):
            enforcer.decide("read", {**ws.resource(casus), "x": 1}, ws.context("triage"), target)
        assert enforcer.recorded[before]["status"] == "error"


def test_a_tenants_manifest_is_parsed_again_only_when_its_document_changed(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    """``parsed_manifest`` equals ``parse_manifest`` of the stored document: the last one
    parsed is reused only for an equal document, a changed one is parsed anew, an invalid
    one raises as before (and is not kept)."""
    import copy

    from services.casework.workspace import parsed_manifest
    from tenants.manifest import ManifestError, parse_manifest

    with rolled_back(runtime, expert) as ws:
        stored = copy.deepcopy(ws.tenant.manifest)
    source = "database:test-parsed"
    first = parsed_manifest(stored, source)
    assert first == parse_manifest(stored, source)
    assert parsed_manifest(copy.deepcopy(stored), source) is first  # equal: not parsed again
    changed = copy.deepcopy(stored)
    changed["name"] = str(changed.get("name", "")) + " (gewijzigd)"
    again = parsed_manifest(changed, source)
    assert again is not first
    assert again == parse_manifest(changed, source)
    stored_before = copy.deepcopy(changed)
    changed["name"] = "in place"  # the caller's document changing later changes nothing kept
    assert parsed_manifest(stored_before, source) is again
    with pytest.raises(ManifestError):
        parsed_manifest({**stored, "onbekend_veld": 1}, source)
    assert parsed_manifest(stored_before, source) is again


def test_the_werkvoorraad_pages_take_reference_data_from_the_apps_cache(
    app: Litestar, token_for: Headers
) -> None:
    """The werkvoorraad reads its due facts with textual SELECTs. A bare ``text()`` counted as
    a write, so every werkvoorraad read the tenant's manifest (~11 KB) and its organisations
    again after them instead of from the app's cache (found in session 25's statement trace:
    10 statements where 8 do)."""
    agent = token_for(T, ZEIST_WIJKAGENT)
    with TestClient(app) as client:
        aanmelden(client, agent, "Werkvoorraadcache")
        assert login_as(client, T, ZEIST_WIJKAGENT).status_code == 200
        listening(app)
        for url, headers in (("/werkvoorraad", {}), ("/api/v1/werkvoorraad", agent)):
            client.get(url, headers=headers)  # the tenant's reference data now cached
            with sent() as statements:
                response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.text[:300])
            assert any(s.startswith("SELECT pf.tenant_id") for s in statements), statements
            for table in ("organisations", "tenants"):
                assert not any(f" FROM {table} WHERE" in s for s in statements), (url, table)
