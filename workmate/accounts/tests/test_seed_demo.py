from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from workmate.accounts.models import (
    CompanyDayOff,
    Membership,
    Team,
    TeamRole,
    User,
    WorkMode,
    WorkModeDay,
    WorkProfile,
)
from workmate.desk.models import Customer

pytestmark = pytest.mark.django_db

# A Wednesday morning in Seoul; the overrides are keyed on each person's local date.
FROZEN = datetime.datetime(2026, 11, 25, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def output():
    stdout = StringIO()
    with time_machine.travel(FROZEN, tick=False):
        call_command("seed_demo", stdout=stdout)
    return stdout.getvalue()


def counts() -> dict[str, int]:
    models = [User, WorkProfile, Team, Membership, Customer, CompanyDayOff, WorkModeDay]
    return {model.__name__: model.objects.count() for model in models}


def test_creates_the_five_teams_each_with_one_lead(output):
    assert set(Team.objects.values_list("code", flat=True)) == {"TE", "LE", "SE", "SD", "NBD"}
    for team in Team.objects.all():
        assert team.memberships.leads().count() == 1, team.code
        assert 3 <= team.memberships.filter(role=TeamRole.MEMBER).count() <= 5, team.code
        team.full_clean()
    te = Team.objects.get(code="TE")
    assert (te.work_start, te.work_end) == (datetime.time(8), datetime.time(20))


def test_creates_people_each_with_one_valid_profile(output):
    assert 20 <= User.objects.count() <= 30
    assert WorkProfile.objects.count() == User.objects.count()
    for profile in WorkProfile.objects.select_related("user"):
        profile.full_clean()
        assert profile.user.email.endswith("@workmate.example")
        assert len(profile.weekly_modes) == 7
        assert set(profile.weekly_modes) <= set(WorkMode.values)
        if WorkMode.WORKATION in profile.weekly_modes:
            assert profile.usual_place, profile.user.email
    languages = list(User.objects.values_list("language", flat=True))
    assert 0 < languages.count("en") < languages.count("ko")
    # One person works in two teams.
    in_teams = User.objects.filter(memberships__isnull=False).distinct().count()
    assert Membership.objects.count() == in_teams + 1


def test_quiet_hours_never_fall_in_working_hours(output):
    profiles = WorkProfile.objects.filter(quiet_start__isnull=False)
    assert profiles.count() >= 3
    for profile in profiles:
        day = datetime.date(2026, 11, 25)
        moment = datetime.datetime.combine(day, profile.work_start, tzinfo=profile.zone)
        end = datetime.datetime.combine(day, profile.work_end, tzinfo=profile.zone)
        while moment < end:
            assert not profile.is_quiet_at(moment), (profile.user.email, moment)
            moment += datetime.timedelta(minutes=15)


def test_two_people_work_abroad(output):
    abroad = WorkProfile.objects.exclude(time_zone="Asia/Seoul")
    assert sorted(abroad.values_list("time_zone", "holiday_country")) == [
        ("America/Los_Angeles", "US"),
        ("Europe/Berlin", "DE"),
    ]
    berlin = abroad.get(time_zone="Europe/Berlin")
    assert (berlin.work_start, berlin.work_end) == (datetime.time(9), datetime.time(17))


def test_one_admin_and_one_executive(output):
    admin = User.objects.get(org_role="staff")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.filter(org_role="executive").count() == 1
    assert User.objects.filter(is_superuser=True).count() == 1


def test_customers_are_owned_by_se_and_le(output):
    se = set(Team.objects.get(code="SE").members.all())
    le = set(Team.objects.get(code="LE").members.all())
    customers = Customer.objects.all()
    assert customers.count() >= 5
    assert len({customer.industry for customer in customers}) >= 5
    for customer in customers:
        customer.full_clean()
        assert customer.se_owner in se, customer.name
        assert customer.le_architect in le, customer.name
        assert customer.email_domains


def test_work_mode_overrides_and_days_off_lie_ahead(output):
    assert WorkModeDay.objects.exists()
    for day in WorkModeDay.objects.select_related("user__profile"):
        day.full_clean()
        local_today = FROZEN.astimezone(day.user.profile.zone).date()
        assert local_today <= day.date <= local_today + datetime.timedelta(days=7)
    days_off = CompanyDayOff.objects.all()
    assert days_off.count() == 2
    for day_off in days_off:
        assert datetime.date(2026, 11, 25) <= day_off.date <= datetime.date(2027, 11, 25)
        assert day_off.date.weekday() < 5


def test_every_demo_login_takes_the_shared_password(output):
    for user in User.objects.all():
        assert user.check_password("workmate-demo-2026"), user.email
    # Customer contacts too, for the portal.
    from workmate.desk.models import Contact

    contacts = Contact.objects.all()
    assert contacts
    for contact in contacts:
        assert contact.check_password("workmate-demo-2026"), contact.email
    assert "/portal/" in output and contacts.order_by("pk").first().email in output


def test_output_lists_the_logins(output):
    lines = output.strip().splitlines()
    assert 15 <= len(lines) <= 25
    assert settings.SITE_URL in output
    assert "workmate-demo-2026" in output
    for email in ["admin@workmate.example", "cto@workmate.example"]:
        assert email in output
    for team in Team.objects.all():
        lead = team.memberships.leads().get().user
        assert lead.email in output
    for profile in WorkProfile.objects.exclude(time_zone="Asia/Seoul"):
        assert profile.user.email in output


def test_running_twice_changes_no_counts(output):
    before = counts()
    with time_machine.travel(FROZEN + datetime.timedelta(minutes=5), tick=False):
        call_command("seed_demo", stdout=StringIO())
    assert counts() == before
    assert Membership.objects.leads().count() == 5


def test_second_run_repairs_edits_and_takes_a_new_password(output):
    person = User.objects.get(email="minjun.kim@workmate.example")
    WorkProfile.objects.filter(user=person).update(usual_place="Mars")
    call_command("seed_demo", password="another-demo-phrase-7", stdout=StringIO())
    person.refresh_from_db()
    assert person.profile.usual_place == ""
    assert person.check_password("another-demo-phrase-7")
    assert not person.check_password("workmate-demo-2026")


def test_weak_password_is_refused_and_nothing_is_written(db):
    with pytest.raises(CommandError, match="--password"):
        call_command("seed_demo", password="short", stdout=StringIO())
    assert User.objects.count() == 0
    assert Team.objects.count() == 0
