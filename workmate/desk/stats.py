"""Report aggregates: per-day figures rolled up by the worker, today and touched days live.

The reports page (workmate/desk/reports.py) used to count and time every ticket of the
months it shows on each request, which grew with history. Now:

- `day_rows(days)` computes the figures of the tickets opened on some days (support
  calendar's zone) per (day, team, customer, priority) from the tickets themselves:
  counts, and histograms of bucketed business minutes for the medians and p90s;
- `roll_up()` (a periodic task) stores them as `DeskDay` rows for every closed day not
  yet rolled up and for every day marked dirty, replacing what was there (idempotent);
- a ticket or CSAT change marks the day its ticket was opened dirty (`DeskDirtyDay`) in
  the same transaction (post_save / post_delete receivers connected in apps.py);
- `report_days(since, until, now)` reads the stored rows of clean rolled-up days and
  computes the rest live: today, days not rolled up, dirty days. A constant number of
  queries.
- `rebuild()` (the `rebuild_desk_stats` command) recomputes everything.
- The dashboard's trend (tickets opened and solved per day) is rolled up beside them as
  `DeskTrendDay` rows, one a day, and read by `trend_days` the same way: stored for clean
  days, live for the rest. A day is dirty when a ticket opened or solved on it changes.

Stored rows hold only what does not depend on the reading moment, except unanswered
first responses: they count as late once their due has passed, so a row keeps their dues
(sorted) and a reader counts those passed at its moment.
If the support calendar changes (zone, hours, days off), stored rows are ignored until
the next roll-up rebuilds them (the state keeps the calendar's key).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import hashlib
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, Q, Value
from django.utils import timezone

from workmate.desk import sla
from workmate.desk.models import (
    DeskActiveCount,
    DeskDay,
    DeskDirtyDay,
    DeskSlaCount,
    DeskStatsState,
    DeskTrendDay,
    Rating,
    Satisfaction,
    Ticket,
)
from workmate.lib.prepared import PreparedQuery
from workmate.lib.workcalendar import WorkingHours

# Ticket fields a change of which can move a report figure.
REPORT_FIELDS = frozenset(
    {
        "created_at",
        "team",
        "team_id",
        "customer",
        "customer_id",
        "priority",
        "merged_into",
        "merged_into_id",
        "first_response_due",
        "first_responded_at",
        "resolution_due",
        "solved_at",
        "paused_seconds",
        "sla_policy",
        "sla_policy_id",
    }
)
# Fields whose change moves the day a ticket counts as solved on in the trend.
SOLVED_FIELDS = frozenset({"solved_at", "merged_into", "merged_into_id"})
COUNT_FIELDS = (
    "tickets",
    "first_response_answered",
    "first_response_met",
    "solved",
    "resolution_counted",
    "resolution_met",
    "rated",
    "good",
)


def bucket(minutes: float) -> int:
    """Business minutes as stored: to the minute under 2 hours, 10 minutes under a day,
    an hour under a week, a day beyond (rounded down)."""
    m = int(max(minutes, 0))
    if m < 120:
        return m
    if m < 1440:
        return m - m % 10
    if m < 10080:
        return m - m % 60
    return m - m % 1440


def calendar_key(hours: WorkingHours) -> str:
    text = repr(
        (hours.time_zone, sorted(hours.weekdays), hours.start, hours.end,
         hours.holiday_country, sorted(hours.days_off))
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


@dataclasses.dataclass
class DayRow:
    """A `DeskDay` in memory (stored or computed live)."""

    day: datetime.date
    team_id: int | None
    customer_id: int | None
    priority: int
    tickets: int = 0
    first_response_answered: int = 0
    first_response_met: int = 0
    unanswered_dues: list[int] = dataclasses.field(default_factory=list)
    solved: int = 0
    resolution_counted: int = 0
    resolution_met: int = 0
    rated: int = 0
    good: int = 0
    # {bucketed minutes: tickets}: int keys when computed, text keys when read back.
    first_response_minutes: dict = dataclasses.field(default_factory=Counter)
    resolution_minutes: dict = dataclasses.field(default_factory=Counter)

    def late_unanswered(self, now: datetime.datetime) -> int:
        """Unanswered tickets past their first-response due at `now`."""
        return bisect.bisect_right(self.unanswered_dues, now.timestamp())

    @classmethod
    def from_values(cls, values: dict) -> DayRow:
        """A stored row's values; its histograms keep their keys as stored (text)."""
        return cls(**values)

    def to_model(self) -> DeskDay:
        values = dataclasses.asdict(self)
        for name in ("first_response_minutes", "resolution_minutes"):
            values[name] = {str(k): v for k, v in sorted(getattr(self, name).items())}
        return DeskDay(**values)


