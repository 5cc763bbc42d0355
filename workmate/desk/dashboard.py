"""The desk dashboard (`/desk/`): where the desk stands now, for agents and leads.

Every figure is a count over active tickets or over today's and the last 30 days' moments,
each read through an index made for it (see the indexes on Ticket), so the page costs the
same at any amount of history and a fixed number of queries:

1. the active tickets by status, priority, team and assignee, with the teams' and agents'
   names: the sums of the `DeskActiveCount` ledger database triggers write in the same
   transaction as every write to a ticket (a few hundred rows, not every active ticket;
   migration 0013);
   breached and at risk now, per agent: the sums of the `DeskSlaCount` ledger's rows
   passed now, a row per running ticket at each of its SLA moments, kept by triggers too
   and folded by the clock once passed (a few dozen rows, however many are breached;
   migration 0015, `_breached_and_at_risk`);
2. the oldest tickets waiting on the desk (active, not waiting on the customer);
3. today's first responses and solved tickets, and how many met their target (each a
   range of an index holding the due it is compared with);
4. tickets opened and solved on each of the last 30 days in the support calendar's zone
   (the trend chart): the days rolled up as `DeskTrendDay` rows by the clock, today (and
   days touched since their roll-up) counted live (`stats.trend_days`), so it costs what
   today's tickets cost, not the month's.

Per-agent load is counts of each agent's active tickets (and breached among them), in name
order: who holds how much, not a ranking. Each figure links to the queue it counts, with
the queue's filter applied.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from workmate.accounts.models import Team, User
from workmate.desk import sla, stats
from workmate.desk.models import (
    DeskActiveCount,
    DeskSlaCount,
    Priority,
    Status,
    Ticket,
)
from workmate.lib.prepared import PreparedQuery
from workmate.lib.urls import reverse_ids

TREND_DAYS = 30
OLDEST = 5
# The trend chart's geometry (SVG user units): one column pair a day.
CHART_HEIGHT = 120
CHART_TOP = 8
CHART_LEFT = 32
DAY_WIDTH = 16


@dataclasses.dataclass
class Figure:
    label: str
    count: int
    url: str


@dataclasses.dataclass
class AgentLoad:
    name: str
    active: int
    breached: int
    url: str


@dataclasses.dataclass
class Waiting:
    """One of the tickets waiting longest, as the list shows it."""

    pk: int
    subject: str
    customer_name: str | None
    created_at: datetime.datetime

    @property
    def url(self) -> str:
        return reverse_ids("desk:ticket", self.pk)


@dataclasses.dataclass
class Attainment:
    counted: int
    met: int

    @property
    def share(self) -> float | None:
        return None if self.counted == 0 else 100 * self.met / self.counted


@dataclasses.dataclass
class Column:
    x: float
    y: float
    height: float


@dataclasses.dataclass
class TrendDay:
    day: datetime.date
    opened: int
    solved: int
    opened_bar: Column
    solved_bar: Column
    label: str


@dataclasses.dataclass
class Trend:
    days: list[TrendDay]
    top: int
    width: int
    height: int = CHART_HEIGHT + CHART_TOP + 18
    left: int = CHART_LEFT
    baseline: int = CHART_HEIGHT + CHART_TOP
    column_width: float = (DAY_WIDTH - 4) / 2

    @property
    def top_y(self) -> int:
        return CHART_TOP + 4

    @property
    def columns_html(self) -> str:
        """Each day's group of the chart (its tooltip, two columns, a date every 7 days),
        written here rather than by the template: 30 days of nested tags and translated
        tooltips were the page's largest rendering cost."""
        tooltip = _("%(day)s: %(opened)s opened, %(solved)s solved")
        width, label_y = self.column_width, self.height - 4
        last = len(self.days) - 1
        parts = []
        for index, day in enumerate(self.days):
            title = escape(tooltip % {"day": day.label, "opened": day.opened, "solved": day.solved})
            opened, solved = day.opened_bar, day.solved_bar
            if index == last:
                # Today's date ends at its columns' right edge, inside the chart (from its
                # left edge, it ran past the chart's width and was cut off).
                right = round(opened.x + 2 * width, 1)
                label = (
                    f'<text x="{right}" y="{label_y}" text-anchor="end">{escape(day.label)}</text>'
                )
            elif (last - index) % 7 == 0:
                label = f'<text x="{opened.x}" y="{label_y}">{escape(day.label)}</text>'
            else:
                label = ""
            parts.append(
                f"<g>\n      <title>{title}</title>\n"
                f'      <rect x="{opened.x}" y="{opened.y}" width="{width}"'
                f' height="{opened.height}" fill="#1f5eff"></rect>\n'
                f'      <rect x="{solved.x}" y="{solved.y}" width="{width}"'
                f' height="{solved.height}" fill="#2e9e5b"></rect>\n'
                f"      {label}\n    </g>"
            )
        # Numbers and escaped text only.
        return mark_safe("".join(parts))

    @property
    def opened_total(self) -> int:
        return sum(day.opened for day in self.days)

    @property
    def solved_total(self) -> int:
        return sum(day.solved for day in self.days)


