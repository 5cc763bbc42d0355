"""The project and section API: /api/v1/projects and /api/v1/sections."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workmate.accounts.models import TeamRole
from workmate.testing.factories import add_member, make_project, make_task, make_team, make_user
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Project, ProjectMember, ProjectRole, Section, Task, Visibility

JSON = "application/json"


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def api(alice):
    return token_client(alice)


# --- Projects --------------------------------------------------------------------------


def test_list_projects_shows_visible_active_ones(api, project, alice, team, charlie):
    org_wide = make_project(name="Handbook", visibility=Visibility.ORG)
    hidden = make_project(name="Other team", visibility=Visibility.PRIVATE)
    archived = make_project(name="Old", team=team, owner=alice)
    services.do_archive_project(alice, archived)
    body = api.get("/api/v1/projects").json()
    assert {item["id"] for item in body["items"]} == {project.pk, org_wide.pk}
    assert hidden.pk not in {item["id"] for item in body["items"]}
    first = next(item for item in body["items"] if item["id"] == project.pk)
    assert first["team_code"] == "TE"
    assert first["owner"]["email"] == "alice@example.com"
    archived_ids = [
        item["id"] for item in api.get("/api/v1/projects?archived=true").json()["items"]
    ]
    assert archived_ids == [archived.pk]
    outsider = token_client(charlie).get("/api/v1/projects").json()
    assert [item["id"] for item in outsider["items"]] == [org_wide.pk]


def test_project_pages_and_query_count(api, team, alice):
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            body = api.get("/api/v1/projects", {"limit": 200}).json()
        return len(queries), len(body["items"])

    for _ in range(10):
        make_project(team=team, owner=alice)
    api.get("/api/v1/projects")
    ten = count()
    for _ in range(50):
        make_project(team=make_team(), visibility=Visibility.ORG)
    sixty = count()
    assert (ten[1], sixty[1]) == (10, 60)
    assert ten[0] == sixty[0]
    seen: list[int] = []
    cursor = ""
    while True:
        body = api.get("/api/v1/projects", {"limit": 25, "cursor": cursor}).json()
        seen += [item["id"] for item in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == sorted(Project.objects.values_list("pk", flat=True))


def test_get_project_outsider_404(project, charlie, team, alice):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    outsider = token_client(charlie)
    assert outsider.get(f"/api/v1/projects/{private.pk}").status_code == 404
    assert (
        outsider.patch(
            f"/api/v1/projects/{private.pk}", {"name": "Mine"}, content_type=JSON
        ).status_code
        == 404
    )
    assert outsider.delete(f"/api/v1/projects/{private.pk}").status_code == 404
    private.refresh_from_db()
    assert private.archived_at is None
    assert token_client(alice).get(f"/api/v1/projects/{private.pk}").json()["name"] == private.name


def test_create_project(api, team, alice):
    response = api.post(
        "/api/v1/projects",
        {"name": " Backups ", "team_id": team.pk, "visibility": "private", "colour": "#00aa00"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert (project.name, project.owner, project.visibility) == ("Backups", alice, "private")
    assert ProjectMember.objects.filter(project=project, user=alice, role="editor").exists()


def test_create_project_rules(api, alice, charlie, team):
    bad_colour = api.post(
        "/api/v1/projects", {"name": "X", "team_id": team.pk, "colour": "red"}, content_type=JSON
    )
    assert bad_colour.status_code == 400
    assert "colour" in bad_colour.json()["errors"]
    not_member = token_client(charlie).post(
        "/api/v1/projects", {"name": "X", "team_id": team.pk}, content_type=JSON
    )
    assert not_member.status_code == 403
    no_team = api.post("/api/v1/projects", {"name": "X", "team_id": 9999}, content_type=JSON)
    assert no_team.status_code == 400
    assert not Project.objects.exists()


def test_update_project(api, project, charlie):
    response = api.patch(
        f"/api/v1/projects/{project.pk}",
        {"name": "Cloud migration", "icon": "☁"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Cloud migration"
    project.refresh_from_db()
    assert (project.name, project.icon, project.colour) == ("Cloud migration", "☁", "#1f5eff")
    ProjectMember.objects.create(project=project, user=charlie, role=ProjectRole.VIEWER)
    denied = token_client(charlie).patch(
        f"/api/v1/projects/{project.pk}", {"name": "Viewer was here"}, content_type=JSON
    )
    assert denied.status_code == 403
    project.refresh_from_db()
    assert project.name == "Cloud migration"


def test_a_teammate_may_not_rename_or_hide_a_team_project(project, alice, bob, team):
    """An outside review found a plain member could make a team project private (the
    answer was 404, yet it was saved, and locked out the team and its lead)."""
    lead = make_user(email="dana@example.com")
    add_member(team, lead, TeamRole.LEAD)
    member = token_client(bob)
    for change in ({"visibility": "private"}, {"name": "Bob's now"}):
        response = member.patch(f"/api/v1/projects/{project.pk}", change, content_type=JSON)
        assert response.status_code == 403, response.content
        assert "owner or a team lead" in response.json()["detail"]
    project.refresh_from_db()
    assert (project.name, project.visibility) == ("Migration", Visibility.TEAM)
    # What editors may change, a teammate still may.
    fine = member.patch(f"/api/v1/projects/{project.pk}", {"icon": "🧭"}, content_type=JSON)
    assert fine.status_code == 200
    # A lead who is no member of the project may hide it, and is told what was saved.
    hidden = token_client(lead).patch(
        f"/api/v1/projects/{project.pk}", {"visibility": "private"}, content_type=JSON
    )
    assert hidden.status_code == 200, hidden.content
    assert hidden.json()["visibility"] == "private"
    project.refresh_from_db()
    assert (project.visibility, project.icon) == (Visibility.PRIVATE, "🧭")
    # ... and the owner, who always sees it, makes it team-wide again.
    back = token_client(alice).patch(
        f"/api/v1/projects/{project.pk}", {"visibility": "team"}, content_type=JSON
    )
    assert back.status_code == 200
    project.refresh_from_db()
    assert project.visibility == Visibility.TEAM


def test_delete_archives_and_only_owner_or_lead_may(project, alice, bob):
    task = make_task(project=project, created_by=alice)
    member = token_client(bob).delete(f"/api/v1/projects/{project.pk}")
    assert member.status_code == 403
    project.refresh_from_db()
    assert project.archived_at is None
    response = token_client(alice).delete(f"/api/v1/projects/{project.pk}")
    assert response.status_code == 204
    project.refresh_from_db()
    assert project.archived_at is not None
    # Archiving keeps the work readable but read-only.
    assert Task.objects.filter(pk=task.pk).exists()
    frozen = token_client(alice).patch(
        f"/api/v1/tasks/{task.pk}", {"title": "X"}, content_type=JSON
    )
    assert frozen.status_code == 403


# --- Sections --------------------------------------------------------------------------


def test_sections_list_create_update_delete(api, project, alice):
    created = api.post(
        f"/api/v1/projects/{project.pk}/sections", {"name": "To do"}, content_type=JSON
    )
    assert created.status_code == 201
    later = services.do_create_section(alice, project, name="Done")
    section = Section.objects.get(pk=created.json()["id"])
    assert (section.project, section.name, section.position) == (project, "To do", 1)
    listed = api.get(f"/api/v1/projects/{project.pk}/sections").json()
    assert [item["name"] for item in listed["items"]] == ["To do", "Done"]
    first_page = api.get(f"/api/v1/projects/{project.pk}/sections", {"limit": 1}).json()
    second = api.get(
        f"/api/v1/projects/{project.pk}/sections", {"limit": 1, "cursor": first_page["next_cursor"]}
    ).json()
    assert [item["id"] for item in second["items"]] == [later.pk]
    assert second["next_cursor"] is None

    renamed = api.patch(f"/api/v1/sections/{section.pk}", {"name": "Backlog"}, content_type=JSON)
    assert renamed.status_code == 200
    section.refresh_from_db()
    assert section.name == "Backlog"

    task = make_task(project=project, created_by=alice, section=section)
    assert api.delete(f"/api/v1/sections/{section.pk}").status_code == 204
    assert not Section.objects.filter(pk=section.pk).exists()
    task.refresh_from_db()
    assert task.section is None


def test_section_blank_name_is_400(api, project, alice):
    section = services.do_create_section(alice, project, name="To do")
    response = api.patch(f"/api/v1/sections/{section.pk}", {"name": "  "}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Give the section a name."]}
    section.refresh_from_db()
    assert section.name == "To do"


def test_sections_outsider_404_and_viewer_403(project, alice, charlie, team):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    hidden = services.do_create_section(alice, private, name="Hidden")
    outsider = token_client(charlie)
    assert outsider.get(f"/api/v1/projects/{private.pk}/sections").status_code == 404
    assert (
        outsider.patch(
            f"/api/v1/sections/{hidden.pk}", {"name": "X"}, content_type=JSON
        ).status_code
        == 404
    )
    assert outsider.delete(f"/api/v1/sections/{hidden.pk}").status_code == 404
    ProjectMember.objects.create(project=private, user=charlie, role=ProjectRole.VIEWER)
    assert outsider.get(f"/api/v1/projects/{private.pk}/sections").status_code == 200
    assert (
        outsider.post(
            f"/api/v1/projects/{private.pk}/sections", {"name": "X"}, content_type=JSON
        ).status_code
        == 403
    )
    assert outsider.delete(f"/api/v1/sections/{hidden.pk}").status_code == 403
    assert list(Section.objects.values_list("name", flat=True)) == ["Hidden"]
