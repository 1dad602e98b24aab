"""Serving several ASGI apps from one process with one Ctrl-C (embedded mode)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import uvicorn
from litestar import Litestar

from services.platform.heap import settle_heap


@dataclass(frozen=True)
class Served:
    name: str
    app: Litestar
    host: str
    port: int


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # Signals are handled once for all servers in serve_all().
        yield


async def _serve_all(apps: Sequence[Served]) -> None:
    servers = [
        _Server(uvicorn.Config(a.app, host=a.host, port=a.port, log_config=None, access_log=False))
        for a in apps
    ]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    await asyncio.gather(*(s.serve() for s in servers))


def serve_all(apps: Sequence[Served]) -> None:
    settle_heap()  # the start-up heap leaves the collector's work (services/platform/heap.py)
    asyncio.run(_serve_all(apps))
