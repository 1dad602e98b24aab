"""Finding casussen: search by name, alias, birth date, reference and BSN, and the list's
filters (fase, soort, regisseur, aanmelddatum) and sorting — under the same policy as the
list (:func:`services.casework.casussen.zichtbaar.list_casussen`).

Three guarantees:

- The candidates are the list's: the SQL pre-filter of need-to-know
  (:func:`~services.casework.casussen.zichtbaar.visible_casus_branches`), then the policy's
  ``list`` decision per row (audited as the list is). A search never shows a casus the list
  would not show, and a row is shown in the view the policy gives (pseudonymised rows stay
  pseudonymised).
- A search is no oracle: a row counts as found by a person attribute (name, alias, birth
  date, BSN) only when this reader may see that attribute in the row (full view, identifying
  data not masked; the BSN not masked). Otherwise only what the reader sees counts (the
  reference, the group name in the full view). So searching "Jansen" never tells an adviseur
  which pseudonym is Jansen.
- The BSN is looked up through its keyed hash (``persons.bsn_hash``), never in the clear; an
  invalid BSN is bad input (422, Dutch). Search terms are not logged or audited.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import sqlalchemy as sa

from services.casework.casussen.weergave import SUMMARY_OPTIONS, group_name_of, summary_view
from services.casework.casussen.zichtbaar import (
    SHARED,
    Page,
    bound_named_branches,
    custom_plan,
)
from services.casework.domain import lifecycle
from services.casework.domain.bsn import normalize_bsn, require_valid_bsn
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.text import join_nl
from services.casework.subjects import persons_with_restriction
from services.casework.workspace import REGIE_ROLES, ListScope, Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, CasusRole, Person, User
from services.platform.policy import Decision
from tenants.reference import PURPOSES

#: Sort orders of the list: code -> Dutch label.
SORTERINGEN: Final = {
    "nieuwste": "Nieuwste aanmelding eerst",
    "oudste": "Oudste aanmelding eerst",
    "fase": "Fase",
    "referentie": "Referentie",
}

#: How a search term was read: code -> Dutch label.
ZOEKSOORTEN: Final = {
    "bsn": "BSN",
    "geboortedatum": "geboortedatum",
    "tekst": "naam, alias, groepsnaam of referentie",
}

MAX_TERM: Final = 100
_BSN_LIKE = re.compile(r"^[\d\s.\-]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NL_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
LIST_PURPOSE: Final = "casusoverleg"
#: A search decides at most this many candidates (one policy query, one audit row each).
SEARCH_CANDIDATES: Final = 100
#: The "cursor" of a search with more results than shown: refine the search instead.
SEARCH_MORE: Final = "verfijn"


@dataclass(frozen=True)
class Filters:
    """The list's filters; None: no filter."""

    fase: str | None = None
    soort: str | None = None
    regisseur: str | None = None
    """A user id holding casusregisseur or procesregisseur on the casus now."""
    van: dt.date | None = None
    tot: dt.date | None = None
    sortering: str = "nieuwste"


@dataclass(frozen=True)
class Term:
    """A search term as it was read (never logged)."""

    soort: Literal["bsn", "geboortedatum", "tekst"]
    text: str = ""
    date: dt.date | None = None
    bsn_hash: str | None = None


def read_term(ws: Workspace, raw: str) -> Term:
    """Read the search box: a BSN (digits), a birth date, or text. Invalid -> 422 (Dutch)."""
    value = raw.strip()
    if not value:
        raise DomainValidationError([FieldProblem("zoekterm", "Vul een zoekterm in.")])
    if len(value) > MAX_TERM:
        raise DomainValidationError(
            [FieldProblem("zoekterm", f"De zoekterm is te lang (maximaal {MAX_TERM} tekens).")]
        )
    date = _date(value)
    if date is not None:
        return Term("geboortedatum", date=date)
    if _BSN_LIKE.fullmatch(value) and len(normalize_bsn(value)) >= 8:
        try:
            require_valid_bsn(value)
        except ValueError as error:
            raise DomainValidationError([FieldProblem("zoekterm", str(error))]) from None
        return Term("bsn", bsn_hash=ws.vault.lookup_hash(value))
    if len(value) < 2:
        raise DomainValidationError(
            [FieldProblem("zoekterm", "Geef ten minste 2 tekens op om te zoeken.")]
        )
    return Term("tekst", text=value.casefold())


