"""An agent's day in a real browser: Bob opens the desk dashboard, then his queue, opens a
ticket, answers the customer with 15 billable minutes and sets it to "pending customer";
the clock pauses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from workmate.desk import services
from workmate.desk.models import ContractTier, EntryKind, Status
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    make_contact,
    make_customer,
    make_sla_policy,
    make_ticket,
)

pytestmark = pytest.mark.browser

ANSWER = "Could you send us the VPN gateway logs from this morning?"


@pytest.fixture
def desk(alice, bob):
    make_sla_policy(
        tier=ContractTier.BUSINESS,
        priority=2,
        first_response_minutes=60,
        resolution_minutes=480,
        around_the_clock=True,
    )
    customer = make_customer(name="Hanbit Bank", email_domains=["hanbit.example"])
    contact = make_contact(customer, email="jisoo@hanbit.example", full_name="Jisoo Han")
    ticket = make_ticket(
        customer=customer, requester=contact, subject="VPN tunnel flaps", priority=2
    )
    services.do_assign(alice, ticket, bob)
    return bob, ticket


def test_bob_answers_from_his_queue_and_the_clock_pauses(page: Page, live_server, desk):
    bob, ticket = desk
    login(page, live_server, bob.email, DEFAULT_PASSWORD)

    # The top nav's "Desk" leads to the dashboard; his load there leads to his queue's
    # tickets, and the desk nav to his queue.
    page.locator("#site-nav").get_by_role("link", name="Desk").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.locator("h1")).to_have_text("Desk dashboard")
    expect(page.locator("#tile-active .desk-tile-count")).to_have_text("1")
    expect(page.locator("#trend-chart rect")).to_have_count(60)
    page.locator("#agent-load").get_by_role("link", name="1").click()
    expect(page).to_have_url(re.compile(rf"/desk/all/\?assignee={bob.pk}$"))
    expect(page.locator(f"#ticket-row-{ticket.pk}")).to_be_visible()
    page.locator(".desk-nav").get_by_role("link", name="My queue").click()
    expect(page).to_have_url(re.compile(r"/desk/mine/$"))
    expect(page.locator("h1")).to_have_text("My queue")
    row = page.locator(f"#ticket-row-{ticket.pk}")
    expect(row).to_contain_text("Hanbit Bank")

    row.get_by_role("link", name=re.compile("VPN tunnel flaps")).click()
    expect(page.locator("h1")).to_have_text(f"#{ticket.pk} VPN tunnel flaps")

    form = page.locator("#reply-form")
    form.get_by_label("Reply to customer").check()
    form.get_by_label("Message").fill(ANSWER)
    form.get_by_label("Time spent (minutes)").fill("15")
    form.get_by_label("Billable").check()
    form.get_by_label("Then set status").select_option(Status.PENDING)
    form.get_by_role("button", name="Send").click()

    expect(page.locator(".messages")).to_contain_text("Reply sent.")
    reply = page.locator(".timeline .entry-reply")
    expect(reply).to_contain_text(ANSWER)
    expect(reply).to_contain_text("15 min billable")
    expect(page.locator("#ticket-status")).to_have_text("Pending customer")
    expect(page.locator("#ticket-sla .sla-badge")).to_have_text("Paused")
    expect(page.locator("#time-spent")).to_contain_text("15 min in all, 15 min billable")

    entry = ticket.entries.get(kind=EntryKind.REPLY)
    assert (entry.author, entry.minutes, entry.billable) == (bob, 15, True)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.paused_since is not None

    # From the ticket to its customer: who they are, what else is open, who to write to.
    page.locator("#ticket-customer").click()
    expect(page.locator("h1")).to_have_text("Hanbit Bank")
    expect(page.locator("#customer-tickets")).to_contain_text("VPN tunnel flaps")
    expect(page.locator("#customer-tickets")).to_contain_text("Pending customer")
    expect(page.locator("#customer-contacts")).to_contain_text(ticket.requester.email)
    page.locator(".desk-nav").get_by_role("link", name="Customers").click()
    listed = page.locator(f'tr[data-customer="{ticket.customer_id}"]')
    expect(listed.locator(f'a[href="/desk/all/?customer={ticket.customer_id}"]')).to_have_text("1")
