"""The adversary in ``make test``: a hostile-probe suite generated from the route table.

Every route of the app (API and web pages/forms, found at run time) is called as every test
user of every tenant (gemeenten and regional bureaus, plus users whose ids collide across
tenants), with ids of their own participated casus, a non-participated casus of their own
tenant, a casus shared with their tenant, a casus of another gemeente in the region and of
another region, and with the items, persons, consents, plan versions, overleggen, grants,
users and tenant codes of those. Reads and writes; web forms with a valid CSRF token.

The world is made through the API by legitimate users, with a canary in every free-text and
person field (canaries.py); the oracle (oracle.py) implements the access matrix of issue 9
without asking the policy engine; every write is seen through a change log and undone
(changes.py). See runner.py for what counts as a finding. The world holds a beperking
(art. 18 AVG): the subject and an item of a casus shared by opschaling are restricted, and
their canaries may show only in the owning gemeente's inzage and correctie (oracle.py); the
person routes (/personen/{id}: the AVG requests) are probed with that person and others.

Deterministic by default (fixed seed, fixed budget). A larger randomised run:

    REGIETAFEL_HOSTILE_SEED=random REGIETAFEL_HOSTILE_PROBES=40000 \\
        .venv/bin/pytest tests/integration/hostile -n 2 -q

Each shard writes its findings to ``$REGIETAFEL_HOSTILE_REPORT_DIR`` (default: the pytest
temporary directory) as ``hostile-shard-N.json``: the raw findings and a table grouped by
route, roles and id class.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar.testing import TestClient
from people import REGIO_HAAGLANDEN, REGIO_UTRECHT, ZEIST, ZEIST_CASUSREGISSEUR, ZOETERMEER

from .changes import ChangeLog, fingerprint
from .runner import Runner, leak_table, summary, table_text, totals
from .session import MIN_PROBES, SEED, Hostile, write_report
from .subjects import roles_present

SHARDS = 6


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
    assert {s.tenant for s in world.subjects} >= {
        REGIO_UTRECHT,
        REGIO_HAAGLANDEN,
        ZEIST,
        ZOETERMEER,
    }
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
    # Beperking (art. 18 AVG): a restricted subject and a restricted shared item, in a casus
    # shared by opschaling, probed through its casus and through the person's AVG routes.
    restricted = [c for c in world.casussen.values() if c.subject_restricted]
    assert any(c.shared_with for c in restricted), "a beperking in an opgeschaalde casus"
    assert any(i.restricted and i.shared for c in restricted for i in c.items)
    assert any(p.detail.startswith("beperkte persoon") for p in hostile.probes)
    assert any(
        p.id_class == "gedeeld-met-eigen-tenant" and p.targets[0] == c.key
        for c in restricted
        for p in hostile.probes
        if p.targets
    )


@pytest.mark.parametrize("shard", range(SHARDS))
def test_hostile_probes_find_no_leak(
    shard: int,
    hostile: Hostile,
    probing: ChangeLog,
    tmp_path_factory: pytest.TempPathFactory,
    record_property: Callable[[str, object], None],
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
    report = write_report(f"hostile-shard-{shard}", tally, tmp_path_factory)
    record_property("hostile", totals(tally, "hostile probes"))
    print(f"\n[shard {shard}/{SHARDS}, seed {SEED}] " + summary(tally) + f"\n  rapport: {report}")
    assert after == before, "the probes left the world changed"
    assert tally.probes >= MIN_PROBES // SHARDS
    assert not tally.findings, (
        f"{len(tally.findings)} leaks (seed {SEED}, shard {shard}; full list: {report}):\n"
        + table_text(leak_table(tally.findings))
    )


def test_a_legitimate_form_and_api_write_of_the_suite_go_through(
    hostile: Hostile, probing: ChangeLog
) -> None:
    """The probes only prove something if the suite's session, CSRF token, If-Match and
    bodies are accepted for someone who may act: the casusregisseur posts a web form and an
    API write, both change the casus, and the change log sees and undoes them."""
    world = hostile.world
    casus = world.casussen[f"{ZEIST}/A"]
    regisseur = world.subject(ZEIST, ZEIST_CASUSREGISSEUR)
    routes = {str(r): r for r in hostile.routes}
    web = routes["POST /casussen/{casus_id}/informatie"]
    api = routes["POST /api/v1/casussen/{casus_id}/gezinsleden"]
    probing.forget()
    with TestClient(hostile.app) as client:
        runner = Runner(client, world, hostile.oracle, probing, hostile.tokens, {})
        for route, expected in ((web, 303), (api, 201)):
            probe = hostile.generator.make(route, regisseur, casus, "controle")
            response = runner.send(probe)
            assert response.status_code == expected, (route, response.text[:300])
            changed = {c.table for c in probing.pending() if c.real}
            assert changed, f"{route} changed nothing"
            assert probing.undo() > 0
            assert not probing.any()
