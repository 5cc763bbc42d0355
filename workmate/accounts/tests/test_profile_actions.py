"""The write services for profiles and work modes: do_update_profile, do_*_work_mode."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from workmate.accounts import services
from workmate.accounts.models import User, WorkMode, WorkModeDay, WorkProfile

DAY = datetime.date(2025, 9, 23)
T = datetime.time


def test_update_profile_saves_person_and_profile(alice):
    services.do_update_profile(
        alice,
        user_fields={"full_name": "Alice Kim-Park", "language": "ko"},
        profile_fields={"time_zone": "Europe/Berlin", "work_start": T(8), "title": "Lead"},
    )

    alice.refresh_from_db()
    assert (alice.full_name, alice.language) == ("Alice Kim-Park", "ko")
    profile = WorkProfile.objects.get(user=alice)
    assert (profile.time_zone, profile.work_start, profile.title) == ("Europe/Berlin", T(8), "Lead")


def test_update_profile_saves_nothing_when_the_profile_is_invalid(alice):
    with pytest.raises(ValidationError):
        services.do_update_profile(
            alice,
            user_fields={"full_name": "Renamed"},
            profile_fields={"time_zone": "Mars/Olympus"},
        )

    assert User.objects.get(pk=alice.pk).full_name == "Alice Kim"
    assert WorkProfile.objects.get(user=alice).time_zone == "Asia/Seoul"


def test_update_profile_recreates_a_missing_profile(alice):
    WorkProfile.objects.filter(user=alice).delete()
    alice = User.objects.get(pk=alice.pk)

    services.do_update_profile(alice, user_fields={}, profile_fields={"title": "Back"})

    assert WorkProfile.objects.get(user=alice).title == "Back"


def test_ensure_profile_creates_only_when_missing(alice):
    existing = alice.profile

    assert services.ensure_profile(alice) == existing
    WorkProfile.objects.filter(user=alice).delete()
    created = services.ensure_profile(alice)
    assert created.pk != existing.pk
    assert WorkProfile.objects.filter(user=alice).count() == 1


def test_set_work_mode_creates_then_replaces_the_days_entry(alice):
    services.do_set_work_mode(alice, date=DAY, mode=WorkMode.HOME, note="  plumber  ")
    services.do_set_work_mode(alice, date=DAY, mode=WorkMode.WORKATION, place=" Jeju ")

    entry = WorkModeDay.objects.get(user=alice)
    assert (entry.date, entry.mode, entry.place, entry.note) == (
        DAY,
        WorkMode.WORKATION,
        "Jeju",
        "",
    )


def test_clear_work_mode_removes_only_that_persons_day(alice, bob):
    services.do_set_work_mode(alice, date=DAY, mode=WorkMode.HOME)
    services.do_set_work_mode(bob, date=DAY, mode=WorkMode.HOME)

    assert services.do_clear_work_mode(alice, DAY) is True
    assert services.do_clear_work_mode(alice, DAY) is False
    assert list(WorkModeDay.objects.values_list("user__email", flat=True)) == ["bob@example.com"]