def check_purpose(ws: Workspace, term: Term, purpose: str | None) -> str:
    """The purpose of the search (the list's default when none is given). A BSN search needs
    a purpose for which the BSN is shown (the tenant's ``bsn_purposes``): with any other the
    policy masks the BSN in every row, so nothing could be found — said in words instead."""
    chosen = purpose or LIST_PURPOSE
    ws.context(chosen)  # an unknown purpose is bad input (422)
    allowed = ws.manifest.bsn_purposes
    if term.soort == "bsn" and chosen not in allowed:
        raise DomainValidationError(
            [
                FieldProblem(
                    "doel",
                    f"Zoeken op BSN kan alleen met een doel waarvoor het BSN nodig is: "
                    f"{join_nl([PURPOSES.get(p, p).lower() for p in allowed])}.",
                )
            ]
        )
    return chosen


def _date(value: str) -> dt.date | None:
    try:
        if _ISO_DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
        match = _NL_DATE.fullmatch(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise DomainValidationError(
            [FieldProblem("zoekterm", "Deze datum bestaat niet; gebruik dd-mm-jjjj.")]
        ) from None
    return None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _person_text() -> sa.ColumnElement[str]:
    return sa.func.concat_ws(
        " ",
        Person.given_names,
        Person.surname,
        Person.roepnaam,
        sa.func.array_to_string(Person.aliases, " "),
    )


def matches(casus: Casus, person: Person | None, decision: Decision, term: Term) -> list[str]:
    """What the reader may know the row was found by (empty: not found for this reader)."""
    found: list[str] = []
    full = decision.view == "full"
    person_visible = full and person is not None and "identificerend" not in decision.mask
    if term.soort == "bsn":
        bsn_visible = person_visible and "bsn" not in decision.mask
        if bsn_visible and person is not None and person.bsn_hash == term.bsn_hash:
            found.append("bsn")
        return found
    if term.soort == "geboortedatum":
        if person_visible and person is not None and person.birth_date == term.date:
            found.append("geboortedatum")
        return found
    if term.text in casus.reference.casefold():
        found.append("referentie")
    words = term.text.split()
    group_name = group_name_of(casus, decision)
    if group_name and all(w in group_name.casefold() for w in words):
        found.append("groepsnaam")
    if person_visible and person is not None:
        names = " ".join([person.given_names, person.surname, person.roepnaam or ""]).casefold()
        aliases = " ".join(person.aliases or []).casefold()
        if all(w in names for w in words):
            found.append("naam")
        elif all(w in f"{names} {aliases}" for w in words):
            found.append("alias")
    return found


#: The phases in the order of ``sortering=fase``: a person's, then a group's.
PHASE_ORDER: Final = tuple(
    str(state)
    for state in dict.fromkeys(
        [*lifecycle.states(lifecycle.PERSON), *lifecycle.states(lifecycle.GROUP)]
    )
)


assert all(re.fullmatch(r"[a-z0-9_-]+", state) for state in PHASE_ORDER)
#: PHASE_ORDER as rows, for the LATERAL per phase of ``sortering=fase`` (:func:`_window`).
#: Text, not ``sa.values()``: SQLAlchemy does not cache a statement with VALUES (no cache
#: key), so the fase order's page statement was compiled anew on every request. The phases
#: are constants of the code (checked above), never input.
_PHASES: Final = sa.text(
    "SELECT state FROM (VALUES "
    + ", ".join(f"('{state}')" for state in PHASE_ORDER)
    + ") AS fase_rij (state)"
).columns(sa.column("state", sa.String))


def _order(sortering: str) -> list[sa.ColumnElement[Any]]:
    if sortering == "oudste":
        return [Casus.created_at.asc(), Casus.id.asc()]
    if sortering == "fase":
        rank = sa.case({state: i for i, state in enumerate(PHASE_ORDER)}, value=Casus.state)
        return [rank.asc(), Casus.created_at.desc(), Casus.id.desc()]
    if sortering == "referentie":
        return [Casus.reference.asc(), Casus.id.asc()]
    return [Casus.created_at.desc(), Casus.id.desc()]


def check_filters(filters: Filters) -> None:
    problems: list[FieldProblem] = []
    if filters.sortering not in SORTERINGEN:
        problems.append(FieldProblem("sortering", f"Kies een sortering: {', '.join(SORTERINGEN)}."))
    if filters.soort is not None and filters.soort not in (lifecycle.PERSON, lifecycle.GROUP):
        problems.append(FieldProblem("soort", "Kies 'persoon' of 'groep'."))
    known = set(lifecycle.states(lifecycle.PERSON)) | set(lifecycle.states(lifecycle.GROUP))
    if filters.fase is not None and filters.fase not in known:
        problems.append(FieldProblem("fase", "Onbekende fase."))
    if filters.van and filters.tot and filters.van > filters.tot:
        problems.append(FieldProblem("tot", "De einddatum ligt vóór de begindatum."))
    if problems:
        raise DomainValidationError(problems)


def find(
    ws: Workspace,
    filters: Filters,
    term: Term | None = None,
    *,
    limit: int = 25,
    cursor: str | None = None,
    purpose: str | None = None,
) -> Page:
    """A page of the list with filters and sorting, optionally narrowed by a search term.

    The cursor is the offset of the next page (``p<n>``); each page is decided by the policy
    as a whole, exactly as :func:`~services.casework.casussen.zichtbaar.list_casussen` does.
    """
    check_filters(filters)
    offset = 0
    if term is not None:
        # A search is one page of at most SEARCH_CANDIDATES candidates, without a cursor:
        # "more" counts only rows found for this reader, so it cannot tell about others.
        cursor = None
    if cursor:
        if not re.fullmatch(r"p\d{1,6}", cursor):
            raise DomainValidationError([FieldProblem("cursor", "Ongeldige cursor.")])
        offset = int(cursor[1:])
    fetch = SEARCH_CANDIDATES if term is not None else limit + 1
    rows = candidates(ws, filters, term, offset, fetch)
    more = len(rows) > limit
    if term is None:
        rows = rows[:limit]
    decisions = ws.enforcer.decide_page(
        "list",
        ws.resources(rows),
        ws.context(purpose or LIST_PURPOSE),
        [Target("casus", str(c.id), c.id) for c in rows],
    )
    by_id, restricted = persons_with_restriction(
        ws, [(c.tenant_id, c.subject_person_id) for c in rows if c.subject_person_id is not None]
    )
    items: list[dict[str, Any]] = []
    for casus, decision in zip(rows, decisions, strict=True):
        if not decision.allow:
            continue
        view = summary_view(ws, casus, decision, by_id, restricted)
        if term is not None:
            person = by_id.get(casus.subject_person_id) if casus.subject_person_id else None
            if person is not None and str(person.id) in restricted:
                # Beperking (art. 18 AVG): the person's data are kept, not processed, not
                # even to find the casus by (their name, BSN or birth date).
                person = None
            found = matches(casus, person, decision, term)
            if not found:
                continue
            view["gevonden_op"] = found
        items.append(view)
    if term is not None:
        return Page(items[:limit], SEARCH_MORE if len(items) > limit else None)
    return Page(items, f"p{offset + limit}" if more else None)


def _page_statement(
    relations: Sequence[tuple[str, sa.ColumnElement[bool]]],
    conditions: Sequence[sa.ColumnElement[bool]],
    sortering: str,
    size: int | sa.BindParameter[int],
    offset: int | sa.BindParameter[int],
    fetch: int | sa.BindParameter[int],
) -> sa.Select[Casus]:
    """The statement of :func:`candidates`: a window of ``size`` per relation, merged, then
    ``fetch`` rows after ``offset`` (values, or bound parameters of a statement made once)."""
    windows = [
        _window(branch, conditions, sortering, size, per_phase=relation != SHARED)
        for relation, branch in relations
    ]
    window = (windows[0] if len(windows) == 1 else sa.union(*windows)).subquery()
    return (
        sa.select(Casus)
        .options(*SUMMARY_OPTIONS)
        .join(window, sa.and_(Casus.tenant_id == window.c.tenant_id, Casus.id == window.c.id))
        .order_by(*_order(sortering))
        .offset(offset)
        .limit(fetch)
    )


#: What the structure of :func:`_shaped_filter_conditions` depends on: fase, soort, one day
#: (van == tot), van, tot (when not one day), regisseur — each used or not.
_FilterShape = tuple[bool, bool, bool, bool, bool, bool]
#: What the structure of :func:`_shaped_candidates` depends on: the kind of term, and for text the
#: number of words (None: no search).
_TermShape = tuple[str, int] | None


def _filter_shape(filters: Filters) -> _FilterShape:
    day = bool(filters.van) and filters.van == filters.tot
    return (
        bool(filters.fase),
        bool(filters.soort),
        day,
        bool(filters.van) and not day,
        bool(filters.tot) and not day,
        bool(filters.regisseur),
    )


def _term_shape(term: Term | None) -> _TermShape:
    if term is None:
        return None
    return (term.soort, len(term.text.split()) if term.soort == "tekst" else 0)


def _shaped_filter_conditions(shape: _FilterShape) -> list[sa.ColumnElement[bool]]:
    """SQL: the casussen that meet the list's filters of ``shape`` (the sorting is
    :func:`_order`'s), the values bound parameters (``f_fase``, ``f_soort``, ``f_van``,
    ``f_tot``, ``f_regisseur``: :func:`_find_params`).

    Each has an index (issue 14): fase ix_casussen_tenant_state_created, soort
    ix_casussen_tenant_kind_created, van/tot ix_casussen_tenant_aanmeld (one day as an
    equality: the index then gives the day's casussen in created_at order, where a range,
    even of one day, leaves them to be sorted), regisseur ix_casus_roles_user_active
    (tenant, user, role, casus)."""
    fase, soort, day, van, tot, regisseur = shape
    conditions: list[sa.ColumnElement[bool]] = []
    if fase:
        conditions.append(Casus.state == sa.bindparam("f_fase", type_=Casus.state.type))
    if soort:
        conditions.append(Casus.kind == sa.bindparam("f_soort", type_=Casus.kind.type))
    if day:
        conditions.append(
            Casus.aanmeld_date == sa.bindparam("f_van", type_=Casus.aanmeld_date.type)
        )
    if van:
        conditions.append(
            Casus.aanmeld_date >= sa.bindparam("f_van", type_=Casus.aanmeld_date.type)
        )
    if tot:
        conditions.append(
            Casus.aanmeld_date <= sa.bindparam("f_tot", type_=Casus.aanmeld_date.type)
        )
    if regisseur:
        conditions.append(
            sa.exists().where(
                CasusRole.tenant_id == Casus.tenant_id,
                CasusRole.casus_id == Casus.id,
                CasusRole.user_id == sa.bindparam("f_regisseur", type_=CasusRole.user_id.type),
                CasusRole.role.in_(REGIE_ROLES),
                CasusRole.ended_at.is_(None),
            )
        )
    return conditions


def _shaped_candidates(shape: tuple[str, int]) -> sa.ColumnElement[bool]:
    """SQL: rows that might match a term of ``shape`` (the per-row check, :func:`matches`,
    decides what counts), the values bound parameters (``t_bsn``, ``t_date``, ``t_text`` and
    ``t_word_<n>``: :func:`_find_params`)."""

    def person(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        return sa.exists().where(
            Person.tenant_id == Casus.tenant_id, Person.id == Casus.subject_person_id, condition
        )

    soort, n_words = shape
    if soort == "bsn":
        return person(Person.bsn_hash == sa.bindparam("t_bsn", type_=Person.bsn_hash.type))
    if soort == "geboortedatum":
        return person(Person.birth_date == sa.bindparam("t_date", type_=Person.birth_date.type))
    words = [sa.bindparam(f"t_word_{i}", type_=sa.String) for i in range(n_words)]
    return sa.or_(
        Casus.reference.ilike(sa.bindparam("t_text", type_=sa.String), escape="\\"),
        sa.and_(*(Casus.group_name.ilike(w, escape="\\") for w in words)),
        person(sa.and_(*(_person_text().ilike(w, escape="\\") for w in words))),
    )


@functools.lru_cache(maxsize=256)
def _find_query(
    scope: ListScope, filter_shape: _FilterShape, term_shape: _TermShape, sortering: str
) -> sa.Select[Casus] | None:
    """:func:`_page_statement` of :func:`find` (None: no relation opens a casus), made once
    per list scope, filter shape, term shape and sorting (issue 14: made per request they
    cost CPU to build and to key for SQLAlchemy's compiled cache, and left ~265 objects of
    cyclic garbage each). Values are never in them: the subject (``vis_tenant``,
    ``vis_organisation``, ``vis_user``, as zichtbaar's ``_page_query``), the filters, the term
    and the sizes (``window_size``, ``page_offset``, ``page_fetch``) are bound parameters
    (:func:`_find_params`)."""
    relations = bound_named_branches(scope)
    if not relations:
        return None
    conditions = _shaped_filter_conditions(filter_shape)
    if term_shape is not None:
        conditions.append(_shaped_candidates(term_shape))
    return _page_statement(
        relations,
        conditions,
        sortering,
        sa.bindparam("window_size", type_=sa.Integer),
        sa.bindparam("page_offset", type_=sa.Integer),
        sa.bindparam("page_fetch", type_=sa.Integer),
    )


def _find_params(
    ws: Workspace, filters: Filters, term: Term | None, offset: int, fetch: int
) -> dict[str, Any]:
    """The values of :func:`_find_query`'s bound parameters for this request."""
    p = ws.principal
    params: dict[str, Any] = {
        "vis_tenant": p.tenant,
        "vis_organisation": p.organisation,
        "vis_user": p.user_id,
        "window_size": offset + fetch,
        "page_offset": offset,
        "page_fetch": fetch,
    }
    if filters.fase:
        params["f_fase"] = filters.fase
    if filters.soort:
        params["f_soort"] = filters.soort
    if filters.van:
        params["f_van"] = filters.van
    if filters.tot:
        params["f_tot"] = filters.tot
    if filters.regisseur:
        params["f_regisseur"] = filters.regisseur
    if term is not None:
        if term.soort == "bsn":
            params["t_bsn"] = term.bsn_hash
        elif term.soort == "geboortedatum":
            params["t_date"] = term.date
        else:
            params["t_text"] = _like(term.text)
            for i, word in enumerate(term.text.split()):
                params[f"t_word_{i}"] = _like(word)
    return params


def candidates(
    ws: Workspace, filters: Filters, term: Term | None, offset: int, fetch: int
) -> list[Casus]:
    """The visible casussen that meet ``filters`` (and might match ``term``), in the list's
    order: ``fetch`` of them after the first ``offset`` (the policy then decides each).

    One ordered, limited window per relation that opens casussen, merged (as
    list_casussen does): `id IN (visible casussen)` made PostgreSQL materialise and sort
    every visible casus of the tenant (about a second with 100,000 casussen; issue 14).
    The first offset + fetch rows of the union are among the first offset + fetch rows of
    the branches, as every order ends in a unique key. The statement is made once for the
    shape of the filters and the term (:func:`_find_query`), the values bound.

    It goes unprepared (:func:`~services.casework.casussen.zichtbaar.custom_plan`), as the
    API list's page statement (ADR 0024, amendments 5 and 6): its text is the same for every
    reader of a list scope, so psycopg prepared it on a connection's sixth list, and
    PostgreSQL's generic plan of it reads every casus of the tenant (533 ms of backend CPU
    in the benchmark tenant, against ~4 planned for the reader)."""
    query = _find_query(ws.list_scope, _filter_shape(filters), _term_shape(term), filters.sortering)
    if query is None:
        return []
    params = _find_params(ws, filters, term, offset, fetch)
    with custom_plan(ws):
        return list(ws.session.scalars(query, params))


def _window(
    branch: sa.ColumnElement[bool],
    conditions: Sequence[sa.ColumnElement[bool]],
    sortering: str,
    size: int | sa.BindParameter[int],
    *,
    per_phase: bool = True,
) -> sa.Select[str, uuid.UUID]:
    """The first ``size`` casussen of one relation in the list's order.

    Sorted by fase, the window of a relation of the own tenant (``per_phase``) is the first
    ``size`` of every phase, newest first, each from ix_casussen_tenant_state_created (a
    LATERAL subquery per phase): ordering by the phase's rank made PostgreSQL sort every
    visible casus of the tenant (a second with 100,000 casussen; issue 14). The first
    ``size`` by (rank, created_at, id) are among them, as every casus is in one of the
    phases of its kind (PHASE_ORDER). The shared casussen are not in an index of the
    reader's tenant but found from its shares: per phase they were all read again, once for
    each of the 21 phases (1.6 s with 3,000 casussen shared with the region), so they are
    read and sorted once (ADR 0028, ``shares`` amendment)."""
    if sortering != "fase" or not per_phase:
        return (
            sa.select(Casus.tenant_id, Casus.id)
            .where(branch, *conditions)
            .order_by(*_order(sortering))
            .limit(size)
        )
    phases = _PHASES.subquery("fasen")
    newest = (
        sa.select(Casus.tenant_id, Casus.id)
        .where(branch, *conditions, Casus.state == phases.c.state)
        .order_by(Casus.created_at.desc(), Casus.id.desc())
        .limit(size)
        .lateral("fase")
    )
    return sa.select(newest.c.tenant_id, newest.c.id).select_from(phases).join(newest, sa.true())


def regisseurs(ws: Workspace) -> dict[str, str]:
    """Users of the own tenant who hold regie on some casus now (for the filter): names of
    colleagues, no person data.

    Per user, the first such role is looked up through ix_casus_roles_user_active (a
    LATERAL subquery with LIMIT 1, which PostgreSQL does not flatten): as ``EXISTS`` it
    became a semi-join that read and grouped every active role of the tenant (20 ms with
    100,000 casussen, on every list page; issue 14). The statement is made once
    (:func:`_regisseurs_query`), the tenant a bound parameter."""
    rows = ws.session.execute(_regisseurs_query(), {"r_tenant": ws.principal.tenant}).all()
    return {row.id: row.display_name for row in rows}


@functools.cache
def _regisseurs_query() -> sa.Select[str, str]:
    """Per regie role, the user's first active role of it ``ORDER BY casus_id LIMIT 1``, the
    two ``UNION ALL``-ed under a ``LIMIT 1``.

    The order is that of ix_casus_roles_user_active ``(tenant_id, user_id, role, casus_id)``
    for an equal role, so the index answers it from its first entry, and a Seq Scan would
    have to read and sort every active role of the tenant before its first row: its cost is
    the whole table, whatever the statistics say. With ``role IN (..) LIMIT 1`` and no order
    the planner costed a Seq Scan at the fraction of the table it expected to read before the
    first match (1/rows per user): after an ``ANALYZE`` with a small sample that fraction won
    and every user without a regie role read all 58,000 roles of the tenant, 0.2 -> 160 ms
    on the casussen page (``cliffs``, session 26; ADR 0020). An ``IN`` on the index's third
    column gives no ordered index scan in PostgreSQL 15, hence one branch per role.
    ``tests/integration/test_casus_pages_cost.py`` checks the plan's shape."""

    def first(role: str) -> sa.Select[Any]:
        return (
            sa.select(sa.literal(1).label("held"))
            .where(
                CasusRole.tenant_id == User.tenant_id,
                CasusRole.user_id == User.id,
                CasusRole.role == role,
                CasusRole.ended_at.is_(None),
            )
            .order_by(CasusRole.casus_id)
            .limit(1)
            .correlate(User)
        )

    either = sa.union_all(*(first(role) for role in REGIE_ROLES)).subquery("roles")
    held = sa.select(either.c.held).limit(1).lateral("regie")
    return (
        sa.select(User.id, User.display_name)
        .join(held, sa.true())
        .where(User.tenant_id == sa.bindparam("r_tenant", type_=User.tenant_id.type))
        .order_by(User.display_name)
    )
