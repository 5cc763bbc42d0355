"""The advisor in a real browser, end to end: an architect imports an RVTools export,
reads the verdicts with their reasons on the report, overrides one, publishes the report,
and the customer's contact reads it (and downloads its PDF) in the portal."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from workmate.advisor import samples
from workmate.advisor.models import PublishedReport
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_price_table

pytestmark = pytest.mark.browser

REASON = "Runs the licence server; it stays until the new one is bought."


def test_import_verdicts_override_publish_and_the_contact_reads_it(
    page: Page, live_server, architect, assessment, contact_a, contact_b, open_page
):
    make_price_table()
    machines = samples.machines(6)
    machines[1]["powerstate"] = "off"  # a retire candidate, with its reason

    # The architect imports an RVTools export and confirms the preview.
    login(page, live_server, architect.email, DEFAULT_PASSWORD)
    page.goto(f"/advisor/{assessment.pk}/")
    page.locator("#import-form input[name=files]").set_input_files(
        files=[{"name": "RVTools_export_all.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": samples.rvtools_xlsx(machines)}]
    )  # fmt: skip
    page.locator("#import-form button[type=submit]").click()
    page.locator("#confirm-import button").click()
    # Reading, writing and computing run in the worker (at once in tests): allow for a
    # busy machine.
    expect(page.locator("#import-run")).to_contain_text("imported", timeout=30_000)

    # The report: verdicts per R, and each workload with the rules that decided it.
    page.goto(f"/advisor/{assessment.pk}/")
    page.locator("#report-links a", has_text="Report").click()
    expect(page.locator("h1")).to_contain_text("Report: 2026 DC exit, phase 1")
    expect(page.locator("#verdict-counts tr[data-verdict=retire] td.num")).to_have_text("1")
    retired = page.locator("tr[data-workload=vm-00001]")
    expect(retired.locator(".verdict")).to_have_text("Retire")
    expect(retired.locator(".reasons")).to_contain_text("R03-powered-off")
    expect(retired.locator(".reasons")).to_contain_text("Powered off: a retire candidate")
    expect(page.locator("#assumption-region")).to_have_text("ap-northeast-2")
    expect(page.locator("#report-summary svg#chart-verdicts")).to_be_visible()

    # Override one from the report's table, with a reason.
    row = page.locator("tr[data-workload=vm-00002]")
    computed = row.locator(".verdict").inner_text()
    row.get_by_role("link", name="Override").click()
    form = page.locator("#override-form")
    form.locator("select[name=verdict]").select_option("retain")
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("button[type=submit]").first.click()
    expect(page.locator(".messages")).to_contain_text("Override saved.")
    page.goto(f"/advisor/{assessment.pk}/report/")
    row = page.locator("tr[data-workload=vm-00002]")
    expect(row.locator(".verdict")).to_have_text("Retain")
    expect(row).to_contain_text(f"computed: {computed}")
    expect(row.locator(".override-reason")).to_contain_text(REASON)

    # Publish to the customer's portal.
    page.locator("#publish").click()
    expect(page.locator(".messages")).to_contain_text("Version 1 of the report is published")
    published = PublishedReport.objects.get(assessment=assessment)

    # The customer's contact signs in to the portal and reads it.
    contact = open_page()
    contact.goto("/portal/login/")
    sign_in = contact.locator("main form:has(input[name=password])")
    sign_in.locator("input[name=email]").fill(contact_a.email)
    sign_in.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    sign_in.locator("button[type=submit]").click()
    contact.get_by_role("link", name="Reports").click()
    contact.get_by_role("link", name="2026 DC exit, phase 1").click()
    expect(contact.locator("h1")).to_have_text("2026 DC exit, phase 1")
    row = contact.locator("tr[data-workload=vm-00002]")
    expect(row.locator(".override-reason")).to_contain_text(REASON)
    expect(contact.locator("#report-findings")).to_be_visible()
    with contact.expect_download() as download:
        contact.get_by_role("link", name="Download PDF").click()
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    # The table cell wraps the reason over lines.
    assert REASON in " ".join(text.split())

    # Another customer's contact finds nothing of it.
    other = open_page()
    other.goto("/portal/login/")
    sign_in = other.locator("main form:has(input[name=password])")
    sign_in.locator("input[name=email]").fill(contact_b.email)
    sign_in.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    sign_in.locator("button[type=submit]").click()
    other.goto("/portal/reports/")
    expect(other.locator("#portal-reports")).to_contain_text("No reports yet.")
    response = other.goto(f"/portal/reports/{published.pk}/")
    assert response.status == 404
