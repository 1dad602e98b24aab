"""The policy gateway: owns the engine and keeps it on the latest policy data.

Policy data is generated from the tenant manifests on every ``tenants apply`` (and tenant
suspend or resume) and stored in the ``policy_data`` table; the activation log
(:mod:`services.platform.authz.policy_store`) names the revision in force. Each process checks the
current revision at most every ``refresh_seconds`` and rebuilds its engine when it differs
from the loaded one, also when it is an *earlier* document applied again (a revert). Any
failure to obtain a decision surfaces as :class:`PolicyEngineUnavailable`: callers fail
closed.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from services.platform.authz.policy_store import current_activation, load_document
from services.platform.config import Settings
from services.platform.db.unit_of_work import platform_transaction
from services.platform.policy import (
    OpaServerEngine,
    PolicyEngine,
    PolicyEngineUnavailable,
    PolicySettings,
    create_engine,
)
from services.platform.policy.input import build_input

EMPTY_DATA: dict[str, object] = {"revision": "leeg", "tenants": {}, "regions": {}}


def policy_settings(settings: Settings) -> PolicySettings:
    return PolicySettings(
        engine="opa" if settings.policy_engine.value == "opa" else "embedded",
        opa_url=settings.opa_url,
        timeout_s=settings.policy_timeout_ms / 1000,
        opa_bundle=settings.opa_bundle,
    )


class PolicyGateway:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        refresh_seconds: float = 2.0,
    ) -> None:
        self._policy_settings = policy_settings(settings)
        self._sessions = sessions
        self._refresh = refresh_seconds
        self._lock = threading.Lock()
        self._engine: PolicyEngine | None = None
        self._revision: str | None = None
        self._checked_at = 0.0

    def _current_revision(self) -> str | None:
        with platform_transaction(self._sessions) as session:
            current = current_activation(session)
        return None if current is None else current.revision

    def _load(self, revision: str | None) -> PolicyEngine:
        data: dict[str, object] = EMPTY_DATA
        if revision is not None:
            with platform_transaction(self._sessions) as session:
                document = load_document(session, revision)
            if document is None:
                raise PolicyEngineUnavailable(f"policy data revision {revision} not stored")
            data = document
        engine = create_engine(self._policy_settings, data)
        inner = getattr(engine, "inner", engine)
        if isinstance(inner, OpaServerEngine):
            # An OPA sidecar without bundles gets the same Rego and the new data revision.
            inner.publish()
        return engine

    def engine(self) -> PolicyEngine:
        now = time.monotonic()
        with self._lock:
            if self._engine is not None and now - self._checked_at < self._refresh:
                return self._engine
            try:
                latest = self._current_revision()
                if self._engine is None or latest != self._revision:
                    self._engine = self._load(latest)
                    self._revision = latest
            except PolicyEngineUnavailable:
                raise
            except Exception as error:
                raise PolicyEngineUnavailable(f"policy engine not available: {error}") from error
            self._checked_at = now
            return self._engine

    def current_engine(self) -> PolicyEngine | None:
        """The engine :meth:`engine` would return without reading the database (its policy
        data checked less than ``refresh_seconds`` ago), or None: then call :meth:`engine`
        (in a worker thread). Never blocks, so the event loop may ask; a failed check does
        not move ``_checked_at``, so after one this answers None until a check succeeds. A
        gateway that answers :meth:`engine` in its own way (a test's double) is always asked."""
        if type(self).engine is not PolicyGateway.engine:
            return None
        engine, checked_at = self._engine, self._checked_at
        if engine is not None and time.monotonic() - checked_at < self._refresh:
            return engine
        return None

    def check(self) -> None:
        """Readiness: the engine gives a (deny) decision for an empty request."""
        engine = self.engine()
        engine.decide(
            build_input(
                {"kind": "user", "user_id": "-", "tenant": "-", "organisation": "-", "roles": []},
                "read",
                {"now": dt.datetime.now(dt.UTC)},
                {
                    "type": "casus",
                    "tenant": "-",
                    "casus_kind": "persoon",
                    "contains_person_identifiers": True,
                },
            )
        )
