"""The casework service as an ASGI app factory: one app per server worker process.

``regietafel run`` in production mode with ``REGIETAFEL_WORKERS`` > 1 serves this factory with
several uvicorn worker processes (ADR 0020): the Rego evaluation, the pydantic input schema and
the Python around them are CPU-bound and hold the GIL for most of a request, so one process
uses about one core however many threads it has. Each worker builds its own runtime (database
pool, broker, policy engine, identity) from the same settings; none of them runs the
in-process worker or the scheduler (in production those are processes of their own).

Also usable directly: ``uvicorn --factory services.asgi:create --workers 4``.
"""

from __future__ import annotations

from litestar import Litestar

from services.platform.config import get_settings


def create() -> Litestar:
    """The casework app for this process, from the environment's settings."""
    from services.app import create_app
    from services.platform.db.engine import open_pool
    from services.platform.heap import settle_heap
    from services.platform.logging import configure_logging
    from services.runtime import start_runtime

    settings = get_settings()
    configure_logging(settings.log_level, json_output=settings.log_json)
    # Migrating is the migration job's (or the parent process's) task, never a worker's:
    # several workers start at once.
    runtime = start_runtime(settings, migrate=False)
    app = create_app(runtime, start_worker=False)
    app.on_shutdown.append(runtime.close)
    open_pool(runtime.engine)  # warm connections, not a burst of cold ones (ADR 0020)
    settle_heap()  # the start-up heap leaves the collector's work (services/platform/heap.py)
    return app
