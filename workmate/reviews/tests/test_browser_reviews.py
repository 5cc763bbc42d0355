"""A review cycle end to end in a real browser: Bob cites three ledger entries in his self
review and asks Dana for feedback; Dana answers; Alice (his lead) assesses and proposes a
level; the executive records the final level in calibration and closes the cycle; Bob sees
his result on the share date, not before."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from workmate.levels.models import LevelChange, PersonLevel
from workmate.reviews import services
from workmate.reviews.models import FeedbackAnswer, SelfReviewItem
from workmate.reviews.reminders import share_due_results
from workmate.reviews.tests.conftest import OPENED, make_entry, seoul
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

L3 = "Individual contributor · L3 Engineer 3"


def test_a_cycle_from_self_review_to_shared_result(
    page: Page, live_server, open_page, ladder, team, alice, bob, dana, boss
):
    PersonLevel.objects.create(person=bob, track_code="IC", number=2)
    for title in ("Migrated the billing DB", "Rotated the VPN keys", "Wrote the DR runbook"):
        make_entry(bob, title=title)
    make_entry(bob, title="Not worth citing")
    traveller = time_machine.travel(OPENED, tick=True)
    traveller.start()
    try:
        cycle = services.do_open_cycle(
            boss,
            name="2026 H2",
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2026, 10, 31),
            teams=[team],
            days=services.CycleDays(5, 5, 5, 3),
            share_on=datetime.date(2026, 12, 7),
        )

        # Bob writes about delivery, picking three entries from his ledger.
        login(page, live_server, bob.email, DEFAULT_PASSWORD)
        page.goto("/reviews/")
        page.locator("#my-reviews").get_by_role("link", name="2026 H2").click()
        page.locator("#competency-delivery").get_by_role(
            "link", name="Write and cite evidence"
        ).click()
        form = page.locator("#narrative-form")
        form.locator("textarea[name=body]").fill("Moved billing off the old cluster.")
        for title in ("Migrated the billing DB", "Rotated the VPN keys", "Wrote the DR runbook"):
            form.get_by_label(re.compile(re.escape(title))).check()
        form.get_by_role("button", name="Save").click()
        section = page.locator("#competency-delivery")
        expect(section).to_contain_text("Moved billing off the old cluster.")
        expect(section.locator(".review-evidence li")).to_have_count(3)
        item = SelfReviewItem.objects.get()
        assert item.entries.count() == 3

        # He asks Dana for feedback.
        ask = page.locator("#ask-form")
        ask.locator("select[name=colleague]").select_option(label="Dana Yoon")
        ask.locator("textarea[name=message]").fill("How did the billing cut-over feel?")
        ask.get_by_role("button", name="Ask for feedback").click()
        expect(page.locator("#feedback-requests")).to_contain_text("Dana Yoon")

        # Dana answers from her list.
        dana_page = open_page()
        login(dana_page, live_server, dana.email, DEFAULT_PASSWORD)
        dana_page.goto("/reviews/")
        dana_page.locator("#feedback-asked").get_by_role("link", name="Bob Lee").click()
        expect(dana_page.locator("#feedback-message")).to_contain_text("billing cut-over")
        answer = dana_page.locator("#answer-form")
        answer.locator("textarea[name=answer_delivery]").fill("Calm, well-announced cut-over.")
        answer.get_by_role("button", name="Send feedback").click()
        expect(dana_page.locator("#feedback-answers")).to_contain_text("Calm, well-announced")
        assert FeedbackAnswer.objects.get().body == "Calm, well-announced cut-over."

        # Alice assesses and proposes L3.
        alice_page = open_page()
        login(alice_page, live_server, alice.email, DEFAULT_PASSWORD)
        participant = cycle.participants.get(person=bob)
        alice_page.goto(f"/reviews/p/{participant.pk}/")
        expect(alice_page.locator("#competency-delivery")).to_contain_text("Calm, well-announced")
        alice_page.locator("#competency-delivery").get_by_role(
            "link", name="Write the assessment"
        ).click()
        form = alice_page.locator("#narrative-form")
        form.locator("textarea[name=body]").fill("Owns delivery end to end.")
        form.get_by_label(re.compile("Migrated the billing DB")).check()
        form.get_by_role("button", name="Save").click()
        propose = alice_page.locator("#propose-form")
        propose.locator("select[name=level]").select_option(label=L3)
        propose.get_by_role("button", name="Propose this level").click()
        expect(alice_page.locator("#review-proposal")).to_contain_text("L3 Engineer 3")

        # Calibration: the executive reads the team and records the final level.
        boss_page = open_page()
        login(boss_page, live_server, boss.email, DEFAULT_PASSWORD)
        boss_page.goto(f"/reviews/cycles/{cycle.pk}/")
        boss_page.locator("#calibration-teams").get_by_role("link").click()
        card = boss_page.locator(f"#calibrate-{participant.pk}")
        expect(card).to_contain_text("Proposed: L3 Engineer 3")
        expect(card).to_contain_text("Moved billing off the old cluster.")
        expect(card).to_contain_text("Wrote the DR runbook")
        card.locator("select[name$=level]").select_option(label=L3)
        card.locator("textarea[name$=reason]").fill("Consistent with the other teams' L3s.")
        card.get_by_role("button", name="Record the final level").click()
        expect(boss_page.locator(f"#calibrate-{participant.pk}")).to_contain_text(
            "Final level: L3 Engineer 3"
        )
        boss_page.goto(f"/reviews/cycles/{cycle.pk}/")
        boss_page.get_by_role("button", name="Close the cycle").click()
        expect(boss_page.locator("h1 + p")).to_contain_text("Closed")

        # Before the share date Bob sees when, not what.
        page.goto(f"/reviews/p/{participant.pk}/")
        expect(page.locator("#review-result")).to_contain_text("shared with you on")
        expect(page.locator("body")).not_to_contain_text("Consistent with the other teams")
    finally:
        traveller.stop()

    with time_machine.travel(seoul(2026, 12, 7, 9, 30), tick=True):
        share_due_results()
        login(page, live_server, bob.email, DEFAULT_PASSWORD)
        page.goto(f"/reviews/p/{participant.pk}/")
        result = page.locator("#review-result")
        expect(result).to_contain_text("Final level: L3 Engineer 3")
        expect(result).to_contain_text("Consistent with the other teams' L3s.")
        expect(page.locator("#competency-delivery")).to_contain_text("Calm, well-announced")
        expect(page.locator("#competency-delivery")).to_contain_text("Owns delivery end to end.")
    change = LevelChange.objects.get(person=bob)
    assert (change.previous_number, change.number) == (2, 3)
    assert change.source_ref == f"reviews.cycle:{cycle.pk}"


LONG = ("2026_하반기_리뷰_사이클_최종본-" * 20)[:300]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_review_and_pay_pages_fit_a_phone(
    page: Page, live_server, ladder, team, alice, bob, dana, boss, payer, scale, language
):
    """Every reviews page at 390 px, with the longest text a person can type."""
    from workmate.accounts.models import User
    from workmate.reviews.models import Salary
    from workmate.tests.test_browser_phone_width import HEIGHT, WIDTH, too_wide

    User.objects.update(language=language)
    for n in range(3):
        make_entry(bob, title=LONG[: 200 - n])
    with time_machine.travel(OPENED, tick=False):
        cycle = services.do_open_cycle(
            boss,
            name=LONG[:120],
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2026, 10, 31),
            teams=[team],
            days=services.CycleDays(5, 5, 5, 3),
            share_on=datetime.date(2026, 12, 7),
        )
        participant = cycle.participants.get(person=bob)
        entries = list(bob.ledger_entries.values_list("pk", flat=True))
        services.do_save_self_review(
            bob, participant, competency="delivery", body=LONG, entry_ids=entries
        )
        asked = services.do_request_feedback(bob, participant, colleague=dana, message=LONG)
        services.do_answer_feedback(dana, asked, [services.AnswerIn("delivery", LONG, True)])
        services.do_save_assessment(
            alice, participant, competency="delivery", body=LONG, entry_ids=entries
        )
    Salary.objects.create(
        person=bob,
        amount=123_456_789_000,
        track_code="IC",
        number=2,
        step=3,
        effective_from=datetime.date(2026, 1, 1),
        status="approved",
        reason=LONG,
    )
    p = participant.pk
    pages = {
        bob: [
            "/reviews/",
            f"/reviews/p/{p}/",
            f"/reviews/p/{p}/self/collaboration/",
            "/reviews/pay/",
            "/reviews/pay/me/",
        ],
        alice: [
            f"/reviews/cycles/{cycle.pk}/",
            f"/reviews/p/{p}/",
            f"/reviews/p/{p}/assess/delivery/",
            f"/reviews/feedback/{asked.pk}/",
            f"/reviews/cycles/{cycle.pk}/calibration/TE/",
        ],
        boss: ["/reviews/cycles/new/", "/reviews/pay/audit/", f"/reviews/pay/people/{bob.pk}/"],
        payer: ["/reviews/pay/people/"],
    }
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    failures = []
    with time_machine.travel(seoul(2026, 11, 4, 10), tick=True):
        for person, urls in pages.items():
            page.context.clear_cookies()
            login(page, live_server, person.email, DEFAULT_PASSWORD)
            for url in urls:
                wide = too_wide(page, url)
                if wide:
                    failures.append(f"{url} as {person}: {wide}")
    assert not failures, "\n".join(failures)
