"""Asking the policy engine, applying its answer and auditing it, in one place.

Every service method that touches tenant data goes through :class:`Enforcer`: it builds the
policy input, gets the decision, records the audit row (with the decision record: decision
id, policy and data revision, the input with person data masked) in the *same* transaction,
and raises :class:`AccessDenied` when the answer is no. A denied attempt is audited too: the
unit of work commits the audit row before the 403 leaves.

The rows of a transaction are kept in the enforcer and written at its end, right before the
COMMIT, in one INSERT (per tenant; issue 14): the chain trigger's per-tenant lock (ADR 0018)
is then held for that INSERT and the COMMIT only, not for the rest of the request. They are
kept exactly as ORM objects added to the session were: a savepoint rolled back drops the rows
recorded inside it, a rollback of the transaction drops them all, and a read of ``audit_log``
in the transaction writes them first (autoflush did).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from services.platform.authz.register import activity_code, legal_basis_for
from services.platform.authz.subjects import SubjectSealer
from services.platform.db.models import AuditEntry, Casus
from services.platform.db.unit_of_work import SET_TENANT, driver_sql
from services.platform.identity.principal import Principal
from services.platform.logging import current_trace, new_span_id, request_id_var
from services.platform.policy import (
    Decision,
    DecisionRecord,
    PolicyEngine,
    PolicyEngineUnavailable,
    make_decision_record,
    make_decision_records,
)
from services.platform.policy.cache import decide_inputs
from services.platform.policy.decision_log import make_decision_record_on, mask_for_log
from services.platform.policy.input import (
    CanonicalInput,
    build_input,
    build_inputs,
    input_doc,
    resource_doc,
    rfc3339,
)
from tenants.reference import PURPOSES

log = logging.getLogger(__name__)

#: Reason code on the audit row of an attempt the engine could not decide (fail closed).
ENGINE_FAILURE = "beleid-niet-beschikbaar"


def _unavailable(error: Exception) -> PolicyEngineUnavailable:
    if isinstance(error, PolicyEngineUnavailable):
        return error
    return PolicyEngineUnavailable(f"policy decision failed: {type(error).__name__}")


#: Audit reason of an attempt the engine could not decide (the request fails closed, 503).
UNAVAILABLE = "beleid-niet-beschikbaar"


class AccessDenied(Exception):
    """The policy said no. Carries the decision so the caller can explain why."""

    def __init__(self, decision: Decision, action: str) -> None:
        super().__init__(f"{action} denied: {sorted(decision.codes)}")
        self.decision = decision
        self.action = action


@dataclass(frozen=True)
class Target:
    """What is being accessed, for the audit row."""

    resource_type: str
    resource_id: str | None = None
    casus_id: uuid.UUID | None = None


@dataclass
class Enforcer:
    session: Session
    principal: Principal
    engine: PolicyEngine
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    #: Audit rows of denied decisions, to be written again after a rollback (see
    #: services/casework/unit_of_work.py): a denied attempt is always on record.
    denied: list[dict[str, Any]] = field(default_factory=list)
    #: Seals the data subject of each row (None: rows name no data subject).
    subjects: SubjectSealer | None = None
    _subject_of: dict[uuid.UUID, uuid.UUID | None] = field(
        default_factory=dict, init=False, repr=False
    )
    #: The audit rows recorded in this transaction, in order; the first ``_written`` of them
    #: are in the database (see :meth:`write_audit`).
    _rows: list[dict[str, Any]] = field(default_factory=list, init=False, repr=False)
    _written: int = field(default=0, init=False, repr=False)
    #: Per open savepoint: ``(len(_rows), _written)`` when it began.
    _savepoints: dict[SessionTransaction, tuple[int, int]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: Per action and context of :meth:`decide`: the validated head of the input (subject,
    #: action, context) and its masked form, worked out once per enforcer (issue 14: the
    #: sections of a page each decide under the same subject and context).
    _heads: dict[tuple[str, tuple[tuple[str, Any], ...]], tuple[dict[str, Any], dict[str, Any]]] = (
        field(default_factory=dict, init=False, repr=False)
    )

    def __post_init__(self) -> None:
        # The session's events reach the enforcer through the listeners on the Session class
        # at the end of this module (listeners on each session cost ~25 µs apiece). A strong
        # reference: the session keeps its recorded rows as it kept pending ORM objects.
        # Its owner breaks this cycle when it closes the session (:func:`detach_enforcers`).
        self.session.info.setdefault(_ENFORCERS, []).append(self)

    # -- the audit rows of the transaction --------------------------------------------------

    @property
    def recorded(self) -> tuple[Mapping[str, Any], ...]:
        """The audit rows recorded in this transaction (written or not), in order."""
        return tuple(self._rows)

    @property
    def unwritten(self) -> int:
        """How many recorded audit rows are not in the database yet."""
        return len(self._rows) - self._written

    def write_audit(self) -> None:
        """Write the recorded rows not written yet: one INSERT per tenant (as a rule one),
        tenants in code order (two transactions that write rows for the same two tenants
        take the chain locks in the same order). Pending ORM changes are flushed first."""
        if not self.unwritten:
            return
        rows, before = self._rows[self._written :], self._written
        self._written = len(self._rows)  # the INSERT itself must not write them again
        try:
            insert_audit_rows(self.session, rows, self.principal.tenant)
        except BaseException:
            self._written = before
            raise

    def mark(self) -> int:
        """How many audit rows are recorded now (for :meth:`forget_since`)."""
        return len(self._rows)

    def forget_since(self, mark: int) -> None:
        """Drop the rows recorded since :meth:`mark` gave ``mark``, as rolling back a
        savepoint taken then drops them, for a part of a page that only read (none of those
        rows was written: a part that writes takes a savepoint)."""
        if self._written > mark:
            raise RuntimeError("audit rows recorded since the mark were written already")
        del self._rows[mark:]

    def rewrite(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Record again the rows of refused attempts (``denied``) whose transaction or
        savepoint was rolled back: a refusal is always on record."""
        self._rows.extend(dict(entry) for entry in entries)

    def _on_begin(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            self._savepoints[transaction] = (len(self._rows), self._written)

    def _on_rollback(self, session: Session) -> None:
        """The database rolled back the innermost savepoint, or the whole transaction: the
        rows recorded since are gone, and rows written since must be written again, as
        pending ORM objects were expunged and flushed ones undone."""
        savepoint = session.get_nested_transaction()
        mark = self._savepoints.get(savepoint) if savepoint is not None else None
        if mark is None:
            self._rows.clear()
            self._written = 0
            return
        recorded, written = mark
        del self._rows[recorded:]
        self._written = min(self._written, written)

    def _on_end(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            self._savepoints.pop(transaction, None)
        elif transaction.parent is None:  # committed (written) or rolled back (dropped)
            self._rows.clear()
            self._written = 0

    def _on_commit(self, session: Session) -> None:
        # Fired for a savepoint's release too: its rows wait for the transaction's commit.
        if session.get_nested_transaction() is None:
            self.write_audit()

    def _after_commit(self, session: Session) -> None:
        if session.get_nested_transaction() is None and self.unwritten:  # pragma: no cover
            # Only a commit with a savepoint still open skips before_commit's write.
            log.error("%d audit rows were not written before a commit", self.unwritten)

    def _on_execute(self, state: ORMExecuteState) -> None:
        if self.unwritten and state.is_select and _selects_from_audit_log(state.statement):
            self.write_audit()  # a read of the log sees this transaction's rows, as before

    def context(
        self, purpose: str | None, extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The policy context. The caller has checked the purpose (an unknown one is the
        user's bad input, 422: :meth:`services.casework.workspace.Workspace.context`); one
        that still reaches this point is a programming error and fails closed."""
        ctx: dict[str, Any] = {"now": rfc3339(self.now)}
        if purpose:
            if purpose not in PURPOSES:
                raise ValueError(f"unknown purpose {purpose[:40]!r}")
            ctx["purpose"] = purpose
        ctx.update({k: v for k, v in (extra or {}).items() if v is not None})
        return ctx

    def decide(
        self,
        action: str,
        resource: Mapping[str, Any],
        context: Mapping[str, Any],
        target: Target,
        *,
        raise_on_deny: bool = True,
    ) -> Decision:
        try:
            policy_input, masked_head = self._input(action, context, resource)
            decision = self.engine.decide(policy_input)
        except Exception as error:
            self._audit_failure(action, context, target, error)
            raise _unavailable(error) from error
        record = (
            make_decision_record(self.engine, policy_input, decision)
            if masked_head is None
            else make_decision_record_on(self.engine, policy_input, masked_head, decision)
        )
        self._audit(action, context, target, decision.allow, decision, record)
        owner = resource.get("tenant")
        if decision.allow and isinstance(owner, str) and owner != self.principal.tenant:
            self._audit_for_owner(owner, action, context, target, decision, record)
        if raise_on_deny and not decision.allow:
            raise AccessDenied(decision, action)
        return decision

    def _input(
        self, action: str, context: Mapping[str, Any], resource: Mapping[str, Any] | None
    ) -> tuple[CanonicalInput, dict[str, Any] | None]:
        """``build_input(subject, action, context, resource)`` and the masked head of the
        input (None: not known), with the head validated and masked once per action and
        context (as :func:`build_inputs` does for a page). Anything out of the ordinary (a
        context that is no key, an invalid input) takes the plain way, which raises as before.
        """
        subject = self.principal.policy_subject()
        try:
            key = (action, tuple(sorted(context.items())))
            head = self._heads.get(key)
            if head is None:
                doc = input_doc({"subject": subject, "action": action, "context": dict(context)})
                head = self._heads[key] = (doc, mask_for_log(doc))
            doc, masked = head
            if resource is None:
                return CanonicalInput(doc), masked
            return CanonicalInput({**doc, "resource": resource_doc(resource)}), masked
        except Exception:  # noqa: BLE001 - the plain way decides (and raises) as before
            return build_input(subject, action, context, resource), None

    def decide_page(
        self,
        action: str,
        resources: Sequence[Mapping[str, Any]],
        context: Mapping[str, Any],
        targets: Sequence[Target],
    ) -> list[Decision]:
        """One engine query for a page; one audit row (and decision record) per resource.

        The inputs are validated once (``build_inputs``) and serve both the engine and the
        decision records; the page's audit rows go to the database in one INSERT."""
        if not resources:
            return []
        self._load_subjects(t.casus_id for t in targets)
        subject = self.principal.policy_subject()
        try:
            inputs = build_inputs(subject, action, context, list(resources))
            decisions = decide_inputs(self.engine, inputs)
        except Exception as error:
            for target in targets:
                self._audit_failure(action, context, target, error)
            raise _unavailable(error) from error
        # One record per resource: its own input, not the whole page on every row (the
        # shared subject and context masked once for the page).
        records = make_decision_records(self.engine, inputs, decisions)
        self._audit_page(action, context, targets, decisions, records)
        return decisions

    def _audit_page(
        self,
        action: str,
        context: Mapping[str, Any],
        targets: Sequence[Target],
        decisions: Sequence[Decision],
        records: Sequence[DecisionRecord],
    ) -> None:
        """The rows :meth:`_audit` records for each decision of a page, equal to them
        (tests/integration/test_audit_page_rows.py), built with what the rows share worked
        out once: who, the purpose, the trace, and per decision object (the decision cache
        answers equal resources with the same one) its status, legal basis and reasons."""
        entry = self._entry_common(action, context, self.principal.tenant)
        claimed = context.get("legal_basis")
        claimed_basis = claimed if isinstance(claimed, str) else None
        # Per decision object, kept with it (so its id is not reused meanwhile).
        by_decision: dict[int, tuple[Decision, dict[str, Any]]] = {}
        for target, decision, record in zip(targets, decisions, records, strict=True):
            known = by_decision.get(id(decision))
            if known is None:
                allowed = decision.allow
                known = by_decision[id(decision)] = (
                    decision,
                    {
                        "allowed": allowed,
                        "status": "ok" if allowed else "unset",
                        "legal_basis": legal_basis_for(
                            allowed,
                            {reason.code for reason in decision.allowed_by},
                            claimed_basis,
                            entry["processing_activity"],
                        ),
                        "reasons": sorted(decision.codes),
                    },
                )
            outcome = known[1]
            self._write(
                entry
                | self._entry_target(target, self.principal.tenant)
                | outcome
                | {
                    "roles": list(entry["roles"]),
                    "reasons": list(outcome["reasons"]),
                    "decision_id": record.decision_id,
                    "policy_revision": record.policy_revision,
                    "data_revision": record.data_revision,
                    "decision_input": dict(record.masked_input),
                }
            )

    def decide_count(
        self,
        action: str,
        resources: Sequence[Mapping[str, Any]],
        weights: Sequence[int],
        context: Mapping[str, Any],
        resource_type: str,
    ) -> list[Decision]:
        """Decisions for a *count* (ADR 0026): ``resources`` are representatives, one per
        group of rows with the same decision projection, ``weights`` how many rows each
        stands for. Every representative is decided by the engine as a page is; the count
        shows nothing of a person, so one aggregate audit row records the decisions (per
        group: allowed or not, reasons, how many rows) instead of one row per counted row."""
        if not resources:
            return []
        subject = self.principal.policy_subject()
        target = Target(resource_type)
        try:
            inputs = build_inputs(subject, action, context, list(resources))
            decisions = decide_inputs(self.engine, inputs)
        except Exception as error:
            self._audit_failure(action, context, target, error)
            raise _unavailable(error) from error
        groups: list[dict[str, Any]] = [
            {"toegestaan": d.allow, "redenen": sorted(d.codes), "aantal": int(w)}
            for d, w in zip(decisions, weights, strict=True)
        ]
        counted = sum(w for d, w in zip(decisions, weights, strict=True) if d.allow)
        codes = {reason.code for d in decisions if d.allow for reason in d.allowed_by}
        entry = self._entry(action, context, target)
        claimed = context.get("legal_basis")
        self._write(
            entry
            | {
                "allowed": True,
                "status": "ok",
                "legal_basis": legal_basis_for(
                    True,
                    codes,
                    claimed if isinstance(claimed, str) else None,
                    entry["processing_activity"],
                ),
                "decision_id": uuid.uuid4(),
                "policy_revision": self.engine.policy_revision,
                "data_revision": self.engine.data_revision,
                "reasons": sorted({code for d in decisions for code in d.codes}),
                "decision_input": {
                    "aantal": counted,
                    "groepen": groups,
                },
            }
        )
        return decisions

    def _audit(
        self,
        action: str,
        context: Mapping[str, Any],
        target: Target,
        allowed: bool,
        decision: Decision,
        record: DecisionRecord,
        *,
        tenant_id: str | None = None,
    ) -> None:
        entry = self._entry(action, context, target, tenant_id=tenant_id)
        claimed = context.get("legal_basis")
        self._write(
            entry
            | {
                "allowed": allowed,
                "status": "ok" if allowed else "unset",
                "legal_basis": legal_basis_for(
                    allowed,
                    {reason.code for reason in decision.allowed_by},
                    claimed if isinstance(claimed, str) else None,
                    entry["processing_activity"],
                ),
                "decision_id": record.decision_id,
                "policy_revision": record.policy_revision,
                "data_revision": record.data_revision,
                "reasons": sorted(decision.codes),
                "decision_input": dict(record.masked_input),
            }
        )

    def _audit_failure(
        self, action: str, context: Mapping[str, Any], target: Target, error: Exception
    ) -> None:
        """No decision could be made (engine down, malformed answer, invalid input): the
        attempt is refused and on record like a denial (written after the rollback)."""
        self._write(
            self._entry(action, context, target)
            | {
                "allowed": False,
                "status": "error",
                "decision_id": uuid.uuid4(),
                "policy_revision": self.engine.policy_revision,
                "data_revision": self.engine.data_revision,
                "reasons": [ENGINE_FAILURE],
                "decision_input": {"fout": type(error).__name__},
            }
        )

    def _entry(
        self,
        action: str,
        context: Mapping[str, Any],
        target: Target,
        *,
        tenant_id: str | None = None,
    ) -> dict[str, Any]:
        """Who did what to which resource for which purpose, in which trace, about whom:
        every audit row's first half (docs/logboek-dataverwerkingen.md)."""
        tenant = tenant_id or self.principal.tenant
        return self._entry_common(action, context, tenant) | self._entry_target(target, tenant)

    def _entry_common(self, action: str, context: Mapping[str, Any], tenant: str) -> dict[str, Any]:
        """The part of :meth:`_entry` that is the same for every target of a request."""
        trace = current_trace()
        purpose = context.get("purpose")
        return {
            "tenant_id": tenant,
            "user_id": self.principal.user_id,
            "organisation_id": self.principal.organisation,
            "roles": sorted(self.principal.roles),
            "action": action,
            "purpose": purpose,
            "legal_basis": context.get("legal_basis"),
            "request_id": request_id_var.get(),
            "trace_id": trace.trace_id,
            "parent_span_id": trace.span_id,
            "processing_activity": activity_code(purpose if isinstance(purpose, str) else None),
        }

    def _entry_target(self, target: Target, tenant: str) -> dict[str, Any]:
        """The part of :meth:`_entry` of one target: the resource, the row's own span and
        the data subject."""
        subject = self.subjects.columns(tenant, self._subject(target)) if self.subjects else {}
        return {
            "resource_type": target.resource_type,
            "resource_id": target.resource_id,
            "casus_id": target.casus_id,
            "span_id": new_span_id(),
            **subject,
        }

    def _subject(self, target: Target) -> uuid.UUID | None:
        """The person a row is about: a group member by id, else the casus's subject."""
        if target.resource_type == "group_member" and target.resource_id:
            try:
                return uuid.UUID(target.resource_id)
            except ValueError:
                pass
        if target.casus_id is None:
            return None
        if target.casus_id not in self._subject_of:
            self._load_subjects([target.casus_id])
        return self._subject_of.get(target.casus_id)

    def know_subject(self, casus_id: uuid.UUID, person_id: uuid.UUID | None) -> None:
        """The subject of casus ``casus_id`` as this transaction read it (a casus read as a
        plain row, which :meth:`_load_subjects` does not find among the session's objects):
        its audit rows are about ``person_id`` without another query."""
        self._subject_of.setdefault(casus_id, person_id)

    def _load_subjects(self, casus_ids: Iterable[uuid.UUID | None]) -> None:
        wanted = {c for c in casus_ids if c is not None and c not in self._subject_of}
        if not wanted or self.subjects is None:
            return
        for pending in self.session.new:  # a casus made in this transaction, not yet flushed
            if isinstance(pending, Casus) and pending.id in wanted:
                self._subject_of[pending.id] = pending.subject_person_id
                wanted.discard(pending.id)
        # A casus this transaction loaded already (the one being decided on, as a rule): its
        # row says whom it is about (one query per decision before; issue 14).
        for known in list(self.session.identity_map.values()):
            if wanted and isinstance(known, Casus) and known.id in wanted:
                with self.session.no_autoflush:
                    self._subject_of[known.id] = known.subject_person_id
                wanted.discard(known.id)
        if not wanted:
            return
        with self.session.no_autoflush:
            rows = self.session.execute(
                sa.select(Casus.id, Casus.subject_person_id).where(Casus.id.in_(wanted))
            ).all()
        found = {row.id: row.subject_person_id for row in rows}
        for casus_id in wanted:
            self._subject_of[casus_id] = found.get(casus_id)

    def _write(self, entry: dict[str, Any]) -> None:
        self._rows.append(entry)
        if not entry["allowed"]:
            self.denied.append(entry)

    def _audit_for_owner(
        self,
        owner: str,
        action: str,
        context: Mapping[str, Any],
        target: Target,
        decision: Decision,
        record: DecisionRecord,
    ) -> None:
        """A casus shared across tenants (opschaling): the owning gemeente keeps its own
        record of who read it, written in this transaction under the owner's tenant
        (:func:`insert_audit_rows`)."""
        self._audit(action, context, target, True, decision, record, tenant_id=owner)


AUDIT_LOG = AuditEntry.metadata.tables[AuditEntry.__tablename__]
#: What an audit row holds for a column the enforcer leaves unset: the ORM model's defaults
#: (NULL where it has none). ``at`` is the database's (the transaction's start); the chain
#: trigger overwrites ``chain``, ``seq``, ``prev_hash`` and ``hash``.
_UNSET: dict[str, Any] = {
    **{column.name: None for column in AUDIT_LOG.columns if column.name not in ("at", "id")},
    "roles": [],
    "reasons": [],
    "decision_input": {},
    "seq": 0,
    "chain": 0,
    "status": "unset",
}


#: The columns an INSERT names (all but ``at``, the database's: the transaction's start).
_COLUMNS: tuple[str, ...] = tuple(c.name for c in AUDIT_LOG.columns if c.name != "at")
_UUID_COLUMNS: frozenset[str] = frozenset(
    c.name for c in AUDIT_LOG.columns if isinstance(c.type, sa.Uuid)
)
_BINARY_COLUMNS: frozenset[str] = frozenset(
    c.name for c in AUDIT_LOG.columns if isinstance(c.type, sa.LargeBinary)
)
#: The columns a row's JSON may leave to the INSERT's common part (``_INSERT``): all but the
#: row's id (the database's) and its decision record (split apart: :func:`_split_inputs`).
_SHARABLE: tuple[str, ...] = tuple(c for c in _COLUMNS if c not in ("id", "decision_input"))
_NAMES = ", ".join(_COLUMNS)
#: What the INSERT selects per column: ``id`` a fresh time-ordered (version 7) UUID from the
#: database (``public.uuid7()``, migration 0071: the time in ms, then random bits, so a
#: tenant's new rows go to the right-most leaf of the primary key ``(tenant_id, id)`` instead
#: of a random one; ADR 0018, amendment ``auditid``); ``decision_input`` the inputs' common
#: head joined to the row's own members (``:head`` NULL: the row's value as sent).
_SELECTED = ", ".join(
    "public.uuid7()"
    if name == "id"
    else "COALESCE(CAST(:head AS jsonb) || r.decision_input, r.decision_input)"
    if name == "decision_input"
    else f"r.{name}"
    for name in _COLUMNS
)
#: All rows of one INSERT in jsonb parameters (issue 14): a statement of many VALUES (1,450
#: parameters for a page of 50) was too long for psycopg's statement cache and was parsed
#: again on every request. This statement is short and always the same, its rows go in the
#: order given (``ORDER BY`` the ordinality: the chain follows it), and each value is
#: converted to its column's type by PostgreSQL as a bound parameter was (a too long text
#: fails the same way).
#:
#: What every row of the INSERT holds alike is sent once (ADR 0024, amendment 5): the columns
#: with one value in all rows as ``:common``, the base record whose values a row's JSON does
#: not name (``jsonb_populate_recordset``), and the members all the rows' decision records
#: share (subject, action, context) as ``:head``, joined to each row's own members (the
#: resource) with ``||``: jsonb keeps an object's keys in one order whatever the order they
#: came in, so the stored value, and the chain's hash of it, is that of the whole record. A
#: page of 50 was 97 KB of JSON for PostgreSQL to parse, nine tenths of each row's columns
#: and a third of its decision record the same in every row.
_INSERT = sa.text(
    f"INSERT INTO {AUDIT_LOG.name} ({_NAMES}) "
    f"SELECT {_SELECTED} FROM jsonb_populate_recordset("
    f"jsonb_populate_record(NULL::{AUDIT_LOG.name}, CAST(:common AS jsonb)), "
    "CAST(:rows AS jsonb)) WITH ORDINALITY AS r ORDER BY r.ordinality"
)
#: :data:`_INSERT` as the driver's SQL (:func:`driver_sql`), sent with ``exec_driver_sql`` so
#: that the INSERT every audited request ends with skips the ORM's execute and the
#: compilation of a ``text()`` (issue 14). The ORM's ``do_orm_execute`` hooks do not see it;
#: they exempted the audit INSERT anyway (it changes no row a memo holds).
_INSERT_SQL = driver_sql(_INSERT)


#: ``json.dumps`` without the spaces and the check for cycles (rows are trees of plain
#: values); the same JSON values, so the same jsonb.
_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def _json_value(name: str, value: Any) -> Any:
    """The value of column ``name`` as a JSON value: an id as text, bytes in PostgreSQL's
    hex form; the rest is JSON already (as it was for the ``decision_input`` parameter)."""
    if value is None:
        return None
    if name in _UUID_COLUMNS:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if name in _BINARY_COLUMNS:
        return "\\x" + bytes(value).hex()
    return value


def _same(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are the same JSON value: equal, and of the same types all the
    way down (``True == 1`` and ``1 == 1.0`` in Python, not in JSON)."""
    if a is b:
        return True
    cls = type(a)
    if cls is not type(b):
        return False
    if cls is list or cls is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if cls is dict:
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    return bool(a == b)


def _column(row: Mapping[str, Any], name: str) -> Any:
    """The value of column ``name`` in ``row`` (the model's default when it has none)."""
    return row[name] if name in row else _UNSET[name]


def _split_inputs(
    inputs: Sequence[Any],
) -> tuple[dict[str, Any] | None, list[Any]]:
    """The decision records of an INSERT's rows as ``(head, own)``: the members every record
    holds with the same value, and per row the record without them (``head || own`` is the
    record). ``(None, inputs)`` when a record is no object with text keys."""
    if not all(type(value) is dict for value in inputs):
        return None, list(inputs)
    first: dict[Any, Any] = inputs[0]
    if not all(type(key) is str for value in inputs for key in value):
        return None, list(inputs)
    head = {
        key: value
        for key, value in first.items()
        if all(key in other and _same(other[key], value) for other in inputs[1:])
    }
    own = [{key: value for key, value in record.items() if key not in head} for record in inputs]
    return head, own


def _json_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, str | None]:
    """The parameters of ``_INSERT`` for ``rows`` (audit rows, each column of ``_COLUMNS``
    but ``id`` given or left to its default in ``_UNSET``): ``common``, the columns that
    hold one value in every row; ``rows``, per row the other columns and its own members of
    the decision record; ``head``, the members the decision records share."""
    first, rest = rows[0], rows[1:]
    common: dict[str, Any] = {}
    varying: list[str] = []
    for name in _SHARABLE:
        value = first[name] if name in first else _UNSET[name]
        for row in rest:
            other = row[name] if name in row else _UNSET[name]
            if other is not value and not _same(other, value):
                varying.append(name)
                break
        else:
            common[name] = _json_value(name, value)
    head, own = _split_inputs([_column(row, "decision_input") for row in rows])
    out = [
        {name: _json_value(name, _column(row, name)) for name in varying} | {"decision_input": mine}
        for row, mine in zip(rows, own, strict=True)
    ]
    return {
        "common": _ENCODE(common),
        "rows": _ENCODE(out),
        "head": None if head is None else _ENCODE(head),
    }


def insert_audit_rows(session: Session, rows: Sequence[Mapping[str, Any]], tenant: str) -> None:
    """Insert ``rows`` in one INSERT per tenant (``_INSERT``), in the order given within a
    tenant and tenants in code order. Row-level security binds ``audit_log`` to the
    transaction's tenant: a row of another tenant than ``tenant`` (the transaction's) is
    written with that tenant set, and ``tenant`` is set again afterwards. Pending ORM changes
    are flushed first, under the transaction's tenant."""
    by_tenant: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_tenant.setdefault(row["tenant_id"], []).append(row)
    session.flush()
    switched = False
    for code in sorted(by_tenant):
        if code != tenant or switched:
            session.execute(SET_TENANT, {"tenant": code})
            switched = code != tenant
        # The connection of the session's transaction (taken now if nothing was read yet:
        # the tenant is set first, as for any statement).
        session.connection().exec_driver_sql(_INSERT_SQL, _json_rows(by_tenant[code]))
    if switched:
        session.execute(SET_TENANT, {"tenant": tenant})


def _selects_from_audit_log(statement: Any) -> bool:
    """Whether a SELECT's columns come from ``audit_log`` (``select(AuditEntry)``, as the
    toegangslog reads it). Only the columns clause is looked at: ``get_final_froms`` costs
    about a millisecond per statement."""
    froms = getattr(statement, "columns_clause_froms", ())
    # By type and name, not ``in``/``==``: a FROM such as a LATERAL or VALUES clause
    # overloads ``==`` into a SQL expression (which raised ArgumentError against a Table),
    # and ``select(AuditEntry)`` names an annotated copy of the table, not the table itself.
    return any(_is_audit_log(f) or _is_audit_log(getattr(f, "element", None)) for f in froms)


def _is_audit_log(clause: Any) -> bool:
    return (
        isinstance(clause, sa.TableClause)
        and clause.name == AUDIT_LOG.name
        and clause.schema == AUDIT_LOG.schema
    )


#: ``session.info`` key: the enforcers of the session.
_ENFORCERS = "regietafel.enforcers"


def _enforcers(session: Session) -> list[Enforcer]:
    enforcers: list[Enforcer] = session.info.get(_ENFORCERS, [])
    return enforcers


def detach_enforcers(session: Session) -> None:
    """Forget the enforcers of ``session`` (its owner has closed it for good): their events
    no longer reach them. An enforcer refers to its session and the session's ``info`` to
    the enforcer, a reference cycle; without this the pair, and all a request's workspace
    and unit of work hold, waited for the cyclic garbage collector instead of being freed
    by reference counting when the request ends (issue 14, ADR 0020 amendment ``cycles``)."""
    session.info.pop(_ENFORCERS, None)


@sa.event.listens_for(Session, "after_transaction_create")
def _on_begin(session: Session, transaction: SessionTransaction) -> None:
    for enforcer in _enforcers(session):
        enforcer._on_begin(session, transaction)


@sa.event.listens_for(Session, "after_rollback")
def _on_rollback(session: Session) -> None:
    for enforcer in _enforcers(session):
        enforcer._on_rollback(session)


@sa.event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    for enforcer in _enforcers(session):
        enforcer._on_end(session, transaction)


@sa.event.listens_for(Session, "before_commit")
def _on_commit(session: Session) -> None:
    for enforcer in _enforcers(session):
        enforcer._on_commit(session)


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for enforcer in _enforcers(session):
        enforcer._after_commit(session)


@sa.event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    for enforcer in _enforcers(state.session):
        enforcer._on_execute(state)
