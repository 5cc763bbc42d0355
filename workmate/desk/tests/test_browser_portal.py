"""The portal in a real browser: a contact files a ticket, an agent writes an internal note
and a public reply on the desk, and the contact sees the reply but never the note; a
contact rates a solved ticket from the survey link."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from workmate.desk import csat, services
from workmate.desk.models import EntryKind, Rating, Satisfaction, Status, Ticket
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_ticket

pytestmark = pytest.mark.browser

SUBJECT = "Nightly backup fails with error 42"
NOTE = "Their storage admin password is in the vault"
REPLY = "We freed space on the backup volume; tonight's run should pass."


def test_contact_files_ticket_agent_answers_contact_sees_only_the_reply(
    page: Page, live_server, bob, contact_a, open_page
):

    # The contact signs in to the portal and files a ticket.
    page.goto("/portal/")
    expect(page).to_have_url(f"{live_server.url}/portal/login/?next=%2Fportal%2F")
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=email]").fill("Jisoo@Hanbit.example")
    form.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("My tickets")
    page.get_by_role("link", name="New ticket").first.click()
    new = page.locator("#portal-new-ticket")
    new.locator("input[name=subject]").fill(SUBJECT)
    new.locator("textarea[name=description]").fill("Since Monday the backup stops at 80 %.")
    new.locator("select[name=priority]").select_option("2")
    new.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(SUBJECT)
    ticket = Ticket.objects.get(subject=SUBJECT)
    assert ticket.requester == contact_a
    expect(page.locator("#ticket-status")).to_have_text("Received")

    # Bob, an agent, writes an internal note and then a public reply on the desk.
    agent = open_page()
    login(agent, live_server, bob.email, DEFAULT_PASSWORD)
    agent.goto(f"/desk/tickets/{ticket.pk}/")
    expect(agent.locator("h1")).to_contain_text(SUBJECT)
    reply_form = agent.locator("#reply-form")
    reply_form.locator("input[name=kind][value=note]").check()
    reply_form.locator("textarea[name=body]").fill(NOTE)
    reply_form.locator("#send-reply").click()
    expect(agent.get_by_text(NOTE)).to_be_visible()
    reply_form = agent.locator("#reply-form")
    reply_form.locator("input[name=kind][value=reply]").check()
    reply_form.locator("textarea[name=body]").fill(REPLY)
    reply_form.locator("#send-reply").click()
    expect(agent.get_by_text(REPLY)).to_be_visible()
    kinds = list(ticket.entries.exclude(kind=EntryKind.EVENT).values_list("kind", flat=True))
    assert kinds == [EntryKind.CUSTOMER, EntryKind.NOTE, EntryKind.REPLY]

    # The contact reloads: the public reply is there, the note is not.
    page.reload()
    expect(page.locator(".portal-timeline")).to_contain_text(REPLY)
    expect(page.locator(".portal-timeline")).to_contain_text("Bob")
    expect(page.locator("#ticket-status")).to_have_text("In progress")
    assert NOTE not in page.content()
    assert "vault" not in page.content()

    # And the contact answers back from the portal.
    page.locator("#portal-reply textarea[name=body]").fill("Thanks, we will check tomorrow.")
    page.locator("#portal-reply button[type=submit]").click()
    expect(page.locator(".portal-timeline")).to_contain_text("Thanks, we will check tomorrow.")
    assert ticket.entries.filter(kind=EntryKind.CUSTOMER).count() == 2


def test_contact_rates_a_solved_ticket_from_the_survey_link(
    page: Page, live_server, bob, customer_a, contact_a
):
    ticket = make_ticket(customer=customer_a, requester=contact_a, subject=SUBJECT)
    services.do_change_status(bob, ticket, Status.SOLVED)
    good_link = csat.survey_links(ticket)["good"]

    # The mail's "Good" link opens the page with Good chosen; nothing is recorded yet.
    page.goto(urlsplit(good_link).path)
    form = page.locator("#csat-form")
    expect(form.locator("input[name=rating][value=good]")).to_be_checked()
    assert not Satisfaction.objects.exists()

    # The contact changes their mind, says why and sends it.
    form.locator("input[name=rating][value=bad]").check()
    form.locator("textarea[name=comment]").fill("The fix took three days.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#csat-result")).to_contain_text("You rated our help: bad")
    rating = Satisfaction.objects.get(ticket=ticket)
    assert (rating.rating, rating.comment) == (Rating.BAD, "The fix took three days.")
