"""The loop in a real browser: SE records a meeting with what the customer said, routes it
to a proposal, a lead answers the proposal, SE writes the answer, the contact reads it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from workmate.success.models import FeedbackItem, FeedbackState
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

WORDS = "The monthly report arrives after our board meets on the 5th."


def test_meeting_feedback_proposal_answer_portal(
    page: Page, live_server, sam, alice, owned_a, contact_a, open_page
):
    # SE records a quarterly review with one piece of feedback in the customer's words.
    login(page, live_server, sam.email, DEFAULT_PASSWORD)
    page.goto(f"/success/customers/{owned_a.pk}/")
    page.get_by_role("link", name="Record a meeting").click()
    form = page.locator("#meeting-form")
    form.locator("input[name=held_on]").fill("2026-12-01")
    form.locator("select[name=kind]").select_option("quarterly")
    form.locator("input[name=title]").fill("Q4 review")
    form.get_by_label("Jin Oh").check()
    form.locator("textarea[name=feedback-0-words]").fill(WORDS)
    form.locator("select[name=feedback-0-contact]").select_option(label="Jin Oh")
    form.locator("textarea[name=feedback-0-internal_note]").fill("CFO escalated this")
    form.get_by_role("button", name="Record the meeting").click()
    expect(page.locator("h1")).to_have_text("Q4 review")

    # … opens the item and routes it to a Voice proposal.
    page.get_by_role("link", name=re.compile("The monthly report")).click()
    route = page.locator("#route-form")
    route.locator("select[name=kind]").select_option("proposal")
    route.locator("input[name=title]").fill("Monthly reports by the 3rd working day")
    route.locator("textarea[name=description]").fill("Customers need reports before boards meet.")
    route.get_by_role("button", name="Route").click()
    expect(page.locator("#item-state")).to_have_text("With the team")
    proposal_link = page.locator("#routing a", has_text="Monthly reports by the 3rd")
    proposal_url = proposal_link.get_attribute("href")

    # A lead answers the proposal; the page says it came from customers.
    lead = open_page()
    login(lead, live_server, alice.email, DEFAULT_PASSWORD)
    lead.goto(proposal_url)
    expect(lead.locator("#from-customers")).to_contain_text("Raised by 1 customer.")
    answer_form = lead.locator("#lead-controls form[action$='/answer/']")
    answer_form.locator("select[name=to_status]").select_option("planned")
    answer_form.locator("textarea[name=answer]").fill("The report job moves to the 1st.")
    answer_form.get_by_role("button", name="Publish answer").click()
    expect(lead.locator("#lead-controls .messages")).to_contain_text("Answer published.")

    # SE is asked to tell the customer, and writes the answer.
    page.reload()
    expect(page.locator("#item-state")).to_have_text("Decided, to tell the customer")
    expect(page.locator("#route-outcome")).to_contain_text("The report job moves to the 1st.")
    answer = page.locator("#answer-form")
    answer.locator("textarea[name=answer]").fill("From January your report arrives by the 3rd.")
    answer.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#answer-text")).to_contain_text("From January")
    item = FeedbackItem.objects.get()
    assert item.state == FeedbackState.ANSWERED

    # The contact reads it in the portal; the internal note is nowhere.
    contact = open_page()
    contact.goto("/portal/login/")
    sign_in = contact.locator("main form:has(input[name=password])")
    sign_in.locator("input[name=email]").fill(contact_a.email)
    sign_in.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    sign_in.locator("button[type=submit]").click()
    contact.goto("/portal/feedback/")
    contact.get_by_role("link", name=re.compile("The monthly report")).click()
    expect(contact.locator("#portal-state")).to_have_text("Answered")
    expect(contact.locator("#portal-answer")).to_contain_text("arrives by the 3rd")
    assert "CFO" not in contact.content()
