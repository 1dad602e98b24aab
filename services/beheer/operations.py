"""Operations API: the dead letters of the background jobs (platform administrators).

A replay is an operator action: audited in the operator's (regional bureau's) log, refused
attempts included."""

from __future__ import annotations

import uuid
from typing import Any

import dramatiq
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from sqlalchemy.orm import Session, sessionmaker

from services.beheer.schemas import DodeBerichtenOut, OpnieuwVerstuurdOut
from services.platform.authz.audit import AuditRecord, append_audit
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.http.openapi import BY_ID, problem_responses
from services.platform.http.problems import standard_problem
from services.platform.identity.guards import principal_of, require_roles
from services.platform.outbox.dead_letters import list_dead_letters, replay

OPERATOR = require_roles("platformbeheerder", regio=True)


class OperationsController(Controller):
    path = "/api/v1/operatie"
    tags = ["operatie"]  # noqa: RUF012
    guards = [OPERATOR]  # noqa: RUF012

    @get(
        "/dead-letters",
        sync_to_thread=True,
        summary="Dode berichten (retries opgebruikt)",
        responses=problem_responses(),
    )
    def dead_letters(
        self, sessions: NamedDependency[sessionmaker[Session]], alle: FromQuery[bool] = False
    ) -> DodeBerichtenOut:
        items = list_dead_letters(sessions, include_replayed=alle)
        return DodeBerichtenOut.model_validate({"aantal": len(items), "items": items})

    @post(
        "/dead-letters/{letter_id:uuid}/opnieuw",
        sync_to_thread=True,
        status_code=202,
        summary="Een dood bericht opnieuw versturen",
        responses=problem_responses(*BY_ID),
    )
    def replay_dead_letter(
        self,
        letter_id: FromPath[uuid.UUID],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
        broker: NamedDependency[dramatiq.Broker],
    ) -> OpnieuwVerstuurdOut:
        principal = principal_of(request)

        def audit(allowed: bool, reasons: list[str], details: dict[str, Any]) -> None:
            with tenant_transaction(sessions, principal.tenant) as session:
                append_audit(
                    session,
                    AuditRecord.by(
                        principal,
                        "dead-letter-replay",
                        "dead_letter",
                        str(letter_id),
                        allowed=allowed,
                        purpose="platformbeheer",
                        reasons=reasons,
                        details=details,
                    ),
                )

        try:
            message_id = replay(sessions, broker, letter_id)
        except KeyError:
            audit(False, ["dood-bericht-onbekend"], {})
            raise standard_problem(
                404,
                code="dood-bericht-onbekend",
                detail="Dit dode bericht bestaat niet of is al opnieuw verstuurd.",
                detail_en="No such dead letter, or it was replayed already.",
            ) from None
        audit(True, [], {"bericht_id": message_id})
        return OpnieuwVerstuurdOut(id=str(letter_id), bericht_id=message_id)
