"""The desk dashboard (`/desk/`): where the desk stands now, for agents and leads.

Every figure is a count over active tickets or over today's and the last 30 days' moments,
each read through an index made for it (see the indexes on Ticket), so the page costs the
same at any amount of history and a fixed number of queries:

1. one pass over the active tickets (`ticket_active_dashboard_idx`, which holds every
   column the pass reads) counting by status, priority, team and assignee, with how many of
   each are breached and at risk now (`sla_conditions`, the queues' own tests);
2. the oldest tickets waiting on the desk (active, not waiting on the customer);
3. today's first responses and solved tickets, and how many met their target;
4. tickets opened and solved on each of the last 30 days in the support calendar's zone
   (the trend chart): the days rolled up as `DeskTrendDay` rows by the clock, today (and
   days touched since their roll-up) counted live (`stats.trend_days`), so it costs what
   today's tickets cost, not the month's;
5. the names of the teams and agents counted.

Per-agent load is counts of each agent's active tickets (and breached among them), in name
order: who holds how much, not a ranking. Each figure links to the queue it counts, with
the queue's filter applied.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import Team, User
from workmate.desk import sla, stats
from workmate.desk.models import Priority, Status, Ticket, sla_conditions

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
    oldest: list[Ticket]
    first_response_today: Attainment
    solved_today: Attainment
    load: list[AgentLoad]
    trend: Trend


def _queue(name: str, **filters: object) -> str:
    url = reverse(f"desk:{name}")
    return f"{url}?{urlencode(filters)}" if filters else url


def _today(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    day = timezone.localdate(now)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), zone)
    return start, start + datetime.timedelta(days=1)


def _attainment(moment: str, due: str, start: datetime.datetime, end: datetime.datetime):
    counts = Ticket.objects.filter(
        **{f"{moment}__gte": start, f"{moment}__lt": end, f"{due}__isnull": False},
        merged_into__isnull=True,
    ).aggregate(counted=Count("pk"), met=Count("pk", filter=Q(**{f"{moment}__lte": F(due)})))
    return Attainment(counts["counted"], counts["met"])


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


def build_dashboard(now: datetime.datetime | None = None) -> Dashboard:
    """The figures of the dashboard (see the module's docstring for its steps)."""
    now = now or timezone.now()
    breached_now, at_risk_now = sla_conditions(now)
    rows = list(
        Ticket.objects.active()
        .order_by()
        .values("status", "priority", "team_id", "assignee_id")
        .annotate(
            count=Count("pk"),
            breached=Count("pk", filter=breached_now),
            at_risk=Count("pk", filter=at_risk_now),
        )
    )
    status, priority, team, assignee, breached_by = (Counter() for _ in range(5))
    for row in rows:
        status[row["status"]] += row["count"]
        priority[row["priority"]] += row["count"]
        team[row["team_id"]] += row["count"]
        assignee[row["assignee_id"]] += row["count"]
        breached_by[row["assignee_id"]] += row["breached"]

    by_status = [
        Figure(str(label), status[code], _queue("all", status=code))
        for code, label in Status.choices
        if code not in {Status.SOLVED, Status.CLOSED}
    ]
    by_priority = [
        Figure(str(label), priority[code], _queue("all", priority=code))
        for code, label in Priority.choices
    ]
    names = dict(Team.objects.filter(pk__in=[pk for pk in team if pk]).values_list("pk", "name"))
    by_team = sorted(
        (
            Figure(names.get(pk, "") if pk else _("No team"), count,
                   _queue("all", team=pk) if pk else _queue("all"))
            for pk, count in team.items()
        ),
        key=lambda figure: (figure.label == _("No team"), figure.label.lower()),
    )  # fmt: skip
    people = User.objects.filter(pk__in=[pk for pk in assignee if pk]).only("pk", "full_name")
    load = sorted(
        (
            AgentLoad(person.full_name, assignee[person.pk], breached_by[person.pk],
                      _queue("all", assignee=person.pk))
            for person in people
        ),
        key=lambda agent: agent.name.lower(),
    )  # fmt: skip
    start, end = _today(now)
    oldest = list(
        Ticket.objects.active()
        .exclude(status=Status.PENDING)
        .select_related("customer", "assignee")
        .order_by("created_at", "pk")[:OLDEST]
    )
    return Dashboard(
        active=sum(status.values()),
        by_status=by_status,
        by_priority=by_priority,
        by_team=by_team,
        breached=Figure(_("Breached"), sum(r["breached"] for r in rows), _queue("breached")),
        at_risk=Figure(_("At risk"), sum(r["at_risk"] for r in rows), _queue("at_risk")),
        unassigned=Figure(_("Unassigned"), assignee[None], _queue("all", assignee="none")),
        oldest=oldest,
        first_response_today=_attainment("first_responded_at", "first_response_due", start, end),
        solved_today=_attainment("solved_at", "resolution_due", start, end),
        load=load,
        trend=_trend(now),
    )
