from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from workmate.checkins.demo import last_friday
from workmate.checkins.models import Checkin, CheckinResponse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "friday"),
    [
        (datetime.date(2025, 11, 21), datetime.date(2025, 11, 14)),  # a Friday: the one before
        (datetime.date(2025, 11, 22), datetime.date(2025, 11, 21)),
        (datetime.date(2025, 11, 27), datetime.date(2025, 11, 21)),
    ],
)
def test_last_friday(today, friday):
    assert last_friday(today) == friday


def test_seed_demo_sets_up_check_ins_with_past_answers_once():
    call_command("seed_demo", stdout=StringIO())

    assert set(Checkin.objects.values_list("team__code", flat=True)) == {"TE", "SD"}
    answers = CheckinResponse.objects.count()
    assert answers >= 5
    assert not CheckinResponse.objects.filter(submitted_at__isnull=True).exists()
    assert {
        day.weekday() for day in CheckinResponse.objects.values_list("occurrence", flat=True)
    } == {4}

    call_command("seed_demo", stdout=StringIO())

    assert Checkin.objects.count() == 2
    assert CheckinResponse.objects.count() == answers
