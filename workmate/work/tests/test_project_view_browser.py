"""The project list in a real browser: filter with htmx, edit a row inline, act in bulk."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project, make_task
from workmate.work.models import CustomField, CustomFieldValue, FieldKind, Section, Task

pytestmark = pytest.mark.browser


@pytest.fixture
def project(team, alice, bob):
    project = make_project(name="Migration", team=team, owner=alice)
    Section.objects.create(project=project, name="Build")
    CustomField.objects.create(project=project, name="Hours", kind=FieldKind.NUMBER)
    make_task(project=project, title="Plan cutover", assignee=bob)
    make_task(project=project, title="Rack servers")
    make_task(project=project, title="Order cables")
    return project


def row(page: Page, title: str):
    return page.locator("tr.list-row", has=page.get_by_role("link", name=title, exact=True))


def test_filter_edit_inline_and_act_in_bulk(page: Page, live_server, project):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    login(page, live_server, "alice@example.com", DEFAULT_PASSWORD)
    page.goto(f"/work/projects/{project.pk}/")

    # Filter: the list changes in place and the URL keeps the filter.
    page.locator("details.filter-bar summary").click()
    page.locator("#filter_assignee").select_option(label="Bob Lee")
    expect(page.locator("#project-tasks .task-link")).to_have_count(1)
    bob = project.team.members.get(email="bob@example.com")
    expect(page).to_have_url(re.compile(rf"/work/projects/{project.pk}/\?.*assignee={bob.pk}"))
    page.goto(f"/work/projects/{project.pk}/")

    # Inline edit: the row becomes a form, saving brings the row back changed.
    row(page, "Rack servers").get_by_role("link", name="Edit").click()
    editing = page.locator("tr.is-editing")
    editing.locator("input[name=title]").fill("Rack the servers")
    editing.locator("select[name=status]").select_option("in_progress")
    editing.get_by_role("button", name="Save").click()
    changed = row(page, "Rack the servers")
    expect(changed).to_contain_text("In progress")
    expect(changed.locator(".row-note")).to_have_text("Saved.")

    # A custom field cell: click, type, save.
    changed.locator(".cell-value").click()
    page.locator(".cell-form input[name=value]").fill("7.5")
    page.locator(".cell-form").get_by_role("button", name="Save").click()
    expect(row(page, "Rack the servers").locator(".field-cell")).to_have_text("7.5")

    # Bulk: tick two tasks and mark them complete.
    row(page, "Order cables").locator("input[name=tasks]").check()
    row(page, "Plan cutover").locator("input[name=tasks]").check()
    page.locator("#bulk_action").select_option("complete")
    page.locator("#bulk-form").get_by_role("button", name="Apply").click()
    expect(page.locator("#project-tasks .messages")).to_contain_text("2 tasks changed.")
    if os.environ.get("WORKMATE_SHOTS"):
        page.screenshot(path=os.environ["WORKMATE_SHOTS"], full_page=True)

    assert set(Task.objects.filter(status="done").values_list("title", flat=True)) == {
        "Order cables",
        "Plan cutover",
    }
    assert Task.objects.get(title="Rack the servers").status == "in_progress"
    assert CustomFieldValue.objects.get().number == 7.5
    assert errors == []


def test_define_a_field_and_fill_it_in_from_the_task_panel(page: Page, live_server, project):
    login(page, live_server, "alice@example.com", DEFAULT_PASSWORD)
    page.goto(f"/work/projects/{project.pk}/")
    page.get_by_role("link", name="Fields", exact=True).click()

    form = page.locator("#add-field-form")
    form.get_by_label("Name").fill("Environment")
    form.get_by_label("Kind").select_option("single_select")
    form.get_by_label("Options").fill("Prod\nStaging")
    form.get_by_role("button", name="Add field").click()
    expect(page.locator(".messages")).to_contain_text("Field “Environment” added.")
    if os.environ.get("WORKMATE_SHOTS"):
        page.screenshot(path=os.environ["WORKMATE_SHOTS"] + ".fields.png", full_page=True)

    page.get_by_role("link", name="Back to the list").click()
    page.get_by_role("link", name="Plan cutover").click()
    panel = page.locator("#task-panel #task-fields")
    panel.locator("summary", has_text="Change").last.click()
    panel.locator("select[name=value]").select_option("Staging")
    panel.get_by_role("button", name="Save").last.click()
    expect(page.locator("#task-panel #task-fields dd .tag")).to_have_text("Staging")

    field = CustomField.objects.get(name="Environment")
    assert CustomFieldValue.objects.get(field=field).choices == ["Staging"]
