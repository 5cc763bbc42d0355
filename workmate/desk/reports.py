"""Desk reports: first response, resolution, SLA attainment and CSAT, grouped.

Tickets count in the month they were opened (in the support calendar's time zone);
merged tickets (duplicates) are left out. Per group:

- first-response and resolution time in business hours of the support calendar (every
  hour for 24×7 policies), median and 90th percentile; resolution time leaves out the
  time spent waiting on the customer, as the SLA clock does;
- SLA attainment: the share of solved tickets solved by their resolution due, and the
  share of first responses in time (tickets past their first-response due without an
  answer count as late);
- CSAT: the share of "good" among rated tickets.

Counts and shares come from one grouped SQL aggregate. Business-hour times cannot be
summed in SQL, so the percentiles are read from the latest `SAMPLE_LIMIT` answered or
solved tickets of each group (one window-function query) and measured in Python against
the calendar's working intervals, built once per report.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workmate.desk import sla
from workmate.desk.models import Priority, Rating, Ticket
from workmate.lib.workcalendar import WorkingHours

# How many of each group's latest tickets the times' percentiles are read from.
SAMPLE_LIMIT = 500
# The longest span a report covers, in months.
MAX_MONTHS = 36

GROUPS = {
    "month": gettext_lazy("Month"),
    "customer": gettext_lazy("Customer"),
    "priority": gettext_lazy("Priority"),
    "team": gettext_lazy("Team"),
}


@dataclasses.dataclass
class Row:
    key: object
    label: str
    tickets: int = 0
    # Tickets whose first-response target has come: answered, or past due unanswered.
    first_response_counted: int = 0
    first_response_met: int = 0
    solved: int = 0
    resolution_counted: int = 0
    resolution_met: int = 0
    rated: int = 0
    good: int = 0
    # Business minutes; None when no ticket of the group has one.
    first_response_median: float | None = None
    first_response_p90: float | None = None
    resolution_median: float | None = None
    resolution_p90: float | None = None

    @property
    def first_response_in_time(self) -> float | None:
        return _share(self.first_response_met, self.first_response_counted)

    @property
    def resolution_in_time(self) -> float | None:
        return _share(self.resolution_met, self.resolution_counted)

    @property
    def csat(self) -> float | None:
        return _share(self.good, self.rated)


@dataclasses.dataclass
class Report:
    group: str
    first_month: datetime.date
    last_month: datetime.date
    rows: list[Row]
    total: Row
    # Whether some group had more tickets than the percentiles were read from.
    sampled: bool
    sample_limit: int = SAMPLE_LIMIT


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100 * part / whole


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value at least `share` of the values reach."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, n) for n in range(max(count, 0))]


class BusinessClock:
    """Working time between moments, in O(log n) each, from a calendar's intervals.

    Steps: list the working intervals from the earliest moment to the latest once, with
    the working seconds before each; the working time up to a moment is the sum before its
    interval plus the part of that interval before it; between two moments, the difference.
    Agrees with `workcalendar.working_time_between`, which walks the calendar per call.
    """

    def __init__(self, hours: WorkingHours, start: datetime.datetime, end: datetime.datetime):
        self.starts: list[datetime.datetime] = []
        self.ends: list[datetime.datetime] = []
        self.before: list[float] = []
        total = 0.0
        for interval_start, interval_end in hours.intervals_from(start):
            if interval_start >= end:
                break
            self.starts.append(interval_start)
            self.ends.append(interval_end)
            self.before.append(total)
            total += (interval_end - interval_start).total_seconds()

    def _up_to(self, moment: datetime.datetime) -> float:
        index = bisect.bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0.0
        inside = min(moment, self.ends[index]) - self.starts[index]
        return self.before[index] + inside.total_seconds()

    def seconds(self, a: datetime.datetime, b: datetime.datetime) -> float:
        return self._up_to(b) - self._up_to(a)


def _key_expression(group: str, zone: datetime.tzinfo):
    if group == "month":
        return TruncMonth("created_at", tzinfo=zone)
    return F({"customer": "customer_id", "priority": "priority", "team": "team_id"}[group])


def _label(group: str, key: object, names: dict[object, str]) -> str:
    if group == "month":
        return f"{key:%Y-%m}" if key else ""
    if group == "priority":
        return str(Priority(key).label) if key in Priority.values else str(key)
    if key is None:
        return _("No customer (triage)") if group == "customer" else _("No team")
    return names.get(key, str(key))


def _counts(queryset: QuerySet[Ticket], now: datetime.datetime) -> dict[str, Count]:
    responded = Q(first_responded_at__isnull=False)
    return {
        "tickets": Count("pk"),
        "first_response_counted": Count(
            "pk",
            filter=Q(first_response_due__isnull=False)
            & (responded | Q(first_response_due__lte=now)),
        ),
        "first_response_met": Count(
            "pk", filter=Q(first_responded_at__lte=F("first_response_due"))
        ),
        "solved": Count("pk", filter=Q(solved_at__isnull=False)),
        "resolution_counted": Count(
            "pk", filter=Q(solved_at__isnull=False, resolution_due__isnull=False)
        ),
        "resolution_met": Count("pk", filter=Q(solved_at__lte=F("resolution_due"))),
        "rated": Count("satisfaction"),
        "good": Count("satisfaction", filter=Q(satisfaction__rating=Rating.GOOD)),
    }


def _samples(queryset: QuerySet[Ticket], key) -> Iterable[tuple]:
    """The latest SAMPLE_LIMIT answered or solved tickets of each group (all groups: key None)."""
    fields = ("created_at", "first_responded_at", "solved_at", "paused_seconds")
    done = queryset.filter(Q(first_responded_at__isnull=False) | Q(solved_at__isnull=False))
    if key is None:
        rows = done.order_by("-created_at", "-pk").values_list(
            *fields, "sla_policy__around_the_clock"
        )[:SAMPLE_LIMIT]
        return ((None, *row) for row in rows)
    return (
        done.annotate(
            group_key=key,
            rank=Window(
                RowNumber(), partition_by=[key], order_by=[F("created_at").desc(), F("pk").desc()]
            ),
        )
        .filter(rank__lte=SAMPLE_LIMIT)
        .order_by()
        .values_list("group_key", *fields, "sla_policy__around_the_clock")
    )


def _month_key(key: object, zone: datetime.tzinfo) -> object:
    """Months come back from the database as datetimes: key them by their first day."""
    if isinstance(key, datetime.datetime):
        local = timezone.localtime(key, zone) if timezone.is_aware(key) else key
        return local.date().replace(day=1)
    return key


def _times(samples: list[tuple], hours: WorkingHours) -> dict[object, tuple[list, list]]:
    """Business minutes to first response and to resolution, per group key."""
    zone = hours.zone
    times: dict[object, tuple[list, list]] = defaultdict(lambda: ([], []))
    if not samples:
        return times
    start = min(row[1] for row in samples)
    end = max(moment for row in samples for moment in (row[2], row[3]) if moment is not None)
    clock = BusinessClock(hours, start, end)
    for key, created, responded, solved, paused, around_the_clock in samples:

        def elapsed(a: datetime.datetime, b: datetime.datetime, *, clock_24: bool) -> float:
            return (b - a).total_seconds() if clock_24 else clock.seconds(a, b)

        first, resolution = times[_month_key(key, zone)]
        if responded is not None:
            first.append(max(elapsed(created, responded, clock_24=bool(around_the_clock)), 0) / 60)
        if solved is not None:
            seconds = elapsed(created, solved, clock_24=bool(around_the_clock)) - paused
            resolution.append(max(seconds, 0) / 60)
    return times


def _fill(row: Row, counts: dict[str, int], times: tuple[list, list] | None) -> Row:
    for name, value in counts.items():
        if hasattr(row, name):
            setattr(row, name, value)
    first, resolution = times or ([], [])
    row.first_response_median = median(first)
    row.first_response_p90 = percentile(first, 0.9)
    row.resolution_median = median(resolution)
    row.resolution_p90 = percentile(resolution, 0.9)
    return row


def build_report(
    group: str,
    first_month: datetime.date,
    last_month: datetime.date,
    now: datetime.datetime | None = None,
) -> Report:
    """The figures of tickets opened from `first_month` to `last_month` (both included).

    Steps: bound the tickets by the months in the support calendar's zone; count per group
    and in total in SQL; read the percentile samples (per group and in total); measure
    them in business time; label the groups (months without tickets get an empty row).
    """
    if group not in GROUPS:
        raise ValueError(group)
    now = now or timezone.now()
    hours = sla.support_calendar()
    zone = hours.zone
    since = datetime.datetime.combine(first_month, datetime.time(), zone)
    until = datetime.datetime.combine(add_months(last_month, 1), datetime.time(), zone)
    tickets = Ticket.objects.filter(
        created_at__gte=since, created_at__lt=until, merged_into__isnull=True
    )
    key = _key_expression(group, zone)
    name_field = {"customer": "customer__name", "team": "team__name"}.get(group)
    grouped = (
        tickets.annotate(group_key=key)
        .order_by()
        .values("group_key", *([name_field] if name_field else []))
        .annotate(**_counts(tickets, now))
    )
    total_counts = tickets.aggregate(**_counts(tickets, now))
    group_samples = list(_samples(tickets, key))
    total_samples = list(_samples(tickets, None))
    group_times = _times(group_samples, hours)
    total_times = _times(total_samples, hours)

    names = {row["group_key"]: row[name_field] for row in grouped} if name_field else {}
    rows: dict[object, Row] = {}
    for counts in grouped:
        counts = dict(counts)
        group_key = counts.pop("group_key")
        group_key = _month_key(group_key, zone)
        rows[group_key] = _fill(
            Row(key=group_key, label=_label(group, group_key, names)),
            counts,
            group_times.get(group_key),
        )
    if group == "month":
        for month in months_between(first_month, last_month):
            rows.setdefault(month, Row(key=month, label=_label(group, month, names)))
        ordered = [rows[month] for month in sorted(rows)]
    elif group == "priority":
        ordered = [rows[k] for k in sorted(rows)]
    else:
        ordered = sorted(rows.values(), key=lambda row: (row.key is None, row.label.lower()))
    total = _fill(Row(key=None, label=_("All tickets")), total_counts, total_times.get(None))
    sampled = any(len(times[0]) >= SAMPLE_LIMIT or len(times[1]) >= SAMPLE_LIMIT
                  for times in group_times.values())  # fmt: skip
    return Report(group, first_month, last_month, ordered, total, sampled)
