"""Running ``regietafel`` commands as real processes in tests, waiting on *progress*.

A wait never has a fixed overall deadline (a busy 2-core CI machine may take minutes to
start PostgreSQL and migrate). It fails only when the process exits, or when it makes no
progress at all — no new output line and no change in what is polled — for ``stall``
seconds, which is far longer than any single step takes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

STALL_SECONDS = float(os.environ.get("REGIETAFEL_TEST_STALL_SECONDS", "300"))
PROJECT = Path(__file__).resolve().parent.parent


def clean_env(**overrides: str) -> dict[str, str]:
    """This environment without any REGIETAFEL_* or DATABASE_URL, plus ``overrides``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("REGIETAFEL_") and k not in ("DATABASE_URL", "RABBITMQ_URL")
    }
    env.update(overrides)
    return env


class Process:
    """A child process whose merged output is collected line by line in a thread."""

    def __init__(self, args: list[str], env: Mapping[str, str], name: str) -> None:
        self.name = name
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._last_progress = time.monotonic()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "services.cli", *args],
            env=dict(env),
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._last_progress = time.monotonic()
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def progressed(self) -> None:
        """Something observable changed (e.g. a poll answered differently)."""
        with self._changed:
            self._last_progress = time.monotonic()

    def _check(self, what: str) -> None:
        if self.popen.poll() is not None:
            self._reader.join(5)
            raise AssertionError(
                f"{self.name} exited ({self.popen.returncode}) while waiting for {what}:\n"
                + self.output
            )
        if time.monotonic() - self._last_progress > STALL_SECONDS:
            raise AssertionError(
                f"{self.name} made no progress for {STALL_SECONDS:.0f}s while waiting for "
                f"{what}:\n" + self.output
            )

    def wait_for_line(self, pattern: str) -> str:
        regex = re.compile(pattern)
        seen = 0
        while True:
            with self._changed:
                for line in self.lines[seen:]:
                    if regex.search(line):
                        return line
                seen = len(self.lines)
                self._changed.wait(0.5)
            self._check(f"a line matching {pattern!r}")

    def wait_until(self, what: str, probe: Callable[[], object]) -> object:
        """Poll ``probe`` until it returns something truthy; its answers count as progress
        when they change (e.g. 503 -> connection refused -> 200)."""
        last: object = None
        while True:
            try:
                result = probe()
                state: object = result
            except Exception as error:  # noqa: BLE001 - not up yet
                result, state = None, type(error).__name__
            if result:
                return result
            if state != last:
                last = state
                self.progressed()
            self._check(what)
            time.sleep(0.3)

    def wait_ready(self, url: str) -> httpx.Response:
        def probe() -> httpx.Response | None:
            response = httpx.get(url, timeout=10)
            return response if response.status_code == 200 else None

        result = self.wait_until(f"{url} to answer 200", probe)
        assert isinstance(result, httpx.Response)
        return result

    def stop(self, sig: int = signal.SIGINT) -> str:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout=STALL_SECONDS)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        self._reader.join(10)
        return self.output

    def finished(self) -> tuple[int, str]:
        """Wait for a command that ends by itself; (exit code, output)."""
        while self.popen.poll() is None:
            with self._changed:
                self._changed.wait(0.5)
            if time.monotonic() - self._last_progress > STALL_SECONDS:
                self.popen.kill()
                raise AssertionError(f"{self.name} stalled:\n{self.output}")
        self._reader.join(10)
        return self.popen.returncode, self.output
