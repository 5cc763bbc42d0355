"""The customer's portal, Reports section: a contact reads and downloads the reports
published for their organisations (issue 14 point 8).

Contacts are not users; `contact_required` (the desk's portal sign-in) lets them in and
every report is fetched through `publishing.get_report_for_contact`, so a contact of
another customer, a withdrawn report and an unpublished assessment are all 404. The
pages show the published snapshot, never the live assessment.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workmate.advisor import exports, publishing, report
from workmate.desk.models import Customer
from workmate.desk.portal_auth import contact_required

PAGE_SIZE = 50


@contact_required
@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    contact = request.contact  # type: ignore[attr-defined]
    context = {
        "reports": publishing.reports_for_contact(contact).order_by("-published_at", "-pk"),
        "several_customers": Customer.objects.filter(memberships__contact=contact).count() > 1,
    }
    return render(request, "advisor/portal/reports.html", context)


@contact_required
@require_safe
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    published = publishing.get_report_for_contact(request.contact, pk)  # type: ignore[attr-defined]
    data = published.data
    page = Paginator(data.get("rows", []), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [report.present_row(row) for row in page.object_list]
    context = {"published": published, "report": report.present(data), "page": page}
    return render(request, "advisor/portal/report.html", context)


@contact_required
@require_safe
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    published = publishing.get_report_for_contact(request.contact, pk)  # type: ignore[attr-defined]
    return exports.pdf_response(published.data)


@contact_required
@require_safe
def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    published = publishing.get_report_for_contact(request.contact, pk)  # type: ignore[attr-defined]
    return exports.csv_response(published.data.get("csv", []), exports.filename(published.data))


@contact_required
@require_safe
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    published = publishing.get_report_for_contact(request.contact, pk)  # type: ignore[attr-defined]
    return exports.xlsx_response(published.data)
