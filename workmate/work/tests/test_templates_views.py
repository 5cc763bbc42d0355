"""The template pages: the list, "Use template", "Save as template" and "Apply checklist"."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_user
from workmate.work import services, templating
from workmate.work.models import (
    Project,
    ProjectTemplate,
    Task,
    TemplateTask,
    TemplateUse,
    Visibility,
)

HTMX = {"HX-Request": "true"}
D = datetime.date
LIST_URL = reverse("work:templates")


@pytest.fixture
def project(team, alice, bob):
    project = make_project(name="Customer onboarding", team=team, owner=alice)
    section = services.do_create_section(alice, project, name="Kick-off")
    meeting = services.do_create_task(
        alice, project, title="Kick-off meeting", section=section, due_on=D(2025, 11, 3)
    )
    services.do_create_task(
        alice, project, title="Write the agenda", parent=meeting, due_on=D(2025, 11, 5)
    )
    return project


@pytest.fixture
def saved(project, alice):
    return templating.do_save_as_template(alice, project, name="Onboarding")


# --- The list --------------------------------------------------------------------------------


def test_list_logged_out_goes_to_login(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_list_refuses_post(client, bob):
    client.force_login(bob)

    assert client.post(LIST_URL).status_code == 405


def test_list_credits_the_author_and_counts_uses(client, saved, team, alice, bob):
    templating.do_use_template(bob, saved, name="One", start_on=D(2026, 3, 9), team=team)
    templating.do_use_template(bob, saved, name="Two", start_on=D(2026, 3, 9), team=team)
    client.force_login(bob)

    page = client.get(LIST_URL).content.decode()

    assert "Onboarding" in page
    assert "by Alice Kim · used 2 times" in page
    assert "last used by Bob Lee" in page
    assert reverse("work:use_template", args=[saved.pk]) in page


def test_list_hides_other_teams_templates(client, saved, charlie):
    client.force_login(charlie)

    page = client.get(LIST_URL).content.decode()

    assert "Onboarding" not in page
    assert "No templates yet." in page


def test_list_htmx_gets_rows_only(client, saved, bob):
    client.force_login(bob)

    body = client.get(LIST_URL, headers=HTMX).content.decode()

    assert "<html" not in body
    assert "by Alice Kim · used 0 times" in body


def _make_templates(count: int, team, author) -> None:
    for number in range(count):
        template = ProjectTemplate.objects.create(name=f"T{number}", team=team, author=author)
        user = make_user()
        TemplateUse.objects.create(template=template, used_by=user)


def test_list_query_count_does_not_grow(client, team, alice, bob):
    client.force_login(bob)
    _make_templates(10, team, alice)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL)
    _make_templates(50, team, make_user())
    with CaptureQueriesContext(connection) as many:
        page = client.get(LIST_URL).content.decode()

    assert len(many) == len(few)
    assert page.count("used 1 time") == 60


# --- Use template ----------------------------------------------------------------------------


def use_url(template) -> str:
    return reverse("work:use_template", args=[template.pk])


def test_use_logged_out_goes_to_login(client, saved):
    response = client.get(use_url(saved))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_use_wrong_method(client, saved, bob):
    client.force_login(bob)

    assert client.put(use_url(saved)).status_code == 405


def test_use_outsider_gets_404(client, saved, team, charlie):
    client.force_login(charlie)

    assert client.get(use_url(saved)).status_code == 404
    data = {"name": "Stolen", "start_on": "2026-03-09", "team": team.pk}
    assert client.post(use_url(saved), data).status_code == 404
    assert not Project.objects.filter(name="Stolen").exists()


def test_use_page_says_due_dates_move_off_days_off(client, saved, bob):
    client.force_login(bob)

    response = client.get(use_url(saved))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert "moves to the team’s next working day" in page
    assert "by Alice Kim · used 0 times" in page
    assert "<html" not in client.get(use_url(saved), headers=HTMX).content.decode()


def test_use_creates_the_project(client, saved, team, alice, bob):
    client.force_login(bob)

    response = client.post(
        use_url(saved), {"name": "Onboarding Hanbit", "start_on": "2026-03-09", "team": team.pk}
    )

    project = Project.objects.get(name="Onboarding Hanbit")
    assert response.status_code == 302
    assert response.url == reverse("work:project", args=[project.pk])
    assert project.owner == bob
    assert {t.title: t.due_on for t in project.tasks.all()} == {
        "Kick-off meeting": D(2026, 3, 9),
        "Write the agenda": D(2026, 3, 11),
    }
    assert TemplateUse.objects.get().used_by == bob


def test_use_without_a_start_date_shows_the_error(client, saved, team, bob):
    client.force_login(bob)

    response = client.post(use_url(saved), {"name": "No date", "team": team.pk})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Project.objects.filter(name="No date").exists()


# --- Save as template ------------------------------------------------------------------------


def save_url(project) -> str:
    return reverse("work:save_template", args=[project.pk])


def test_project_page_links_to_save_for_editors_only(client, project, team, alice, charlie):
    org_project = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    client.force_login(alice)
    assert (
        save_url(project) in client.get(reverse("work:project", args=[project.pk])).content.decode()
    )
    client.force_login(charlie)
    page = client.get(reverse("work:project", args=[org_project.pk])).content.decode()
    assert save_url(org_project) not in page


def test_save_logged_out_goes_to_login(client, project):
    response = client.get(save_url(project))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_save_wrong_method(client, project, alice):
    client.force_login(alice)

    assert client.delete(save_url(project)).status_code == 405


def test_save_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.get(save_url(project)).status_code == 404
    assert client.post(save_url(project), {"name": "Mine"}).status_code == 404
    assert not ProjectTemplate.objects.exists()


def test_save_read_only_viewer_gets_403(client, team, alice, charlie):
    org_project = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    services.do_create_task(alice, org_project, title="Something")
    client.force_login(charlie)

    assert client.get(save_url(org_project)).status_code == 403
    assert client.post(save_url(org_project), {"name": "Mine"}).status_code == 403
    assert not ProjectTemplate.objects.exists()


def test_save_form_page_and_htmx_part(client, project, bob):
    client.force_login(bob)

    page = client.get(save_url(project)).content.decode()
    part = client.get(save_url(project), headers=HTMX).content.decode()

    assert "<html" in page and 'value="Customer onboarding"' in page
    assert "<html" not in part and 'id="save-template-form"' in part


def test_save_creates_the_template(client, project, bob):
    client.force_login(bob)

    response = client.post(save_url(project), {"name": "Onboarding", "description": "What worked"})

    assert response.status_code == 302
    assert response.url == LIST_URL
    template = ProjectTemplate.objects.get()
    assert (template.name, template.author, template.description) == (
        "Onboarding",
        bob,
        "What worked",
    )
    assert template.tasks.count() == 2
    assert template.tasks.get(title="Write the agenda").due_offset_days == 2


def test_save_without_a_name_shows_the_error(client, project, bob):
    client.force_login(bob)

    response = client.post(save_url(project), {"name": " "})

    assert response.status_code == 400
    assert not ProjectTemplate.objects.exists()


# --- Apply checklist -------------------------------------------------------------------------


@pytest.fixture
def checklist(team, alice):
    template = ProjectTemplate.objects.create(
        name="Change review", team=team, author=alice, is_checklist=True
    )
    TemplateTask.objects.create(template=template, title="Peer review", position=1)
    TemplateTask.objects.create(template=template, title="Tell the customer", position=2)
    return template


def checklist_url(task) -> str:
    return reverse("work:apply_checklist", args=[task.pk])


def test_task_page_offers_checklists_to_editors(client, project, checklist, bob):
    task = project.tasks.get(title="Kick-off meeting")
    client.force_login(bob)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    assert 'id="checklist-form"' in page
    assert "Change review" in page


def test_apply_logged_out_goes_to_login(client, project, checklist):
    task = project.tasks.first()

    response = client.post(checklist_url(task), {"checklist-template": checklist.pk})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_apply_wrong_method(client, project, bob):
    client.force_login(bob)

    assert client.get(checklist_url(project.tasks.first())).status_code == 405


def test_apply_outsider_gets_404(client, project, checklist, charlie):
    client.force_login(charlie)

    response = client.post(
        checklist_url(project.tasks.first()), {"checklist-template": checklist.pk}
    )

    assert response.status_code == 404
    assert Task.objects.count() == 2


def test_apply_read_only_viewer_gets_403(client, team, alice, checklist, charlie):
    org_project = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task = services.do_create_task(alice, org_project, title="Visible to all")
    client.force_login(charlie)

    response = client.post(checklist_url(task), {"checklist-template": checklist.pk})

    assert response.status_code == 403
    assert not task.subtasks.exists()


def test_apply_adds_subtasks(client, project, checklist, bob):
    task = project.tasks.get(title="Kick-off meeting")
    client.force_login(bob)

    response = client.post(checklist_url(task), {"checklist-template": checklist.pk})

    assert response.status_code == 302
    assert sorted(task.subtasks.values_list("title", flat=True)) == [
        "Peer review",
        "Tell the customer",
        "Write the agenda",
    ]
    page = client.get(response.url).content.decode()
    assert "2 subtasks added from the checklist." in page


def test_apply_a_project_template_is_refused(client, project, saved, bob):
    task = project.tasks.get(title="Kick-off meeting")
    client.force_login(bob)

    response = client.post(checklist_url(task), {"checklist-template": saved.pk}, follow=True)

    assert "Select a valid choice." in response.content.decode()
    assert task.subtasks.count() == 1
