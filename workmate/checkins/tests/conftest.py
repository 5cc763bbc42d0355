"""Check-in helpers: a check-in factory and a cast whose memberships predate the clock."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from workmate.accounts.models import Membership, User
from workmate.checkins.models import Checkin, CheckinResponse

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
# Check-ins of the tests are active from the Monday before Friday 21 November 2025.
ACTIVE_SINCE = datetime.datetime(2025, 11, 17, 9, tzinfo=SEOUL)


def make_checkin(team, created_by: User, **overrides: Any) -> Checkin:
    fields: dict[str, Any] = {
        "title": "Weekly check-in",
        "questions": ["Done", "Next", "Blocked"],
        "frequency": "weekly",
        "weekday": 4,
        "time_of_day": datetime.time(16),
        "active_since": ACTIVE_SINCE,
    }
    fields.update(overrides)
    return Checkin.objects.create(team=team, created_by=created_by, **fields)


def make_response(checkin: Checkin, person: User, day: datetime.date, **overrides: Any):
    fields: dict[str, Any] = {
        "due_at": datetime.datetime.combine(day, checkin.time_of_day, tzinfo=SEOUL),
        "questions": list(checkin.questions),
    }
    fields.update(overrides)
    return CheckinResponse.objects.create(checkin=checkin, person=person, occurrence=day, **fields)


@pytest.fixture
def cast(alice, bob):
    """Alice (lead) and Bob (member) of TE, members since long before any frozen clock."""
    Membership.objects.update(joined_at=LONG_AGO)
    return alice, bob


@pytest.fixture
def checkin(team, cast):
    return make_checkin(team, cast[0])
