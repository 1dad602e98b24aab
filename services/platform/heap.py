"""The garbage collector of a long-running server process (issue 14).

After start-up a worker holds a large heap of objects that live as long as the process: the
modules, the routes and their schemas, the compiled policy, the templates, the SQLAlchemy
mappers and caches. CPython's full collection walks every tracked object; on this heap one
took ~95 ms, and it ran often enough to set the p95 of the werkvoorraad page (ADR 0020).
:func:`settle_heap` collects once and moves the survivors to the permanent generation
(``gc.freeze``), so later collections walk only what requests allocate. Reference counting
still frees frozen objects; only cycles among them stay until the process ends, which for
start-up objects is what happens anyway.

It also raises the threshold of the youngest generation (:data:`YOUNG_THRESHOLD`): CPython
collects it after every 700 net container allocations, and a list page of 50 casussen
allocates that many dozens of times, so a request paid ~1 ms of collections on average
(`bench_cost.py`, thread CPU in ``gc.callbacks``: 478 collections, 254 ms for 189 requests).
Not much higher than a few thousand: what a collection frees it frees in one pause, which
stops every request in flight in the process. At 20,000 (session 22) the casus page at 300
req/s left ~19,000 objects of cyclic garbage per collection and each collection stopped a
worker for 8-27 ms; in alternated probe runs that step's p95 was 12.9-46.9 ms at 20,000
against 12.4-15.4 ms at 2,000 (ADR 0020, amendment ``gctail``).

The start-up heap is not all of a worker's long-lived heap: its first requests of each kind
fill caches that then live as long as the process (SQLAlchemy's compiled statements, the
templates, the policy's and the pages' memos). In the load benchmark ~45,000 tracked objects
were left to walk after a warm-up of every page (a full collection ~9-20 ms alone, 30-109 ms
pauses of a busy worker at the HTML step; session 25). So the survivors of the first full
collections are frozen too (:data:`REFREEZE_AT`: the 1st, 2nd, 4th, ... 1024th full collection
of the process, in the collector's own ``stop`` callback: the pause is one it took
anyway), and those full collections are brought forward (a collection after the freeze and
:data:`EARLY_OLD_THRESHOLD`), so they come during the first requests and each walks only
what piled up since the last freeze: ~1 ms each instead of 17-31 ms (ADR 0020,
``refreeze``).
Each freeze also pins the cyclic garbage of the requests in flight at that moment (~30-45
objects each, ADR 0020 amendment ``cycles``) until the process ends, so their number is
bounded: eleven in a process's life.

Called by the server entry points (``services.asgi.create``, ``services.serve.serve_all``),
not by ``create_app``: a test process builds many apps and their garbage must stay
collectable.
"""

from __future__ import annotations

import gc
from typing import Final

#: Net container allocations before a collection of the youngest generation (CPython's
#: default is 700); the older generations keep their defaults (ADR 0020, amendments
#: ``gc`` and ``gctail``).
YOUNG_THRESHOLD = 2000


#: The full collections (counted from :func:`settle_heap`) whose survivors are frozen too.
REFREEZE_AT: Final = frozenset(2**n for n in range(11))
_LAST: Final = max(REFREEZE_AT)


#: Middle-generation collections before a full one while the refreezes last (CPython: 10),
#: so that they come early and small, during the worker's first requests.
EARLY_OLD_THRESHOLD: Final = 1


class _Refreeze:
    """A ``gc.callbacks`` entry: after the full collections of :data:`REFREEZE_AT`, freezes
    what survived them; after the last, gives the old generation its threshold back."""

    def __init__(self, old_threshold: int) -> None:
        self.full = 0
        self.old_threshold = old_threshold

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        # Stays in the list when done (removing itself while the collector walks the list
        # would skip the next callback once).
        if phase == "stop" and info.get("generation") == 2 and self.full < _LAST:
            self.full += 1
            if self.full in REFREEZE_AT:
                gc.freeze()
            if self.full == _LAST:
                young, middle, _ = gc.get_threshold()
                gc.set_threshold(young, middle, self.old_threshold)


def settle_heap() -> int:
    """Collect, then freeze what survived start-up, freeze the survivors of the first full
    collections after it too (:data:`REFREEZE_AT`), and collect the young generation less
    often (:data:`YOUNG_THRESHOLD`); returns how many objects are frozen now."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    if not any(isinstance(callback, _Refreeze) for callback in gc.callbacks):
        # Once more, over nothing: the long-lived count the collector weighs a full
        # collection against is now ~0, not the frozen start-up heap's size, so the first
        # full collections come during the first requests, each over the few objects left
        # since the last freeze.
        gc.collect()
        gc.callbacks.append(_Refreeze(old))
        old = EARLY_OLD_THRESHOLD
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return gc.get_freeze_count()
