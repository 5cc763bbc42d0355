"""The public-holiday calendar in a real browser, in Korean on a phone: countries by name,
"none" saves, and the error pages keep the site's look."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from workmate.accounts.models import WorkProfile
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def test_korean_reader_picks_no_public_holidays_on_a_phone(page: Page, live_server, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, bob.email, DEFAULT_PASSWORD)

    page.goto("/me/")
    holidays = page.locator("select[name=holiday_country]")
    expect(holidays.locator("option:checked")).to_have_text("대한민국")
    expect(holidays.locator("option[value=DE]")).to_have_text("독일")
    holidays.select_option("")
    page.get_by_role("button", name="프로필 저장").click()

    expect(page.locator(".messages")).to_be_visible()
    assert WorkProfile.objects.get(user=bob).holiday_country == ""
    expect(page.locator("select[name=holiday_country] option:checked")).to_have_text("공휴일 없음")

    # A page that does not exist: the site's header, Korean, and the way home.
    page.goto("/work/tasks/999999/")
    expect(page.locator("h1")).to_have_text("페이지를 찾을 수 없습니다")
    page.get_by_role("link", name="홈으로 가기").click()
    expect(page).to_have_url(f"{live_server.url}/")
