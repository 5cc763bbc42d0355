"""WorkModeDay: one entry per person and date, and a workation always names its place."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from workmate.accounts.models import WorkMode, WorkModeDay

DAY = datetime.date(2025, 9, 23)


def test_database_refuses_a_workation_without_place(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkModeDay.objects.create(user=alice, date=DAY, mode=WorkMode.WORKATION)

    assert not WorkModeDay.objects.exists()


def test_database_accepts_a_workation_with_place_and_other_modes_without(alice):
    WorkModeDay.objects.create(user=alice, date=DAY, mode=WorkMode.WORKATION, place="Jeju")
    WorkModeDay.objects.create(user=alice, date=DAY + datetime.timedelta(1), mode=WorkMode.HOME)

    assert list(WorkModeDay.objects.values_list("mode", "place")) == [
        ("workation", "Jeju"),
        ("home", ""),
    ]


def test_database_refuses_two_entries_for_one_day(alice):
    WorkModeDay.objects.create(user=alice, date=DAY, mode=WorkMode.HOME)

    with pytest.raises(IntegrityError), transaction.atomic():
        WorkModeDay.objects.create(user=alice, date=DAY, mode=WorkMode.OFFICE)

    assert WorkModeDay.objects.get().mode == WorkMode.HOME


def test_two_people_may_each_have_an_entry_for_the_same_day(alice, bob):
    WorkModeDay.objects.create(user=alice, date=DAY, mode=WorkMode.HOME)
    WorkModeDay.objects.create(user=bob, date=DAY, mode=WorkMode.HOME)

    assert WorkModeDay.objects.count() == 2


def test_validation_asks_where_the_workation_is(alice):
    entry = WorkModeDay(user=alice, date=DAY, mode=WorkMode.WORKATION, place="   ")

    with pytest.raises(ValidationError) as caught:
        entry.full_clean()

    assert "place" in caught.value.message_dict


def test_name(alice):
    entry = WorkModeDay(user=alice, date=DAY, mode=WorkMode.HOME)

    with translation.override("en"):
        assert str(entry) == "Alice Kim 2025-09-23 Home"
