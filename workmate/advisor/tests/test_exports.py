"""The report as files: the PDF holds its Korean text (read back with pypdf), the CSV has
the fixed English header and every workload (excluded ones too), the XLSX holds the same
rows beside a summary and the findings."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from workmate.advisor import exports, publishing
from workmate.advisor.models import Readiness, Verdict
from workmate.advisor.tests.helpers_report import computed

pytestmark = pytest.mark.django_db


@pytest.fixture
def korean_inventory(assessment):
    assessment.customer.name = "한빛은행"
    assessment.customer.save(update_fields=["name"])
    assessment.name = "2026 데이터센터 이전 1단계"
    assessment.save(update_fields=["name"])
    computed(assessment, "결제-서버-01", findings=[{"id": "F-FIN-KOREA"}])
    computed(
        assessment,
        "=cmd|calc",
        verdict=Verdict.RETIRE,
        override_verdict=Verdict.REHOST,
        override_reason="고객 요청으로 이전합니다",
    )
    computed(assessment, "tmpl-golden", readiness=Readiness.EXCLUDED, is_template=True, verdict="")
    return assessment


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_in_korean_has_the_korean_text(korean_inventory):
    with translation.override("ko"):
        text = pdf_text(exports.render_pdf(publishing.snapshot(korean_inventory)))
    assert "2026 데이터센터 이전 1단계" in text
    assert "한빛은행" in text
    assert "결제-서버-01" in text
    assert "고객 요청으로 이전합니다" in text
    # The report's own words are Korean too (the catalogue's translations).
    assert "요약" in text
    assert "가정" in text
    assert "730" in text


def test_pdf_download_is_an_attachment_for_colleagues_and_not_for_the_signed_out(
    client, architect, charlie, korean_inventory
):
    client.force_login(architect)
    response = client.get(f"/advisor/{korean_inventory.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "결제-서버-01" in pdf_text(response.content)
    client.force_login(charlie)  # any colleague reads it
    assert client.get(f"/advisor/{korean_inventory.pk}/report.pdf").status_code == 200
    client.logout()
    response = client.get(f"/advisor/{korean_inventory.pk}/report.pdf")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_csv_has_the_fixed_header_and_every_workload(client, architect, korean_inventory):
    client.force_login(architect)
    response = client.get(f"/advisor/{korean_inventory.pk}/report.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "vm_name", "readiness", "verdict", "instance_type", "region",
        "monthly_compute_usd", "monthly_storage_usd", "confidence", "rules", "findings",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"결제-서버-01", "'=cmd|calc", "tmpl-golden"}
    assert by_name["결제-서버-01"][1:] == [
        "ready", "rehost", "m7i.large", "ap-northeast-2",
        "90.00", "1.83", "high", "R08-rehost", "F-FIN-KOREA",
    ]  # fmt: skip
    # The override is what the export says (the chosen verdict).
    assert by_name["'=cmd|calc"][2] == "rehost"
    assert by_name["tmpl-golden"][1:3] == ["excluded", ""]


def test_xlsx_holds_summary_findings_and_workloads(client, architect, korean_inventory):
    client.force_login(architect)
    response = client.get(f"/advisor/{korean_inventory.pk}/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Summary", "Findings", "Workloads"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Customer"] == "한빛은행"
    assert summary["Hours per month"] == 730
    assert summary["Monthly cost on demand (USD)"] == pytest.approx(float(Decimal("183.66")))
    workloads = list(book["Workloads"].iter_rows(values_only=True))
    assert workloads[0][0] == "vm_name"
    names = [row[0] for row in workloads[1:]]
    # A cell that a spreadsheet would run as a formula is text.
    assert "'=cmd|calc" in names
    assert "결제-서버-01" in names
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert findings[1][2] == "결제-서버-01"


def test_pdf_stops_at_its_row_limit_and_says_where_the_rest_is(korean_inventory, monkeypatch):
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 1)
    text = pdf_text(exports.render_pdf(publishing.snapshot(korean_inventory)))
    assert "1 more workload is in the CSV and XLSX files." in " ".join(text.split())
    # The second row by name is left out of the table (its name stays under its finding).
    assert text.count("결제-서버-01") == 1
    assert "=cmd|calc" in text


def test_the_architects_pdf_reads_only_the_rows_it_lists(
    client, architect, korean_inventory, monkeypatch
):
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 1)
    client.force_login(architect)
    response = client.get(f"/advisor/{korean_inventory.pk}/report.pdf")
    text = " ".join(pdf_text(response.content).split())
    assert "1 more workload is in the CSV and XLSX files." in text
    assert "=cmd|calc" in text
