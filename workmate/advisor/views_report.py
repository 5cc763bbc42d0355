"""The report pages of an assessment (issue 14 points 8 and 9): the report with its
paginated workload table, the PDF, CSV and XLSX downloads, publishing to the customer's
portal and the migration project. Overrides and the what-if settings are changed on the
assessment's own pages (workmate/advisor/views.py); the report's table links there.

Each view fetches the assessment through `access.get_assessment_for_user` (404 for
outsiders) and calls one service; changes need `access.check_can_edit` (403 for readers).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.advisor import access, engagement, exports, publishing, report
from workmate.advisor.forms_report import StartProjectForm
from workmate.advisor.models import Assessment, Verdict

PAGE_SIZE = 50


def _table_rows(assessment: Assessment, request: HttpRequest):
    """The page of the workload table asked for, filtered by chosen verdict."""
    shown = request.GET.get("verdict", "")
    if shown not in Verdict.values:
        shown = ""
    rows = assessment.workloads.included().order_by("vm_name", "vcenter", "pk")
    if shown:
        rows = rows.filter(Q(override_verdict=shown) | Q(override_verdict="", verdict=shown))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [report.present_row(report.workload_row(w)) for w in page.object_list]
    return page, shown


@login_required
@require_safe
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    page, shown = _table_rows(assessment, request)
    context = {
        "assessment": assessment,
        "page": page,
        "shown": shown,
        "verdicts": Verdict.choices,
        "can_edit": access.can_edit_assessment(request.user, assessment),
    }
    if request.htmx and request.htmx.target == "workload-table":
        # Paging and filtering the table re-renders only the table, not the summary.
        return render(request, "advisor/report/_table.html", context)
    context["report"] = report.present(report.build(assessment))
    context["published"] = assessment.published_reports.current().defer("data").first()
    return render(request, "advisor/report/page.html", context)


@login_required
@require_safe
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    return exports.pdf_response(publishing.snapshot(assessment))


@login_required
@require_safe
def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    return exports.csv_response(exports.live_csv_rows(assessment), exports.filename(assessment))


@login_required
@require_safe
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    return exports.xlsx_response(publishing.snapshot(assessment))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    try:
        published = publishing.do_publish(request.user, assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Version %(version)d of the report is published to %(customer)s's portal.")
            % {"version": published.version, "customer": assessment.customer.name},
        )
    return redirect("advisor:report", pk=assessment.pk)


@login_required
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    if publishing.do_unpublish(request.user, assessment):
        messages.success(request, _("The report is withdrawn from the customer's portal."))
    return redirect("advisor:report", pk=assessment.pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def start_project(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, pk)
    access.check_can_edit(request.user, assessment)
    if assessment.project_id:
        return redirect(assessment.project.get_absolute_url())
    form = StartProjectForm(request.POST or None, user=request.user, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            project = engagement.do_start_migration_project(
                request.user,
                assessment,
                name=form.cleaned_data["name"],
                team=form.cleaned_data["team"],
                start_on=form.cleaned_data["start_on"],
                template=form.cleaned_data["template"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The migration project is started, one task per wave."))
            return redirect(project.get_absolute_url())
    context = {
        "assessment": assessment,
        "form": form,
        "waves": engagement.migration_waves(assessment),
    }
    return render(
        request, "advisor/report/start_project.html", context, status=400 if form.errors else 200
    )
