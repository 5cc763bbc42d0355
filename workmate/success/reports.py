"""Feedback reports: counts by theme, customer, industry or tier per month; how long answers
take (median, p90); the share answered; a server-drawn SVG chart; the same as CSV."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from workmate.desk.models import ContractTier, Industry
from workmate.success.models import FeedbackItem, FeedbackState

GROUPS = {
    "theme": "theme__name",
    "customer": "customer__name",
    "industry": "customer__industry",
    "tier": "customer__tier",
}


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_back(today: datetime.date, months: int) -> list[datetime.date]:
    first = month_start(today)
    out = []
    for _i in range(months):
        out.append(first)
        first = month_start(first - datetime.timedelta(days=1))
    return list(reversed(out))


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Report:
    group: str
    months: list[datetime.date]
    rows: list[tuple[str, list[int], int]]  # label, count per month, total
    totals: list[int]
    answered_per_month: list[int]
    total: int
    answered: int
    median_days: float | None
    p90_days: float | None

    @property
    def share_answered(self) -> int | None:
        return round(100 * self.answered / self.total) if self.total else None


def _label(group: str, value: object) -> str:
    if value is None or value == "":
        return _("No theme") if group == "theme" else "—"
    if group == "industry":
        return str(Industry(value).label) if value in Industry.values else str(value)
    if group == "tier":
        return str(ContractTier(value).label) if value in ContractTier.values else str(value)
    return str(value)


def build(items: QuerySet[FeedbackItem], group: str, months: int, now=None) -> Report:
    """Steps: bucket items of the last `months` months by month and group (one grouped
    query); answered ones by month (one more); answer times of those answered (one more)."""
    now = now or timezone.now()
    buckets = months_back(timezone.localdate(now), months)
    start = timezone.make_aware(datetime.datetime.combine(buckets[0], datetime.time()))
    ranged = items.filter(created_at__gte=start)
    field = GROUPS[group]
    counts = (
        ranged.annotate(month=TruncMonth("created_at"))
        .values("month", field)
        .annotate(n=Count("pk"))
        .order_by()
    )
    index = {month: i for i, month in enumerate(buckets)}
    table: dict[str, list[int]] = {}
    for row in counts:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        label = _label(group, row[field])
        table.setdefault(label, [0] * len(buckets))
        if month in index:
            table[label][index[month]] += row["n"]
    rows = sorted(
        ((label, values, sum(values)) for label, values in table.items()),
        key=lambda r: (-r[2], r[0]),
    )
    totals = [sum(values[i] for _l, values, _t in rows) for i in range(len(buckets))]
    answered_rows = (
        ranged.filter(state=FeedbackState.ANSWERED)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    answered_per_month = [0] * len(buckets)
    for row in answered_rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        if month in index:
            answered_per_month[index[month]] += row["n"]
    durations = [
        (answered_at - created_at).total_seconds() / 86400
        for created_at, answered_at in ranged.filter(
            state=FeedbackState.ANSWERED, answered_at__isnull=False
        ).values_list("created_at", "answered_at")
    ]
    return Report(
        group=group,
        months=buckets,
        rows=rows,
        totals=totals,
        answered_per_month=answered_per_month,
        total=sum(totals),
        answered=sum(answered_per_month),
        median_days=round(statistics.median(durations), 1) if durations else None,
        p90_days=round(_percentile(durations, 0.9), 1) if durations else None,
    )


def chart_svg(report: Report) -> SafeString:
    """Bars per month (received), with the answered part darker; labelled, no script."""
    width, height, pad = 640, 220, 30
    n = len(report.months)
    top = max([*report.totals, 1])
    slot = (width - 2 * pad) / max(n, 1)
    bar = slot * 0.7
    label = escape(_("Feedback received and answered per month"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="success-chart" role="img" aria-label="{label}">'
    ]
    for i, month in enumerate(report.months):
        x = pad + i * slot + (slot - bar) / 2
        total_h = (height - 2 * pad) * report.totals[i] / top
        answered_h = (height - 2 * pad) * report.answered_per_month[i] / top
        base = height - pad
        parts.append(
            f'<rect x="{x:.1f}" y="{base - total_h:.1f}" width="{bar:.1f}" height="{total_h:.1f}" '
            f'class="bar-received"><title>{month:%Y-%m}: {report.totals[i]}</title></rect>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{base - answered_h:.1f}" width="{bar:.1f}" '
            f'height="{answered_h:.1f}" class="bar-answered"></rect>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle" '
            f'font-size="11">{month.strftime("%m")}</text>'
        )
        if report.totals[i]:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base - total_h - 4:.1f}" text-anchor="middle" '
                f'font-size="11">{report.totals[i]}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def csv_rows(report: Report) -> list[list[str]]:
    header = [_("Group"), *[m.strftime("%Y-%m") for m in report.months], _("Total")]
    body = [[label, *map(str, values), str(total)] for label, values, total in report.rows]
    return [header, *body]
