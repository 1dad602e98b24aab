"""The casussen list's filters and sortings (issue 14) give exactly the rows, in exactly the
order and pages, of a straightforward computation: every casus the reader's pre-filter lets
through (one plain query), filtered and sorted in Python, sliced by offset and size.

The fast path (:func:`services.casework.casussen.zoeken.candidates`: one ordered window per
relation, a LATERAL per phase for ``sortering=fase``, the filter indexes of migration 0060)
is compared with it for every filter alone and combined, every sorting and several pages,
for readers in different relations to the casussen. The arrangement (kinds, phases,
aanmelddatums, created_at ties, regie roles, an ended role) is made in the test's own
transaction and rolled back."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_PSYCHIATER,
    ZEIST_WIJKAGENT,
)
from sqlalchemy.dialects import postgresql
from workspaces import principal_of, rolled_back

from services.casework.casussen import zoeken
from services.casework.casussen.zichtbaar import (
    custom_plan,
    visible_casus_condition,
    visible_casus_relations,
)
from services.casework.workspace import REGIE_ROLES, Workspace
from services.platform.db.models import Casus, CasusRole, Person
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
N = 18
#: aanmelddatums far from today's, so that a range holds only (some of) these casussen.
BASE_DATE = dt.date(2001, 3, 1)
#: Phases given to the person casussen (a variety, several per phase) and the groups.
PERSON_STATES = ("aangemeld", "plan", "uitvoering", "afgeschaald", "in_triage", "gestopt")
GROUP_STATES = ("stap-2", "stap-5", "afgesloten")


@pytest.fixture(scope="module")
def casussen(app: Litestar, token_for: Headers) -> list[uuid.UUID]:
    users = [ZEIST_WIJKAGENT, ZEIST_KLANTMANAGER, ZEIST_PSYCHIATER]
    with TestClient(app) as client:
        return [
            uuid.UUID(aanmelden(client, token_for(T, users[n % 3]), f"Filterproef{n}"))
            for n in range(N)
        ]


def _arrange(ws: Workspace, ids: list[uuid.UUID]) -> None:
    """Kinds, phases, dates, created_at (pairs that tie) and regie, in this transaction."""
    start = dt.datetime(2001, 3, 1, 12, tzinfo=dt.UTC)
    for n, casus_id in enumerate(ids):
        casus = ws.session.get(Casus, (T, casus_id))
        assert casus is not None
        if n % 6 == 5:  # three groups
            casus.kind, casus.state = "groep", GROUP_STATES[n % len(GROUP_STATES)]
            casus.group_name = f"Filtergroep {n}"
            casus.subject_person_id = None
        else:
            casus.state = PERSON_STATES[n % len(PERSON_STATES)]
        casus.aanmeld_date = BASE_DATE + dt.timedelta(days=n % 7)
        # Pairs with the same instant: the order falls back to the id.
        casus.created_at = start + dt.timedelta(minutes=(n * 7) % N // 2)
    for n, user, role, ended in (
        (0, ZEIST_CASUSREGISSEUR, "casusregisseur", False),
        (1, ZEIST_CASUSREGISSEUR, "procesregisseur", False),
        (3, ZEIST_CASUSREGISSEUR, "casusregisseur", False),
        (5, ZEIST_CASUSREGISSEUR, "casusregisseur", False),
        (8, ZEIST_CASUSREGISSEUR, "casusregisseur", True),  # ended: no longer regie
        (9, ZEIST_CASUSREGISSEUR, "uitvoeringscoordinator", False),  # not a regie role
        (10, ZEIST_PGA_EXPERT, "casusregisseur", False),
        (12, ZEIST_CASUSREGISSEUR, "casusregisseur", False),
    ):
        ws.session.add(
            CasusRole(
                tenant_id=T,
                casus_id=ids[n],
                role=role,
                user_id=user,
                organisation_id="sociaal-wijkteam-zeist",
                ended_at=dt.datetime(2001, 4, 1, tzinfo=dt.UTC) if ended else None,
            )
        )
    ws.session.flush()


def _reference(ws: Workspace, filters: zoeken.Filters) -> list[uuid.UUID]:
    """Every casus of the pre-filter (one plain query, no windows), filtered and sorted in
    Python. Referentie order is PostgreSQL's collation, so its rank comes from SQL."""
    rank = sa.func.row_number().over(order_by=(Casus.reference, Casus.id))
    rows = ws.session.execute(
        sa.select(
            Casus.id, Casus.kind, Casus.state, Casus.aanmeld_date, Casus.created_at, rank
        ).where(visible_casus_condition(ws))
    ).all()
    regie = set(
        ws.session.scalars(
            sa.select(CasusRole.casus_id).where(
                CasusRole.user_id == filters.regisseur,
                CasusRole.role.in_(REGIE_ROLES),
                CasusRole.ended_at.is_(None),
            )
        )
    )

    def meets(row: Any) -> bool:
        return (
            (filters.fase is None or row.state == filters.fase)
            and (filters.soort is None or row.kind == filters.soort)
            and (filters.van is None or row.aanmeld_date >= filters.van)
            and (filters.tot is None or row.aanmeld_date <= filters.tot)
            and (filters.regisseur is None or row.id in regie)
        )

    kept = [row for row in rows if meets(row)]
    order = filters.sortering
    if order == "oudste":
        kept.sort(key=lambda r: (r.created_at, r.id))
    elif order == "referentie":
        kept.sort(key=lambda r: r[5])
    elif order == "fase":
        newest = sorted(kept, key=lambda r: (r.created_at, r.id), reverse=True)
        kept = sorted(newest, key=lambda r: zoeken.PHASE_ORDER.index(r.state))  # stable
    else:
        kept.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return [row.id for row in kept]


