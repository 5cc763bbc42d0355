"""In a real browser: Bob escalates his ticket to the LE architect and keeps it; Dana finds
it in "Escalated to me" with Bob's hand-off note. Then Bob lets in a person's mail that
came through a mailing list from "Suspended mail"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from workmate.desk import mailin, services
from workmate.desk.models import InboundStatus, Ticket
from workmate.desk.tests.test_mailin import compose
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_contact,
    make_customer,
    make_team,
    make_ticket,
    make_user,
)

pytestmark = pytest.mark.browser

NOTE = "The tunnel needs a redesign; customer is on the call every morning."


@pytest.fixture
def desk(alice, bob):
    dana = make_user(email="dana@example.com", full_name="Dana Architect")
    add_member(make_team(code="LE", name="Lead Engineering"), dana)
    customer = make_customer(
        name="Hanbit Bank", email_domains=["hanbit.example"], le_architect=dana
    )
    contact = make_contact(customer, email="jisoo@hanbit.example", full_name="Jisoo Han")
    ticket = make_ticket(customer=customer, requester=contact, subject="VPN tunnel flaps")
    services.do_assign(alice, ticket, bob)
    return bob, dana, ticket


def test_escalation_keeps_bob_on_the_ticket_and_dana_finds_it(
    page: Page, open_page, live_server, desk
):
    bob, dana, ticket = desk
    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    form = page.locator("#escalate-form")
    form.get_by_label("Hand-off note").fill(NOTE)
    form.get_by_role("button", name="To LE: Dana Architect").click()

    expect(page.locator(".messages")).to_contain_text("Escalated to Dana Architect.")
    expect(page.locator("#ticket-assignee")).to_have_text("Bob Lee")
    handoff = page.locator("#escalation-handoff")
    expect(handoff).to_contain_text("Dana Architect")
    expect(handoff).to_contain_text(NOTE)
    expect(page.locator("#followers")).to_contain_text("Dana Architect")

    page.goto(f"{live_server.url}/desk/mine/")
    row = page.locator(f"#ticket-row-{ticket.pk}")
    expect(row.locator(".escalated-badge")).to_contain_text("Dana Architect")

    other = open_page()
    login(other, live_server, dana.email, DEFAULT_PASSWORD)
    other.goto(f"{live_server.url}/desk/mine/")
    other.locator(".desk-nav").get_by_role("link", name="Escalated to me").click()
    expect(other).to_have_url(re.compile(r"/desk/escalated/$"))
    other.locator(f"#ticket-row-{ticket.pk}").get_by_role("link").first.click()
    expect(other.locator("#escalation-handoff")).to_contain_text(NOTE)
    expect(other.locator("#escalation-handoff")).to_contain_text("Bob Lee")

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.escalated_to) == (bob, dana)


def test_bob_lets_in_a_mail_held_as_bulk(page: Page, live_server, desk):
    bob, _dana, _ticket = desk
    raw = compose(subject="Backups failed on the list", headers={"Precedence": "bulk"})
    held = mailin.ingest(raw)
    assert held.status == InboundStatus.AUTO_REPLY
    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/desk/mine/")
    page.locator(".desk-nav").get_by_role("link", name="Suspended mail").click()
    row = page.locator(f'[data-inbound="{held.pk}"]')
    expect(row).to_contain_text("mailing list")
    row.get_by_role("link", name="Backups failed on the list").click()
    expect(page.locator("#held-raw")).to_contain_text("Precedence: bulk")
    page.get_by_role("button", name="Make a ticket").click()

    made = Ticket.objects.get(subject="Backups failed on the list")
    expect(page).to_have_url(re.compile(rf"/desk/tickets/{made.pk}/$"))
    expect(page.locator("#ticket-customer")).to_have_text("Hanbit Bank")
    held.refresh_from_db()
    assert (held.status, held.ticket_id, held.handled_by) == (InboundStatus.TICKET, made.pk, bob)


def test_dana_reads_bobs_english_hand_off_in_korean(page: Page, open_page, live_server, desk):
    bob, dana, ticket = desk
    dana.language = "ko"
    dana.save(update_fields=["language"])
    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    form = page.locator("#escalate-form")
    form.get_by_label("Hand-off note").fill(NOTE)
    form.get_by_role("button", name="To LE: Dana Architect").click()
    expect(page.locator("#timeline")).to_contain_text(
        "Escalated to Dana Architect (LE, architecture)."
    )

    other = open_page()
    other.set_viewport_size({"width": 390, "height": 844})
    login(other, live_server, dana.email, DEFAULT_PASSWORD)
    other.goto(f"{live_server.url}/desk/escalated/")
    other.locator(f"#ticket-row-{ticket.pk}").get_by_role("link").first.click()
    timeline = other.locator("#timeline")
    expect(timeline).to_contain_text("Dana Architect 님(LE, 아키텍처)에게 에스컬레이션했습니다.")
    expect(timeline).to_contain_text(NOTE)  # typed text stays as typed
    expect(timeline).not_to_contain_text("Escalated to")
    assert other.evaluate("document.documentElement.scrollWidth") <= 390
