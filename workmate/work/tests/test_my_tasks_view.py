"""My Tasks (GET /work/): the viewer's open tasks by due date, and what they finished lately."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_task, make_user
from workmate.work.models import Task, TaskStatus, Visibility
from workmate.work.views import my_work as views

URL = reverse("work:home")
HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
# A Wednesday morning in Seoul.
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)
TODAY = NOW.date()


@pytest.fixture
def project(team, alice):
    return make_project(name="Migration", team=team, owner=alice)


def group(page: str, key: str) -> str:
    return page.split(f'id="group-{key}"')[1].split("</section>")[0]


def titles(html: str) -> list[str]:
    return re.findall(r'class="task-link"[^>]*>([^<]+)</a>', html)


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


def test_logged_out_goes_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_post_is_refused(client, bob):
    client.force_login(bob)

    assert client.post(URL).status_code == 405


@time_machine.travel(NOW, tick=False)
def test_groups_tasks_by_when_they_are_due(client, project, alice, bob):
    make_task(project=project, title="Overdue report", assignee=bob, due_on=days(-2))
    make_task(project=project, title="Due today", assignee=bob, due_on=TODAY)
    make_task(project=project, title="In a week", assignee=bob, due_on=days(7))
    make_task(project=project, title="Tomorrow", assignee=bob, due_on=days(1))
    make_task(project=project, title="Next month", assignee=bob, due_on=days(30))
    make_task(project=project, title="Some day", assignee=bob)
    make_task(
        project=project,
        title="Shipped",
        assignee=bob,
        status=TaskStatus.DONE,
        completed_at=NOW - datetime.timedelta(days=1),
    )
    make_task(
        project=project,
        title="Long done",
        assignee=bob,
        status=TaskStatus.DONE,
        completed_at=NOW - datetime.timedelta(days=10),
    )
    make_task(project=project, title="Alice's own", assignee=alice, due_on=TODAY)
    make_task(project=project, title="Nobody's", due_on=TODAY)
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert "<html" in page
    assert titles(group(page, "today")) == ["Overdue report", "Due today"]
    assert titles(group(page, "upcoming")) == ["Tomorrow", "In a week"]
    assert titles(group(page, "later")) == ["Next month", "Some day"]
    assert titles(group(page, "done")) == ["Shipped"]
    overdue_row = group(page, "today").split("Overdue report")[1].split("</li>")[0]
    assert "due overdue" in overdue_row and "Overdue" in overdue_row
    assert "Mon 17 Nov" in overdue_row
    today_row = group(page, "today").split("Due today")[1].split("</li>")[0]
    assert "overdue" not in today_row
    assert "Migration" in today_row and "Open" in today_row
    assert "No due date" in group(page, "later")


@time_machine.travel(NOW, tick=False)
def test_task_links_open_in_the_side_panel_and_keep_a_real_href(client, project, bob):
    task = make_task(project=project, title="Check backups", assignee=bob, due_on=TODAY)
    client.force_login(bob)

    page = client.get(URL).content.decode()

    detail = reverse("work:task", args=[task.pk])
    assert f'href="{detail}" hx-get="{detail}" hx-target="#task-panel"' in page
    assert 'id="task-panel"' in page
    # The module's item in the main navigation is now a link, marked as current.
    assert '<a href="/work/" aria-current="page">Work</a>' in page


@time_machine.travel(NOW, tick=False)
def test_tasks_in_projects_i_no_longer_see_are_left_out(client, bob, charlie):
    hidden = make_project(name="Secret", visibility=Visibility.PRIVATE)
    make_task(project=hidden, title="Hidden work", assignee=bob, due_on=TODAY)
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert "Hidden work" not in page


def test_each_request_reads_its_own_rows(client, project, alice, bob):
    # The groups' SQL is built once per process (`workmate.lib.prepared`): each request
    # runs it with its own viewer and day, and sees the data as it is now.
    make_task(project=project, title="Bob soon", assignee=bob, due_on=days(3))
    make_task(project=project, title="Alice today", assignee=alice, due_on=TODAY)
    with time_machine.travel(NOW, tick=False):
        client.force_login(bob)
        bobs = client.get(URL).content.decode()
        client.force_login(alice)
        alices = client.get(URL).content.decode()
        Task.objects.filter(title="Bob soon").update(title="Bob renamed")
        client.force_login(bob)
        renamed = client.get(URL).content.decode()
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        later = client.get(URL).content.decode()
        # Out of the team, Bob no longer sees the team's project.
        bob.memberships.all().delete()
        gone = client.get(URL).content.decode()

    assert titles(group(bobs, "upcoming")) == ["Bob soon"] and titles(bobs) == ["Bob soon"]
    assert titles(group(alices, "today")) == ["Alice today"] and titles(alices) == ["Alice today"]
    assert titles(group(renamed, "upcoming")) == ["Bob renamed"]
    assert titles(group(later, "today")) == ["Bob renamed"]
    assert titles(gone) == []


@time_machine.travel(NOW, tick=False)
def test_the_groups_sql_is_built_once_a_process(client, project, bob, monkeypatch):
    built = []
    build = views._group_tasks
    monkeypatch.setattr(
        views, "_group_tasks", lambda key, *a, **k: built.append(key) or build(key, *a, **k)
    )
    views._prepared_group.cache_clear()
    make_task(project=project, title="Due today", assignee=bob, due_on=TODAY)
    client.force_login(bob)

    pages = [client.get(URL).content.decode() for _ in range(3)]

    views._prepared_group.cache_clear()
    assert sorted(built) == sorted(views.GROUPS)
    assert all(titles(group(page, "today")) == ["Due today"] for page in pages)


@time_machine.travel(NOW, tick=False)
def test_a_long_group_is_capped(client, project, bob, monkeypatch):
    monkeypatch.setattr(views, "GROUP_LIMIT", 3)
    for number in range(5):
        make_task(project=project, title=f"Chore {number}", assignee=bob)
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert titles(group(page, "later")) == ["Chore 0", "Chore 1", "Chore 2"]
    assert "Showing the first 3." in group(page, "later")
    assert "Showing the first" not in group(page, "today")
    # The capped group links to all of it, with a real href beside hx-get.
    assert 'href="?group=later" hx-get="?group=later" hx-target="#my-tasks"' in group(page, "later")
    assert "?group=" not in group(page, "today")


@time_machine.travel(NOW, tick=False)
def test_nothing_to_do(client, bob):
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert page.count("Nothing here.") == 4


@time_machine.travel(NOW, tick=False)
def test_htmx_gets_only_the_groups(client, project, bob):
    make_task(project=project, title="Due today", assignee=bob, due_on=TODAY)
    client.force_login(bob)

    fragment = client.get(URL, headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert 'class="work-nav"' not in fragment
    assert titles(group(fragment, "today")) == ["Due today"]


def _queries(client, viewer, project, count: int) -> int:
    Task.objects.all().delete()
    parent = make_task(project=project, title="Parent")
    other = make_project(team=project.team, owner=project.owner, name="Other")
    for number in range(count):
        done = number % 3 == 0
        make_task(
            project=project if number % 2 else other,
            parent=parent if number % 4 == 1 else None,
            title=f"Task {number}",
            assignee=viewer,
            due_on=days(number % 12 - 2) if number % 5 else None,
            status=TaskStatus.DONE if done else TaskStatus.OPEN,
            completed_at=NOW - datetime.timedelta(hours=number) if done else None,
        )
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    shown = len(titles(response.content.decode()))
    # Each group is capped, so a long list shows fewer rows than there are tasks.
    assert shown == count if count <= views.GROUP_LIMIT else views.GROUP_LIMIT < shown < count
    return len(queries)


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_the_number_of_tasks(client, project, bob):
    assert _queries(client, bob, project, 10) == _queries(client, bob, project, 200)


@time_machine.travel(NOW, tick=False)
def test_the_page_takes_a_fixed_number_of_queries(client, project, bob, django_assert_num_queries):
    # Fifteen tasks each today, upcoming and later: no group is capped.
    for number in range(45):
        make_task(
            project=project, title=f"Task {number}", assignee=bob, due_on=days(number % 3 * 4)
        )
    make_user()  # Someone else's data never adds queries either.
    client.force_login(bob)

    # Session, viewer with their profile, then one query for each of the four groups.
    with django_assert_num_queries(6):
        response = client.get(URL)

    assert len(titles(response.content.decode())) == 45


# --- One group in full ("Show all") ---------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_show_all_lists_one_group_a_page_at_a_time(client, project, bob, monkeypatch):
    monkeypatch.setattr(views, "GROUP_LIMIT", 3)
    monkeypatch.setattr(views, "GROUP_PAGE_SIZE", 4)
    for number in range(6):
        make_task(project=project, title=f"Chore {number}", assignee=bob)
    make_task(project=project, title="Due today", assignee=bob, due_on=TODAY)
    client.force_login(bob)

    first = client.get(URL, {"group": "later"}).content.decode()
    second = client.get(URL, {"group": "later", "page": "2"}).content.decode()

    assert titles(first) == ["Chore 0", "Chore 1", "Chore 2", "Chore 3"]
    assert 'id="group-today"' not in first
    assert '<span class="count">6</span>' in first
    assert "Page 1 of 2" in first
    assert 'href="?group=later&amp;page=2"' in first
    assert "Showing the first" not in first
    assert f'<a href="{URL}" hx-get="{URL}"' in first
    assert titles(second) == ["Chore 4", "Chore 5"]
    assert 'href="?group=later&amp;page=1"' in second


@time_machine.travel(NOW, tick=False)
def test_show_all_with_htmx_gets_only_the_group(client, project, bob, monkeypatch):
    monkeypatch.setattr(views, "GROUP_LIMIT", 1)
    make_task(project=project, title="First", assignee=bob)
    make_task(project=project, title="Second", assignee=bob)
    client.force_login(bob)

    fragment = client.get(URL, {"group": "later"}, headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert titles(fragment) == ["First", "Second"]


@time_machine.travel(NOW, tick=False)
def test_an_unknown_group_shows_every_group(client, bob):
    client.force_login(bob)

    page = client.get(URL, {"group": "someday"}).content.decode()

    assert page.count("Nothing here.") == 4


@time_machine.travel(NOW, tick=False)
def test_show_all_leaves_out_tasks_i_no_longer_see(client, bob):
    hidden = make_project(name="Secret", visibility=Visibility.PRIVATE)
    make_task(project=hidden, title="Hidden work", assignee=bob)
    client.force_login(bob)

    page = client.get(URL, {"group": "later"}).content.decode()

    assert "Hidden work" not in page


def _group_queries(client, viewer, project, count: int) -> int:
    Task.objects.all().delete()
    for number in range(count):
        make_task(project=project, title=f"Task {number}", assignee=viewer)
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"group": "later"})
    assert len(titles(response.content.decode())) == min(count, views.GROUP_PAGE_SIZE)
    return len(queries)


@time_machine.travel(NOW, tick=False)
def test_show_all_query_count_does_not_grow_with_the_number_of_tasks(client, project, bob):
    assert _group_queries(client, bob, project, 10) == _group_queries(client, bob, project, 200)


@time_machine.travel(NOW, tick=False)
def test_rows_of_every_kind_read_nothing_more(client, project, bob, django_assert_num_queries):
    # The groups read only the columns a row shows: a row that needed another (a
    # subtask's parent, a due time, a finished task's moment) would cost a query a row.
    parent = make_task(project=project, title="Parent", assignee=bob, due_on=days(3))
    for number in range(5):
        make_task(project=project, title=f"Sub {number}", parent=parent, assignee=bob)
        make_task(
            project=project,
            title=f"At a time {number}",
            assignee=bob,
            due_on=TODAY,
            due_at=NOW + datetime.timedelta(hours=number - 2),
        )
        make_task(
            project=project,
            title=f"Finished {number}",
            assignee=bob,
            status=TaskStatus.DONE,
            completed_at=NOW - datetime.timedelta(days=1),
        )
    client.force_login(bob)

    with django_assert_num_queries(6):
        response = client.get(URL)

    page = response.content.decode()
    assert len(titles(page)) == 16
    assert "in Parent" in page and "Overdue" in page and "done " in page
