"""The quick search in a real browser, by keyboard only: "/" focuses the box, results come
as one types, the arrows walk them, Enter opens one; Enter with none picked opens the
results page. In Korean, at phone width too (the list fits the screen)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project, make_task
from workmate.work.models import Visibility

pytestmark = pytest.mark.browser


def test_quick_search_with_the_keyboard(page: Page, live_server, alice, team, tmp_path):
    alice.language = "ko"
    alice.save()
    project = make_project(owner=alice, team=team, visibility=Visibility.ORG)
    first = make_task(project=project, title="배포 서버 점검")
    second = make_task(project=project, title="웹서버를 배포하기")
    make_task(project=project, title="회의록 정리")
    secret = make_project(owner=team.members.exclude(pk=alice.pk).first() or alice, team=team)
    del secret

    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto("/")
    box = page.locator("#quick-search-q")
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("서버")
    options = page.locator("#quick-search-results [role=option]")
    expect(page.locator("#quick-search-results .quick-search-hit")).to_have_count(2)
    expect(page.locator("#quick-search-results mark").first).to_have_text("서버")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=str(tmp_path / "quick.png"))
    page.keyboard.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    chosen = options.nth(1).get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(chosen) + "$"))
    assert chosen in {first.get_absolute_url(), second.get_absolute_url()}

    # Enter with nothing picked: the full results page, grouped, in Korean.
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("배포 status:open")
    expect(page.locator("#quick-search-results .quick-search-hit")).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.locator("#quick-search-results [role=option]")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.locator("h1")).to_have_text("검색")
    expect(page.locator(".search-hit")).to_have_count(2)

    # At phone width nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/search/?q=서버")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
