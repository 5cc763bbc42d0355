"""What agents do to tickets beyond replying: queues, bulk assign, escalate, merge, link,
tags, followers, macros, triage and the time they log.

The basic writes (reply, status, assignee, priority) live in `workmate.desk.services`;
these functions build on them so every change still leaves an event in the timeline.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from workmate.accounts.models import Membership, OrgRole, Team, TeamRole, User
from workmate.desk import services, sla
from workmate.desk.models import (
    DONE_STATUSES,
    Contact,
    ContactMembership,
    Customer,
    EntryKind,
    Macro,
    SLAPolicy,
    Status,
    Ticket,
    TicketEntry,
)
from workmate.desk.notes import SystemNote, stored
from workmate.desk.reports import BusinessClock
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.lib.durations import format_duration

# --- Queues ------------------------------------------------------------------------------

QUEUES = ["mine", "escalated", "unassigned", "at_risk", "breached", "pending", "triage", "all"]
# The status filter's value for every ticket, closed ones too (history searches); without a
# status filter a queue lists active tickets only, so it does not grow with history.
ANY_STATUS = "any"
HISTORY_STATUSES = {ANY_STATUS, *DONE_STATUSES}


def reads_history(status: str) -> bool:
    """Whether a status filter reaches past the active tickets (paged by keyset, not number)."""
    return status in HISTORY_STATUSES


def queue_tickets(user: User, queue: str, now: datetime.datetime | None = None) -> QuerySet:
    """The tickets of one agent queue, soonest resolution due first.

    Each queue filters on the columns of an index on Ticket (assignee/status/due, team/
    assignee/status, status/risk), and the order is on the due moment then the pk, so a
    page is an index range scan rather than a sort of every ticket.
    """
    now = now or timezone.now()
    tickets = Ticket.objects.all()
    if queue == "mine":
        tickets = tickets.active().filter(assignee=user)
    elif queue == "escalated":
        # Tickets an agent keeps and brought me in on (the agent's own stay in "mine").
        tickets = tickets.active().filter(escalated_to=user)
    elif queue == "unassigned":
        # The viewer's teams' tickets nobody has taken yet (triage has its own queue).
        teams = Membership.objects.filter(user=user).values("team")
        tickets = tickets.active().filter(
            team__in=teams, assignee__isnull=True, customer__isnull=False
        )
    elif queue == "at_risk":
        tickets = tickets.at_risk(now)
    elif queue == "breached":
        tickets = tickets.breached(now)
    elif queue == "pending":
        tickets = tickets.active().filter(status=Status.PENDING)
    elif queue == "triage":
        tickets = tickets.active().filter(customer__isnull=True)
    elif queue != "all":
        raise ValueError(queue)
    return tickets.select_related(
        "customer", "requester", "assignee", "sla_policy", "escalated_to"
    ).order_by(F("resolution_due").asc(nulls_last=True), "pk")


def narrow_tickets(
    tickets: QuerySet,
    user: User,
    *,
    status: str = "",
    priority: int | None = None,
    customer: Customer | None = None,
    team: Team | None = None,
    category: str = "",
    assignee: str = "",
    tag: str = "",
    text: str = "",
) -> QuerySet:
    """Apply a queue's filter bar; empty values filter nothing, but the status.

    Without a status, or with an active one, only active tickets are read (`active()`
    repeats the partial indexes' condition, so each filter walks its own index on the
    active tickets in the queues' order: status, customer, priority, assignee); a solved or
    closed status, or ANY_STATUS, reads the history.
    """
    if status == ANY_STATUS:
        pass
    elif status in DONE_STATUSES:
        tickets = tickets.filter(status=status)
    elif status:
        tickets = tickets.active().filter(status=status)
    else:
        tickets = tickets.active()
    if priority:
        tickets = tickets.filter(priority=priority)
    if customer is not None:
        tickets = tickets.filter(customer=customer)
    if team is not None:
        tickets = tickets.filter(team=team)
    if category:
        tickets = tickets.filter(category=category)
    if assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee.isdigit():
        tickets = tickets.filter(assignee_id=int(assignee))
    tag = normalise_tag(tag)
    if tag:
        # The JSON list as text holds the tag in quotes; this works on SQLite and PostgreSQL
        # alike (JSON "contains" does not exist on SQLite).
        tickets = tickets.filter(tags__icontains=f'"{tag}"')
    text = text.strip()
    if text:
        number = text.lstrip("#")
        match = Q(subject__icontains=text) | Q(from_email__icontains=text)
        if number.isdigit():
            match |= Q(pk=int(number))
        tickets = tickets.filter(match)
    return tickets


@dataclass
class Clock:
    """What a row or header shows of the SLA: its state, the target it is about (first
    response until the first reply, then resolution), when that target falls due and the
    business time left to it (negative once past)."""

    state: str
    left: datetime.timedelta | None
    target: str = ""
    due: datetime.datetime | None = None

    @property
    def left_text(self) -> str:
        return format_duration(self.left)

    @property
    def label(self) -> str:
        """The badge: which target is breached or at risk ("" when there is nothing to say)."""
        first = self.target == "first_response"
        if self.state == "breached":
            return _("First response breached") if first else _("Resolution breached")
        if self.state == "at_risk":
            return _("First response at risk") if first else _("Resolution at risk")
        if self.state == "paused":
            return _("Paused")
        if self.state == "met":
            return _("Met")
        return ""

    @property
    def time_text(self) -> str:
        """The time beside the badge, about the same target: over by, or left."""
        if self.left is None:
            return ""
        duration = format_duration(self.left)
        # Breached at a moment outside business hours, the business time past it is 0.
        if self.state == "breached" or self.left < datetime.timedelta(0):
            return _("%(time)s over") % {"time": duration}
        if self.target == "first_response":
            return _("%(time)s to first response") % {"time": duration}
        return _("%(time)s to resolve") % {"time": duration}


# The related objects a ticket list shows, each read in one query of its own by
# `attach_related`: users (three keys), then one model per key.
_RELATED_USERS = ("assignee", "escalated_to", "escalated_by")
_RELATED_OTHERS = (
    ("customer", Customer),
    ("requester", Contact),
    ("team", Team),
    ("sla_policy", SLAPolicy),
)


def attach_related(tickets: list[Ticket]) -> None:
    """Fill each ticket's customer, requester, team, SLA policy and three people.

    A list unfiltered by anything selective would otherwise join seven tables to the
    ticket: PostgreSQL then weighs every order of the joins against every index of the
    ticket table, and plans the API's ticket list in ~85–110 ms to run it in under 1 ms
    (bench/README.md). Here the page is read alone and each related table once by primary
    key (five queries, none of them planned for more than a moment), then set in each
    ticket's field cache as `select_related` would.
    """
    user_ids = {
        pk for ticket in tickets for name in _RELATED_USERS if (pk := getattr(ticket, f"{name}_id"))
    }
    users = User.objects.in_bulk(user_ids)
    related: list[tuple[str, dict[int, object]]] = [(name, users) for name in _RELATED_USERS]
    for name, model in _RELATED_OTHERS:
        ids = {pk for ticket in tickets if (pk := getattr(ticket, f"{name}_id"))}
        related.append((name, model.objects.in_bulk(ids)))
    for name, objects in related:
        field = Ticket._meta.get_field(name)
        for ticket in tickets:
            pk = getattr(ticket, f"{name}_id")
            field.set_cached_value(ticket, None if pk is None else objects[pk])


def attach_clocks(tickets: Iterable[Ticket], now: datetime.datetime | None = None) -> None:
    """Set `ticket.clock` on each ticket, reading the support calendar once per kind.

    `sla.time_left` loads the calendar for every call (two queries) and walks it day by day
    from now to the due moment: a page of thirty rows due weeks ago walked the same weeks
    thirty times. Here each calendar is loaded once and walked once over the page's span
    (`reports.BusinessClock`); each row's time left is then two bisections. The time left
    is to the ticket's current target (`Ticket.sla_target`); a solved ticket shows none.
    """
    now = now or timezone.now()
    tickets = list(tickets)
    spans: dict[bool, tuple[SLAPolicy, list[datetime.datetime]]] = {}
    dues: dict[int, datetime.datetime | None] = {}
    for ticket in tickets:
        due = dues[id(ticket)] = ticket.sla_due()
        if due is not None and ticket.status not in DONE_STATUSES:
            policy = ticket.sla_policy
            _policy, moments = spans.setdefault(policy.around_the_clock, (policy, []))
            moments += [ticket.paused_since or now, due]
    clocks = {
        around: BusinessClock(sla.support_calendar(policy), min(moments), max(moments))
        for around, (policy, moments) in spans.items()
    }
    for ticket in tickets:
        left = None
        due = dues[id(ticket)]
        if due is not None and ticket.status not in DONE_STATUSES:
            clock = clocks[ticket.sla_policy.around_the_clock]
            seconds = clock.seconds(ticket.paused_since or now, due)
            left = datetime.timedelta(seconds=round(seconds, 6))
        ticket.clock = Clock(  # type: ignore[attr-defined]
            ticket.sla_state(now), left, ticket.sla_target(), due
        )


def agents() -> QuerySet[User]:
    """People a ticket can go to: active members of any team (see services.is_agent)."""
    return (
        User.objects.filter(is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("full_name", "pk")
    )


# --- Assigning ---------------------------------------------------------------------------


def do_bulk_assign(actor: User, ticket_ids: Iterable[int], assignee: User | None) -> int:
    """Give each of the tickets to `assignee` (None: unassign); returns how many changed."""
    services.check_agent(actor)
    changed = 0
    with transaction.atomic():
        for ticket in Ticket.objects.filter(pk__in=list(ticket_ids)).order_by("pk"):
            before = ticket.assignee_id
            after = services.do_assign(actor, ticket, assignee)
            changed += after.assignee_id != before
    return changed


ESCALATION_TARGETS = {"le": "le_architect", "se": "se_owner"}


@transaction.atomic
def do_escalate(actor: User, ticket: Ticket, to: str, note: str = "") -> User:
    """Bring in the customer's LE architect ("le") or SE owner ("se"); the agent keeps it.

    The escalating agent stays the assignee (taking the ticket if nobody had it), so the
    customer conversation and its updates stay theirs; the person escalated to joins as a
    follower (hearing every customer message) and finds the ticket in their own queue.
    Steps: find the person on the customer record (a clear error when there is none);
    lock the ticket; assign the agent if unassigned; record who, by whom, when and the
    hand-off note on the ticket (shown to both on its page); add the person as a follower;
    write the hand-off as an internal note and an event; notify the person.
    """
    services.check_agent(actor)
    if to not in ESCALATION_TARGETS:
        raise ValidationError({"to": _("Escalate to LE or SE.")})
    if ticket.customer_id is None:
        raise ValidationError(_("Give the ticket its customer before escalating it."))
    customer = Customer.objects.select_related("se_owner", "le_architect").get(
        pk=ticket.customer_id
    )
    person = getattr(customer, ESCALATION_TARGETS[to])
    if person is None or not person.is_active:
        if to == "le":
            message = _("%(customer)s has no LE architect on its record.")
        else:
            message = _("%(customer)s has no SE owner on its record.")
        raise ValidationError(message % {"customer": customer.name})
    if person.pk == actor.pk:
        raise ValidationError(_("You are the person this ticket would be escalated to."))
    # Two agents may escalate at once: the lock makes the second see the first's hand-off.
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.assignee_id is None:
        locked = services.do_assign(actor, locked, actor, tell_assignee=False)
    note = note.strip()
    locked.escalated_to = person
    locked.escalated_by = actor
    locked.escalated_at = timezone.now()
    locked.escalation_level = to.upper()
    locked.escalation_note = note
    locked.save(
        update_fields=[
            "escalated_to",
            "escalated_by",
            "escalated_at",
            "escalation_level",
            "escalation_note",
            "updated_at",
        ]
    )
    if not locked.followers.filter(pk=person.pk).exists():
        locked.followers.add(person)
    # The hand-off line is the desk's own sentence, told in each reader's language; the
    # agent's note is kept as typed.
    if to == "le":
        handoff = SystemNote(
            gettext_noop("Escalated to %(name)s (LE, architecture)."), name=person.full_name
        )
    else:
        handoff = SystemNote(
            gettext_noop("Escalated to %(name)s (SE, account)."), name=person.full_name
        )
    lines = [handoff, "", note] if note else [handoff]  # the note a paragraph of its own
    TicketEntry.objects.create(
        ticket=locked,
        kind=EntryKind.NOTE,
        author=actor,
        body="\n".join(lines),
        system_note=stored(lines),
    )
    services._event(locked, actor, "escalation", "", to.upper())
    notify(
        [person],
        Kind.TICKET,
        title=lambda: (
            _("#%(number)s escalated to you: %(subject)s")
            % {"number": locked.pk, "subject": locked.subject}
        ),
        url=locked.get_absolute_url(),
        group_key=f"ticket:{locked.pk}",
        actor=actor,
        excerpt=note,
    )
    return person


# --- Merging and linking -----------------------------------------------------------------


@transaction.atomic
def do_merge(actor: User, ticket: Ticket, into: Ticket) -> Ticket:
    """Merge `ticket` into `into`: it closes and points at the kept ticket, whose timeline
    then shows the merged ticket's entries; its followers follow the kept ticket.

    Refuses merging a ticket into itself, into a ticket that is itself merged away, or a
    ticket already merged (each would make a chain or a cycle).
    """
    services.check_agent(actor)
    if into.pk == ticket.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    kept = Ticket.objects.select_for_update().get(pk=into.pk)
    if locked.merged_into_id is not None:
        raise ValidationError({"into": _("This ticket is already merged.")})
    if kept.merged_into_id is not None:
        raise ValidationError(
            {
                "into": _("#%(number)s is merged into #%(kept)s; merge into that one instead.")
                % {"number": kept.pk, "kept": kept.merged_into_id}
            }
        )
    if locked.merged_tickets.exists():
        raise ValidationError({"into": _("Other tickets are merged into this one; keep it.")})
    if locked.customer_id is not None and locked.status != Status.CLOSED:
        locked = services.do_change_status(actor, locked, Status.CLOSED)
    locked.merged_into = kept
    locked.save(update_fields=["merged_into", "updated_at"])
    kept.followers.add(*locked.followers.all())
    services._event(locked, actor, "merged_into", "", f"#{kept.pk}")
    services._event(kept, actor, "merged", "", f"#{locked.pk}")
    return locked


@transaction.atomic
def do_link(actor: User, ticket: Ticket, other: Ticket) -> None:
    services.check_agent(actor)
    if other.pk == ticket.pk:
        raise ValidationError({"other": _("A ticket cannot be linked to itself.")})
    if ticket.linked.filter(pk=other.pk).exists():
        return
    ticket.linked.add(other)
    services._event(ticket, actor, "linked", "", f"#{other.pk}")
    services._event(other, actor, "linked", "", f"#{ticket.pk}")


@transaction.atomic
def do_unlink(actor: User, ticket: Ticket, other: Ticket) -> None:
    services.check_agent(actor)
    if not ticket.linked.filter(pk=other.pk).exists():
        return
    ticket.linked.remove(other)
    services._event(ticket, actor, "linked", f"#{other.pk}", "")
    services._event(other, actor, "linked", f"#{ticket.pk}", "")


def timeline(ticket: Ticket) -> QuerySet[TicketEntry]:
    """Every entry of the ticket and of the tickets merged into it, oldest first.

    By ticket ids (the merged ones are prefetched on the ticket page): `ticket = x OR
    ticket.merged_into = x` joined every entry to its ticket, 2,000,000 rows in the benchmark.
    """
    merged = [other.pk for other in ticket.merged_tickets.all()]
    return (
        TicketEntry.objects.filter(ticket_id__in=[ticket.pk, *merged])
        .select_related("author", "contact")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


# --- Tags and followers ------------------------------------------------------------------

TAG_RE = re.compile(r"[^\w\-.]+")


def normalise_tag(tag: str) -> str:
    return TAG_RE.sub("-", tag.strip().lower()).strip("-")[:40]


def parse_tags(text: str) -> list[str]:
    """ "VPN, urgent  network" → ["network", "urgent", "vpn"] (lowercase, unique, sorted)."""
    found = {normalise_tag(part) for part in re.split(r"[,\s]+", text)}
    return sorted(tag for tag in found if tag)


@transaction.atomic
def do_set_tags(actor: User, ticket: Ticket, tags: list[str]) -> Ticket:
    services.check_agent(actor)
    tags = sorted({normalise_tag(tag) for tag in tags} - {""})
    if len(tags) > 20:
        raise ValidationError({"tags": _("Twenty tags at most.")})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if sorted(locked.tags) == tags:
        return locked
    old = ", ".join(locked.tags)
    locked.tags = tags
    locked.save(update_fields=["tags", "updated_at"])
    services._event(locked, actor, "tags", old, ", ".join(tags))
    return locked


@transaction.atomic
def do_follow(actor: User, ticket: Ticket, person: User, follow: bool = True) -> None:
    """Add (or remove) a follower; agents only, since followers read internal notes."""
    services.check_agent(actor)
    if not services.is_agent(person):
        raise ValidationError({"person": _("Only support agents can follow tickets.")})
    following = ticket.followers.filter(pk=person.pk).exists()
    if follow == following:
        return
    if follow:
        ticket.followers.add(person)
        services._event(ticket, actor, "followers", "", person.full_name)
    else:
        ticket.followers.remove(person)
        services._event(ticket, actor, "followers", person.full_name, "")


# --- Changing several fields at once -----------------------------------------------------


@transaction.atomic
def do_update_ticket(
    actor: User,
    ticket: Ticket,
    *,
    priority: int,
    status: str,
    assignee: User | None,
    tags: list[str],
) -> Ticket:
    """The ticket page's property form: each changed field goes through its own service."""
    services.check_agent(actor)
    if ticket.priority != priority:
        services.do_set_priority(actor, ticket, priority)
    if ticket.status != status:
        services.do_change_status(actor, ticket, status)
    if ticket.assignee_id != (assignee.pk if assignee else None):
        services.do_assign(actor, ticket, assignee)
    do_set_tags(actor, ticket, tags)
    return Ticket.objects.get(pk=ticket.pk)


# --- Triage ------------------------------------------------------------------------------


@transaction.atomic
def do_triage(actor: User, ticket: Ticket, customer: Customer, requester_email: str) -> Ticket:
    """Give a triage ticket its customer and requester; its SLA starts from its creation.

    Steps: find the contact by e-mail (or create one in the customer, for a new sender);
    refuse a contact of another customer; set both; schedule the SLA; record the change.
    """
    services.check_agent(actor)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.customer_id is not None:
        raise ValidationError(_("This ticket already has its customer."))
    email = requester_email.strip().lower()
    if not email:
        raise ValidationError({"requester_email": _("Give the requester's e-mail address.")})
    contact = Contact.objects.filter(email__iexact=email).first()
    if contact is None:
        contact = Contact(email=email)
        contact.full_clean(exclude=["password"])
        contact.save()
        ContactMembership.objects.create(customer=customer, contact=contact)
    elif not ContactMembership.objects.filter(contact=contact, customer=customer).exists():
        raise ValidationError(
            {"requester_email": _("That contact does not belong to this customer.")}
        )
    locked.customer = customer
    locked.requester = contact
    sla.schedule(locked)
    locked.save(update_fields=["customer", "requester", *sla.SLA_FIELDS, "updated_at"])
    services._event(locked, actor, "customer", "", customer.name)
    return locked


# --- Macros ------------------------------------------------------------------------------

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def macro_values(ticket: Ticket, agent: User) -> dict[str, str]:
    contact = ticket.requester
    return {
        "contact_name": contact.display_name if contact else (ticket.from_email or ""),
        "ticket_number": str(ticket.pk),
        "agent_name": agent.full_name,
        "customer_name": ticket.customer.name if ticket.customer_id else "",
    }


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace the known `{{ name }}` placeholders; anything else is left as written.

    A plain substitution, not the template engine: macro text is written by people and
    must not reach template tags, filters or attributes.
    """
    return PLACEHOLDER_RE.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def macros_for(user: User) -> QuerySet[Macro]:
    """Macros offered to `user`: everyone's and those of the user's teams."""
    teams = Membership.objects.filter(user=user).values("team")
    return Macro.objects.filter(Q(team__isnull=True) | Q(team__in=teams)).select_related("team")


def get_macro_for_agent(user: User, pk: int) -> Macro:
    from django.http import Http404

    services.check_agent(user)
    macro = macros_for(user).filter(pk=pk).first()
    if macro is None:
        raise Http404("No such macro.")
    return macro


def can_edit_macro(user: User, macro: Macro) -> bool:
    """The author edits their macro; a team's leads edit the team's macros; staff any."""
    if user.is_superuser or macro.created_by_id == user.pk:
        return True
    if macro.team_id is None:
        return False
    return Membership.objects.filter(user=user, team_id=macro.team_id, role=TeamRole.LEAD).exists()


def check_can_edit_macro(user: User, macro: Macro) -> None:
    if not can_edit_macro(user, macro):
        raise PermissionDenied(_("Only its author or the team's leads can change this macro."))


def do_save_macro(
    actor: User,
    macro: Macro | None,
    *,
    name: str,
    body: str,
    team,
    set_status: str = "",
) -> Macro:
    services.check_agent(actor)
    if macro is None:
        macro = Macro(created_by=actor)
    else:
        check_can_edit_macro(actor, macro)
    mine = Membership.objects.filter(user=actor, team=team)
    if team is not None and not actor.is_superuser and not mine.exists():
        raise ValidationError({"team": _("Choose one of your teams.")})
    if set_status and set_status not in Status.values:
        raise ValidationError({"set_status": _("Unknown status.")})
    macro.name, macro.body, macro.team, macro.set_status = name, body, team, set_status
    macro.full_clean()
    macro.save()
    return macro


def do_apply_macro(actor: User, ticket: Ticket, macro: Macro) -> tuple[str, str]:
    """The macro's text with the ticket's placeholders filled, and the status it sets.

    Only fills in the reply box: a macro counts as used when a reply made from it is sent
    (`count_macro_use`), not when someone merely looks at its text.
    """
    services.check_agent(actor)
    return fill_placeholders(macro.body, macro_values(ticket, actor)), macro.set_status


def count_macro_use(actor: User, macro_id: int | None) -> None:
    if macro_id and macros_for(actor).filter(pk=macro_id).exists():
        Macro.objects.filter(pk=macro_id).update(used_count=F("used_count") + 1)


# --- Time accounting ---------------------------------------------------------------------


def can_see_billing(user: User) -> bool:
    """SE (the account team), team leads and executives see billable time."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_executive or user.org_role == OrgRole.STAFF:
        return True
    memberships = Membership.objects.filter(user=user)
    return memberships.filter(Q(role=TeamRole.LEAD) | Q(team__code="SE")).exists()


def check_can_see_billing(user: User) -> None:
    if not can_see_billing(user):
        raise PermissionDenied(_("Billable time is for SE, team leads and executives."))


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of `month` and of the next, in the company's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime.datetime(following.year, following.month, 1, tzinfo=zone)


@dataclass
class CustomerTime:
    customer_id: int
    name: str
    minutes: int
    billable: int


def time_by_customer(month: datetime.date) -> list[CustomerTime]:
    """Total and billable minutes logged on each customer's tickets in the month."""
    start, end = month_bounds(month)
    rows = (
        TicketEntry.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            minutes__gt=0,
            ticket__customer__isnull=False,
        )
        .values("ticket__customer", "ticket__customer__name")
        .annotate(total=Sum("minutes"), billable_total=Sum("minutes", filter=Q(billable=True)))
        .order_by("ticket__customer__name")
    )
    return [
        CustomerTime(
            row["ticket__customer"],
            row["ticket__customer__name"],
            row["total"] or 0,
            row["billable_total"] or 0,
        )
        for row in rows
    ]


def ticket_time(ticket: Ticket) -> tuple[int, int]:
    """(total, billable) minutes logged on the ticket."""
    totals = ticket.entries.aggregate(
        total=Sum("minutes"), billable=Sum("minutes", filter=Q(billable=True))
    )
    return totals["total"] or 0, totals["billable"] or 0


def support_leads(ticket: Ticket) -> list[User]:
    """The leads of the ticket's team (the support team when it has none)."""
    memberships = Membership.objects.filter(role=TeamRole.LEAD).select_related("user")
    if ticket.team_id is not None:
        memberships = memberships.filter(team_id=ticket.team_id)
    else:
        memberships = memberships.filter(team__code=settings.DESK_SUPPORT_TEAM)
    return [membership.user for membership in memberships]
