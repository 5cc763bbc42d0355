"""The shared date filters (`day`, `when`): a date outside the viewer's current year says
which year, in Korean and English, judged in the viewer's own time zone."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from workmate.testing.factories import make_project, make_task

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
UTC = datetime.UTC
# Saturday 5 December 2026 in Seoul.
TODAY = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=SEOUL)


def render(source: str, zone: zoneinfo.ZoneInfo = SEOUL, **values) -> str:
    with timezone.override(zone):
        return Template("{% load workmate %}" + source).render(Context(values))


@pytest.mark.parametrize(
    ("language", "past", "this_year", "next_year"),
    [
        ("ko", "2020년 1월 1일 (수)", "1월 1일 (목)", "2027년 1월 1일 (금)"),
        ("en", "Wed 1 Jan 2020", "Thu 1 Jan", "Fri 1 Jan 2027"),
    ],
)
def test_day_says_the_year_only_outside_the_current_one(language, past, this_year, next_year):
    with time_machine.travel(TODAY, tick=False), translation.override(language):
        assert render("{{ d|day }}", d=datetime.date(2020, 1, 1)) == past
        assert render("{{ d|day }}", d=datetime.date(2026, 1, 1)) == this_year
        assert render("{{ d|day }}", d=datetime.date(2027, 1, 1)) == next_year


@pytest.mark.parametrize(
    ("language", "past", "this_year"),
    [
        ("ko", "2020년 1월 1일 (수) 14:00", "12월 7일 (월) 09:30"),
        ("en", "Wed 1 Jan 2020, 14:00", "Mon 7 Dec, 09:30"),
    ],
)
def test_when_says_the_year_only_outside_the_current_one(language, past, this_year):
    with time_machine.travel(TODAY, tick=False), translation.override(language):
        assert render("{{ d|when }}", d=datetime.datetime(2020, 1, 1, 14, tzinfo=SEOUL)) == past
        assert render("{{ d|when }}", d=datetime.datetime(2026, 12, 7, 9, 30, tzinfo=SEOUL)) == (
            this_year
        )


def test_the_current_year_is_the_viewers_own():
    # 01:00 on New Year's Day in Seoul is still 16:00 on New Year's Eve in UTC.
    moment = datetime.datetime(2026, 12, 31, 23, 0, tzinfo=SEOUL)  # 14:00 UTC, 31 December
    with (
        time_machine.travel(datetime.datetime(2027, 1, 1, 1, 0, tzinfo=SEOUL), tick=False),
        translation.override("en"),
    ):
        assert render("{{ d|when }}", SEOUL, d=moment) == "Thu 31 Dec 2026, 23:00"
        assert render("{{ d|when }}", UTC, d=moment) == "Thu 31 Dec, 14:00"
        assert render("{{ d|day }}", UTC, d=datetime.date(2026, 12, 31)) == "Thu 31 Dec"
        assert render("{{ d|day }}", SEOUL, d=datetime.date(2026, 12, 31)) == "Thu 31 Dec 2026"


def test_a_cached_text_is_not_reused_once_the_year_turns():
    with translation.override("en"):
        with time_machine.travel(TODAY, tick=False):
            assert render("{{ d|day }}", d=datetime.date(2026, 3, 2)) == "Mon 2 Mar"
        with time_machine.travel(TODAY + datetime.timedelta(days=60), tick=False):
            assert render("{{ d|day }}", d=datetime.date(2026, 3, 2)) == "Mon 2 Mar 2026"


def test_an_old_due_date_shows_its_year_on_the_task_page(client, alice):
    task = make_task(
        project=make_project(owner=alice), title="Old audit", due_on=datetime.date(2020, 1, 1)
    )
    alice.language = "ko"
    alice.save(update_fields=["language"])
    client.force_login(alice)

    with time_machine.travel(TODAY, tick=False):
        page = client.get(task.get_absolute_url()).content.decode()

    assert "2020년 1월 1일 (수)" in page
