"""The audit chain trigger without ``SET search_path`` (migration 0069, ADR 0018 amendment of
session 24): it stays ``SECURITY DEFINER`` and resolves no name through the caller's search
path, so a caller who puts a schema of look-alike functions, operators, types and tables
before ``pg_catalog`` (or a temporary ``audit_log`` before ``public``) still gets an unbroken,
verifiable chain; a row skipped by ``ON CONFLICT DO NOTHING`` after the trigger ran leaves no
gap (the reason the head is read for every row and never remembered); and migration 0069
goes down and up again with every hash verifying before, between and after."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from migrations import SCRATCH_TENANT, migrate, scratch_database
from people import VEENENDAAL
from sqlalchemy.engine import URL

from services.platform.authz import chain
from services.platform.db.unit_of_work import SET_TENANT
from services.runtime import Runtime
from tenants.manifest import Manifest

T = VEENENDAAL

#: Rows as the enforcer writes them (an allowed read with its legal basis, activity, trace
#: and span: the suite's database is shared, and ``test_logboek`` checks every allowed read
#: in it for those), plus what a client may not set (chain, seq, prev_hash, hash).
_INSERT = sa.text(
    "INSERT INTO public.audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
    "resource_type, resource_id, allowed, reasons, decision_input, processing_activity, "
    "legal_basis, trace_id, span_id, data_subject_enc, chain, seq, prev_hash, hash) "
    "SELECT :t, gen_random_uuid(), 'padtest', 'padtest', '{beheer,\"a, b\"}', 'read', "
    "'casus', :label || n, n % 2 = 0, '{een}', jsonb_build_object('n', n, 'tekst', 'é\"\\'), "
    "'pga-algemeen', 'publieke-taak', md5(:label || n), left(md5(n::text), 16), "
    "'\\x0102', 5, 999, 'vals', 'vals' "
    "FROM generate_series(1, :n) AS n RETURNING chain, seq, prev_hash, hash"
)


def _verified(engine: sa.Engine, tenant: str = T) -> None:
    for report in chain.verify(engine, [tenant]):
        assert report.ok, report.describe()
        assert report.rows == report.positions


def _linked(rows: list[sa.Row[tuple[int, int, str, str]]]) -> None:
    """The rows of one multi-row INSERT: one chain, consecutive, each linked to the last."""
    assert len({r.chain for r in rows}) == 1
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + len(rows)))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


# --- No configuration, no name looked up through the path ------------------------------------

#: What may stand unqualified before "(" in the trigger's body: syntax, not functions.
_SYNTAX = {"coalesce", "operator"}


def _body(source: str) -> str:
    """The trigger's source without comments and string literals."""
    source = re.sub(r"--[^\n]*", " ", source)
    return re.sub(r"'(?:[^']|'')*'", "''", source)


def test_the_trigger_has_no_configuration_and_qualifies_every_name(runtime: Runtime) -> None:
    """Before migration 0069 the function had ``SET search_path`` (paid on every row). Now it
    has no configuration at all, is still SECURITY DEFINER, and its body names every
    function, table and type with its schema and every operator as OPERATOR(pg_catalog.x)."""
    with runtime.engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT p.prosecdef, p.proconfig, p.prosrc FROM pg_proc p "
                "WHERE p.oid = 'public.audit_log_chain()'::regprocedure"
            )
        ).one()
    assert row.prosecdef
    assert row.proconfig is None
    body = _body(row.prosrc)
    calls = {m.group(1).lower() for m in re.finditer(r"(?<![.\w])([A-Za-z_]\w*)\s*\(", body)}
    assert calls <= _SYNTAX, calls - _SYNTAX
    casts = re.findall(r"::\s*([\w.]+)", body)
    assert casts and all(c.startswith("pg_catalog.") for c in casts), casts
    declared = re.search(r"DECLARE(.*?)BEGIN", body, re.S)
    assert declared is not None
    for line in declared.group(1).split(";"):
        words = line.split()
        if words:
            kind = words[2] if words[1].lower() == "constant" else words[1]
            assert kind.startswith("pg_catalog."), line
    assert all(t.startswith("public.") for t in re.findall(r"\bFROM\s+([\w.]+)", body))
    bare = re.sub(r"OPERATOR\(pg_catalog\.[^)]+\)|:=|::|\.\.", " ", body)
    assert not re.search(r"[=<>+\-*/%|~!]", bare), re.findall(r".{20}[=<>+\-*/%|~!].{20}", bare)


