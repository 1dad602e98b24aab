"""Seeing and undoing what a probe changed, as the database superuser.

- ``ChangeLog`` installs an AFTER row trigger on every table of the casework database
  (except the append-only audit log and its checkpoints, and the worker heartbeat) that
  records the old and the new row of each insert, update and delete in
  ``hostile_probe_changes``. After a probe the
  suite reads the log: which rows did the request change, and of which casus?
- ``undo()`` puts every logged row back (reverse order, FK triggers off for the superuser
  session), so that a write that was allowed (or leaked) never changes what later probes
  see. A row fingerprint of the world's casussen, taken before the probes and compared
  after, proves that the undo restores everything.
- ``fingerprint()`` is an md5 per casus over every row of every table that belongs to it
  (by ``casus_id``, or through the casus's persons), read as the superuser (no RLS).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

LOG_TABLE = "hostile_probe_changes"
SKIP_TABLES = frozenset(
    {
        "audit_log",
        "audit_checkpoints",
        "worker_heartbeats",
        "alembic_version",
        LOG_TABLE,
    }
)


@dataclass(frozen=True)
class Change:
    table: str
    op: str  # INSERT | UPDATE | DELETE
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def row(self) -> dict[str, Any]:
        return self.new if self.new is not None else (self.old or {})

    @property
    def real(self) -> bool:
        """An UPDATE that wrote the same values is no change."""
        return self.op != "UPDATE" or self.old != self.new

    def value(self, column: str) -> Any:
        for row in (self.new, self.old):
            if row is not None and row.get(column) is not None:
                return row[column]
        return None


class ChangeLog:
    def __init__(self, admin: sa.engine.Engine) -> None:
        self.admin = admin
        self.tables: list[str] = []
        self.keys: dict[str, list[str]] = {}
        self._probe: sa.Connection | None = None

    def install(self) -> None:
        with self.admin.begin() as conn:
            conn.execute(
                sa.text(
                    f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (id bigserial PRIMARY KEY, "
                    "tbl text NOT NULL, op text NOT NULL, old jsonb, new jsonb)"
                )
            )
            conn.execute(
                sa.text(
                    "CREATE OR REPLACE FUNCTION hostile_probe_log() RETURNS trigger "
                    "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$ BEGIN "
                    f"INSERT INTO {LOG_TABLE}(tbl, op, old, new) VALUES (TG_TABLE_NAME, TG_OP, "
                    "CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, "
                    "CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END); "
                    "RETURN NULL; END $$"
                )
            )
            tables = conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            ).scalars()
            self.tables = [t for t in tables if t not in SKIP_TABLES]
            for table in self.tables:
                conn.execute(sa.text(f'DROP TRIGGER IF EXISTS hostile_probe_log ON "{table}"'))
                conn.execute(
                    sa.text(
                        "CREATE TRIGGER hostile_probe_log AFTER INSERT OR UPDATE OR DELETE "
                        f'ON "{table}" FOR EACH ROW EXECUTE FUNCTION hostile_probe_log()'
                    )
                )
                self.keys[table] = list(
                    conn.execute(
                        sa.text(
                            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                            "WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary "
                            "ORDER BY array_position(i.indkey, a.attnum)"
                        ),
                        {"t": f'public."{table}"'},
                    ).scalars()
                )
            conn.execute(sa.text(f"TRUNCATE {LOG_TABLE}"))

    def forget(self) -> None:
        """Drop what was logged without undoing it (the suite's own setup)."""
        with self.admin.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {LOG_TABLE}"))

    def uninstall(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        with self.admin.begin() as conn:
            for table in self.tables:
                conn.execute(sa.text(f'DROP TRIGGER IF EXISTS hostile_probe_log ON "{table}"'))
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {LOG_TABLE}"))
            conn.execute(sa.text("DROP FUNCTION IF EXISTS hostile_probe_log()"))

    def any(self) -> bool:
        with self._conn() as conn:
            return bool(
                conn.execute(sa.text(f"SELECT EXISTS (SELECT 1 FROM {LOG_TABLE})")).scalar()
            )

    def _conn(self) -> sa.Connection:
        return self.admin.connect()

    def pending(self) -> list[Change]:
        """What was logged since the last undo (oldest first)."""
        with self.admin.connect() as conn:
            rows = conn.execute(
                sa.text(f"SELECT tbl, op, old, new FROM {LOG_TABLE} ORDER BY id")
            ).all()
        return [Change(t, op, _obj(old), _obj(new)) for t, op, old, new in rows]

    def undo(self) -> int:
        """Put every logged row back, newest first; returns the number of changes undone."""
        with self.admin.begin() as conn:
            rows = conn.execute(
                sa.text(f"SELECT id, tbl, op, old, new FROM {LOG_TABLE} ORDER BY id DESC")
            ).all()
            if not rows:
                return 0
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for _, table, op, old, new in rows:
                keys = self.keys[table]
                if op in ("INSERT", "UPDATE"):
                    self._delete(conn, table, keys, _obj(new))
                if op in ("UPDATE", "DELETE"):
                    conn.execute(
                        sa.text(
                            f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE SELECT * FROM '
                            f'jsonb_populate_record(NULL::"{table}", CAST(:row AS jsonb))'
                        ),
                        {"row": json.dumps(_obj(old))},
                    )
            conn.execute(sa.text(f"DELETE FROM {LOG_TABLE} WHERE id <= :id"), {"id": rows[0][0]})
        return len(rows)

    @staticmethod
    def _delete(
        conn: sa.Connection, table: str, keys: Sequence[str], row: dict[str, Any] | None
    ) -> None:
        assert row is not None and keys, table
        where = " AND ".join(
            f'"{k}" = (jsonb_populate_record(NULL::"{table}", CAST(:row AS jsonb)))."{k}"'
            for k in keys
        )
        conn.execute(sa.text(f'DELETE FROM "{table}" WHERE {where}'), {"row": json.dumps(row)})


def _obj(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        loaded = json.loads(value)
        assert isinstance(loaded, dict)
        return loaded
    assert isinstance(value, dict)
    return value


#: Tables that belong to a casus through ``casus_id``.
CASUS_TABLES = (
    "casussen",
    "casus_participants",
    "casus_roles",
    "casus_events",
    "casus_shares",
    "information_items",
    "plan_versions",
    "assessments",
    "meeting_agenda",
    "group_members",
    "urgent_access",
    "outcome_measurements",
)
#: Tables that belong to a casus through its persons.
PERSON_TABLES = {"persons": "id", "household_members": "person_id", "consents": "person_id"}


def fingerprint(
    admin: sa.engine.Engine, casus_ids: Iterable[str], person_casus: dict[str, str]
) -> dict[str, str]:
    """casus id -> md5 over every row of the casus (by casus id, and through its persons;
    ``person_casus`` maps person id -> casus id)."""
    ids = list(casus_ids)
    persons = list(person_casus)
    parts: dict[str, list[str]] = {cid: [] for cid in ids}
    with admin.connect() as conn:
        for table in CASUS_TABLES:
            column = "id" if table == "casussen" else "casus_id"
            for cid, digest in conn.execute(
                sa.text(
                    f"SELECT {column}::text, md5(string_agg(t::text, '|' ORDER BY t::text)) "
                    f'FROM "{table}" t WHERE {column}::text = ANY(:ids) GROUP BY 1'
                ),
                {"ids": ids},
            ):
                parts[cid].append(f"{table}:{digest}")
        for table, column in PERSON_TABLES.items():
            for pid, digest in conn.execute(
                sa.text(
                    f"SELECT {column}::text, md5(string_agg(t::text, '|' ORDER BY t::text)) "
                    f'FROM "{table}" t WHERE {column}::text = ANY(:ids) GROUP BY 1'
                ),
                {"ids": persons},
            ):
                parts[person_casus[pid]].append(f"{table}/{pid}:{digest}")
    return {cid: "|".join(sorted(p)) for cid, p in parts.items()}
