"""Team and Membership: the team calendar, its constraint, one membership per person and team."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from workmate.accounts.models import CompanyDayOff, Membership, Team, TeamRole
from workmate.lib.workcalendar import COMPANY_DAY_OFF
from workmate.testing.factories import add_member, make_team

T = datetime.time


def test_team_calendar_uses_its_hours_korean_holidays_and_company_days_off(db):
    team = make_team(time_zone="Asia/Seoul", work_days=[0, 1, 2, 3, 4, 5], work_end=T(20))
    CompanyDayOff.objects.create(date=datetime.date(2025, 9, 23), name="Foundation day")

    hours = team.working_hours()

    assert (hours.end, hours.holiday_country) == (T(20), "KR")
    assert hours.is_working_day(datetime.date(2025, 9, 27))  # A Saturday: this team works.
    assert hours.holiday_name(datetime.date(2025, 9, 23)) == COMPANY_DAY_OFF
    assert not hours.is_working_day(datetime.date(2025, 10, 6))  # Chuseok.


def test_database_refuses_a_team_day_that_ends_before_it_starts(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.filter(pk=team.pk).update(work_start=T(18), work_end=T(9))

    team.refresh_from_db()
    assert team.work_start < team.work_end


def test_team_validation_names_the_end_field(db):
    team = Team(code="X", name="X", work_start=T(18), work_end=T(9))

    with pytest.raises(ValidationError) as caught:
        team.full_clean()

    assert list(caught.value.message_dict) == ["work_end"]


def test_team_validation_refuses_an_unknown_time_zone(db):
    team = Team(code="X", name="X", time_zone="Mars/Olympus")

    with pytest.raises(ValidationError) as caught:
        team.full_clean()

    assert "time_zone" in caught.value.message_dict


@pytest.mark.parametrize("days", [[], [7], ["Mon"]])
def test_team_validation_refuses_bad_working_days(db, days):
    team = Team(code="X", name="X", work_days=days)

    with pytest.raises(ValidationError) as caught:
        team.full_clean()

    assert "work_days" in caught.value.message_dict


def test_a_person_joins_a_team_once(alice, team):
    with pytest.raises(IntegrityError), transaction.atomic():
        add_member(team, alice, TeamRole.MEMBER)

    assert Membership.objects.filter(team=team, user=alice).count() == 1


def test_leads_queryset(alice, bob, team):
    assert [m.user for m in Membership.objects.leads()] == [alice]
    assert list(team.members.order_by("email")) == [alice, bob]


def test_names(alice, team):
    membership = Membership.objects.get(user=alice)
    with translation.override("en"):
        assert str(team) == "TE · Technical Engineering"
        assert str(membership) == "Alice Kim @ TE (Lead)"


def test_company_days_off_dates(db):
    CompanyDayOff.objects.create(date=datetime.date(2025, 5, 2), name="Foundation day")
    CompanyDayOff.objects.create(date=datetime.date(2025, 12, 31), name="Year end")

    assert CompanyDayOff.objects.dates() == frozenset(
        {datetime.date(2025, 5, 2), datetime.date(2025, 12, 31)}
    )
    assert str(CompanyDayOff.objects.first()) == "2025-05-02 Foundation day"


def test_company_days_off_keep_djangos_dates_for_the_admin(db):
    # The admin's date hierarchy calls QuerySet.dates(field, kind); the override must not break it.
    CompanyDayOff.objects.create(date=datetime.date(2025, 5, 2), name="Foundation day")
    CompanyDayOff.objects.create(date=datetime.date(2026, 5, 2), name="Foundation day")

    assert list(CompanyDayOff.objects.dates("date", "year")) == [
        datetime.date(2025, 1, 1),
        datetime.date(2026, 1, 1),
    ]


def test_one_company_day_off_per_date(db):
    CompanyDayOff.objects.create(date=datetime.date(2025, 5, 2), name="Foundation day")

    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyDayOff.objects.create(date=datetime.date(2025, 5, 2), name="Again")
