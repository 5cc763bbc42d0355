"""The report as files: PDF (Korean text embedded, workmate/lib/pdf.py), CSV (the header of
issue 14 point 10, one row per workload including excluded ones) and XLSX (a Summary
sheet, a Findings sheet and the CSV's Workloads sheet).

Every writer takes the report's data (`publishing.snapshot`, or a published snapshot),
so the architect's download and the customer's portal download are made the same way.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workmate.advisor import report
from workmate.advisor.models import Assessment
from workmate.lib import csvexport
from workmate.lib.pdf import FONT_FAMILY, html_to_pdf

# The PDF lists at most this many workloads (WeasyPrint lays out ~500 rows a second); the
# CSV and XLSX always hold every one, and the PDF says so when it stops.
PDF_MAX_ROWS = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(assessment_or_data: Assessment | dict[str, Any]) -> str:
    if isinstance(assessment_or_data, Assessment):
        name, pk = assessment_or_data.name, assessment_or_data.pk
    else:
        name, pk = assessment_or_data["assessment"]["name"], assessment_or_data["assessment"]["id"]
    return f"assessment-{pk}-{slugify(name, allow_unicode=True) or 'report'}"


def _attachment(content: bytes | str, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # RFC 6266/5987: the Korean name for browsers that read it, an ASCII one for the rest.
    ascii_name = name.encode("ascii", "ignore").decode() or "report"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def render_pdf(data: dict[str, Any]) -> bytes:
    """The report's PDF in the active language."""
    rows = data.get("rows", [])
    context = {
        "report": report.present(data),
        "rows": [report.present_row(row) for row in rows[:PDF_MAX_ROWS]],
        "rows_left_out": max(0, len(rows) - PDF_MAX_ROWS),
        "font_family": FONT_FAMILY,
        "LANGUAGE_CODE": get_language(),
    }
    return html_to_pdf(render_to_string("advisor/report/pdf.html", context))


def pdf_response(data: dict[str, Any]) -> HttpResponse:
    return _attachment(render_pdf(data), f"{filename(data)}.pdf", "application/pdf")


def live_csv_rows(assessment: Assessment) -> list[list[str]]:
    return [report.csv_row(w) for w in assessment.workloads.order_by("vm_name", "vcenter", "pk")]


def render_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csvexport.writer(out)
    writer.writerow(report.CSV_HEADER)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def csv_response(rows: list[list[str]], name: str) -> HttpResponse:
    # A BOM so that Excel opens the Korean names as UTF-8.
    return _attachment("\ufeff" + render_csv(rows), f"{name}.csv", "text/csv; charset=utf-8")


def render_xlsx(data: dict[str, Any]) -> bytes:
    """Summary, Findings and Workloads sheets; text cells neutralised like the CSV's."""
    from openpyxl import Workbook

    presented = report.present(data)
    book = Workbook(write_only=True)

    def sheet(title: str, rows: list[list[Any]]) -> None:
        ws = book.create_sheet(title)
        for row in rows:
            ws.append([csvexport.neutralise(value) for value in row])

    assumptions = data["assumptions"]
    summary: list[list[Any]] = [
        [_("Assessment"), data["assessment"]["name"]],
        [_("Customer"), data["assessment"]["customer"]],
        [_("Sector"), presented["sector_label"]],
        [_("Region"), assumptions["region"]],
        [_("Price date"), assumptions["price_date"]],
        [_("Hours per month"), assumptions["hours_per_month"]],
        [_("Pricing model"), presented["assumption_labels"]["pricing_model"]],
        [_("Monthly cost on demand (USD)"), float(data["costs"]["on_demand"])],
        [_("Monthly cost reserved (USD)"), float(data["costs"]["reserved"])],
        [_("Workloads"), data["total"]],
        [],
        [_("Verdict"), _("Workloads")],
    ]
    summary += [[item["label"], item["count"]] for item in presented["counts"]]
    sheet(_("Summary"), summary)
    findings = [[_("Finding"), _("Legal basis"), _("Workloads"), _("Count")]]
    findings += [
        [item["text"], item["basis"], ", ".join(item["names"]), item["count"]]
        for item in presented["findings"]
    ]
    sheet(_("Findings"), findings)
    sheet(_("Workloads"), [report.CSV_HEADER, *data.get("csv", [])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(data: dict[str, Any]) -> HttpResponse:
    return _attachment(render_xlsx(data), f"{filename(data)}.xlsx", XLSX_TYPE)
