"""The ledger's receivers of the lower apps' signals, connected in `apps.py`.

Each runs inside the transaction of the change that sent it: its entry commits or rolls
back with the change. Each names the person the entry belongs to (the task's assignee,
the ticket's assignee, the proposal's named author...) and a dedupe key for the event.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from workmate.accounts.models import User
from workmate.levels import ledger
from workmate.levels.models import EntryKind


def _user(value: object) -> User | None:
    return value if isinstance(value, User) else None


# --- Work ------------------------------------------------------------------------------


def on_task_completed(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    task = instance
    person = task.assignee if task.assignee_id else _user(actor)
    on_time = kwargs.get("on_time")
    ledger.record(
        person,
        EntryKind.TASK_COMPLETED,
        title=task.title,
        obj=task,
        url=task.get_absolute_url(),
        data={"on_time": on_time},
        dedupe_key=f"task:{task.pk}",
        occurred_at=task.completed_at,
    )


def on_request_answered(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    """Only a request answered by its reply-by is evidence; a late one is not held against
    anyone here (the requests page shows it)."""
    request = instance
    if not kwargs.get("in_time"):
        return
    ledger.record(
        request.assignee,
        EntryKind.REQUEST_ANSWERED,
        title=request.task.title,
        obj=request,
        url=request.task.get_absolute_url(),
        data={"requester": request.requester.full_name},
        dedupe_key=f"request:{request.pk}",
        occurred_at=request.closed_at,
    )


def on_project_template_used(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    """A template used by another team than its own credits its author, once per team."""
    template, project = instance, kwargs.get("project")
    if project is None or project.team_id == template.team_id:
        return
    ledger.record(
        template.author,
        EntryKind.TEMPLATE_USED,
        title=template.name,
        obj=template,
        url=reverse("work:templates"),
        data={"team": project.team.code, "version": kwargs.get("version")},
        dedupe_key=f"template:{template.pk}:team:{project.team_id}",
    )


# --- Desk ------------------------------------------------------------------------------


def _ticket_owner(ticket: Any, actor: Any) -> User | None:
    return ticket.assignee if ticket.assignee_id else _user(actor)


def _ticket_title(ticket: Any) -> str:
    return f"#{ticket.pk} {ticket.subject}"


def on_ticket_solved(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    ticket = instance
    ledger.record(
        _ticket_owner(ticket, actor),
        EntryKind.TICKET_SOLVED,
        title=_ticket_title(ticket),
        obj=ticket,
        url=ticket.get_absolute_url(),
        dedupe_key=f"ticket:{ticket.pk}",
        occurred_at=ticket.solved_at,
    )


def _on_sla(kind: str, ticket: Any, actor: Any) -> None:
    person = _ticket_owner(ticket, actor)
    key = f"ticket:{ticket.pk}"
    # Solved, reopened and solved again: the first outcome stands (no "met" beside "missed").
    if person is None or any(
        ledger.entry_for(person, other, key) for other in (EntryKind.SLA_MET, EntryKind.SLA_MISSED)
    ):
        return
    ledger.record(
        person,
        kind,
        title=_ticket_title(ticket),
        obj=ticket,
        url=ticket.get_absolute_url(),
        data={"due": ticket.resolution_due.isoformat() if ticket.resolution_due else None},
        dedupe_key=key,
        occurred_at=ticket.solved_at,
    )


def on_sla_met(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    _on_sla(EntryKind.SLA_MET, instance, actor)


def on_sla_missed(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    _on_sla(EntryKind.SLA_MISSED, instance, actor)


def on_escalation_handled(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    ticket = instance
    ledger.record(
        _user(kwargs.get("handler")),
        EntryKind.ESCALATION_HANDLED,
        title=_ticket_title(ticket),
        obj=ticket,
        url=ticket.get_absolute_url(),
        data={"level": ticket.escalation_level},
        dedupe_key=f"ticket:{ticket.pk}",
        occurred_at=ticket.solved_at,
    )


def on_ticket_rated(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    """The customer's rating goes to whoever owns the ticket. A changed rating does not edit
    the first entry: it is a correction entry pointing at it."""
    ticket = instance
    person = ticket.assignee if ticket.assignee_id else None
    if person is None:
        return
    key = f"ticket:{ticket.pk}"
    rating = kwargs.get("rating")
    first = ledger.entry_for(person, EntryKind.TICKET_RATED, key)
    if first is None:
        ledger.record(
            person,
            EntryKind.TICKET_RATED,
            title=_ticket_title(ticket),
            obj=ticket,
            url=ticket.get_absolute_url(),
            data={"rating": rating},
            dedupe_key=key,
        )
        return
    ledger.record(
        person,
        EntryKind.CORRECTION,
        title=_ticket_title(ticket),
        obj=ticket,
        url=ticket.get_absolute_url(),
        data={"rating": rating, "previous": kwargs.get("previous")},
        corrects=first,
    )


# --- Voice -----------------------------------------------------------------------------


def on_proposal_adopted(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    """Credits a named author only: an anonymous proposal has no author to credit, and its
    author must not become known through anyone's ledger."""
    proposal = instance
    if proposal.is_anonymous or proposal.author_id is None:
        return
    ledger.record(
        proposal.author,
        EntryKind.PROPOSAL_ADOPTED,
        title=proposal.title,
        obj=proposal,
        url=reverse("voice:proposal", args=[proposal.pk]),
        data={"status": proposal.status},
        dedupe_key=f"proposal:{proposal.pk}",
    )


def on_proposal_answered(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    """A lead's answers to one proposal make one entry for that lead (answering it often
    is not more evidence than answering it once)."""
    proposal = instance
    ledger.record(
        _user(actor),
        EntryKind.PROPOSAL_ANSWERED,
        title=proposal.title,
        obj=proposal,
        url=reverse("voice:proposal", args=[proposal.pk]),
        data={"status": proposal.status},
        dedupe_key=f"proposal:{proposal.pk}",
    )


# --- Check-ins -------------------------------------------------------------------------


def on_checkin_sent(sender: Any, instance: Any, actor: Any = None, **kwargs: Any) -> None:
    response = instance
    checkin = response.checkin
    ledger.record(
        response.person,
        EntryKind.CHECKIN_SENT,
        title=f"{checkin.title} ({response.occurrence:%Y-%m-%d})",
        obj=response,
        url=reverse("checkins:answer", args=[response.pk]),
        dedupe_key=f"checkin:{response.pk}",
        occurred_at=response.submitted_at,
    )


def connect() -> None:
    """Connect the receivers to the signals of the apps below (called from `apps.py`)."""
    from workmate.checkins import signals as checkins
    from workmate.desk import signals as desk
    from workmate.voice import signals as voice
    from workmate.work import signals as work

    pairs = [
        (work.task_completed, on_task_completed),
        (work.request_answered, on_request_answered),
        (work.project_template_used, on_project_template_used),
        (desk.ticket_solved, on_ticket_solved),
        (desk.sla_met, on_sla_met),
        (desk.sla_missed, on_sla_missed),
        (desk.escalation_handled, on_escalation_handled),
        (desk.ticket_rated, on_ticket_rated),
        (voice.proposal_adopted, on_proposal_adopted),
        (voice.proposal_answered, on_proposal_answered),
        (checkins.checkin_sent, on_checkin_sent),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"levels.{receiver.__name__}")
