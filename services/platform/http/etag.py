"""Optimistic concurrency: ETags carry a row version; updates need a matching If-Match."""

from __future__ import annotations

from typing import Any

from litestar import Request

from services.platform.http.problems import standard_problem


def etag(version: int) -> str:
    return f'"v{version}"'


def require_if_match(request: Request[Any, Any, Any], current_version: int) -> None:
    """428 without If-Match; 412 when it names another version (someone changed it)."""
    header = request.headers.get("if-match")
    if not header:
        raise standard_problem(428)
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    if "*" not in candidates and etag(current_version) not in candidates:
        raise standard_problem(412, extra={"current_etag": etag(current_version)})


def if_match_version(request: Request[Any, Any, Any]) -> int | None:
    """The version named by If-Match (``"v3"``), None without the header, -1 if unreadable."""
    header = request.headers.get("if-match")
    if not header:
        return None
    value = header.split(",")[0].strip().removeprefix("W/").strip('"')
    if value.startswith("v") and value[1:].isdigit():
        return int(value[1:])
    return -1
