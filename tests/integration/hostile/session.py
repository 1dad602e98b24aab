"""The state of one hostile-probe session (per pytest-xdist worker): the world, the oracle,
the route table, the generated probes and the tokens; and the knobs (seed, budget)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar import Litestar
from people import TEST_MANIFESTS_DIR

from .oracle import Oracle
from .probes import Generator, Probe
from .routes import Route
from .runner import Tally, dump
from .subjects import EXTRA_USERS
from .world import World

Headers = Callable[[str, str], dict[str, str]]

MIN_PROBES = 10_000
_seed = os.environ.get("REGIETAFEL_HOSTILE_SEED", "20261127")
SEED = random.SystemRandom().randrange(1 << 30) if _seed == "random" else int(_seed)
BUDGET = max(MIN_PROBES, int(os.environ.get("REGIETAFEL_HOSTILE_PROBES", "10400")))


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
    generator: Generator


def manifest_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(Path(TEST_MANIFESTS_DIR).glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("gemeentecode"):
                texts[line.split("=", 1)[1].strip().strip('"')] = text
    return texts


def users_versions(admin: sa.engine.Engine) -> dict[tuple[str, str], int]:
    with admin.connect() as conn:
        rows = conn.execute(sa.text("SELECT tenant_id, id, version FROM users")).all()
    return {(t, u): v for t, u, v in rows}


def remove_extra_users(admin: sa.engine.Engine) -> None:
    with admin.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for extra in EXTRA_USERS:
            conn.execute(
                sa.text("DELETE FROM users WHERE tenant_id = :t AND id = :u"),
                {"t": extra.tenant, "u": extra.user_id},
            )


def write_report(name: str, tally: Tally, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The findings as JSON in $REGIETAFEL_HOSTILE_REPORT_DIR (default: pytest's temp dir)."""
    base = os.environ.get("REGIETAFEL_HOSTILE_REPORT_DIR")
    directory = Path(base) if base else tmp_path_factory.getbasetemp()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(dump(tally.findings), encoding="utf-8")
    return path
