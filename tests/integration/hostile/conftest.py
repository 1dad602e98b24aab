"""Fixtures of the hostile-probe suite: the world (built once per pytest-xdist worker, see
session.py) and per test the change log that sees and undoes every write."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from services.platform.config import Settings
from services.platform.http.csrf import CsrfSigner
from services.platform.identity.setup import Identity
from services.runtime import Runtime
from tenants.manifest import Manifest

from .changes import ChangeLog
from .model import Subject
from .oracle import Oracle
from .probes import Generator, Versions, generate
from .refresh import refresh_from_database
from .routes import discover
from .session import (
    BUDGET,
    SEED,
    Headers,
    Hostile,
    manifest_texts,
    remove_extra_users,
    users_versions,
)
from .subjects import manifests_by_code
from .world import Api, build_world, create_extra_users


@pytest.fixture(scope="session")
def hostile_app(runtime: Runtime, identity: Identity, test_tenants: list[Manifest]) -> Litestar:
    """The app without its in-process worker and scheduler: no outbox relay or periodic job
    changes rows while a probe runs, so every change the log sees is the probe's."""
    from services.app import create_app

    return create_app(runtime, identity=identity, start_worker=False)


@pytest.fixture(scope="session")
def hostile(
    hostile_app: Litestar,
    token_for: Headers,
    identity: Identity,
    runtime: Runtime,
    settings: Settings,
    test_tenants: list[Manifest],
) -> Iterator[Hostile]:
    app = hostile_app
    manifests = manifests_by_code(test_tenants)
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
    texts = manifest_texts()

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
        users=users_versions(admin),
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
    yield Hostile(world, oracle, routes, probes, tokens, admin, app, token_for, gen)
    admin.dispose()


@pytest.fixture
def probing(hostile: Hostile) -> Iterator[ChangeLog]:
    """Per shard: the users with colliding ids exist and every change is logged and undone.
    Both are gone again afterwards, so other tests see the test tenants as their manifests say."""
    log = ChangeLog(hostile.admin)
    with TestClient(hostile.app) as client:
        create_extra_users(Api(client, hostile.headers), hostile.world.manifests)
    log.install()
    try:
        yield log
    finally:
        log.uninstall()
        remove_extra_users(hostile.admin)
