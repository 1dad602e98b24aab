"""``casussen.first_plan_at`` and ``casussen.last_review_on`` (migration 0072, ADR 0028,
amendment ``werkfacts``): the first plan version's time and the last tussentijdse meting's
date of a casus, kept on its row by triggers for the werkvoorraad's running statement. Pinned
here: after inserts, updates and deletes of plan versions and metingen (as the app role,
tenant set) the kept values equal what the statement's correlated subqueries computed
before; a casus is still deleted with its versions and metingen (as the bewaartermijn does);
the migration backfills them and goes down and up again."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from migrations import migrate
from test_werkvoorraad import REGISSEUR, T, casus_in_uitvoering

from services.platform.db.models import Assessment, Casus, PlanVersion
from services.platform.db.provision import DatabaseUrls
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]

#: What the running statement computed per casus before migration 0072.
SUBQUERIES = """
    SELECT c.id, c.first_plan_at, c.last_review_on,
        (SELECT min(v.created_at) FROM plan_versions v
         WHERE v.tenant_id = c.tenant_id AND v.casus_id = c.id) AS first_plan,
        (SELECT max(a.taken_on) FROM assessments a
         WHERE a.tenant_id = c.tenant_id AND a.casus_id = c.id
             AND a.moment = 'tussentijds') AS last_review
    FROM casussen c WHERE c.tenant_id = :t
"""


def _facts(runtime: Runtime) -> dict[uuid.UUID, tuple[Any, Any, Any, Any]]:
    """Per casus of the tenant: kept first plan, kept last review, and the subqueries' two."""
    with tenant_transaction(runtime.sessions, T) as session:
        rows = session.execute(sa.text(SUBQUERIES), {"t": T}).all()
    return {r.id: (r.first_plan_at, r.last_review_on, r.first_plan, r.last_review) for r in rows}


def _assert_kept(runtime: Runtime, casus: uuid.UUID, first: Any, last: Any) -> None:
    facts = _facts(runtime)
    wrong = {k: v for k, v in facts.items() if v[:2] != v[2:]}
    assert not wrong, wrong
    assert facts[casus][2:] == (first, last)


def _at(days: int) -> dt.datetime:
    return dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=days)


def _on(days: int) -> dt.date:
    return dt.date(2026, 1, 1) + dt.timedelta(days=days)


def _version(casus: uuid.UUID, version: int, days: int) -> PlanVersion:
    return PlanVersion(
        tenant_id=T,
        casus_id=casus,
        version=version,
        content={},
        summary=[],
        created_by=REGISSEUR,
        created_at=_at(days),
    )


def _meting(casus: uuid.UUID, moment: str, days: int) -> Assessment:
    return Assessment(
        tenant_id=T,
        id=uuid.uuid4(),
        casus_id=casus,
        instrument="zrm",
        moment=moment,
        taken_on=_on(days),
        scores={},
        assessor_user_id=REGISSEUR,
    )


def _change(runtime: Runtime, *statements: Any) -> None:
    with tenant_transaction(runtime.sessions, T) as session:
        for statement in statements:
            if isinstance(statement, PlanVersion | Assessment):
                session.add(statement)
                session.flush()
            else:
                session.execute(statement)


def test_the_kept_facts_equal_the_subqueries_after_every_change(
    app: Litestar, runtime: Runtime, token_for: Headers
) -> None:
    with TestClient(app) as client:
        other = uuid.UUID(casus_in_uitvoering(client, token_for, "Buur"))
    casus = uuid.uuid4()
    with tenant_transaction(runtime.sessions, T) as session:
        template = session.get(Casus, (T, other))
        assert template is not None
        session.add(
            Casus(
                tenant_id=T,
                id=casus,
                reference=f"FACTS-{casus.hex[:8]}",
                kind=template.kind,
                state="uitvoering",
                subject_person_id=template.subject_person_id,
                aanmelder_organisation_id=template.aanmelder_organisation_id,
                aanmelder_user_id=template.aanmelder_user_id,
            )
        )
    _assert_kept(runtime, casus, None, None)
    # The casus made through the app has its plan's time; this one none yet.
    assert _facts(runtime)[other][0] is not None

    versions = sa.update(PlanVersion).where(PlanVersion.casus_id == casus)
    metingen = sa.update(Assessment).where(Assessment.casus_id == casus)
    _change(runtime, _version(casus, 1, 10))
    _assert_kept(runtime, casus, _at(10), None)
    _change(runtime, _version(casus, 2, 20))  # a later version: the first stays
    _assert_kept(runtime, casus, _at(10), None)
    _change(runtime, versions.where(PlanVersion.version == 2).values(created_at=_at(5)))
    _assert_kept(runtime, casus, _at(5), None)
    _change(runtime, sa.delete(PlanVersion).where(PlanVersion.version == 2, versions.whereclause))
    _assert_kept(runtime, casus, _at(10), None)

    intake = _meting(casus, "intake", 30)
    _change(runtime, intake)  # not tussentijds: no review
    _assert_kept(runtime, casus, _at(10), None)
    first, second = _meting(casus, "tussentijds", 40), _meting(casus, "tussentijds", 50)
    _change(runtime, first, second)
    _assert_kept(runtime, casus, _at(10), _on(50))
    _change(runtime, metingen.where(Assessment.id == second.id).values(taken_on=_on(35)))
    _assert_kept(runtime, casus, _at(10), _on(40))
    _change(runtime, metingen.where(Assessment.id == intake.id).values(moment="tussentijds"))
    _assert_kept(runtime, casus, _at(10), _on(40))
    _change(runtime, metingen.where(Assessment.id == first.id).values(moment="afsluiting"))
    _assert_kept(runtime, casus, _at(10), _on(35))
    _change(runtime, sa.delete(Assessment).where(Assessment.id.in_([second.id, intake.id])))
    _assert_kept(runtime, casus, _at(10), None)
    # Moved to another casus: both casussen are written.
    _change(
        runtime,
        _meting(casus, "tussentijds", 60),
        metingen.values(casus_id=other),
        versions.values(created_at=_at(1)),
    )
    _assert_kept(runtime, casus, _at(1), None)
    assert _facts(runtime)[other][1] == _on(60)
    _change(runtime, sa.delete(PlanVersion).where(versions.whereclause))
    _assert_kept(runtime, casus, None, None)

    # The ORM never writes the kept columns back: a casus loaded before a change and
    # updated after it keeps the trigger's value.
    with tenant_transaction(runtime.sessions, T) as session:
        loaded = session.get(Casus, (T, casus))
        assert loaded is not None
        session.add(_version(casus, 1, 70))
        session.flush()
        loaded.plan_date = _on(70)
    _assert_kept(runtime, casus, _at(70), None)

    # A casus goes with its versions and metingen (the bewaartermijn's delete cascades; the
    # triggers then find no casus to write).
    _change(runtime, _meting(casus, "tussentijds", 80))
    _change(runtime, sa.delete(Casus).where(Casus.tenant_id == T, Casus.id == casus))
    assert casus not in _facts(runtime)


