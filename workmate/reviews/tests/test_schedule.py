"""Deadlines in working days and reminder moments, on the company calendar (Seoul, KR)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from workmate.lib.workcalendar import WorkingHours
from workmate.reviews.schedule import (
    Reminder,
    end_of_working_days,
    feedback_reply_by,
    reminder_due,
    step_deadlines,
)

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
HOURS = WorkingHours(
    time_zone="Asia/Seoul",
    weekdays=frozenset(range(5)),
    start=datetime.time(9),
    end=datetime.time(18),
    holiday_country="KR",
)


def seoul(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def test_five_working_days_from_a_monday_end_next_monday_evening():
    # Opened Monday 2026-11-02 10:00: Tue..Fri and Monday 9th.
    assert end_of_working_days(HOURS, seoul(2026, 11, 2, 10), 5) == seoul(2026, 11, 9, 18)


def test_working_days_skip_weekends_and_chuseok():
    # Chuseok 2026: 24–26 September (Thu–Sat); National Foundation Day falls on Saturday
    # 3 October and its alternative holiday on Monday the 5th.
    # Opened Wed 23rd: Mon 28, Tue 29, Wed 30 are the next three working days.
    assert end_of_working_days(HOURS, seoul(2026, 9, 23, 15), 3) == seoul(2026, 9, 30, 18)
    # ... and the sixth is Tuesday 6 October (Thu 1, Fri 2, then the 5th is off).
    assert end_of_working_days(HOURS, seoul(2026, 9, 23, 15), 6) == seoul(2026, 10, 6, 18)


def test_company_day_off_is_skipped():
    hours = WorkingHours(
        time_zone="Asia/Seoul",
        weekdays=frozenset(range(5)),
        start=datetime.time(9),
        end=datetime.time(18),
        holiday_country="KR",
        days_off=frozenset({datetime.date(2026, 11, 3)}),
    )
    assert end_of_working_days(hours, seoul(2026, 11, 2, 10), 1) == seoul(2026, 11, 4, 18)


def test_zero_days_is_the_end_of_today_or_the_next_working_day():
    assert end_of_working_days(HOURS, seoul(2026, 11, 2, 10), 0) == seoul(2026, 11, 2, 18)
    assert end_of_working_days(HOURS, seoul(2026, 11, 6, 19), 0) == seoul(2026, 11, 9, 18)
    with pytest.raises(ValueError):
        end_of_working_days(HOURS, seoul(2026, 11, 2, 10), -1)


def test_step_deadlines_follow_each_other():
    self_due, feedback_due, assessment_due, calibration_due = step_deadlines(
        HOURS, seoul(2026, 11, 2, 10), (5, 5, 3, 2)
    )
    assert self_due == seoul(2026, 11, 9, 18)
    assert feedback_due == seoul(2026, 11, 16, 18)
    assert assessment_due == seoul(2026, 11, 19, 18)
    assert calibration_due == seoul(2026, 11, 23, 18)


def test_reminder_soon_within_a_working_day_and_late_after():
    deadline = seoul(2026, 11, 9, 18)
    assert reminder_due(HOURS, deadline, seoul(2026, 11, 6, 10)) is None
    assert reminder_due(HOURS, deadline, seoul(2026, 11, 6, 17)) is None  # 10 h left
    assert reminder_due(HOURS, deadline, seoul(2026, 11, 9, 9)) == Reminder.SOON
    assert reminder_due(HOURS, deadline, seoul(2026, 11, 10, 9)) == Reminder.LATE


def test_never_a_reminder_outside_working_hours():
    deadline = seoul(2026, 11, 9, 18)
    assert reminder_due(HOURS, deadline, seoul(2026, 11, 9, 8, 59)) is None  # before 9
    assert reminder_due(HOURS, deadline, seoul(2026, 11, 9, 18)) is None  # after hours
    assert reminder_due(HOURS, deadline, seoul(2026, 11, 14, 11)) is None  # Saturday


def test_feedback_reply_by_is_in_the_colleagues_calendar_and_capped_by_the_cycle():
    berlin = WorkingHours(
        time_zone="Europe/Berlin",
        weekdays=frozenset(range(5)),
        start=datetime.time(9),
        end=datetime.time(17),
        holiday_country="DE",
    )
    now = seoul(2026, 11, 2, 10)  # Monday 02:00 in Berlin
    cycle_due = seoul(2026, 11, 30, 18)
    reply_by = feedback_reply_by(berlin, now, 3, cycle_due)
    assert reply_by == datetime.datetime(2026, 11, 5, 17, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    # A cycle ending sooner caps it.
    assert feedback_reply_by(HOURS, now, 5, seoul(2026, 11, 4, 18)) == seoul(2026, 11, 4, 18)
    # Less than a working day of theirs left: too late to ask.
    assert feedback_reply_by(HOURS, seoul(2026, 11, 4, 12), 5, seoul(2026, 11, 4, 18)) is None
