"""WAL, full-page images, blocks read and backend CPU of the list page's audit INSERT, with
random (version 4) against time-ordered (version 7) ids (ADR 0018, amendment ``auditid``).

Run on a COPY of the benchmark database (never the shared one: ``--grow`` writes millions of
rows into it):

    createdb -h 127.0.0.1 -U postgres -T regietafel_bench regietafel_bench_NAME
    BENCH_DATABASE_NAME=regietafel_bench_NAME PYTHONPATH=$PWD .venv/bin/python \\
        tests/benchmarks/bench_audit_wal.py [--grow 14] [--rounds 6] [--per-checkpoint 10]

It captures the audit INSERT one ``zichtbaar.list_casussen`` sends (``bench_pg_statements``),
optionally grows ``audit_log`` first (``--grow K``: K copies of the rows there, with fresh
random ids, ``at`` K days earlier, in chains 100·K and up, an empty decision record, written
with the chain trigger and foreign keys off; the chains they land in do not verify, which is
why this runs on a copy), then replays the INSERT as the app role with the tenant set,
committed as a request commits, with the row id ``gen_random_uuid()`` or ``public.uuid7()``:
per round and id kind a ``CHECKPOINT`` and ``--per-checkpoint`` INSERTs, the kinds alternated
round by round. Per INSERT: the transaction's WAL records from ``pg_walinspect`` (bytes and
full-page images per relation), the backend's CPU (``/proc/<pid>/schedstat``) and, in a
second pass, ``EXPLAIN (ANALYZE, BUFFERS, WAL)``'s shared blocks read and dirtied. Medians
are printed for the first INSERT after a checkpoint and for the later ones.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg
from bench_pg_statements import capture
from load_data import prepare

ID_EXPRESSIONS = {"v4": "gen_random_uuid()", "v7": "public.uuid7()"}
INDEXES = (
    "pk_audit_log",
    "ix_audit_log_casus",
    "ix_audit_log_subject",
    "uq_audit_log_tenant_chain_seq",
)
_BLOCK = re.compile(r"rel \d+/\d+/(\d+)(?: fork \w+)? blk \d+( \(FPW\))?")

_GROW = """
INSERT INTO audit_log ({columns})
SELECT {copied} FROM audit_log WHERE chain < 100
"""


def grow(admin: psycopg.Connection[Any], copies: int) -> None:
    columns = [
        r[0]
        for r in admin.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'audit_log'::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        )
    ]
    admin.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain")
    admin.execute("SET session_replication_role = replica")
    try:
        for k in range(1, copies + 1):
            copied = {
                "id": "gen_random_uuid()",
                "at": f"at - interval '{k} days'",
                "decision_input": "'{}'::jsonb",
                "chain": f"chain + {100 * k}",
            }
            admin.execute(
                _GROW.format(
                    columns=", ".join(columns),
                    copied=", ".join(copied.get(c, c) for c in columns),
                )
            )
            print(f"  grown: copy {k} of {copies}", flush=True)
    finally:
        admin.execute("RESET session_replication_role")
        admin.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain")
    admin.execute("VACUUM ANALYZE audit_log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("user", nargs="?", default="dennis-koster")
    parser.add_argument("--grow", type=int, default=0, help="copies of the log to add first")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-checkpoint", type=int, default=10)
    args = parser.parse_args()
    settings, server = prepare(Path(tempfile.gettempdir()) / "regietafel-bench", say=print)
    try:
        tenant, statements = capture(settings, args.user, 50)
        ((sql, params),) = [
            (s, p) for s, p in statements if s.lstrip().upper().startswith("INSERT")
        ]
        assert "public.uuid7()" in sql, "the tree's INSERT does not use public.uuid7()"
        dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={settings.database_name}"
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            if args.grow:
                grow(admin, args.grow)
            sizes = admin.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class "
                "WHERE relname = 'audit_log' OR relname = ANY(%s) ORDER BY relname",
                [list(INDEXES)],
            ).fetchall()
            rows = admin.execute("SELECT count(*) FROM audit_log").fetchone()
            print(f"audit_log rows: {rows[0] if rows else '?'}")
            for name, size in sizes:
                print(f"  {name}: {size / 2**20:.0f} MB")
            names = {
                str(r[0]): r[1]
                for r in admin.execute(
                    "SELECT pg_relation_filenode(oid), relname FROM pg_class "
                    "WHERE relname = 'audit_log' OR relname = ANY(%s)",
                    [list(INDEXES)],
                )
            }
            run(admin, dsn, settings.db_app_role, tenant, sql, params, names, args)
    finally:
        server.stop()
    return 0


def run(
    admin: psycopg.Connection[Any],
    dsn: str,
    role: str,
    tenant: str,
    sql: str,
    params: Any,
    names: dict[str, str],
    args: argparse.Namespace,
) -> None:
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        conn.execute(f"SET ROLE {role}")
        conn.execute("SET jit = off")

        def cpu_ns() -> int:
            return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])

        def once(kind: str, explain: bool) -> dict[str, Any]:
            text = sql.replace("public.uuid7()", ID_EXPRESSIONS[kind])
            with conn.transaction():
                conn.execute("SELECT set_config('pga.tenant_id', %s, true)", [tenant])
                if explain:
                    plan = conn.execute(
                        "EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING OFF, FORMAT JSON) " + text, params
                    ).fetchone()[0][0]["Plan"]  # type: ignore[index]
                    return {
                        "read": plan["Shared Read Blocks"],
                        "dirtied": plan["Shared Dirtied Blocks"],
                    }
                start = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]  # type: ignore[index]
                before = cpu_ns()
                conn.execute(text, params)
                cpu = (cpu_ns() - before) / 1e6
                xid = conn.execute("SELECT txid_current() % 4294967296").fetchone()[0]  # type: ignore[index]
            end = conn.execute("SELECT pg_current_wal_flush_lsn()").fetchone()[0]  # type: ignore[index]
            records = admin.execute(
                "SELECT record_length, fpi_length, block_ref FROM "
                "pg_get_wal_records_info(%s, %s) WHERE xid = %s",
                [start, end, xid],
            ).fetchall()
            per: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # bytes, images
            for length, _fpi, blocks in records:
                found = _BLOCK.findall(blocks or "")
                if found:
                    name = names.get(found[0][0], "other")
                    per[name][0] += length
                    per[name][1] += sum(1 for _rel, image in found if image)
            return {
                "wal": sum(r[0] for r in records),
                "images": sum(v[1] for v in per.values()),
                "cpu": cpu,
                "per": dict(per),
            }

        for explain in (False, True):
            seen: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
            for n in range(args.rounds):
                for kind in ("v4", "v7") if n % 2 == 0 else ("v7", "v4"):
                    admin.execute("CHECKPOINT")
                    for k in range(args.per_checkpoint):
                        seen[kind, k == 0].append(once(kind, explain))
            for first in (True, False):
                print("first INSERT after a CHECKPOINT" if first else "later INSERTs")
                for kind in ("v4", "v7"):
                    got = seen[kind, first]
                    if explain:
                        read = statistics.median(g["read"] for g in got)
                        dirtied = statistics.median(g["dirtied"] for g in got)
                        print(f"  {kind}: shared blocks read {read}, dirtied {dirtied}")
                        continue
                    print(
                        f"  {kind}: WAL {statistics.median(g['wal'] for g in got) / 1024:.0f} KB, "
                        f"images {statistics.median(g['images'] for g in got)}, "
                        f"backend CPU {statistics.median(g['cpu'] for g in got):.2f} ms"
                    )
                    for name in sorted({n for g in got for n in g["per"]}):
                        wal = statistics.median(g["per"].get(name, [0, 0])[0] for g in got)
                        images = statistics.median(g["per"].get(name, [0, 0])[1] for g in got)
                        print(f"      {name:<32} WAL {wal / 1024:6.1f} KB, images {images}")


if __name__ == "__main__":
    raise SystemExit(main())
