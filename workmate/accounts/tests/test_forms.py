"""Form rules not reached through a view test: quiet-hour overlap and the work-mode date."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine
from hypothesis import assume, given
from hypothesis import strategies as st

from workmate.accounts.forms import WorkModeForm, _overlaps

hours = st.integers(0, 23).map(lambda hour: datetime.time(hour))


def hours_between(start: datetime.time, end: datetime.time) -> set[int]:
    """The clock hours from start up to end, going round midnight when end comes first."""
    return {(start.hour + step) % 24 for step in range((end.hour - start.hour) % 24)}


@given(work_start=hours, work_end=hours, quiet_start=hours, quiet_end=hours)
def test_overlap_matches_counting_the_hours(work_start, work_end, quiet_start, quiet_end):
    assume(work_start < work_end and quiet_start != quiet_end)

    expected = bool(hours_between(work_start, work_end) & hours_between(quiet_start, quiet_end))

    assert _overlaps(work_start, work_end, quiet_start, quiet_end) is expected


def test_work_mode_form_starts_at_the_persons_local_today(alice):
    alice.profile.time_zone = "America/Los_Angeles"
    seoul_morning = datetime.datetime(2025, 9, 23, 8, 0, tzinfo=ZoneInfo("Asia/Seoul"))

    with time_machine.travel(seoul_morning, tick=False):
        form = WorkModeForm(user=alice)

    assert form.fields["date"].initial == datetime.date(2025, 9, 22)


def test_work_mode_form_starts_from_todays_usual_mode(db):
    from workmate.testing.factories import make_user

    person = make_user(
        profile={"weekly_modes": ["workation"] * 7, "usual_place": "Jeju"},
    )
    with time_machine.travel(datetime.datetime(2025, 11, 19, 10, tzinfo=ZoneInfo("Asia/Seoul"))):
        form = WorkModeForm(user=person)
        assert form["date"].initial == datetime.date(2025, 11, 19)
    assert form["mode"].initial == "workation"
    assert form["place"].initial == "Jeju"
