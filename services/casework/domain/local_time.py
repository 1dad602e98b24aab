"""The calendar of the people who use Regietafel: Dutch local time (Europe/Amsterdam).

Moments are stored and compared as aware UTC timestamps; *days* (today, the day of a
meeting, a deadline, an aanmelddatum) are days in the Netherlands. Taking a day from a UTC
timestamp is wrong for one or two hours every night (a meeting at 00:30 would fall on the
day before; between midnight and 01:00/02:00 "today" would still be yesterday)."""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo

LOCAL_TZ: Final = ZoneInfo("Europe/Amsterdam")


def local_date(moment: dt.datetime) -> dt.date:
    """The Dutch calendar day of ``moment`` (an aware timestamp; a naive one is taken as
    already local)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LOCAL_TZ).date()


def local_today() -> dt.date:
    """Today in the Netherlands, whatever the server's own time zone."""
    return dt.datetime.now(LOCAL_TZ).date()
