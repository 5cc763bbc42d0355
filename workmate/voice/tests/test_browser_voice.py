"""The proposal board in a real browser: post anonymously, vote "me too" as someone else,
answer as a lead, and read the answer as the author — whose name no other page shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from workmate.inbox.models import Notification
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD
from workmate.voice import services
from workmate.voice.models import Answer, Proposal, ProposalStatus, Vote

pytestmark = pytest.mark.browser

TITLE = "Expense forms need three signatures"
ANSWER = "We are collecting how long sign-off takes in each team."
COST = "About two hours every month"


def assert_no_bob(html: str) -> None:
    for hidden in ("Bob Lee", "bob@example.com", "Bob"):
        assert hidden not in html


def test_anonymous_proposal_is_voted_answered_and_read_by_its_author(
    page: Page, live_server, alice, bob, charlie, open_page
):
    # Bob posts anonymously through the form.
    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto("/voice/new/")
    form = page.locator("#proposal-form")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=problem]").fill("Every expense waits a week for signatures.")
    form.locator("textarea[name=suggestion]").fill("One signature below 100,000 won.")
    form.locator("select[name=area]").select_option("process")
    form.locator("input[name=anonymous]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".voice-author")).to_have_text("Anonymous")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.is_anonymous
    assert proposal.author is None
    assert proposal.is_by(bob)

    # Charlie (in no team: any signed-in person may vote) finds it on the board and says
    # "me too" with what it costs.
    seen: list[str] = []
    charlie_page = open_page()
    login(charlie_page, live_server, charlie.email, DEFAULT_PASSWORD)
    charlie_page.goto("/voice/")
    seen.append(charlie_page.content())
    charlie_page.get_by_role("link", name=TITLE).click()
    expect(charlie_page).to_have_url(re.compile(rf"/voice/{proposal.pk}/$"))
    seen.append(charlie_page.content())
    vote_form = charlie_page.locator("#vote-form")
    vote_form.locator("input[name=comment]").fill(COST)
    vote_form.get_by_role("button", name="Me too").click()
    votes = charlie_page.locator("#proposal-votes")
    expect(votes.locator("h2")).to_have_text("1 vote")
    expect(votes).to_contain_text(f"Charlie Park: {COST}")
    seen.append(charlie_page.content())
    vote = Vote.objects.get(proposal=proposal)
    assert (vote.user, vote.comment) == (charlie, COST)

    # Alice, a lead, answers on the proposal page: under review, with a written answer.
    alice_page = open_page()
    login(alice_page, live_server, alice.email, DEFAULT_PASSWORD)
    alice_page.goto(f"/voice/{proposal.pk}/")
    seen.append(alice_page.content())
    controls = alice_page.locator("#lead-controls")
    answer_form = controls.locator("form[action$='/answer/']")
    answer_form.locator("select[name=to_status]").select_option("under_review")
    answer_form.locator("textarea[name=answer]").fill(ANSWER)
    answer_form.get_by_role("button", name="Publish answer").click()
    expect(controls.locator(".messages")).to_contain_text("Answer published.")
    seen.append(alice_page.content())
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNDER_REVIEW
    assert proposal.first_answer_at is not None
    answer = Answer.objects.get(proposal=proposal)
    assert (answer.lead, answer.to_status, answer.body) == (alice, "under_review", ANSWER)
    alice_page.reload()
    expect(alice_page.locator(".voice-answers")).to_contain_text(ANSWER)
    expect(alice_page.locator(".voice-meta .voice-status")).to_have_text("Under review")
    seen.append(alice_page.content())
    charlie_page.reload()
    expect(charlie_page.locator(".voice-answers")).to_contain_text(ANSWER)
    seen.append(charlie_page.content())

    # Bob finds the answer on his proposal under "My proposals".
    page.goto("/voice/")
    page.locator("nav.work-nav").get_by_role("link", name="My proposals").click()
    expect(page).to_have_url(re.compile(r"/voice/mine/$"))
    mine = page.locator(f".voice-mine li[data-proposal='{proposal.pk}']")
    expect(mine).to_contain_text(TITLE)
    expect(mine.locator(".voice-status")).to_have_text("Under review")
    expect(mine.locator(".badge", has_text="Anonymous")).to_be_visible()
    expect(mine.locator(".voice-latest-answer")).to_contain_text(ANSWER)
    expect(mine.locator(".voice-latest-answer")).to_contain_text("Alice Kim")
    mine.get_by_role("link", name=TITLE).click()
    expect(page.locator(".voice-answers")).to_contain_text(ANSWER)
    expect(page.locator(".badge", has_text="Yours")).to_be_visible()

    # Nowhere on the pages Charlie or Alice saw does Bob's name or address appear.
    assert len(seen) == 7
    for html in seen:
        assert TITLE in html
        assert_no_bob(html)


def test_reply_opens_under_its_comment_and_joins_the_thread(
    page: Page, live_server, alice, bob, charlie
):
    proposal = services.do_post_proposal(bob, title=TITLE, problem="Slow.", area="process")
    top = services.do_comment(alice, proposal, "Which forms exactly?")
    other = services.do_comment(alice, proposal, "A second thread.")

    login(page, live_server, charlie.email, DEFAULT_PASSWORD)
    page.goto(f"/voice/{proposal.pk}/")
    thread = page.locator(f"#thread-{top.pk}")
    thread.get_by_role("link", name="Reply").click()
    # htmx puts the form under the comment without leaving the page.
    expect(page).to_have_url(re.compile(rf"/voice/{proposal.pk}/$"))
    thread.get_by_label("Your reply").fill("Travel expenses.")
    thread.get_by_role("button", name="Reply").click()
    expect(thread.locator(".voice-replies")).to_contain_text("Travel expenses.")
    expect(thread.locator(".voice-replies")).to_contain_text("Charlie Park")
    expect(thread.locator("textarea")).to_have_count(0)
    expect(page.locator(f"#thread-{other.pk} .voice-replies")).to_have_count(0)

    reply = top.replies.get()
    assert (reply.author, reply.body) == (charlie, "Travel expenses.")
    notification = Notification.objects.get()
    assert (notification.recipient, notification.actor) == (alice, charlie)
