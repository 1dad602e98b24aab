"""Privacy by default in logs: BSN-like numbers never reach a log line."""

from __future__ import annotations

import json
import logging

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