# --- Hostile search paths ---------------------------------------------------------------------

#: Look-alikes of every function, operator, type and table the trigger uses (and of the
#: canonical function 0056's trigger called), all answering wrongly.
_HOSTILE = """
CREATE SCHEMA kwaadaardig;
CREATE FUNCTION kwaadaardig.md5(text) RETURNS text LANGUAGE sql AS $$ SELECT 'kwaad' $$;
CREATE FUNCTION kwaadaardig.current_setting(text, boolean) RETURNS text
  LANGUAGE sql AS $$ SELECT '3' $$;
CREATE FUNCTION kwaadaardig.set_config(text, text, boolean) RETURNS text
  LANGUAGE sql AS $$ SELECT $2 $$;
CREATE FUNCTION kwaadaardig.hashtextextended(text, bigint) RETURNS bigint
  LANGUAGE sql AS $$ SELECT 42::bigint $$;
CREATE FUNCTION kwaadaardig.pg_advisory_xact_lock(bigint) RETURNS void
  LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FUNCTION kwaadaardig.pg_try_advisory_xact_lock(bigint) RETURNS boolean
  LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION kwaadaardig.pg_backend_pid() RETURNS integer LANGUAGE sql AS $$ SELECT 5 $$;
CREATE FUNCTION kwaadaardig.audit_chain_count() RETURNS integer LANGUAGE sql AS $$ SELECT 6 $$;
CREATE FUNCTION kwaadaardig.audit_log_canonical(public.audit_log) RETURNS text
  LANGUAGE sql AS $$ SELECT 'kwaad' $$;
CREATE FUNCTION kwaadaardig.sha256(bytea) RETURNS bytea LANGUAGE sql AS $$ SELECT '\\x00'::bytea $$;
CREATE FUNCTION kwaadaardig.convert_to(text, name) RETURNS bytea
  LANGUAGE sql AS $$ SELECT '\\x00'::bytea $$;
CREATE FUNCTION kwaadaardig.encode(bytea, text) RETURNS text LANGUAGE sql AS $$ SELECT 'kwaad' $$;
CREATE FUNCTION kwaadaardig.to_char(timestamp, text) RETURNS text
  LANGUAGE sql AS $$ SELECT 'kwaad' $$;
CREATE FUNCTION kwaadaardig.to_jsonb(text[]) RETURNS jsonb LANGUAGE sql AS $$ SELECT '1'::jsonb $$;
CREATE FUNCTION kwaadaardig.timezone(text, timestamptz) RETURNS timestamp
  LANGUAGE sql AS $$ SELECT 'epoch'::timestamp $$;
CREATE FUNCTION kwaadaardig.t_t(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
CREATE FUNCTION kwaadaardig.t_cat(text, text) RETURNS text LANGUAGE sql AS $$ SELECT 'kwaad' $$;
CREATE FUNCTION kwaadaardig.s_i(smallint, integer) RETURNS boolean
  LANGUAGE sql AS $$ SELECT false $$;
CREATE FUNCTION kwaadaardig.i_i(integer, integer) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE FUNCTION kwaadaardig.i_min(integer, integer) RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$;
CREATE FUNCTION kwaadaardig.l_plus(bigint, integer) RETURNS bigint
  LANGUAGE sql AS $$ SELECT 1000::bigint $$;
CREATE OPERATOR kwaadaardig.= (LEFTARG = text, RIGHTARG = text, FUNCTION = kwaadaardig.t_t);
CREATE OPERATOR kwaadaardig.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = kwaadaardig.t_t);
CREATE OPERATOR kwaadaardig.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = kwaadaardig.t_cat);
CREATE OPERATOR kwaadaardig.= (LEFTARG = smallint, RIGHTARG = integer, FUNCTION = kwaadaardig.s_i);
CREATE OPERATOR kwaadaardig.< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = kwaadaardig.i_i);
CREATE OPERATOR kwaadaardig.- (LEFTARG = integer, RIGHTARG = integer, FUNCTION = kwaadaardig.i_min);
CREATE OPERATOR kwaadaardig.% (LEFTARG = integer, RIGHTARG = integer, FUNCTION = kwaadaardig.i_min);
CREATE OPERATOR kwaadaardig.+ (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = kwaadaardig.l_plus);
CREATE DOMAIN kwaadaardig.text AS pg_catalog.varchar(3);
CREATE DOMAIN kwaadaardig.int4 AS pg_catalog.int4 CHECK (VALUE < 0);
CREATE DOMAIN kwaadaardig.int8 AS pg_catalog.int8 CHECK (VALUE < 0);
CREATE TABLE kwaadaardig.audit_log (LIKE public.audit_log);
CREATE FUNCTION kwaadaardig.audit_log_chain() RETURNS trigger
  LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
"""


