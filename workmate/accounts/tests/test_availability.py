"""Availability (services.availability_of / availability_for_people) on frozen clocks."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from workmate.accounts import services
from workmate.accounts.models import CompanyDayOff, User, WorkMode, WorkModeDay
from workmate.lib.workcalendar import COMPANY_DAY_OFF
from workmate.testing.factories import make_user

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
T = datetime.time


def seoul(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def berlin(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


def frozen(moment: datetime.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def seoul_person(db):
    return make_user(full_name="Seoyeon Han")


@pytest.fixture
def berlin_person(db):
    return make_user(
        full_name="Jonas Weber", profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"}
    )


def test_seoul_person_at_ten_on_tuesday_is_working_until_six(seoul_person):
    with frozen(seoul(2025, 9, 23, 10, 0)):
        me = services.my_availability(seoul_person)

    assert me.working_now
    assert me.until == seoul(2025, 9, 23, 18, 0)
    assert me.next_start is None
    assert me.holiday is None
    assert me.local_now == seoul(2025, 9, 23, 10, 0)
    assert me.local_now.tzinfo == SEOUL
    assert (me.mode, me.place) == (WorkMode.OFFICE, "")


def test_seoul_person_at_eight_in_the_evening_is_back_next_morning(seoul_person):
    with frozen(seoul(2025, 9, 23, 20, 0)):
        me = services.my_availability(seoul_person)

    assert not me.working_now
    assert me.until is None
    assert me.next_start == seoul(2025, 9, 24, 9, 0)
    assert me.holiday is None


def test_the_end_of_the_day_is_already_off(seoul_person):
    with frozen(seoul(2025, 9, 23, 18, 0)):
        me = services.my_availability(seoul_person)

    assert not me.working_now
    assert me.next_start == seoul(2025, 9, 24, 9, 0)


def test_friday_evening_is_back_on_monday(seoul_person):
    with frozen(seoul(2025, 9, 26, 19, 30)):
        me = services.my_availability(seoul_person)

    assert me.next_start == seoul(2025, 9, 29, 9, 0)


def test_a_plain_weekend_is_off_without_a_holiday_name(seoul_person):
    with frozen(seoul(2025, 9, 27, 11, 0)):
        me = services.my_availability(seoul_person)

    assert not me.working_now
    assert me.holiday is None
    assert me.next_start == seoul(2025, 9, 29, 9, 0)


def test_on_chuseok_a_seoul_person_is_off_with_the_holiday_name(seoul_person):
    with frozen(seoul(2025, 10, 6, 11, 0)):
        me = services.my_availability(seoul_person)

    assert not me.working_now
    assert me.holiday == "Chuseok"
    # Chuseok runs to the 7th, its substitute day is the 8th and the 9th is Hangul Day.
    assert me.next_start == seoul(2025, 10, 10, 9, 0)


def test_a_company_day_off_shows_as_such(seoul_person):
    CompanyDayOff.objects.create(date=datetime.date(2025, 9, 23), name="Foundation day")

    with frozen(seoul(2025, 9, 23, 10, 0)):
        me = services.my_availability(seoul_person)

    assert not me.working_now
    assert me.holiday == COMPANY_DAY_OFF
    assert me.next_start == seoul(2025, 9, 24, 9, 0)


def test_berlin_person_is_asleep_while_seoul_works(berlin_person):
    with frozen(seoul(2025, 9, 23, 10, 0)):
        me = services.my_availability(berlin_person)

    assert me.local_now == berlin(2025, 9, 23, 3, 0)
    assert str(me.local_now.tzinfo) == "Europe/Berlin"
    assert not me.working_now
    assert me.next_start == berlin(2025, 9, 23, 9, 0)


def test_berlin_person_works_to_their_own_six_oclock(berlin_person):
    with frozen(seoul(2025, 9, 23, 17, 0)):
        me = services.my_availability(berlin_person)

    assert me.working_now
    assert me.until == berlin(2025, 9, 23, 18, 0)


def test_each_person_keeps_their_own_public_holidays(seoul_person, berlin_person):
    # 26 December is a public holiday in Germany and an ordinary Friday in Korea.
    # 09:30 in Berlin is 17:30 in Seoul, still inside both working days.
    with frozen(berlin(2025, 12, 26, 9, 30)):
        seoul_row, berlin_row = services.availability_for_people([seoul_person, berlin_person])

    assert berlin_row.holiday == "Second Day of Christmas"
    assert not berlin_row.working_now
    assert berlin_row.next_start == berlin(2025, 12, 29, 9, 0)
    assert seoul_row.working_now
    assert seoul_row.holiday is None


def test_usual_weekly_mode_applies_without_an_override(db):
    person = make_user(
        profile={
            "weekly_modes": [WorkMode.OFFICE, WorkMode.HOME] + [WorkMode.OFFICE] * 5,
        }
    )

    with frozen(seoul(2025, 9, 23, 10, 0)):  # A Tuesday.
        me = services.my_availability(person)

    assert me.mode == WorkMode.HOME
    with translation.override("en"):
        assert me.mode_label == "Home"


def test_a_usual_workation_day_shows_the_usual_place(db):
    person = make_user(
        profile={"weekly_modes": [WorkMode.WORKATION] * 7, "usual_place": "Gangneung"}
    )

    with frozen(seoul(2025, 9, 23, 10, 0)):
        me = services.my_availability(person)

    assert (me.mode, me.place) == (WorkMode.WORKATION, "Gangneung")


def test_an_override_for_local_today_wins_over_the_weekly_pattern(db):
    person = make_user(profile={"weekly_modes": [WorkMode.HOME] * 7, "usual_place": "Gangneung"})
    # 08:30 on Tuesday in Seoul is still Monday in UTC: only Tuesday's entry may count.
    WorkModeDay.objects.create(user=person, date=datetime.date(2025, 9, 22), mode=WorkMode.OFFICE)
    WorkModeDay.objects.create(
        user=person, date=datetime.date(2025, 9, 23), mode=WorkMode.WORKATION, place="Jeju"
    )

    with frozen(seoul(2025, 9, 23, 8, 30)):
        me = services.my_availability(person)

    assert (me.mode, me.place) == (WorkMode.WORKATION, "Jeju")


def test_override_is_picked_by_each_persons_own_date(db):
    seoul_person = make_user()
    la_person = make_user(profile={"time_zone": "America/Los_Angeles", "holiday_country": "US"})
    for person in (seoul_person, la_person):
        WorkModeDay.objects.create(user=person, date=datetime.date(2025, 9, 22), mode="home")
        WorkModeDay.objects.create(
            user=person, date=datetime.date(2025, 9, 23), mode="workation", place="Busan"
        )

    # Tuesday 08:30 in Seoul is Monday 16:30 in Los Angeles.
    with frozen(seoul(2025, 9, 23, 8, 30)):
        seoul_row, la_row = services.availability_for_people([seoul_person, la_person])

    assert (seoul_row.mode, seoul_row.place) == (WorkMode.WORKATION, "Busan")
    assert (la_row.mode, la_row.place) == (WorkMode.HOME, "")
    assert la_row.local_now.date() == datetime.date(2025, 9, 22)
    assert la_row.working_now


def test_another_persons_override_does_not_leak(alice, bob):
    WorkModeDay.objects.create(user=bob, date=datetime.date(2025, 9, 23), mode=WorkMode.HOME)

    with frozen(seoul(2025, 9, 23, 10, 0)):
        alice_row, bob_row = services.availability_for_people([alice, bob])

    assert (alice_row.mode, bob_row.mode) == (WorkMode.OFFICE, WorkMode.HOME)


def test_quiet_hours_show_even_inside_working_time(db):
    person = make_user(profile={"quiet_start": T(12), "quiet_end": T(13)})

    with frozen(seoul(2025, 9, 23, 12, 15)):
        lunch = services.my_availability(person)
    with frozen(seoul(2025, 9, 23, 14, 0)):
        afternoon = services.my_availability(person)

    assert lunch.quiet_now and lunch.working_now
    assert not afternoon.quiet_now


def test_an_explicit_now_overrides_the_clock(seoul_person):
    with frozen(seoul(2025, 9, 23, 3, 0)):
        (row,) = services.availability_for_people([seoul_person], now=seoul(2025, 9, 23, 11, 0))

    assert row.working_now
    assert row.local_now.hour == 11


def test_rows_come_back_in_the_order_asked(alice, bob, charlie):
    rows = services.availability_for_people([charlie, alice, bob])

    assert [row.person for row in rows] == [charlie, alice, bob]


def test_availability_of_needs_no_queries_given_its_inputs(seoul_person, django_assert_num_queries):
    person = User.objects.select_related("profile").get(pk=seoul_person.pk)

    with django_assert_num_queries(0):
        row = services.availability_of(person, now=seoul(2025, 9, 23, 10, 0), days_off=frozenset())

    assert row.working_now


def _queries_for(count: int) -> int:
    zones = ["Asia/Seoul", "Europe/Berlin", "America/Los_Angeles"]
    people = [make_user(profile={"time_zone": zones[i % 3]}) for i in range(count)]
    for person in people:
        WorkModeDay.objects.create(user=person, date=datetime.date(2025, 9, 23), mode="home")
    loaded = list(User.objects.select_related("profile").filter(pk__in=[p.pk for p in people]))
    with frozen(seoul(2025, 9, 23, 10, 0)), CaptureQueriesContext(connection) as queries:
        rows = services.availability_for_people(loaded)
    assert len(rows) == count
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_people(db):
    few = _queries_for(3)
    WorkModeDay.objects.all().delete()
    User.objects.all().delete()
    many = _queries_for(30)

    # One query for company days off, one for the day overrides.
    assert few == many == 2
