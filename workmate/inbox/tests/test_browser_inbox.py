"""The inbox in a real browser: Bob sends Alice a request marked urgent; Alice sees the count
in the nav, opens her inbox, snoozes that request and archives another notification."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from workmate.inbox.models import Kind, Notification, UrgentMark
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project, make_task
from workmate.work import services as work_services

pytestmark = pytest.mark.browser


@pytest.fixture
def people(team, alice, bob):
    project = make_project(name="Migration", team=team, owner=alice)
    return alice, bob, project


def test_urgent_request_counted_snoozed_and_archived(page: Page, live_server, people, open_page):
    alice, bob, project = people
    invoice = make_task(project=project, title="Send the invoice")
    work_services.do_add_comment(bob, invoice, "@alice the amount is in the sheet")

    # Bob adds a task for Alice and marks the request urgent, with his reason.
    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto(f"/work/projects/{project.pk}/")
    form = page.locator("#add-task-form")
    form.locator("input[name=title]").fill("Restore the database")
    form.locator("select[name=assignee]").select_option(str(alice.pk))
    form.locator("textarea[name=request_message]").fill("Restore from last night's backup.")
    form.locator("summary", has_text="Mark urgent").click()
    expect(form.get_by_text("You can mark 3 more notifications urgent today.")).to_be_visible()
    form.locator("input[name=urgent]").check()
    form.locator("input[name=urgent_reason]").fill("Customers cannot log in")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Restore the database")
    assert UrgentMark.objects.get().reason == "Customers cannot log in"

    # Alice sees two unread in the nav, loaded after the page.
    mine = open_page()
    login(mine, live_server, alice.email, DEFAULT_PASSWORD)
    count = mine.locator("#inbox-count")
    expect(count).to_contain_text("2")
    expect(count.locator(".visually-hidden")).to_have_text("2 unread")

    mine.locator("a.inbox-link").click()
    expect(mine).to_have_url(re.compile(r"/inbox/$"))
    request = Notification.objects.get(recipient=alice, kind=Kind.REQUEST)
    mention = Notification.objects.get(recipient=alice, kind=Kind.MENTION)
    urgent_item = mine.locator(f"#notification-{request.pk}")
    expect(urgent_item).to_contain_text("Bob Lee sent you a request: Restore the database")
    expect(urgent_item.locator(".badge-urgent")).to_have_text("Urgent")
    expect(urgent_item).to_contain_text("Customers cannot log in")

    # She snoozes the urgent request to the start of her next working day.
    urgent_item.locator("summary", has_text="Snooze").click()
    urgent_item.get_by_label(re.compile("Start of the next working day")).check()
    urgent_item.locator(".inbox-snooze button[type=submit]").click()
    expect(mine.locator(f"#notification-{request.pk}")).to_have_count(0)
    expect(mine.locator(".messages")).to_contain_text("Snoozed until")
    expect(count).to_contain_text("1")
    request.refresh_from_db()
    assert request.snoozed_until is not None and request.read_at is None

    # And archives the mention; the inbox is empty and so is the count.
    mine.locator(f"#notification-{mention.pk}").get_by_role("button", name="Archive").click()
    expect(mine.locator(".inbox-empty")).to_have_text("Nothing unread. Well done.")
    expect(count).to_have_text("")
    mention.refresh_from_db()
    assert mention.archived_at is not None

    # The snoozed one waits in its own tab.
    mine.locator(".inbox-tabs a", has_text="Snoozed").click()
    expect(mine.locator(f"#notification-{request.pk}")).to_be_visible()
