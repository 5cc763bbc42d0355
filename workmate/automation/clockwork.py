"""What the clock does for automation, once a minute (`tasks.sweep_automation`).

1. Events nobody handled: the wake-up enqueued after commit may have been lost (a worker
   killed in between); events older than GRACE still unhandled get their rules run.
2. The clock's own events: a ticket's SLA at risk or breached, a request past its
   reply-by. Each is written once per object and deadline (`Event.dedupe_key`).
3. Time-based rules: "N working hours before/after a deadline", counted in the calendar
   the deadline is counted in (the project team's for due dates, the person asked's for
   reply-by, the support calendar for SLAs). Each fires once per object and deadline: a
   `Firing` row is claimed (a unique constraint) before the rule runs.
4. Scheduled rules: every working day or every week at a time in the owner's zone; the
   slot is claimed as a `Firing`, then the rule runs on each open object in its scope.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from workmate.automation import conditions, engine
from workmate.automation.events import record_event
from workmate.automation.models import (
    Deadline,
    Event,
    Every,
    Firing,
    Rule,
    RunStatus,
    Scope,
    TriggerKind,
)
from workmate.lib.workcalendar import WorkingHours, add_working_time, working_time_between

# The wake-up has this long to run an event's rules before the sweeper takes it over.
GRACE = datetime.timedelta(seconds=30)
BATCH = 500
# The clock's own events look back this far (a fresh installation does not replay years).
LOOKBACK = datetime.timedelta(days=7)


def sweep(now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "events": sweep_events(now),
        "milestones": record_milestones(now),
        "time_rules": fire_time_rules(now),
        "schedules": fire_schedules(now),
    }


def sweep_events(now: datetime.datetime) -> int:
    ids = list(
        Event.objects.unhandled()
        .filter(occurred_at__lte=now - GRACE)
        .order_by("id")
        .values_list("id", flat=True)[:BATCH]
    )
    for event_id in ids:
        engine.handle_event(event_id)
    return len(ids)


# --- The clock's events ------------------------------------------------------------------


def _record_once(type: str, obj: Any, key: str, **kw: Any) -> bool:
    try:
        with transaction.atomic():
            record_event(type, obj=obj, dedupe_key=key, **kw)
    except IntegrityError:
        return False  # Another clock wrote it first.
    return True


def _ticket_payload(ticket: Any, target: str, due: datetime.datetime) -> dict[str, Any]:
    return {
        "number": ticket.pk,
        "subject": ticket.subject,
        "priority": ticket.priority,
        "status": ticket.status,
        "customer_id": ticket.customer_id,
        "target": target,
        "due": due.isoformat(),
    }


def record_milestones(now: datetime.datetime) -> int:
    from workmate.desk.models import Ticket
    from workmate.work.models import WorkRequest

    candidates: list[tuple[str, Any, str, dict[str, Any]]] = []
    since = now - LOOKBACK
    for type, tickets in (
        ("ticket.sla_at_risk", Ticket.objects.at_risk(now)),
        ("ticket.sla_breached", Ticket.objects.breached(now)),
    ):
        recent = tickets.filter(Q(resolution_due__gte=since) | Q(first_response_due__gte=since))
        for ticket in recent.select_related("team").order_by("pk")[:BATCH]:
            target, due = ticket.sla_target(), ticket.sla_due()
            if type == "ticket.sla_breached" and due is not None and due > now:
                # The first response is late while resolution is not yet due.
                target, due = "first_response", ticket.first_response_due
            if due is None:
                continue
            key = f"{type}:{ticket.pk}:{target}:{due.isoformat()}"
            candidates.append((type, ticket, key, _ticket_payload(ticket, target, due)))
    overdue = WorkRequest.objects.overdue(now).filter(reply_by__gte=since)
    for request in overdue.select_related("task__project").order_by("pk")[:BATCH]:
        key = f"request.overdue:{request.pk}:{request.reply_by.isoformat()}"
        payload = {
            "task_id": request.task_id,
            "requester_id": request.requester_id,
            "assignee_id": request.assignee_id,
            "reply_by": request.reply_by.isoformat(),
        }
        candidates.append(("request.overdue", request, key, payload))
    done = set(
        Event.objects.filter(dedupe_key__in=[c[2] for c in candidates]).values_list(
            "dedupe_key", flat=True
        )
    )
    written = 0
    for type, obj, key, payload in candidates:
        if key in done:
            continue
        ticket = type.startswith("ticket.")
        scope = {"team": obj.team} if ticket else {"project": obj.task.project}
        written += _record_once(type, obj, key, payload=payload, **scope)
    return written


# --- Time-based rules --------------------------------------------------------------------


def deadline_of(rule: Rule, obj: Any, cache: dict[Any, WorkingHours]) -> tuple[Any, Any]:
    """(the deadline, the calendar it is counted in) for an object, or (None, None)."""
    from workmate.accounts.models import CompanyDayOff

    days_off = cache.setdefault("days_off", CompanyDayOff.objects.dates())
    if rule.deadline == Deadline.DUE and rule.object_type == "task":
        team = obj.project.team
        hours = cache.get(("team", team.pk)) or team.working_hours(days_off)
        cache[("team", team.pk)] = hours
        if obj.due_at is not None:
            return obj.due_at, hours
        if obj.due_on is not None:
            end = datetime.datetime.combine(obj.due_on, team.work_end, tzinfo=hours.zone)
            return end, hours
        return None, None
    if rule.deadline == Deadline.REPLY_BY and rule.object_type == "request":
        from workmate.inbox.services import profile_of

        key = ("person", obj.assignee_id)
        hours = cache.get(key) or profile_of(obj.assignee).working_hours(days_off)
        cache[key] = hours
        return obj.reply_by, hours
    if rule.deadline == Deadline.SLA and rule.object_type == "ticket":
        from workmate.desk import sla

        key = ("sla", obj.sla_policy_id)
        hours = cache.get(key) or sla.support_calendar(obj.sla_policy)
        cache[key] = hours
        return obj.sla_due(), hours
    return None, None


def _window(offset_hours: int) -> datetime.timedelta:
    """A clock span surely longer than `offset_hours` working hours (weekends, holidays)."""
    hours = abs(offset_hours)
    return datetime.timedelta(hours=hours) + datetime.timedelta(days=hours / 4 * 1.4 + 10)


def scope_objects(rule: Rule) -> Any:
    """The open objects of the rule's kind in its scope."""
    if rule.object_type == "task":
        from workmate.work.models import Task, TaskStatus

        objects = Task.objects.exclude(status=TaskStatus.DONE).select_related(
            "project__team", "assignee", "section"
        )
        if rule.scope == Scope.PROJECT:
            return objects.filter(project_id=rule.project_id)
        return objects.none() if rule.scope == Scope.TEAM else objects
    if rule.object_type == "ticket":
        from workmate.desk.models import Ticket

        objects = Ticket.objects.active().select_related(
            "customer", "team", "assignee", "sla_policy"
        )
        if rule.scope == Scope.TEAM:
            return objects.filter(team_id=rule.team_id)
        return objects.none() if rule.scope == Scope.PROJECT else objects
    from workmate.work.models import WorkRequest

    objects = WorkRequest.objects.open().select_related("task__project", "assignee", "requester")
    if rule.scope == Scope.PROJECT:
        return objects.filter(task__project_id=rule.project_id)
    return objects.none() if rule.scope == Scope.TEAM else objects


