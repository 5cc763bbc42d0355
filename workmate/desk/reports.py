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

From scratch (`build_report_from_scratch`), counts and shares come from one grouped SQL
aggregate; business-hour times cannot be summed in SQL, so every answered or solved
ticket's times are measured in Python against the calendar's working intervals, built
once per report (`_samples` can still take the latest `SAMPLE_LIMIT` of each group).

Since issue 18 the page reads per-day aggregates (`workmate.desk.stats`): stored rows for
closed days and live figures for today and days touched since their roll-up, so it no
longer grows with history. Medians and p90s come from all answered or solved tickets of a
group, each time bucketed (to the minute under 2 hours, 10 minutes under a day, an hour
under a week, a day beyond, rounded down). `build_report_from_scratch` computes the same
figures from the tickets alone (the reference the tests compare against).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workmate.accounts.models import Team
from workmate.desk import sla, stats
from workmate.desk.models import Customer, Priority, Rating, Ticket
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


def _samples(
    queryset: QuerySet[Ticket], key, *, limit: int | None = SAMPLE_LIMIT
) -> Iterable[tuple]:
    """The latest `limit` answered or solved tickets of each group (all groups: key None);
    every one of them when `limit` is None."""
    fields = ("created_at", "first_responded_at", "solved_at", "paused_seconds")
    done = queryset.filter(Q(first_responded_at__isnull=False) | Q(solved_at__isnull=False))
    if limit is None:
        clock = "sla_policy__around_the_clock"
        if key is None:
            return ((None, *row) for row in done.order_by().values_list(*fields, clock))
        return done.annotate(group_key=key).order_by().values_list("group_key", *fields, clock)
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
            seconds = elapsed(created, responded, clock_24=bool(around_the_clock))
            first.append(stats.bucket(seconds / 60))
        if solved is not None:
            seconds = elapsed(created, solved, clock_24=bool(around_the_clock)) - paused
            resolution.append(stats.bucket(seconds / 60))
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


def build_report_from_scratch(
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
    group_samples = list(_samples(tickets, key, limit=None))
    total_samples = list(_samples(tickets, None, limit=None))
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
    return Report(group, first_month, last_month, ordered, total, sampled=False)


def hist_value(histogram: Counter, index: int) -> int:
    """The `index`-th (0-based) of the histogram's values in ascending order."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if index < seen:
            return value
    raise IndexError(index)


def hist_median(histogram: Counter) -> float | None:
    """As `statistics.median` of the values the histogram counts."""
    n = sum(histogram.values())
    if not n:
        return None
    if n % 2:
        return hist_value(histogram, n // 2)
    return (hist_value(histogram, n // 2 - 1) + hist_value(histogram, n // 2)) / 2


def hist_percentile(histogram: Counter, share: float) -> int | None:
    """As `percentile` (nearest rank) of the values the histogram counts."""
    n = sum(histogram.values())
    return hist_value(histogram, max(math.ceil(share * n) - 1, 0)) if n else None


SUMMED = (
    "tickets",
    "first_response_counted",
    "first_response_met",
    "solved",
    "resolution_counted",
    "resolution_met",
    "rated",
    "good",
)


def _merge(into: dict, histogram: dict) -> None:
    """Add a histogram's counts (keys as stored, str, or computed, int)."""
    for value, count in histogram.items():
        into[value] = into.get(value, 0) + count


def _add(row: Row, day: stats.DayRow, late: int, times: tuple[dict, dict]) -> None:
    row.tickets += day.tickets
    row.first_response_counted += day.first_response_answered + late
    row.first_response_met += day.first_response_met
    row.solved += day.solved
    row.resolution_counted += day.resolution_counted
    row.resolution_met += day.resolution_met
    row.rated += day.rated
    row.good += day.good
    _merge(times[0], day.first_response_minutes)
    _merge(times[1], day.resolution_minutes)


def _finish(row: Row, times: tuple[dict, dict]) -> Row:
    first, resolution = (Counter(), Counter())
    for merged, histogram in zip((first, resolution), times, strict=True):
        for value, count in histogram.items():
            merged[int(value)] += count
    row.first_response_median = hist_median(first)
    row.first_response_p90 = hist_percentile(first, 0.9)
    row.resolution_median = hist_median(resolution)
    row.resolution_p90 = hist_percentile(resolution, 0.9)
    return row


def _day_key(group: str, day: stats.DayRow) -> object:
    if group == "month":
        return day.day.replace(day=1)
    return {"customer": day.customer_id, "priority": day.priority, "team": day.team_id}[group]


def build_report(
    group: str,
    first_month: datetime.date,
    last_month: datetime.date,
    now: datetime.datetime | None = None,
) -> Report:
    """The figures of tickets opened from `first_month` to `last_month` (both included),
    from the per-day aggregates (`stats.report_days`), in a constant number of queries.

    Steps: read the day rows of the span (stored or live); add each to its group and to
    the total (unanswered first responses count once their due has passed at `now`);
    medians and p90s from the summed histograms; label the groups (one query for names).
    """
    if group not in GROUPS:
        raise ValueError(group)
    now = now or timezone.now()
    hours = sla.support_calendar()
    days = stats.report_days(first_month, add_months(last_month, 1), hours)
    rows: dict[object, Row] = {}
    times: dict[object, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    for day in days:
        if not day.tickets:
            continue
        key = _day_key(group, day)
        late = day.late_unanswered(now)
        _add(rows.setdefault(key, Row(key=key, label="")), day, late, times[key])
    # The total: the groups' sums and histograms (there are few groups, many day rows).
    total = Row(key=None, label=_("All tickets"))
    total_times: tuple[dict, dict] = ({}, {})
    for key, row in rows.items():
        for name in SUMMED:
            setattr(total, name, getattr(total, name) + getattr(row, name))
        _merge(total_times[0], times[key][0])
        _merge(total_times[1], times[key][1])
    names: dict[object, str] = {}
    model = {"customer": Customer, "team": Team}.get(group)
    if model is not None and any(key is not None for key in rows):
        names = dict(model.objects.filter(pk__in=[k for k in rows if k is not None])
                     .values_list("pk", "name"))  # fmt: skip
    for key, row in rows.items():
        row.label = _label(group, key, names)
        _finish(row, times[key])
    if group == "month":
        for month in months_between(first_month, last_month):
            rows.setdefault(month, Row(key=month, label=_label(group, month, names)))
        ordered = [rows[month] for month in sorted(rows)]
    elif group == "priority":
        ordered = [rows[k] for k in sorted(rows)]
    else:
        ordered = sorted(rows.values(), key=lambda row: (row.key is None, row.label.lower()))
    _finish(total, total_times)
    return Report(group, first_month, last_month, ordered, total, sampled=False)
