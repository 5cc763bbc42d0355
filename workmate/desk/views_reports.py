"""Desk report pages: the figures of `workmate.desk.reports` as a table, SVG charts and CSV.

Who: support agents (people in any team, leads and executives among them), as for every
desk page; anyone else gets 403.

The charts are plain SVG bars drawn by a template (`desk/partials/_report_chart.html`)
from the geometry computed here: four horizontal bar charts need no plotting library, the
page stays light, and the SVG carries no script or inline style (CSP: `script-src 'self'`,
`style-src 'self'`), only presentation attributes.
"""

from __future__ import annotations

import dataclasses
import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from workmate.desk import reports, services
from workmate.lib import csvexport

DEFAULT_MONTHS = 6
CHART_WIDTH = 520
LABEL_WIDTH = 170
BAR_AREA = 280
ROW_HEIGHT = 22
TOP = 6


class ReportForm(forms.Form):
    group = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=list(reports.GROUPS.items()), required=False
    )
    first = forms.DateField(
        label=gettext_lazy("From month"),
        input_formats=["%Y-%m"],
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    last = forms.DateField(
        label=gettext_lazy("To month"),
        input_formats=["%Y-%m"],
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The first month comes after the last."))
            if len(reports.months_between(first, last)) > reports.MAX_MONTHS:
                raise forms.ValidationError(
                    _("Choose at most %(count)d months.") % {"count": reports.MAX_MONTHS}
                )
        return data


def _parameters(form: ReportForm) -> tuple[str, datetime.date, datetime.date]:
    """Group and months from a valid form, else the defaults: by month, the last six."""
    this_month = timezone.localdate().replace(day=1)
    data = form.cleaned_data if form.is_valid() else {}
    last = (data.get("last") or this_month).replace(day=1)
    first = (data.get("first") or reports.add_months(last, 1 - DEFAULT_MONTHS)).replace(day=1)
    return data.get("group") or "month", first, last


@dataclasses.dataclass
class Bar:
    label: str
    text: str
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + ROW_HEIGHT // 2 + 4


@dataclasses.dataclass
class Chart:
    id: str
    title: str
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = ROW_HEIGHT - 6

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + BAR_AREA + 6


def bar_chart(
    chart_id: str, title: str, rows: list[reports.Row], value, fmt, *, maximum: float | None
) -> Chart:
    """Horizontal bars, one per row; rows without a value get no bar and a dash."""
    values = [value(row) for row in rows]
    top = maximum or max((v for v in values if v is not None), default=0) or 1
    bars = []
    for index, (row, amount) in enumerate(zip(rows, values, strict=True)):
        label = row.label if len(row.label) <= 26 else row.label[:25] + "…"
        bars.append(
            Bar(
                label=label,
                text="–" if amount is None else fmt(amount),
                y=TOP + index * ROW_HEIGHT,
                width=0 if amount is None else round(BAR_AREA * min(amount / top, 1), 1),
            )
        )
    return Chart(chart_id, title, bars, height=TOP * 2 + len(rows) * ROW_HEIGHT)


def _percent(value: float) -> str:
    return f"{value:.0f} %"


def hours(minutes: float | None) -> str:
    """Business minutes as hours with one decimal ("2.5 h"), or a dash."""
    return "–" if minutes is None else f"{minutes / 60:.1f} h"


def charts(report: reports.Report) -> list[Chart]:
    rows = report.rows
    return [
        bar_chart("chart-first-response-sla", _("First responses in time"), rows,
                  lambda r: r.first_response_in_time, _percent, maximum=100),
        bar_chart("chart-resolution-sla", _("Solved in time"), rows,
                  lambda r: r.resolution_in_time, _percent, maximum=100),
        bar_chart("chart-first-response", _("First response, median (business hours)"), rows,
                  lambda r: r.first_response_median, hours, maximum=None),
        bar_chart("chart-resolution", _("Resolution, median (business hours)"), rows,
                  lambda r: r.resolution_median, hours, maximum=None),
        bar_chart("chart-csat", _("Satisfaction (good of rated)"), rows,
                  lambda r: r.csat, _percent, maximum=100),
    ]  # fmt: skip


def _report(request: HttpRequest) -> tuple[ReportForm, reports.Report]:
    services.check_agent(request.user)
    form = ReportForm(request.GET or None)
    group, first, last = _parameters(form)
    if not form.is_bound:
        # Show the months the page reports on, not empty inputs.
        form = ReportForm(initial={"group": group, "first": first, "last": last})
    return form, reports.build_report(group, first, last)


@login_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    form, figures = _report(request)
    context = {
        "form": form,
        "report": figures,
        "charts": charts(figures),
        "group_label": reports.GROUPS[figures.group],
        "csv_query": f"group={figures.group}&first={figures.first_month:%Y-%m}"
        f"&last={figures.last_month:%Y-%m}",
    }
    if request.htmx:
        return render(request, "desk/partials/_report.html", context)
    return render(request, "desk/reports.html", context)


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@login_required
@require_safe
def report_csv(request: HttpRequest) -> HttpResponse:
    """The report's table: one line per group and a total; times in business hours."""
    _form, figures = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"desk-{figures.group}-{figures.first_month:%Y-%m}-{figures.last_month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel reads UTF-8 (Korean) only with a BOM.
    out = csvexport.writer(response)
    out.writerow(
        [
            str(reports.GROUPS[figures.group]),
            _("Tickets"),
            _("First response median (h)"),
            _("First response p90 (h)"),
            _("Resolution median (h)"),
            _("Resolution p90 (h)"),
            _("First responses in time (%)"),
            _("Solved"),
            _("Solved in time (%)"),
            _("Rated"),
            _("CSAT (%)"),
        ]
    )
    for row in [*figures.rows, figures.total]:

        def in_hours(minutes: float | None) -> str:
            return _number(None if minutes is None else minutes / 60, 2)

        out.writerow(
            [
                row.label,
                row.tickets,
                in_hours(row.first_response_median),
                in_hours(row.first_response_p90),
                in_hours(row.resolution_median),
                in_hours(row.resolution_p90),
                _number(row.first_response_in_time),
                row.solved,
                _number(row.resolution_in_time),
                row.rated,
                _number(row.csat),
            ]
        )
    return response
