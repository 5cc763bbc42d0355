"""An Asana export saved through Google Sheets, uploaded on a phone in Korean: the summary
says which lines were skipped and which custom fields were made."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project
from workmate.work.models import CustomField, ImportStatus
from workmate.work.tests.test_transfer_custom_fields import sheets_csv

pytestmark = pytest.mark.browser


def test_upload_a_sheets_export_and_read_the_summary_on_a_phone(page: Page, live_server, alice):
    alice.language = "ko"
    alice.save(update_fields=["language"])
    project = make_project(name="이전 작업", team=alice.teams.first(), owner=alice)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, alice.email, DEFAULT_PASSWORD)

    page.goto(f"/work/projects/{project.pk}/import/")
    form = page.locator("#import-form")
    form.locator("input[name=file]").set_input_files(
        {"name": "sheets.csv", "mimeType": "text/csv", "buffer": sheets_csv()}
    )
    form.locator("button[type=submit]").click()

    summary = page.locator("#import-progress")
    expect(summary.locator(".import-status")).to_have_class(
        f"import-status import-{ImportStatus.DONE}"
    )
    expect(summary.locator(".import-skipped")).to_contain_text(
        "머리글 행 위의 3줄을 건너뛰었습니다"
    )
    expect(summary.locator(".import-fields li")).to_have_count(5)
    expect(summary.locator(".import-fields")).to_contain_text("새 필드 “Priority”(단일 선택)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if os.environ.get("WORKMATE_SCREENSHOTS"):
        page.screenshot(path=os.environ["WORKMATE_SCREENSHOTS"] + "/import.png", full_page=True)
    assert CustomField.objects.filter(project=project).count() == 4