def _bounds(day: datetime.date, zone) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time(), zone)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)


def _ranges(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + datetime.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _on_days(field: str, days, span, zone) -> Q:
    """`field` falls on one of `days`, or (span=(since, until)) from `since` to before `until`."""
    if span is not None:
        since, until = span
        low, high = _bounds(since, zone)[0], _bounds(until, zone)[0]
        return Q(**{f"{field}__gte": low, f"{field}__lt": high})
    where = Q()
    for first, last in _ranges(days):
        low, high = _bounds(first, zone)[0], _bounds(last, zone)[1]
        where |= Q(**{f"{field}__gte": low, f"{field}__lt": high})
    return where


def day_rows(
    days: list[datetime.date] | None,
    hours: WorkingHours,
    *,
    span: tuple[datetime.date, datetime.date] | None = None,
) -> list[DayRow]:
    """The figures of the tickets opened on `days` (or, with span=(since, until), on the
    days from `since` to before `until`), from the tickets: one query."""
    from workmate.desk.reports import BusinessClock

    zone = hours.zone
    if span is None and not days:
        return []
    where = _on_days("created_at", days, span, zone)
    rows = list(
        Ticket.objects.filter(where, merged_into__isnull=True)
        .order_by()
        .values_list(
            "created_at", "team_id", "customer_id", "priority", "first_response_due",
            "first_responded_at", "resolution_due", "solved_at", "paused_seconds",
            "sla_policy__around_the_clock", "satisfaction__rating",
        )
    )  # fmt: skip
    if not rows:
        return []
    start = min(row[0] for row in rows)
    end = max(m for row in rows for m in (row[0], row[5], row[7]) if m is not None)
    clock = BusinessClock(hours, start, end)
    out: dict[tuple, DayRow] = {}
    for (created, team, customer, priority, fr_due, responded, res_due, solved, paused,
         around_the_clock, rating) in rows:  # fmt: skip
        day = timezone.localtime(created, zone).date()
        key = (day, team, customer, priority)
        row = out.get(key)
        if row is None:
            row = out[key] = DayRow(day, team, customer, priority)

        def elapsed(a, b, around_the_clock=around_the_clock):
            return (b - a).total_seconds() if around_the_clock else clock.seconds(a, b)

        row.tickets += 1
        if fr_due is not None:
            if responded is not None:
                row.first_response_answered += 1
                row.first_response_met += responded <= fr_due
            else:
                bisect.insort(row.unanswered_dues, fr_due.timestamp())
        if responded is not None:
            row.first_response_minutes[bucket(elapsed(created, responded) / 60)] += 1
        if solved is not None:
            row.solved += 1
            if res_due is not None:
                row.resolution_counted += 1
                row.resolution_met += solved <= res_due
            row.resolution_minutes[bucket((elapsed(created, solved) - paused) / 60)] += 1
        if rating is not None:
            row.rated += 1
            row.good += rating == Rating.GOOD
    return list(out.values())


def trend_rows(
    days: list[datetime.date] | None,
    rows: list[DayRow],
    hours: WorkingHours,
    *,
    span: tuple[datetime.date, datetime.date] | None = None,
) -> list[DeskTrendDay]:
    """The trend's rows of `days` (or the span): opened from the day rows already computed
    for them, solved from the tickets solved on those days (one query)."""
    zone = hours.zone
    opened: Counter = Counter()
    for row in rows:
        opened[row.day] += row.tickets
    solved: Counter = Counter()
    if span is not None or days:
        moments = (
            Ticket.objects.filter(_on_days("solved_at", days, span, zone), merged_into__isnull=True)
            .order_by()
            .values_list("solved_at", flat=True)
        )
        for moment in moments:
            solved[timezone.localtime(moment, zone).date()] += 1
    return [
        DeskTrendDay(day=day, opened=opened[day], solved=solved[day])
        for day in sorted(set(opened) | set(solved))
    ]


def _today(zone) -> datetime.date:
    return timezone.localtime(timezone.now(), zone).date()


def _state() -> DeskStatsState:
    """The one state row (pk 1), locked for the roll-up."""
    DeskStatsState.objects.get_or_create(pk=1)
    return DeskStatsState.objects.select_for_update().get(pk=1)


def _store(days: list[datetime.date], rows: list[DayRow], hours: WorkingHours) -> None:
    DeskDay.objects.filter(day__in=days).delete()
    DeskDay.objects.bulk_create([row.to_model() for row in rows], batch_size=500)
    DeskTrendDay.objects.filter(day__in=days).delete()
    DeskTrendDay.objects.bulk_create(trend_rows(days, rows, hours), batch_size=500)


def roll_up(*, today: datetime.date | None = None) -> int:
    """Store the closed days not rolled up yet and the dirty days; return how many days.

    Steps: take the state row (locked); if the calendar changed, start over; the days to
    roll up are those from `rolled_until` (or the first ticket's day) to yesterday, plus the
    dirty days before that; their marks are deleted first, so a change committed while we
    count marks its day again; compute and replace their rows; move `rolled_until`.
    """
    hours = sla.support_calendar()
    zone = hours.zone
    today = today or _today(zone)
    key = calendar_key(hours)
    with transaction.atomic():
        state = _state()
        if state.calendar_key != key:
            DeskDay.objects.all().delete()
            DeskTrendDay.objects.all().delete()
            state.rolled_until = None
            state.calendar_key = key
        dirty = [
            d for d in DeskDirtyDay.objects.filter(day__lt=today).values_list("day", flat=True)
            if state.rolled_until is None or d < state.rolled_until
        ]  # fmt: skip
        # Every earlier mark goes: its day is recomputed below (dirty, or not rolled up yet).
        DeskDirtyDay.objects.filter(day__lt=today).delete()
        rolled = len(dirty)
        if dirty:
            _store(dirty, day_rows(dirty, hours), hours)
        since = state.rolled_until
        if since is None:
            first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True)
            first = first.first()
            since = timezone.localtime(first, zone).date() if first else today
        if since < today:
            DeskDay.objects.filter(day__gte=since, day__lt=today).delete()
            DeskTrendDay.objects.filter(day__gte=since, day__lt=today).delete()
            # A month at a time keeps memory flat on a rebuild of years.
            start = since
            while start < today:
                stop = min(start + datetime.timedelta(days=31), today)
                rows = day_rows(None, hours, span=(start, stop))
                DeskDay.objects.bulk_create([r.to_model() for r in rows], batch_size=500)
                DeskTrendDay.objects.bulk_create(
                    trend_rows(None, rows, hours, span=(start, stop)), batch_size=500
                )
                start = stop
            rolled += (today - since).days
        state.rolled_until = today
        state.save()
    return rolled


