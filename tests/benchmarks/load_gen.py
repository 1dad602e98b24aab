"""An open-loop HTTP load generator for the load benchmark (issue 14).

Requests are started at a fixed rate whatever the server does (open loop): request *i* is due
at ``start + i / rate`` and its latency is measured from that moment, so a slow server shows
up as latency (no coordinated omission) instead of as a lower request rate. Each request is
one *operation* of a mix; an operation may be two HTTP requests (read the version, then write
with If-Match), of which the write is measured. HTTP/1.1 keep-alive over plain asyncio
streams (a connection per request in flight), so the generator itself costs little CPU.

Run by ``bench_load.py`` in a process of its own:
``python load_gen.py SPEC.json RESULT.json`` where SPEC holds the rate, the duration, the mix
and the data (tokens, casus ids); RESULT gets one ``[op, latency_s, status]`` per operation.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

Result = tuple[str, float, int]

#: The name an operation's result carries (also when it failed or timed out).
OP_NAMES = {
    "casus": "casus",
    "lijst": "lijst-50",
    "werkvoorraad": "werkvoorraad",
    "html_casussen": "html-casussen",
    "html_casus": "html-casus",
    "html_werkvoorraad": "html-werkvoorraad",
    "html_overzicht": "html-overzicht",
    "plan": "plan-update",
    "share": "share",
}


class Pool:
    """Keep-alive connections of one client to one host:port, one per request in flight."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in range(2):
            # A kept-alive connection may have been closed by the server meanwhile (its
            # keep-alive timeout): the retry goes over a new connection, never another idle one.
            if self.idle and not attempt:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            try:
                status, head, data = await self._exchange(
                    reader, writer, method, path, headers, body
                )
            except (ConnectionError, asyncio.IncompleteReadError):
                writer.close()
                if attempt:
                    raise
                continue
            if head.get("connection", "").lower() == "close":
                writer.close()
            else:
                self.idle.append((reader, writer))
            return status, head, data
        raise ConnectionError("unreachable")

    async def _exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None,
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        await writer.drain()
        status_line = await reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        head: dict[str, str] = {}
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            head[name.strip().lower()] = value.strip()
        if "content-length" in head:
            data = await reader.readexactly(int(head["content-length"]))
        elif head.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            data = b"".join(parts)
        else:
            data = b""
        return status, head, data


