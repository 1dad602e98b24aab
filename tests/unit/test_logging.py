"""Privacy by default in logs: BSN-like numbers never reach a log line."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from services.platform.logging import JsonFormatter, RedactingFilter, request_id_var


def test_bsn_is_masked_in_message_and_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("persoon met bsn %s gevonden", "111222333")
    assert "111222333" not in caplog.text
    assert "[BSN-GEMASKEERD]" in caplog.text


def test_json_lines_carry_the_request_id() -> None:
    token = request_id_var.set("abc12345")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hallo", None, None)
        RedactingFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "abc12345"
    assert line["msg"] == "hallo"


def test_the_handler_writes_to_stderr_as_it_is_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread that logs after the stream that was stderr at set-up was closed (a test's
    captured output) used to fail with "I/O operation on closed file"."""
    from services.platform.logging import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    then, now = io.StringIO(), io.StringIO()
    try:
        monkeypatch.setattr(sys, "stderr", then)
        configure_logging("INFO", json_output=False)
        logging.getLogger("test.stderr").info("eerst")
        then.close()
        monkeypatch.setattr(sys, "stderr", now)
        (handler,) = root.handlers
        errors: list[BaseException] = []
        monkeypatch.setattr(handler, "handleError", lambda record: errors.append(sys.exc_info()[1]))
        logging.getLogger("test.stderr").info("daarna")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert errors == []
    assert "daarna" in now.getvalue()


def test_a_stream_set_on_the_handler_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.platform.logging import StderrHandler

    kept, other = io.StringIO(), io.StringIO()
    handler = StderrHandler()
    handler.setStream(kept)
    monkeypatch.setattr(sys, "stderr", other)
    handler.emit(logging.LogRecord("x", logging.INFO, __file__, 1, "hier", None, None))
    assert "hier" in kept.getvalue()
    assert other.getvalue() == ""
