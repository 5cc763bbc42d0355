"""The desk's front doors: every channel (agent page, portal, mail in, API) calls these.

Access: agents are Workmate users (members of any team) and see every ticket; contacts
see only what `Ticket.objects.visible_to_contact()` gives them, and never internal notes.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, Team, User
from workmate.desk import signals, sla
from workmate.desk.models import (
    DONE_STATUSES,
    PAUSED_STATUSES,
    Contact,
    ContactMembership,
    Customer,
    EntryKind,
    Priority,
    Status,
    Ticket,
    TicketEntry,
)
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.lib.mentions import plain_mentions
from workmate.work.services import write_mentions_as_tokens

# --- Access ----------------------------------------------------------------------------


def is_agent(user: User) -> bool:
    """Agents are signed-in Workmate people in a team (or staff); contacts never are."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(user=user).exists()


def check_agent(user: User) -> None:
    if not is_agent(user):
        raise PermissionDenied(_("Only support agents can do this."))


def get_ticket_for_agent(user: User, pk: int) -> Ticket:
    check_agent(user)
    ticket = (
        Ticket.objects.select_related("customer", "requester", "assignee", "team", "sla_policy")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def get_ticket_for_contact(contact: Contact, pk: int) -> Ticket:
    ticket = (
        Ticket.objects.visible_to_contact(contact)
        .select_related("customer", "requester")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def public_entries(ticket: Ticket):
    """The timeline a contact may see: messages and public replies, never notes or changes."""
    return ticket.entries.filter(kind__in=[EntryKind.CUSTOMER, EntryKind.REPLY]).select_related(
        "author", "contact"
    )


# --- History ---------------------------------------------------------------------------


def _event(
    ticket: Ticket,
    actor: User | None,
    field: str,
    old: object,
    new: object,
    *,
    contact: Contact | None = None,
) -> None:
    TicketEntry.objects.create(
        ticket=ticket,
        kind=EntryKind.EVENT,
        author=actor,
        contact=contact,
        field=field,
        old_value="" if old is None else str(old)[:300],
        new_value="" if new is None else str(new)[:300],
    )


def _support_team() -> Team | None:
    from django.conf import settings

    return Team.objects.filter(code=settings.DESK_SUPPORT_TEAM).first()


# --- Tickets ---------------------------------------------------------------------------


def check_contact_customer(contact: Contact, customer: Customer) -> None:
    if not ContactMembership.objects.filter(contact=contact, customer=customer).exists():
        raise ValidationError({"customer": _("That contact does not belong to this customer.")})


@transaction.atomic
def do_create_ticket(
    *,
    subject: str,
    description: str = "",
    customer: Customer | None,
    requester: Contact | None,
    from_email: str = "",
    priority: int = Priority.P3,
    category: str = "incident",
    actor: User | None = None,
    message_id: str = "",
    created_at: datetime.datetime | None = None,
) -> Ticket:
    """Open a ticket from any channel; without a customer it waits in triage.

    Steps: validate (a subject; the requester belongs to the customer); save the ticket for
    the support team; record the customer's first message as the first timeline entry
    (carrying the mail's Message-ID, so the same mail cannot open a second ticket); start
    the SLA clocks from the customer's tier and the priority.
    """
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationError({"subject": _("Give the ticket a subject.")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority from P1 to P4.")})
    if customer is not None and requester is not None:
        check_contact_customer(requester, customer)
    ticket = Ticket(
        subject=subject[:300],
        description=description,
        customer=customer,
        requester=requester,
        from_email=from_email or (requester.email if requester else ""),
        priority=priority,
        category=category,
        team=_support_team(),
        created_at=created_at or timezone.now(),
    )
    ticket.full_clean(exclude=["team", "sla_policy", "merged_into"])
    sla.schedule(ticket)
    ticket.save()
    TicketEntry.objects.create(
        ticket=ticket,
        kind=EntryKind.CUSTOMER if actor is None else EntryKind.NOTE,
        contact=requester,
        author=actor,
        body=description,
        message_id=message_id,
        created_at=ticket.created_at,
    )
    signals.ticket_created.send(sender=Ticket, instance=ticket, actor=actor)
    return ticket


@transaction.atomic
def do_change_status(
    actor: User | None, ticket: Ticket, status: str, *, contact: Contact | None = None
) -> Ticket:
    """Move a ticket to `status`, pausing the SLA clock while it waits on the customer.

    Steps: lock the ticket (a customer reply and an agent's change may land at once);
    pause or resume the clock; stamp solved/closed; record the change.
    """
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status == status:
        return locked
    if locked.customer_id is None and status != Status.NEW:
        raise ValidationError({"customer": _("Give a triaged ticket its customer first.")})
    now = timezone.now()
    old = locked.status  # Codes: the timeline names them in each reader's language.
    if status in PAUSED_STATUSES:
        sla.pause(locked, now)
    else:
        sla.resume(locked, now)
    locked.status = status
    update = ["status", *sla.SLA_FIELDS, "updated_at"]
    if status == Status.SOLVED:
        locked.solved_at = now
        update.append("solved_at")
    elif status == Status.CLOSED:
        locked.closed_at = now
        locked.solved_at = locked.solved_at or now
        update += ["closed_at", "solved_at"]
    elif locked.status not in DONE_STATUSES and locked.solved_at is not None:
        locked.solved_at = None  # Reopened.
        update.append("solved_at")
    locked.save(update_fields=update)
    _event(locked, actor, "status", old, locked.status, contact=contact)
    signals.ticket_status_changed.send(sender=Ticket, instance=locked, actor=actor, old=old)
    if status in DONE_STATUSES and old not in DONE_STATUSES:
        _send_solved(locked, actor)
    if status == Status.SOLVED and contact is None:
        # Every way of solving a ticket offers the survey (mailed after the commit); a
        # contact who solved it in the portal is asked on the page itself.
        from workmate.desk.csat import offer_survey

        offer_survey(locked)
    return locked


def _send_solved(ticket: Ticket, actor: User | None) -> None:
    """Tell higher apps (the levels ledger) a ticket was solved: its SLA's outcome and, when
    it was escalated, who handled the escalation."""
    signals.ticket_solved.send(sender=Ticket, instance=ticket, actor=actor)
    state = ticket.sla_state()
    if state in {"met", "breached"}:
        sent = signals.sla_met if state == "met" else signals.sla_missed
        sent.send(sender=Ticket, instance=ticket, actor=actor)
    if ticket.escalated_to_id is not None:
        signals.escalation_handled.send(
            sender=Ticket, instance=ticket, actor=actor, handler=ticket.escalated_to
        )


@transaction.atomic
def do_reply(
    actor: User,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    minutes: int = 0,
    billable: bool = False,
    status: str | None = None,
) -> TicketEntry:
    """An agent answers the customer (public) or writes an internal note, logging time.

    A first public reply stops the first-response clock; a public reply on a new ticket
    opens it; `status` (e.g. pending customer) is applied in the same transaction.
    """
    check_agent(actor)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if minutes < 0:
        raise ValidationError({"minutes": _("Time spent cannot be negative.")})
    mentioned: list[User] = []
    if internal:
        # Colleagues are mentioned in notes; only agents may read a ticket.
        body, mentioned = write_mentions_as_tokens(body, strict=True)
        blind = [person for person in mentioned if not is_agent(person)]
        if blind:
            raise ValidationError(
                {
                    "body": _(
                        "%(names)s cannot see tickets, so the mention would tell them nothing "
                        "they may read. Leave the mention out."
                    )
                    % {"names": ", ".join(person.full_name for person in blind)}
                }
            )
    else:
        # The customer reads a reply: a colleague picked from the list is a plain name.
        body = plain_mentions(body)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    entry = TicketEntry.objects.create(
        ticket=locked,
        kind=EntryKind.NOTE if internal else EntryKind.REPLY,
        author=actor,
        body=body,
        minutes=minutes,
        billable=billable and minutes > 0,
    )
    if mentioned:
        notify(
            mentioned,
            Kind.MENTION,
            actor=actor,
            title=f"#{locked.pk} {locked.subject}",
            url=f"{locked.get_absolute_url()}#entry-{entry.pk}",
            group_key=f"ticket:{locked.pk}",
            excerpt=body,
        )
    if not internal:
        # Every public reply is mailed to the requester, whichever channel wrote it; notes
        # never are. Imported here: the tasks import mail in, which imports this module.
        from workmate.desk import tasks

        transaction.on_commit(lambda: tasks.send_reply.enqueue(entry.pk))
        now = entry.created_at
        fields = []
        if locked.first_responded_at is None:
            locked.first_responded_at = now
            fields.append("first_responded_at")
        if locked.acknowledged_at is None:
            locked.acknowledged_at = now
            fields.append("acknowledged_at")
        if fields:
            locked.save(update_fields=[*fields, "updated_at"])
        if status is None and locked.status == Status.NEW and locked.customer_id is not None:
            status = Status.OPEN
    if status is not None:
        do_change_status(actor, locked, status)
    signals.ticket_replied.send(sender=Ticket, instance=locked, actor=actor, entry=entry)
    return entry


def acknowledge_on_commit(ticket: Ticket) -> None:
    """Once the ticket is saved, mail its requester that it was opened.

    For tickets a contact opened (by mail or in the portal); `mailout.send_ticket_ack`
    sends it once per ticket, at most a few an hour to one address, never for triage.
    """
    # Imported here: the tasks import mail in, which imports this module.
    from workmate.desk import tasks

    ticket_pk = ticket.pk
    transaction.on_commit(lambda: tasks.send_ticket_ack.enqueue(ticket_pk))


def _tell_watchers(ticket: Ticket, title, url: str, excerpt: str = "") -> None:
    """The agent on the ticket and its followers hear of what the customer did."""
    watchers = [*ticket.followers.filter(is_active=True)]
    if ticket.assignee_id is not None:
        watchers.append(ticket.assignee)
    notify(
        watchers,
        Kind.TICKET,
        title=title,
        url=url,
        group_key=f"ticket:{ticket.pk}",
        excerpt=excerpt,
    )


@transaction.atomic
def do_solve_by_contact(contact: Contact, ticket: Ticket) -> Ticket:
    """The customer says their problem is solved: the ticket is solved in their name.

    Steps: lock the ticket among those the contact may see (404 otherwise); refuse one
    already solved or closed; solve it (the timeline records the contact; the survey is
    offered as for any solve); tell the assignee and followers through their inbox.
    """
    visible = Ticket.objects.visible_to_contact(contact).filter(pk=ticket.pk)
    # The contact and an agent may act at once: the lock orders the two status changes.
    locked = Ticket.objects.select_for_update().filter(pk__in=visible.values("pk")).first()
    if locked is None:
        raise Http404("No such ticket.")
    if locked.status in DONE_STATUSES:
        raise ValidationError(_("This ticket is already solved."))
    locked = do_change_status(None, locked, Status.SOLVED, contact=contact)
    _tell_watchers(
        locked,
        lambda: (
            _("%(contact)s marked #%(number)s solved: %(subject)s")
            % {"contact": contact.display_name, "number": locked.pk, "subject": locked.subject}
        ),
        locked.get_absolute_url(),
    )
    return locked


@transaction.atomic
def do_customer_reply(
    contact: Contact, ticket: Ticket, body: str, *, message_id: str = ""
) -> TicketEntry:
    """The customer writes on their ticket: the clock resumes, a solved ticket reopens."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    # Lock and re-read: the caller's copy may be stale, and an agent may be changing the
    # status at this moment; the reply must see the status it reopens.
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    entry = TicketEntry.objects.create(
        ticket=locked, kind=EntryKind.CUSTOMER, contact=contact, body=body, message_id=message_id
    )
    if locked.status in {Status.PENDING, Status.SOLVED}:
        do_change_status(None, locked, Status.OPEN)
    signals.ticket_customer_replied.send(sender=Ticket, instance=locked, actor=None, entry=entry)
    # The agent on it and the ticket's followers hear about the customer's message.
    _tell_watchers(
        locked,
        lambda: (
            _("%(contact)s wrote on #%(number)s %(subject)s")
            % {"contact": contact.display_name, "number": locked.pk, "subject": locked.subject}
        ),
        f"{locked.get_absolute_url()}#entry-{entry.pk}",
        excerpt=body,
    )
    return entry


@transaction.atomic
def do_assign(
    actor: User,
    ticket: Ticket,
    assignee: User | None,
    team: Team | None = None,
    *,
    tell_assignee: bool = True,
) -> Ticket:
    """Give the ticket to an agent (and/or team); the new assignee is told in their inbox.

    `tell_assignee=False` is for callers that send their own, more specific notice
    (an escalation says why the ticket came to them).
    """
    check_agent(actor)
    if assignee is not None and not is_agent(assignee):
        raise ValidationError({"assignee": _("Tickets go to support agents.")})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    changes = []
    if locked.assignee_id != (assignee.pk if assignee else None):
        changes.append(("assignee", locked.assignee, assignee))
        locked.assignee = assignee
    if team is not None and locked.team_id != team.pk:
        changes.append(("team", locked.team, team))
        locked.team = team
    if not changes:
        return locked
    locked.save(update_fields=["assignee", "team", "updated_at"])
    for field, old, new in changes:
        _event(locked, actor, field, old, new)
    signals.ticket_assigned.send(sender=Ticket, instance=locked, actor=actor, changes=changes)
    if tell_assignee and assignee is not None and any(c[0] == "assignee" for c in changes):
        notify(
            [assignee],
            Kind.ASSIGNED,
            actor=actor,
            title=f"#{locked.pk} {locked.subject}",
            url=locked.get_absolute_url(),
            group_key=f"ticket:{locked.pk}",
        )
    return locked


@transaction.atomic
def do_set_priority(actor: User, ticket: Ticket, priority: int) -> Ticket:
    """Change the priority; the SLA targets follow the new priority's policy."""
    check_agent(actor)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority from P1 to P4.")})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.priority == priority:
        return locked
    old = locked.priority
    locked.priority = priority
    sla.schedule(locked)
    locked.save(update_fields=["priority", *sla.SLA_FIELDS, "updated_at"])
    _event(locked, actor, "priority", old, locked.priority)
    signals.ticket_priority_changed.send(sender=Ticket, instance=locked, actor=actor, old=old)
    return locked
