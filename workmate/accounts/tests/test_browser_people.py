"""People pages in a real browser: log in, switch language, plan a workation, find it listed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from workmate.accounts.management.commands.seed_demo import DEMO_PASSWORD
from workmate.accounts.models import User, WorkMode
from workmate.testing.browser import login

pytestmark = pytest.mark.browser

TE_LEAD = "minjun.kim@workmate.example"


@pytest.fixture
def demo_people(transactional_db) -> None:
    call_command("seed_demo", stdout=io.StringIO())


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def test_lead_switches_language_and_plans_a_workation(page: Page, live_server, demo_people):
    lead = User.objects.get(email=TE_LEAD)
    assert lead.language == "ko"
    login(page, live_server, TE_LEAD, DEMO_PASSWORD)
    html = page.locator("html")
    people_link = page.locator("#site-nav a[href='/people/']")
    expect(html).to_have_attribute("lang", "ko")

    page.locator(".lang-switch button[value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(people_link).to_have_text("People")
    expect(page.locator(".lang-switch button[value=en]")).to_have_attribute("aria-pressed", "true")

    page.locator(".lang-switch button[value=ko]").click()
    expect(html).to_have_attribute("lang", "ko")
    # Until the Korean catalog is compiled this is "People" again; then it is Korean.
    expect(people_link).to_have_text(translated("ko", "People"))
    lead.refresh_from_db()
    assert lead.language == "ko"

    page.goto("/me/")
    form = page.locator("#work-mode-form")
    today = lead.profile.local_now().date()
    expect(form.locator("input[name=date]")).to_have_value(today.isoformat())
    form.locator("select[name=mode]").select_option(WorkMode.WORKATION)
    form.locator("input[name=place]").fill("Jeju")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(translated("ko", "Work mode saved."))
    entry = lead.work_modes.get(date=today)
    assert (entry.mode, entry.place) == (WorkMode.WORKATION, "Jeju")

    page.goto("/people/")
    row = page.locator(f"tr[data-person='{TE_LEAD}']")
    expect(row.locator(".mode")).to_have_class("mode mode-workation")
    with translation.override("ko"):
        workation = str(WorkMode.WORKATION.label)
    expect(row.locator(".mode")).to_have_text(workation)
    expect(row).to_contain_text("Jeju")
    # Everyone seeded is listed on the one page: the lead's own row is not the only one.
    expect(page.locator("tr[data-person]")).to_have_count(
        User.objects.filter(is_active=True).count()
    )


def test_phone_menu_opens_from_the_keyboard(page: Page, live_server, demo_people):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, TE_LEAD, DEMO_PASSWORD)
    toggle = page.locator("button.nav-toggle")
    nav = page.locator("#site-nav")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    toggle.focus()
    page.keyboard.press("Enter")

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    nav.locator("a[href='/people/']").click()
    expect(page).to_have_url(f"{live_server.url}/people/")