def _candidates(rule: Rule, now: datetime.datetime) -> Any:
    window = _window(rule.offset_hours)
    objects = scope_objects(rule)
    if rule.offset_hours < 0:
        low, high = now, now + window
    else:
        low, high = now - window, now - datetime.timedelta(hours=rule.offset_hours)
    if rule.object_type == "task":
        day = datetime.timedelta(days=1)
        objects = objects.filter(
            Q(due_at__gte=low, due_at__lte=high)
            | Q(due_at__isnull=True, due_on__gte=low.date() - day, due_on__lte=high.date() + day)
        )
    elif rule.object_type == "request":
        objects = objects.filter(reply_by__gte=low, reply_by__lte=high)
    else:
        objects = objects.filter(
            Q(resolution_due__gte=low, resolution_due__lte=high)
            | Q(first_response_due__gte=low, first_response_due__lte=high)
        )
    return objects.order_by("pk")[:BATCH]


def is_due(rule: Rule, deadline: datetime.datetime, hours: WorkingHours, now: datetime.datetime):
    """Whether a time rule's moment has come for this deadline."""
    if rule.offset_hours < 0:
        if now >= deadline:
            return False  # "Before" means before: a deadline already passed is not warned of.
        left = working_time_between(hours, now, deadline)
        return left <= datetime.timedelta(hours=-rule.offset_hours)
    moment = add_working_time(hours, deadline, datetime.timedelta(hours=rule.offset_hours))
    return now >= moment


