"""Refuse text PostgreSQL cannot store before it reaches the database.

A NUL character (``\\x00``, also as the JSON escape ``\\u0000``) and text that is not valid
UTF-8 (a percent-encoded invalid byte sequence, or a lone surrogate such as ``\\ud800`` in a
JSON string) make psycopg or PostgreSQL fail *during* the statement: a 500 whose log line
held the statement parameters. This middleware answers 422 problem+json instead, before
authentication and before any handler runs, for the path, the query string, and JSON, form
and text bodies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from services.platform.http.problems import Problem

#: Bodies up to this size are checked; larger ones are refused by the body-size limit.
MAX_CHECKED_BODY = 10 * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnstorableText(Problem):
    def __init__(self, where: str) -> None:
        super().__init__(
            422,
            "ongeldige-tekens",
            "Ongeldige tekens",
            f"De invoer ({where}) bevat tekens die niet kunnen worden opgeslagen "
            "(een NUL-teken of ongeldige UTF-8).",
            title_en="Invalid characters",
            detail_en=f"The input ({where}) holds characters that cannot be stored "
            "(a NUL character or invalid UTF-8).",
            extra={"fouten": [{"veld": where, "melding": "ongeldige tekens"}]},
        )


def storable(text: str) -> bool:
    """Text PostgreSQL can store: no NUL, no lone surrogate."""
    return "\x00" not in text and _SURROGATE.search(text) is None


def _storable_bytes(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _form_parts(raw: bytes) -> Iterable[bytes]:
    for pair in raw.split(b"&"):
        for part in pair.split(b"=", 1):
            yield unquote_to_bytes(part.replace(b"+", b" "))


def check_path(scope: Scope) -> None:
    raw = scope.get("raw_path")
    if isinstance(raw, bytes | bytearray) and not _storable_bytes(unquote_to_bytes(bytes(raw))):
        raise UnstorableText("pad")
    if not storable(str(scope.get("path", ""))):
        raise UnstorableText("pad")


def check_query(raw: bytes) -> None:
    if raw and not all(_storable_bytes(part) for part in _form_parts(raw)):
        raise UnstorableText("query")


def check_body(content_type: str, raw: bytes) -> None:
    if not raw:
        return
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        if not all(_storable_bytes(part) for part in _form_parts(raw)):
            raise UnstorableText("body")
        return
    is_json = kind == "application/json" or kind.endswith("+json")
    if not (is_json or kind.startswith("text/") or kind in ("", "application/toml")):
        return  # multipart and binary bodies are parsed (and checked) by their handlers
    if not _storable_bytes(raw):
        raise UnstorableText("body")
    if is_json:
        try:
            document = json.loads(raw)
        except ValueError:
            return  # not JSON at all: the handler's decoder answers that
        if not all(storable(text) for text in _strings(document)):
            raise UnstorableText("body")


def input_guard_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        check_path(scope)
        check_query(scope.get("query_string", b""))
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        messages: list[ReceiveMessage] = []
        size = 0
        more = True
        while more and size <= MAX_CHECKED_BODY:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
        bodies = [m.get("body", b"") for m in messages if m["type"] == "http.request"]
        if not more and len(bodies) == len(messages):
            check_body(content_type, b"".join(bodies))

        async def replay() -> ReceiveMessage:
            if messages:
                return messages.pop(0)
            return await receive()

        await app(scope, replay, send)

    return middleware
