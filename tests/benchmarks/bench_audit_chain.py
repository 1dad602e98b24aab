"""What the audit chain trigger costs per row (issue 14, docs/adr/0018-audit-chain.md).

Run: ``.venv/bin/python tests/benchmarks/bench_audit_chain.py [--rows 50] [--rounds 20]``
after ``load_data.py`` has loaded the benchmark database (``bench_load.py`` does);
``BENCH_DATABASE_NAME`` names another source database (a copy at another migration head).

It never touches the benchmark database: it copies its schema and GM0355's audit log (~65,000
rows) into a scratch database (``<source>_audit_scratch``, dropped at the end unless
``--keep``), then inserts ``--rows`` real ``list`` rows (~870 bytes of decision input) in ONE
statement and COMMITS, in blocks that swap the scratch database's trigger function:

* the deployed chain trigger (lock, head lookup, canonical text, SHA-256);
* the lock and the head lookup only;
* the lock only;
* no trigger (disabled; the rows get negative ``seq``, never the chain's head).

Blocks alternate (``--blocks`` of ``--rounds`` rounds, three warm-up rounds after each swap).
The INSERT's time is PostgreSQL's (``EXPLAIN ANALYZE``), the COMMIT's the client's. A busy
machine inflates every figure: compare the variants of one run, not runs.

``--writers N`` (repeatable) measures contention instead (migration 0056, several chains per
tenant): N threads, each on its own connection, write transactions of ``--writer-rows`` rows
of ONE tenant (BEGIN, tenant, INSERT, COMMIT) for ``--seconds``; reported are transactions per
second and the INSERT's and COMMIT's client times (the INSERT's includes the wait for a chain
lock). With ``audit_chain_count()`` in the source (0056) it alternates 1 chain (the old
behaviour: every transaction waits for the one before it to commit) and the deployed number;
without it (a source before 0056) it measures the deployed single chain.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

SERVER = os.environ.get("BENCH_PG", "host=127.0.0.1 port=5432 user=postgres")
SOURCE = os.environ.get("BENCH_DATABASE_NAME", "regietafel_bench")
SCRATCH = f"{SOURCE}_audit_scratch"
TENANT = "GM0355"
COLUMNS = (
    "tenant_id, id, user_id, organisation_id, roles, action, resource_type, resource_id, "
    "casus_id, purpose, legal_basis, allowed, decision_id, policy_revision, data_revision, "
    "reasons, decision_input, request_id, prev_hash, hash, seq, trace_id, span_id, "
    "parent_span_id, status, processing_activity, data_subject_ref, data_subject_enc, "
    "data_subject_type"
)
#: The same rows again, new ids; ``{seq}`` is 0 (the trigger sets it) or negative (none).
COPY_ROWS = (
    "SELECT tenant_id, gen_random_uuid(), user_id, organisation_id, roles, action, "
    "resource_type, resource_id, casus_id, purpose, legal_basis, allowed, decision_id, "
    "policy_revision, data_revision, reasons, decision_input, request_id, NULL, NULL, {seq}, "
    "trace_id, span_id, parent_span_id, status, processing_activity, data_subject_ref, "
    "data_subject_enc, data_subject_type FROM src"
)


def _dsn(database: str) -> str:
    return f"{SERVER} dbname={database}"


def prepare_scratch() -> None:
    """The scratch database: the benchmark's schema and the big tenant's audit log."""
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    args = dict(part.split("=", 1) for part in SERVER.split())
    pg = ["-h", args.get("host", "127.0.0.1"), "-p", args.get("port", "5432")]
    pg += ["-U", args.get("user", "postgres")]
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "schema.sql"
        subprocess.run(["pg_dump", *pg, "-s", "-f", str(schema), SOURCE], check=True)
        subprocess.run(
            ["psql", *pg, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(schema), SCRATCH],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    with (
        psycopg.connect(_dsn(SOURCE)) as source,
        psycopg.connect(_dsn(SCRATCH), autocommit=True) as scratch,
    ):
        for table, query in (
            ("tenants", f"SELECT * FROM tenants WHERE code = '{TENANT}'"),
            ("audit_log", f"SELECT * FROM audit_log WHERE tenant_id = '{TENANT}'"),
        ):
            scratch.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain")
            with (
                source.cursor().copy(f"COPY ({query}) TO STDOUT") as out,
                scratch.cursor().copy(f"COPY {table} FROM STDIN") as into,
            ):
                for block in out:
                    into.write(block)
        scratch.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain")
        scratch.execute("ANALYZE audit_log")
        scratch.execute("CREATE SEQUENCE bench_negative_seq START 1000000000")
        scratch.execute("GRANT USAGE ON SEQUENCE bench_negative_seq TO PUBLIC")


def variants(deployed: str) -> dict[str, str | None]:
    """Trigger function bodies: the deployed one, cut down step by step."""
    end = "  RETURN NEW;\nEND\n$function$\n"
    head = deployed.split("  NEW.hash := NULL;")[0] + end
    lock = deployed.split("  -- A fresh snapshot")[0]
    lock += "  NEW.seq := -nextval('bench_negative_seq');\n" + end
    return {
        "deployed chain trigger": deployed,
        "lock + head lookup, no hash": head,
        "lock only": lock,
        "no trigger": None,
    }


def insert_once(conn: psycopg.Connection, rows: int, negative: int | None) -> tuple[float, float]:
    """One transaction: ``rows`` rows in one INSERT, then COMMIT. (INSERT ms, COMMIT ms)."""
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute(f"SELECT set_config('pga.tenant_id', '{TENANT}', true)")
    cur.execute(
        "CREATE TEMP TABLE src ON COMMIT DROP AS SELECT * FROM audit_log WHERE tenant_id = "
        f"'{TENANT}' AND action = 'list' AND seq > 0 ORDER BY seq DESC LIMIT {rows}"
    )
    seq = "0" if negative is None else f"-({negative} + row_number() OVER ())"
    plan = cur.execute(
        f"EXPLAIN (ANALYZE) INSERT INTO audit_log ({COLUMNS}) " + COPY_ROWS.format(seq=seq)
    ).fetchall()
    started = time.perf_counter()
    cur.execute("COMMIT")
    commit = (time.perf_counter() - started) * 1000
    found = re.search(r"Execution Time: ([\d.]+) ms", "\n".join(str(r[0]) for r in plan))
    assert found is not None
    return float(found.group(1)), commit


def measure(rows: int, blocks: int, rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    negative = random.randrange(10**6, 10**9)
    with psycopg.connect(_dsn(SCRATCH), autocommit=True) as conn:
        deployed = conn.execute("SELECT pg_get_functiondef('audit_log_chain'::regproc)").fetchone()
        assert deployed is not None
        bodies = variants(str(deployed[0]))
        results: dict[str, tuple[list[float], list[float]]] = {v: ([], []) for v in bodies}
        try:
            for _ in range(blocks):
                for name, body in bodies.items():
                    if body is None:
                        conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain")
                    else:
                        conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain")
                        conn.execute(body)
                    for i in range(3 + rounds):
                        negative += rows
                        took = insert_once(conn, rows, negative if body is None else None)
                        if i >= 3:
                            results[name][0].append(took[0])
                            results[name][1].append(took[1])
        finally:
            conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain")
            conn.execute(str(deployed[0]))
    return results


#: One transaction of a writer: its rows copied from real ``list`` rows (new ids).
WRITER_INSERT = f"INSERT INTO audit_log ({COLUMNS}) " + COPY_ROWS.format(seq="0").replace(
    "FROM src", "FROM audit_log WHERE tenant_id = %s AND id = ANY(%s)"
)


def chain_counts(conn: psycopg.Connection) -> list[int]:
    """The chain counts to compare: 1 and the deployed one (0056), or none to switch."""
    found = conn.execute(
        "SELECT count(*) FROM pg_proc WHERE proname = 'audit_chain_count'"
    ).fetchone()
    if not found or not found[0]:
        return []
    deployed = conn.execute("SELECT audit_chain_count()").fetchone()
    assert deployed is not None
    return [1, int(deployed[0])]


def set_chain_count(conn: psycopg.Connection, chains: int) -> None:
    conn.execute(
        "CREATE OR REPLACE FUNCTION audit_chain_count() RETURNS integer "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {int(chains)} $$"
    )


def run_writers(writers: int, rows: int, seconds: float) -> tuple[int, list[float], list[float]]:
    """``writers`` threads writing transactions for ``seconds``: (transactions, INSERT ms,
    COMMIT ms), each list over every transaction."""
    with psycopg.connect(_dsn(SCRATCH), autocommit=True) as conn:
        conn.execute(f"SELECT set_config('pga.tenant_id', '{TENANT}', false)")
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM audit_log WHERE tenant_id = '{TENANT}' AND action = 'list' "
                "AND seq > 0 ORDER BY seq DESC LIMIT 200"
            )
        ]
    inserts: list[float] = []
    commits: list[float] = []
    done = [0]
    lock = threading.Lock()
    start = threading.Barrier(writers + 1)
    stop = threading.Event()

    def writer(n: int) -> None:
        mine_i: list[float] = []
        mine_c: list[float] = []
        pick = random.Random(n)
        with psycopg.connect(_dsn(SCRATCH), autocommit=True) as conn:
            cur = conn.cursor()
            start.wait()
            while not stop.is_set():
                chosen = pick.sample(ids, rows)
                cur.execute("BEGIN")
                cur.execute(f"SELECT set_config('pga.tenant_id', '{TENANT}', true)")
                t0 = time.perf_counter()
                cur.execute(WRITER_INSERT, (TENANT, chosen))
                t1 = time.perf_counter()
                cur.execute("COMMIT")
                t2 = time.perf_counter()
                mine_i.append((t1 - t0) * 1000)
                mine_c.append((t2 - t1) * 1000)
        with lock:
            inserts.extend(mine_i)
            commits.extend(mine_c)
            done[0] += len(mine_i)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return done[0], inserts, commits


def measure_writers(
    writers: list[int], rows: int, seconds: float, blocks: int
) -> dict[tuple[int, int], tuple[int, list[float], list[float]]]:
    """Per (writers, chains): transactions, INSERT ms, COMMIT ms over ``blocks`` runs."""
    results: dict[tuple[int, int], tuple[int, list[float], list[float]]] = {}
    with psycopg.connect(_dsn(SCRATCH), autocommit=True) as conn:
        counts = chain_counts(conn)
        try:
            for _ in range(blocks):
                for n in writers:
                    for chains in counts or [1]:
                        if counts:
                            set_chain_count(conn, chains)
                        run_writers(n, rows, 0.5)  # warm-up
                        txns, ins, com = run_writers(n, rows, seconds)
                        before = results.get((n, chains), (0, [], []))
                        results[(n, chains)] = (before[0] + txns, before[1] + ins, before[2] + com)
        finally:
            if counts:
                set_chain_count(conn, counts[-1])
    return results


def report_writers(
    results: dict[tuple[int, int], tuple[int, list[float], list[float]]],
    seconds: float,
    blocks: int,
    rows: int,
) -> None:
    for (n, chains), (txns, ins, com) in sorted(results.items()):
        q = statistics.quantiles(ins, n=20)
        print(
            f"{n:2d} writers x {rows} row(s), {chains} chain(s): "
            f"{txns / (seconds * blocks):6.0f} txn/s; INSERT median {statistics.median(ins):5.2f} "
            f"ms, p95 {q[18]:6.2f} ms, mean {statistics.fmean(ins):5.2f} ms; "
            f"COMMIT median {statistics.median(com):4.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="rows per INSERT (50, 1)")
    parser.add_argument(
        "--writers", type=int, action="append", help="concurrent writers of one tenant (8)"
    )
    parser.add_argument("--writer-rows", type=int, default=1, help="rows per writer INSERT")
    parser.add_argument("--seconds", type=float, default=5.0, help="per writers block")
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    print(f"load average at start {os.getloadavg()[0]:.1f}; preparing {SCRATCH} ...")
    prepare_scratch()
    try:
        if args.writers:
            results_w = measure_writers(args.writers, args.writer_rows, args.seconds, args.blocks)
            report_writers(results_w, args.seconds, args.blocks, args.writer_rows)
            return
        for rows in args.rows or [50, 1]:
            results = measure(rows, args.blocks, args.rounds)
            base = statistics.median(results["no trigger"][0])
            for name, (inserts, commits) in results.items():
                q = statistics.quantiles(inserts)
                mid = statistics.median(inserts)
                print(
                    f"{rows:3d} rows/INSERT  {name:28s} INSERT {mid:5.2f} ms "
                    f"(p25 {q[0]:5.2f}, p75 {q[2]:5.2f}) = {1000 * mid / rows:4.0f} us/row, "
                    f"{1000 * (mid - base) / rows:+5.0f} us/row over none; "
                    f"COMMIT {statistics.median(commits):4.2f} ms"
                )
    finally:
        if not args.keep:
            with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


if __name__ == "__main__":
    main()
