"""The library in Chromium: a page is written, a colleague edits it at the same time and
is refused with their text kept, merges by hand and saves; the library's pages fit a
390 px phone in Korean and English."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from workmate.accounts.models import User
from workmate.library import services
from workmate.library.models import SpaceKind
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
LONG = ("배포_체크리스트_최종본_v2-" * 20)[:200]


def test_concurrent_edit_is_refused_keeping_the_colleagues_text(
    page: Page, open_page, live_server, team, alice, bob
):
    User.objects.filter(pk__in=[alice.pk, bob.pk]).update(language="ko")
    services.do_create_space(alice, name="TE 런북", key="TE", kind=SpaceKind.TEAM, team=team)
    login(page, live_server, alice.email, DEFAULT_PASSWORD)

    # Alice writes a page through the form.
    page.goto(f"{live_server.url}/library/s/TE/")
    page.get_by_role("link", name="새 문서").click()
    page.locator("#id_title").fill("배포 절차")
    page.locator("#id_body").fill("# 준비\n\n- 변경 요청 확인\n\n# 배포\n\n1. 카나리 배포\n")
    page.locator("#id_summary").fill("처음 작성")
    page.locator("#page-form button[type=submit]").click()
    expect(page.locator(".library-head h1")).to_have_text("배포 절차")
    expect(page.locator(".page-outline")).to_contain_text("준비")
    page_url = page.url

    # Both open the editor on revision 1.
    colleague = open_page()
    login(colleague, live_server, bob.email, DEFAULT_PASSWORD)
    colleague.goto(page_url)
    colleague.get_by_role("link", name="편집", exact=True).click()
    page.get_by_role("link", name="편집", exact=True).click()

    # Alice saves first.
    page.locator("#id_body").fill(
        "# 준비\n\n- 변경 요청 확인\n- 고객 공지\n\n# 배포\n\n1. 카나리 배포\n"
    )
    page.locator("#id_summary").fill("고객 공지 추가")
    page.locator("#page-form button[type=submit]").click()
    expect(page.locator(".library-head h1")).to_have_text("배포 절차")

    # Bob saves from the old revision: refused, his text kept, Alice's change shown.
    bobs_text = "# 준비\n\n- 변경 요청 확인\n\n# 배포\n\n1. 카나리 배포\n2. 오류율 확인\n"
    colleague.locator("#id_body").fill(bobs_text)
    colleague.locator("#id_summary").fill("오류율 확인 단계")
    colleague.locator("#page-form button[type=submit]").click()
    expect(colleague.locator(".form-errors")).to_contain_text("Alice Kim")
    expect(colleague.locator("#conflict")).to_contain_text("고객 공지")
    expect(colleague.locator("#conflict ins").first).to_have_text("- 고객 공지")
    assert colleague.locator("#id_body").input_value() == bobs_text
    assert colleague.locator("#id_summary").input_value() == "오류율 확인 단계"

    # He merges by hand and saves: both changes are on the page.
    colleague.locator("#id_body").fill(
        "# 준비\n\n- 변경 요청 확인\n- 고객 공지\n\n# 배포\n\n1. 카나리 배포\n2. 오류율 확인\n"
    )
    colleague.locator("#page-form button[type=submit]").click()
    expect(colleague.locator(".page-body")).to_contain_text("고객 공지")
    expect(colleague.locator(".page-body")).to_contain_text("오류율 확인")
    expect(colleague.locator("#trust")).to_contain_text("검토 필요")

    # The history compares any two revisions.
    colleague.get_by_role("link", name="변경 기록").click()
    colleague.get_by_role("button", name="비교").click()
    expect(colleague.locator("table.diff")).to_contain_text("오류율 확인")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_library_pages_fit_a_phone(page: Page, live_server, team, alice, bob, language):
    User.objects.filter(pk__in=[alice.pk, bob.pk]).update(language=language)
    alice.refresh_from_db()
    bob.refresh_from_db()
    space = services.do_create_space(
        alice, name=LONG[:100], key="TE", kind=SpaceKind.TEAM, team=team
    )
    body = f"# {LONG}\n\n{LONG}\n\n| a | b |\n|---|---|\n| {LONG} | x |\n\n```\n{LONG}\n```\n"
    parent = services.do_create_page(alice, space, title=LONG, body=body, tags=[LONG[:50]])
    child = services.do_create_page(alice, space, title=LONG[::-1], body=body, parent=parent)
    services.do_create_page(alice, space, title="짧은 제목", body="x", parent=parent)
    services.do_save_page(bob, child, base_number=1, title=child.title, body=body + LONG)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    login(page, live_server, alice.email, DEFAULT_PASSWORD)

    wide = {}
    for url in [
        "/library/",
        "/library/new/",
        f"/library/s/{space.key}/",
        f"/library/s/{space.key}/?state=needs_review",
        f"/library/s/{space.key}/settings/",
        f"/library/s/{space.key}/new/",
        f"/library/pages/{child.pk}/",
        f"/library/pages/{child.pk}/edit/",
        f"/library/pages/{child.pk}/history/",
        f"/library/pages/{child.pk}/diff/?from=1&to=2",
        f"/library/pages/{child.pk}/diff/?from=1&to=2&view=inline",
        f"/library/pages/{child.pk}/revisions/1/",
        f"/library/pages/{child.pk}/move/",
        f"/library/pages/{child.pk}/settings/",
    ]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        if folder := os.environ.get("PHONE_SCREENSHOTS"):
            name = re.sub(r"[^a-z0-9]+", "-", url).strip("-")
            page.screenshot(path=Path(folder) / f"{language}-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[url] = width
    assert wide == {}
