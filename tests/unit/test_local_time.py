"""Days are Dutch calendar days: a UTC timestamp late in the evening is already tomorrow."""

from __future__ import annotations

import datetime as dt

from services.casework.domain.local_time import LOCAL_TZ, local_date, local_today


def test_winter_evening_in_utc_is_the_next_day_in_the_netherlands() -> None:
    # 23:30 UTC on 27 November is 00:30 on 28 November in Amsterdam (UTC+1).
    assert local_date(dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 28)
    assert local_date(dt.datetime(2026, 11, 27, 22, 59, tzinfo=dt.UTC)) == dt.date(2026, 11, 27)


def test_summer_time_starts_the_day_two_hours_before_utc() -> None:
    # 22:30 UTC on 30 June is 00:30 on 1 July (UTC+2).
    assert local_date(dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)
    assert local_date(dt.datetime(2026, 6, 30, 21, 59, tzinfo=dt.UTC)) == dt.date(2026, 6, 30)


def test_a_naive_moment_is_taken_as_local() -> None:
    assert local_date(dt.datetime(2026, 11, 27, 23, 30)) == dt.date(2026, 11, 27)


def test_local_today_is_the_amsterdam_date() -> None:
    before = dt.datetime.now(LOCAL_TZ).date()
    today = local_today()
    after = dt.datetime.now(LOCAL_TZ).date()
    assert today in {before, after}