FILTERS: tuple[dict[str, Any], ...] = (
    {},
    {"fase": "plan"},
    {"fase": "stap-5"},
    {"fase": "waakvlam"},  # no casus in it
    {"soort": "groep"},
    {"soort": "persoon"},
    {"van": BASE_DATE + dt.timedelta(days=2)},
    {"tot": BASE_DATE + dt.timedelta(days=3)},
    {"van": BASE_DATE + dt.timedelta(days=1), "tot": BASE_DATE + dt.timedelta(days=1)},
    {"van": BASE_DATE, "tot": BASE_DATE + dt.timedelta(days=30)},
    {"van": dt.date(1990, 1, 1), "tot": dt.date(1990, 12, 31)},  # empty
    {"regisseur": ZEIST_CASUSREGISSEUR},
    {"regisseur": ZEIST_PGA_EXPERT},
    {"regisseur": ZEIST_WIJKAGENT},  # holds no regie
    {"soort": "persoon", "van": BASE_DATE + dt.timedelta(days=1)},
    {"soort": "groep", "tot": BASE_DATE + dt.timedelta(days=6)},
    {"regisseur": ZEIST_CASUSREGISSEUR, "soort": "persoon", "tot": BASE_DATE},
    {"regisseur": ZEIST_CASUSREGISSEUR, "fase": "aangemeld"},
    {"fase": "afgeschaald", "van": BASE_DATE, "soort": "persoon"},
)
#: (offset, size): the first page, later pages, a page past the end, all at once.
PAGES = ((0, 4), (4, 4), (3, 5), (10, 4), (40, 4), (0, 500))


@pytest.mark.parametrize(
    "reader", [ZEIST_WIJKAGENT, ZEIST_CASUSREGISSEUR, ZEIST_PGA_EXPERT, ZEIST_KLANTMANAGER]
)
def test_every_filter_sorting_and_page_equals_the_reference(
    runtime: Runtime, casussen: list[uuid.UUID], reader: str
) -> None:
    mine = set(casussen)
    compared = 0
    with rolled_back(runtime, principal_of(runtime, reader)) as ws:
        _arrange(ws, casussen)
        for chosen, sortering in itertools.product(FILTERS, zoeken.SORTERINGEN):
            filters = zoeken.Filters(**chosen, sortering=sortering)
            zoeken.check_filters(filters)
            expected = _reference(ws, filters)
            conditions = _conditions_with_values(filters)
            for offset, size in PAGES:
                got = [c.id for c in zoeken.candidates(ws, filters, None, offset, size)]
                assert got == expected[offset : offset + size], (chosen, sortering, offset)
                # The statement made per request with the values in it, as before issue 14's
                # statements made once per shape, finds the same rows.
                made = _statement_with_values(ws, conditions, sortering, offset, size)
                assert [c.id for c in _rows(ws, made)] == got, (chosen, sortering, offset)
                compared += 1
            if chosen.get("van") and chosen.get("tot"):
                # Ranges within 2001 hold only this test's casussen (the others are
                # aangemeld today; an open-ended range may also hold a casus another test
                # aangemeld with an old date, e.g. a generated hostile input).
                assert set(expected) <= mine
    assert compared == len(FILTERS) * len(zoeken.SORTERINGEN) * len(PAGES)


def test_the_reference_sees_the_arrangement(runtime: Runtime, casussen: list[uuid.UUID]) -> None:
    """The PGA-expert sees the whole tenant: each filter of the arrangement selects what it
    was arranged to (so the comparison above compares something)."""
    with rolled_back(runtime, principal_of(runtime, ZEIST_PGA_EXPERT)) as ws:
        _arrange(ws, casussen)
        groups = _reference(ws, zoeken.Filters(soort="groep"))
        assert {casussen[n] for n in (5, 11, 17)} <= set(groups)
        regie = _reference(ws, zoeken.Filters(regisseur=ZEIST_CASUSREGISSEUR))
        assert {casussen[n] for n in (0, 1, 3, 5, 12)} <= set(regie)
        assert casussen[8] not in regie and casussen[9] not in regie
        day = _reference(ws, zoeken.Filters(van=BASE_DATE, tot=BASE_DATE))
        assert set(day) == {casussen[n] for n in range(N) if n % 7 == 0}