def rebuild() -> int:
    """Recompute every day from the tickets (the `rebuild_desk_stats` command)."""
    with transaction.atomic():
        DeskDay.objects.all().delete()
        DeskTrendDay.objects.all().delete()
        DeskDirtyDay.objects.all().delete()
        DeskStatsState.objects.all().delete()
    return roll_up()


def counted_active() -> list[tuple[str, int, int | None, int | None, int]]:
    """(status, priority, team id, assignee id, active tickets) counted from the tickets
    themselves: what the `DeskActiveCount` rows must hold."""
    rows = (
        Ticket.objects.active()
        .order_by()
        .values_list("status", "priority", "team_id", "assignee_id")
        .annotate(n=Count("pk"))
    )
    return list(rows)


def rebuild_active_counts() -> int:
    """Recount `DeskActiveCount` from the tickets; the number of rows written.

    The triggers keep the ledger right; this is for a restored or hand-edited database: one
    row per combination afterwards, as after a compaction. Writers
    wait meanwhile: SQLite's write transaction is exclusive, and on PostgreSQL the ticket
    table is locked against writes (a ticket saved between the delete and the count would be
    lost or counted twice otherwise)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE desk_ticket IN SHARE ROW EXCLUSIVE MODE")
        DeskActiveCount.objects.all().delete()
        rows = DeskActiveCount.objects.bulk_create(
            DeskActiveCount(
                status=status, priority=priority, team_id=team or 0, assignee_id=agent or 0, count=n
            )
            for status, priority, team, agent, n in counted_active()
        )
    return len(rows)


# Whether any combination has more than one ledger row (a few hundred rows to group: the
# clock's check on a quiet desk, where compaction has nothing to fold).
_UNFOLDED = (
    "SELECT EXISTS (SELECT 1 FROM desk_deskactivecount"
    " GROUP BY status, priority, team_id, assignee_id HAVING COUNT(*) > 1 OR SUM(count) = 0)"
)
_COLUMNS = "status, priority, team_id, assignee_id"
# PostgreSQL: the rows summed are exactly the rows deleted, in one statement. A SELECT then
# a DELETE would each take their own snapshot (READ COMMITTED), and a ticket's row committed
# in between would be deleted without being summed. A row another compaction deletes first
# is skipped by this DELETE (not returned), so two clocks at once count each row once.
_FOLD_POSTGRES = (
    f"WITH gone AS (DELETE FROM desk_deskactivecount WHERE id <= %s RETURNING {_COLUMNS}, count),"
    f" kept AS (INSERT INTO desk_deskactivecount ({_COLUMNS}, count)"
    f" SELECT {_COLUMNS}, SUM(count) FROM gone GROUP BY 1, 2, 3, 4 HAVING SUM(count) <> 0"
    " RETURNING 1)"
    " SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM kept)"
)
# SQLite: the sum and the delete in one write transaction (BEGIN IMMEDIATE, settings.py):
# no other writer between them. The folded rows get ids above the bound.
_FOLD_SQLITE = [
    f"INSERT INTO desk_deskactivecount ({_COLUMNS}, count)"
    f" SELECT {_COLUMNS}, SUM(count) FROM desk_deskactivecount WHERE id <= %s"
    " GROUP BY 1, 2, 3, 4 HAVING SUM(count) <> 0",
    "DELETE FROM desk_deskactivecount WHERE id <= %s",
]


def compact_active_counts() -> int:
    """Fold the `DeskActiveCount` ledger into one row per combination, dropping the
    combinations that sum to 0; the number of rows folded away (0: nothing to fold, and
    nothing written). Rows the triggers write meanwhile are kept for the next time."""
    with connection.cursor() as cursor:
        cursor.execute(_UNFOLDED)  # outside a transaction: no write lock on a quiet desk
        if not cursor.fetchone()[0]:
            return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM desk_deskactivecount")
        bound = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute(_FOLD_POSTGRES, [bound])
            deleted, added = cursor.fetchone()
        else:
            cursor.execute(_FOLD_SQLITE[0], [bound])
            added = cursor.rowcount
            cursor.execute(_FOLD_SQLITE[1], [bound])
            deleted = cursor.rowcount
    return deleted - added


def _rolled_until(hours: WorkingHours) -> datetime.date | None:
    """The day before which stored rows are this calendar's (None: none are), one query."""
    state = DeskStatsState.objects.filter(pk=1).first()
    if state is None or not state.rolled_until or state.calendar_key != calendar_key(hours):
        return None
    return min(state.rolled_until, _today(hours.zone))


