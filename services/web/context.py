"""What every web page and form handler needs, injected as one dependency (``web``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from services.casework.unit_of_work import CaseworkDeps
from services.platform.identity.setup import Identity
from services.web.csrf import CsrfSigner


@dataclass(frozen=True)
class WebDeps:
    identity: Identity
    sessions: sessionmaker[Session]
    casework: CaseworkDeps
    csrf: CsrfSigner
