"""The adversary in ``make test``: a hostile-probe suite generated from the route table.

Every route of the app (API and web pages/forms, found at run time) is called as every demo
user of every tenant (gemeenten and regional bureaus, plus users whose ids collide across
tenants), with ids of their own participated casus, a non-participated casus of their own
tenant, a casus shared with their tenant, a casus of another gemeente in the region and of
another region, and with the items, persons, consents, plan versions, overleggen, grants,
users and tenant codes of those. Reads and writes; web forms with a valid CSRF token.

The world is made through the API by legitimate users, with a canary in every free-text and
person field (canaries.py); the oracle (oracle.py) implements the access matrix of issue 9
without asking the policy engine; every write is seen through a change log and undone
(changes.py). See runner.py for what counts as a finding.

Deterministic by default (fixed seed, fixed budget). A larger randomised run:

    REGIETAFEL_HOSTILE_SEED=random REGIETAFEL_HOSTILE_PROBES=40000 \\
        .venv/bin/pytest tests/integration/hostile -n 2 -q

Each shard writes its findings to ``$REGIETAFEL_HOSTILE_REPORT_DIR`` (default: the pytest
temporary directory) as ``hostile-shard-N.json``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from services.config import Settings
from services.identity.setup import Identity
from services.runtime import Runtime
from services.web.csrf import CsrfSigner
from tenants.manifest import SHIPPED_MANIFESTS_DIR, Manifest

from .changes import ChangeLog, fingerprint
from .model import Subject
from .oracle import Oracle
from .probes import Generator, Probe, Versions, generate
from .routes import Route, discover
from .runner import Runner, Tally, dump, leak_table, summary, table_text
from .subjects import EXTRA_USERS, manifests_by_code, roles_present
from .world import Api, World, build_world, create_extra_users, refresh_from_database

Headers = Callable[[str, str], dict[str, str]]

MIN_PROBES = 10_000
SHARDS = 6
_seed = os.environ.get("REGIETAFEL_HOSTILE_SEED", "20261127")
SEED = random.SystemRandom().randrange(1 << 30) if _seed == "random" else int(_seed)
BUDGET = max(MIN_PROBES, int(os.environ.get("REGIETAFEL_HOSTILE_PROBES", "11000")))


@dataclass
class Hostile:
    world: World
    oracle: Oracle
    routes: list[Route]
    probes: list[Probe]
    tokens: dict[str, str]
    admin: sa.engine.Engine
    app: Litestar
    headers: Headers


def _manifest_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(Path(SHIPPED_MANIFESTS_DIR).glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("gemeentecode"):
                texts[line.split("=", 1)[1].strip().strip('"')] = text
    return texts


def _users_versions(admin: sa.engine.Engine) -> dict[tuple[str, str], int]:
    with admin.connect() as conn:
        rows = conn.execute(sa.text("SELECT tenant_id, id, version FROM users")).all()
    return {(t, u): v for t, u, v in rows}


@pytest.fixture(scope="session")
def hostile(
    app: Litestar,
    token_for: Headers,
    identity: Identity,
    runtime: Runtime,
    settings: Settings,
    demo_tenants: list[Manifest],
) -> Iterator[Hostile]:
    manifests = manifests_by_code(demo_tenants)
    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with TestClient(app) as client:
        world = build_world(client, token_for, manifests, SEED)
    refresh_from_database(world, admin)
    oracle = Oracle(manifests)
    routes = discover(app)
    issuer = identity.dev_issuer
    assert issuer is not None
    tokens = {s.key: issuer.issue(tenant=s.tenant, user_id=s.user_id) for s in world.subjects}
    signer = CsrfSigner(settings.secret_key or "")
    texts = _manifest_texts()

    def manifest_text(code: str, s: Subject) -> str:
        org = manifests[code].organisations[0].id
        return (
            texts[code]
            + f'\n[[users]]\nid = "probe-{s.user_id}"\nname = "Probe {s.user_id}"\n'
            + f'organisation = "{org}"\nroles = ["pga-expert"]\n'
        )

    versions = Versions(
        casus={c.id: c.version for c in world.casussen.values()},
        items={i.id: i.version for c in world.casussen.values() for i in c.items},
        plans={c.id: c.plan_versions[-1] for c in world.casussen.values() if c.plan_versions},
        meetings={m.id: m.version for m in world.meetings.values()},
        users=_users_versions(admin),
    )
    gen = Generator(
        world=world,
        routes=routes,
        oracle=oracle,
        versions=versions,
        csrf_token=lambda s: signer.token(tokens[s.key]),
        manifest_text=manifest_text,
        rng=random.Random(SEED),
    )
    probes = generate(gen, BUDGET)
    yield Hostile(world, oracle, routes, probes, tokens, admin, app, token_for)
    admin.dispose()


def _remove_extra_users(admin: sa.engine.Engine) -> None:
    with admin.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for extra in EXTRA_USERS:
            conn.execute(
                sa.text("DELETE FROM users WHERE tenant_id = :t AND id = :u"),
                {"t": extra.tenant, "u": extra.user_id},
            )


@pytest.fixture
def probing(hostile: Hostile) -> Iterator[ChangeLog]:
    """Per shard: the users with colliding ids exist and every change is logged and undone.
    Both are gone again afterwards, so other tests see the demo tenants as shipped."""
    log = ChangeLog(hostile.admin)
    with TestClient(hostile.app) as client:
        create_extra_users(Api(client, hostile.headers), hostile.world.manifests)
    log.install()
    try:
        yield log
    finally:
        log.uninstall()
        _remove_extra_users(hostile.admin)


def _report(shard: int, tally: Tally, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = os.environ.get("REGIETAFEL_HOSTILE_REPORT_DIR")
    directory = Path(base) if base else tmp_path_factory.getbasetemp()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"hostile-shard-{shard}.json"
    path.write_text(dump(tally.findings), encoding="utf-8")
    return path


def test_the_world_and_the_route_table_cover_what_the_suite_promises(hostile: Hostile) -> None:
    world = hostile.world
    assert roles_present(world.subjects) >= {
        "platformbeheerder",
        "tenantbeheerder",
        "pga-expert",
        "casusregisseur",
        "uitvoeringscoordinator",
        "professional",
        "adviseur",
        "burgemeester-contactpersoon",
        "driehoek",
        "onderzoeker",
    }
    assert {s.tenant for s in world.subjects} >= {"RGUTRECHT", "RGHAAGLANDEN", "GM0355", "GM0637"}
    assert any(r.api and r.write for r in hostile.routes)
    assert any(r.web and r.write for r in hostile.routes), "web forms must be probed too"
    probed = {str(p.route) for p in hostile.probes}
    assert probed == {str(r) for r in hostile.routes}, "every route is probed"
    classes = {p.id_class for p in hostile.probes}
    assert classes >= {
        "eigen-deelname",
        "eigen-geen-deelname",
        "gedeeld-met-eigen-tenant",
        "andere-gemeente-zelfde-regio",
        "andere-regio",
    }
    assert len(hostile.probes) >= MIN_PROBES
    assert len(world.canaries.all()) > 500
    items = [i for c in world.casussen.values() for i in c.items]
    assert any(i.withheld for i in items) and any(not i.shared for i in items)
    assert any(c.shared_with for c in world.casussen.values())


@pytest.mark.parametrize("shard", range(SHARDS))
def test_hostile_probes_find_no_leak(
    shard: int,
    hostile: Hostile,
    probing: ChangeLog,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    probes = hostile.probes[shard::SHARDS]
    world = hostile.world
    person_casus = {p: c.id for c in world.casussen.values() for p in c.person_ids}
    casus_ids = [c.id for c in world.casussen.values()]
    probing.forget()
    before = fingerprint(hostile.admin, casus_ids, person_casus)
    with TestClient(hostile.app) as client:
        runner = Runner(client, world, hostile.oracle, probing, hostile.tokens, before)
        tally = runner.run(probes)
    after = fingerprint(hostile.admin, casus_ids, person_casus)
    report = _report(shard, tally, tmp_path_factory)
    print(f"\n[shard {shard}/{SHARDS}, seed {SEED}] " + summary(tally) + f"\n  rapport: {report}")
    assert after == before, "the probes left the world changed"
    assert tally.probes >= MIN_PROBES // SHARDS
    assert not tally.findings, (
        f"{len(tally.findings)} leaks (seed {SEED}, shard {shard}; full list: {report}):\n"
        + table_text(leak_table(tally.findings))
    )
