"""A project's settings page (/work/projects/<pk>/settings/) and archiving from it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from workmate.accounts.models import TeamRole
from workmate.testing.factories import add_member, make_project, make_task, make_user
from workmate.work import services
from workmate.work.models import Project, Section, Visibility

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(team, alice, bob):
    # Team-visible: Bob edits as a teammate; Charlie, outside the team, cannot see it.
    return make_project(name="Migration", team=team, owner=alice, icon="🚚")


@pytest.fixture
def org_project(team, alice):
    # Org-wide: Charlie can read it but not change it.
    return make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)


def url(project: Project, name: str = "work:project_settings") -> str:
    return reverse(name, args=[project.pk])


def details(**overrides) -> dict:
    """The settings form's fields; an override of None leaves the field out."""
    data = {
        "name": "Data centre move",
        "description": "Move the racks.",
        "visibility": "private",
        "colour": "#12ab34",
        "icon": "🏗️",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def listed(page: str) -> list[str]:
    return [
        unescape(name) for name in re.findall(r'<a href="/work/projects/\d+/">([^<]+)</a>', page)
    ]


# --- The page ------------------------------------------------------------------------------


def test_settings_need_log_in(client, project):
    for response in (client.get(url(project)), client.post(url(project), details())):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    project.refresh_from_db()
    assert project.name == "Migration"


def test_settings_refuse_other_methods(client, project, bob):
    client.force_login(bob)

    assert client.put(url(project)).status_code == 405
    assert client.delete(url(project)).status_code == 405


def test_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), details()).status_code == 404
    project.refresh_from_db()
    assert project.name == "Migration"


def test_read_only_viewer_sees_settings_without_forms_and_cannot_post(client, org_project, charlie):
    client.force_login(charlie)

    page = client.get(url(org_project)).content.decode()
    response = client.post(url(org_project), details())

    assert 'id="project-settings-form"' not in page
    assert 'id="add-member-form"' not in page
    assert 'id="archive-form"' not in page
    assert "Whole organisation" in page
    assert response.status_code == 403
    org_project.refresh_from_db()
    assert org_project.name == "Handbook"


def test_editor_sees_the_filled_in_form(client, project, bob):
    client.force_login(bob)

    page = client.get(url(project)).content.decode()

    assert "<html" in page
    assert 'id="project-settings-form"' in page
    assert 'value="Migration"' in page and 'value="🚚"' in page
    assert 'id="add-member-form"' in page
    # Bob is a teammate, not the owner or a lead: he may not archive.
    assert 'id="archive-form"' not in page


