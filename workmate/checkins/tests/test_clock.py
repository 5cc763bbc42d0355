"""open_due_checkins: each member is asked at the check-in's time in their own zone, once."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.accounts.models import Membership
from workmate.checkins.models import CheckinResponse
from workmate.checkins.services import open_due_checkins
from workmate.checkins.tests.conftest import BERLIN, LONG_AGO, SEOUL, make_checkin
from workmate.inbox.clock import PERIODIC_TASKS, tick
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import add_member, make_user

FRIDAY = datetime.date(2025, 11, 21)


def at(zone, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=zone)


@pytest.fixture
def dana(team, cast):
    """A member who works from Berlin."""
    person = make_user(
        email="dana@example.com",
        full_name="Dana Weber",
        profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"},
    )
    add_member(team, person).__class__.objects.filter(user=person).update(joined_at=LONG_AGO)
    return person


def opened() -> set[tuple[str, datetime.date]]:
    return set(CheckinResponse.objects.values_list("person__full_name", "occurrence"))


def run(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return open_due_checkins(moment)


def test_each_member_is_asked_at_their_own_friday_1600(checkin, cast, dana):
    bob = cast[1]

    assert run(at(SEOUL, 2025, 11, 21, 15, 59)) == 0
    assert opened() == set()

    # 16:00 in Seoul is 08:00 in Berlin: Alice and Bob are asked, Dana not yet.
    assert run(at(SEOUL, 2025, 11, 21, 16, 0)) == 2
    assert opened() == {("Alice Kim", FRIDAY), ("Bob Lee", FRIDAY)}
    bobs = CheckinResponse.objects.get(person=bob)
    assert bobs.due_at == at(SEOUL, 2025, 11, 21, 16)
    assert bobs.questions == ["Done", "Next", "Blocked"]
    assert bobs.pinged_at == at(SEOUL, 2025, 11, 21, 16)
    assert bobs.submitted_at is None

    assert run(at(BERLIN, 2025, 11, 21, 15, 59)) == 0
    assert run(at(BERLIN, 2025, 11, 21, 16, 0)) == 1
    danas = CheckinResponse.objects.get(person=dana)
    assert danas.occurrence == FRIDAY
    assert danas.due_at == at(BERLIN, 2025, 11, 21, 16)


def test_pinged_once_however_often_the_clock_runs(checkin, cast):
    _, bob = cast
    moment = at(SEOUL, 2025, 11, 21, 16, 0)

    assert run(moment) == 2
    assert run(moment) == 0
    assert run(moment + datetime.timedelta(hours=30)) == 0

    ping = Notification.objects.get(recipient=bob)
    response = CheckinResponse.objects.get(person=bob)
    assert ping.kind == Kind.CHECKIN
    assert ping.group_key == f"checkin:{checkin.pk}"
    assert ping.url == f"/checkins/answers/{response.pk}/"
    assert ping.title == "Weekly check-in (TE)"
    assert CheckinResponse.objects.count() == 2


def test_next_week_opens_a_new_occurrence(checkin, cast):
    run(at(SEOUL, 2025, 11, 21, 16, 0))

    assert run(at(SEOUL, 2025, 11, 28, 16, 0)) == 2

    assert CheckinResponse.objects.filter(person=cast[1]).count() == 2
    assert Notification.objects.filter(recipient=cast[1]).count() == 2


def test_a_new_check_in_does_not_ask_about_the_friday_before(team, cast):
    with time_machine.travel(at(SEOUL, 2025, 11, 24, 9), tick=False):
        make_checkin(team, cast[0], active_since=at(SEOUL, 2025, 11, 24, 9))

    assert run(at(SEOUL, 2025, 11, 24, 9, 1)) == 0
    assert run(at(SEOUL, 2025, 11, 28, 16, 0)) == 2


def test_paused_check_ins_and_outsiders_are_not_asked(team, cast, charlie):
    paused = make_checkin(team, cast[0], active=False)

    assert run(at(SEOUL, 2025, 11, 21, 16, 0)) == 0

    assert not CheckinResponse.objects.filter(checkin=paused).exists()
    assert not Notification.objects.exists()


def test_someone_who_left_the_team_is_not_asked(checkin, cast):
    Membership.objects.filter(user=cast[1]).delete()

    run(at(SEOUL, 2025, 11, 21, 16, 0))

    assert opened() == {("Alice Kim", FRIDAY)}


def test_someone_who_joined_after_the_moment_waits_for_the_next_one(checkin, cast):
    Membership.objects.filter(user=cast[1]).update(joined_at=at(SEOUL, 2025, 11, 21, 17))

    run(at(SEOUL, 2025, 11, 21, 18, 0))

    assert opened() == {("Alice Kim", FRIDAY)}


def test_daily_skips_korean_holidays_and_weekends(team, cast):
    # Thu 2 Oct 2025 after 09:30; then Fri 3 Oct (Gaecheonjeol), the weekend, Chuseok
    # (6-8 Oct) and Hangul Day (Thu 9 Oct): the next working day is Fri 10 Oct.
    make_checkin(
        team,
        cast[0],
        frequency="daily",
        weekday=None,
        time_of_day=datetime.time(9, 30),
        active_since=at(SEOUL, 2025, 10, 2, 12),
    )

    for day in range(3, 10):
        assert run(at(SEOUL, 2025, 10, day, 18)) == 0, f"opened on 2025-10-{day:02}"
    assert run(at(SEOUL, 2025, 10, 10, 9, 29)) == 0
    assert run(at(SEOUL, 2025, 10, 10, 9, 30)) == 2

    assert opened() == {
        ("Alice Kim", datetime.date(2025, 10, 10)),
        ("Bob Lee", datetime.date(2025, 10, 10)),
    }


def test_daily_follows_each_persons_own_holidays(team, cast, dana):
    # Fri 3 Oct is a holiday in Korea and in Germany; Mon 6 Oct only in Korea (Chuseok).
    make_checkin(
        team,
        cast[0],
        frequency="daily",
        weekday=None,
        time_of_day=datetime.time(9, 30),
        active_since=at(SEOUL, 2025, 10, 2, 12),
    )

    run(at(BERLIN, 2025, 10, 6, 10))

    assert opened() == {("Dana Weber", datetime.date(2025, 10, 6))}


def test_the_clock_runs_it_every_minute(checkin, cast):
    assert "workmate.checkins.tasks.open_due_checkins" in PERIODIC_TASKS
    moment = at(SEOUL, 2025, 11, 21, 16, 0)

    with time_machine.travel(moment, tick=False):
        tick(moment)

    assert opened() == {("Alice Kim", FRIDAY), ("Bob Lee", FRIDAY)}