def fire_time_rules(now: datetime.datetime) -> int:
    fired = 0
    cache: dict[Any, Any] = {}
    rules = Rule.objects.enabled().filter(trigger=TriggerKind.TIME).select_related("owner")
    for rule in rules:
        candidates = list(_candidates(rule, now))
        done = set(
            Firing.objects.filter(
                rule=rule, object_type=rule.object_type, object_id__in=[o.pk for o in candidates]
            ).values_list("object_id", "threshold")
        )
        for obj in candidates:
            deadline, hours = deadline_of(rule, obj, cache)
            if deadline is None or (obj.pk, deadline) in done:
                continue
            if not is_due(rule, deadline, hours, now):
                continue
            fired += fire(rule, obj, deadline)
    return fired


def fire(rule: Rule, obj: Any, threshold: datetime.datetime) -> int:
    """Claim (rule, object, threshold) and run the rule; 0 when it had already fired."""
    try:
        with transaction.atomic():
            Firing.objects.create(
                rule=rule, object_type=rule.object_type, object_id=obj.pk, threshold=threshold
            )
            engine.run_rule(rule, obj, rule.object_type)
    except IntegrityError:
        return 0
    return 1


# --- Scheduled rules ---------------------------------------------------------------------


def last_slot(rule: Rule, now: datetime.datetime) -> datetime.datetime | None:
    """The most recent moment the schedule was due at or before `now`, or None."""
    from workmate.inbox.services import profile_of

    if rule.at_time is None:
        return None
    profile = profile_of(rule.owner)
    zone = zoneinfo.ZoneInfo(profile.time_zone)
    local = now.astimezone(zone)
    for back in range(8):
        day = local.date() - datetime.timedelta(days=back)
        slot = datetime.datetime.combine(day, rule.at_time, tzinfo=zone)
        if slot > now:
            continue
        if rule.every == Every.WEEK and day.weekday() != rule.weekday:
            continue
        if rule.every == Every.DAY and not profile.working_hours().is_working_day(day):
            return None  # Not on a day off; and a missed working day is not caught up.
        return slot
    return None


def fire_schedules(now: datetime.datetime) -> int:
    ran = 0
    rules = Rule.objects.enabled().filter(trigger=TriggerKind.SCHEDULE).select_related("owner")
    for rule in rules:
        slot = last_slot(rule, now)
        if slot is None or slot < rule.created_at or now - slot > datetime.timedelta(days=1):
            continue
        try:
            with transaction.atomic():
                Firing.objects.create(
                    rule=rule, object_type="schedule", object_id=rule.pk, threshold=slot
                )
                for obj in scope_objects(rule).order_by("pk")[:BATCH]:
                    matched, _report = conditions.evaluate(rule.object_type, rule.conditions, obj)
                    if not matched:
                        continue
                    run = engine.run_rule(rule, obj, rule.object_type)
                    ran += 1
                    if run.status == RunStatus.RATE_LIMITED:
                        break
        except IntegrityError:
            continue
    return ran