@pytest.fixture
def hostile(pg_admin_url: URL, runtime: Runtime, test_tenants: list[Manifest]) -> Iterator[str]:
    """A schema of look-alikes that the runtime role may use; dropped afterwards."""
    database = runtime.urls.owner.database
    admin = sa.create_engine(pg_admin_url.set(database=database))
    app_role = runtime.urls.app.username
    try:
        with admin.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS kwaadaardig CASCADE"))
            conn.execute(sa.text(_HOSTILE))
            # Usable by every role, the trigger's owner included (a schema's owner can grant
            # that): a SECURITY DEFINER function searches only schemas its owner may use.
            conn.execute(sa.text("GRANT USAGE ON SCHEMA kwaadaardig TO PUBLIC"))
            conn.execute(sa.text("GRANT SELECT ON kwaadaardig.audit_log TO PUBLIC"))
            # A temporary audit_log of the runtime role's own (it may not have TEMP).
            conn.execute(sa.text(f'GRANT TEMP ON DATABASE "{database}" TO "{app_role}"'))
        yield "kwaadaardig"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS kwaadaardig CASCADE"))
            conn.execute(sa.text(f'REVOKE TEMP ON DATABASE "{database}" FROM "{app_role}"'))
        admin.dispose()


@pytest.mark.parametrize(
    "path",
    ["kwaadaardig, pg_catalog, public", "kwaadaardig, public, pg_catalog", "pg_temp, kwaadaardig"],
)
def test_a_hostile_search_path_does_not_reach_the_trigger(
    runtime: Runtime, hostile: str, path: str
) -> None:
    """The runtime role sets a search path that puts look-alikes first (and a temporary
    audit_log of its own): the trigger still locks, reads the head and hashes with the real
    ones, so the rows chain on and verify; what the client sent for chain, seq, prev_hash and
    hash is overwritten."""
    app = sa.create_engine(runtime.urls.app, poolclass=sa.NullPool)
    try:
        with app.connect() as conn:
            conn.execute(SET_TENANT, {"tenant": T})
            # A head of its own in every chain, readable by the trigger's owner: a trigger
            # that read an unqualified audit_log (even with SET search_path = pg_catalog,
            # public: pg_temp is then searched first for tables) would chain on from it.
            conn.execute(
                sa.text(
                    "CREATE TEMP TABLE audit_log ON COMMIT DROP AS "
                    "SELECT t.* FROM public.audit_log t WHERE false"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO pg_temp.audit_log (tenant_id, chain, seq, hash) "
                    "SELECT :t, c, 1000, 'vals' FROM generate_series(0, 7) AS c"
                ),
                {"t": T},
            )
            conn.execute(sa.text("GRANT SELECT ON pg_temp.audit_log TO PUBLIC"))
            conn.execute(sa.text(f"SET LOCAL search_path = {path}"))
            first = conn.execute(_INSERT, {"t": T, "label": "pad-", "n": 4}).all()
            second = conn.execute(_INSERT, {"t": T, "label": "pad2-", "n": 3}).all()
            conn.commit()
    finally:
        app.dispose()
    _linked(first + second)
    assert all(r.hash != "vals" and r.chain != 5 for r in first + second)
    _verified(runtime.engine)