def report_days(since: datetime.date, until: datetime.date, hours: WorkingHours) -> list[DayRow]:
    """Every day row from `since` to before `until`: stored where clean, else live.

    Queries: the state, the dirty marks, the stored rows, the live tickets (4, or 2 when
    nothing is rolled up).
    """
    rolled_until = _rolled_until(hours)
    if rolled_until is None or rolled_until <= since:
        return day_rows(None, hours, span=(since, until))
    dirty = set(
        DeskDirtyDay.objects.filter(day__gte=since, day__lt=min(until, rolled_until)).values_list(
            "day", flat=True
        )
    )
    names = [field.name for field in dataclasses.fields(DayRow)]
    stored = [
        DayRow.from_values(values)
        for values in DeskDay.objects.filter(day__gte=since, day__lt=min(until, rolled_until))
        .exclude(day__in=dirty)
        .order_by()
        .values(*names)
    ]
    live = set(dirty)
    day = rolled_until
    while day < until:
        live.add(day)
        day += datetime.timedelta(days=1)
    rows = [row for row in stored if row.day not in live]
    return rows + day_rows(sorted(live), hours)


def stored_trend(since: datetime.date, until: datetime.date):
    """Rows of (day, opened, solved, dirty) from `since` to before `until`: the stored
    `DeskTrendDay` rows (dirty 0) and the days marked dirty (`DeskDirtyDay`, dirty 1), in
    one query."""
    stored = (
        DeskTrendDay.objects.filter(day__gte=since, day__lt=until)
        .order_by()
        .annotate(dirty=Value(0))
        .values_list("day", "opened", "solved", "dirty")
    )
    marks = (
        DeskDirtyDay.objects.filter(day__gte=since, day__lt=until)
        .order_by()
        .annotate(opened=Value(0), solved=Value(0), dirty=Value(1))
        .values_list("day", "opened", "solved", "dirty")
    )
    return stored.union(marks, all=True)


