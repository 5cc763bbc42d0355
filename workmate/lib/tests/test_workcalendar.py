"""Tests for the working-time calendar behind reply-by deadlines and SLA clocks."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workmate.lib.workcalendar import (
    COMPANY_DAY_OFF,
    WorkingHours,
    add_working_time,
    working_time_between,
)

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC

H = datetime.timedelta(hours=1)
MON_FRI = frozenset(range(5))


def seoul_office(**overrides: object) -> WorkingHours:
    """Seoul 09:00-18:00, Monday to Friday, Korean public holidays."""
    fields: dict[object, object] = {
        "time_zone": "Asia/Seoul",
        "weekdays": MON_FRI,
        "start": datetime.time(9),
        "end": datetime.time(18),
        "holiday_country": "KR",
    }
    fields.update(overrides)
    return WorkingHours(**fields)  # type: ignore[arg-type]


def seoul(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def kr_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year)


# Concrete examples in Seoul.


def test_request_sent_friday_evening_is_due_monday() -> None:
    # 14 and 17 November 2025 are an ordinary Friday and Monday, with no holiday nearby.
    friday = datetime.date(2025, 11, 14)
    assert friday.weekday() == 4
    nearby = [friday + datetime.timedelta(days=n) for n in range(-3, 7)]
    assert not any(day in kr_holidays(2025) for day in nearby)

    due = add_working_time(seoul_office(), seoul(2025, 11, 14, 18, 50), 8 * H)

    assert due == seoul(2025, 11, 17, 17, 0)
    assert due.tzinfo is UTC


def test_work_ending_at_closing_time_is_due_at_closing_not_next_morning() -> None:
    due = add_working_time(seoul_office(), seoul(2025, 11, 17, 9, 0), 9 * H)

    assert due == seoul(2025, 11, 17, 18, 0)


def test_request_sent_during_work_counts_from_that_minute() -> None:
    due = add_working_time(seoul_office(), seoul(2025, 11, 17, 16, 30), 2 * H)

    assert due == seoul(2025, 11, 18, 9, 30)


def test_zero_duration_returns_start_even_outside_working_time() -> None:
    sunday_night = seoul(2025, 11, 16, 23, 0)

    assert add_working_time(seoul_office(), sunday_night, datetime.timedelta(0)) == sunday_night


def test_installed_holidays_include_korean_substitute_days() -> None:
    # The Chuseok and Seollal cases below rely on these; if python-holidays drops them,
    # this test names the cause.
    assert "Alternative" in kr_holidays(2025)[datetime.date(2025, 10, 8)]
    assert "Alternative" in kr_holidays(2025)[datetime.date(2025, 3, 3)]
    assert "Alternative" in kr_holidays(2026)[datetime.date(2026, 3, 2)]
    assert "Alternative" in kr_holidays(2026)[datetime.date(2026, 10, 5)]


def test_reply_by_skips_chuseok() -> None:
    # Friday 3 Oct is National Foundation Day, 5-7 Oct is Chuseok, Wednesday 8 Oct is the
    # substitute for Chuseok falling partly on a Sunday, and Thursday 9 Oct is Hangul Day.
    hours = seoul_office()
    for day in range(3, 10):
        assert not hours.is_working_day(datetime.date(2025, 10, day))
    assert hours.holiday_name(datetime.date(2025, 10, 8)) == "Alternative holiday for Chuseok"

    due = add_working_time(hours, seoul(2025, 10, 2, 17, 0), 2 * H)

    # One hour on Thursday 2 Oct, the second one on Friday 10 Oct.
    assert due == seoul(2025, 10, 10, 10, 0)
    # Without holidays the same request would be due on 3 Oct, so the skip is real.
    assert add_working_time(
        seoul_office(holiday_country=None), seoul(2025, 10, 2, 17, 0), 2 * H
    ) == seoul(2025, 10, 3, 10, 0)


def test_reply_by_skips_seollal() -> None:
    # Seollal 2026 takes Monday 16 to Wednesday 18 February.
    hours = seoul_office()
    assert [hours.is_working_day(datetime.date(2026, 2, day)) for day in range(13, 20)] == [
        True,  # Friday 13
        False,  # Saturday
        False,  # Sunday
        False,  # Seollal eve
        False,  # Seollal
        False,  # Day after Seollal
        True,  # Thursday 19
    ]

    due = add_working_time(hours, seoul(2026, 2, 13, 17, 0), 4 * H)

    assert due == seoul(2026, 2, 19, 12, 0)


def test_sla_clock_stops_over_seollal() -> None:
    elapsed = working_time_between(seoul_office(), seoul(2026, 2, 13, 9), seoul(2026, 2, 20, 9))

    # Only Friday 13 and Thursday 19 count.
    assert elapsed == 18 * H


def test_company_day_off_is_skipped() -> None:
    monday = datetime.date(2025, 11, 17)
    hours = seoul_office(days_off=frozenset({monday}))

    assert not hours.is_working_day(monday)
    assert hours.holiday_name(monday) == COMPANY_DAY_OFF
    assert hours.interval_on(monday) is None
    assert add_working_time(hours, seoul(2025, 11, 14, 18, 50), 8 * H) == seoul(2025, 11, 18, 17, 0)


def test_public_holiday_name_wins_over_company_day_off() -> None:
    chuseok = datetime.date(2025, 10, 6)
    hours = seoul_office(days_off=frozenset({chuseok}))

    assert hours.holiday_name(chuseok) == "Chuseok"
    assert hours.holiday_name(datetime.date(2025, 10, 2)) is None


def test_interval_on_gives_utc_bounds_of_the_local_day() -> None:
    interval = seoul_office().interval_on(datetime.date(2025, 11, 17))

    assert interval == (
        datetime.datetime(2025, 11, 17, 0, 0, tzinfo=UTC),
        datetime.datetime(2025, 11, 17, 9, 0, tzinfo=UTC),
    )
    assert seoul_office().interval_on(datetime.date(2025, 11, 16)) is None


def test_is_working_at_includes_start_and_excludes_end() -> None:
    hours = seoul_office()

    assert hours.is_working_at(seoul(2025, 11, 17, 9, 0))
    assert hours.is_working_at(seoul(2025, 11, 17, 17, 59))
    assert not hours.is_working_at(seoul(2025, 11, 17, 18, 0))
    assert not hours.is_working_at(seoul(2025, 11, 17, 8, 59))


def test_next_working_moment_waits_for_opening_or_stays_put() -> None:
    hours = seoul_office()

    assert hours.next_working_moment(seoul(2025, 11, 15, 12, 0)) == seoul(2025, 11, 17, 9, 0)
    assert hours.next_working_moment(seoul(2025, 11, 17, 11, 0)) == seoul(2025, 11, 17, 11, 0)


def test_intervals_from_clips_the_first_interval_to_the_moment() -> None:
    intervals = seoul_office().intervals_from(seoul(2025, 11, 14, 12, 0))

    assert next(intervals) == (seoul(2025, 11, 14, 12, 0), seoul(2025, 11, 14, 18, 0))
    assert next(intervals) == (seoul(2025, 11, 17, 9, 0), seoul(2025, 11, 17, 18, 0))


def test_input_in_another_zone_means_the_same_instant() -> None:
    # 09:50 UTC on Friday is 18:50 in Seoul.
    friday_evening_utc = datetime.datetime(2025, 11, 14, 9, 50, tzinfo=UTC)

    assert add_working_time(seoul_office(), friday_evening_utc, 8 * H) == seoul(2025, 11, 17, 17, 0)


def test_working_time_between_is_negative_when_reversed() -> None:
    a, b = seoul(2025, 11, 14, 12, 0), seoul(2025, 11, 17, 12, 0)

    assert working_time_between(seoul_office(), a, b) == 9 * H
    assert working_time_between(seoul_office(), b, a) == -9 * H


def test_a_year_of_working_time_is_computed_quickly() -> None:
    hours = seoul_office()
    start = seoul(2025, 1, 1)

    elapsed = working_time_between(hours, start, seoul(2026, 1, 1))

    working_days = sum(
        hours.is_working_day(datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
        for n in range(365)
    )
    assert elapsed == working_days * 9 * H
    assert add_working_time(hours, start, elapsed) == seoul(2025, 12, 31, 18, 0)


# Daylight saving time, for people abroad.


def test_week_in_berlin_across_spring_dst_switch_is_exact() -> None:
    # Clocks in Berlin jump from 02:00 to 03:00 on Sunday 29 March 2026.
    office = WorkingHours("Europe/Berlin", MON_FRI, datetime.time(9), datetime.time(17), "DE")
    week_start = datetime.datetime(2026, 3, 23, tzinfo=BERLIN)
    next_week = datetime.datetime(2026, 3, 30, tzinfo=BERLIN)

    assert working_time_between(office, week_start, next_week) == 40 * H
    # 09:00 local is 08:00 UTC before the switch and 07:00 UTC after it.
    assert office.interval_on(datetime.date(2026, 3, 27))[0].hour == 8  # type: ignore[index]
    assert office.interval_on(datetime.date(2026, 3, 30))[0].hour == 7  # type: ignore[index]
    # A Friday-afternoon request due in 8 working hours is due at Monday 16:00 local.
    friday = datetime.datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)
    assert add_working_time(office, friday, 8 * H) == datetime.datetime(
        2026, 3, 30, 16, 0, tzinfo=BERLIN
    )

    around_the_clock = WorkingHours.around_the_clock("Europe/Berlin")
    assert working_time_between(around_the_clock, week_start, next_week) == 167 * H


def test_working_day_starting_in_dst_gap_still_works() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026; it resolves to 03:30 summer time.
    night_shift = WorkingHours(
        "Europe/Berlin", frozenset(range(7)), datetime.time(2, 30), datetime.time(10), None
    )

    start, end = night_shift.interval_on(datetime.date(2026, 3, 29))  # type: ignore[misc]

    assert start == datetime.datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert end == datetime.datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)
    assert end - start == 6.5 * H


def test_day_emptied_by_dst_gap_is_skipped() -> None:
    # A shift from 02:15 to 03:00 falls entirely into the gap on 29 March 2026.
    gap_shift = WorkingHours(
        "Europe/Berlin", frozenset(range(7)), datetime.time(2, 15), datetime.time(3), None
    )

    assert gap_shift.interval_on(datetime.date(2026, 3, 29)) is None
    assert gap_shift.interval_on(datetime.date(2026, 3, 30)) is not None


def test_week_in_los_angeles_across_autumn_dst_switch_is_exact() -> None:
    # Clocks in Los Angeles go back from 02:00 to 01:00 on Sunday 1 November 2026.
    office = WorkingHours(
        "America/Los_Angeles", MON_FRI, datetime.time(8, 30), datetime.time(17), "US"
    )
    week_start = datetime.datetime(2026, 10, 26, tzinfo=LOS_ANGELES)
    next_week = datetime.datetime(2026, 11, 2, tzinfo=LOS_ANGELES)

    assert working_time_between(office, week_start, next_week) == 42.5 * H
    around_the_clock = WorkingHours.around_the_clock("America/Los_Angeles")
    assert working_time_between(around_the_clock, week_start, next_week) == 169 * H
    sunday = around_the_clock.interval_on(datetime.date(2026, 11, 1))
    assert sunday is not None
    assert sunday[1] - sunday[0] == 25 * H


def test_around_the_clock_adds_real_time() -> None:
    hours = WorkingHours.around_the_clock()
    moments = [
        seoul(2025, 10, 3, 22, 17),  # A public holiday, late at night.
        datetime.datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN),  # Just before a DST switch.
        datetime.datetime(2026, 11, 1, 0, 0, tzinfo=LOS_ANGELES),
    ]

    for moment in moments:
        # Aware arithmetic in one zone adds wall-clock time, so compare in UTC.
        assert add_working_time(hours, moment, 5 * H) == moment.astimezone(UTC) + 5 * H


# Validation.


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown time zone 'Mars/Olympus'"):
        seoul_office(time_zone="Mars/Olympus")


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="must be after its start"):
        seoul_office(start=datetime.time(18), end=datetime.time(9))
    with pytest.raises(ValueError, match="must be after its start"):
        seoul_office(start=datetime.time(9), end=datetime.time(9))


def test_empty_weekdays_are_refused() -> None:
    with pytest.raises(ValueError, match="At least one working weekday"):
        seoul_office(weekdays=frozenset())


def test_weekday_outside_monday_to_sunday_is_refused() -> None:
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6 \\(Sunday\\), got 7"):
        seoul_office(weekdays=frozenset({0, 7}))


def test_unknown_holiday_country_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown holiday country 'XX'"):
        seoul_office(holiday_country="XX")


def test_naive_datetimes_are_refused() -> None:
    naive = datetime.datetime(2025, 11, 14, 18, 50)
    aware = seoul(2025, 11, 14, 18, 50)
    hours = seoul_office()

    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(hours, naive, H)
    with pytest.raises(ValueError, match="timezone-aware"):
        working_time_between(hours, aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        hours.is_working_at(naive)


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_time(seoul_office(), seoul(2025, 11, 14, 12), -H)


def test_calendar_without_working_time_gives_up_after_twenty_years() -> None:
    mondays_off = frozenset(
        datetime.date(2025, 1, 6) + datetime.timedelta(weeks=n) for n in range(52 * 21)
    )
    never = seoul_office(weekdays=frozenset({0}), days_off=mondays_off, holiday_country=None)

    with pytest.raises(RuntimeError, match="20 years"):
        add_working_time(never, seoul(2025, 1, 1), H)


def test_sets_are_accepted_and_normalised_to_frozensets() -> None:
    hours = seoul_office(weekdays={0, 1}, days_off=[datetime.date(2025, 11, 17)])

    assert hours.weekdays == frozenset({0, 1})
    assert isinstance(hours.days_off, frozenset)
    assert hash(hours) == hash(seoul_office(weekdays=frozenset({0, 1}), days_off=hours.days_off))


# Properties over random calendars, moments and durations.

ZONES = ["Asia/Seoul", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney"]
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    # Start and end are drawn at minute granularity over the whole day, so some calendars
    # start or end inside a DST gap or overlap. A working day is at least an hour long, so that
    # 200 hours of work on a one-day week still fit well inside the 20-year horizon.
    start_minute = draw(st.integers(0, 23 * 60 - 1))
    end_minute = draw(st.none() | st.integers(start_minute + 60, 24 * 60 - 1))
    return WorkingHours(
        time_zone=draw(st.sampled_from(ZONES)),
        weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        start=datetime.time(*divmod(start_minute, 60)),
        end=None if end_minute is None else datetime.time(*divmod(end_minute, 60)),
        holiday_country=draw(st.sampled_from(["KR", None])),
    )


aware_moments = st.datetimes(
    min_value=datetime.datetime(2020, 1, 1),
    max_value=datetime.datetime(2030, 12, 31),
    timezones=st.sampled_from([ZoneInfo(name) for name in ZONES]),
)
durations = st.integers(0, 200 * 60).map(lambda minutes: datetime.timedelta(minutes=minutes))
spans = st.integers(0, 30 * 24 * 60).map(lambda minutes: datetime.timedelta(minutes=minutes))


@PROPERTY_SETTINGS
@given(hours=working_hours(), start=aware_moments, duration=durations)
def test_working_time_until_deadline_equals_duration(
    hours: WorkingHours, start: datetime.datetime, duration: datetime.timedelta
) -> None:
    due = add_working_time(hours, start, duration)

    assert due.tzinfo is UTC
    assert due >= start
    assert working_time_between(hours, start, due) == duration


@PROPERTY_SETTINGS
@given(hours=working_hours(), start=aware_moments, duration=durations)
def test_deadline_is_never_outside_working_time(
    hours: WorkingHours, start: datetime.datetime, duration: datetime.timedelta
) -> None:
    if not duration:
        return
    due = add_working_time(hours, start, duration)

    local_day = due.astimezone(hours.zone).date()
    interval_ends = {
        interval[1]
        for day in (local_day - datetime.timedelta(days=1), local_day)
        if (interval := hours.interval_on(day)) is not None
    }
    assert hours.is_working_at(due) or due in interval_ends


@PROPERTY_SETTINGS
@given(hours=working_hours(), start=aware_moments, d1=durations, d2=durations)
def test_longer_duration_is_never_due_earlier(
    hours: WorkingHours,
    start: datetime.datetime,
    d1: datetime.timedelta,
    d2: datetime.timedelta,
) -> None:
    d1, d2 = sorted((d1, d2))

    assert add_working_time(hours, start, d1) <= add_working_time(hours, start, d2)


@PROPERTY_SETTINGS
@given(hours=working_hours(), a=aware_moments, ab=spans, bc=spans)
def test_working_time_between_is_additive(
    hours: WorkingHours,
    a: datetime.datetime,
    ab: datetime.timedelta,
    bc: datetime.timedelta,
) -> None:
    # Aware arithmetic in one zone adds wall-clock time, which can go backwards across a DST
    # switch, so the points are spaced in UTC.
    b = a.astimezone(UTC) + ab
    c = b + bc

    assert working_time_between(hours, a, b) + working_time_between(
        hours, b, c
    ) == working_time_between(hours, a, c)


@PROPERTY_SETTINGS
@given(hours=working_hours(), a=aware_moments, span=spans)
def test_working_time_never_exceeds_real_time(
    hours: WorkingHours, a: datetime.datetime, span: datetime.timedelta
) -> None:
    b = a.astimezone(UTC) + span

    assert datetime.timedelta(0) <= working_time_between(hours, a, b) <= b - a
