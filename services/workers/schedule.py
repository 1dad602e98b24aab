"""A small periodic enqueuer (dramatiq has no scheduler): e.g. the daily fact export.

It only *enqueues* messages; the work runs in whichever worker consumes the queue, so a
missed tick or a restart loses nothing that a later tick does not redo (the jobs are
idempotent).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

_log = logging.getLogger(__name__)


class PeriodicEnqueuer:
    def __init__(self, interval_seconds: float, enqueue: Callable[[], None], name: str) -> None:
        self._interval = interval_seconds
        self._enqueue = enqueue
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.name = name

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._enqueue()
                _log.info("periodic job %s enqueued", self.name)
            except Exception:  # noqa: BLE001 - keep ticking; the broker may be back next time
                _log.exception("periodic job %s could not be enqueued", self.name)

    def start(self) -> None:
        """Start ticking (again: an app may be started and stopped more than once)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"periodic-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=5)
