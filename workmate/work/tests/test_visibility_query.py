"""Project.objects.visible_to: who sees which project, each project once.

The query uses subqueries instead of joins for speed at 2,000 projects (bench/README.md);
these tests pin that it still means the same thing.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from workmate.testing.factories import add_member, make_project, make_task, make_team, make_user
from workmate.work.models import Project, ProjectMember, ProjectRole, Task, Visibility


def test_each_route_to_a_project_shows_it_exactly_once(team, alice, bob, charlie):
    # Alice owns it, is a member of it and leads its team: three routes, one row.
    project = make_project(team=team, owner=alice, visibility=Visibility.TEAM)
    ProjectMember.objects.create(project=project, user=alice, role=ProjectRole.EDITOR)
    ProjectMember.objects.create(project=project, user=bob, role=ProjectRole.VIEWER)

    assert list(Project.objects.visible_to(alice)) == [project]
    assert list(Project.objects.visible_to(bob)) == [project]
    assert list(Project.objects.visible_to(charlie)) == []


def test_routes_by_visibility(team, alice, bob, charlie):
    other_team = make_team()
    stranger = make_user()
    add_member(other_team, stranger)
    team_project = make_project(team=team, owner=alice, visibility=Visibility.TEAM)
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    org_wide = make_project(team=other_team, owner=stranger, visibility=Visibility.ORG)
    members_only = make_project(team=other_team, owner=stranger, visibility=Visibility.PRIVATE)
    ProjectMember.objects.create(project=members_only, user=charlie)

    assert set(Project.objects.visible_to(alice)) == {team_project, private, org_wide}
    # A teammate does not see the private project of their own team.
    assert set(Project.objects.visible_to(bob)) == {team_project, org_wide}
    # An outsider sees org-wide projects and the ones they were added to.
    assert set(Project.objects.visible_to(charlie)) == {org_wide, members_only}


def test_tasks_follow_their_project_and_counts_are_not_inflated(team, alice, bob):
    project = make_project(team=team, owner=alice, visibility=Visibility.TEAM)
    ProjectMember.objects.create(project=project, user=bob)
    for _ in range(3):
        make_task(project=project, assignee=bob)

    assert Task.objects.visible_to(bob).count() == 3
    assert Task.objects.visible_to(bob).assigned_to(bob).open().count() == 3


def test_visible_to_needs_no_join_or_distinct(team, alice):
    with CaptureQueriesContext(connection) as queries:
        list(Project.objects.visible_to(alice))
    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert "DISTINCT" not in sql
    assert "JOIN" not in sql


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " / ".join(row[-1] for row in cursor.fetchall())


# The benchmark runs on SQLite; these read SQLite's own query plans.
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN"
)


@sqlite_only
def test_my_tasks_groups_read_the_open_tasks_index(alice):
    # My Tasks asks for a person's open tasks by due date, then priority; the partial
    # index answers it in order, so a group of 50 stops after 50 rows, not 3,000.
    groups = Task.objects.assigned_to(alice).open().filter(due_on__lte="2026-01-01")
    ordered = groups.order_by(F("due_on").asc(nulls_last=True), "-priority", "pk")[:51]
    assert "task_my_open_idx" in _plan(ordered)


@sqlite_only
def test_project_list_reads_top_level_tasks_by_project_index(alice, team):
    project = make_project(team=team, owner=alice)
    assert "task_project_parent_idx" in _plan(project.tasks.filter(parent=None))


@sqlite_only
def test_done_recently_reads_the_done_index_in_order(alice):
    # "Done recently" asks for a person's finished tasks, newest first: read backwards
    # along the partial index, with no sort of everything they ever finished.
    since = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    done = Task.objects.assigned_to(alice).done().filter(completed_at__gte=since)
    plan = _plan(done.order_by("-completed_at", "-pk")[:21])
    assert "task_my_done_idx" in plan
    assert "TEMP B-TREE" not in plan


@sqlite_only
def test_a_tasks_visibility_is_checked_on_its_own_project(alice):
    # Picking a person's tasks must not first list every project they may see (a scan
    # of all projects per query); each candidate task's project is checked instead.
    mine = Task.objects.visible_to(alice).assigned_to(alice).open()
    plan = _plan(mine.order_by(F("due_on").asc(nulls_last=True), "-priority", "pk")[:21])
    assert "task_my_open_idx" in plan
    assert "SCAN" not in plan
