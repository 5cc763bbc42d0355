"""After a ticket is solved: the satisfaction survey and closing it by itself.

- When a ticket becomes solved, `services.do_change_status` calls `offer_survey`; after the
  commit the worker mails the requester two signed links, "good" and "bad". A link opens
  a page with that rating chosen and a comment box, without signing in; sending the form
  records the rating (opening the link records nothing: mail scanners open every link).
- One rating per ticket: sending again changes the same row, until the ticket closes.
- A solved ticket closes by itself DESK_AUTO_CLOSE_DAYS days after it was solved, unless
  the customer wrote since (which reopens it anyway).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.desk import services, signals
from workmate.desk.models import (
    DONE_STATUSES,
    EntryKind,
    Rating,
    Satisfaction,
    Status,
    Ticket,
    TicketEntry,
)
from workmate.lib.urls import absolute_url

SALT = "workmate.desk.csat"
# A survey link works this long after the mail went out.
LINK_MAX_AGE = datetime.timedelta(days=30)
# Each auto-close run handles at most this many tickets; the next minute takes the rest.
BATCH = 200


# --- Links -----------------------------------------------------------------------------


def make_token(ticket: Ticket) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(ticket.pk))


def ticket_for_token(token: str) -> Ticket | None:
    """The ticket a survey link was made for, or None for a forged or expired link."""
    try:
        pk = int(signing.TimestampSigner(salt=SALT).unsign(token, max_age=LINK_MAX_AGE))
    except (signing.BadSignature, ValueError):
        return None
    return Ticket.objects.select_related("requester", "customer").filter(pk=pk).first()


def survey_links(ticket: Ticket) -> dict[str, str]:
    token = make_token(ticket)
    return {
        rating: absolute_url(reverse("portal:csat", args=[token, rating]))
        for rating in Rating.values
    }


# --- The survey ------------------------------------------------------------------------


def offer_survey(ticket: Ticket) -> None:
    """Ticket just solved: mail the requester the survey once the change is committed."""
    if ticket.requester_id is None:
        return
    from workmate.desk.tasks import send_csat_email

    ticket_id = ticket.pk
    transaction.on_commit(lambda: send_csat_email.enqueue(ticket_id=ticket_id))


def send_survey_email(ticket_id: int) -> bool:
    """Mail the survey unless the ticket was reopened meanwhile or is already rated."""
    from workmate.desk.portal_auth import mail_contact

    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != Status.SOLVED:
        return False
    contact = ticket.requester
    if contact is None or not contact.is_active:
        return False
    if Satisfaction.objects.filter(ticket=ticket).exists():
        return False
    portal_url = absolute_url(reverse("portal:ticket", args=[ticket.pk]))
    mail_contact(
        contact,
        "csat",
        {
            "ticket": ticket,
            "links": survey_links(ticket),
            "portal_url": portal_url,
            "auto_close_days": settings.DESK_AUTO_CLOSE_DAYS,
        },
    )
    return True


def can_change(ticket: Ticket, satisfaction: Satisfaction | None) -> bool:
    """A rating given before the ticket closed stays as it was once it closes."""
    if satisfaction is None:
        return True
    return not (
        ticket.status == Status.CLOSED
        and ticket.closed_at is not None
        and satisfaction.created_at < ticket.closed_at
    )


@transaction.atomic
def do_rate(ticket: Ticket, rating: str, comment: str | None = None) -> tuple[Satisfaction, bool]:
    """Record (or change) the rating of a solved ticket; returns it and whether it changed.

    `comment` None keeps the comment there is.
    """
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose good or bad.")})
    # Lock: a mail scanner may open both links at once; the ticket row orders them.
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status not in DONE_STATUSES:
        raise ValidationError(_("This ticket is open again: rate it once it is solved."))
    satisfaction = Satisfaction.objects.filter(ticket=locked).first()
    if not can_change(locked, satisfaction):
        return satisfaction, False  # type: ignore[return-value]
    if satisfaction is None:
        satisfaction = Satisfaction.objects.create(
            ticket=locked, rating=rating, comment=(comment or "").strip()
        )
        signals.ticket_rated.send(
            sender=Ticket, instance=locked, actor=None, rating=rating, previous=None
        )
        return satisfaction, True
    previous = satisfaction.rating
    satisfaction.rating = rating
    fields = ["rating"]
    if comment is not None:
        satisfaction.comment = comment.strip()
        fields.append("comment")
    satisfaction.save(update_fields=fields)
    if previous != rating:
        signals.ticket_rated.send(
            sender=Ticket, instance=locked, actor=None, rating=rating, previous=previous
        )
    return satisfaction, True


# --- Closing solved tickets ------------------------------------------------------------


def do_close_solved_tickets(now: datetime.datetime | None = None) -> int:
    """Close tickets solved DESK_AUTO_CLOSE_DAYS ago with no customer message since.

    Steps: find candidates; for each, lock it and check again (the customer may have
    replied, reopening it, since the list was read); close through the desk's own
    status change, so the timeline records it. Safe to run twice: closed tickets are
    no longer candidates.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DESK_AUTO_CLOSE_DAYS)
    customer_wrote = TicketEntry.objects.filter(
        ticket=OuterRef("pk"), kind=EntryKind.CUSTOMER, created_at__gt=cutoff
    )
    due = (
        Ticket.objects.filter(status=Status.SOLVED, solved_at__lte=cutoff)
        .exclude(Exists(customer_wrote))
        .order_by("solved_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    closed = 0
    for pk in list(due):
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update()
                .filter(pk=pk, status=Status.SOLVED, solved_at__lte=cutoff)
                .exclude(Exists(customer_wrote))
                .first()
            )
            if ticket is None:
                continue
            services.do_change_status(None, ticket, Status.CLOSED)
            closed += 1
    return closed
