"""The inbox API (/api/v1/inbox/): list, mark read, archive, snooze and the unread count —
the same services as the inbox page, every answer checked against the OpenAPI schema."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from workmate.inbox.models import Kind
from workmate.inbox.tests.helpers import tell
from workmate.testing.factories import make_task, make_user
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client

JSON = "application/json"
SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)
BASE = "/api/v1/inbox"

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def document(db):
    return fetch_schema(Client())


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_lists_the_inbox_newest_first_with_filters(project, alice, bob):
    task = make_task(project=project, title="Check backups")
    older = tell(bob, task, minutes_ago=10, kind=Kind.REQUEST, actor=alice, urgent_reason="Down")
    newer = tell(bob, task, minutes_ago=5, read_at=NOW)
    archived = tell(bob, task, minutes_ago=1, archived_at=NOW)
    snoozed = tell(bob, task, snoozed_until=NOW + datetime.timedelta(hours=1))
    tell(alice, task)
    api = token_client(bob)

    listing = api.get(f"{BASE}/notifications")

    assert ids(listing) == [newer.pk, older.pk]
    first = listing.json()["items"][1]
    assert first["sentence"] == "Alice Kim sent you a request: Check backups"
    assert first["actor"] == {"id": alice.pk, "full_name": "Alice Kim"}
    assert first["urgent_reason"] == "Down" and first["group_key"] == f"task:{task.pk}"
    assert ids(api.get(f"{BASE}/notifications", {"unread": "true"})) == [older.pk]
    assert ids(api.get(f"{BASE}/notifications", {"archived": "true"})) == [archived.pk]
    assert snoozed.pk not in ids(api.get(f"{BASE}/notifications", {"limit": 200}))


def test_pages_walk_every_row_once_with_fixed_queries(project, bob):
    task = make_task(project=project)
    # Several share a moment, so the cursor must break ties by id.
    made = [tell(bob, task, minutes_ago=n // 3, actor=make_user()) for n in range(10)]
    api = token_client(bob)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get(f"{BASE}/notifications", params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(n.pk for n in made) and len(seen) == len(set(seen))

    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{BASE}/notifications", {"limit": limit}).status_code == 200
        return len(queries)

    assert count(2) == count(10)


def test_mark_read_and_archive(document, project, bob):
    task = make_task(project=project)
    first, second = tell(bob, task), tell(bob, task)
    api = token_client(bob)

    read = api.post(f"{BASE}/notifications/{first.pk}/read")
    archived = api.post(f"{BASE}/notifications/{second.pk}/archive")

    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at == NOW and first.archived_at is None
    assert second.archived_at == NOW
    assert_matches_schema(document, "post", f"{BASE}/notifications/{first.pk}/read", read)
    assert_matches_schema(document, "post", f"{BASE}/notifications/{second.pk}/archive", archived)


def test_snooze_until_a_future_moment(document, project, bob):
    notification = tell(bob, make_task(project=project), read_at=NOW)
    path = f"{BASE}/notifications/{notification.pk}/snooze"

    response = token_client(bob).post(
        path, {"until": "2025-11-20T09:00:00+09:00"}, content_type=JSON
    )

    assert response.status_code == 200, response.content
    assert_matches_schema(document, "post", path, response)
    notification.refresh_from_db()
    assert notification.snoozed_until == datetime.datetime(2025, 11, 20, 9, tzinfo=SEOUL)
    assert notification.read_at is None


def test_a_time_without_offset_is_read_in_the_persons_zone(project, bob):
    bob.profile.time_zone = "Europe/Berlin"
    bob.profile.save()
    notification = tell(bob, make_task(project=project))

    token_client(bob).post(
        f"{BASE}/notifications/{notification.pk}/snooze",
        {"until": "2025-11-20T09:00:00"},
        content_type=JSON,
    )

    notification.refresh_from_db()
    assert notification.snoozed_until == datetime.datetime(2025, 11, 20, 9, tzinfo=BERLIN)


def test_a_snooze_in_the_past_is_400_and_changes_nothing(document, project, bob):
    notification = tell(bob, make_task(project=project))
    path = f"{BASE}/notifications/{notification.pk}/snooze"

    response = token_client(bob).post(
        path, {"until": "2025-11-19T09:00:00+09:00"}, content_type=JSON
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Snooze until a moment in the future."
    assert_matches_schema(document, "post", path, response)
    notification.refresh_from_db()
    assert notification.snoozed_until is None


def test_unread_count(document, project, bob):
    task = make_task(project=project)
    tell(bob, task)
    tell(bob, task)
    tell(bob, task, read_at=NOW)
    tell(bob, task, snoozed_until=NOW + datetime.timedelta(minutes=5))
    path = f"{BASE}/unread-count"

    response = token_client(bob).get(path)

    assert response.json() == {"unread": 2}
    assert_matches_schema(document, "get", path, response)


def test_someone_elses_notification_is_404(document, project, alice, bob):
    notification = tell(alice, make_task(project=project))
    api = token_client(bob)
    for action in ("read", "archive", "snooze"):
        path = f"{BASE}/notifications/{notification.pk}/{action}"
        body = {"until": "2030-01-01T09:00:00+09:00"}
        response = api.post(path, body, content_type=JSON)
        assert response.status_code == 404, action
        assert_matches_schema(document, "post", path, response)
    response = api.get(f"{BASE}/notifications/{notification.pk}")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert (notification.read_at, notification.archived_at, notification.snoozed_until) == (
        None,
        None,
        None,
    )


def test_without_a_token_is_401(document, project, bob):
    notification = tell(bob, make_task(project=project))
    anonymous = Client()
    for method, path in [
        ("get", f"{BASE}/notifications"),
        ("get", f"{BASE}/unread-count"),
        ("post", f"{BASE}/notifications/{notification.pk}/read"),
    ]:
        response = getattr(anonymous, method)(path)
        assert response.status_code == 401, path
        assert_matches_schema(document, method, path, response)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_every_route_answers_as_documented(document, project, alice, bob):
    task = make_task(project=project)
    notification = tell(bob, task, actor=alice)
    api = token_client(bob)
    snooze = f"{BASE}/notifications/{notification.pk}/snooze"
    calls = [
        ("get", f"{BASE}/notifications", None, 200),
        ("get", f"{BASE}/notifications?unread=true", None, 200),
        ("get", f"{BASE}/notifications/{notification.pk}", None, 200),
        ("get", f"{BASE}/unread-count", None, 200),
        ("post", f"{BASE}/notifications/{notification.pk}/read", None, 200),
        ("post", f"{BASE}/notifications/{notification.pk}/archive", None, 200),
        ("post", snooze, {"until": "2030-01-01T09:00Z"}, 200),
        ("get", f"{BASE}/notifications?cursor=nonsense", None, 400),
        ("post", snooze, {"until": "soon"}, 422),
    ]
    for method, path, body, status in calls:
        if method == "get":
            response = api.get(path)
        else:
            response = api.post(path, body or {}, content_type=JSON)
        assert response.status_code == status, (path, response.content)
        assert_matches_schema(document, method, path, response)
