"""Running rules: on an event, on an object at a moment (time rules), and as a dry run.

Steps for an event (`handle_event`, in the worker after the change committed):
1. Lock the event row unless already handled (two workers, or the wake-up and the
   sweeper, must not both run its rules; SKIP LOCKED on PostgreSQL, the write lock of
   SQLite's IMMEDIATE transactions there).
2. For each enabled rule whose scope holds the event and whose trigger is its type, in
   the rules' order: skip events caused by a rule unless the rule opts in; stop at
   depth MAX_DEPTH (a loop: the run says so and the owner is told); skip past the
   rule's hourly cap; test the conditions; run each action in its own savepoint.
3. Mark the event handled. Everything is one transaction: a worker killed half-way
   leaves the event unhandled for the sweeper, with no run half-recorded.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.automation import conditions
from workmate.automation.actions import ACTIONS, ActionContext, ActionError
from workmate.automation.events import caused_by
from workmate.automation.models import Event, Rule, RuleRun, RunStatus
from workmate.automation.placeholders import values_for

logger = logging.getLogger(__name__)

# A chain of rule runs stops here (Event.depth counts the runs that led to an event).
MAX_DEPTH = 10


def load_object(object_type: str, object_id: int) -> Any:
    """The task, ticket or request a rule runs on, or None when it is gone."""
    if object_type == "task":
        from workmate.work.models import Task

        return (
            Task.objects.select_related("project", "section", "assignee")
            .filter(pk=object_id)
            .first()
        )
    if object_type == "ticket":
        from workmate.desk.models import Ticket

        return (
            Ticket.objects.select_related("customer", "team", "assignee")
            .filter(pk=object_id)
            .first()
        )
    if object_type == "request":
        from workmate.work.models import WorkRequest

        return (
            WorkRequest.objects.select_related("task__project", "requester", "assignee")
            .filter(pk=object_id)
            .first()
        )
    return None


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    if isinstance(error, ActionError | PermissionDenied):
        return str(error) or _("Not allowed.")
    return _("Unexpected error (%(kind)s).") % {"kind": type(error).__name__}


def _tell_owner(rule: Rule, title_fn: Any, dedupe_key: str) -> None:
    from workmate.inbox.models import Kind
    from workmate.inbox.services import notify

    notify(
        [rule.owner],
        Kind.AUTOMATION,
        title=title_fn,
        url=reverse("automation:rule", args=[rule.pk]),
        group_key=f"automation-rule:{rule.pk}",
        dedupe_key=dedupe_key,
    )


def over_cap(rule: Rule, now: datetime.datetime) -> bool:
    """Whether the rule has run its hourly cap already. Asks only whether a cap-th run
    exists in the last hour (LIMIT 1 OFFSET cap-1), so a busy rule does not count every
    run of its hour on each event."""
    cap = rule.max_runs_per_hour
    if cap == 0:
        return True
    hour_ago = now - datetime.timedelta(hours=1)
    runs = rule.runs.filter(ran_at__gt=hour_ago, status__in=[RunStatus.DONE, RunStatus.FAILED])
    return runs.order_by()[cap - 1 : cap].exists()


def run_rule(rule: Rule, obj: Any, object_type: str, event: Event | None = None) -> RuleRun:
    """Run one rule on one object (inside the caller's transaction) and log the run."""
    started = time.monotonic()
    now = timezone.now()
    run = RuleRun(
        rule=rule,
        rule_version=rule.version,
        event=event,
        object_type=object_type,
        object_id=obj.pk,
        depth=event.depth if event else 0,
        ran_at=now,
    )
    if run.depth >= MAX_DEPTH:
        run.status = RunStatus.LOOP
        run.save()
        name = rule.name
        _tell_owner(
            rule,
            lambda: (
                _(
                    "Your rule “%(name)s” was stopped: rules triggered each other %(depth)s times "
                    "in a row."
                )
                % {"name": name, "depth": MAX_DEPTH}
            ),
            f"automation-loop:{rule.pk}:{event.pk if event else 0}",
        )
        return run
    if over_cap(rule, now):
        run.status = RunStatus.RATE_LIMITED
        run.save()
        name, limit = rule.name, rule.max_runs_per_hour
        _tell_owner(
            rule,
            lambda: (
                _("Your rule “%(name)s” reached its cap of %(limit)s runs an hour.")
                % {"name": name, "limit": limit}
            ),
            f"automation-cap:{rule.pk}:{now:%Y%m%d%H}",
        )
        return run
    matched, report = conditions.evaluate(object_type, rule.conditions, obj, event)
    run.conditions_result = report
    if not matched:
        run.status = RunStatus.NO_MATCH
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
        return run
    run.status = RunStatus.DONE
    run.save()  # Saved first: the events its actions cause point at it.
    results = []
    ctx = ActionContext(
        rule=rule, obj=obj, object_type=object_type, event=event, run=run, values={}
    )
    with caused_by(run):
        for action in rule.actions:
            key = action.get("type", "")
            kind = ACTIONS.get(key)
            try:
                if not rule.owner.is_active:
                    raise ActionError(_("The rule's owner has left; give the rule a new owner."))
                if kind is None or object_type not in kind.object_types:
                    raise ActionError(_("Unknown action “%(key)s”.") % {"key": key})
                # Each action sees what the ones before it did.
                obj.refresh_from_db()
                ctx.values = values_for(object_type, obj)
                with transaction.atomic():
                    outcome = kind.run(ctx, action.get("params") or {})
                results.append({"type": key, "outcome": str(outcome), "error": ""})
            except Exception as error:  # Logged on the run, never lost.
                if not isinstance(error, ActionError | ValidationError | PermissionDenied):
                    logger.exception("Rule %s action %s failed", rule.pk, key)
                results.append({"type": key, "outcome": "", "error": _message(error)})
    run.actions_result = results
    if any(r["error"] for r in results):
        run.status = RunStatus.FAILED
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(update_fields=["actions_result", "status", "duration_ms"])
    return run


def handle_event(event_id: int) -> int:
    """Run the rules for one event, once; returns how many runs were logged."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, handled_at__isnull=True)
            .first()
        )
        if event is None:
            return 0
        runs = 0
        obj = None
        for rule in Rule.objects.for_event(event).select_related("owner"):
            if rule.object_type != event.object_type:
                continue
            if event.cause_run_id is not None and not rule.run_on_rule_events:
                continue  # Loops: a rule's change triggers only rules that opt in.
            obj = obj or load_object(event.object_type, event.object_id)
            if obj is None:
                break
            run_rule(rule, obj, event.object_type, event)
            runs += 1
        event.handled_at = timezone.now()
        event.save(update_fields=["handled_at"])
    return runs


@dataclass
class DryRun:
    matched: bool
    conditions: dict[str, Any]
    actions: list[dict[str, str]]


def dry_run(rule: Rule, obj: Any, object_type: str) -> DryRun:
    """What the rule would do to `obj` now, changing nothing (the rule may be unsaved)."""
    matched, report = conditions.evaluate(object_type, rule.conditions, obj, None)
    ctx = ActionContext(
        rule=rule,
        obj=obj,
        object_type=object_type,
        dry_run=True,
        values=values_for(object_type, obj),
    )
    lines = []
    with transaction.atomic():
        for action in rule.actions:
            kind = ACTIONS.get(action.get("type", ""))
            if kind is None:
                lines.append({"type": action.get("type", ""), "text": _("Unknown action.")})
                continue
            params = action.get("params") or {}
            text = kind.describe(ctx, params) if kind.describe else str(kind.label)
            lines.append({"type": kind.key, "label": str(kind.label), "text": text})
        # A describe function must not write; if one did, nothing of it stays.
        transaction.set_rollback(True)
    return DryRun(matched, report, lines)
