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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.db.models import AuditEntry
from services.db.unit_of_work import SET_TENANT
from services.identity.principal import Principal
from services.logging import request_id_var
from services.policy import (
    Decision,
    DecisionRecord,
    PolicyEngine,
    PolicyEngineUnavailable,
    make_decision_record,
)
from services.policy.cache import decide_inputs
from services.policy.input import build_input, build_inputs, rfc3339
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

    def context(
        self, purpose: str | None, extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The policy context. A purpose must be a known code: an unknown one is bad input
        (422), refused before anything is evaluated."""
        ctx: dict[str, Any] = {"now": rfc3339(self.now)}
        if purpose:
            if purpose not in PURPOSES:
                raise DomainValidationError(
                    [
                        FieldProblem(
                            "doel",
                            f"Onbekend doel '{purpose[:40]}'; kies uit {', '.join(PURPOSES)}.",
                        )
                    ]
                )
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
        self._write(
            self._entry(action, context, target, tenant_id=tenant_id)
            | {
                "allowed": allowed,
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
        """Who did what to which resource for which purpose: every audit row's first half."""
        return {
            "tenant_id": tenant_id or self.principal.tenant,
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
        }

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
