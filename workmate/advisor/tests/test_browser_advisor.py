"""The architect's sitting in a real browser, in Korean: a new assessment, an RVTools
export read into a preview and imported, verdicts with their reasons, an override with a
reason, and a what-if change that keeps it."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from workmate.advisor import prices, samples
from workmate.advisor.models import Assessment, Workload
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

MACHINES = [
    {
        "vm_name": "core-bank-01",
        "vcenter": "vc1",
        "powerstate": "on",
        "cpus": 8,
        "memory_mib": 32768,
        "in_use_mib": 204800,
        "os": "Red Hat Enterprise Linux 8 (64-bit)",
    },
    {
        "vm_name": "old-batch",
        "vcenter": "vc1",
        "powerstate": "off",
        "cpus": 2,
        "memory_mib": 4096,
        "in_use_mib": 20480,
        "os": "CentOS 7 (64-bit)",
    },
    {
        "vm_name": "tpl-win",
        "vcenter": "vc1",
        "powerstate": "off",
        "is_template": True,
        "cpus": 2,
        "memory_mib": 4096,
        "in_use_mib": 20480,
        "os": "Microsoft Windows Server 2019 (64-bit)",
    },
]


def shot(page: Page, name: str) -> None:
    if folder := os.environ.get("ADVISOR_SCREENSHOTS"):
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_import_see_verdicts_override_and_what_if(
    page: Page, live_server, architect, customer_a, tmp_path
):
    prices.load_snapshot()
    architect.language = "ko"
    architect.save()
    login(page, live_server, architect.email, DEFAULT_PASSWORD)

    page.goto("/advisor/")
    page.locator("#new-assessment").click()
    form = page.locator("#new-assessment-form")
    form.locator("select[name=customer]").select_option(str(customer_a.pk))
    form.locator("input[name=name]").fill("2026 DC 이전 1단계")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("2026 DC 이전 1단계")
    assessment = Assessment.objects.get()

    xlsx = tmp_path / "RVTools_export.xlsx"
    xlsx.write_bytes(samples.rvtools_xlsx(MACHINES))
    page.locator("#import-form input[type=file]").set_input_files(str(xlsx))
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-run")).to_contain_text("VM 3개를 읽습니다")
    expect(page.locator("#import-run")).to_contain_text("core-bank-01")
    shot(page, "ko-preview")
    page.locator("#confirm-import button").click()
    expect(page.locator("#import-run")).to_contain_text("신규 3개")
    page.get_by_role("link", name="판정 보기").click()

    table = page.locator("#workload-list")
    expect(table).to_contain_text("core-bank-01")
    expect(table).to_contain_text("R03-powered-off")
    expect(
        table.locator("#workload-" + str(Workload.objects.get(vm_name="tpl-win").pk))
    ).to_contain_text("제외")
    shot(page, "ko-assessment")

    page.get_by_role("link", name="core-bank-01").click()
    expect(page.locator("#result")).to_contain_text("R08-rehost")
    expect(page.locator("#result")).to_contain_text("리프트 앤 시프트")
    override = page.locator("#override-form")
    override.locator("select[name=verdict]").select_option("replatform")
    override.locator("textarea[name=reason]").fill("Oracle 라이선스 때문에 RDS로 옮깁니다")
    override.locator("button[type=submit]").first.click()
    expect(page.locator("#result")).to_contain_text("Oracle 라이선스 때문에 RDS로 옮깁니다")
    shot(page, "ko-workload")
    bank = Workload.objects.get(vm_name="core-bank-01")
    assert (bank.verdict, bank.override_verdict) == ("rehost", "replatform")

    page.goto(assessment.get_absolute_url())
    settings = page.locator("#settings-form")
    settings.locator("input[name=comfort_factor]").fill("1.5")
    settings.locator("select[name=pricing_model]").select_option("reserved_1y")
    settings.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/advisor/{assessment.pk}/$"))
    bank.refresh_from_db()
    assert bank.override_verdict == "replatform"
    assessment.refresh_from_db()
    assert str(assessment.comfort_factor) == "1.50"
    expect(page.locator("#timeline")).to_contain_text("재지정")
