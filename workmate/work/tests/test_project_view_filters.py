"""The project list's filter bar, pages and custom field columns."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work import fields
from workmate.work.models import (
    CustomField,
    FieldKind,
    Section,
    Tag,
    Task,
    TaskStatus,
    Visibility,
)
from workmate.work.views import projects as project_views

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


def url(project) -> str:
    return reverse("work:project", args=[project.pk])


def listed(html: str) -> list[str]:
    return re.findall(r'class="task-link"[^>]*>([^<]+)</a>', html)


def get(client, project, **params) -> str:
    response = client.get(url(project), params)
    assert response.status_code == 200
    return response.content.decode()


def test_filter_by_assignee_me_unassigned_and_a_person(client, project, alice, bob):
    make_task(project=project, title="Bob task", assignee=bob)
    make_task(project=project, title="Alice task", assignee=alice)
    make_task(project=project, title="Free task")
    client.force_login(bob)

    assert listed(get(client, project, assignee="me")) == ["Bob task"]
    assert listed(get(client, project, assignee="none")) == ["Free task"]
    assert listed(get(client, project, assignee=alice.pk)) == ["Alice task"]
    assert len(listed(get(client, project))) == 3


def test_filter_by_several_statuses_tag_due_range_and_text(client, project, bob):
    urgent = Tag.objects.create(name="urgent")
    make_task(project=project, title="Plan cutover", due_on=datetime.date(2025, 11, 3))
    waiting = make_task(
        project=project,
        title="Vendor quote",
        status=TaskStatus.WAITING,
        description="Ask Acme for the price",
        due_on=datetime.date(2025, 11, 20),
    )
    waiting.tags.add(urgent)
    make_task(project=project, title="Rack servers", status=TaskStatus.IN_PROGRESS)
    client.force_login(bob)

    page = get(client, project, status=["waiting", "in_progress"])
    assert listed(page) == ["Vendor quote", "Rack servers"]
    assert listed(get(client, project, tag=urgent.pk)) == ["Vendor quote"]
    assert listed(get(client, project, due_from="2025-11-10", due_to="2025-11-30")) == [
        "Vendor quote"
    ]
    assert listed(get(client, project, q="acme")) == ["Vendor quote"]
    assert listed(get(client, project, q="RACK")) == ["Rack servers"]
    # The bar shows what is filtered, so a shared link explains itself.
    assert 'value="waiting" checked' in page.replace(' id="filter_status_2"', "")


def test_filter_by_custom_fields(client, project, alice, bob):
    hours = CustomField.objects.create(project=project, name="Hours", kind=FieldKind.NUMBER)
    env = CustomField.objects.create(
        project=project, name="Env", kind=FieldKind.SINGLE_SELECT, options=["Prod", "Dev"]
    )
    reviewer = CustomField.objects.create(project=project, name="Reviewer", kind="person")
    go_live = CustomField.objects.create(project=project, name="Go live", kind=FieldKind.DATE)
    customer = CustomField.objects.create(project=project, name="Customer", kind="text")
    big = make_task(project=project, title="Big")
    small = make_task(project=project, title="Small")
    for task, values in [
        (big, ["40", "Prod", alice.pk, "2025-12-01", "Acme"]),
        (small, ["2", "Dev", bob.pk, "2025-11-01", "Globex"]),
    ]:
        for field, raw in zip([hours, env, reviewer, go_live, customer], values, strict=True):
            fields.do_set_value(bob, task, field, str(raw))
    client.force_login(bob)

    assert listed(get(client, project, **{f"cf{hours.pk}_min": "10"})) == ["Big"]
    assert listed(get(client, project, **{f"cf{hours.pk}_max": "10"})) == ["Small"]
    assert listed(get(client, project, **{f"cf{env.pk}": "Dev"})) == ["Small"]
    assert listed(get(client, project, **{f"cf{reviewer.pk}": alice.pk})) == ["Big"]
    assert listed(get(client, project, **{f"cf{go_live.pk}_from": "2025-11-15"})) == ["Big"]
    assert listed(get(client, project, **{f"cf{customer.pk}": "glob"})) == ["Small"]
    combined = {f"cf{hours.pk}_min": "1", f"cf{env.pk}": "Prod"}
    assert listed(get(client, project, **combined)) == ["Big"]


def test_a_bad_filter_is_shown_and_left_out(client, project, bob):
    make_task(project=project, title="Plan cutover")
    client.force_login(bob)

    page = get(client, project, due_from="soon")

    assert listed(page) == ["Plan cutover"]
    assert 'id="filter_due_from_error"' in page


def test_nothing_matching_says_so(client, project, bob):
    Section.objects.create(project=project, name="Design")
    make_task(project=project, title="Plan cutover")
    client.force_login(bob)

    page = get(client, project, q="nothing like this")

    assert listed(page) == []
    assert "No tasks match these filters." in page
    # Empty sections are left out of a filtered list.
    assert 'data-section="' not in page


def test_htmx_filtering_returns_the_list_only(client, project, bob):
    make_task(project=project, title="Plan cutover", assignee=bob)
    make_task(project=project, title="Other")
    client.force_login(bob)

    fragment = client.get(url(project), {"assignee": "me"}, headers=HTMX).content.decode()

    assert "<html" not in fragment and 'id="filter-form"' not in fragment
    assert listed(fragment) == ["Plan cutover"]


def test_the_full_page_has_a_filter_form_that_works_without_js(client, project, bob):
    client.force_login(bob)

    page = get(client, project)

    form = page.split('id="filter-form"')[0].rsplit("<form", 1)[1]
    assert 'method="get"' in form and f'action="{url(project)}"' in form
    assert 'hx-push-url="true"' in form and 'hx-target="#project-tasks"' in form


def test_custom_fields_are_columns(client, project, alice, bob):
    hours = CustomField.objects.create(project=project, name="Hours", kind=FieldKind.NUMBER)
    go_live = CustomField.objects.create(project=project, name="Go live", kind=FieldKind.DATE)
    tags = CustomField.objects.create(
        project=project, name="Areas", kind=FieldKind.MULTI_SELECT, options=["Net", "DB"]
    )
    reviewer = CustomField.objects.create(project=project, name="Reviewer", kind="person")
    task = make_task(project=project, title="Plan cutover")
    make_task(project=project, title="Empty")
    fields.do_set_value(bob, task, hours, "12.50")
    fields.do_set_value(bob, task, go_live, "2025-11-26")
    fields.do_set_value(bob, task, tags, ["DB", "Net"])
    fields.do_set_value(bob, task, reviewer, str(alice.pk))
    client.force_login(bob)

    page = get(client, project)

    header = page.split("<thead>")[1].split("</thead>")[0]
    assert header.index("Hours") < header.index("Go live") < header.index("Areas")
    row = page.split(f'id="task-row-{task.pk}"')[1].split("</tr>")[0]
    cells = re.findall(r'data-field="\d+">(.*?)</td>', row, re.S)
    text = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    assert text == ["12.5", "Wed 26 Nov 2025", "Net DB", "Alice Kim"]


def test_read_only_viewer_sees_values_but_no_edit_controls(client, team, alice, charlie):
    project = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    customer = CustomField.objects.create(project=project, name="Customer", kind="text")
    task = make_task(project=project, title="Read me")
    fields.do_set_value(alice, task, customer, "Acme")
    client.force_login(charlie)

    page = get(client, project)

    assert "Acme" in page
    assert 'id="bulk-form"' not in page and 'name="tasks"' not in page
    assert "cell-value" not in page and "row-edit" not in page


def test_tasks_are_paged(client, project, bob, monkeypatch):
    monkeypatch.setattr(project_views, "TASKS_PAGE_SIZE", 3)
    for number in range(7):
        make_task(project=project, title=f"Task {number}", position=number, assignee=bob)
    client.force_login(bob)

    first = get(client, project, assignee="me")
    last = get(client, project, assignee="me", page=3)

    assert listed(first) == ["Task 0", "Task 1", "Task 2"]
    assert listed(last) == ["Task 6"]
    # The pager keeps the filters.
    assert "?assignee=me&amp;page=2" in first
    assert "Page 1 of 3 · 7 tasks" in first


def _queries(client, viewer, project, count: int) -> int:
    Task.objects.all().delete()
    CustomField.objects.all().delete()
    Section.objects.all().delete()
    sections = [Section.objects.create(project=project, name=f"S{n}") for n in range(3)]
    custom = [
        CustomField.objects.create(project=project, name="Hours", kind=FieldKind.NUMBER),
        CustomField.objects.create(project=project, name="Reviewer", kind=FieldKind.PERSON),
        CustomField.objects.create(
            project=project, name="Env", kind=FieldKind.SINGLE_SELECT, options=["Prod"]
        ),
    ]
    for number in range(count):
        task = make_task(
            project=project,
            section=sections[number % 3] if number % 4 else None,
            title=f"Task {number}",
            assignee=viewer if number % 2 else None,
        )
        fields.do_set_value(viewer, task, custom[0], str(number))
        fields.do_set_value(viewer, task, custom[1], str(viewer.pk))
        fields.do_set_value(viewer, task, custom[2], "Prod")
        if number % 5 == 0:
            make_task(project=project, section=task.section, parent=task, title=f"Sub {number}")
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(project), {f"cf{custom[2].pk}": "Prod", "status": "open"})
    page = response.content.decode()
    # One page of rows: 60 tasks still fill more rows than 10.
    shown = min(count, project_views.TASKS_PAGE_SIZE)
    assert len(listed(page)) == shown
    assert page.count("Prod</span>") == shown
    return len(queries)


def test_query_count_does_not_grow_with_rows_and_field_values(client, project, bob):
    assert _queries(client, bob, project, 10) == _queries(client, bob, project, 60)