# Compiled once per connection (workmate.lib.prepared).
STORED_TREND = PreparedQuery(stored_trend, since="date", until="date")


def trend_days(
    since: datetime.date, until: datetime.date, hours: WorkingHours
) -> dict[datetime.date, tuple[int, int]]:
    """(opened, solved) for each day from `since` to before `until`: stored where clean,
    else counted live (today, days not rolled up, dirty days).

    Queries: the state, then the stored rows with the dirty marks beside them when some
    days are rolled up (`stored_trend`), and one conditional count over the live days'
    tickets (through the created and solved indexes), so today costs what today's
    tickets cost, not history.
    """
    days = [since + datetime.timedelta(days=n) for n in range((until - since).days)]
    counts = dict.fromkeys(days, (0, 0))
    live = days
    rolled_until = _rolled_until(hours)
    if rolled_until is not None and rolled_until > since:
        stored_until = min(until, rolled_until)
        rows = STORED_TREND.rows(since=since, until=stored_until)
        dirty = {day for day, _opened, _solved, marked in rows if marked}
        for day, opened, solved, marked in rows:
            if not marked and day not in dirty:
                counts[day] = (opened, solved)
        live = [day for day in days if day >= stored_until or day in dirty]
    if live:
        counts.update(_count_live(live, hours.zone))
    return counts


def live_counts(spans: list[tuple[datetime.datetime, datetime.datetime]]):
    """Rows of (key, tickets): tickets (not merged) opened ("o<n>") and solved ("s<n>") in
    each of `spans`, a count per span and moment, each a range of a partial index of
    unmerged tickets read alone (`ticket_created_unmerged_idx`,
    `ticket_solved_unmerged_idx`). One conditional count over the tickets opened or solved
    on the days read each of them from the table (SQLite's OR over two indexes fetches the
    rows): 5 ms of SQL for one day of the benchmark's desk."""
    parts = []
    for index, (low, high) in enumerate(spans):
        for key, field in ((f"o{index}", "created_at"), (f"s{index}", "solved_at")):
            parts.append(
                Ticket.objects.filter(
                    **{f"{field}__gte": low, f"{field}__lt": high}, merged_into__isnull=True
                )
                .order_by()
                .annotate(key=Value(key))
                .values("key")
                .annotate(n=Count("*"))
            )
    return parts[0].union(*parts[1:], all=True).values_list("key", "n")


