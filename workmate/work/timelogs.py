"""Time logged on tasks, and the weekly sums of the timesheet."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, TeamRole, User
from workmate.desk.models import Customer
from workmate.work import services
from workmate.work.models import Project, Task, TimeLog

MAX_MINUTES = 24 * 60
_HOURS_MINUTES = re.compile(r"^(?:(?P<h>\d+(?:[.,]\d+)?)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")
_CLOCK = re.compile(r"^(?P<h>\d+):(?P<m>[0-5]\d)$")


def parse_duration(text: str) -> int:
    """Minutes from "90", "1h 30m", "1h", "45m", "1.5h", "1:30" or "1시간 30분"."""
    value = text.strip().lower().replace("시간", "h").replace("분", "m")
    value = re.sub(r"\s+", " ", value)
    if value.isdigit():
        return int(value)
    match = _CLOCK.match(value)
    if match:
        return int(match["h"]) * 60 + int(match["m"])
    match = _HOURS_MINUTES.match(value)
    if value and match and (match["h"] or match["m"]):
        hours = float(match["h"].replace(",", ".")) if match["h"] else 0.0
        return round(hours * 60) + int(match["m"] or 0)
    raise ValidationError(
        {"duration": _("Write the time as minutes (90), “1h 30m” or “1:30”.")}, code="duration"
    )


def format_minutes(minutes: int | None) -> str:
    minutes = minutes or 0
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)dh %(m)02dm") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)dh") % {"h": hours}
    return _("%(m)dm") % {"m": rest}


def today_for(user: User) -> datetime.date:
    """Today's date in the person's own time zone."""
    return timezone.localdate(timezone.now(), user.profile.zone)


def _check(minutes: int, worked_on: datetime.date, note: str) -> None:
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationError({"duration": _("Log between 1 minute and 24 hours.")})
    if worked_on > timezone.localdate() + datetime.timedelta(days=1):
        raise ValidationError({"worked_on": _("Time cannot be logged for a future day.")})
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})


@transaction.atomic
def do_log_time(
    actor: User,
    task: Task,
    *,
    minutes: int,
    worked_on: datetime.date | None = None,
    note: str = "",
    billable: bool = False,
    customer: Customer | None = None,
) -> TimeLog:
    """Record time the actor worked on a task they may work on (`services.can_work_on`)."""
    services.check_can_work_on(actor, task)
    worked_on = worked_on or today_for(actor)
    note = note.strip()
    _check(minutes, worked_on, note)
    entry = TimeLog.objects.create(
        task=task,
        user=actor,
        worked_on=worked_on,
        minutes=minutes,
        note=note,
        billable=billable,
        customer=customer,
    )
    return entry


def get_time_log_for_user(user: User, pk: int) -> TimeLog:
    """An entry of the person's own; other people's entries do not exist for them."""
    entry = TimeLog.objects.select_related("task__project").filter(pk=pk, user=user).first()
    if entry is None or not services.can_view_project(user, entry.task.project):
        raise Http404("No such time entry.")
    return entry


@transaction.atomic
def do_update_time_log(
    actor: User,
    entry: TimeLog,
    *,
    minutes: int,
    worked_on: datetime.date,
    note: str = "",
    billable: bool = False,
    customer: Customer | None = None,
) -> TimeLog:
    if entry.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who logged the time can change it."))
    note = note.strip()
    _check(minutes, worked_on, note)
    entry.minutes = minutes
    entry.worked_on = worked_on
    entry.note = note
    entry.billable = billable
    entry.customer = customer
    entry.save(update_fields=["minutes", "worked_on", "note", "billable", "customer"])
    return entry


@transaction.atomic
def do_delete_time_log(actor: User, entry: TimeLog) -> None:
    if entry.user_id != actor.pk:
        raise PermissionDenied(_("Only the person who logged the time can delete it."))
    entry.delete()


# --- The timesheet ----------------------------------------------------------------------


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the ISO week holding `day`."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def parse_week(value: str | None, default: datetime.date) -> datetime.date:
    """The Monday of an ISO week written "2026-W48"; the default's week when blank or bad."""
    match = re.match(r"^(\d{4})-W(\d{1,2})$", (value or "").strip())
    if match:
        try:
            return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    return week_of(default)[0]