def test_htmx_gets_the_settings_without_the_page(client, project, bob):
    client.force_login(bob)

    fragment = client.get(url(project), headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert 'id="project-settings-form"' in fragment and 'id="project-members"' in fragment


def test_saves_name_description_visibility_colour_and_icon(client, project, alice):
    client.force_login(alice)

    response = client.post(
        url(project), details(name="  Data centre move ", visibility="org"), follow=True
    )

    project.refresh_from_db()
    assert (project.name, project.description, project.visibility) == (
        "Data centre move",
        "Move the racks.",
        Visibility.ORG,
    )
    assert (project.colour, project.icon) == ("#12ab34", "🏗️")
    assert response.redirect_chain == [(url(project), 302)]
    assert "Settings of “Data centre move” saved." in response.content.decode()


def test_a_teammate_edits_the_details_but_not_the_name_or_who_sees_it(client, project, bob):
    client.force_login(bob)

    page = client.get(url(project)).content.decode()
    crafted = client.post(url(project), details())

    # The fields are shown disabled with the reason.
    assert re.search(r'<input[^>]*name="name"[^>]*disabled', page)
    assert re.search(r'<select[^>]*name="visibility"[^>]*disabled', page)
    assert "Only the project&#x27;s owner or a team lead can change this." in page
    # A request that changes them anyway is refused whole, beside the fields.
    assert crafted.status_code == 400
    assert crafted.content.decode().count('class="error"') == 2
    project.refresh_from_db()
    assert (project.name, project.visibility, project.description) == (
        "Migration",
        Visibility.TEAM,
        "",
    )

    # What a browser sends: disabled fields are left out.
    response = client.post(url(project), details(name=None, visibility=None), follow=True)

    assert response.redirect_chain == [(url(project), 302)]
    project.refresh_from_db()
    assert (project.name, project.visibility) == ("Migration", Visibility.TEAM)
    assert (project.description, project.colour, project.icon) == (
        "Move the racks.",
        "#12ab34",
        "🏗️",
    )


def test_the_service_refuses_a_teammate_renaming_or_hiding_the_project(project, bob):
    for change in ({"visibility": "private"}, {"name": "Mine", "icon": "🔒"}):
        with pytest.raises(PermissionDenied):
            services.do_update_project(bob, project, change)
    project.refresh_from_db()
    assert (project.name, project.visibility, project.icon) == ("Migration", "team", "🚚")
    # Sending the values unchanged is no change: a teammate may still save the rest.
    services.do_update_project(
        bob, project, {"name": "Migration", "visibility": "team", "icon": "🛻"}
    )
    project.refresh_from_db()
    assert project.icon == "🛻"


def test_making_it_private_sends_a_lead_who_is_no_member_back_to_the_index(client, team, project):
    lead = make_user(email="dana@example.com")
    add_member(team, lead, TeamRole.LEAD)
    client.force_login(lead)

    response = client.post(url(project), details(), follow=True)

    project.refresh_from_db()
    assert project.visibility == Visibility.PRIVATE
    assert response.redirect_chain == [(reverse("work:projects"), 302)]
    assert "It is private now and you are not a member." in response.content.decode()
    assert client.get(url(project)).status_code == 404


def test_a_blank_name_or_bad_colour_is_refused_beside_the_field(client, project, alice):
    client.force_login(alice)

    blank = client.post(url(project), details(name="   "))
    bad_colour = client.post(url(project), details(colour="red"))
    long_icon = client.post(url(project), details(icon="123456789"))

    for response in (blank, bad_colour, long_icon):
        assert response.status_code == 400
        assert 'class="error"' in response.content.decode()
    project.refresh_from_db()
    assert (project.name, project.colour, project.icon) == ("Migration", "#1f5eff", "🚚")


def test_the_service_validates_what_the_form_lets_through(project, alice):
    # The API calls the same service without the form: it must hold the rules itself.
    with pytest.raises(ValidationError):
        services.do_update_project(alice, project, {"name": "  "})
    with pytest.raises(ValidationError):
        services.do_update_project(alice, project, {"visibility": "everyone"})
    with pytest.raises(ValidationError):
        services.do_update_project(alice, project, {"icon": "far too long"})
    project.refresh_from_db()
    assert (project.name, project.visibility, project.icon) == ("Migration", "team", "🚚")


def test_icon_is_shown_on_the_project_page_the_list_and_the_board(client, project, bob):
    client.force_login(bob)

    pages = [
        client.get(reverse("work:project", args=[project.pk])).content.decode(),
        client.get(reverse("work:board", args=[project.pk])).content.decode(),
        client.get(reverse("work:projects")).content.decode(),
    ]

    for page in pages:
        assert '<span class="project-icon" aria-hidden="true">🚚</span>' in page


def test_settings_link_is_for_editors_only(client, project, org_project, bob, charlie):
    client.force_login(bob)
    as_editor = client.get(reverse("work:project", args=[project.pk])).content.decode()
    client.force_login(charlie)
    as_reader = client.get(reverse("work:project", args=[org_project.pk])).content.decode()
    board = client.get(reverse("work:board", args=[org_project.pk])).content.decode()

    assert f'href="{url(project)}"' in as_editor
    assert f'href="{url(org_project)}"' not in as_reader
    assert f'href="{url(org_project)}"' not in board


# --- Archive and unarchive -----------------------------------------------------------------


def test_archive_needs_log_in_and_post(client, project, alice):
    response = client.post(url(project, "work:archive_project"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(alice)
    assert client.get(url(project, "work:archive_project")).status_code == 405
    assert client.get(url(project, "work:unarchive_project")).status_code == 405
    project.refresh_from_db()
    assert project.archived_at is None


def test_archive_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.post(url(project, "work:archive_project")).status_code == 404
    project.refresh_from_db()
    assert project.archived_at is None


def test_only_owner_or_lead_may_archive(client, team, project, org_project, bob, charlie):
    # Bob edits the project as a teammate, yet archiving is for the owner and team leads.
    client.force_login(bob)
    assert client.post(url(project, "work:archive_project")).status_code == 403
    client.force_login(charlie)
    assert client.post(url(org_project, "work:archive_project")).status_code == 403
    assert not Project.objects.filter(archived_at__isnull=False).exists()


def test_owner_archives_and_unarchives(client, team, bob):
    project = make_project(name="Migration", team=team, owner=bob)
    client.force_login(bob)

    archived = client.post(url(project, "work:archive_project"), follow=True)
    project.refresh_from_db()
    assert project.archived_at is not None
    assert archived.redirect_chain == [(url(project), 302)]
    page = archived.content.decode()
    assert "“Migration” is archived and now read-only." in page
    assert 'id="unarchive-form"' in page and 'id="project-settings-form"' not in page

    back = client.post(url(project, "work:unarchive_project"), follow=True)
    project.refresh_from_db()
    assert project.archived_at is None
    assert "“Migration” is active again." in back.content.decode()


def test_team_lead_unarchives_and_others_may_not(client, team, alice, bob):
    project = make_project(name="Migration", team=team, owner=bob, archived_at=timezone.now())
    other = make_project(name="Old", team=team, owner=alice, archived_at=timezone.now())
    client.force_login(bob)
    assert client.post(url(other, "work:unarchive_project")).status_code == 403
    client.force_login(alice)

    client.post(url(project, "work:unarchive_project"))

    project.refresh_from_db()
    other.refresh_from_db()
    assert project.archived_at is None and other.archived_at is not None


def test_unarchive_service_refuses_a_member(project, bob):
    services.do_archive_project(project.owner, project)

    with pytest.raises(PermissionDenied):
        services.do_unarchive_project(bob, project)
    project.refresh_from_db()
    assert project.archived_at is not None


def test_archived_project_is_read_only_everywhere(client, project, alice, bob):
    section = Section.objects.create(project=project, name="Design")
    task = make_task(project=project, section=section, title="Plan cutover")
    services.do_archive_project(alice, project)
    client.force_login(bob)

    listing = client.get(reverse("work:project", args=[project.pk])).content.decode()
    board = client.get(reverse("work:board", args=[project.pk])).content.decode()
    settings = client.get(url(project)).content.decode()
    task_page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    added = client.post(reverse("work:add_task", args=[project.pk]), {"title": "Sneaky"})
    saved = client.post(url(project), details())

    assert "Archived" in listing and "Read only" in listing
    assert 'id="add-task-form"' not in listing and 'id="add-section-form"' not in listing
    assert 'class="row-edit"' not in listing
    assert "Archived" in board and 'class="board-add"' not in board
    assert 'class="card-move"' not in board
    assert 'id="project-settings-form"' not in settings and 'id="add-member-form"' not in settings
    assert f'action="{reverse("work:edit_task", args=[task.pk])}"' not in task_page
    # Bob may not unarchive, so the settings tab is not offered to him.
    assert f'href="{url(project)}"' not in listing
    assert (added.status_code, saved.status_code) == (403, 403)
    project.refresh_from_db()
    assert project.tasks.count() == 1 and project.name == "Migration"


def test_archived_project_offers_unarchive_to_the_owner(client, project, alice):
    services.do_archive_project(alice, project)
    client.force_login(alice)

    listing = client.get(reverse("work:project", args=[project.pk])).content.decode()
    settings = client.get(url(project)).content.decode()

    assert f'href="{url(project)}"' in listing
    assert 'id="unarchive-form"' in settings


# --- The projects index ----------------------------------------------------------------------


def test_index_hides_archived_projects_unless_asked(client, team, alice, bob):
    make_project(name="Migration", team=team, owner=alice)
    make_project(name="Old move", team=team, owner=alice, archived_at=timezone.now())
    client.force_login(bob)

    default = client.get(reverse("work:projects")).content.decode()
    with_archived = client.get(reverse("work:projects"), {"archived": "1"}).content.decode()
    fragment = client.get(
        reverse("work:projects"), {"archived": "1"}, headers=HTMX
    ).content.decode()

    assert listed(default) == ["Migration"]
    assert "Show archived" in default and 'badge-archived">' not in default
    assert listed(with_archived) == ["Migration", "Old move"]
    assert "Hide archived" in with_archived
    assert with_archived.count('<span class="badge badge-archived">Archived</span>') == 1
    assert "<html" not in fragment and listed(fragment) == ["Migration", "Old move"]


def test_index_never_shows_archived_projects_one_cannot_see(client, alice, charlie, team):
    make_project(name="Old move", team=team, owner=alice, archived_at=timezone.now())
    client.force_login(charlie)

    page = client.get(reverse("work:projects"), {"archived": "1"}).content.decode()

    assert listed(page) == []
