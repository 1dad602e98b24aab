"""Running a test's work in several threads at once (the audit chain's concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def all_at_once(work: Callable[[int], None], count: int = 4) -> None:
    """``work(0)`` .. ``work(count - 1)``, each in a thread of its own, released together (a
    barrier); returns when all are done and raises the first error any of them raised."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as error:  # noqa: BLE001 - raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
