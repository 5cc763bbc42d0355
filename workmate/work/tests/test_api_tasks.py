"""The task API (/api/v1/tasks): list with filters and cursor pages, get with ETag,
create, PATCH with If-Match, delete — each through the same services as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_project, make_task, make_team, make_user
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import (
    Activity,
    Comment,
    ProjectMember,
    ProjectRole,
    Section,
    Tag,
    Task,
    TaskStatus,
    Visibility,
    WorkRequest,
)

JSON = "application/json"

UNAUTHORIZED = {"detail": "Send a personal API token as “Authorization: Bearer wm_…”."}


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Check backups")


@pytest.fixture
def api(alice):
    return token_client(alice)


@pytest.fixture
def viewer_api(project, charlie):
    """Charlie may look at the project but not change it."""
    ProjectMember.objects.create(project=project, user=charlie, role=ProjectRole.VIEWER)
    return token_client(charlie)


@pytest.fixture
def outsider_api(charlie):
    return token_client(charlie)


def url(task: Task | int) -> str:
    return f"/api/v1/tasks/{getattr(task, 'pk', task)}"


# --- Reading ---------------------------------------------------------------------------


def test_get_returns_task_with_version_and_etag(api, task, bob):
    services.do_update_task(task.created_by, task, {"assignee": bob})
    response = api.get(url(task))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Check backups"
    assert body["assignee"] == {"id": bob.pk, "full_name": "Bob Lee", "email": "bob@example.com"}
    assert body["version"] == 2
    assert response["ETag"] == '"2"'


def test_anonymous_gets_401_json():
    response = Client(headers={"Accept-Language": "en"}).get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_outsider_gets_404_for_private_task(team, alice, outsider_api):
    secret = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    task = services.do_create_task(alice, secret, title="Secret")
    response = outsider_api.get(url(task))
    assert response.status_code == 404
    assert "detail" in response.json()
    assert outsider_api.patch(url(task), {"title": "x"}, content_type=JSON).status_code == 404
    assert outsider_api.delete(url(task)).status_code == 404
    assert Task.objects.filter(pk=task.pk, title="Secret").exists()


def test_list_shows_only_visible_tasks(api, outsider_api, task, alice):
    other = make_task(project=make_project(visibility=Visibility.PRIVATE), title="Not mine")
    ids = [item["id"] for item in api.get("/api/v1/tasks").json()["items"]]
    assert ids == [task.pk]
    assert other.pk not in ids
    assert outsider_api.get("/api/v1/tasks").json() == {"items": [], "next_cursor": None}


def test_list_filters(api, project, alice, bob):
    section = services.do_create_section(alice, project, name="Doing")
    urgent = Tag.objects.create(name="urgent")
    mine = services.do_create_task(alice, project, title="Patch kernel", assignee=alice)
    bobs = services.do_create_task(
        alice, project, title="Rotate keys", assignee=bob, section=section
    )
    bobs.tags.add(urgent)
    due = services.do_create_task(
        alice, project, title="Renew cert", due_on=datetime.date(2025, 12, 1), description="TLS"
    )
    done = services.do_create_task(alice, project, title="Old", status=TaskStatus.DONE)
    elsewhere = make_task(project=make_project(team=project.team, owner=alice), title="Else")

    def ids(**params: object) -> set[int]:
        response = api.get("/api/v1/tasks", params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(project=project.pk) == {mine.pk, bobs.pk, due.pk, done.pk}
    assert elsewhere.pk in ids()
    assert ids(assignee="me") == {mine.pk}
    assert ids(assignee=bob.pk) == {bobs.pk}
    assert ids(section=section.pk) == {bobs.pk}
    assert ids(status="done") == {done.pk}
    assert ids(tag="urgent") == {bobs.pk}
    assert ids(due_before="2025-12-01") == {due.pk}
    assert ids(due_after="2025-12-02") == set()
    assert ids(q="tls") == {due.pk}
    assert ids(q="kernel") == {mine.pk}


def test_bad_filters_are_rejected(api):
    bad_assignee = api.get("/api/v1/tasks", {"assignee": "someone"})
    assert bad_assignee.status_code == 400
    assert "assignee" in bad_assignee.json()["errors"]
    bad_status = api.get("/api/v1/tasks", {"status": "sleeping"})
    assert bad_status.status_code == 422
    assert bad_status.json()["detail"]
    assert api.get("/api/v1/tasks", {"limit": 201}).status_code == 422
    bad_cursor = api.get("/api/v1/tasks", {"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.json()["errors"]


def test_cursor_pages_walk_every_task_once_even_with_inserts(api, project, alice):
    created = [make_task(project=project, created_by=alice) for _ in range(25)]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, object] = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/api/v1/tasks", params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        if pages == 1:
            # A task added while paging shows up at the end, not as a repeat.
            created.append(make_task(project=project, created_by=alice))
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(task.pk for task in created)


def _count_list_queries(api: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/tasks", {"limit": 200})
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(api, project, alice, bob):
    tag = Tag.objects.create(name="ops")

    def add(count: int) -> None:
        for _ in range(count):
            task = make_task(project=project, created_by=alice, assignee=bob)
            task.tags.add(tag)

    add(10)
    api.get("/api/v1/tasks")  # The token's first use writes last_used_at; count after it.
    ten = _count_list_queries(api)
    add(50)
    sixty = _count_list_queries(api)
    assert len(api.get("/api/v1/tasks", {"limit": 200}).json()["items"]) == 60
    assert ten == sixty


# --- Writing ---------------------------------------------------------------------------


def test_create_task_goes_through_the_service(api, project, alice, bob):
    section = services.do_create_section(alice, project, name="Doing")
    response = api.post(
        "/api/v1/tasks",
        {
            "project_id": project.pk,
            "title": "  Upgrade DB  ",
            "section_id": section.pk,
            "assignee_id": bob.pk,
            "due_on": "2030-01-31",
            "priority": 3,
            "request_message": "Before the freeze, please.",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert task.title == "Upgrade DB"
    assert (task.section, task.assignee, task.priority) == (section, bob, 3)
    assert task.due_on == datetime.date(2030, 1, 31)
    assert response["ETag"] == f'"{task.version}"'
    # Assigning to someone else is a request, as on the page.
    request = WorkRequest.objects.get(task=task)
    assert (request.assignee, request.message) == (bob, "Before the freeze, please.")
    assert Activity.objects.filter(task=task, verb="created").exists()


def test_create_task_for_someone_without_a_message_assigns_without_a_request(api, project, bob):
    response = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "Rack servers", "assignee_id": bob.pk},
        content_type=JSON,
    )

    assert response.status_code == 201, response.content
    task = Task.objects.get(pk=response.json()["id"])
    assert task.assignee == bob
    # Not a request with an empty message: a plain assignment, told in Bob's inbox.
    assert not WorkRequest.objects.exists()
    assert list(Notification.objects.values_list("recipient", "kind")) == [(bob.pk, Kind.ASSIGNED)]
    assert task.followers.filter(pk=bob.pk).exists()
    history = Activity.objects.filter(task=task).values_list("verb", "field", "new_value")
    assert ("changed", "assignee", "Bob Lee") in list(history)


def test_a_reply_by_or_message_without_a_request_to_carry_it_is_refused(api, project, task, bob):
    reply_by = "2030-01-02T10:00:00+09:00"
    no_message = api.post(
        "/api/v1/tasks",
        {
            "project_id": project.pk,
            "title": "X",
            "assignee_id": bob.pk,
            "request_reply_by": reply_by,
        },
        content_type=JSON,
    )
    no_one = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "Y", "request_message": "Who reads this?"},
        content_type=JSON,
    )
    patch_no_one = api.patch(
        url(task), {"priority": 3, "request_message": "Anyone?"}, content_type=JSON
    )

    assert no_message.status_code == 400
    assert "request_message" in no_message.json()["errors"]
    assert no_one.status_code == 400
    assert "assignee" in no_one.json()["errors"]
    assert patch_no_one.status_code == 400
    assert Task.objects.count() == 1
    task.refresh_from_db()
    assert (task.priority, task.version) == (0, 1)
    assert not WorkRequest.objects.exists() and not Notification.objects.exists()


def test_patch_assignee_with_a_message_asks_and_without_assigns(api, project, task, alice, bob):
    asked = make_task(project=project, title="Asked")

    plain = api.patch(url(task), {"assignee_id": bob.pk}, content_type=JSON)
    request = api.patch(
        url(asked), {"assignee_id": bob.pk, "request_message": "Take this."}, content_type=JSON
    )

    assert plain.status_code == request.status_code == 200
    assert list(WorkRequest.objects.values_list("task", "message")) == [(asked.pk, "Take this.")]
    assert sorted(Notification.objects.values_list("task", "kind")) == sorted(
        [(task.pk, Kind.ASSIGNED), (asked.pk, Kind.REQUEST)]
    )


def test_create_task_sets_tags(api, project):
    Tag.objects.create(name="Urgent")
    response = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "Tagged", "tags": ["urgent", " backup ", "", "Backup"]},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert sorted(response.json()["tags"]) == ["Urgent", "backup"]
    task = Task.objects.get(pk=response.json()["id"])
    assert sorted(task.tags.values_list("name", flat=True)) == ["Urgent", "backup"]
    assert Tag.objects.count() == 2
    assert task.version == 1


def test_create_task_refuses_a_too_long_tag(api, project):
    response = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "Tagged", "tags": ["x" * 51]},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert "tags" in response.json()["errors"]
    assert not Task.objects.exists() and not Tag.objects.exists()


def test_create_task_rejects_bad_input_with_field_errors(api, project, alice):
    other_section = Section.objects.create(project=make_project(), name="Elsewhere")
    response = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "X", "section_id": other_section.pk},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert "section" in response.json()["errors"]
    response = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "X", "start_on": "2030-02-01", "due_on": "2030-01-01"},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert response.json()["errors"]["due_on"] == ["The due date cannot be before the start date."]
    blank = api.post("/api/v1/tasks", {"project_id": project.pk, "title": " "}, content_type=JSON)
    assert blank.status_code == 400
    assert blank.json()["detail"] == "Give the task a title."
    missing = api.post("/api/v1/tasks", {"project_id": project.pk}, content_type=JSON)
    assert missing.status_code == 422
    assert missing.json() == {
        "detail": "title: This field is required.",
        "errors": {"title": ["This field is required."]},
    }
    assert not Task.objects.exists()


def test_create_task_assignee_must_see_the_project(api, team, alice, charlie):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    response = api.post(
        "/api/v1/tasks",
        {"project_id": private.pk, "title": "X", "assignee_id": charlie.pk},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert "assignee" in response.json()["errors"]
    assert not Task.objects.exists()


def test_viewer_gets_403_on_writes(viewer_api, project, task):
    assert viewer_api.get(url(task)).status_code == 200
    created = viewer_api.post(
        "/api/v1/tasks", {"project_id": project.pk, "title": "Nope"}, content_type=JSON
    )
    assert created.status_code == 403
    assert created.json()["detail"] == "You can look at this project but not change it."
    assert viewer_api.patch(url(task), {"title": "Nope"}, content_type=JSON).status_code == 403
    assert viewer_api.delete(url(task)).status_code == 403
    task.refresh_from_db()
    assert task.title == "Check backups"
    assert Task.objects.count() == 1


def test_outsider_cannot_create_in_private_project(outsider_api, team, alice):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    response = outsider_api.post(
        "/api/v1/tasks", {"project_id": private.pk, "title": "Sneaky"}, content_type=JSON
    )
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_patch_changes_only_sent_fields(api, task, bob):
    response = api.patch(
        url(task),
        {"status": "done", "due_on": "2030-03-01", "assignee_id": bob.pk},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.completed_at is not None
    assert task.title == "Check backups"
    assert task.assignee == bob
    assert task.version == 2
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'
    fields = set(
        Activity.objects.filter(task=task, verb__in=["changed", "completed"]).values_list(
            "field", flat=True
        )
    )
    assert fields == {"status", "due_on", "assignee"}


def test_patch_can_clear_a_field(api, task, bob):
    services.do_update_task(task.created_by, task, {"assignee": bob})
    response = api.patch(url(task), {"assignee_id": None}, content_type=JSON)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.assignee is None


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"'])
def test_patch_with_stale_if_match_gets_409_and_writes_nothing(api, task, if_match):
    services.do_update_task(task.created_by, task, {"title": "Renamed elsewhere"})
    response = api.patch(
        url(task), {"title": "Mine"}, content_type=JSON, headers={"If-Match": if_match}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert "detail" in body
    task.refresh_from_db()
    assert (task.title, task.version) == ("Renamed elsewhere", 2)


def test_patch_without_if_match_is_last_write_wins(api, task):
    services.do_update_task(task.created_by, task, {"title": "Renamed elsewhere"})
    response = api.patch(url(task), {"title": "Mine"}, content_type=JSON)
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.version) == ("Mine", 3)


def test_patch_with_garbage_if_match_is_400(api, task):
    response = api.patch(url(task), {"title": "X"}, content_type=JSON, headers={"If-Match": "abc"})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.title == "Check backups"


def test_patch_rejects_a_parent_cycle(api, project, alice, task):
    child = services.do_create_task(alice, project, title="Child", parent=task)
    response = api.patch(url(task), {"parent_id": child.pk}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["parent"] == ["A task cannot be inside its own subtask."]
    task.refresh_from_db()
    assert task.parent is None


def test_delete_task_removes_it_and_its_comments(api, task, alice):
    services.do_add_comment(alice, task, "Done soon")
    response = api.delete(url(task), headers={"If-Match": '"1"'})
    assert response.status_code == 204
    assert response.content == b""
    assert not Task.objects.filter(pk=task.pk).exists()
    assert not Comment.objects.exists()
    assert api.get(url(task)).status_code == 404


def test_delete_with_stale_if_match_gets_409(api, task):
    services.do_update_task(task.created_by, task, {"title": "Renamed"})
    response = api.delete(url(task), headers={"If-Match": '"1"'})
    assert response.status_code == 409
    assert Task.objects.filter(pk=task.pk).exists()


def test_teammate_can_edit_and_other_teams_lead_cannot(project, task, bob):
    assert (
        token_client(bob).patch(url(task), {"title": "Bob's"}, content_type=JSON).status_code == 200
    )
    stranger = make_user()
    make_team().memberships.create(user=stranger, role="lead")
    assert token_client(stranger).get(url(task)).status_code == 404
    task.refresh_from_db()
    assert task.title == "Bob's"


def test_patch_sets_tags_and_due_time(api, task):
    Tag.objects.create(name="Urgent")
    response = api.patch(
        url(task),
        {"tags": ["urgent", " backup ", ""], "due_at": "2030-01-02T23:30:00Z"},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["tags"]) == ["Urgent", "backup"]
    task.refresh_from_db()
    assert sorted(task.tags.values_list("name", flat=True)) == ["Urgent", "backup"]
    # 23:30 UTC is the next morning in Seoul: the date filters use Seoul's date.
    assert task.due_on == datetime.date(2030, 1, 3)
    assert Activity.objects.filter(task=task, field="tags").exists()
    assert [t["id"] for t in api.get("/api/v1/tasks", {"tag": "backup"}).json()["items"]] == [
        task.pk
    ]


# --- Moving ----------------------------------------------------------------------------


@pytest.fixture
def board(project, alice):
    """Two sections: "Doing" holds tasks a, b, c in that order; "Done" is empty."""
    doing = services.do_create_section(alice, project, name="Doing")
    done = services.do_create_section(alice, project, name="Done")
    tasks = [
        services.do_create_task(alice, project, title=title, section=doing)
        for title in ("a", "b", "c")
    ]
    return doing, done, tasks


def column(section: Section | None, project=None) -> list[str]:
    tasks = Task.objects.filter(section=section, parent=None)
    if project is not None:
        tasks = tasks.filter(project=project)
    return list(tasks.order_by("position").values_list("title", flat=True))


def move_url(task: Task) -> str:
    return f"{url(task)}/move"


def test_move_within_a_section_reorders_it(api, board):
    doing, _done, (a, _b, c) = board
    response = api.post(move_url(c), {"section_id": doing.pk, "before_id": a.pk}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert column(doing) == ["c", "a", "b"]
    c.refresh_from_db()
    assert c.version == 2
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'


def test_move_to_another_section_goes_last_and_is_recorded(api, board, alice):
    doing, done, (_a, b, _c) = board
    services.do_create_task(alice, doing.project, title="d", section=done)
    response = api.post(move_url(b), {"section_id": done.pk}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["section_id"] == done.pk
    assert column(doing) == ["a", "c"]
    assert column(done) == ["d", "b"]
    assert Activity.objects.filter(
        task=b, field="section", old_value="Doing", new_value="Done"
    ).exists()


def test_move_out_of_every_section(api, board, project):
    _doing, _done, (a, _b, _c) = board
    response = api.post(move_url(a), {"section_id": None, "before_id": None}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["section_id"] is None
    assert column(None, project) == ["a"]


@pytest.mark.parametrize("where", ["other_section", "gone", "other_project"])
def test_move_before_a_task_not_there_gets_409(api, board, alice, where):
    doing, done, (a, b, _c) = board
    before = {
        "other_section": b.pk,
        "gone": 999_999,
        "other_project": make_task(project=make_project(), title="far").pk,
    }[where]
    response = api.post(
        move_url(a), {"section_id": done.pk, "before_id": before}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "That task has moved meanwhile. Look at the board again."}
    a.refresh_from_db()
    assert (a.section, a.version) == (doing, 1)
    assert column(doing) == ["a", "b", "c"]


def test_move_to_a_section_of_another_project_gets_400(api, board):
    _doing, _done, (a, _b, _c) = board
    elsewhere = Section.objects.create(project=make_project(), name="Elsewhere")
    response = api.post(move_url(a), {"section_id": elsewhere.pk}, content_type=JSON)
    assert response.status_code == 400
    assert "section" in response.json()["errors"]
    a.refresh_from_db()
    assert a.version == 1


def test_move_with_stale_if_match_gets_409_and_moves_nothing(api, board):
    doing, done, (a, _b, _c) = board
    services.do_update_task(a.created_by, a, {"title": "A"})
    response = api.post(
        move_url(a), {"section_id": done.pk}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    a.refresh_from_db()
    assert (a.section, a.version) == (doing, 2)
    fresh = api.post(
        move_url(a), {"section_id": done.pk}, content_type=JSON, headers={"If-Match": '"2"'}
    )
    assert fresh.status_code == 200, fresh.content
    a.refresh_from_db()
    assert (a.section, a.version) == (done, 3)


def test_move_outsider_gets_404_and_viewer_403(board, outsider_api, viewer_api):
    doing, done, (a, _b, _c) = board
    secret = make_project(visibility=Visibility.PRIVATE)
    hidden = make_task(project=secret)
    payload = {"section_id": None}
    assert outsider_api.post(move_url(hidden), payload, content_type=JSON).status_code == 404
    refused = viewer_api.post(move_url(a), {"section_id": done.pk}, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You can look at this project but not change it."
    a.refresh_from_db()
    assert (a.section, a.version) == (doing, 1)


def test_move_refuses_get(api, board):
    _doing, _done, (a, _b, _c) = board
    assert api.get(move_url(a)).status_code == 405


def test_wrong_method_is_405(api, task):
    response = api.put(url(task), {"title": "X"}, content_type=JSON)
    assert response.status_code == 405
    assert "PATCH" in response["Allow"]
    assert api.post(url(task), {}, content_type=JSON).status_code == 405
    task.refresh_from_db()
    assert task.title == "Check backups"
