"""The iCalendar feed (inbox.calendar.build_feed), parsed back with icalendar."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from icalendar import Calendar

from workmate.accounts.models import User
from workmate.inbox import calendar
from workmate.testing.factories import make_project, make_task, make_user
from workmate.work.models import RequestState, Task, TaskStatus, Visibility, WorkRequest

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2025, 9, 22, 9, 0, tzinfo=SEOUL)  # A Monday morning in Seoul.

pytestmark = pytest.mark.usefixtures("frozen")


def seoul(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://workmate.example.com"


def feed_of(user) -> tuple[bytes, Calendar]:
    user.refresh_from_db()
    raw = calendar.build_feed(user)
    return raw, Calendar.from_ical(raw)


def events_by_uid(parsed: Calendar) -> dict:
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def assert_well_formed(raw: bytes, parsed: Calendar) -> None:
    """What calendar clients insist on: RFC 5545 required properties and zone definitions."""
    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"]
    uids = []
    used_zones = set()
    for event in parsed.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert name in event, f"{name} missing in {event}"
        uids.append(str(event["UID"]))
        tzid = event["DTSTART"].params.get("TZID")
        if tzid:
            used_zones.add(tzid)
    assert len(uids) == len(set(uids))
    defined = {str(zone["TZID"]) for zone in parsed.walk("VTIMEZONE")}
    assert used_zones <= defined
    # Lines are folded at 75 octets and end in CRLF.
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))


def test_calendar_headers_for_subscribing_clients(bob):
    raw, parsed = feed_of(bob)
    assert parsed["PRODID"] == calendar.PRODID
    assert parsed["CALSCALE"] == "GREGORIAN"
    assert parsed["METHOD"] == "PUBLISH"
    assert parsed["X-WR-CALNAME"] == "Workmate: Bob Lee"
    assert parsed["X-WR-TIMEZONE"] == "Asia/Seoul"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in raw
    assert b"X-PUBLISHED-TTL:PT1H" in raw
    assert parsed.walk("VEVENT") == []
    assert_well_formed(raw, parsed)


def test_due_date_is_an_all_day_event(project, bob):
    task = make_task(project=project, assignee=bob, title="Renew certificates", due_on=NOW.date())
    raw, parsed = feed_of(bob)
    event = events_by_uid(parsed)[f"task-{task.pk}-due@workmate.example.com"]
    assert event["DTSTART"].dt == datetime.date(2025, 9, 22)
    assert event["DTEND"].dt == datetime.date(2025, 9, 23)
    assert not isinstance(event["DTSTART"].dt, datetime.datetime)
    assert b"DTSTART;VALUE=DATE:20250922" in raw
    assert event["SUMMARY"] == "Due: Renew certificates"
    assert event["TRANSP"] == "TRANSPARENT"
    assert event["URL"] == f"https://workmate.example.com{task.get_absolute_url()}"
    assert event["URL"] in event["DESCRIPTION"]
    assert "Project: Migration" in event["DESCRIPTION"]
    assert event["SEQUENCE"] == task.version
    # No timed events: no zone definition is needed.
    assert parsed.walk("VTIMEZONE") == []
    assert_well_formed(raw, parsed)


def test_due_time_shows_at_ten_seoul_time(project, bob):
    task = make_task(
        project=project,
        assignee=bob,
        due_on=datetime.date(2025, 9, 26),
        due_at=seoul(2025, 9, 26, 10),
    )
    raw, parsed = feed_of(bob)
    event = events_by_uid(parsed)[f"task-{task.pk}-due@workmate.example.com"]
    start = event["DTSTART"].dt
    assert start == seoul(2025, 9, 26, 10)
    assert start.astimezone(datetime.UTC) == datetime.datetime(2025, 9, 26, 1, tzinfo=datetime.UTC)
    assert b"DTSTART;TZID=Asia/Seoul:20250926T100000" in raw
    assert event["DTEND"].dt - start == calendar.DEADLINE_LENGTH
    (zone,) = parsed.walk("VTIMEZONE")
    assert zone["TZID"] == "Asia/Seoul"
    assert_well_formed(raw, parsed)


def test_person_in_berlin_gets_their_own_zone(project):
    jonas = make_user(
        full_name="Jonas Weber", profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"}
    )
    task = make_task(
        project=make_project(owner=jonas, visibility=Visibility.ORG),
        assignee=jonas,
        due_on=datetime.date(2025, 9, 26),
        due_at=seoul(2025, 9, 26, 10),
    )
    raw, parsed = feed_of(jonas)
    event = events_by_uid(parsed)[f"task-{task.pk}-due@workmate.example.com"]
    # 10:00 in Seoul is 03:00 summer time in Berlin.
    assert b"DTSTART;TZID=Europe/Berlin:20250926T030000" in raw
    assert event["DTSTART"].dt.utcoffset() == datetime.timedelta(hours=2)
    assert parsed["X-WR-TIMEZONE"] == "Europe/Berlin"
    zones = {str(zone["TZID"]): zone for zone in parsed.walk("VTIMEZONE")}
    assert set(zones) == {"Europe/Berlin"}
    # The definition carries Berlin's summer and winter time, which Outlook needs.
    assert {part.name for part in zones["Europe/Berlin"].subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert_well_formed(raw, parsed)


def test_uids_stay_the_same_across_fetches_and_title_changes(project, bob):
    task = make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
    _raw, first = feed_of(bob)
    _raw, second = feed_of(bob)
    assert (
        set(events_by_uid(first))
        == set(events_by_uid(second))
        == {f"task-{task.pk}-due@workmate.example.com"}
    )
    Task.objects.filter(pk=task.pk).update(title="Renamed", version=task.version + 1)
    _raw, renamed = feed_of(bob)
    event = events_by_uid(renamed)[f"task-{task.pk}-due@workmate.example.com"]
    assert event["SUMMARY"] == "Due: Renamed"
    assert event["SEQUENCE"] == task.version + 1


def test_done_tasks_leave_the_feed(project, bob):
    task = make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
    _raw, before = feed_of(bob)
    assert len(events_by_uid(before)) == 1
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, completed_at=NOW)
    _raw, after = feed_of(bob)
    assert events_by_uid(after) == {}


def test_only_the_persons_own_tasks(project, alice, bob, charlie):
    make_task(project=project, assignee=alice, due_on=datetime.date(2025, 9, 25))
    make_task(project=project, assignee=None, due_on=datetime.date(2025, 9, 25))
    mine = make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
    _raw, parsed = feed_of(bob)
    assert set(events_by_uid(parsed)) == {f"task-{mine.pk}-due@workmate.example.com"}
    _raw, outsider = feed_of(charlie)
    assert events_by_uid(outsider) == {}


def test_tasks_in_projects_the_person_cannot_see_are_left_out(team, alice, charlie):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    # Assigned once, but charlie is in no team and no member of the private project.
    make_task(project=private, assignee=charlie, due_on=datetime.date(2025, 9, 25))
    _raw, parsed = feed_of(charlie)
    assert events_by_uid(parsed) == {}


def test_undated_and_long_past_deadlines_are_left_out(project, bob):
    make_task(project=project, assignee=bob)
    make_task(project=project, assignee=bob, due_on=datetime.date(2025, 7, 1))
    recent = make_task(project=project, assignee=bob, due_on=datetime.date(2025, 8, 1))
    _raw, parsed = feed_of(bob)
    assert set(events_by_uid(parsed)) == {f"task-{recent.pk}-due@workmate.example.com"}


def test_requests_show_as_reply_by_for_the_assignee_and_waiting_for_the_requester(
    project, alice, bob
):
    task = make_task(project=project, assignee=bob, title="Check the backups")
    request = WorkRequest.objects.create(
        task=task,
        requester=alice,
        assignee=bob,
        message="Before the audit, please.",
        reply_by=seoul(2025, 9, 23, 17),
    )
    raw, parsed = feed_of(bob)
    reply = events_by_uid(parsed)[f"request-{request.pk}-reply-by@workmate.example.com"]
    assert reply["SUMMARY"] == "Reply by: Check the backups"
    assert reply["DTSTART"].dt == seoul(2025, 9, 23, 17)
    assert b"DTSTART;TZID=Asia/Seoul:20250923T170000" in raw
    assert "Alice Kim asked you in Migration." in reply["DESCRIPTION"]
    assert "Before the audit, please." in reply["DESCRIPTION"]
    assert_well_formed(raw, parsed)

    raw, parsed = feed_of(alice)
    waiting = events_by_uid(parsed)[f"request-{request.pk}-waiting@workmate.example.com"]
    assert waiting["SUMMARY"] == "Waiting on Bob Lee: Check the backups"
    assert waiting["DTSTART"].dt == seoul(2025, 9, 23, 17)
    assert_well_formed(raw, parsed)

    WorkRequest.objects.filter(pk=request.pk).update(state=RequestState.ANSWERED, closed_at=NOW)
    _raw, bob_after = feed_of(bob)
    _raw, alice_after = feed_of(alice)
    assert events_by_uid(bob_after) == {}
    assert events_by_uid(alice_after) == {}


def test_feed_speaks_the_persons_language(project, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    make_task(project=project, assignee=bob, title="점검", due_on=datetime.date(2025, 9, 25))
    _raw, parsed = feed_of(bob)
    (event,) = parsed.walk("VEVENT")
    with translation.override("ko"):
        expected = translation.gettext("Due: %(title)s") % {"title": "점검"}
    assert event["SUMMARY"] == expected
    # Whatever language the code around it was speaking is left alone.
    assert translation.get_language() == "en"


def test_queries_stay_the_same_with_more_items(project, alice, bob, django_assert_num_queries):
    make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
    # As the feed view loads the person: with their profile.
    person = User.objects.select_related("profile").get(pk=bob.pk)
    with django_assert_num_queries(3):
        calendar.build_feed(person)
    for number in range(30):
        task = make_task(
            project=project,
            assignee=bob,
            due_on=datetime.date(2025, 9, 25),
            due_at=seoul(2025, 9, 25, 9 + number % 8),
        )
        WorkRequest.objects.create(
            task=task, requester=alice, assignee=bob, reply_by=seoul(2025, 9, 26, 12)
        )
    person = User.objects.select_related("profile").get(pk=bob.pk)
    with django_assert_num_queries(3):
        raw = calendar.build_feed(person)
    assert len(Calendar.from_ical(raw).walk("VEVENT")) == 61
