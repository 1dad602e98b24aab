"""Asking the policy engine, applying its answer and auditing it, in one place.

Every service method that touches tenant data goes through :class:`Enforcer`: it builds the
policy input, gets the decision, writes the audit row (with the decision record: decision
id, policy and data revision, the input with person data masked) in the *same* transaction,
and raises :class:`AccessDenied` when the answer is no. A denied attempt is audited too: the
unit of work commits the audit row before the 403 leaves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.platform.authz.register import activity_code, legal_basis_for
from services.platform.authz.subjects import SubjectSealer
from services.platform.db.models import AuditEntry, Casus
from services.platform.db.unit_of_work import SET_TENANT
from services.platform.identity.principal import Principal
from services.platform.logging import current_trace, new_span_id, request_id_var
from services.platform.policy import (
    Decision,
    DecisionRecord,
    PolicyEngine,
    PolicyEngineUnavailable,
    make_decision_record,
)
from services.platform.policy.cache import decide_inputs
from services.platform.policy.input import build_input, build_inputs, rfc3339
from tenants.reference import PURPOSES

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
            policy_input = build_input(self.principal.policy_subject(), action, context, resource)
            decision = self.engine.decide(policy_input)
        except Exception as error:
            self._audit_failure(action, context, target, error)
            raise _unavailable(error) from error
        record = make_decision_record(self.engine, policy_input, decision)
        self._audit(action, context, target, decision.allow, decision, record)
        owner = resource.get("tenant")
        if decision.allow and isinstance(owner, str) and owner != self.principal.tenant:
            self._audit_for_owner(owner, action, context, target, decision, record)
        if raise_on_deny and not decision.allow:
            raise AccessDenied(decision, action)
        return decision

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
        for policy_input, target, decision in zip(inputs, targets, decisions, strict=True):
            # One record per resource: its own input, not the whole page on every row.
            record = make_decision_record(self.engine, policy_input, decision)
            self._audit(action, context, target, decision.allow, decision, record)
        return decisions

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
        trace = current_trace()
        purpose = context.get("purpose")
        subject = self.subjects.columns(tenant, self._subject(target)) if self.subjects else {}
        return {
            "tenant_id": tenant,
            "user_id": self.principal.user_id,
            "organisation_id": self.principal.organisation,
            "roles": sorted(self.principal.roles),
            "action": action,
            "resource_type": target.resource_type,
            "resource_id": target.resource_id,
            "casus_id": target.casus_id,
            "purpose": context.get("purpose"),
            "legal_basis": context.get("legal_basis"),
            "request_id": request_id_var.get(),
            "trace_id": trace.trace_id,
            "span_id": new_span_id(),
            "parent_span_id": trace.span_id,
            "processing_activity": activity_code(purpose if isinstance(purpose, str) else None),
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
        self.session.add(AuditEntry(**entry))
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
        record of who read it. Written under the owner's tenant inside this transaction,
        then the transaction is bound to the caller's tenant again."""
        self.session.flush()
        self.session.execute(SET_TENANT, {"tenant": owner})
        try:
            self._audit(action, context, target, True, decision, record, tenant_id=owner)
            self.session.flush()
        finally:
            self.session.execute(SET_TENANT, {"tenant": self.principal.tenant})
