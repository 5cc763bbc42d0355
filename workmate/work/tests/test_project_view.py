"""A project's list (GET /work/projects/<pk>/) with its quick "add task" and "add section"."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workmate.testing.factories import make_project, make_task, make_user
from workmate.work.forms import TaskQuickForm, people_choices, people_who_can_see
from workmate.work.models import Section, Tag, Task, TaskStatus, Visibility, WorkRequest
from workmate.work.views.projects import TASKS_PAGE_SIZE

HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def project(team, alice, bob):
    # Team-visible: Bob edits as a teammate; Charlie, outside the team, cannot see it.
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def org_project(team, alice):
    # Org-wide: Charlie can read it but not change it.
    return make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)


def url(project, name: str = "work:project") -> str:
    return reverse(name, args=[project.pk])


def listed(html: str) -> list[str]:
    return re.findall(r'class="task-link"[^>]*>([^<]+)</a>', html)


def section_html(page: str, key: object) -> str:
    return page.split(f'data-section="{key}"')[1].split("</section>")[0]


def row_html(page: str, title: str) -> str:
    """The list row (<tr>) whose task link says `title`."""
    for row in page.split("<tr ")[1:]:
        if f">{title}</a>" in row:
            return row.split("</tr>")[0]
    raise AssertionError(f"No row for {title!r}")


def headings(page: str) -> list[str]:
    return re.findall(r'data-section="[^"]+">\s*<h2>([^<]+?) <span', page)


# --- The page ------------------------------------------------------------------------------


def test_logged_out_goes_to_login(client, project):
    response = client.get(url(project))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url(project)}"


def test_post_to_the_page_is_refused(client, project, bob):
    client.force_login(bob)

    assert client.post(url(project)).status_code == 405


def test_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.get(url(project)).status_code == 404


def test_tasks_grouped_by_section_with_no_section_first(client, project, alice, bob):
    design = Section.objects.create(project=project, name="Design", position=1)
    build = Section.objects.create(project=project, name="Build", position=2)
    parent = make_task(project=project, section=build, title="Write importer", position=1)
    make_task(project=project, section=build, parent=parent, title="Parse CSV")
    make_task(project=project, section=build, parent=parent, title="Map fields")
    make_task(project=project, section=build, title="Load test", position=2, assignee=bob)
    make_task(project=project, title="Loose end", due_on=datetime.date(2020, 1, 1))
    make_task(project=make_project(team=project.team), title="Other project")
    client.force_login(bob)

    page = client.get(url(project)).content.decode()

    assert "<html" in page
    assert headings(page) == ["No section", "Design", "Build"]
    assert listed(section_html(page, "none")) == ["Loose end"]
    assert "Overdue" in section_html(page, "none")
    assert "No tasks here yet." in section_html(page, design.pk)
    build_html = section_html(page, build.pk)
    # Subtasks are counted on their parent, not listed.
    assert listed(build_html) == ["Write importer", "Load test"]
    assert "2 subtasks" in row_html(build_html, "Write importer")
    assert "Bob Lee" in row_html(build_html, "Load test")
    assert "Other project" not in page
    assert 'id="add-task-form"' in page and 'id="add-section-form"' in page


def test_no_section_is_left_out_when_every_task_has_one(client, project, bob):
    build = Section.objects.create(project=project, name="Build")
    make_task(project=project, section=build, title="Write importer")
    client.force_login(bob)

    page = client.get(url(project)).content.decode()

    assert headings(page) == ["Build"]


def test_read_only_viewer_sees_no_forms(client, org_project, charlie):
    make_task(project=org_project, title="Read me")
    client.force_login(charlie)

    page = client.get(url(org_project)).content.decode()

    assert listed(page) == ["Read me"]
    assert "Read only" in page
    assert 'id="add-task-form"' not in page and 'id="add-section-form"' not in page


def test_assignee_choices_are_people_who_can_see_the_project(client, project, alice, bob):
    stranger = make_user(full_name="Zed Stranger")
    client.force_login(bob)

    page = client.get(url(project)).content.decode()

    choices = page.split('name="assignee"')[1].split("</select>")[0]
    assert "Alice Kim" in choices and "Bob Lee" in choices
    assert stranger.full_name not in choices


def test_htmx_gets_only_the_task_list(client, project, bob):
    make_task(project=project, title="Loose end")
    client.force_login(bob)

    fragment = client.get(url(project), headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert 'id="add-task-form"' not in fragment
    assert listed(fragment) == ["Loose end"]


def _queries(client, viewer, project, count: int) -> int:
    Task.objects.all().delete()
    Section.objects.all().delete()
    sections = [Section.objects.create(project=project, name=f"S{n}") for n in range(3)]
    for number in range(count):
        task = make_task(
            project=project,
            section=sections[number % 3] if number % 4 else None,
            title=f"Task {number}",
            assignee=viewer if number % 2 else None,
        )
        if number % 5 == 0:
            make_task(project=project, section=task.section, parent=task, title=f"Sub {number}")
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(project))
    # The list shows one page of top-level tasks.
    assert len(listed(response.content.decode())) == min(count, TASKS_PAGE_SIZE)
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_tasks(client, project, bob):
    assert _queries(client, bob, project, 10) == _queries(client, bob, project, 200)


def test_a_long_list_is_split_into_pages(client, project, bob):
    for number in range(TASKS_PAGE_SIZE + 1):
        make_task(project=project, title=f"Task {number:03}")
    client.force_login(bob)

    first = client.get(url(project)).content.decode()
    second = client.get(url(project), {"page": "2"}).content.decode()

    assert len(listed(first)) == TASKS_PAGE_SIZE
    assert 'href="?page=2" hx-get="?page=2" hx-target="#project-tasks"' in first
    assert len(listed(second)) == 1
    assert 'href="?page=1"' in second


# --- Add a task ----------------------------------------------------------------------------


def test_add_task_needs_log_in(client, project):
    response = client.post(url(project, "work:add_task"), {"title": "Sneaky"})

    assert response.status_code == 302
    assert not Task.objects.exists()


def test_add_task_refuses_get(client, project, bob):
    client.force_login(bob)

    assert client.get(url(project, "work:add_task")).status_code == 405


def test_add_task_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    response = client.post(url(project, "work:add_task"), {"title": "Sneaky"})

    assert response.status_code == 404
    assert not Task.objects.exists()


def test_add_task_read_only_viewer_gets_403(client, org_project, charlie):
    client.force_login(charlie)

    response = client.post(url(org_project, "work:add_task"), {"title": "Sneaky"})

    assert response.status_code == 403
    assert not Task.objects.exists()


def test_adds_a_task_for_myself(client, project, bob):
    section = Section.objects.create(project=project, name="Build")
    client.force_login(bob)

    response = client.post(
        url(project, "work:add_task"),
        {
            "title": " Write importer ",
            "section": section.pk,
            "assignee": bob.pk,
            "due_on": "2025-12-01",
        },
        follow=True,
    )

    task = Task.objects.get()
    assert response.redirect_chain == [(url(project), 302)]
    assert (task.title, task.section, task.assignee, task.created_by) == (
        "Write importer",
        section,
        bob,
        bob,
    )
    assert task.due_on == datetime.date(2025, 12, 1)
    assert not WorkRequest.objects.exists()
    assert "Task “Write importer” added." in response.content.decode()


def test_adds_a_task_with_tags(client, project, bob):
    Tag.objects.create(name="Urgent")
    client.force_login(bob)

    response = client.post(
        url(project, "work:add_task"), {"title": "Tagged", "tags": "urgent, backup ,"}
    )

    assert response.status_code == 302
    task = Task.objects.get()
    assert sorted(task.tags.values_list("name", flat=True)) == ["Urgent", "backup"]
    assert Tag.objects.count() == 2


def test_quick_add_shows_the_tags_field(client, project, bob):
    client.force_login(bob)

    page = client.get(url(project)).content.decode()

    assert 'name="tags"' in page.split('id="add-task-form"')[1].split("</form>")[0]


@time_machine.travel(NOW, tick=False)
def test_assigning_someone_else_sends_a_request_and_says_the_reply_by(client, project, alice, bob):
    client.force_login(alice)

    response = client.post(
        url(project, "work:add_task"),
        {"title": "Check backups", "assignee": bob.pk, "request_message": "Restore one, too."},
        follow=True,
    )

    request = WorkRequest.objects.get()
    assert (request.task.title, request.requester, request.assignee, request.message) == (
        "Check backups",
        alice,
        bob,
        "Restore one, too.",
    )
    # Eight of Bob's working hours after Wednesday 10:00.
    assert request.reply_by == datetime.datetime(2025, 11, 19, 18, 0, tzinfo=SEOUL)
    assert (
        "Task “Check backups” added. Bob Lee is asked to reply by Wed 19 Nov, 18:00."
        in response.content.decode()
    )


def test_cannot_assign_someone_who_cannot_see_the_project(client, project, bob, charlie):
    client.force_login(bob)

    response = client.post(
        url(project, "work:add_task"), {"title": "Check backups", "assignee": charlie.pk}
    )

    assert response.status_code == 400
    assert not Task.objects.exists()
    assert 'id="id_assignee_error"' in response.content.decode()


def test_cannot_use_another_projects_section(client, project, bob):
    elsewhere = Section.objects.create(project=make_project(team=project.team), name="Theirs")
    client.force_login(bob)

    response = client.post(
        url(project, "work:add_task"), {"title": "Check backups", "section": elsewhere.pk}
    )

    assert response.status_code == 400
    assert not Task.objects.exists()
    assert 'id="id_section_error"' in response.content.decode()


def test_a_blank_title_is_shown_beside_the_field(client, project, bob):
    client.force_login(bob)

    response = client.post(url(project, "work:add_task"), {"title": "   "})

    page = response.content.decode()
    assert response.status_code == 400
    assert not Task.objects.exists()
    assert '<p class="error" id="id_title_error">' in page


# --- Add a section -------------------------------------------------------------------------


def test_add_section_refuses_get(client, project, bob):
    client.force_login(bob)

    assert client.get(url(project, "work:add_section")).status_code == 405


def test_add_section_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.post(url(project, "work:add_section"), {"name": "X"}).status_code == 404
    assert not Section.objects.exists()


def test_add_section_read_only_viewer_gets_403(client, org_project, charlie):
    client.force_login(charlie)

    assert client.post(url(org_project, "work:add_section"), {"name": "X"}).status_code == 403
    assert not Section.objects.exists()


def test_adds_sections_at_the_end(client, project, bob):
    Section.objects.create(project=project, name="Design", position=4)
    client.force_login(bob)

    response = client.post(url(project, "work:add_section"), {"name": " Build "}, follow=True)

    section = Section.objects.get(name="Build")
    assert (section.project, section.position) == (project, 5)
    assert headings(response.content.decode()) == ["Design", "Build"]
    assert "Section “Build” added." in response.content.decode()


def test_a_blank_section_name_is_refused(client, project, bob):
    client.force_login(bob)

    response = client.post(url(project, "work:add_section"), {"name": "  "})

    assert response.status_code == 400
    assert not Section.objects.exists()
    assert 'id="id_name_error"' in response.content.decode()


def test_the_page_reads_each_list_once(client, project, bob, django_assert_num_queries):
    # Rows of every kind: a row needing a column the list does not read (a due time, a
    # finished task, subtasks, an assignee) would cost a query a row.
    due = timezone.now() + datetime.timedelta(days=1)
    for number in range(30):
        task = make_task(
            project=project,
            title=f"Task {number}",
            assignee=bob if number % 2 else None,
            status=TaskStatus.DONE if number % 3 == 0 else TaskStatus.OPEN,
            completed_at=timezone.now() if number % 3 == 0 else None,
            due_on=due.date() if number % 5 else None,
            due_at=due if number % 5 == 1 else None,
        )
        if number % 7 == 0:
            make_task(project=project, parent=task, title=f"Sub {number}")
    client.force_login(bob)

    # Session, viewer with their profile, the project with the viewer's project and team
    # roles (whether they may edit, was two queries), its custom fields, sections, people
    # and tags (shared by the filter bar, the quick-add and the bulk forms), the count and
    # page of tasks and the urgent requests the editor has left today.
    with django_assert_num_queries(10):
        response = client.get(url(project))

    assert len(listed(response.content.decode())) == 30


def test_the_quick_add_offers_the_lists_the_page_read(project, alice, bob):
    Section.objects.create(project=project, name="Later")
    Section.objects.create(project=project, name="Doing")
    people = list(people_who_can_see(project).order_by("full_name", "pk"))
    given = TaskQuickForm(project=project, sections=list(project.sections.all()), people=people)
    asked = TaskQuickForm(project=project)

    assert str(given["section"]) == str(asked["section"])
    assert "Later" in str(given["section"])
    assert str(given["assignee"]) == str(asked["assignee"])
    assert {"Alice", "Bob"} <= set(re.findall(r">(\w+)[^<]*</option>", str(given["assignee"])))


def test_only_a_form_that_validates_builds_its_querysets(project, alice, bob):
    # The page's forms offer the lists the page read; building the querysets as well (the
    # visibility rule's subqueries) cost CPU for nothing on every page view.
    people = people_choices(project)
    shown = TaskQuickForm(project=project, sections=[], people=people)
    posted = TaskQuickForm({"title": "x"}, project=project, sections=[], people=people)

    assert shown.fields["assignee"].queryset is None and shown.fields["section"].queryset is None
    assert set(posted.fields["assignee"].queryset) == {alice, bob}
    assert [str(person) for person in people] == ["Alice Kim", "Bob Lee"]
