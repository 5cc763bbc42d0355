"""A review cycle's calendar: deadlines in working days, and when to remind whom.

Plain functions over `workmate.lib.workcalendar.WorkingHours`, so the clock, the forms and
the tests share them and a frozen clock is all a test needs.
"""

from __future__ import annotations

import datetime

from workmate.lib.workcalendar import WorkingHours, working_time_between

# A working day of the company calendar (09–18), for "within a working day" questions.
WORKDAY = datetime.timedelta(hours=9)


def end_of_working_days(
    hours: WorkingHours, start: datetime.datetime, days: int
) -> datetime.datetime:
    """The end of the `days`-th working day after `start`'s local date (aware UTC).

    Steps: walk the local dates after the one `start` falls on; count those that are
    working days (weekday, not a public holiday or company day off); return the end of
    the working day of the `days`-th. The opening day itself never counts, so "5 working
    days" opened on any day gives five whole days to write in. Zero days is the end of
    `start`'s own working day (or of the next one, when `start` is after hours).
    """
    if days < 0:
        raise ValueError(f"Working days must not be negative, got {days}.")
    day = start.astimezone(hours.zone).date()
    if days == 0:
        interval = hours.interval_on(day)
        if interval is not None and interval[1] > start:
            return interval[1]
    counted = 0
    for _step in range(20 * 366):
        day += datetime.timedelta(days=1)
        interval = hours.interval_on(day)
        if interval is None:
            continue
        counted += 1
        if counted >= max(days, 1):
            return interval[1]
    raise RuntimeError("No working day within twenty years; check the calendar.")


def step_deadlines(
    hours: WorkingHours, opened_at: datetime.datetime, days: tuple[int, int, int, int]
) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime, datetime.datetime]:
    """The four deadlines of a cycle, each counted in working days from the one before:
    self reviews (and asking for feedback), peer feedback, leads' assessments, calibration."""
    deadlines = []
    moment = opened_at
    for count in days:
        moment = end_of_working_days(hours, moment, count)
        deadlines.append(moment)
    return deadlines[0], deadlines[1], deadlines[2], deadlines[3]


class Reminder:
    """Which reminder a step is due for: none, "soon" (within a working day) or "late"."""

    SOON = "soon"
    LATE = "late"


def reminder_due(
    hours: WorkingHours, deadline: datetime.datetime, now: datetime.datetime
) -> str | None:
    """The reminder a person with calendar `hours` is due for a step ending at `deadline`.

    Never outside their working time: at night or on a holiday nothing is due, and the
    reminder waits for their next working moment (the clock asks every minute). Inside
    it: "soon" when less than a working day of their time is left, "late" once the
    deadline has passed, nothing before that.
    """
    if not hours.is_working_at(now):
        return None
    if now >= deadline:
        return Reminder.LATE
    if working_time_between(hours, now, deadline) <= WORKDAY:
        return Reminder.SOON
    return None


def feedback_reply_by(
    hours: WorkingHours, now: datetime.datetime, days: int, cycle_deadline: datetime.datetime
) -> datetime.datetime | None:
    """The reply-by of a feedback request to a colleague with calendar `hours`.

    The end of their `days`-th working day, but no later than the cycle's feedback
    deadline; None when that leaves them less than a working day of their own time
    (too late to ask them in this cycle).
    """
    reply_by = min(end_of_working_days(hours, now, days), cycle_deadline)
    if working_time_between(hours, now, reply_by) < WORKDAY:
        return None
    return reply_by
