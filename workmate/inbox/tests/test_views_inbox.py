"""The inbox page (GET /inbox/), its actions, the open link and the unread count in the nav."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.inbox import services, views
from workmate.inbox.models import Kind, Notification
from workmate.inbox.tests.helpers import tell
from workmate.testing.factories import make_task, make_user

HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday, inside working hours in Seoul.
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)
HOME = "/inbox/"

pytestmark = pytest.mark.usefixtures("frozen")


def groups_on(html: str) -> list[str]:
    return re.findall(r'data-group="([^"]+)"', html)


def items_on(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="notification-(\d+)"', html)]


def post(client, name: str, notification=None, data=None, **headers):
    args = [notification.pk] if notification is not None else []
    return client.post(reverse(f"inbox:{name}", args=args), data or {}, headers=headers)


# --- The list --------------------------------------------------------------------------


def test_groups_by_task_with_the_newest_group_first(client, project, alice, bob):
    backups = make_task(project=project, title="Check backups")
    invoice = make_task(project=project, title="Send invoice")
    first = tell(bob, backups, Kind.REQUEST, actor=alice, minutes_ago=30)
    second = tell(bob, backups, Kind.COMMENT, actor=alice, minutes_ago=20, excerpt="Any news?")
    third = tell(bob, invoice, Kind.MENTION, actor=alice, minutes_ago=25)
    client.force_login(bob)

    html = client.get(HOME).content.decode()

    assert groups_on(html) == [f"task:{backups.pk}", f"task:{invoice.pk}"]
    assert items_on(html) == [second.pk, first.pk, third.pk]
    assert "Alice Kim sent you a request: Check backups" in html
    assert "Alice Kim commented on Check backups" in html
    assert "Any news?" in html
    assert f'href="{backups.get_absolute_url()}"' in html  # The group links to its task.
    assert "Wed 19 Nov, 09:40" in html  # The `when` format, in Bob's zone.


def test_sentences_follow_the_readers_language(client, project, alice, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    tell(bob, make_task(project=project, title="Check backups"), Kind.REQUEST, actor=alice)
    client.force_login(bob)

    html = client.get(HOME).content.decode()

    # The sentences' Korean arrives with the lead's merge of translations; the dates show
    # that the page is rendered in Bob's language.
    assert "11월 19일 (수) 10:00" in html
    assert "Check backups" in html


def test_an_urgent_notification_shows_its_badge_and_reason(client, project, alice, bob):
    tell(bob, make_task(project=project), Kind.REQUEST, actor=alice, urgent_reason="Server down")
    client.force_login(bob)

    html = client.get(HOME).content.decode()

    assert "badge-urgent" in html
    assert "Server down" in html


def test_each_tab_lists_its_own_notifications(client, project, bob):
    task = make_task(project=project)
    unread = tell(bob, task)
    read = tell(bob, task, read_at=NOW)
    archived = tell(bob, task, read_at=NOW, archived_at=NOW)
    snoozed = tell(bob, task, snoozed_until=NOW + datetime.timedelta(hours=3))
    woke = tell(bob, task, snoozed_until=NOW - datetime.timedelta(minutes=1))
    client.force_login(bob)

    def listed(tab: str) -> set[int]:
        return set(items_on(client.get(HOME, {"tab": tab}).content.decode()))

    assert listed("unread") == {unread.pk, woke.pk}
    assert set(items_on(client.get(HOME).content.decode())) == {unread.pk, woke.pk}
    assert listed("all") == {unread.pk, read.pk, woke.pk}
    assert listed("snoozed") == {snoozed.pk}
    assert listed("archived") == {archived.pk}
    assert listed("nonsense") == {unread.pk, woke.pk}


def test_nobody_sees_anyone_elses_notifications(client, project, alice, bob):
    tell(alice, make_task(project=project, title="Alice's secret"))
    client.force_login(bob)

    html = client.get(HOME, {"tab": "all"}).content.decode()

    assert "Alice&#x27;s secret" not in html and "Alice's secret" not in html
    assert "No notifications." in html


def test_groups_are_paginated(client, project, bob, monkeypatch):
    monkeypatch.setattr(views, "GROUPS_PER_PAGE", 2)
    tasks = [make_task(project=project, title=f"Task {n}") for n in range(5)]
    for minutes, task in enumerate(tasks):
        tell(bob, task, minutes_ago=minutes)
    client.force_login(bob)

    first = client.get(HOME).content.decode()
    third = client.get(HOME, {"tab": "unread", "page": "3"}).content.decode()

    assert groups_on(first) == [f"task:{tasks[0].pk}", f"task:{tasks[1].pk}"]
    assert "Page 1 of 3" in first
    assert groups_on(third) == [f"task:{tasks[4].pk}"]


def test_list_query_count_does_not_grow(client, project, alice, bob, django_assert_max_num_queries):
    def queries(groups: int) -> int:
        Notification.objects.all().delete()
        for number in range(groups):
            task = make_task(project=project, title=f"Task {number}")
            tell(bob, task, Kind.REQUEST, actor=alice, minutes_ago=number)
            tell(bob, task, Kind.COMMENT, actor=make_user(), minutes_ago=number)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    client.force_login(bob)
    assert queries(2) == queries(views.GROUPS_PER_PAGE + 5)
    # Session, person, profile; groups counted and paged; their notifications with actors;
    # who may still see those tasks (three); profile and days off for the snooze choices;
    # the urgent-audit link.
    with django_assert_max_num_queries(11):
        client.get(HOME)


def test_htmx_gets_the_fragment_and_a_browser_the_page(client, project, bob):
    tell(bob, make_task(project=project))
    client.force_login(bob)

    page = client.get(HOME).content.decode()
    fragment = client.get(HOME, headers=HTMX).content.decode()

    assert "<html" in page and 'id="inbox-list"' in page
    assert 'href="/inbox/preferences/"' in page and 'href="/inbox/calendar/"' in page
    assert "<html" not in fragment and "inbox-tabs" in fragment
    assert 'hx-swap-oob="innerHTML:#inbox-count"' in fragment


# --- Actions ---------------------------------------------------------------------------


def test_mark_read_and_unread(client, project, bob):
    notification = tell(bob, make_task(project=project))
    client.force_login(bob)

    response = post(client, "read", notification, {"tab": "all", "page": "1"})
    notification.refresh_from_db()
    assert notification.read_at == NOW
    assert response.status_code == 302 and response["Location"] == "/inbox/?tab=all"

    post(client, "unread", notification, {"tab": "all"})
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_action_with_htmx_answers_the_list_and_the_new_count(client, project, bob):
    task = make_task(project=project)
    notification = tell(bob, task)
    tell(bob, task)
    client.force_login(bob)

    response = post(client, "read", notification, {"tab": "unread"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert items_on(html) == [pk for pk in items_on(html) if pk != notification.pk]
    assert re.search(r'hx-swap-oob="innerHTML:#inbox-count">.*>1</span>', html)


def test_mark_all_read_touches_only_mine(client, project, alice, bob):
    task = make_task(project=project)
    mine = [tell(bob, task), tell(bob, task)]
    theirs = tell(alice, task)
    client.force_login(bob)

    response = post(client, "read_all", data={"tab": "unread"})

    assert response.status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=NOW).count() == 2
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_archive_one_and_unarchive_it(client, project, bob):
    notification = tell(bob, make_task(project=project))
    client.force_login(bob)

    post(client, "archive", notification)
    notification.refresh_from_db()
    assert notification.archived_at == NOW and notification.read_at == NOW

    post(client, "unarchive", notification, {"tab": "archived"})
    notification.refresh_from_db()
    assert notification.archived_at is None


def test_archive_a_whole_group(client, project, alice, bob):
    backups = make_task(project=project)
    other = make_task(project=project)
    group = [tell(bob, backups), tell(bob, backups, read_at=NOW)]
    kept = tell(bob, other)
    alices = tell(alice, backups)
    client.force_login(bob)

    post(client, "archive_group", data={"group": f"task:{backups.pk}", "tab": "unread"})

    assert Notification.objects.filter(pk__in=[n.pk for n in group], archived_at=NOW).count() == 2
    for untouched in (kept, alices):
        untouched.refresh_from_db()
        assert untouched.archived_at is None


def test_snooze_until_the_next_working_day(client, project, bob):
    notification = tell(bob, make_task(project=project), read_at=NOW)
    client.force_login(bob)

    response = post(client, "snooze", notification, {"until": "tomorrow", "tab": "all"})

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.snoozed_until == datetime.datetime(2025, 11, 20, 9, 0, tzinfo=SEOUL)
    assert notification.read_at is None  # It comes back unread.
    assert notification.pk not in items_on(client.get(HOME).content.decode())
    assert items_on(client.get(HOME, {"tab": "snoozed"}).content.decode()) == [notification.pk]


def test_snooze_choices_follow_the_persons_working_calendar(client, project, bob):
    # Bob works Monday to Thursday, 10:00 to 16:00 in Berlin (02:00 there now).
    bob.profile.time_zone = "Europe/Berlin"
    bob.profile.work_days = [0, 1, 2, 3]
    bob.profile.work_start = datetime.time(10)
    bob.profile.work_end = datetime.time(16)
    bob.profile.holiday_country = "DE"
    bob.profile.save()
    with time_machine.travel(datetime.datetime(2025, 11, 20, 14, 30, tzinfo=BERLIN), tick=False):
        moments = services.snooze_moments(bob)
    assert moments == {
        # 1.5 hours left on Thursday, half an hour on Monday.
        "later": datetime.datetime(2025, 11, 24, 10, 30, tzinfo=BERLIN),
        "tomorrow": datetime.datetime(2025, 11, 24, 10, 0, tzinfo=BERLIN),
        "next_week": datetime.datetime(2025, 11, 24, 10, 0, tzinfo=BERLIN),
    }
    notification = tell(bob, make_task(project=project))
    client.force_login(bob)

    html = client.get(HOME).content.decode()

    # 02:00 in Berlin now: two working hours after 10:00.
    assert "In 2 working hours" in html and "(Wed 19 Nov, 12:00)" in html
    assert "Start of next week&#x27;s first working day" in html
    assert notification.pk in items_on(html)


def test_snooze_until_a_date_and_time_of_ones_own_zone(client, project, bob):
    bob.profile.time_zone = "Europe/Berlin"
    bob.profile.save()
    notification = tell(bob, make_task(project=project))
    client.force_login(bob)

    post(client, "snooze", notification, {"until": "custom", "custom": "2025-11-21T15:30"})

    notification.refresh_from_db()
    assert notification.snoozed_until == datetime.datetime(2025, 11, 21, 15, 30, tzinfo=BERLIN)


def test_a_snooze_in_the_past_is_a_form_error_and_changes_nothing(client, project, bob):
    notification = tell(bob, make_task(project=project))
    client.force_login(bob)

    response = post(
        client, "snooze", notification, {"until": "custom", "custom": "2025-11-18T09:00"}
    )
    fragment = post(
        client, "snooze", notification, {"until": "custom", "custom": "2025-11-18T09:00"}, **HTMX
    )

    assert response.status_code == 400
    assert "Snooze until a moment in the future." in response.content.decode()
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "Snooze until a moment in the future." in fragment.content.decode()
    notification.refresh_from_db()
    assert notification.snoozed_until is None


def test_a_custom_snooze_needs_its_date_and_time(client, project, bob):
    notification = tell(bob, make_task(project=project))
    client.force_login(bob)

    response = post(client, "snooze", notification, {"until": "custom", "custom": ""})

    assert response.status_code == 400
    assert "Pick the date and time to snooze until." in response.content.decode()
    notification.refresh_from_db()
    assert notification.snoozed_until is None


# --- Opening ---------------------------------------------------------------------------


def test_opening_marks_read_and_goes_to_the_task(client, project, bob):
    task = make_task(project=project)
    notification = tell(bob, task)
    client.force_login(bob)

    response = client.get(reverse("inbox:open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at == NOW


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_opening_never_leaves_the_site(client, project, bob, url):
    notification = tell(bob, make_task(project=project), url=url)
    client.force_login(bob)

    response = client.get(reverse("inbox:open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("inbox:home")


# --- Who may do what -------------------------------------------------------------------

ACTIONS = ["read", "unread", "archive", "unarchive", "snooze"]


@pytest.mark.parametrize("name", [*ACTIONS, "open"])
def test_someone_elses_notification_is_404(client, project, alice, bob, name):
    notification = tell(alice, make_task(project=project))
    client.force_login(bob)
    url = reverse(f"inbox:{name}", args=[notification.pk])

    response = client.get(url) if name == "open" else client.post(url, {"until": "tomorrow"})

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None and notification.archived_at is None
    assert notification.snoozed_until is None


def every_url(notification) -> list[tuple[str, str]]:
    """(URL, the method it answers) for every inbox page and action."""
    pk = [notification.pk]
    return [
        (reverse("inbox:home"), "get"),
        (reverse("inbox:count"), "get"),
        (reverse("inbox:preferences"), "get"),
        (reverse("inbox:urgent"), "get"),
        (reverse("inbox:open", args=pk), "get"),
        (reverse("inbox:read_all"), "post"),
        (reverse("inbox:archive_group"), "post"),
        *((reverse(f"inbox:{name}", args=pk), "post") for name in ACTIONS),
    ]


def test_anonymous_people_are_sent_to_log_in(client, project, bob):
    notification = tell(bob, make_task(project=project))
    for url, method in every_url(notification):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_polled_count_stops_polling_once_signed_out(client):
    response = client.get(reverse("inbox:count"), headers=HTMX)

    assert response.status_code == 286 and not response.content


def test_wrong_methods_are_refused(client, project, bob):
    notification = tell(bob, make_task(project=project))
    client.force_login(bob)
    for url, method in every_url(notification):
        wrong = client.post if method == "get" else client.get
        if url == reverse("inbox:preferences"):
            wrong = client.put
        assert wrong(url).status_code == 405, url
    notification.refresh_from_db()
    assert notification.read_at is None


def test_every_inbox_url_is_tried_here():
    from workmate.inbox import urls

    names = {pattern.name for pattern in urls.urlpatterns}
    tried = {"home", "count", "preferences", "urgent", "open", "read_all", "archive_group"}
    mine = names - {name for name in names if name.startswith("calendar")}
    assert mine == tried | set(ACTIONS)


# --- The count in the nav --------------------------------------------------------------


def test_count_counts_what_is_unread_and_awake(client, project, alice, bob):
    task = make_task(project=project)
    tell(bob, task)
    tell(bob, task)
    tell(bob, task, read_at=NOW)
    tell(bob, task, archived_at=NOW)
    tell(bob, task, snoozed_until=NOW + datetime.timedelta(hours=1))
    tell(alice, task)
    client.force_login(bob)

    html = client.get(reverse("inbox:count"), headers=HTMX).content.decode()

    assert '<span class="count" aria-hidden="true">2</span>' in html
    assert "2 unread" in html


def test_count_is_empty_when_nothing_is_unread(client, bob, django_assert_max_num_queries):
    client.force_login(bob)
    client.get(HOME)
    # Session, person, profile and the count.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("inbox:count"), headers=HTMX)

    assert response.status_code == 200 and response.content.strip() == b""


def test_every_page_links_the_inbox_and_loads_its_count_lazily(client, project, alice, bob):
    """The count is fetched by htmx after the page loads: it adds no query to any page."""
    client.force_login(bob)

    def inbox_queries() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(reverse("work:home")).content.decode()
        return html, [q["sql"] for q in captured]

    _html, before = inbox_queries()
    for number in range(5):
        tell(bob, make_task(project=project), actor=alice, minutes_ago=number)
    html, after = inbox_queries()

    assert len(before) == len(after)
    assert not any("inbox_notification" in sql for sql in after)
    assert f'href="{HOME}"' in html
    assert 'hx-get="/inbox/count" hx-trigger="load, every 60s"' in html


def test_signed_out_pages_have_no_inbox_link(client):
    html = client.get(reverse("login")).content.decode()

    assert "/inbox/count" not in html


def test_notify_then_the_count_goes_up(client, project, alice, bob):
    task = make_task(project=project, title="Check backups")
    client.force_login(bob)
    services.notify(
        [bob], Kind.REQUEST, title=task.title, url="/", group_key=f"task:{task.pk}", actor=alice
    )

    html = client.get(reverse("inbox:count")).content.decode()

    assert ">1</span>" in html


# --- Admin -----------------------------------------------------------------------------


def test_the_admin_lists_notifications_read_only_and_hides_feed_tokens(client, project, bob):
    from workmate.inbox.models import CalendarFeed

    notification = tell(bob, make_task(project=project, title="Check backups"))
    feed = CalendarFeed.objects.create(user=bob)
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)

    listing = client.get("/admin/inbox/notification/")
    detail = client.get(f"/admin/inbox/notification/{notification.pk}/change/")
    feeds = client.get("/admin/inbox/calendarfeed/").content.decode()
    feed_page = client.get(f"/admin/inbox/calendarfeed/{feed.pk}/change/").content.decode()

    assert listing.status_code == 200 and "Check backups" in listing.content.decode()
    assert detail.status_code == 200 and 'name="title"' not in detail.content.decode()
    assert client.get("/admin/inbox/notification/add/").status_code == 403
    assert feed.token not in feeds and feed.token not in feed_page
