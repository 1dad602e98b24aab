"""The visible casussen read in two parts (issue 14; ADR 0028, ``shares`` amendment).

:func:`zichtbaar.visible_casus_ids_query` (the overleg agenda's pre-filter) reads the own
tenant's casussen and those shared with the tenant by one ``SELECT`` each, joined by
``UNION ALL``, where it used one ``OR`` of every relation (which made PostgreSQL read the
casussen of every tenant). Differential: for every user of every test tenant, the same casus
ids as the one condition, each once, and the same meetings in the overleg list; the world
has casussen shared with the region and with another gemeente, a restricted person in a
shared casus and agenda items on shared casussen.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    HILVERSUM,
    REGIO_HAAGLANDEN,
    REGIO_UTRECHT,
    VEENENDAAL,
    WIJK_BIJ_DUURSTEDE,
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
)

from services.casework.casussen import zichtbaar, zoeken
from services.casework.overleg import service as overleg
from services.casework.unit_of_work import workspace
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import (
    AgendaItem,
    Casus,
    CasusRole,
    CasusShare,
    Meeting,
    Restriction,
    User,
)
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
TENANTS = (ZEIST, VEENENDAAL, WIJK_BIJ_DUURSTEDE, HILVERSUM, ZOETERMEER, REGIO_UTRECHT)
TENANTS += (REGIO_HAAGLANDEN,)


def _principals(runtime: Runtime) -> list[Principal]:
    directory = PrincipalDirectory(runtime.sessions)
    out = []
    for tenant in TENANTS:
        with tenant_transaction(runtime.sessions, tenant) as session:
            users = list(
                session.scalars(sa.select(User.id).where(User.tenant_id == tenant, User.active))
            )
        out += [directory.resolve(Claims(user, tenant, {})) for user in sorted(users)]
    return out


def _one_condition(ws: Workspace) -> sa.Select[Any]:
    """The pre-filter's ids as they were read before: one ``OR`` of every relation."""
    return sa.select(Casus.id).where(zichtbaar.visible_casus_condition(ws))


@pytest.fixture(scope="module")
def world(app: Litestar, runtime: Runtime, token_for: Headers) -> dict[str, list[str]]:
    """Zeist casussen of different aanmelders; one shared with the region, one with the
    region and Veenendaal (its person restricted), one with regie of the casusregisseur; a
    casusoverleg with all of them on the agenda and one with only the shared ones."""
    users = [ZEIST_WIJKAGENT, ZEIST_KLANTMANAGER, ZEIST_WIJKAGENT, ZEIST_KLANTMANAGER]
    with TestClient(app) as client:
        ids = [aanmelden(client, token_for(T, user), f"Deel{n}") for n, user in enumerate(users)]
    shared = [uuid.UUID(ids[0]), uuid.UUID(ids[1])]
    with tenant_transaction(runtime.sessions, T) as session:
        for casus_id, readers in ((shared[0], [REGIO_UTRECHT]), (shared[1], [REGIO_UTRECHT])):
            for reader in readers:
                session.add(
                    CasusShare(
                        tenant_id=T,
                        casus_id=casus_id,
                        shared_with_tenant=reader,
                        reason="Opschaling (test).",
                        created_by=ZEIST_PGA_EXPERT,
                    )
                )
        session.add(
            CasusShare(
                tenant_id=T,
                casus_id=shared[1],
                shared_with_tenant=VEENENDAAL,
                reason="Verhuizing (test).",
                created_by=ZEIST_PGA_EXPERT,
            )
        )
        first = session.get(Casus, (T, shared[0]))
        assert first is not None
        first.state = "uitvoering"  # the shared casussen in two phases (the fase order)
        restricted = session.get(Casus, (T, shared[1]))
        assert restricted is not None and restricted.subject_person_id is not None
        session.add(
            Restriction(
                tenant_id=T,
                id=uuid.uuid4(),
                target_type="persoon",
                target_id=str(restricted.subject_person_id),
                person_id=restricted.subject_person_id,
                casus_id=shared[1],
                reason="Beperking (test).",
                restricted_by=ZEIST_PGA_EXPERT,
            )
        )
        session.add(
            CasusRole(
                tenant_id=T,
                casus_id=uuid.UUID(ids[2]),
                role="casusregisseur",
                user_id=ZEIST_CASUSREGISSEUR,
                organisation_id="sociaal-wijkteam-zeist",
            )
        )
        when = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
        for agenda in (ids, ids[:2]):
            meeting = Meeting(
                tenant_id=T,
                id=uuid.uuid4(),
                meeting_type_id="pga-kernteam",
                scheduled_for=when,
                chair_user_id=ZEIST_PGA_EXPERT,
                status="gepland",
            )
            session.add(meeting)
            session.flush()
            for casus_id in agenda:
                session.add(
                    AgendaItem(tenant_id=T, meeting_id=meeting.id, casus_id=uuid.UUID(casus_id))
                )
    return {"ids": ids, "shared": [str(s) for s in shared]}


def test_the_ids_in_two_parts_are_those_of_the_one_condition_for_every_user(
    runtime: Runtime, world: dict[str, list[str]]
) -> None:
    seen_shared: set[tuple[str, str]] = set()
    checked = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            before = list(ws.session.scalars(_one_condition(ws)))
            after = list(ws.session.scalars(zichtbaar.visible_casus_ids_query(ws)))
        assert len(after) == len(set(after)), principal.user_id  # each casus once
        assert sorted(after) == sorted(before), principal.user_id
        checked += len(before)
        seen_shared |= {(principal.tenant, str(i)) for i in before if str(i) in world["shared"]} - {
            (T, s) for s in world["shared"]
        }
    assert checked > 0
    # The readers of other tenants see the shared casussen (the second part), the restricted
    # one too (a beperking holds back the person's data, not the casus).
    assert {(REGIO_UTRECHT, s) for s in world["shared"]} <= seen_shared
    assert (VEENENDAAL, world["shared"][1]) in seen_shared


def test_the_overleg_list_is_that_of_the_one_condition_for_every_user(
    runtime: Runtime, world: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            try:
                after = overleg.list_meetings(ws, wanneer="komend", limit=500)
            except AccessDenied:
                continue  # a role without the overleg
            with monkeypatch.context() as patched:
                patched.setattr(overleg, "visible_casus_ids_query", _one_condition)
                before = overleg.list_meetings(ws, wanneer="komend", limit=500)
        assert after == before, principal.user_id
        listed += len(after)
    assert listed > 0


@pytest.mark.parametrize("sortering", ["nieuwste", "oudste", "fase", "referentie"])
def test_the_search_windows_are_the_first_of_the_one_condition_for_every_user(
    runtime: Runtime, world: dict[str, list[str]], sortering: str
) -> None:
    """The search's candidates (a window per relation, the shared casussen sorted once where
    the own tenant's are read per phase) are the first casussen of the one condition in the
    list's order, for every user; also after an offset."""
    shared_seen = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            reference = list(
                ws.session.scalars(
                    sa.select(Casus.id)
                    .where(zichtbaar.visible_casus_condition(ws))
                    .order_by(*zoeken._order(sortering))
                    .limit(60)
                )
            )
            unfiltered = zoeken.Filters(sortering=sortering)
            first = [c.id for c in zoeken.candidates(ws, unfiltered, None, 0, 40)]
            later = [c.id for c in zoeken.candidates(ws, unfiltered, None, 20, 40)]
        assert first == reference[:40], principal.user_id
        assert later == reference[20:60], principal.user_id
        shared_seen += sum(1 for i in reference if str(i) in world["shared"])
    assert shared_seen >= 3  # the region's readers and Veenendaal's
