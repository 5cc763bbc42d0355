"""Receivers of the lower apps' signals: each writes an Event in the change's transaction.

Payloads stay small (ids, a title, what changed); a consumer that needs more reads the
object. Events about tasks carry their project (the scope of project rules), events about
tickets their desk team (the scope of desk rules).
"""

from __future__ import annotations

from typing import Any

from workmate.automation.events import record_event


def _str(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return getattr(value, "pk", None) if hasattr(value, "pk") else str(value)


def _task(type: str, task: Any, actor: Any, **payload: Any) -> None:
    record_event(
        type,
        obj=task,
        actor=actor,
        project=task.project,
        payload={"title": task.title, "project_id": task.project_id, **payload},
    )


def task_created(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    _task("task.created", instance, actor, status=instance.status)
    if instance.assignee_id:
        _task("task.assigned", instance, actor, assignee_id=instance.assignee_id, old=None)


def task_updated(
    sender: Any, instance: Any, actor: Any = None, changes=(), retagged=False, **kw: Any
) -> None:
    fields = [name for name, _old, _new in changes] + (["tags"] if retagged else [])
    changed = {name: {"old": _str(old), "new": _str(new)} for name, old, new in changes}
    changed.pop("description", None)  # Long text has no place in a payload.
    _task("task.updated", instance, actor, fields=fields, changes=changed)
    assignee = changed.get("assignee")
    if assignee and assignee["new"] is not None:
        _task("task.assigned", instance, actor, assignee_id=assignee["new"], old=assignee["old"])


def task_completed(sender: Any, instance: Any, actor: Any = None, on_time=None, **kw: Any) -> None:
    _task("task.completed", instance, actor, on_time=on_time)


def task_moved(sender: Any, instance: Any, actor: Any = None, old_section=None, **kw: Any) -> None:
    _task(
        "task.moved",
        instance,
        actor,
        section_id=instance.section_id,
        old_section_id=getattr(old_section, "pk", None),
    )


def comment_added(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    _task("task.comment_added", instance.task, actor, comment_id=instance.pk)


def _request(type: str, request: Any, actor: Any, **payload: Any) -> None:
    record_event(
        type,
        obj=request,
        actor=actor,
        project=request.task.project,
        payload={
            "task_id": request.task_id,
            "requester_id": request.requester_id,
            "assignee_id": request.assignee_id,
            **payload,
        },
    )


def request_sent(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    _request("request.sent", instance, actor, reply_by=instance.reply_by.isoformat())


def request_answered(sender: Any, instance: Any, actor: Any = None, in_time=None, **kw) -> None:
    _request("request.answered", instance, actor, in_time=in_time)


def _ticket(type: str, ticket: Any, actor: Any, **payload: Any) -> None:
    record_event(
        type,
        obj=ticket,
        actor=actor,
        team=ticket.team,
        payload={
            "number": ticket.pk,
            "subject": ticket.subject,
            "priority": ticket.priority,
            "status": ticket.status,
            "customer_id": ticket.customer_id,
            **payload,
        },
    )


def ticket_created(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    _ticket("ticket.created", instance, actor)


def ticket_status_changed(sender: Any, instance: Any, actor: Any = None, old="", **kw) -> None:
    _ticket("ticket.status_changed", instance, actor, old_status=old)


def ticket_assigned(sender: Any, instance: Any, actor: Any = None, changes=(), **kw) -> None:
    changed = {name: {"old": _str(old), "new": _str(new)} for name, old, new in changes}
    _ticket("ticket.assigned", instance, actor, changes=changed)


def ticket_priority_changed(sender: Any, instance: Any, actor: Any = None, old=0, **kw) -> None:
    _ticket("ticket.priority_changed", instance, actor, old_priority=old)


def ticket_replied(sender: Any, instance: Any, actor: Any = None, entry=None, **kw) -> None:
    internal = entry is not None and entry.kind == "note"
    _ticket(
        "ticket.replied", instance, actor, entry_id=getattr(entry, "pk", None), internal=internal
    )


def ticket_customer_replied(sender: Any, instance: Any, entry=None, **kw: Any) -> None:
    _ticket("ticket.customer_replied", instance, None, entry_id=getattr(entry, "pk", None))


def ticket_solved(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    _ticket("ticket.solved", instance, actor)


def proposal_posted(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    # An anonymous proposal's poster stays unknown, here as everywhere.
    who = None if instance.is_anonymous else actor
    record_event("proposal.posted", obj=instance, actor=who, payload={"title": instance.title})


def proposal_answered(sender: Any, instance: Any, actor: Any = None, answer=None, **kw) -> None:
    payload = {"title": instance.title, "status": instance.status}
    if answer is not None and answer.from_status != answer.to_status:
        record_event(
            "proposal.status_changed",
            obj=instance,
            actor=actor,
            payload={**payload, "old_status": answer.from_status},
        )
    record_event("proposal.answered", obj=instance, actor=actor, payload=payload)


def checkin_sent(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    record_event("checkin.sent", obj=instance, actor=actor, payload={})


def page_verified(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    record_event("page.verified", obj=instance, actor=actor, payload={"title": instance.title})


def page_template_used(sender: Any, instance: Any, actor: Any = None, page=None, **kw) -> None:
    record_event(
        "page.created_from_template",
        obj=page,
        actor=actor,
        payload={"title": page.title, "template_id": instance.pk},
    )


def poc_decided(sender: Any, instance: Any, actor: Any = None, **kw: Any) -> None:
    record_event("poc.decided", obj=instance, actor=actor, payload={})


def assessment_published(sender: Any, instance: Any, actor: Any = None, report=None, **kw) -> None:
    version = getattr(report, "version", None)
    record_event("assessment.published", obj=instance, actor=actor, payload={"version": version})


def connect() -> None:
    from workmate.advisor import signals as advisor
    from workmate.checkins import signals as checkins
    from workmate.desk import signals as desk
    from workmate.library import signals as library
    from workmate.pipeline import signals as pipeline
    from workmate.voice import signals as voice
    from workmate.work import signals as work

    pairs = [
        (work.task_created, task_created),
        (work.task_updated, task_updated),
        (work.task_completed, task_completed),
        (work.task_moved, task_moved),
        (work.comment_added, comment_added),
        (work.request_sent, request_sent),
        (work.request_answered, request_answered),
        (desk.ticket_created, ticket_created),
        (desk.ticket_status_changed, ticket_status_changed),
        (desk.ticket_assigned, ticket_assigned),
        (desk.ticket_priority_changed, ticket_priority_changed),
        (desk.ticket_replied, ticket_replied),
        (desk.ticket_customer_replied, ticket_customer_replied),
        (desk.ticket_solved, ticket_solved),
        (voice.proposal_posted, proposal_posted),
        (voice.proposal_answered, proposal_answered),
        (checkins.checkin_sent, checkin_sent),
        (library.page_verified, page_verified),
        (library.page_template_used, page_template_used),
        (pipeline.poc_decided, poc_decided),
        (advisor.assessment_published, assessment_published),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"automation.{receiver.__name__}")
