"""The feedback report page and its CSV."""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from workmate.success import access, reports


class ReportForm(forms.Form):
    group = forms.ChoiceField(
        label=_("By"),
        required=False,
        choices=[
            ("theme", _("Theme")),
            ("customer", _("Customer")),
            ("industry", _("Industry")),
            ("tier", _("Contract tier")),
        ],
    )
    months = forms.IntegerField(label=_("Months"), required=False, min_value=1, max_value=24)


def _report(request: HttpRequest) -> tuple[ReportForm, reports.Report]:
    access.check_can_use(request.user)
    form = ReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    group = data.get("group") or "theme"
    months = data.get("months") or 6
    return form, reports.build(access.feedback_for(request.user), group, months)


@login_required
@require_safe
def reports_page(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    context = {"form": form, "report": report, "chart": reports.chart_svg(report)}
    return render(request, "success/reports.html", context)


@login_required
@require_safe
def reports_csv(request: HttpRequest) -> HttpResponse:
    _form, report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customer-feedback.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 (Korean) only with the BOM.
    writer = csv.writer(response)
    for row in reports.csv_rows(report):
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow(["'" + c if c[:1] in "=+-@" else c for c in row])
    return response
