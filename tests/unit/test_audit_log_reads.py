"""Which SELECTs read the audit log (the enforcer writes its pending rows before them)."""

from __future__ import annotations

import sqlalchemy as sa

from services.casework.casus_relations import CASUS_WITH_RELATIONS, RELATIONS_OF_KEYS
from services.platform.authz.enforce import _selects_from_audit_log
from services.platform.db.models import AuditEntry, Casus


def test_a_select_of_the_log_is_recognised() -> None:
    assert _selects_from_audit_log(sa.select(AuditEntry))
    assert _selects_from_audit_log(sa.select(AuditEntry.id).where(AuditEntry.allowed))


def test_statements_with_lateral_or_values_clauses_are_not_the_log_and_do_not_raise() -> None:
    # Before the fix, ``AUDIT_LOG in (from, ...)`` let such a FROM's overloaded ``==`` build
    # a SQL expression against the Table: ArgumentError, a 500 on the werkvoorraad.
    for statement in (RELATIONS_OF_KEYS, CASUS_WITH_RELATIONS, sa.select(Casus)):
        assert not _selects_from_audit_log(statement)
