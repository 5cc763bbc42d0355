"""The brag document in a real browser: Bob finds the work he did in his ledger, stars what
matters, files one entry under another competency with an impact line, hides noise, adds
glue work that Dave confirms from his inbox, then reads, prints and downloads his brag
document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from workmate.levels.ladder_seed import seed_msp_ladder
from workmate.levels.models import ConfirmationState, EntryKind, GlueConfirmation, LedgerEntry
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_project,
    make_task,
    make_user,
)
from workmate.work import services as work

pytestmark = pytest.mark.browser


@pytest.fixture
def work_done(team, alice, bob):
    seed_msp_ladder()
    dave = make_user(email="dave@example.com", full_name="Dave Jung")
    add_member(team, dave)
    project = make_project(team=team, owner=alice, name="Hanbit migration")
    for title in ("Cut over the billing database", "Rename a label", "Write the rollback plan"):
        work.do_complete_task(bob, make_task(project=project, assignee=bob, title=title))
    return dave


def _entry(page: Page, title: str):
    return page.locator("li.ledger-entry", has_text=title)


def test_bob_curates_his_ledger_into_a_brag_document(
    page: Page, live_server, open_page, work_done, bob
):
    dave = work_done
    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto("/")
    page.locator("#site-nav").get_by_role("link", name="Levels").click()
    page.locator("nav.work-nav").get_by_role("link", name="My ledger").click()
    expect(page).to_have_url(re.compile(r"/levels/ledger/$"))
    expect(page.locator("#ledger-counts")).to_contain_text("Task completed")

    # Star two entries (htmx swaps the row in place), hide the noise.
    _entry(page, "Cut over the billing database").get_by_role("button", name="Star").click()
    expect(_entry(page, "Cut over the billing database").locator(".ledger-star")).to_be_visible()
    _entry(page, "Write the rollback plan").get_by_role("button", name="Star").click()
    expect(_entry(page, "Write the rollback plan").locator(".ledger-star")).to_be_visible()
    _entry(page, "Rename a label").get_by_role("button", name="Hide as noise").click()
    expect(_entry(page, "Rename a label")).to_have_class(re.compile("is-hidden"))

    # File the rollback plan under ownership, with the impact it had.
    rollback = _entry(page, "Write the rollback plan")
    rollback.locator("summary").click()
    rollback.locator("select[name=competency]").select_option("ownership")
    rollback.locator("input[name=impact]").fill("Let the bank approve the cut-over in one meeting")
    rollback.get_by_role("button", name="Save").click()
    expect(_entry(page, "Write the rollback plan")).to_contain_text(
        "Let the bank approve the cut-over in one meeting"
    )
    entry = LedgerEntry.objects.get(title="Write the rollback plan")
    assert (entry.competency, entry.starred, entry.competency_chosen) == ("ownership", True, True)

    # Glue work, confirmed by Dave from his inbox.
    page.get_by_role("link", name="Add glue work").first.click()
    form = page.locator("#glue-form")
    form.locator("input[name=title]").fill("Night incident call for Hanbit")
    form.locator("textarea[name=description]").fill(
        "Joined at 2 am and found the expired certificate."
    )
    form.locator("select[name=competency]").select_option("customer_impact")
    form.locator("select[name=colleague]").select_option(str(dave.pk))
    form.get_by_role("button", name="Add to my ledger").click()
    expect(page.locator("#ledger")).to_contain_text("waiting for Dave Jung to confirm")
    glue = LedgerEntry.objects.get(kind=EntryKind.GLUE)
    _entry(page, "Night incident call for Hanbit").get_by_role("button", name="Star").click()
    expect(_entry(page, "Night incident call for Hanbit").locator(".ledger-star")).to_be_visible()

    other = open_page()
    login(other, live_server, dave.email, DEFAULT_PASSWORD)
    other.goto("/inbox/")
    other.get_by_role("link", name=re.compile("Bob Lee asks you to confirm")).first.click()
    expect(other.locator("#glue-to-confirm")).to_contain_text("expired certificate")
    other.get_by_role("button", name="Confirm", exact=True).click()
    expect(other).to_have_url(re.compile(r"/levels/confirmations/$"))
    confirmation = GlueConfirmation.objects.get(entry=glue)
    assert confirmation.state == ConfirmationState.CONFIRMED

    page.reload()
    expect(_entry(page, "Night incident call for Hanbit")).to_contain_text("confirmed by Dave Jung")

    # The brag document: starred entries by competency, the impact line, no noise.
    page.locator("nav.work-nav").get_by_role("link", name="Brag document").click()
    groups = page.locator("section.brag-group h2")
    expect(groups).to_have_text(["Customer impact", "Delivery", "Ownership"])
    expect(page.locator("#brag-ownership")).to_contain_text(
        "Let the bank approve the cut-over in one meeting"
    )
    expect(page.locator("main")).not_to_contain_text("Rename a label")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Markdown").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# Brag document: Bob Lee")
    assert "## Ownership" in text and "Rename a label" not in text

    page.get_by_role("link", name="Printable page").click()
    expect(page.locator("h1")).to_have_text("Brag document: Bob Lee")
    expect(page.locator("main")).to_contain_text("Night incident call for Hanbit")
    expect(page.locator("#site-nav")).to_have_count(0)
