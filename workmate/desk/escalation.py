"""Escalation rules, run by the clock every minute (see `workmate.desk.tasks`).

- A P1 ticket nobody acknowledged within 15 minutes of its creation notifies the support
  team's leads.
- A breached ticket notifies the support team's leads and the customer's SE owner.

Each rule fires once per ticket: the ticket's `escalated_*_at` is claimed with a
conditional UPDATE before anyone is notified, so a clock tick that runs twice (or two
workers at once) notifies nobody a second time.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.desk.agent import support_leads
from workmate.desk.models import Priority, Ticket
from workmate.inbox.models import Kind
from workmate.inbox.services import notify

UNACKNOWLEDGED_AFTER = datetime.timedelta(minutes=15)
# Each run handles at most this many tickets per rule; the next minute takes the rest.
BATCH = 200


def _claim(ticket: Ticket, field: str, now: datetime.datetime) -> bool:
    """Stamp the escalation on the ticket unless another run already did."""
    claimed = Ticket.objects.filter(pk=ticket.pk, **{f"{field}__isnull": True}).update(
        **{field: now}
    )
    return claimed == 1


def _escalate(
    due: Iterable[Ticket],
    field: str,
    now: datetime.datetime,
    recipients: Callable[[Ticket], list[User]],
    title: Callable[[Ticket], str],
) -> int:
    """Claim `field` on each due ticket and notify its `recipients`; returns how many fired.

    `title` is called once per recipient, in their language.
    """
    count = 0
    for ticket in due:
        with transaction.atomic():
            if not _claim(ticket, field, now):
                continue
            notify(
                recipients(ticket),
                Kind.TICKET,
                title=functools.partial(title, ticket),
                url=ticket.get_absolute_url(),
                group_key=f"ticket:{ticket.pk}",
                excerpt=ticket.customer.name if ticket.customer_id else "",
            )
        count += 1
    return count


def escalate_unacknowledged(now: datetime.datetime) -> int:
    """Notify the leads of P1 tickets left unacknowledged for 15 minutes."""
    due = (
        Ticket.objects.active()
        .filter(
            priority=Priority.P1,
            acknowledged_at__isnull=True,
            escalated_unacknowledged_at__isnull=True,
            created_at__lte=now - UNACKNOWLEDGED_AFTER,
        )
        .select_related("customer")
        .order_by("created_at", "pk")[:BATCH]
    )
    return _escalate(
        due,
        "escalated_unacknowledged_at",
        now,
        recipients=support_leads,
        title=lambda ticket: (
            _("P1 #%(number)s not acknowledged for 15 minutes: %(subject)s")
            % {"number": ticket.pk, "subject": ticket.subject}
        ),
    )


def _leads_and_se_owner(ticket: Ticket) -> list[User]:
    people = support_leads(ticket)
    if ticket.customer_id is not None and ticket.customer.se_owner is not None:
        people.append(ticket.customer.se_owner)
    return people


def escalate_breaches(now: datetime.datetime) -> int:
    """Notify the leads and the customer's SE owner of tickets that breached their SLA."""
    due = (
        Ticket.objects.breached(now)
        .filter(escalated_breach_at__isnull=True)
        .select_related("customer", "customer__se_owner")
        .order_by("resolution_due", "pk")[:BATCH]
    )
    return _escalate(
        due,
        "escalated_breach_at",
        now,
        recipients=_leads_and_se_owner,
        title=lambda ticket: (
            _("#%(number)s breached its SLA: %(subject)s")
            % {"number": ticket.pk, "subject": ticket.subject}
        ),
    )


def run_escalations(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return escalate_unacknowledged(now) + escalate_breaches(now)