@dataclass
class Totals:
    minutes: int = 0
    billable: int = 0

    @property
    def non_billable(self) -> int:
        return self.minutes - self.billable


@dataclass
class Row:
    label: str
    sublabel: str = ""
    task_id: int | None = None
    days: list[int] = field(default_factory=lambda: [0] * 7)
    totals: Totals = field(default_factory=Totals)


@dataclass
class Timesheet:
    monday: datetime.date
    my_rows: list[Row]
    my_days: list[int]
    my_totals: Totals
    projects: list[Row]
    people: list[Row]

    @property
    def days(self) -> list[datetime.date]:
        return [self.monday + datetime.timedelta(days=n) for n in range(7)]

    @property
    def iso_week(self) -> str:
        return _iso_week(self.monday)

    @property
    def previous_week(self) -> str:
        return _iso_week(self.monday - datetime.timedelta(weeks=1))

    @property
    def next_week(self) -> str:
        return _iso_week(self.monday + datetime.timedelta(weeks=1))


def _iso_week(day: datetime.date) -> str:
    year, week, _day = day.isocalendar()
    return f"{year}-W{week:02d}"


_BILLABLE = Sum("minutes", filter=Q(billable=True))


def timesheet_for(user: User, monday: datetime.date) -> Timesheet:
    """Weekly sums in three aggregate queries, whatever the number of entries.

    1. My week: minutes per task and day.
    2. Per project: everyone's minutes on the projects the person can see.
    3. Per person: the people of the teams the person leads (and the person).
    """
    sunday = monday + datetime.timedelta(days=6)
    week = TimeLog.objects.filter(worked_on__range=(monday, sunday))

    rows: dict[int, Row] = {}
    my_days = [0] * 7
    my_totals = Totals()
    mine = (
        week.filter(user=user)
        .values("task_id", "task__title", "task__project__name", "worked_on")
        .annotate(total=Sum("minutes"), billable_total=_BILLABLE)
        .order_by("task__project__name", "task__title", "task_id", "worked_on")
    )
    for item in mine:
        row = rows.setdefault(
            item["task_id"],
            Row(item["task__title"], item["task__project__name"], task_id=item["task_id"]),
        )
        index = (item["worked_on"] - monday).days
        row.days[index] += item["total"]
        row.totals.minutes += item["total"]
        row.totals.billable += item["billable_total"] or 0
        my_days[index] += item["total"]
        my_totals.minutes += item["total"]
        my_totals.billable += item["billable_total"] or 0

    projects = [
        _row(item["task__project__name"], item, "task__project__team__code")
        for item in week.filter(task__project__in=Project.objects.visible_to(user))
        .values("task__project_id", "task__project__name", "task__project__team__code")
        .annotate(total=Sum("minutes"), billable_total=_BILLABLE)
        .order_by("task__project__name", "task__project_id")
    ]

    led_teams = Membership.objects.filter(user=user, role=TeamRole.LEAD).values("team_id")
    people_filter = Q(pk=user.pk) | Q(memberships__team_id__in=led_teams)
    people = [
        _row(item["user__full_name"], item, "user__email")
        for item in week.filter(user__in=User.objects.filter(people_filter).distinct().values("pk"))
        .values("user_id", "user__full_name", "user__email")
        .annotate(total=Sum("minutes"), billable_total=_BILLABLE)
        .order_by("user__full_name", "user_id")
    ]
    return Timesheet(
        monday=monday,
        my_rows=list(rows.values()),
        my_days=my_days,
        my_totals=my_totals,
        projects=projects,
        people=people,
    )


def _row(label: str, item: dict, sublabel_key: str) -> Row:
    return Row(
        label,
        item[sublabel_key],
        totals=Totals(item["total"] or 0, item["billable_total"] or 0),
    )
