"""The server entry points freeze the start-up heap (services/platform/heap.py, issue 14)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap


def test_settle_heap_freezes_what_survived_start_up_and_keeps_new_garbage_collectable() -> None:
    # In a fresh interpreter: freezing in the test process would pin the suite's objects.
    code = textwrap.dedent(
        """
        import gc
        from services.platform.heap import settle_heap

        class Node:
            pass

        start_up = [Node() for _ in range(1000)]
        frozen = settle_heap()
        assert frozen >= 1000, frozen
        assert gc.get_freeze_count() == frozen

        # Garbage made after start-up (a request's cycles) is still collected.
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2

        # The young generation is collected less often than CPython's 700, but not so
        # rarely that one collection frees thousands of objects in one pause: at 20,000 a
        # worker stopped for 10-27 ms per collection at 300 req/s (ADR 0020, `gctail`).
        from services.platform.heap import YOUNG_THRESHOLD
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD, gc.get_threshold()
        assert 700 <= YOUNG_THRESHOLD <= 5_000, YOUNG_THRESHOLD
        # And it is collected: a cycle made now is freed by the collector on its own once
        # enough containers were allocated.
        import weakref
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        counts = []
        gc.callbacks.append(lambda phase, info: counts.append(phase))
        keep = []
        for _ in range(200):
            keep.append([[] for _ in range(200)])
            if gone() is None:
                break
        assert gone() is None and counts, (len(keep), counts)
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_test_process_itself_is_not_frozen() -> None:
    # create_app does not freeze: a test process builds many apps (only the server entry
    # points, services.asgi.create and services.serve.serve_all, call settle_heap).
    assert gc.get_freeze_count() == 0


def test_the_survivors_of_the_first_full_collections_are_frozen_a_bounded_number_of_times() -> None:
    # A worker's caches fill during its first requests, after start-up: the survivors of its
    # 1st, 2nd, 4th, ... 1024th full collection are frozen too, then no more (each freeze
    # pins the cyclic garbage in flight at that moment). In a fresh interpreter, as above.
    code = textwrap.dedent(
        """
        import gc
        from services.platform.heap import REFREEZE_AT, settle_heap

        class Node:
            pass

        from services.platform.heap import EARLY_OLD_THRESHOLD

        old_threshold = gc.get_threshold()[2]
        settle_heap()
        # Full collections come early and small while the refreezes last.
        assert gc.get_threshold()[2] == EARLY_OLD_THRESHOLD < old_threshold
        frozen_at = []
        caches = []
        for n in range(1, 1100):
            caches.append([Node() for _ in range(3)])  # what a request leaves to live on
            before = gc.get_freeze_count()
            gc.collect()  # a full collection
            if gc.get_freeze_count() > before:
                frozen_at.append(n)
            elif n in REFREEZE_AT:
                raise AssertionError(f"not frozen after full collection {n}")
        assert frozen_at == sorted(REFREEZE_AT), frozen_at
        assert max(frozen_at) == 1024 and len(frozen_at) == 11, frozen_at
        # After the last refreeze, the old generation's threshold is CPython's again.
        assert gc.get_threshold()[2] == old_threshold, gc.get_threshold()
        settle_heap()  # again: still one refreezing callback
        assert sum(type(c).__name__ == "_Refreeze" for c in gc.callbacks) == 1

        # After a refreeze a full collection walks only what came after it: a cycle made
        # now is still collected.
        import weakref
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
