"""In a real browser: Alice, who leads the desk team, writes "P1 from an Enterprise
customer → assign to the lead on duty" in the editor, a P1 ticket from such a customer
comes in, and she sees the ticket assigned and the run in the rule's log.

(The webhooks app's own browser test adds its chat action to this same rule.)"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from workmate.accounts.models import WorkProfile
from workmate.automation.models import Rule, RunStatus
from workmate.desk.models import ContractTier
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_customer, make_ticket

pytestmark = pytest.mark.browser


def write_p1_rule(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/automation/")
    page.get_by_role("link", name="New rule").click()
    form = page.locator("#rule-form")
    form.get_by_label("Name").fill("P1 from an Enterprise customer → lead on duty")
    form.get_by_label("Applies in").select_option(label="Desk team: Technical Engineering")
    form.get_by_label("When this happens").select_option("ticket.created")
    form.get_by_role("button", name="Update the form").click()
    form.locator("select[name='all-0-field']").select_option("priority")
    form.locator("input[name='all-0-value']").fill("1")
    form.locator("select[name='all-1-field']").select_option("customer_tier")
    form.locator("input[name='all-1-value']").fill("enterprise")
    form.locator("select[name='a0-type']").select_option("assign")
    form.get_by_role("button", name="Add this action").click()
    # The typed conditions survive the round trip; the action's settings appeared.
    expect(form.locator("input[name='all-1-value']")).to_have_value("enterprise")
    form.get_by_label("Assign to").select_option("on_duty_lead")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Rule saved.")


def test_a_lead_automates_p1_tickets_and_sees_the_run(page: Page, live_server, alice, team):
    # Alice is on duty whenever the test runs.
    WorkProfile.objects.filter(user=alice).update(
        work_days=list(range(7)),
        work_start=datetime.time(0, 0),
        work_end=datetime.time(23, 59, 59),
        holiday_country="",
    )
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    write_p1_rule(page, live_server)
    rule = Rule.objects.get()
    assert rule.conditions["all"][1] == {
        "field": "customer_tier",
        "op": "is",
        "value": "enterprise",
    }

    # The customer writes in (as a mail or the portal would open it); the rule runs after commit.
    gold = make_customer(name="Hanbit Bank", tier=ContractTier.ENTERPRISE)
    ticket = make_ticket(customer=gold, priority=1, subject="Core banking is down")
    ticket.refresh_from_db()
    assert ticket.assignee == alice

    page.reload()
    runs = page.locator("table.automation-runs")
    expect(runs).to_contain_text(f"ticket #{ticket.pk}")
    expect(runs).to_contain_text("Done")
    expect(page.locator("#error-rate")).to_contain_text("0 of the last 1 runs")
    runs.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/automation/\d+/runs/\d+/$"))
    expect(page.locator(".action-results")).to_contain_text("Assigned to Alice Kim.")
    assert rule.runs.get().status == RunStatus.DONE