def test_a_row_skipped_on_conflict_leaves_no_gap(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    """``INSERT ... ON CONFLICT DO NOTHING``: the trigger runs for a row that is then not
    inserted (its id exists). The next row follows the last row that is there, because the
    trigger reads the chain's head for every row (a head remembered by the trigger would
    point at the skipped row: ADR 0018, amendment of session 24)."""
    taken = uuid.uuid4()
    insert = sa.text(
        "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
        "resource_type, resource_id, allowed, reasons, decision_input, processing_activity) "
        "SELECT :t, CASE WHEN n = 2 THEN :taken ELSE gen_random_uuid() END, 'padtest', "
        "'padtest', '{}', 'read', 'casus', 'dubbel-' || n, false, '{}', '{}', 'pga-algemeen' "
        "FROM generate_series(1, 3) AS n "
        "ON CONFLICT DO NOTHING RETURNING chain, seq, prev_hash, hash"
    )
    with runtime.engine.connect() as conn:
        conn.execute(SET_TENANT, {"tenant": T})
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
                "resource_type, allowed, reasons, decision_input) "
                "VALUES (:t, :taken, 'padtest', 'padtest', '{}', 'read', 'casus', false, '{}', "
                "'{}')"
            ),
            {"t": T, "taken": taken},
        )
        rows = conn.execute(insert, {"t": T, "taken": taken}).all()
        conn.commit()
    assert len(rows) == 2
    _linked(rows)
    _verified(runtime.engine)


# --- Migration 0069 down and up -----------------------------------------------------------------


@pytest.fixture
def scratch(pg_admin_url: URL, worker_suffix: str) -> Iterator[URL]:
    with scratch_database(pg_admin_url, f"regietafel_keten0069{worker_suffix}") as url:
        yield url


def _rows_in_two_chains(engine: sa.Engine, label: str) -> None:
    """Rows in chain 0 and, while a transaction holds chain 0, in chain 1 (both canonical
    forms: 0013's and 0056's), each a multi-row INSERT."""
    with engine.connect() as holder, engine.connect() as other:
        for conn in (holder, other):
            conn.execute(SET_TENANT, {"tenant": "GM0001"})
        held = holder.execute(_INSERT, {"t": "GM0001", "label": label + "a-", "n": 3}).all()
        more = other.execute(_INSERT, {"t": "GM0001", "label": label + "b-", "n": 3}).all()
        other.commit()
        holder.commit()
    _linked(held)
    _linked(more)
    assert {held[0].chain, more[0].chain} == {0, 1}


def _state(engine: sa.Engine) -> tuple[str | None, bool]:
    with engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one(),
            conn.execute(
                sa.text(
                    "SELECT proconfig IS NULL FROM pg_proc "
                    "WHERE oid = 'public.audit_log_chain()'::regprocedure"
                )
            ).scalar_one(),
        )


def test_migration_0069_goes_down_and_up_and_every_hash_verifies(scratch: URL) -> None:
    migrate(scratch, "0069")
    engine = sa.create_engine(scratch)
    try:
        with engine.begin() as conn:
            conn.execute(SCRATCH_TENANT)
        assert _state(engine) == ("0069", True)
        _rows_in_two_chains(engine, "na-")
        _verified(engine, "GM0001")

        migrate(scratch, "0068", down=True)
        assert _state(engine) == ("0068", False)
        _verified(engine, "GM0001")
        _rows_in_two_chains(engine, "terug-")
        _verified(engine, "GM0001")

        migrate(scratch, "0069")
        assert _state(engine) == ("0069", True)
        _rows_in_two_chains(engine, "weer-")
        _verified(engine, "GM0001")
        with engine.connect() as conn:
            conn.execute(SET_TENANT, {"tenant": "GM0001"})
            same = conn.execute(
                sa.text(
                    "SELECT bool_and(a.hash = encode(sha256(convert_to(audit_log_canonical(a), "
                    "'UTF8')), 'hex')), count(*) FROM audit_log a"
                )
            ).one()
        assert same == (True, 18)
    finally:
        engine.dispose()
