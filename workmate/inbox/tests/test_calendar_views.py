"""The calendar feed address (no log-in) and the page that makes, resets and deletes it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from workmate.inbox.models import CalendarFeed
from workmate.testing.factories import make_task
from workmate.work.models import WorkRequest

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 9, 22, 9, 0, tzinfo=SEOUL)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://workmate.example.com"


@pytest.fixture
def bob_feed(bob):
    return CalendarFeed.objects.create(user=bob)


def feed_path(token: str) -> str:
    return reverse("inbox:calendar_feed", args=[token])


def uids(response) -> set[str]:
    return {str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}


# --- The feed -------------------------------------------------------------------------------


def test_feed_serves_the_owners_deadlines_without_log_in(client, project, alice, bob, bob_feed):
    mine = make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
    make_task(project=project, assignee=alice, due_on=datetime.date(2025, 9, 25))
    response = client.get(feed_path(bob_feed.token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    assert "private" in response["Cache-Control"]
    # Calendar apps keep no cookies: nothing is set, no session is needed.
    assert response.cookies == {}
    assert uids(response) == {f"task-{mine.pk}-due@workmate.example.com"}


def test_head_works_and_post_is_refused(client, bob_feed):
    assert client.head(feed_path(bob_feed.token)).status_code == 200
    assert client.post(feed_path(bob_feed.token)).status_code == 405


def test_feed_is_the_same_whoever_is_signed_in(client, project, alice, bob, bob_feed):
    make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
    anonymous = uids(client.get(feed_path(bob_feed.token)))
    client.force_login(alice)
    assert uids(client.get(feed_path(bob_feed.token))) == anonymous


def test_unknown_token_is_404_and_changes_nothing(client, bob_feed):
    response = client.get(feed_path("not-a-real-token"))
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content
    bob_feed_after = CalendarFeed.objects.get()
    assert bob_feed_after.token == bob_feed.token
    assert bob_feed_after.created_at == bob_feed.created_at


def test_deactivated_persons_feed_is_404(client, bob, bob_feed):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert client.get(feed_path(bob_feed.token)).status_code == 404


def test_feed_queries_do_not_grow_with_items(client, project, alice, bob, bob_feed):
    make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
    with CaptureQueriesContext(connection) as one:
        assert client.get(feed_path(bob_feed.token)).status_code == 200
    for _ in range(30):
        task = make_task(project=project, assignee=bob, due_on=datetime.date(2025, 9, 25))
        WorkRequest.objects.create(
            task=task,
            requester=alice,
            assignee=bob,
            reply_by=datetime.datetime(2025, 9, 26, 12, tzinfo=SEOUL),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(feed_path(bob_feed.token))
    assert len(uids(response)) == 61
    assert len(many) == len(one) <= 4


# --- The settings page ------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(reverse("inbox:calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    for name in ("inbox:calendar_create", "inbox:calendar_reset", "inbox:calendar_delete"):
        response = client.post(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


def test_page_without_a_feed_offers_to_make_one(client, bob):
    client.force_login(bob)
    response = client.get(reverse("inbox:calendar"))
    assert response.status_code == 200
    assert b'id="calendar-create-form"' in response.content
    assert b"webcal://" not in response.content


def test_making_a_feed_shows_its_address(client, bob):
    client.force_login(bob)
    response = client.post(reverse("inbox:calendar_create"), follow=True)
    feed = CalendarFeed.objects.get(user=bob)
    content = response.content.decode()
    assert f"https://workmate.example.com/inbox/calendar/{feed.token}.ics" in content
    assert f"webcal://workmate.example.com/inbox/calendar/{feed.token}.ics" in content
    # Making it again keeps the address.
    client.post(reverse("inbox:calendar_create"))
    assert CalendarFeed.objects.get(user=bob).token == feed.token


def test_page_shows_only_the_viewers_own_address(client, alice, bob_feed):
    client.force_login(alice)
    response = client.get(reverse("inbox:calendar"))
    assert bob_feed.token not in response.content.decode()
    assert b'id="calendar-create-form"' in response.content


def test_reset_gives_a_new_address_and_the_old_one_is_404_at_once(client, bob, bob_feed):
    old = bob_feed.token
    assert client.get(feed_path(old)).status_code == 200
    client.force_login(bob)
    response = client.post(reverse("inbox:calendar_reset"))
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=bob).token
    assert new != old
    client.logout()
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200


def test_reset_touches_no_one_elses_feed(client, alice, bob, bob_feed):
    alice_feed = CalendarFeed.objects.create(user=alice)
    client.force_login(bob)
    client.post(reverse("inbox:calendar_reset"))
    alice_feed.refresh_from_db()
    assert CalendarFeed.objects.get(user=alice).token == alice_feed.token
    assert client.get(feed_path(alice_feed.token)).status_code == 200


def test_turning_the_feed_off_deletes_it(client, bob, bob_feed):
    client.force_login(bob)
    response = client.post(reverse("inbox:calendar_delete"))
    assert response.status_code == 302
    assert not CalendarFeed.objects.filter(user=bob).exists()
    client.logout()
    assert client.get(feed_path(bob_feed.token)).status_code == 404


def test_changes_need_post(client, bob, bob_feed):
    client.force_login(bob)
    for name in ("inbox:calendar_create", "inbox:calendar_reset", "inbox:calendar_delete"):
        assert client.get(reverse(name)).status_code == 405
    assert CalendarFeed.objects.get(user=bob).token == bob_feed.token
    assert client.post(reverse("inbox:calendar")).status_code == 405
