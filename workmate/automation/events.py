"""Recording events, and the registry of event types.

Contract for other apps (e.g. `webhooks`):

- `EVENT_TYPES` maps each dotted type (`ticket.sla_breached`) to an `EventType` (its
  label and the kind of object it is about). `event_types()` lists them in order;
  `register_event_type(key, label, object_type)` adds one (call it in `AppConfig.ready`).
- `record_event(type, obj=..., actor=..., payload=..., project=..., team=...)` writes
  an `Event` row in the caller's transaction and sends `signals.event_recorded`
  (sender=Event, instance=event) inside that transaction. Write your own rows in the
  receiver; do network I/O only after commit (`transaction.on_commit`).
- What caused an event: `Event.actor` (a person, or None for the clock or a customer)
  and, when a rule's action made the change, `Event.cause_run` (the `RuleRun`) with
  `Event.depth` = the cause's depth + 1. Rules set the cause with `caused_by(run)`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from workmate.automation import signals
from workmate.automation.models import Event


@dataclass(frozen=True)
class EventType:
    key: str
    label: Any  # a lazy translation
    object_type: str


EVENT_TYPES: dict[str, EventType] = {}


def register_event_type(key: str, label: Any, object_type: str) -> None:
    EVENT_TYPES[key] = EventType(key, label, object_type)


def event_types(object_type: str | None = None) -> list[EventType]:
    return [t for t in EVENT_TYPES.values() if object_type in (None, t.object_type)]


for _key, _label, _object in [
    ("task.created", _("Task created"), "task"),
    ("task.updated", _("Task updated"), "task"),
    ("task.completed", _("Task completed"), "task"),
    ("task.moved", _("Task moved to another section"), "task"),
    ("task.assigned", _("Task assigned"), "task"),
    ("task.comment_added", _("Comment added to a task"), "task"),
    ("request.sent", _("Request sent"), "request"),
    ("request.answered", _("Request answered"), "request"),
    ("request.overdue", _("Request past its reply-by"), "request"),
    ("ticket.created", _("Ticket created"), "ticket"),
    ("ticket.status_changed", _("Ticket status changed"), "ticket"),
    ("ticket.assigned", _("Ticket assigned"), "ticket"),
    ("ticket.priority_changed", _("Ticket priority changed"), "ticket"),
    ("ticket.replied", _("Ticket replied to"), "ticket"),
    ("ticket.customer_replied", _("Customer replied to a ticket"), "ticket"),
    ("ticket.sla_at_risk", _("Ticket SLA at risk"), "ticket"),
    ("ticket.sla_breached", _("Ticket SLA breached"), "ticket"),
    ("ticket.solved", _("Ticket solved"), "ticket"),
    ("proposal.posted", _("Proposal posted"), "proposal"),
    ("proposal.answered", _("Proposal answered"), "proposal"),
    ("proposal.status_changed", _("Proposal status changed"), "proposal"),
    ("checkin.sent", _("Check-in sent"), "checkin"),
    ("page.verified", _("Library page verified"), "page"),
    ("page.created_from_template", _("Library page created from a template"), "page"),
    ("poc.decided", _("PoC decided"), "poc"),
    ("assessment.published", _("Advisor assessment published"), "assessment"),
]:
    register_event_type(_key, _label, _object)


# The rule run whose actions are running now (None: a person or the clock).
_cause: contextvars.ContextVar[Any] = contextvars.ContextVar("automation_cause", default=None)


@contextlib.contextmanager
def caused_by(run: Any) -> Iterator[None]:
    """Events recorded inside this block are caused by `run` (a RuleRun)."""
    token = _cause.set(run)
    try:
        yield
    finally:
        _cause.reset(token)


def current_cause() -> Any:
    return _cause.get()


def record_event(
    type: str,
    *,
    obj: Any,
    actor: Any = None,
    payload: dict[str, Any] | None = None,
    project: Any = None,
    team: Any = None,
    dedupe_key: str = "",
) -> Event:
    """Write the event for a change, in the change's transaction, and tell the receivers.

    `obj` is the model instance the event is about; its object type is the event type's.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}")
    from workmate.automation.models import Rule

    run = current_cause()
    with transaction.atomic():
        event = Event(
            type=type,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            object_type=EVENT_TYPES[type].object_type,
            object_id=obj.pk,
            project=project,
            team=team,
            payload=payload or {},
            cause_run=run,
            depth=(run.depth + 1) if run is not None else 0,
            dedupe_key=dedupe_key,
        )
        # No rule listens: the event is handled as it is written (no wake-up, no sweep).
        waiting = Rule.objects.for_event(event).exists()
        if not waiting:
            event.handled_at = event.occurred_at
        event.save(force_insert=True)
        signals.event_recorded.send(sender=Event, instance=event)
    if waiting:
        from workmate.automation import tasks

        event_id = event.pk
        transaction.on_commit(lambda: tasks.run_event_rules.enqueue(event_id))
    return event