# The usual case, today alone, compiled once per connection (workmate.lib.prepared):
# building the union was most of the trend's cost.
ONE_DAY_COUNTS = PreparedQuery(
    lambda low, high: live_counts([(low, high)]), low="datetime", high="datetime"
)


def _count_live(days: list[datetime.date], zone) -> dict[datetime.date, tuple[int, int]]:
    """Tickets (not merged) opened and solved on each of `days`, in one query
    (`live_counts`)."""
    spans = [_bounds(day, zone) for day in days]
    if len(spans) == 1:
        found = dict(ONE_DAY_COUNTS.rows(low=spans[0][0], high=spans[0][1]))
    else:
        found = dict(live_counts(spans))
    return {day: (found.get(f"o{n}", 0), found.get(f"s{n}", 0)) for n, day in enumerate(days)}


# --- Dirty marks ------------------------------------------------------------------------


def mark_dirty(*moments: datetime.datetime | None) -> None:
    """Mark the days of `moments` (a ticket opened, solved) as touched, except today (always
    live).

    A moment in the last minutes is today's in any zone: no query for it.
    """
    now = timezone.now()
    old = [m for m in moments if m is not None and now - m >= datetime.timedelta(minutes=5)]
    if not old:
        return
    zone = _zone()
    today = _today(zone)
    days = {timezone.localtime(moment, zone).date() for moment in old}
    marks = [DeskDirtyDay(day=day) for day in sorted(days) if day < today]
    if marks:
        DeskDirtyDay.objects.bulk_create(marks, ignore_conflicts=True)


def _zone():
    from django.conf import settings

    from workmate.accounts.models import Team

    code = settings.DESK_SUPPORT_TEAM
    team = Team.objects.filter(code=code).only("time_zone").first()
    return WorkingHours.around_the_clock(team.time_zone if team else settings.TIME_ZONE).zone


def ticket_saved(sender, instance: Ticket, created: bool, update_fields=None, **kwargs) -> None:
    """A change, or a ticket opened with an earlier date (an import), marks its day; a
    change of when it was solved (or a merge) also the day it was solved on, before and
    after (`Ticket.from_db` keeps the moment as read)."""
    if kwargs.get("raw"):
        return
    fields = None if update_fields is None else set(update_fields)
    solved_before = instance.__dict__.get("_loaded_solved_at")
    solved_now = instance.__dict__.get("solved_at")
    if fields is None or "solved_at" in fields:
        instance._loaded_solved_at = solved_now
    if fields is not None and not (fields & REPORT_FIELDS):
        return
    if fields is None or fields & SOLVED_FIELDS:
        mark_dirty(instance.created_at, solved_before, solved_now)
    else:
        mark_dirty(instance.created_at)


def ticket_deleted(sender, instance: Ticket, **kwargs) -> None:
    mark_dirty(instance.created_at, instance.__dict__.get("solved_at"))


