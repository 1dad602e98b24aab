"""Service-layer outcomes that the HTTP layer turns into problem+json."""

from __future__ import annotations


class NotFound(LookupError):
    """Does not exist in this tenant (or is not shared with it): 404, no existence leak."""


class VersionMismatch(Exception):
    """The client's If-Match names another version (412), or another transaction changed
    the row between reading and writing it (``current`` unknown then)."""

    def __init__(self, current: int | None) -> None:
        super().__init__(f"current version is {current}" if current is not None else "stale")
        self.current = current


class VersionRequired(Exception):
    """An update without If-Match: 428."""


class Conflict(Exception):
    """The request conflicts with the current state (409), with a Dutch message."""

    def __init__(self, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra
