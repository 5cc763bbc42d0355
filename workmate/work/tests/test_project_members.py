"""A project's members: adding people, changing their role and taking them off."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_user
from workmate.work import services
from workmate.work.models import ProjectMember, ProjectRole, Task, Visibility

HTMX = {"HX-Request": "true"}


@pytest.fixture
def private(team, alice):
    """Alice's private project: her teammate Bob cannot see it until she adds him."""
    project = make_project(
        name="Acquisition", team=team, owner=alice, visibility=Visibility.PRIVATE
    )
    ProjectMember.objects.create(project=project, user=alice, role=ProjectRole.EDITOR)
    return project


@pytest.fixture
def org_project(team, alice):
    # Org-wide: Charlie can read it but not change it.
    return make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)


@pytest.fixture
def dana(private):
    """A member of the private project from another team."""
    person = make_user(full_name="Dana Choi")
    ProjectMember.objects.create(project=private, user=person, role=ProjectRole.VIEWER)
    return person


def add_url(project) -> str:
    return reverse("work:add_project_member", args=[project.pk])


def role_url(project, user) -> str:
    return reverse("work:project_member", kwargs={"pk": project.pk, "user_pk": user.pk})


def remove_url(project, user) -> str:
    return reverse("work:remove_project_member", kwargs={"pk": project.pk, "user_pk": user.pk})


def settings_url(project) -> str:
    return reverse("work:project_settings", args=[project.pk])


def role_of(project, user) -> str | None:
    return (
        ProjectMember.objects.filter(project=project, user=user)
        .values_list("role", flat=True)
        .first()
    )


# --- Who may --------------------------------------------------------------------------------


def test_member_changes_need_log_in(client, private, dana):
    for response in (
        client.post(add_url(private), {"user": dana.pk, "role": "editor"}),
        client.post(role_url(private, dana), {"role": "editor"}),
        client.post(remove_url(private, dana)),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert role_of(private, dana) == ProjectRole.VIEWER


def test_member_changes_are_posts(client, private, dana, alice):
    client.force_login(alice)

    for target in (add_url(private), role_url(private, dana), remove_url(private, dana)):
        assert client.get(target).status_code == 405
    assert role_of(private, dana) == ProjectRole.VIEWER


def test_outsider_gets_404(client, private, dana, charlie):
    client.force_login(charlie)

    assert client.post(add_url(private), {"user": charlie.pk, "role": "editor"}).status_code == 404
    assert client.post(role_url(private, dana), {"role": "editor"}).status_code == 404
    assert client.post(remove_url(private, dana)).status_code == 404
    assert role_of(private, charlie) is None
    assert role_of(private, dana) == ProjectRole.VIEWER


def test_read_only_people_get_403(client, private, dana, org_project, charlie):
    # Dana is a viewer of the private project; Charlie reads the org-wide one.
    client.force_login(dana)
    assert client.post(add_url(private), {"user": dana.pk, "role": "editor"}).status_code == 403
    assert client.post(role_url(private, dana), {"role": "editor"}).status_code == 403
    assert client.post(remove_url(private, dana)).status_code == 403
    client.force_login(charlie)
    assert (
        client.post(add_url(org_project), {"user": charlie.pk, "role": "editor"}).status_code == 403
    )
    assert role_of(private, dana) == ProjectRole.VIEWER
    assert role_of(org_project, charlie) is None


def test_an_unknown_member_is_404(client, private, alice, bob):
    client.force_login(alice)

    assert client.post(role_url(private, bob), {"role": "viewer"}).status_code == 404
    assert client.post(remove_url(private, bob)).status_code == 404


# --- Adding -----------------------------------------------------------------------------------


def test_settings_list_the_owner_and_members_with_their_roles(client, private, dana, alice):
    client.force_login(alice)

    page = client.get(settings_url(private)).content.decode()

    members = page.split('id="project-members"')[1].split("</section>")[0]
    assert members.index("Alice Kim") < members.index("Dana Choi")
    assert f'data-member="{alice.pk}"' in members and "Owner" in members
    assert f'action="{remove_url(private, alice)}"' not in members
    assert f'action="{remove_url(private, dana)}"' in members
    assert '<option value="viewer" selected>Viewer</option>' in members


def test_adding_a_teammate_to_a_private_project_lets_them_in(client, private, alice, bob):
    project_url = reverse("work:project", args=[private.pk])
    client.force_login(bob)
    assert client.get(project_url).status_code == 404
    client.force_login(alice)

    response = client.post(add_url(private), {"user": bob.pk, "role": "viewer"}, follow=True)

    assert role_of(private, bob) == ProjectRole.VIEWER
    assert response.redirect_chain == [(settings_url(private), 302)]
    assert "Bob Lee is a member as viewer." in response.content.decode()
    client.force_login(bob)
    page = client.get(project_url)
    assert page.status_code == 200 and "Read only" in page.content.decode()
    assert "Acquisition" in client.get(reverse("work:projects")).content.decode()


def test_htmx_add_answers_with_the_members_list_only(client, private, alice, bob):
    client.force_login(alice)

    fragment = client.post(
        add_url(private), {"user": bob.pk, "role": "editor"}, headers=HTMX
    ).content.decode()

    assert "<html" not in fragment
    assert fragment.startswith('<section class="card" id="project-members">')
    assert f'data-member="{bob.pk}"' in fragment and "Bob Lee is a member as editor." in fragment
    assert role_of(private, bob) == ProjectRole.EDITOR


def test_adding_someone_twice_updates_their_role(client, private, alice, dana):
    client.force_login(alice)

    client.post(add_url(private), {"user": dana.pk, "role": "editor"})

    assert ProjectMember.objects.filter(project=private, user=dana).count() == 1
    assert role_of(private, dana) == ProjectRole.EDITOR


def test_adding_needs_a_person_and_a_known_role(client, private, alice, bob):
    client.force_login(alice)

    nobody = client.post(add_url(private), {"role": "editor"})
    bad_role = client.post(add_url(private), {"user": bob.pk, "role": "admin"}, headers=HTMX)

    assert nobody.status_code == 400 and 'id="add_member_user_error"' in nobody.content.decode()
    assert bad_role.status_code == 200 and 'id="add_member_role_error"' in bad_role.content.decode()
    assert role_of(private, bob) is None


def test_closed_accounts_cannot_be_added(private, alice):
    gone = make_user(full_name="Gone Person", is_active=False)

    with pytest.raises(ValidationError):
        services.do_add_project_member(alice, private, gone, ProjectRole.EDITOR)
    assert role_of(private, gone) is None


# --- Roles ----------------------------------------------------------------------------------


def test_changing_a_role(client, private, alice, dana):
    client.force_login(alice)

    response = client.post(role_url(private, dana), {"role": "editor"}, follow=True)

    assert role_of(private, dana) == ProjectRole.EDITOR
    assert response.redirect_chain == [(settings_url(private), 302)]
    assert "Dana Choi is now editor." in response.content.decode()


def test_htmx_role_change_answers_with_the_members_list(client, private, alice, dana):
    client.force_login(alice)

    fragment = client.post(
        role_url(private, dana), {"role": "editor"}, headers=HTMX
    ).content.decode()

    assert "<html" not in fragment and "Dana Choi is now editor." in fragment
    assert role_of(private, dana) == ProjectRole.EDITOR


def test_a_viewer_member_cannot_edit(client, private, dana):
    client.force_login(dana)

    assert client.get(reverse("work:project", args=[private.pk])).status_code == 200
    response = client.post(reverse("work:add_task", args=[private.pk]), {"title": "Sneaky"})

    assert response.status_code == 403
    assert not Task.objects.exists()


def test_a_teammate_made_viewer_only_reads_but_a_lead_still_edits(team, alice, bob):
    project = make_project(name="Migration", team=team, owner=make_user())
    assert services.can_edit_project(bob, project)
    services.do_add_project_member(alice, project, bob, ProjectRole.VIEWER)
    services.do_add_project_member(alice, project, alice, ProjectRole.VIEWER)

    assert not services.can_edit_project(bob, project)
    assert services.can_edit_project(alice, project)


def test_the_owner_cannot_be_demoted(client, private, alice):
    client.force_login(alice)

    response = client.post(role_url(private, alice), {"role": "viewer"})

    assert response.status_code == 400
    assert "The owner always edits the project." in response.content.decode()
    assert role_of(private, alice) == ProjectRole.EDITOR
    with pytest.raises(ValidationError):
        services.do_add_project_member(alice, private, alice, ProjectRole.VIEWER)
    assert role_of(private, alice) == ProjectRole.EDITOR


# --- Removing -------------------------------------------------------------------------------


def test_removing_a_member_shuts_them_out_of_a_private_project(client, private, alice, dana):
    client.force_login(alice)

    response = client.post(remove_url(private, dana), follow=True)

    assert role_of(private, dana) is None
    assert response.redirect_chain == [(settings_url(private), 302)]
    assert "Dana Choi is no longer a member." in response.content.decode()
    client.force_login(dana)
    assert client.get(reverse("work:project", args=[private.pk])).status_code == 404


def test_htmx_remove_answers_with_the_members_list(client, private, alice, dana):
    client.force_login(alice)

    fragment = client.post(remove_url(private, dana), headers=HTMX).content.decode()

    assert "<html" not in fragment and f'data-member="{dana.pk}"' not in fragment
    assert role_of(private, dana) is None


def test_the_owner_cannot_be_removed(client, private, alice):
    client.force_login(alice)

    page = client.post(remove_url(private, alice))
    fragment = client.post(remove_url(private, alice), headers=HTMX)

    assert page.status_code == 400
    assert "The owner cannot be removed from the project." in page.content.decode()
    assert "The owner cannot be removed from the project." in fragment.content.decode()
    assert role_of(private, alice) == ProjectRole.EDITOR
    with pytest.raises(ValidationError):
        services.do_remove_project_member(alice, private, alice)


def test_leaving_a_private_project_goes_back_to_the_index(client, private, dana):
    dana_member = ProjectMember.objects.get(project=private, user=dana)
    dana_member.role = ProjectRole.EDITOR
    dana_member.save()
    client.force_login(dana)

    response = client.post(remove_url(private, dana), headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("work:projects")
    assert role_of(private, dana) is None


# --- Archived -------------------------------------------------------------------------------


def test_members_of_an_archived_project_are_frozen(client, private, alice, dana, bob):
    private = services.do_archive_project(alice, private)
    client.force_login(alice)

    page = client.get(settings_url(private)).content.decode()
    added = client.post(add_url(private), {"user": bob.pk, "role": "editor"})
    removed = client.post(remove_url(private, dana))

    assert 'id="add-member-form"' not in page and "Dana Choi" in page
    assert (added.status_code, removed.status_code) == (403, 403)
    assert role_of(private, bob) is None and role_of(private, dana) == ProjectRole.VIEWER
    with pytest.raises(PermissionDenied):
        services.do_set_project_member_role(alice, private, dana, ProjectRole.EDITOR)


def test_an_unknown_role_is_said_beside_the_members_row(client, private, alice, dana):
    client.force_login(alice)

    response = client.post(role_url(private, dana), {"role": "admin"})

    row = response.content.decode().split(f'data-member="{dana.pk}"')[1].split("</tr>")[0]
    assert response.status_code == 400 and 'class="error"' in row
    assert role_of(private, dana) == ProjectRole.VIEWER


def _settings_queries(client, project, owner, count: int) -> int:
    ProjectMember.objects.filter(project=project).exclude(user=owner).delete()
    for number in range(count):
        role = ProjectRole.VIEWER if number % 2 else ProjectRole.EDITOR
        ProjectMember.objects.create(project=project, user=make_user(), role=role)
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(settings_url(project)).content.decode()
    assert page.count("data-member=") == count + 1
    return len(queries)


def test_settings_query_count_does_not_grow_with_members(client, private, alice):
    assert _settings_queries(client, private, alice, 3) == _settings_queries(
        client, private, alice, 30
    )
