"""The garbage collector of a long-running server process (issue 14).

After start-up a worker holds a large heap of objects that live as long as the process: the
modules, the routes and their schemas, the compiled policy, the templates, the SQLAlchemy
mappers and caches. CPython's full collection walks every tracked object; on this heap one
took ~95 ms, and it ran often enough to set the p95 of the werkvoorraad page (ADR 0020).
:func:`settle_heap` collects once and moves the survivors to the permanent generation
(``gc.freeze``), so later collections walk only what requests allocate. Reference counting
still frees frozen objects; only cycles among them stay until the process ends, which for
start-up objects is what happens anyway.

Called by the server entry points (``services.asgi.create``, ``services.serve.serve_all``),
not by ``create_app``: a test process builds many apps and their garbage must stay
collectable.
"""

from __future__ import annotations

import gc


def settle_heap() -> int:
    """Collect, then freeze what survived start-up; returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
