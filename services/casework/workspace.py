"""The workspace of one request: who acts, in which tenant, with which engine and keys.

It also holds what every casework module needs: loading a casus the caller's tenant can see
(own or shared), building the policy resource of a casus from its rows, the purpose that
fits a phase, and recording casus events.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import Executable

from services.casework.casus_relations import (
    CASUS_FOR_UPDATE,
    CASUS_RECORD,
    CASUS_WITH_RELATIONS,
    CASUS_WITH_SUBJECT,
    CASUSSEN_WITH_RELATIONS_OF_KEYS,
    RELATION_COLUMNS,
    RELATIONS_OF_KEYS,
    RELATIONS_OF_ONE,
    CasusRecord,
    ParticipantRow,
    Relations,
    RoleRow,
    casus_record_of,
    relations_of,
)
from services.casework.domain import lifecycle
from services.casework.domain.bsn import BsnVault
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.local_time import local_date
from services.casework.errors import NotFound, VersionMismatch, VersionRequired
from services.casework.page_reads import tenant_reference
from services.platform.authz.enforce import AccessDenied, Enforcer
from services.platform.db.models import (
    AuditEntry,
    Casus,
    CasusEvent,
    CasusRole,
    Document,
    InformationItem,
    Meeting,
    Person,
    Tenant,
)
from services.platform.identity.principal import Principal
from services.platform.outbox.events import record_event
from services.platform.policy import PolicyEngine, PolicyEngineUnavailable
from services.platform.policy.source import canonical_json
from tenants.manifest import Manifest, parse_manifest
from tenants.reference import PURPOSES

#: The purpose (doelbinding) that fits a phase when the caller names none.
PURPOSE_BY_PHASE: Mapping[str, str] = {
    "aanmelding": "aanmelding",
    "triage": "triage",
    "informeren": "informeren",
    "plan": "plan-van-aanpak",
    "uitvoering": "uitvoering",
    "monitoring": "monitoring",
    "afsluiting": "afsluiting",
    "nazorg": "nazorg",
    "archief": "afsluiting",
}

REGIE_ROLES = ("casusregisseur", "procesregisseur")

#: The rows whose ``version`` is their ETag (``version_id_col``).
Versioned = Casus | Meeting | InformationItem | Person | Document

#: Reads of the workspace flush pending changes themselves (see Workspace.read).
_NO_AUTOFLUSH: Mapping[str, Any] = {"autoflush": False}

#: Resource types that are about one person.
PERSON_TYPES = frozenset({"person", "group_member"})


#: Per source (``database:<tenant>``): the stored manifest document last parsed and what
#: :func:`parse_manifest` made of it (a frozen model), so that a request parses a tenant's
#: manifest only when its row holds another document than the last one (issue 14).
_PARSED_MANIFESTS: dict[str, tuple[Mapping[str, Any], Manifest]] = {}


def parsed_manifest(data: Mapping[str, Any], source: str) -> Manifest:
    """``parse_manifest(data, source)``, parsed again only when ``data`` is not equal to the
    document parsed last for ``source`` (an invalid one raises, and is not kept)."""
    known = _PARSED_MANIFESTS.get(source)
    if known is not None and known[0] == data:
        return known[1]
    manifest = parse_manifest(data, source)
    _PARSED_MANIFESTS[source] = (copy.deepcopy(dict(data)), manifest)
    return manifest


_R = TypeVar("_R")


@dataclass
class Workspace:
    session: Session
    principal: Principal
    enforcer: Enforcer
    vault: BsnVault
    pseudonym_secret: str
    #: Per transaction: the casussen loaded and the rows their policy resources are built
    #: from, so that the sections of one page (each deciding on the same casus) read them
    #: once (issue 14). Emptied by anything that may change them: a flush, a bulk or textual
    #: write other than the enforcer's audit INSERT, or rows pending in the session.
    _casussen: dict[uuid.UUID, Casus] = field(default_factory=dict, init=False, repr=False)
    _relations: dict[uuid.UUID, Relations] = field(default_factory=dict, init=False, repr=False)
    #: The subject person of a casus and whether they are under a restriction, when the
    #: casus was loaded with them (load_casus(subject=True)).
    _subjects: dict[uuid.UUID, tuple[Person | None, bool]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: The request's unit of work ends here when the handler asks (:meth:`committed`).
    _finish: Callable[[Callable[[], Any]], Any] | None = field(default=None, init=False, repr=False)

    def bind_finish(self, finish: Callable[[Callable[[], Any]], Any]) -> None:
        """Set by the request's dependency: :meth:`committed` ends its unit of work."""
        self._finish = finish

    def committed(self, build: Callable[[], _R]) -> _R:
        """``build()``, the whole of a handler up to its built response, then the commit of
        the request's transaction, both in the calling thread (a handler that runs in a worker
        thread: no second thread hop to commit; ADR 0024, amendment 2). A workspace that is
        not a request's (a page's, a job's) commits where it always did, after ``build``."""
        finish = self._finish
        if finish is None:
            return build()
        result: _R = finish(build)
        return result

    def __post_init__(self) -> None:
        # The session's events reach the workspace through the listeners on the Session
        # class at the end of this module: a listener added to each session cost ~25 µs
        # apiece, on every request (issue 14; the Enforcer does the same). The unit of work
        # breaks this cycle when it closes the session (:func:`detach_workspaces`).
        self.session.info.setdefault(_WORKSPACES, []).append(self)

    def _forget(self) -> None:
        self._casussen.clear()
        self._relations.clear()
        self._subjects.clear()

    def _after_flush(self, session: Session, _context: Any) -> None:
        if _pending_changes(session):
            self._forget()

    def _on_execute(self, state: Any) -> None:
        if not state.is_select and not _is_audit_insert(state.statement):
            self._forget()

    def _memo_valid(self) -> bool:
        if _pending_changes(self.session):
            self._forget()
            return False
        return True

    @cached_property
    def today(self) -> dt.date:
        """The Dutch calendar day of this workspace's moment (fixed for its life): read per
        casus and per item by the werkvoorraad, so converted once."""
        return local_date(self.enforcer.now)

    @cached_property
    def tenant(self) -> Tenant:
        tenant = self.session.get(Tenant, self.principal.tenant)
        if tenant is None:  # pragma: no cover - authentication guarantees it
            raise NotFound(self.principal.tenant)
        return tenant

    @cached_property
    def manifest(self) -> Manifest:
        def load() -> Manifest:
            return parsed_manifest(self.tenant.manifest, f"database:{self.tenant.code}")

        # The app's cache of the tenant's reference data (ADR 0027, amendment casuspagina):
        # no read of the tenants row (~11 KB of manifest JSON) while the signal listens.
        return tenant_reference(self.session, self.principal.tenant, "manifest", load)

    def manifest_of(self, tenant_code: str) -> Manifest:
        if tenant_code == self.principal.tenant:
            return self.manifest
        tenant = self.session.get(Tenant, tenant_code)
        if tenant is None:
            raise NotFound(tenant_code)
        return parsed_manifest(tenant.manifest, f"database:{tenant_code}")

    def pseudonym(self, person_id: uuid.UUID) -> str:
        digest = hmac.new(
            self.pseudonym_secret.encode(), person_id.bytes, hashlib.sha256
        ).hexdigest()
        return "P-" + digest[:6].upper()

    # -- casussen ---------------------------------------------------------------------------

    def load_casus(
        self, casus_id: uuid.UUID, *, for_update: bool = False, subject: bool = False
    ) -> Casus:
        """A casus visible to this tenant (own rows, or shared by RLS); else NotFound.
        Loaded once per transaction unless locked (the session's identity map would hand
        out the same object again anyway), with the rows of its policy resource in the same
        statement (:data:`CASUS_WITH_RELATIONS`). ``subject``: with its subject person and
        whether they are under a restriction too (:meth:`known_subject`; for a page that
        shows the person)."""
        if for_update:
            locked = self.session.scalars(CASUS_FOR_UPDATE, {"casus_id": casus_id}).first()
            if locked is None:
                raise NotFound(str(casus_id))
            self._casussen[casus_id] = locked
            return locked
        if self._memo_valid():
            known = self._casussen.get(casus_id)
            if known is not None:
                return known
        params = {"casus_id": casus_id, **self._grant_params()}
        row = self.read(CASUS_WITH_SUBJECT if subject else CASUS_WITH_RELATIONS, params).first()
        if row is None:
            raise NotFound(str(casus_id))
        casus: Casus = row[0]
        self._casussen[casus_id] = casus
        if self._memo_valid():
            self._relations[casus.id] = relations_of(row, 1)
            if subject:
                person, restricted = row[1 + RELATION_COLUMNS :]
                self._subjects[casus.id] = (person, bool(restricted))
        return casus

    def load_casus_record(self, casus_id: uuid.UUID) -> CasusRecord:
        """The casus page's read of a casus visible to this tenant (else NotFound): the
        plain columns of :class:`CasusRecord`, with its subject person and the rows of its
        policy resource, in one statement (:data:`CASUS_RECORD`, the statement of
        ``load_casus(subject=True)`` without the ORM entities). Executed on the session's
        connection, not through ``Session.execute``: a plain read of ``casussen`` needs none
        of the session's ORM execution (its events only act on writes and on reads of
        ``audit_log``), which cost ~0.1 ms of CPU per request (issue 14). The session's
        transaction takes the connection as for any statement (its tenant set first);
        pending changes are flushed first, as :meth:`read` does. Not kept in the memo of
        ORM casussen (:meth:`load_casus` still loads one); its relations are."""
        if self.session.autoflush and _pending_changes(self.session):
            self.session.flush()
        params = {"casus_id": casus_id, **self._grant_params()}
        row = self.session.connection().execute(CASUS_RECORD, params).first()
        if row is None:
            raise NotFound(str(casus_id))
        casus, relations = casus_record_of(row)
        if self._memo_valid():
            self._relations[casus.id] = relations
        # Whom the audit row of a decision on it is about (as for a loaded ORM casus).
        self.enforcer.know_subject(casus.id, casus.subject_person_id)
        return casus

    def load_casussen(self, keys: Sequence[tuple[str, uuid.UUID]]) -> list[Casus]:
        """The casussen with ``keys`` (tenant, id) that this tenant may see (own rows, or
        shared by RLS), in the order of ``keys``, each with the rows of its policy resource
        (:meth:`resources` reads nothing more for them): one statement for those this
        transaction has not loaded yet (:data:`CASUSSEN_WITH_RELATIONS_OF_KEYS`), none when
        it loaded them all."""
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, uuid.UUID], Casus] = {}
        if self._memo_valid():
            for tenant, casus_id in wanted:
                known = self._casussen.get(casus_id)
                if known is not None and known.tenant_id == tenant and casus_id in self._relations:
                    found[(tenant, casus_id)] = known
        missing = [key for key in wanted if key not in found]
        if missing:
            params = {
                "tenants": [t for t, _ in missing],
                "ids": [i for _, i in missing],
                **self._grant_params(),
            }
            rows = self.read(CASUSSEN_WITH_RELATIONS_OF_KEYS, params).all()
            valid = self._memo_valid()
            for row in rows:
                casus: Casus = row[0]
                found[(casus.tenant_id, casus.id)] = casus
                if valid:
                    self._casussen[casus.id] = casus
                    self._relations[casus.id] = relations_of(row, 1)
        return [found[key] for key in wanted if key in found]

    def known_subject(self, casus: Casus) -> tuple[Person | None, bool] | None:
        """The subject person of ``casus`` (None: none visible) and whether they are under an
        active restriction, when :meth:`load_casus` read them in this transaction and
        nothing changed since; else None."""
        return self._subjects.get(casus.id) if self._memo_valid() else None

    def read(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Result[*tuple[Any, ...]]:
        """Execute a read. Pending changes are flushed first, as autoflush would (unless the
        caller turned autoflush off). The decisions' audit rows are not among them: the
        enforcer keeps them outside the session until the COMMIT (ADR 0018, amended)."""
        if self.session.autoflush and _pending_changes(self.session):
            self.session.flush()
        return self.session.execute(statement, params, execution_options=_NO_AUTOFLUSH)

    def _grant_params(self) -> dict[str, Any]:
        return {"grant_user": self.principal.user_id, "grant_now": self.enforcer.now}

    def context(
        self, purpose: str | None, extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The policy context for ``purpose``. An unknown purpose is bad input (422), refused
        before anything is evaluated."""
        if purpose and purpose not in PURPOSES:
            raise DomainValidationError(
                [
                    FieldProblem(
                        "doel", f"Onbekend doel '{purpose[:40]}'; kies uit {', '.join(PURPOSES)}."
                    )
                ]
            )
        return self.enforcer.context(purpose, extra)

    @contextmanager
    def attempt(self) -> Iterator[Workspace]:
        """A part of the request that may fail without failing the request (a web form whose
        problems are shown on the page again, a refused page shown as a friendly page): on an
        exception everything it did is rolled back to a savepoint (no partial writes), the
        audit rows of its refused attempts are kept, a stale row is a
        :class:`VersionMismatch`, and the exception goes on to the caller, whose own page
        then runs in the same transaction."""
        refused_before = len(self.enforcer.denied)
        savepoint = self.session.begin_nested()
        try:
            yield self
            savepoint.commit()
        except BaseException as error:
            if savepoint.is_active or self.session.get_nested_transaction() is savepoint:
                savepoint.rollback()  # also after a failed flush (the savepoint is deactivated)
            self._forget()  # what was read inside the savepoint may have been rolled back
            refused = self.enforcer.denied[refused_before:]
            if isinstance(error, (AccessDenied, PolicyEngineUnavailable)) and refused:
                self.enforcer.rewrite(refused)  # the rollback dropped the part's audit rows
            if isinstance(error, StaleDataError):
                raise VersionMismatch(None) from None
            raise

    @contextmanager
    def changing(
        self, row: Versioned, expected_version: int | None, *, required: bool = True
    ) -> Iterator[None]:
        """One change of ``row`` under optimistic concurrency, after it was loaded and the
        policy allowed it: the client's If-Match must name the current version (428 without,
        412 when stale); after the change the row is touched — its UPDATE moves
        ``version_id_col`` on — and flushed, so the answer names the new version.

        With ``required=False`` a missing If-Match is accepted (the routes that took none
        before ETags came); one that is given must still be current."""
        if required or expected_version is not None:
            check_version(row.version, expected_version)
        yield
        self.touch(row)
        self.session.flush()

    def touch(self, row: Versioned) -> None:
        """Record that ``row`` changed (also when only rows that belong to it did): its
        UPDATE bumps the version (``version_id_col``), which is the ETag clients send back."""
        row.updated_at = self.enforcer.now

    def purpose_for(self, casus: Casus | CasusRecord, requested: str | None) -> str:
        if requested:
            return requested
        return PURPOSE_BY_PHASE.get(lifecycle.phase_of(casus.kind, casus.state), "uitvoering")

    def participants(self, casus: Casus | CasusRecord) -> list[ParticipantRow]:
        """The active participants of a casus, first invited first (read with its policy
        resource when that was built in this transaction)."""
        return list(self._relations_of([casus])[casus.id].participants)

    def active_roles(self, casus: Casus | CasusRecord) -> list[RoleRow]:
        """The roles of a casus that have not ended, first started first (read with its
        policy resource when that was built in this transaction). Read-only rows: a change
        goes through :meth:`role_holders`."""
        return list(self._relations_of([casus])[casus.id].roles)

    def role_holders(self, casus: Casus, role: str) -> list[CasusRole]:
        """The active ``role`` rows of a casus as ORM objects, to end them."""
        return list(
            self.session.scalars(
                sa.select(CasusRole)
                .where(
                    CasusRole.tenant_id == casus.tenant_id,
                    CasusRole.casus_id == casus.id,
                    CasusRole.role == role,
                    CasusRole.ended_at.is_(None),
                )
                .order_by(CasusRole.started_at, CasusRole.id)
            )
        )

    def resource(
        self, casus: Casus | CasusRecord, resource_type: str = "casus", **extra: Any
    ) -> dict[str, Any]:
        """The policy resource of a casus (docs/policy.md), plus item-specific fields."""
        resource = self.resources([casus], resource_type)[0]
        resource.update(extra)
        return resource

    def resources(
        self, casussen: Sequence[Casus | CasusRecord], resource_type: str = "casus"
    ) -> list[dict[str, Any]]:
        """Policy resources for a page of casussen: one query, whatever the page size, and
        none for casussen whose rows this transaction read already (and did not change)."""
        if not casussen:
            return []
        relations = self._relations_of(casussen)
        return [_policy_resource(casus, resource_type, relations[casus.id]) for casus in casussen]

    def _relations_of(self, casussen: Sequence[Casus | CasusRecord]) -> dict[uuid.UUID, Relations]:
        """The relations of ``casussen``: from the memo when this transaction read them all
        (and changed none of them), else in one statement (:data:`RELATIONS_OF_KEYS`); each
        lookup is qualified by the casus's own tenant (the indexes lead with it, and
        row-level security alone does not let PostgreSQL use them; issue 14)."""
        if self._memo_valid() and all(c.id in self._relations for c in casussen):
            return {c.id: self._relations[c.id] for c in casussen}
        if len(casussen) == 1:
            (casus,) = casussen
            params = {"tenant": casus.tenant_id, "casus_id": casus.id, **self._grant_params()}
            found = {casus.id: relations_of(self.read(RELATIONS_OF_ONE, params).one(), 0)}
        else:
            params = {
                "tenants": [c.tenant_id for c in casussen],
                "ids": [c.id for c in casussen],
                **self._grant_params(),
            }
            found = {row[1]: relations_of(row, 2) for row in self.read(RELATIONS_OF_KEYS, params)}
        if self._memo_valid():
            self._relations.update(found)
        return found

    @cached_property
    def list_scope(self) -> ListScope:
        """Which relations open a casus to this subject, as the policy says (see ListScope);
        kept per subject and policy revision across requests (issue 14)."""
        return cached_list_scope(self.enforcer.engine, self.principal)

    def event(self, casus: Casus, kind: str, summary: str) -> None:
        """Record what happened (Dutch, without person data) for timelines and meetings,
        and put it in the transactional outbox (notifications; see services/outbox)."""
        self.session.add(
            CasusEvent(
                tenant_id=casus.tenant_id,
                casus_id=casus.id,
                kind=kind,
                summary=summary,
                actor_user_id=self.principal.user_id,
                at=self.enforcer.now,
            )
        )
        record_event(
            self.session,
            tenant_id=casus.tenant_id,
            casus_id=casus.id,
            kind=kind,
            summary=summary,
            actor_user_id=self.principal.user_id,
            at=self.enforcer.now,
        )


#: A fixed instant for the hypothetical scope questions: they involve no time-bound grant,
#: and a fixed value lets the decision cache answer them across requests.
_SCOPE_NOW = "2000-01-01T00:00:00Z"
#: A tenant code no manifest can have (valid syntax), for "a casus of another tenant".
_OTHER_TENANT = "GM0000"


@dataclass(frozen=True)
class ListScope:
    """Which relations to a casus let this subject list it, per casus kind.

    The SQL pre-filter of the lists is derived from the policy itself, not from role lists
    copied into Python: the subject's own policy decisions on hypothetical casussen (own
    tenant without any relation; with their organisation participating; with them as
    regisseur; as uitvoeringscoördinator; shared with their tenant) say which relations
    count. ``tests/policy/test_prefilter_property.py`` checks the result against the
    per-casus decisions.
    """

    tenant_wide: frozenset[str]
    #: The kinds the subject sees in full without any relation (the gemeente's pga-expert).
    tenant_wide_full: frozenset[str]
    participation: frozenset[str]
    regie: frozenset[str]
    coordinator: frozenset[str]
    shared: frozenset[str]


_SCOPES: OrderedDict[tuple[str, str, str], ListScope] = OrderedDict()
_SCOPES_MAX = 4096
_SCOPES_LOCK = threading.Lock()


def cached_list_scope(engine: PolicyEngine, principal: Principal) -> ListScope:
    """:func:`list_scope`, precomputed once per (policy and data revision, subject): the
    answer depends on nothing else, so a new revision or another role set asks again."""
    key = (engine.policy_revision, engine.data_revision, canonical_json(principal.policy_subject()))
    with _SCOPES_LOCK:
        scope = _SCOPES.get(key)
        if scope is not None:
            _SCOPES.move_to_end(key)
            return scope
    scope = list_scope(engine, principal)
    with _SCOPES_LOCK:
        _SCOPES[key] = scope
        while len(_SCOPES) > _SCOPES_MAX:
            _SCOPES.popitem(last=False)
    return scope


def list_scope(engine: PolicyEngine, principal: Principal) -> ListScope:
    subject = principal.policy_subject()
    me_org = ref(principal.tenant, principal.organisation)
    me = ref(principal.tenant, principal.user_id)
    kinds = ("persoon", "groep")
    relations: dict[str, dict[str, Any]] = {
        "tenant_wide": {},
        "participation": {"participants": [me_org]},
        "regie": {"regisseurs": [me]},
        "coordinator": {"uitvoeringscoordinator": me},
        "shared": {"tenant": _OTHER_TENANT, "shared_with_tenants": [principal.tenant]},
    }
    probes: list[tuple[str, str]] = []
    resources: list[dict[str, Any]] = []
    for name, extra in relations.items():
        for kind in kinds:
            if name == "coordinator" and kind != "groep":
                continue
            probes.append((name, kind))
            resource: dict[str, Any] = {
                "type": "casus",
                "tenant": principal.tenant,
                "casus_id": "hypothetisch",
                "casus_kind": kind,
                "phase": "uitvoering",
                "contains_person_identifiers": True,
                **extra,
            }
            if kind == "groep":
                resource["group_step"] = 6
                resource.setdefault("uitvoeringscoordinator", ref(principal.tenant, "-"))
            resources.append(resource)
    decisions = engine.decide_many(
        subject, "list", {"purpose": "uitvoering", "now": _SCOPE_NOW}, resources
    )
    allowed: dict[str, set[str]] = defaultdict(set)
    full: set[str] = set()
    for (name, kind), decision in zip(probes, decisions, strict=True):
        if decision.allow:
            allowed[name].add(kind)
            if name == "tenant_wide" and decision.view == "full":
                full.add(kind)
    return ListScope(
        tenant_wide_full=frozenset(full),
        **{name: frozenset(allowed[name]) for name in relations},
    )


def _pending_changes(session: Session) -> bool:
    """Whether the session holds new, changed or deleted rows, audit rows included.

    (Pending ``AuditEntry`` objects used to be exempt, when the enforcer added one per
    decision. It keeps its rows outside the session now (ADR 0018, amended) and writes them
    with a Core INSERT, exempt in ``_on_execute``; only the administrative writer
    (services/platform/authz/audit.py) still adds such objects, and it flushes each at once
    between statements that set the tenant, which empty the memo anyway.)"""
    return bool(session.new or session.dirty or session.deleted)


def _is_audit_insert(statement: Any) -> bool:
    table = getattr(statement, "table", None)
    return bool(getattr(statement, "is_insert", False)) and getattr(table, "name", None) == (
        AuditEntry.__tablename__
    )


def ref(tenant: str, identifier: str) -> dict[str, str]:
    """A tenant-qualified reference to a user or organisation (ids are unique per tenant)."""
    return {"tenant": tenant, "id": identifier}


def _group_step(casus: Casus | CasusRecord) -> int:
    """The step of a group casus; a closed or archived group is past step 7 (evaluated)."""
    return lifecycle.group_step(casus.state) or 7


def _policy_resource(
    casus: Casus | CasusRecord, resource_type: str, relations: Relations
) -> dict[str, Any]:
    """Every attribute a rule depends on, computed here from the rows (never from input)."""
    tenant = casus.tenant_id
    roles = relations.roles
    coordinator = next((r.user_id for r in roles if r.role == "uitvoeringscoordinator"), None)
    regisseurs = sorted({r.user_id for r in roles if r.role in REGIE_ROLES})
    resource: dict[str, Any] = {
        "type": resource_type,
        "tenant": tenant,
        "casus_id": str(casus.id),
        "casus_kind": casus.kind,
        "phase": lifecycle.phase_of(casus.kind, casus.state),
        "participants": [ref(tenant, org) for org in sorted(relations.organisations)],
        "regisseurs": [ref(tenant, user) for user in regisseurs],
        "shared_with_tenants": sorted(relations.shares),
    }
    if coordinator is not None:
        resource["uitvoeringscoordinator"] = ref(tenant, coordinator)
    if casus.kind == "groep":
        step = _group_step(casus)
        resource["group_step"] = step
        # The group casus itself (name, step, signals) is group-level; from step 2 on its
        # namenlijst, plan, assessments and meetings hold persons.
        resource["contains_person_identifiers"] = resource_type in PERSON_TYPES or (
            resource_type != "casus" and step >= 2
        )
    else:
        resource["contains_person_identifiers"] = True
    grant = relations.grant
    if grant is not None:
        resource["urgent_access"] = {
            "reason": grant.reason,
            "expires_at": grant.expires_at,
            "user": ref(tenant, grant.user_id),
        }
    return resource


def check_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency for updates: If-Match must name the current version."""
    if expected is None:
        raise VersionRequired
    if expected != current:
        raise VersionMismatch(current)


_WORKSPACES = "regietafel.workspaces"


def _workspaces(session: Session) -> list[Workspace]:
    workspaces: list[Workspace] = session.info.get(_WORKSPACES, [])
    return workspaces


def detach_workspaces(session: Session) -> None:
    """Forget the workspaces of ``session`` (its owner has closed it for good), as
    :func:`services.platform.authz.enforce.detach_enforcers` forgets its enforcers: the
    session's ``info`` and a workspace refer to each other, a cycle that would otherwise
    wait for the cyclic garbage collector (issue 14)."""
    session.info.pop(_WORKSPACES, None)


@sa.event.listens_for(Session, "after_flush")
def _on_flush(session: Session, context: Any) -> None:
    for ws in _workspaces(session):
        ws._after_flush(session, context)


@sa.event.listens_for(Session, "do_orm_execute")
def _on_orm_execute(state: Any) -> None:
    for ws in _workspaces(state.session):
        ws._on_execute(state)