@dataclasses.dataclass
class Dashboard:
    active: int
    by_status: list[Figure]
    by_priority: list[Figure]
    by_team: list[Figure]
    breached: Figure
    at_risk: Figure
    unassigned: Figure
    oldest: list[Waiting]
    first_response_today: Attainment
    solved_today: Attainment
    load: list[AgentLoad]
    trend: Trend

    @property
    def load_rows_html(self) -> str:
        """The per-agent table's rows, written here rather than by a template loop: one row
        per agent holding a ticket (hundreds on a busy desk) was the page's largest
        rendering cost after the chart. The same bytes as `{{ }}` would write."""
        return mark_safe(  # Numbers and escaped text only.
            "".join(
                f'<tr><td>{escape(person.name)}</td><td><a href="{escape(person.url)}">'
                f"{person.active}</a></td><td>{person.breached}</td></tr>"
                for person in self.load
            )
        )


def _queue(name: str, **filters: object) -> str:
    # Reversed once per process (workmate.lib.urls): some 50 links a page.
    url = reverse_ids(f"desk:{name}")
    return f"{url}?{urlencode(filters)}" if filters else url


def _today(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    day = timezone.localdate(now)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), zone)
    return start, start + datetime.timedelta(days=1)


def attainment_counts(start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    """(counted, met) of today's first responses, then of today's solved tickets, each with
    a target: two ranges of covering indexes (`ticket_first_response_met_idx`,
    `ticket_solved_met_idx`), one query."""
    parts = []
    for moment, due in (
        ("first_responded_at", "first_response_due"),
        ("solved_at", "resolution_due"),
    ):
        parts.append(
            Ticket.objects.filter(
                **{f"{moment}__gte": start, f"{moment}__lt": end, f"{due}__isnull": False},
                merged_into__isnull=True,
            )
            .order_by()
            .annotate(part=Value(moment))
            .values("part")
            .annotate(
                counted=Count(moment), met=Count(moment, filter=Q(**{f"{moment}__lte": F(due)}))
            )
            .values_list("part", "counted", "met")
        )
    return parts[0].union(parts[1], all=True)


ATTAINMENT_COUNTS = PreparedQuery(attainment_counts, start="datetime", end="datetime")


def _attainment(start: datetime.datetime, end: datetime.datetime) -> tuple[Attainment, Attainment]:
    """Today's (first responses, solved) in time (`attainment_counts`, compiled once)."""
    found = {
        part: Attainment(counted, met)
        for part, counted, met in ATTAINMENT_COUNTS.rows(start=start, end=end)
    }
    return found["first_responded_at"], found["solved_at"]


def _trend(now: datetime.datetime) -> Trend:
    hours = sla.support_calendar()
    today = timezone.localtime(now, hours.zone).date()
    first = today - datetime.timedelta(days=TREND_DAYS - 1)
    counts = stats.trend_days(first, today + datetime.timedelta(days=1), hours)
    dates = sorted(counts)
    opened = [counts[day][0] for day in dates]
    solved = [counts[day][1] for day in dates]
    top = max([*opened, *solved, 1])
    days = []
    for index, day in enumerate(dates):
        x = CHART_LEFT + index * DAY_WIDTH
        bars = []
        for offset, value in ((0, opened[index]), (1, solved[index])):
            height = round(CHART_HEIGHT * value / top, 1)
            bars.append(
                Column(
                    x=x + 1 + offset * (DAY_WIDTH - 4) / 2,
                    y=CHART_TOP + CHART_HEIGHT - height,
                    height=height,
                )
            )
        days.append(TrendDay(day, opened[index], solved[index], *bars, label=f"{day:%m-%d}"))
    return Trend(days=days, top=top, width=CHART_LEFT + TREND_DAYS * DAY_WIDTH + 4)


def sla_counts(now: datetime.datetime) -> QuerySet:
    """Rows of (kind, agent, sum) of the `DeskSlaCount` ledger's rows passed at `now`: per
    agent, the running tickets breached ("due") and those at risk or breached ("risk").

    The triggers of migration 0015 keep a row per running ticket at each of its moments, and
    the clock folds those passed into one per kind and agent, so this reads a few dozen
    rows plus the moments passed since the clock's last fold, however many tickets are
    breached (counted over the tickets, it sorted all of them by agent: 6.5 ms at 10,000)."""
    return (
        DeskSlaCount.objects.filter(at__lte=now)
        .order_by()
        .values("kind", "assignee_id")
        .annotate(total=Sum("count"))
        .values_list("kind", "assignee_id", "total")
    )


# Its SQL compiled once per connection, the moment a parameter (workmate.lib.prepared).
SLA_COUNTS = PreparedQuery(sla_counts, now="datetime")


def _breached_and_at_risk(now: datetime.datetime) -> dict[int | None, tuple[int, int]]:
    """{assignee id: (breached, at risk)} now (`sla_counts`, one query): breached are the
    "due" moments passed, at risk the "risk" moments passed less them."""
    passed: dict[str, Counter] = {"due": Counter(), "risk": Counter()}
    for kind, agent, total in SLA_COUNTS.rows(now=now):
        passed[kind][agent or None] += total
    due, risk = passed["due"], passed["risk"]
    return {
        agent: (due[agent], risk[agent] - due[agent])
        for agent in risk.keys() | due.keys()
        if risk[agent] or due[agent]
    }


def active_rows() -> QuerySet:
    """(status, priority, team id, assignee id, active tickets, team name, agent name) for
    each combination with active tickets now: the sums of the trigger-written
    `DeskActiveCount` ledger by combination (a few hundred rows, however many tickets are
    active, plus the rows written since the clock last folded them), the names read beside
    them (one query). The names' subqueries are unordered: with the models' orderings,
    PostgreSQL sorted one row for each of them, twice per combination (1 ms more at 640)."""
    return (
        DeskActiveCount.objects.order_by()
        .values("status", "priority", "team_id", "assignee_id")
        .annotate(total=Sum("count"))
        .filter(total__gt=0)
        .annotate(
            team_name=Subquery(
                Team.objects.filter(pk=OuterRef("team_id")).order_by().values("name")
            ),
            agent_name=Subquery(
                User.objects.filter(pk=OuterRef("assignee_id")).order_by().values("full_name")
            ),
        )
        .values_list(
            "status", "priority", "team_id", "assignee_id", "total", "team_name", "agent_name"
        )
    )


# Compiled once per connection (workmate.lib.prepared): building it was a third of its cost.
ACTIVE_ROWS = PreparedQuery(active_rows)


def _active_rows() -> list[tuple]:
    """`active_rows`, no team or agent as None."""
    return [
        (st, pr, tm or None, ag or None, n, tn, an)
        for st, pr, tm, ag, n, tn, an in ACTIVE_ROWS.rows()
    ]


def oldest_waiting() -> QuerySet:
    """The OLDEST active tickets waiting on the desk (not on the customer), oldest first:
    the start of `ticket_active_created_idx`."""
    return (
        Ticket.objects.active()
        .exclude(status=Status.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", "subject", "customer__name", "created_at")[:OLDEST]
    )


# Compiled once per connection: building it and making 5 tickets with their customers and
# agents cost 1.5 ms of CPU, reading them 0.1 ms.
OLDEST_WAITING = PreparedQuery(oldest_waiting)


def build_dashboard(now: datetime.datetime | None = None) -> Dashboard:
    """The figures of the dashboard (see the module's docstring for its steps)."""
    now = now or timezone.now()
    status, priority, team, assignee = (Counter() for _ in range(4))
    team_names, agent_names = {}, {}
    for code, level, team_id, assignee_id, count, team_name, agent_name in _active_rows():
        status[code] += count
        priority[level] += count
        team[team_id] += count
        assignee[assignee_id] += count
        team_names[team_id] = team_name or ""
        agent_names[assignee_id] = agent_name
    sla_now = _breached_and_at_risk(now)
    breached_by = {pk: breached for pk, (breached, _at_risk) in sla_now.items()}

    by_status = [
        Figure(str(label), status[code], _queue("all", status=code))
        for code, label in Status.choices
        if code not in {Status.SOLVED, Status.CLOSED}
    ]
    by_priority = [
        Figure(str(label), priority[code], _queue("all", priority=code))
        for code, label in Priority.choices
    ]
    by_team = sorted(
        (
            Figure(team_names[pk] if pk else _("No team"), count,
                   _queue("all", team=pk) if pk else _queue("all"))
            for pk, count in team.items()
        ),
        key=lambda figure: (figure.label == _("No team"), figure.label.lower()),
    )  # fmt: skip
    load = sorted(
        (
            AgentLoad(agent_names[pk], count, breached_by.get(pk, 0),
                      _queue("all", assignee=pk))
            for pk, count in assignee.items()
            if pk and agent_names[pk] is not None
        ),
        key=lambda agent: agent.name.lower(),
    )  # fmt: skip
    start, end = _today(now)
    first_response_today, solved_today = _attainment(start, end)
    oldest = [Waiting(*row) for row in OLDEST_WAITING.rows()]
    return Dashboard(
        active=sum(status.values()),
        by_status=by_status,
        by_priority=by_priority,
        by_team=by_team,
        breached=Figure(_("Breached"), sum(breached_by.values()), _queue("breached")),
        at_risk=Figure(_("At risk"), sum(r for _b, r in sla_now.values()), _queue("at_risk")),
        unassigned=Figure(_("Unassigned"), assignee[None], _queue("all", assignee="none")),
        oldest=oldest,
        first_response_today=first_response_today,
        solved_today=solved_today,
        load=load,
        trend=_trend(now),
    )
