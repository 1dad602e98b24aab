"""Doorbreekglas (spoedtoegang): time-limited access to a casus with a written reason, for
someone who does casework but has no regular basis; always audited and reviewed afterwards by
the PGA-expert (werkvoorraad). The browser form is :mod:`.spoedtoegang`.
"""

from __future__ import annotations

import datetime as dt
import uuid

from services.casework.errors import Conflict
from services.casework.workspace import Workspace, ref
from services.platform.authz.enforce import Target
from services.platform.db.models import UrgentAccess


def doorbreekglas(ws: Workspace, casus_id: uuid.UUID, reason: str, hours: int) -> UrgentAccess:
    """Time-limited access with a written reason; always audited and flagged for review by
    the tenant's PGA-expert (werkvoorraad)."""
    casus = ws.load_casus(casus_id)
    expires = ws.enforcer.now + dt.timedelta(hours=hours)
    urgent = {
        "reason": reason,
        "expires_at": expires,
        "user": ref(ws.principal.tenant, ws.principal.user_id),
    }
    decision = ws.enforcer.decide(
        "read",
        ws.resource(casus, urgent_access=urgent),
        ws.context(ws.purpose_for(casus, None), {"urgency_reason": reason}),
        Target("doorbreekglas", str(casus.id), casus.id),
    )
    if "doorbreekglas" not in decision.codes:
        # A regular basis already gives access (or, for a casus shared with the region,
        # read access that is not the gemeente's to extend): breaking the glass is not the
        # way, and a grant is never written outside the casus's own gemeente.
        raise Conflict(
            "doorbreekglas-niet-nodig",
            "U hebt al toegang tot deze casus langs de gewone weg: spoedtoegang is niet nodig.",
        )
    grant = UrgentAccess(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        user_id=ws.principal.user_id,
        reason=reason,
        granted_at=ws.enforcer.now,
        expires_at=expires,
    )
    ws.session.add(grant)
    ws.event(casus, "doorbreekglas", "Spoedtoegang (doorbreekglas) gebruikt; beoordeling volgt.")
    ws.session.flush()
    return grant
