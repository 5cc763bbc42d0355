"""Subtasks on a task's page: a tree of any depth, children and grandchildren edited inline
(title, done), and new subtasks added at the task and at its children."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work import services
from workmate.work.models import Task, TaskStatus, Visibility, WorkRequest
from workmate.work.views.tasks import subtask_tree

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Move the database")


@pytest.fixture
def tree(project, task, alice):
    """Move the database › Dump › Tables › Big table › Part 1, plus a second child."""
    dump = services.do_create_task(alice, project, title="Dump", parent=task)
    tables = services.do_create_task(alice, project, title="Tables", parent=dump)
    big = services.do_create_task(alice, project, title="Big table", parent=tables)
    part = services.do_create_task(alice, project, title="Part 1", parent=big)
    restore = services.do_create_task(alice, project, title="Restore", parent=task)
    return {"dump": dump, "tables": tables, "big": big, "part": part, "restore": restore}


def page_of(client, task, **kwargs) -> str:
    return client.get(reverse("work:task", args=[task.pk]), **kwargs).content.decode()


def subtasks_part(page: str) -> str:
    return page.split('id="subtasks"')[1].split("</section>")[0]


def post(client, name: str, task, data=None, **kwargs):
    return client.post(reverse(name, args=[task.pk]), data or {}, **kwargs)


# --- The tree ------------------------------------------------------------------------------


def test_tree_has_every_level_in_order(task, tree):
    nodes = subtask_tree(task)

    assert [(node.task.title, node.depth) for node in nodes] == [("Dump", 1), ("Restore", 1)]
    tables = nodes[0].children[0]
    assert (tables.task.title, tables.depth, tables.inline) == ("Tables", 2, True)
    big = tables.children[0]
    assert (big.task.title, big.depth, big.inline) == ("Big table", 3, False)
    assert big.children[0].task.title == "Part 1"


def test_tree_of_a_child_starts_there(tree):
    nodes = subtask_tree(tree["dump"])

    assert [(node.task.title, node.depth) for node in nodes] == [("Tables", 1)]


def test_tree_takes_two_queries_whatever_the_depth(task, tree, django_assert_num_queries):
    with django_assert_num_queries(2):
        subtask_tree(task)


def test_page_shows_the_tree_with_two_inline_levels(client, task, tree, alice):
    client.force_login(alice)

    part = subtasks_part(page_of(client, task))

    for name in ["dump", "restore", "tables"]:
        pk = tree[name].pk
        assert f'action="{reverse("work:rename_task", args=[pk])}"' in part
        assert f'action="{reverse("work:toggle_task", args=[pk])}"' in part
    for name in ["big", "part"]:
        pk = tree[name].pk
        assert f'action="{reverse("work:rename_task", args=[pk])}"' not in part
        assert f'hx-get="{reverse("work:task", args=[pk])}" hx-target="#task-panel">' in part
    # Subtasks can be added at the task and at each child, not deeper.
    for item, expected in [(task, True), (tree["dump"], True), (tree["tables"], False)]:
        assert (f'action="{reverse("work:add_subtask", args=[item.pk])}"' in part) is expected
    assert (
        part.index("Dump")
        < part.index("Tables")
        < part.index("Big table")
        < part.index("Part 1")
        < part.index("Restore")
    )


def test_read_only_viewer_sees_the_tree_without_forms(client, team, alice, charlie):
    handbook = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task = make_task(project=handbook, title="Handbook")
    make_task(project=handbook, title="Chapter", parent=task)
    client.force_login(charlie)

    part = subtasks_part(page_of(client, task))

    assert "Chapter" in part
    assert "<form" not in part


def test_page_query_count_does_not_grow_with_subtasks(client, project, task, alice):
    def build(count: int) -> None:
        for number in range(count):
            child = make_task(project=project, parent=task, title=f"Child {number}", assignee=alice)
            make_task(project=project, parent=child, title=f"Grandchild {number}")

    client.force_login(alice)
    build(5)
    with CaptureQueriesContext(connection) as small:
        page_of(client, task)
    build(25)
    with CaptureQueriesContext(connection) as large:
        page = page_of(client, task)

    assert 'value="Grandchild 24"' in page
    assert len(small) == len(large)


# --- Adding --------------------------------------------------------------------------------


def test_add_logged_out_goes_to_login(client, task):
    response = post(client, "work:add_subtask", task, {"subtask-title": "x"})

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not task.subtasks.exists()


def test_add_refuses_get(client, task, bob):
    client.force_login(bob)

    assert client.get(reverse("work:add_subtask", args=[task.pk])).status_code == 405


def test_add_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert post(client, "work:add_subtask", task, {"subtask-title": "x"}).status_code == 404
    assert not task.subtasks.exists()


def test_add_read_only_viewer_gets_403(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)

    assert post(client, "work:add_subtask", task, {"subtask-title": "x"}).status_code == 403
    assert not task.subtasks.exists()


def test_adds_a_subtask_with_an_assignee(client, task, alice, bob):
    client.force_login(alice)

    response = post(
        client,
        "work:add_subtask",
        task,
        {
            "subtask-title": "Check the dump",
            "subtask-assignee": bob.pk,
            "subtask-request_message": "Does it restore?",
        },
        follow=True,
    )

    subtask = task.subtasks.get()
    assert subtask.requests.get().message == "Does it restore?"
    assert (subtask.title, subtask.assignee, subtask.project) == (
        "Check the dump",
        bob,
        task.project,
    )
    assert WorkRequest.objects.get(task=subtask).assignee == bob
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("work:task", args=[task.pk]), 302)]
    assert "Subtask added." in page
    assert "Check the dump" in subtasks_part(page)


def test_adds_a_grandchild_from_the_tasks_page(client, task, tree, alice):
    client.force_login(alice)

    response = post(
        client,
        "work:add_subtask",
        tree["dump"],
        {"subtask-title": "Views", "back": task.pk},
        headers=HTMX,
        follow=True,
    )

    views = Task.objects.get(title="Views")
    assert views.parent == tree["dump"]
    fragment = response.content.decode()
    assert fragment.startswith('<article class="card task-detail')
    assert '<h2 class="task-heading">Move the database</h2>' in fragment
    assert 'value="Views"' in subtasks_part(fragment)


def test_an_empty_title_is_shown_beside_the_field(client, task, alice):
    client.force_login(alice)

    response = post(client, "work:add_subtask", task, {"subtask-title": " "})

    assert response.status_code == 400
    assert 'id="id_subtask-title_error">This field is required.' in response.content.decode()
    assert not task.subtasks.exists()


def test_an_empty_title_under_a_child_is_reported_on_the_tasks_page(client, task, tree, alice):
    client.force_login(alice)

    response = post(
        client,
        "work:add_subtask",
        tree["dump"],
        {"subtask-title": "", "back": task.pk},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("work:task", args=[task.pk]), 302)]
    assert "This field is required." in response.content.decode()
    assert tree["dump"].subtasks.count() == 1


# --- Inline title and status ---------------------------------------------------------------


def test_rename_refuses_get(client, task, bob):
    client.force_login(bob)

    assert client.get(reverse("work:rename_task", args=[task.pk])).status_code == 405


def test_rename_outsider_gets_404(client, tree, charlie):
    client.force_login(charlie)

    assert post(client, "work:rename_task", tree["dump"], {"title": "x"}).status_code == 404


def test_rename_read_only_viewer_gets_403(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)

    assert post(client, "work:rename_task", task, {"title": "Mine"}).status_code == 403
    task.refresh_from_db()
    assert task.title != "Mine"


def test_renames_a_grandchild_inline(client, task, tree, bob):
    client.force_login(bob)

    response = post(
        client,
        "work:rename_task",
        tree["tables"],
        {"title": "All tables", "back": task.pk},
        headers=HTMX,
        follow=True,
    )

    tree["tables"].refresh_from_db()
    assert tree["tables"].title == "All tables"
    fragment = response.content.decode()
    assert '<h2 class="task-heading">Move the database</h2>' in fragment
    assert 'value="All tables"' in subtasks_part(fragment)
    assert "Title saved." in fragment


def test_an_empty_inline_title_is_refused(client, task, tree, bob):
    client.force_login(bob)

    response = post(
        client, "work:rename_task", tree["dump"], {"title": " ", "back": task.pk}, follow=True
    )

    tree["dump"].refresh_from_db()
    assert tree["dump"].title == "Dump"
    assert "Give the task a title." in response.content.decode()


def test_completes_a_child_inline_and_stays_on_the_page(client, task, tree, bob):
    client.force_login(bob)

    response = post(client, "work:toggle_task", tree["restore"], {"back": task.pk}, follow=True)

    tree["restore"].refresh_from_db()
    assert tree["restore"].status == TaskStatus.DONE
    assert response.redirect_chain == [(reverse("work:task", args=[task.pk]), 302)]
    part = subtasks_part(response.content.decode())
    assert f'data-task="{tree["restore"].pk}"' in part
    assert 'class="subtask depth-1 is-done"' in part