class Clients:
    """``count`` clients, each with its own keep-alive connections (:class:`Pool`), taking
    the requests in turn: the server sees the traffic of many users, as in production, not
    of one client. With one pool the most recently returned connection took nearly every
    request (last in, first out), so one or two connections, accepted by one or two worker
    processes, carried a whole step, and the split of the load over the workers was a draw
    made once per step (30/70 in a probe run at 300 req/s; ADR 0020 amendment `gctail`)."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.pools = [Pool(host, port) for _ in range(count)]
        self.turn = 0

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        pool = self.pools[self.turn % len(self.pools)]
        self.turn += 1
        return await pool.request(method, path, headers, body)


#: Clients of the load generator (each with its own connections), unless a spec says.
CLIENTS = 32

PLAN = {
    "doelen": [
        {
            "leefgebied": "financien",
            "probleem": "Schulden bij meerdere schuldeisers.",
            "doel": "Schulden in beeld en een stabiel budgetplan.",
        }
    ],
    "eindcriterium": "Geen nieuwe meldingen en schulden onder bewind.",
}
ITEM = {
    "categorie": "algemeen",
    "titel": "Afspraak met woningcorporatie",
    "inhoud": "Er is een gesprek gepland over de huurachterstand.",
    "doel": "casusoverleg",
    "grondslag": "publieke-taak",
}
SHARE = {
    "doel": "casusoverleg",
    "grondslag": "publieke-taak",
    "noodzaak": "Zonder deze informatie kan het overleg geen passende aanpak kiezen.",
    "persoon_geinformeerd": True,
}


class Mix:
    """The operations of the benchmark, each a coroutine giving (op, latency, status)."""

    def __init__(
        self, pool: Pool | Clients, data: dict[str, Any], phase: str, rng: random.Random
    ) -> None:
        self.pool = pool
        self.data = data
        self.phase = phase
        self.rng = rng

    def _user(self, role: str) -> dict[str, Any]:
        users: list[dict[str, Any]] = self.data["users"][role]
        return self.rng.choice(users)

    def _api(self, user: dict[str, Any]) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {user['token']}",
            "Accept": "application/json",
            "x-bench-phase": self.phase,
        }

    def _web(self, user: dict[str, Any]) -> dict[str, str]:
        return {"Cookie": f"regietafel_token={user['token']}", "x-bench-phase": self.phase}

    async def _get(self, op: str, due: float, path: str, headers: dict[str, str]) -> Result:
        status, _, _ = await self.pool.request("GET", path, headers)
        return op, time.perf_counter() - due, status

    async def casus(self, due: float) -> Result:
        user = self._user("professional")
        path = f"/api/v1/casussen/{self.rng.choice(user['casussen'])}"
        return await self._get("casus", due, path, self._api(user))

    async def lijst(self, due: float) -> Result:
        user = self._user(self.rng.choice(["professional", "pga-expert"]))
        return await self._get("lijst-50", due, "/api/v1/casussen?limiet=50", self._api(user))

    async def werkvoorraad(self, due: float) -> Result:
        user = self._user("professional")
        return await self._get("werkvoorraad", due, "/api/v1/werkvoorraad", self._api(user))

    async def html_casussen(self, due: float) -> Result:
        return await self._get(
            "html-casussen", due, "/casussen", self._web(self._user("professional"))
        )

    async def html_casus(self, due: float) -> Result:
        user = self._user("professional")
        path = f"/casussen/{self.rng.choice(user['casussen'])}"
        return await self._get("html-casus", due, path, self._web(user))

    async def html_werkvoorraad(self, due: float) -> Result:
        return await self._get(
            "html-werkvoorraad", due, "/werkvoorraad", self._web(self._user("professional"))
        )

    async def html_overzicht(self, due: float) -> Result:
        return await self._get(
            "html-overzicht", due, "/overzicht", self._web(self._user("professional"))
        )

    async def plan(self, due: float) -> Result:
        """Read the plan's version, then save a new version with If-Match (the PUT counts)."""
        user = self._user("regisseur")
        casus = self.rng.choice(user["casussen"])
        headers = self._api(user)
        status, head, _ = await self.pool.request("GET", f"/api/v1/casussen/{casus}/plan", headers)
        match = head.get("etag", "*") if status == 200 else "*"
        body = json.dumps(PLAN).encode()
        started = time.perf_counter()
        status, _, _ = await self.pool.request(
            "PUT",
            f"/api/v1/casussen/{casus}/plan",
            {**headers, "If-Match": match, "Content-Type": "application/json"},
            body,
        )
        return "plan-update", time.perf_counter() - started, status

    async def share(self, due: float) -> Result:
        """Record an information item, then share it through the checklist (the share counts)."""
        user = self._user("professional")
        casus = self.rng.choice(user["casussen"])
        headers = {**self._api(user), "Content-Type": "application/json"}
        status, head, data = await self.pool.request(
            "POST", f"/api/v1/casussen/{casus}/informatie", headers, json.dumps(ITEM).encode()
        )
        if status >= 300:
            return "share", time.perf_counter() - due, status
        item = json.loads(data)["id"]
        started = time.perf_counter()
        status, _, _ = await self.pool.request(
            "POST",
            f"/api/v1/casussen/{casus}/informatie/{item}/delen",
            {**headers, "If-Match": head.get("etag", "")},
            json.dumps(SHARE).encode(),
        )
        return "share", time.perf_counter() - started, status


async def run(spec: dict[str, Any]) -> list[Result]:
    pool = Clients(spec["host"], spec["port"], int(spec.get("clients", CLIENTS)))
    rng = random.Random(spec.get("seed", 14))
    mix = Mix(pool, spec["data"], spec["phase"], rng)
    weights: dict[str, float] = spec["mix"]
    ops: list[Callable[[float], Awaitable[Result]]] = [getattr(mix, name) for name in weights]
    cumulative = list(weights.values())
    rate: float = spec["rate"]
    total = int(spec.get("count") or rate * spec["duration"])
    results: list[Result] = []
    errors: list[str] = []

    timeout = float(spec.get("timeout", 10.0))

    async def one(op: Callable[[float], Awaitable[Result]], due: float) -> None:
        try:
            results.append(await asyncio.wait_for(op(due), timeout))
        except TimeoutError:  # counted as a failed operation at the timeout
            results.append((OP_NAMES[op.__name__], time.perf_counter() - due, 0))
        except Exception as error:  # noqa: BLE001 - counted as a failed operation
            errors.append(f"{op.__name__}: {type(error).__name__}: {error}")
            results.append((OP_NAMES[op.__name__], time.perf_counter() - due, 0))

    if spec.get("sequential"):  # one operation at a time: the latency of a request alone
        for _ in range(total):
            op = rng.choices(ops, weights=cumulative)[0]
            await one(op, time.perf_counter())
        return results
    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        op = rng.choices(ops, weights=cumulative)[0]
        tasks.append(asyncio.create_task(one(op, due)))
    await asyncio.gather(*tasks)
    for line in errors[:5]:
        print(f"load_gen: {line}", file=sys.stderr)
    return results


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as source:
        spec = json.loads(source.read())
    started = time.perf_counter()
    results = asyncio.run(run(spec))
    elapsed = time.perf_counter() - started
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump({"elapsed": elapsed, "results": results}, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
