"""Periodic consumers: reminders of what is due (herijking, toezeggingen, overlegacties)
from each user's own werkvoorraad, once per user and day, without person data; and the
retention hook reporting casussen past their bewaartermijn."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import WIJK_BIJ_DUURSTEDE
from test_werkvoorraad import REGISSEUR, TODAY, T, backdate, casus_in_uitvoering

from services.jobs import _work_queue_as_user, retention_sweep_all
from services.platform.db.models import Casus
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.outbox import consumers
from services.platform.outbox.mail import FolderMailer
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]


@pytest.fixture
def regisseur_email(runtime: Runtime) -> Iterator[str]:
    address = f"robin-{uuid.uuid4().hex[:6]}@wijkteam.example"
    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with admin.begin() as conn:
        conn.execute(
            sa.text("UPDATE users SET email = :e WHERE tenant_id = :t AND id = :u"),
            {"e": address, "t": T, "u": REGISSEUR},
        )
    yield address
    with admin.begin() as conn:
        conn.execute(
            sa.text("UPDATE users SET email = NULL WHERE tenant_id = :t AND id = :u"),
            {"t": T, "u": REGISSEUR},
        )
    admin.dispose()


def test_reminders_once_per_user_and_day_and_the_retention_hook(
    client: TestClient[Litestar],
    token_for: Headers,
    runtime: Runtime,
    regisseur_email: str,
    tmp_path: Path,
) -> None:
    casus_id = casus_in_uitvoering(client, token_for, "Herinnerd")
    backdate(
        runtime,
        casus_id,
        plan_on=TODAY - dt.timedelta(days=305),
        melding_on=TODAY - dt.timedelta(days=335),
    )
    reference = client.get(f"/api/v1/casussen/{casus_id}", headers=token_for(T, REGISSEUR)).json()[
        "referentie"
    ]
    day = TODAY + dt.timedelta(days=3650 + uuid.uuid4().int % 1000)  # a day no other run used
    deps = consumers.ConsumerDeps(runtime.sessions, runtime.settings, FolderMailer(tmp_path))
    work_queue = _work_queue_as_user(runtime.sessions, runtime.settings)

    assert consumers.send_reminders(deps, day, work_queue) >= 1
    assert consumers.send_reminders(deps, day, work_queue) == 0  # once per user and day

    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with admin.connect() as conn:
        notes = conn.execute(
            sa.text(
                "SELECT id, subject, body, email, mail_sent_at FROM notifications "
                "WHERE tenant_id = :t AND user_id = :u AND kind = 'herinnering' "
                "AND subject LIKE :d"
            ),
            {"t": T, "u": REGISSEUR, "d": f"%{day.isoformat()}%"},
        ).all()
    admin.dispose()
    assert len(notes) == 1
    [note] = notes
    assert f"Herijking: casus {reference}" in note.body
    assert f"Toezegging controleren: casus {reference}" in note.body
    assert "(te laat)" in note.body
    assert "Herinnerd" not in note.body and "Werktest" not in note.body  # no person data
    assert note.email == regisseur_email and note.mail_sent_at is not None
    mail = (tmp_path / f"{note.id}.eml").read_text()
    assert regisseur_email in mail and reference in mail

    with tenant_transaction(runtime.sessions, T) as session:
        session.execute(
            sa.update(Casus)
            .where(Casus.id == uuid.UUID(casus_id))
            .values(
                retention_until=TODAY - dt.timedelta(days=1),
                closure_date=TODAY - dt.timedelta(days=400),
            )
        )
    # The sweep removes a closed casus whose term has passed (services/casework/avg).
    assert retention_sweep_all(deps.sessions, TODAY).get(T, 0) >= 1


def test_the_audit_chain_hook_reports_a_broken_link(runtime: Runtime, test_tenants: object) -> None:
    """The periodic job names the position of the first bad row of a tenant whose log was
    edited behind the application's back, and passes again once the row is restored."""
    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    tenant = WIJK_BIJ_DUURSTEDE
    row_id = uuid.uuid4()
    with admin.begin() as conn:
        # The chain trigger finds the tenant's last row under row-level security: the
        # session names the tenant, as the application's do (without it the trigger sees no
        # rows and numbers the row 1 again once the tenant has a log). A refused row, so the
        # log-wide legal-basis check (test_logboek) holds whatever runs first.
        conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": tenant})
        seq = conn.execute(
            sa.text(
                "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, "
                "action, resource_type, allowed, reasons, decision_input) "
                "VALUES (:t, :i, 'u', 'o', '{}', 'read', 'casus', false, '{}', '{}') "
                "RETURNING seq"
            ),
            {"t": tenant, "i": row_id},
        ).scalar_one()
    deps = consumers.ConsumerDeps(runtime.sessions, runtime.settings, None)
    assert consumers.verify_audit_chain(deps) == {}

    def set_action(action: str) -> None:
        with admin.begin() as conn:
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            conn.execute(
                sa.text("UPDATE audit_log SET action = :a WHERE tenant_id = :t AND id = :i"),
                {"a": action, "t": tenant, "i": row_id},
            )
            conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))

    set_action("list")
    try:
        assert consumers.verify_audit_chain(deps) == {tenant: seq}
    finally:
        set_action("read")
    assert consumers.verify_audit_chain(deps) == {}
    admin.dispose()
