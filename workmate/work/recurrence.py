"""Recurring tasks: set a rule on a task, and completing the task creates the next one.

The rule (`Recurrence`) lives on one task at a time. Completing that task (through
`services.do_update_task`, which every way of completing goes through) calls
`on_completed`, which copies the task with the next due date and moves the rule over.
"""

from __future__ import annotations

import calendar
import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, User
from workmate.lib.workcalendar import WorkingHours
from workmate.work import services
from workmate.work.models import Frequency, Recurrence, Task

# How far the holiday skip walks forward before giving up (a calendar with no working day).
MAX_SKIP_DAYS = 366


def calendar_for(task: Task) -> WorkingHours:
    """The working-time calendar the task's dates follow: its assignee's, else its team's."""
    days_off = CompanyDayOff.objects.dates()
    if task.assignee_id is not None:
        return task.assignee.profile.working_hours(days_off)
    return task.project.team.working_hours(days_off)


def next_working_day(hours: WorkingHours, day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    for offset in range(MAX_SKIP_DAYS):
        candidate = day + datetime.timedelta(days=offset)
        if hours.is_working_day(candidate):
            return candidate
    raise ValueError("The calendar has no working day within a year.")


def last_working_day(hours: WorkingHours, year: int, month: int) -> datetime.date:
    """The last working day of a month; the month's last day when none of it is working."""
    day = datetime.date(year, month, calendar.monthrange(year, month)[1])
    first = day.replace(day=1)
    while day >= first:
        if hours.is_working_day(day):
            return day
        day -= datetime.timedelta(days=1)
    return first.replace(day=calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _day_in_month(year: int, month: int, day_of_month: int) -> datetime.date:
    """Day N of a month; a short month uses its last day (the 31st in February is the 28th)."""
    return datetime.date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def next_due(rule: Recurrence, after: datetime.date, hours: WorkingHours) -> datetime.date:
    """The first date after `after` that the rule gives.

    Steps:
    1. Daily: `interval` days later.
    2. Weekly: the next chosen weekday later in the same week; past the week's last chosen
       day, the first chosen day `interval` weeks on.
    3. Monthly on day N / on the last working day: that day of this month when it is still
       ahead, else of the month `interval` months on.
    4. With `skip_holidays`, a date on a weekend, public holiday or company day off of the
       calendar moves to the next working day.
    """
    interval = max(rule.interval, 1)
    if rule.frequency == Frequency.DAILY:
        due = after + datetime.timedelta(days=interval)
    elif rule.frequency == Frequency.WEEKLY:
        weekdays = sorted(set(rule.weekdays or [after.weekday()]))
        later = [day for day in weekdays if day > after.weekday()]
        if later:
            due = after + datetime.timedelta(days=later[0] - after.weekday())
        else:
            monday = after - datetime.timedelta(days=after.weekday())
            due = monday + datetime.timedelta(weeks=interval, days=weekdays[0])
    elif rule.frequency == Frequency.MONTHLY_DAY:
        day_of_month = rule.day_of_month or after.day
        due = _day_in_month(after.year, after.month, day_of_month)
        if due <= after:
            due = _day_in_month(*_add_months(after.year, after.month, interval), day_of_month)
    else:
        due = last_working_day(hours, after.year, after.month)
        if due <= after:
            due = last_working_day(hours, *_add_months(after.year, after.month, interval))
    if rule.skip_holidays:
        due = next_working_day(hours, due)
    return due


def check_rule(
    frequency: str, interval: int, weekdays: list[int], day_of_month: int | None
) -> None:
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose how the task repeats.")})
    if not 1 <= interval <= 365:
        raise ValidationError({"interval": _("Repeat every 1 to 365 periods.")})
    if frequency == Frequency.WEEKLY and not weekdays:
        raise ValidationError({"weekdays": _("Choose at least one weekday.")})
    if any(day not in range(7) for day in weekdays):
        raise ValidationError({"weekdays": _("Weekdays are Monday to Sunday.")})
    if frequency == Frequency.MONTHLY_DAY and not (day_of_month and 1 <= day_of_month <= 31):
        raise ValidationError({"day_of_month": _("Choose a day of the month from 1 to 31.")})


@transaction.atomic
def do_set_recurrence(
    actor: User,
    task: Task,
    *,
    frequency: str,
    interval: int = 1,
    weekdays: list[int] | None = None,
    day_of_month: int | None = None,
    skip_holidays: bool = True,
) -> Recurrence:
    """Make a task repeat, or change how it repeats."""
    services.check_can_edit(actor, task.project)
    weekdays = sorted(set(weekdays or []))
    check_rule(frequency, interval, weekdays, day_of_month)
    if frequency != Frequency.WEEKLY:
        weekdays = []
    if frequency != Frequency.MONTHLY_DAY:
        day_of_month = None
    # Lock the task so a rule set while someone completes it lands on one task only.
    Task.objects.select_for_update().filter(pk=task.pk).count()
    rule, _created = Recurrence.objects.update_or_create(
        task=task,
        defaults={
            "frequency": frequency,
            "interval": interval,
            "weekdays": weekdays,
            "day_of_month": day_of_month,
            "skip_holidays": skip_holidays,
        },
    )
    services._log(task, actor, "changed", "recurrence", "", rule.frequency)
    return rule


@transaction.atomic
def do_remove_recurrence(actor: User, task: Task) -> None:
    services.check_can_edit(actor, task.project)
    deleted, _rows = Recurrence.objects.filter(task=task).delete()
    if deleted:
        services._log(task, actor, "changed", "recurrence", "repeats", "")


def on_completed(actor: User, task: Task) -> Task | None:
    """Create the next occurrence of a just-completed recurring task, once.

    Called inside `do_update_task`'s transaction with the task row locked. Steps: lock the
    rule (a double submit must not create two successors) and stop unless it still belongs
    to this task; compute the next due date from the task's due date (or today in the
    calendar's zone); copy the task with its tags and followers; move the rule to the copy.
    """
    rule = Recurrence.objects.select_for_update().filter(task_id=task.pk).first()
    if rule is None:
        return None
    task = Task.objects.select_related("assignee__profile", "project__team").get(pk=task.pk)
    hours = calendar_for(task)
    base = task.due_on or timezone.localdate(timezone.now(), hours.zone)
    due_on = next_due(rule, base, hours)
    start_on = None
    if task.start_on is not None:
        start_on = due_on - ((task.due_on or base) - task.start_on)
    due_at = None
    if task.due_at is not None:
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local_time = task.due_at.astimezone(zone).time()
        due_at = datetime.datetime.combine(due_on, local_time, tzinfo=zone)
    last = (
        Task.objects.filter(project_id=task.project_id, section_id=task.section_id, parent=None)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    successor = Task.objects.create(
        project_id=task.project_id,
        section_id=task.section_id,
        parent_id=task.parent_id,
        title=task.title,
        description=task.description,
        assignee_id=task.assignee_id,
        created_by=actor,
        priority=task.priority,
        start_on=start_on,
        due_on=due_on,
        due_at=due_at,
        position=(last or 0) + 1,
    )
    successor.tags.set(task.tags.all())
    successor.followers.set(task.followers.all())
    rule.task = successor
    rule.save(update_fields=["task"])
    services._log(successor, actor, "created")
    services._log(task, actor, "changed", "recurrence", "", str(due_on))
    return successor