def _columns_and_triggers(url: Any) -> tuple[int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            columns = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = "
                    "'casussen' AND column_name IN ('first_plan_at', 'last_review_on')"
                )
            )
            triggers = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_trigger WHERE tgname IN "
                    "('casus_first_plan_sync', 'casus_last_review_sync')"
                )
            )
            return int(columns or 0), int(triggers or 0)
    finally:
        engine.dispose()


def test_the_migration_backfills_and_goes_down_and_up(
    app: Litestar, runtime: Runtime, token_for: Headers
) -> None:
    with TestClient(app) as client:
        casus = uuid.UUID(casus_in_uitvoering(client, token_for, "Terug"))
    _change(runtime, _meting(casus, "tussentijds", 90))
    owner = runtime.urls.owner
    assert _columns_and_triggers(owner) == (2, 2)
    try:
        migrate(owner, "0071", down=True)
        assert _columns_and_triggers(owner) == (0, 0)
        migrate(owner, "0072")
        assert _columns_and_triggers(owner) == (2, 2)
    finally:
        migrate(owner, "head")
    facts = _facts(runtime)
    assert all(v[:2] == v[2:] for v in facts.values()), facts
    assert facts[casus][1] == _on(90)
    assert facts[casus][0] is not None


def test_two_metingen_inserted_at_once_keep_the_latest_date(
    app: Litestar, runtime: Runtime, token_for: Headers, db_urls: DatabaseUrls
) -> None:
    """Two transactions record a tussentijdse meting of the same casus at once; the one that
    commits first has the later date. The kept last review is the later date. A trigger that
    recomputed ``max(taken_on)`` in the second transaction computed it without the first's
    uncommitted row, waited for the first's lock on the casus row, and then wrote its own,
    earlier date over it (READ COMMITTED re-checks the row, not the aggregate)."""
    with TestClient(app) as client:
        casus = uuid.UUID(casus_in_uitvoering(client, token_for, "Gelijktijdig"))
    later, earlier = _meting(casus, "tussentijds", 200), _meting(casus, "tussentijds", 150)
    admin = sa.create_engine(db_urls.admin)  # pg_blocking_pids of another role's backend
    first_written = threading.Event()
    second_done = threading.Event()
    release_first = threading.Event()
    second_pid: list[int] = []
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with tenant_transaction(runtime.sessions, T) as session:
                session.add(later)
                session.flush()  # the casus row is written and locked
                first_written.set()
                release_first.wait()
        except BaseException as error:  # noqa: BLE001 - asserted on below, in the test
            failures.append(error)
            first_written.set()

    def second() -> None:
        try:
            with tenant_transaction(runtime.sessions, T) as session:
                second_pid.append(session.scalar(sa.text("SELECT pg_backend_pid()")))
                session.add(earlier)
                session.flush()  # waits for the first transaction's lock on the casus
        except BaseException as error:  # noqa: BLE001 - asserted on below, in the test
            failures.append(error)
        finally:
            second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        threads[0].start()
        first_written.wait()
        threads[1].start()
        # Wait until the second transaction is blocked by the first (or has finished).
        blocked = False
        while not blocked and not second_done.is_set():
            if second_pid:
                with admin.connect() as conn:
                    blocked = bool(
                        conn.scalar(
                            sa.text("SELECT cardinality(pg_blocking_pids(:pid)) > 0"),
                            {"pid": second_pid[0]},
                        )
                    )
            second_done.wait(0.05)
        release_first.set()
        for thread in threads:
            thread.join()
    finally:
        release_first.set()
        admin.dispose()
    assert not failures, failures
    assert blocked, "the second meting was not held up by the first"
    facts = _facts(runtime)
    assert facts[casus][3] == _on(200)
    assert facts[casus][1] == _on(200), facts[casus]