def satisfaction_changed(sender, instance: Satisfaction, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    created_at = Ticket.objects.filter(pk=instance.ticket_id).values_list("created_at", flat=True)
    mark_dirty(created_at.first())


# --- The SLA moments ledger (DeskSlaCount) ----------------------------------------------

# The rows passed this long before the clock's run are folded: a reading at any moment
# since (a request begun before the fold, another server's clock) sums the same rows.
SLA_FOLD_MARGIN = datetime.timedelta(minutes=10)


def rebuild_sla_counts() -> int:
    """Recount `DeskSlaCount` from the running tickets (one row per ticket and kind, the
    passed ones folded); the number of rows written. Writers wait meanwhile, as in
    `rebuild_active_counts`."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE desk_ticket IN SHARE ROW EXCLUSIVE MODE")
        DeskSlaCount.objects.all().delete()
        rows = []
        for ticket in Ticket.objects.running().only(
            "assignee_id", "resolution_due", "resolution_risk_at", "first_response_due",
            "first_response_risk_at", "first_responded_at", "status", "merged_into_id",
        ).iterator(chunk_size=2000):  # fmt: skip
            for kind, at in sla_moments(ticket).items():
                rows.append(
                    DeskSlaCount(kind=kind, assignee_id=ticket.assignee_id or 0, at=at, count=1)
                )
        DeskSlaCount.objects.bulk_create(rows, batch_size=1000)
    compact_sla_counts()
    return DeskSlaCount.objects.count()


def sla_moments(ticket: Ticket) -> dict[str, datetime.datetime]:
    """What the triggers of migration 0015 write for a running ticket: {"due": its due
    moment (the resolution due, or the first response due while unanswered, whichever is
    first), "risk": the moment it is first at risk or breached (the earliest of those and
    its risk moments)}, each left out when the ticket has none. So at a moment, the passed
    "due" rows count the breached tickets and the passed "risk" rows minus those the ones at
    risk: the same tests as `sla_conditions`."""
    unanswered = ticket.first_responded_at is None
    dues = [ticket.resolution_due, ticket.first_response_due if unanswered else None]
    risks = [ticket.resolution_risk_at, ticket.first_response_risk_at if unanswered else None]
    dues = [moment for moment in dues if moment is not None]
    risks = [moment for moment in risks if moment is not None]
    moments = {}
    if dues or risks:
        moments["risk"] = min([*dues, *risks])
    if dues:
        moments["due"] = min(dues)
    return moments


# Whether the rows passed by the bound need folding: more than one row for a kind and
# agent, or a sum of 0 (a few dozen rows on a quiet desk, where there is nothing to fold).
_SLA_UNFOLDED = (
    "SELECT EXISTS (SELECT 1 FROM desk_deskslacount WHERE at <= %s"
    " GROUP BY kind, assignee_id HAVING COUNT(*) > 1 OR SUM(count) = 0)"
)
# As _FOLD_POSTGRES: the rows summed are exactly the rows deleted, in one statement.
_SLA_FOLD_POSTGRES = (
    "WITH gone AS (DELETE FROM desk_deskslacount WHERE at <= %s AND id <= %s"
    " RETURNING kind, assignee_id, count),"
    " kept AS (INSERT INTO desk_deskslacount (kind, assignee_id, at, count)"
    " SELECT kind, assignee_id, %s, SUM(count) FROM gone GROUP BY 1, 2 HAVING SUM(count) <> 0"
    " RETURNING 1)"
    " SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM kept)"
)
# SQLite: one write transaction; the folded rows (at the bound) get ids above the bound id.
_SLA_FOLD_SQLITE = [
    "INSERT INTO desk_deskslacount (kind, assignee_id, at, count)"
    " SELECT kind, assignee_id, %s, SUM(count) FROM desk_deskslacount"
    " WHERE at <= %s AND id <= %s GROUP BY 1, 2 HAVING SUM(count) <> 0",
    "DELETE FROM desk_deskslacount WHERE at <= %s AND id <= %s",
]


def compact_sla_counts(now: datetime.datetime | None = None) -> int:
    """Fold the `DeskSlaCount` rows passed `SLA_FOLD_MARGIN` before `now` into one row per
    kind and agent at that bound, dropping sums of 0; the number of rows folded away (0:
    nothing to fold, and nothing written). The rows ahead of the bound, and those the
    triggers write meanwhile, are kept for a later time."""
    bound = (now or timezone.now()) - SLA_FOLD_MARGIN
    value = connection.ops.adapt_datetimefield_value(bound)
    with connection.cursor() as cursor:
        cursor.execute(_SLA_UNFOLDED, [value])  # outside a transaction: no write lock
        if not cursor.fetchone()[0]:
            return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM desk_deskslacount")
        last = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute(_SLA_FOLD_POSTGRES, [value, last, value])
            deleted, added = cursor.fetchone()
        else:
            cursor.execute(_SLA_FOLD_SQLITE[0], [value, value, last])
            added = cursor.rowcount
            cursor.execute(_SLA_FOLD_SQLITE[1], [value, last])
            deleted = cursor.rowcount
    return deleted - added