#: Search terms of every shape: one word, several, LIKE's special characters, a BSN's hash,
#: a birth date.
def _conditions_with_values(filters: zoeken.Filters) -> list[sa.ColumnElement[bool]]:
    """The filters' conditions with their values in them: zoeken's ``filter_conditions`` as
    it was before the statements were made once per shape (kept here as the oracle)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.fase:
        conditions.append(Casus.state == filters.fase)
    if filters.soort:
        conditions.append(Casus.kind == filters.soort)
    if filters.van and filters.van == filters.tot:
        conditions.append(Casus.aanmeld_date == filters.van)
    else:
        if filters.van:
            conditions.append(Casus.aanmeld_date >= filters.van)
        if filters.tot:
            conditions.append(Casus.aanmeld_date <= filters.tot)
    if filters.regisseur:
        conditions.append(
            sa.exists().where(
                CasusRole.tenant_id == Casus.tenant_id,
                CasusRole.casus_id == Casus.id,
                CasusRole.user_id == filters.regisseur,
                CasusRole.role.in_(REGIE_ROLES),
                CasusRole.ended_at.is_(None),
            )
        )
    return conditions


def _term_with_values(term: zoeken.Term) -> sa.ColumnElement[bool]:
    """The term's condition with its values in it: zoeken's ``_candidates`` as it was (the
    oracle)."""

    def person(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        return sa.exists().where(
            Person.tenant_id == Casus.tenant_id, Person.id == Casus.subject_person_id, condition
        )

    if term.soort == "bsn":
        return person(Person.bsn_hash == term.bsn_hash)
    if term.soort == "geboortedatum":
        return person(Person.birth_date == term.date)
    words = term.text.split()
    return sa.or_(
        Casus.reference.ilike(zoeken._like(term.text), escape="\\"),
        sa.and_(*(Casus.group_name.ilike(zoeken._like(w), escape="\\") for w in words)),
        person(
            sa.and_(*(zoeken._person_text().ilike(zoeken._like(w), escape="\\") for w in words))
        ),
    )


def _statement_with_values(
    ws: Workspace,
    conditions: list[sa.ColumnElement[bool]],
    sortering: str,
    offset: int,
    fetch: int,
) -> sa.Select[Casus]:
    """The page statement made for this request with its values in it (zoeken's
    ``candidates`` as it was)."""
    relations = visible_casus_relations(ws)
    assert relations, "the readers of these tests all list casussen"
    return zoeken._page_statement(relations, conditions, sortering, offset + fetch, offset, fetch)


def _rows(ws: Workspace, statement: sa.Select[Casus]) -> list[Casus]:
    with custom_plan(ws):
        return list(ws.session.scalars(statement))


TERMS: tuple[zoeken.Term | None, ...] = (
    None,
    zoeken.Term("tekst", text="filterproef1"),
    zoeken.Term("tekst", text="filtergroep 5"),
    zoeken.Term("tekst", text="50%_a\\b x_"),
    zoeken.Term("bsn", bsn_hash="0" * 64),
    zoeken.Term("geboortedatum", date=dt.date(1980, 1, 1)),
)


def _literal(statement: sa.Select[Any]) -> str:
    return str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )


@pytest.mark.parametrize("reader", [ZEIST_WIJKAGENT, ZEIST_CASUSREGISSEUR, ZEIST_PGA_EXPERT])
def test_the_statement_made_once_per_shape_is_the_one_made_per_request(
    runtime: Runtime, casussen: list[uuid.UUID], reader: str
) -> None:
    """``find`` sends a statement made once per shape (list scope, filters used, kind of
    term and its number of words, sorting) with the values bound at execution (issue 14).
    With this request's values put in, it is the statement made for the request from
    :func:`_conditions_with_values` and :func:`_term_with_values` (the values in the
    statement, as zoeken made it before), character for character, and it finds the same
    rows; the statement kept holds none of the values."""
    compared = 0
    with rolled_back(runtime, principal_of(runtime, reader)) as ws:
        _arrange(ws, casussen)
        for chosen, sortering, term in itertools.product(FILTERS, zoeken.SORTERINGEN, TERMS):
            filters = zoeken.Filters(**chosen, sortering=sortering)
            conditions = _conditions_with_values(filters)
            if term is not None:
                conditions.append(_term_with_values(term))
            for offset, fetch in ((0, 5), (3, 100)):
                made = _statement_with_values(ws, conditions, sortering, offset, fetch)
                shape = (zoeken._filter_shape(filters), zoeken._term_shape(term), sortering)
                kept = zoeken._find_query(ws.list_scope, *shape)
                assert kept is not None
                # SQLAlchemy caches its compiled form (a VALUES list had no cache key).
                assert kept._generate_cache_key() is not None, (chosen, sortering, term)
                params = zoeken._find_params(ws, filters, term, offset, fetch)
                assert _literal(kept.params(params)) == _literal(made), (chosen, term)
                once = [c.id for c in zoeken.candidates(ws, filters, term, offset, fetch)]
                assert once == [c.id for c in _rows(ws, made)]
                # No value of the request is in the kept statement: its parameters are
                # empty (its constants, the phases and roles, are its own).
                kept_params = kept.compile().params
                assert {name: kept_params.get(name) for name in params} == dict.fromkeys(params)
                compared += 1
    assert compared == len(FILTERS) * len(zoeken.SORTERINGEN) * len(TERMS) * 2
