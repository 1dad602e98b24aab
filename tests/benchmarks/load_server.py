"""The server of the load benchmark: ``services.asgi:create`` with timing counters.

Started by ``bench_load.py`` as ``uvicorn --factory load_server:create --workers N``. Each
worker process counts, per benchmark phase (the ``x-bench-phase`` request header) and route,
where the wall time of a request goes, by exclusive timers (a nested timer's time is taken
out of the enclosing one):

* ``auth``   - token verification and the principal lookup (PrincipalDirectory.resolve),
* ``policy`` - building the typed policy input, the engine (cache or Rego), decision records,
* ``sql``    - time inside the database driver (cursor execute), except
* ``audit``  - INSERTs into audit_log,
* ``other``  - the rest: routing, the service code, views, JSON or HTML rendering.

It also times the garbage collector's pauses (``gc.callbacks``), per phase of the request
that started last: how many collections, their total and their longest pause. A collection
stops every request in flight in that process, so its pauses show in the tail latencies.

The counters are written to ``$BENCH_TIMINGS_DIR/timings-<pid>.json`` at most once a second;
the benchmark sums the files of all workers.
"""

from __future__ import annotations

import contextvars
import functools
import gc
import json
import os
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

CATEGORIES = ("auth", "policy", "sql", "audit")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class RequestTimer:
    """Exclusive timers of one request (shared with the worker threads of the request)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.stack: list[list[Any]] = []  # [category, started, nested]
        self.lock = threading.Lock()
        self.sql_count = 0

    def push(self, category: str) -> None:
        with self.lock:
            self.stack.append([category, time.perf_counter(), 0.0])

    def pop(self) -> None:
        with self.lock:
            category, started, nested = self.stack.pop()
            elapsed = time.perf_counter() - started
            self.spent[category] += elapsed - nested
            if self.stack:
                self.stack[-1][2] += elapsed


_current: contextvars.ContextVar[RequestTimer | None] = contextvars.ContextVar(
    "bench_timer", default=None
)


def timed(category: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        timer = _current.get()
        if timer is None:
            return fn(*args, **kwargs)
        timer.push(category)
        try:
            return fn(*args, **kwargs)
        finally:
            timer.pop()

    return wrapper


def _instrument() -> None:
    from services.platform.authz.enforce import Enforcer
    from services.platform.identity.directory import PrincipalDirectory
    from services.platform.identity.tokens import TokenVerifier

    Enforcer.decide = timed("policy", Enforcer.decide)  # type: ignore[method-assign]
    Enforcer.decide_page = timed("policy", Enforcer.decide_page)  # type: ignore[method-assign]
    PrincipalDirectory.resolve = timed("auth", PrincipalDirectory.resolve)  # type: ignore[method-assign]
    for name in ("verify",):
        if hasattr(TokenVerifier, name):
            setattr(TokenVerifier, name, timed("auth", getattr(TokenVerifier, name)))

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        timer = _current.get()
        if timer is not None:
            timer.sql_count += 1
            timer.push("audit" if statement.lstrip().startswith("INSERT INTO audit_log") else "sql")

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        timer = _current.get()
        if timer is not None and timer.stack and timer.stack[-1][0] in ("sql", "audit"):
            timer.pop()

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after)


class Counters:
    def __init__(self, directory: Path) -> None:
        self.path = directory / f"timings-{os.getpid()}.json"
        self.data: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.lock = threading.Lock()
        self.dumped = 0.0
        self.pauses: list[tuple[str, int, float]] = []

    def add_pause(self, phase: str, generation: int, seconds: float) -> None:
        """A collection of the garbage collector (from ``gc.callbacks``, in whatever thread
        allocated: possibly inside :meth:`add`, so no lock here; ``add`` books it)."""
        self.pauses.append((phase, generation, seconds))

    def add(self, key: str, total: float, timer: RequestTimer) -> None:
        with self.lock:
            row = self.data[key]
            row["n"] += 1
            row["total"] += total
            row["sql_statements"] += timer.sql_count
            while self.pauses:
                phase, generation, seconds = self.pauses.pop()
                pause = self.data[f"{phase} GC gen{generation}"]
                pause["n"] += 1
                pause["total"] += seconds
                pause["max_pause"] = max(pause["max_pause"], seconds)
            for category in CATEGORIES:
                row[category] += timer.spent.get(category, 0.0)
            now = time.monotonic()
            if now - self.dumped > 1.0:
                self.dumped = now
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self.data))
                os.replace(tmp, self.path)


def create() -> Any:
    from services.asgi import create as create_app

    _instrument()
    app = create_app()
    counters = Counters(Path(os.environ["BENCH_TIMINGS_DIR"]))
    last_phase = ["-"]
    gc_started = [0.0]

    def gc_pause(stage: str, info: dict[str, Any]) -> None:
        if stage == "start":
            gc_started[0] = time.perf_counter()
        else:
            pause = time.perf_counter() - gc_started[0]
            counters.add_pause(last_phase[0], info["generation"], pause)

    gc.callbacks.append(gc_pause)

    async def timed_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        phase = "-"
        for name, value in scope.get("headers", ()):
            if name == b"x-bench-phase":
                phase = value.decode()
        last_phase[0] = phase
        timer = RequestTimer()
        token = _current.set(timer)
        started = time.perf_counter()
        try:
            await app(scope, receive, send)
        finally:
            _current.reset(token)
            route = _UUID.sub("{id}", scope["path"])
            counters.add(f"{phase} {scope['method']} {route}", time.perf_counter() - started, timer)

    return timed_app
