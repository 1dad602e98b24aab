"""One casework request = one transaction in the caller's tenant, with the policy engine.

On success everything commits together (the change and its audit rows). When the policy
denies, or the engine cannot decide (503, fail closed), the transaction is rolled back (no
partial writes) and the audit rows of those attempts are written in a fresh transaction, so
every refused attempt is on record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from services.casework.domain.bsn import BsnVault
from services.casework.errors import VersionMismatch
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied, Enforcer
from services.platform.authz.gateway import PolicyGateway
from services.platform.db.models import AuditEntry
from services.platform.db.unit_of_work import SET_TENANT
from services.platform.identity.principal import Principal
from services.platform.policy import PolicyEngineUnavailable


@dataclass(frozen=True)
class CaseworkDeps:
    sessions: sessionmaker[Session]
    gateway: PolicyGateway
    vault: BsnVault
    pseudonym_secret: str


@contextmanager
def workspace(
    deps: CaseworkDeps, principal: Principal, *, now: dt.datetime | None = None
) -> Iterator[Workspace]:
    """``now`` is only set by the demo seeder, to replay a casus history on its own dates."""
    engine = deps.gateway.engine()  # PolicyEngineUnavailable -> 503 before anything happens
    session = deps.sessions()
    enforcer = Enforcer(session, principal, engine, now=now or dt.datetime.now(dt.UTC))
    try:
        with session.begin():
            session.execute(SET_TENANT, {"tenant": principal.tenant})
            yield Workspace(session, principal, enforcer, deps.vault, deps.pseudonym_secret)
    except (AccessDenied, PolicyEngineUnavailable):
        # A refusal, or an attempt the engine could not decide (fail closed): rolled back,
        # and on record all the same.
        if enforcer.denied:
            with session.begin():
                session.execute(SET_TENANT, {"tenant": principal.tenant})
                session.add_all(AuditEntry(**entry) for entry in enforcer.denied)
        raise
    except StaleDataError:
        # Another transaction changed the row since it was read (version_id_col).
        raise VersionMismatch(None) from None
    finally:
        session.close()
