"""Projects (GET/POST /work/projects/): the projects I can see, and starting a new one."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workmate.testing.factories import add_member, make_project, make_task, make_team, make_user
from workmate.work import services
from workmate.work.models import (
    Project,
    ProjectMember,
    ProjectRole,
    TaskStatus,
    Visibility,
)

URL = reverse("work:projects")
HTMX = {"HX-Request": "true"}


def listed(page: str) -> list[str]:
    return [
        unescape(name) for name in re.findall(r'<a href="/work/projects/\d+/">([^<]+)</a>', page)
    ]


def row(html: str, project: Project) -> str:
    return html.split(f'data-project="{project.pk}"')[1].split("</tr>")[0]


def form_data(team, **overrides) -> dict:
    data = {"name": "Data centre move", "team": team.pk, "visibility": "team", "colour": "#12ab34"}
    data.update(overrides)
    return data


def test_logged_out_goes_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_put_is_refused(client, bob):
    client.force_login(bob)

    assert client.put(URL).status_code == 405


def test_lists_visible_active_projects_with_open_task_counts(client, team, alice, bob, charlie):
    migration = make_project(name="Migration", team=team, owner=alice)
    for status in [TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.WAITING]:
        make_task(project=migration, status=status)
    make_task(project=migration, status=TaskStatus.DONE, completed_at=timezone.now())
    ProjectMember.objects.create(project=migration, user=bob)
    handbook = make_project(name="Handbook", visibility=Visibility.ORG)
    make_project(name="Their secret", visibility=Visibility.PRIVATE)
    make_project(name="Other team's", visibility=Visibility.TEAM)
    make_project(name="Old", team=team, owner=alice, archived_at=timezone.now())
    mine_private = make_project(
        name="Bob's notes", team=team, owner=bob, visibility=Visibility.PRIVATE
    )
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert "<html" in page
    assert listed(page) == ["Bob's notes", "Handbook", "Migration"]
    assert '<td class="open-count">3</td>' in row(page, migration)
    assert "TE" in row(page, migration) and "Alice Kim" in row(page, migration)
    assert '<td class="open-count">0</td>' in row(page, handbook)
    assert 'fill="#1f5eff"' in row(page, mine_private)


def test_outsider_sees_only_org_wide_projects_and_cannot_start_one(client, team, alice, charlie):
    make_project(name="Migration", team=team, owner=alice)
    make_project(name="Handbook", visibility=Visibility.ORG)
    client.force_login(charlie)

    page = client.get(URL).content.decode()

    assert listed(page) == ["Handbook"]
    assert 'id="new-project-form"' not in page
    assert "You are not in a team yet." in page


def test_team_choices_are_only_my_teams(client, team, bob):
    make_team(code="OPS", name="Operations")
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert f'<option value="{team.pk}">TE · Technical Engineering</option>' in page
    assert "Operations" not in page


def test_creates_a_project_owned_by_me(client, team, bob):
    client.force_login(bob)

    response = client.post(URL, form_data(team), follow=True)

    project = Project.objects.get()
    assert response.redirect_chain == [(reverse("work:project", args=[project.pk]), 302)]
    assert (project.name, project.team, project.owner) == ("Data centre move", team, bob)
    assert (project.visibility, project.colour) == (Visibility.TEAM, "#12ab34")
    assert ProjectMember.objects.get(project=project).user == bob
    assert ProjectMember.objects.get(project=project).role == ProjectRole.EDITOR
    assert "Project “Data centre move” created." in response.content.decode()


def test_cannot_create_for_a_team_i_am_not_in(client, bob):
    ops = make_team(code="OPS", name="Operations")
    add_member(ops, make_user())
    client.force_login(bob)

    response = client.post(URL, form_data(ops))

    assert response.status_code == 400
    assert not Project.objects.exists()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "This field is required."),
        ("colour", "blue", "Give a colour like #1f5eff."),
        ("visibility", "everyone", "Select a valid choice"),
    ],
)
def test_invalid_input_shows_the_error_beside_the_field(client, team, bob, field, value, error):
    client.force_login(bob)

    response = client.post(URL, form_data(team, **{field: value}))

    page = response.content.decode()
    assert response.status_code == 400
    assert not Project.objects.exists()
    assert f'<p class="error" id="id_{field}_error">{error}' in page


def test_a_blank_name_is_refused_by_the_service(client, team, bob):
    client.force_login(bob)

    response = client.post(URL, form_data(team, name="   "))

    assert response.status_code == 400
    assert not Project.objects.exists()


def test_htmx_gets_only_the_rows(client, team, alice, bob):
    make_project(name="Migration", team=team, owner=alice)
    client.force_login(bob)

    fragment = client.get(URL, headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert 'id="new-project-form"' not in fragment
    assert listed(fragment) == ["Migration"]


def _queries(client, viewer, team, count: int) -> int:
    Project.objects.all().delete()
    for number in range(count):
        project = make_project(
            name=f"Project {number:02}",
            team=team if number % 2 else make_team(),
            owner=make_user(),
            visibility=Visibility.TEAM if number % 2 else Visibility.ORG,
        )
        ProjectMember.objects.create(project=project, user=viewer)
        make_task(project=project)
        make_task(project=project, status=TaskStatus.DONE, completed_at=timezone.now())
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert len(listed(response.content.decode())) == count
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_projects(client, team, bob):
    assert _queries(client, bob, team, 10) == _queries(client, bob, team, 40)


def test_the_service_refuses_a_team_the_actor_is_not_in(team, charlie):
    # The form only offers one's own teams; the service holds the rule for every caller.
    with pytest.raises(PermissionDenied):
        services.do_create_project(charlie, name="Sneaky", team=team)
    assert not Project.objects.exists()
