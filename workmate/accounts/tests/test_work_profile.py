"""WorkProfile: quiet hours, the working-time calendar it builds and its constraints."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from workmate.accounts.models import CompanyDayOff, WorkMode, WorkProfile
from workmate.lib.workcalendar import COMPANY_DAY_OFF
from workmate.testing.factories import make_user

SEOUL = ZoneInfo("Asia/Seoul")
UTC = datetime.UTC
T = datetime.time


def profile(**fields: object) -> WorkProfile:
    """An unsaved profile: the methods under test need no database."""
    return WorkProfile(**fields)


def seoul_at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 9, 23, hour, minute, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (21, 59, False),
        (22, 0, True),
        (23, 30, True),
        (0, 0, True),
        (6, 59, True),
        (7, 0, False),
        (12, 0, False),
    ],
)
def test_quiet_hours_wrapping_midnight(hour, minute, quiet):
    night = profile(time_zone="Asia/Seoul", quiet_start=T(22), quiet_end=T(7))

    assert night.is_quiet_at(seoul_at(hour, minute)) is quiet


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(11, 59, False), (12, 0, True), (12, 59, True), (13, 0, False), (0, 30, False)],
)
def test_quiet_hours_within_a_day(hour, minute, quiet):
    lunch = profile(time_zone="Asia/Seoul", quiet_start=T(12), quiet_end=T(13))

    assert lunch.is_quiet_at(seoul_at(hour, minute)) is quiet


def test_quiet_hours_are_read_in_the_persons_own_zone():
    berlin = profile(time_zone="Europe/Berlin", quiet_start=T(22), quiet_end=T(7))

    # 05:00 in Seoul is 22:00 the evening before in Berlin (summer time).
    assert berlin.is_quiet_at(seoul_at(5))
    # 15:00 in Seoul is 08:00 in Berlin: morning, no longer quiet.
    assert not berlin.is_quiet_at(seoul_at(15))


def test_no_quiet_hours_is_never_quiet():
    assert not profile(time_zone="Asia/Seoul").is_quiet_at(seoul_at(3))


@given(
    start=st.integers(0, 23),
    end=st.integers(0, 23),
    moment=st.datetimes(
        min_value=datetime.datetime(2020, 1, 1), max_value=datetime.datetime(2030, 1, 1)
    ),
)
def test_quiet_hours_match_their_definition(start, end, moment):
    # One formula for both shapes: quiet time is everything from start up to end, going round
    # the clock when end comes first.
    assume(start != end)
    subject = profile(time_zone="Asia/Seoul", quiet_start=T(start), quiet_end=T(end))
    aware = moment.replace(tzinfo=UTC)
    local_hour = aware.astimezone(SEOUL).hour
    expected = (local_hour - start) % 24 < (end - start) % 24

    assert subject.is_quiet_at(aware) is expected


def test_working_hours_follow_the_profile(db):
    person = make_user(
        profile={
            "time_zone": "Europe/Berlin",
            "work_days": [0, 1, 2, 3],
            "work_start": T(8),
            "work_end": T(16, 30),
            "holiday_country": "DE",
        }
    )

    hours = person.profile.working_hours(frozenset())

    assert (hours.time_zone, hours.weekdays, hours.start, hours.end) == (
        "Europe/Berlin",
        frozenset({0, 1, 2, 3}),
        T(8),
        T(16, 30),
    )
    assert hours.holiday_country == "DE"
    assert not hours.is_working_day(datetime.date(2025, 9, 26))  # A Friday.


def test_working_hours_without_holiday_country_ignore_public_holidays(db):
    person = make_user(profile={"holiday_country": ""})

    hours = person.profile.working_hours(frozenset())

    assert hours.holiday_country is None
    assert hours.is_working_day(datetime.date(2025, 10, 6))  # Chuseok, a Monday.


def test_working_hours_take_company_days_off_from_the_database(db):
    person = make_user()
    foundation_day = datetime.date(2025, 9, 23)
    CompanyDayOff.objects.create(date=foundation_day, name="Foundation day")

    hours = person.profile.working_hours()

    assert not hours.is_working_day(foundation_day)
    assert hours.holiday_name(foundation_day) == COMPANY_DAY_OFF
    assert hours.is_working_day(foundation_day + datetime.timedelta(days=1))


def test_working_hours_with_given_days_off_do_not_query(db, django_assert_num_queries):
    person = make_user()
    CompanyDayOff.objects.create(date=datetime.date(2025, 9, 23), name="Foundation day")

    with django_assert_num_queries(0):
        hours = person.profile.working_hours(frozenset())

    assert hours.is_working_day(datetime.date(2025, 9, 23))


def test_usual_mode_per_weekday():
    modes = [WorkMode.OFFICE, WorkMode.HOME, WorkMode.WORKATION] + [WorkMode.OFFICE] * 4
    subject = profile(weekly_modes=modes)

    assert subject.usual_mode(datetime.date(2025, 9, 23)) == WorkMode.HOME  # Tuesday.
    assert subject.usual_mode(datetime.date(2025, 9, 24)) == WorkMode.WORKATION


@pytest.mark.parametrize("modes", [[], [WorkMode.HOME] * 3, None])
def test_usual_mode_falls_back_to_office_on_a_broken_pattern(modes):
    assert profile(weekly_modes=modes).usual_mode(datetime.date(2025, 9, 23)) == WorkMode.OFFICE


def test_local_now_is_in_the_persons_zone():
    moment = datetime.datetime(2025, 9, 23, 1, 0, tzinfo=UTC)

    local = profile(time_zone="America/Los_Angeles").local_now(moment)

    assert (local.date(), local.hour, str(local.tzinfo)) == (
        datetime.date(2025, 9, 22),
        18,
        "America/Los_Angeles",
    )


def test_work_days_display_is_in_weekday_order():
    with translation.override("en"):
        assert profile(work_days=[4, 0, 2]).work_days_display == "Mon, Wed, Fri"


def test_database_refuses_a_day_that_ends_before_it_starts(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkProfile.objects.filter(user=alice).update(work_start=T(18), work_end=T(9))

    alice.profile.refresh_from_db()
    assert (alice.profile.work_start, alice.profile.work_end) == (T(9), T(18))


def test_database_refuses_a_day_of_no_length(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkProfile.objects.filter(user=alice).update(work_start=T(9), work_end=T(9))


def test_database_refuses_half_set_quiet_hours(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkProfile.objects.filter(user=alice).update(quiet_start=T(22))

    alice.profile.refresh_from_db()
    assert alice.profile.quiet_start is None


def test_database_refuses_a_second_profile(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkProfile.objects.create(user=alice)
