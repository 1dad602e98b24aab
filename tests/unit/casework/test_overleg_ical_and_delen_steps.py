"""The iCalendar file of a meeting (RFC 5545: folding, escaping, UTC) and the steps of the
delen wizard (each step names its own missing parts), as pure functions."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from people import ZEIST_PGA_EXPERT_NAME

from services.casework.informatie.delen_wizard import (
    STEPS,
    api_data,
    first_incomplete,
    necessity_text,
    step_problems,
)
from services.casework.overleg.ical import meeting_calendar

MEETING = {
    "id": "6f1c2d3e-0000-4000-8000-000000000001",
    "naam": "PGA-kernteam, week 49; extra",
    "datum_tijd": "2026-12-01T09:30:00+01:00",
    "plaats": "Gemeentehuis; kamer 2,14\\achter",
    "status_label": "Gepland",
    "versie": 3,
    "agenda": [{"referentie": f"PGA-2026-{n:04d}"} for n in range(1, 30)],
}


def test_calendar_folds_escapes_and_parses_back() -> None:
    stamp = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    raw = meeting_calendar(
        MEETING, chair_name=ZEIST_PGA_EXPERT_NAME, stamp=stamp, uid_domain="x.nl"
    )
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description is folded
    assert b"LOCATION:Gemeentehuis\\; kamer 2\\,14\\\\achter" in raw
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["LOCATION"]) == MEETING["plaats"]
    assert str(event["SUMMARY"]) == MEETING["naam"]
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert int(event["SEQUENCE"]) == 3
    assert str(event["UID"]) == f"overleg-{MEETING['id']}@x.nl"
    assert "PGA-2026-0029" in str(event["DESCRIPTION"])


def test_each_step_names_its_own_missing_parts() -> None:
    doel, noodzaak, transparantie, ontvangers = STEPS
    assert {p.field for p in step_problems(doel, {}, "algemeen")} == {"doel", "grondslag"}
    assert {p.field for p in step_problems(doel, {}, "bijzonder")} == {
        "doel",
        "grondslag",
        "art9_uitzondering",
    }
    convenant = step_problems(doel, {"doel": "casusoverleg", "grondslag": "convenant"}, "algemeen")
    assert [p.message for p in convenant] == [
        "Een convenant is geen grondslag: kies een grondslag uit art. 6 AVG."
    ]
    assert {p.field for p in step_problems(noodzaak, {"noodzaak": "x"}, "algemeen")} == {
        "proportionaliteit",
        "subsidiariteit",
    }
    assert [p.field for p in step_problems(transparantie, {}, "algemeen")] == [
        "persoon_geinformeerd"
    ]
    nee = step_problems(transparantie, {"persoon_geinformeerd": "nee"}, "algemeen")
    assert [p.field for p in nee] == ["reden_niet_geinformeerd"]
    assert step_problems(ontvangers, {}, "algemeen") == []


def test_complete_answers_make_the_api_checklist() -> None:
    answers = {
        "doel": "casusoverleg",
        "grondslag": "publieke-taak",
        "art9_uitzondering": "zorg-en-sociale-stelsels",
        "noodzaak": "Nodig voor de aanpak.",
        "proportionaliteit": "Alleen de melding.",
        "subsidiariteit": "Geen lichter middel.",
        "persoon_geinformeerd": "ja",
        "reden_niet_geinformeerd": "wordt genegeerd",
    }
    assert first_incomplete(answers, "algemeen") == (len(STEPS), [])
    data = api_data(answers, "algemeen")
    assert data["art9_uitzondering"] is None  # only for bijzondere persoonsgegevens
    assert data["reden_niet_geinformeerd"] is None and data["persoon_geinformeerd"] is True
    assert data["noodzaak"] == necessity_text(answers)
    assert necessity_text(answers) == (
        "Noodzaak: Nodig voor de aanpak.\nProportionaliteit: Alleen de melding.\n"
        "Subsidiariteit: Geen lichter middel."
    )
    index, problems = first_incomplete({**answers, "subsidiariteit": ""}, "algemeen")
    assert index == 1 and [p.field for p in problems] == ["subsidiariteit"]
