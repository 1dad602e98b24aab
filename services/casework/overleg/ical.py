"""A meeting as an iCalendar file (RFC 5545) for the participant's own calendar.

Written with the ``icalendar`` package (line folding, escaping, UTC times). The file leaves
the Regietafel for a calendar on a phone or laptop, so it carries no person data: the
meeting's name, time, place and voorzitter, and the casus references on the caller's own
agenda (the same agenda the policy shows on the page), never names or briefings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from icalendar import Calendar, Event

PRODID: Final = "-//Regietafel//Casusoverleg//NL"
#: A meeting type has no length of its own; the calendar entry lasts this long.
DURATION: Final = dt.timedelta(minutes=90)
MEDIA_TYPE: Final = "text/calendar; charset=utf-8"
#: The right-hand side of every UID (RFC 5545 3.8.4.7: globally unique).
UID_DOMAIN: Final = "regietafel.nl"


def meeting_calendar(
    meeting: Mapping[str, Any],
    *,
    chair_name: str | None,
    stamp: dt.datetime,
    uid_domain: str,
) -> bytes:
    """``meeting`` is the body of :func:`services.casework.overleg.service.meeting_view`."""
    start = dt.datetime.fromisoformat(meeting["datum_tijd"]).astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"overleg-{meeting['id']}@{uid_domain}")
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + DURATION)
    event.add("summary", str(meeting["naam"]))
    if meeting.get("plaats"):
        event.add("location", str(meeting["plaats"]))
    event.add("sequence", int(meeting.get("versie", 1)))
    event.add("status", "CONFIRMED")
    lines = [f"{meeting['naam']} ({meeting.get('status_label', '')})."]
    if chair_name:
        lines.append(f"Voorzitter: {chair_name}.")
    agenda = [str(item["referentie"]) for item in meeting.get("agenda", [])]
    if agenda:
        lines.append("Uw agendapunten: " + ", ".join(agenda) + ".")
    else:
        lines.append("Er staan voor u (nog) geen casussen op de agenda.")
    lines.append("Details in de Regietafel (alleen na inloggen).")
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content
