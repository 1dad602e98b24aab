"""The parts of the Logboek-shaped audit log that need no database: trace context, the
sealed data subject, the legal basis of a decision, the register, the input guard and the
database-error summary in tracebacks."""

from __future__ import annotations

import logging
import uuid

import psycopg
import pytest
from people import ZEIST, ZOETERMEER

from services.platform.authz.register import (
    GENERAL_ACTIVITY,
    activity_code,
    build_register,
    legal_basis_for,
)
from services.platform.authz.subjects import SubjectSealer
from services.platform.http.input_guard import UnstorableText, check_body, check_query, storable
from services.platform.logging import RedactingFilter, TraceContext, format_exception
from tenants.manifest import SHIPPED_MANIFESTS_DIR, load_all
from tenants.reference import ADMIN_PURPOSES, PURPOSES


def test_traceparent_is_continued_with_a_span_of_our_own() -> None:
    trace = TraceContext.from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    assert trace.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert trace.parent_span_id == "00f067aa0ba902b7"
    assert len(trace.span_id) == 16 and trace.span_id != trace.parent_span_id
    assert trace.traceparent() == f"00-{trace.trace_id}-{trace.span_id}-01"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
    ],
)
def test_an_invalid_traceparent_starts_a_new_trace(header: str | None) -> None:
    trace = TraceContext.from_traceparent(header)
    assert trace.parent_span_id is None
    assert len(trace.trace_id) == 32 and trace.trace_id != "0" * 32


def test_the_subject_is_sealed_per_tenant_and_referenced_without_its_id() -> None:
    sealer = SubjectSealer("test-secret-" + "s" * 32)
    person = uuid.uuid4()
    one, two = sealer.seal(ZEIST, person), sealer.seal(ZEIST, person)
    assert one != two  # a fresh nonce each time
    assert sealer.open(ZEIST, one) == person
    assert person.bytes not in one and str(person) not in one.hex()
    with pytest.raises(ValueError, match="does not open"):
        sealer.open(ZOETERMEER, one)
    with pytest.raises(ValueError, match="does not open"):
        SubjectSealer("another-secret-" + "s" * 32).open(ZEIST, one)
    assert sealer.reference(ZEIST, person) == sealer.reference(ZEIST, person)
    assert sealer.reference(ZEIST, person) != sealer.reference(ZOETERMEER, person)
    assert sealer.columns(ZEIST, None)["data_subject_ref"] is None


def test_the_legal_basis_comes_from_the_decision() -> None:
    assert legal_basis_for(True, {"deelnemer"}, "publieke-taak", "casusoverleg") == "publieke-taak"
    assert legal_basis_for(True, {"toestemming-geldig"}, None, "plan-van-aanpak") == "toestemming"
    assert legal_basis_for(True, {"doorbreekglas"}, None, "uitvoering") == "vitaal-belang"
    assert legal_basis_for(True, {"deelnemer"}, None, "casusoverleg") == "publieke-taak"
    assert legal_basis_for(True, set(), None, "inzage") == "wettelijke-verplichting"
    assert legal_basis_for(False, set(), None, "casusoverleg") is None
    assert legal_basis_for(False, set(), "convenant", "casusoverleg") == "convenant"


def test_every_purpose_has_an_activity_in_every_register() -> None:
    assert activity_code(None) == GENERAL_ACTIVITY
    assert activity_code("onbekend") == GENERAL_ACTIVITY
    assert activity_code("beeindiging-aansluiting") == "platformbeheer"
    for manifest in load_all(SHIPPED_MANIFESTS_DIR):
        register = build_register(manifest)
        codes = {a.code for a in register.activities}
        assert set(PURPOSES) | set(ADMIN_PURPOSES) | {GENERAL_ACTIVITY} == codes
        for activity in register.activities:
            assert (
                activity.uri
                == f"urn:regietafel:verwerkingsactiviteit:{manifest.gemeentecode}:{activity.code}"
            )
            assert activity.legal_basis and activity.retention and activity.person_categories
        bsn = "Burgerservicenummer"
        for purpose in PURPOSES:
            activity = register.activity(purpose)
            assert activity is not None
            if purpose in manifest.bsn_purposes:
                assert bsn in activity.data_categories
            elif purpose != "verantwoording":
                assert bsn not in activity.data_categories


@pytest.mark.parametrize("text", ["a\x00b", "half \ud800", "\udfff"])
def test_text_postgres_cannot_store(text: str) -> None:
    assert not storable(text)


def test_the_input_guard_reads_json_form_and_query() -> None:
    check_body("application/json", b'{"naam": "\\\\u0000 is tekst", "emoji": "\\ud83d\\ude00"}')
    check_body("application/octet-stream", b"\x00\xff")  # binary: not ours to judge
    check_query(b"doel=casusoverleg&q=%C3%A9")
    for content_type, raw in (
        ("application/json", b'{"naam": "a\\u0000b"}'),
        ("application/json; charset=utf-8", b'{"naam": ["\\udc00"]}'),
        ("application/json", b'{"a\\u0000": 1}'),
        ("application/x-www-form-urlencoded", b"naam=a%00b"),
        ("application/x-www-form-urlencoded", b"naam=%FF"),
        ("text/plain", b"a\xffb"),
    ):
        with pytest.raises(UnstorableText):
            check_body(content_type, raw)
    with pytest.raises(UnstorableText):
        check_query(b"q=%00")


def test_database_errors_lose_their_values_in_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.dberror")
    logger.addFilter(RedactingFilter())
    try:
        try:
            raise psycopg.errors.CheckViolation(
                'new row violates check constraint "x"\n'
                "DETAIL: Failing row contains (Jansen, 1999-04-03)."
            )
        except psycopg.Error as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as error:
        text = format_exception(error)
        with caplog.at_level(logging.ERROR, logger="test.dberror"):
            logger.error("failed", exc_info=error)
    for shown in (text, caplog.text):
        assert "Jansen" not in shown and "1999-04-03" not in shown
        assert "CheckViolation" in shown and "sqlstate 23514" in shown
        assert "RuntimeError: wrapped" in shown
