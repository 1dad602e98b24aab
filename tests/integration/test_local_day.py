"""The service's "today" is the Dutch calendar day (a bug found by CI at 00:07 Amsterdam
time, 23:07 UTC: the verslag form said the meeting of that morning was still to come, and
the service took the aanmelddatum and "vandaag" from the UTC date).

The workspace's clock is injected (``now``), so these hold at any hour of the day."""

from __future__ import annotations

import datetime as dt

import pytest
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import principal_of

from services.casework.casussen import aanmelden
from services.casework.domain.errors import DomainValidationError
from services.casework.domain.local_time import LOCAL_TZ
from services.casework.errors import Conflict
from services.casework.overleg import service as overleg
from services.casework.personen.service import PersonInput
from services.casework.unit_of_work import workspace
from services.runtime import Runtime
from tenants.manifest import Manifest

#: 23:30 UTC on New Year's Eve: 00:30 on 1 January 2031 in the Netherlands.
NEW_YEAR_UTC = dt.datetime(2030, 12, 31, 23, 30, tzinfo=dt.UTC)


def test_today_is_the_dutch_day(runtime: Runtime, test_tenants: list[Manifest]) -> None:
    expert = principal_of(runtime, ZEIST_PGA_EXPERT)
    with workspace(runtime.casework, expert, now=NEW_YEAR_UTC) as ws:
        assert ws.today == dt.date(2031, 1, 1)
    with workspace(runtime.casework, expert, now=NEW_YEAR_UTC - dt.timedelta(hours=1)) as ws:
        assert ws.today == dt.date(2030, 12, 31)


def test_aanmelding_after_midnight_is_dated_and_numbered_in_the_new_year(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    wijkagent = principal_of(runtime, ZEIST_WIJKAGENT)
    with workspace(runtime.casework, wijkagent, now=NEW_YEAR_UTC) as ws:
        casus = aanmelden.aanmelden(
            ws,
            aanmelden.Aanmelding(
                kind="persoon",
                waarom_integraal="Lokale dag: aangemeld kort na middernacht.",
                problemen={"financien": "Schulden."},
                geinformeerd=True,
                person=PersonInput("Nina", "Nieuwjaar"),
                person_id=None,
            ),
        )
        assert casus.aanmeld_date == dt.date(2031, 1, 1)
        assert casus.reference.startswith(f"{ZEIST}-2031-")


def test_verslag_of_this_mornings_meeting_can_be_recorded_after_midnight(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    """A meeting at 09:30 on 1 January 2031 (Amsterdam): its verslag may be recorded from
    that day on. At 00:30 local (23:30 UTC the day before) that day has begun; at 23:30
    local on 31 December it has not."""
    expert = principal_of(runtime, ZEIST_PGA_EXPERT)
    start = dt.datetime(2031, 1, 1, 9, 30, tzinfo=LOCAL_TZ)
    with workspace(runtime.casework, expert, now=NEW_YEAR_UTC) as ws:
        meeting = overleg.create_meeting(ws, "veldtafel", start, None)
        meeting_id, version = meeting.id, meeting.version
    with workspace(runtime.casework, expert, now=NEW_YEAR_UTC - dt.timedelta(hours=1)) as ws:
        with pytest.raises(Conflict) as early:
            overleg.record_minutes(ws, meeting_id, version, overleg.Minutes(items=[]))
        assert early.value.code == "overleg-nog-niet-gehouden"
    with workspace(runtime.casework, expert, now=NEW_YEAR_UTC) as ws:
        # The day has begun: the (empty) verslag is judged on its content, not refused as
        # too early.
        with pytest.raises(DomainValidationError) as empty:
            overleg.record_minutes(ws, meeting_id, version, overleg.Minutes(items=[]))
        assert [p.field for p in empty.value.problems] == ["agendapunten"]
