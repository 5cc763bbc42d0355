"""Mail out: agents' public replies and the "we received your request" acknowledgement.

Both go to the ticket's requester in the requester's language, from DESK_SUPPORT_EMAIL,
with a Message-ID that is stored on a timeline entry and In-Reply-To/References that
point at the customer's mail, so the customer's answer threads back onto the ticket
(mailin matches those ids). They run in the worker (workmate.desk.tasks), after commit.
Internal notes are never mailed: only entries of kind "reply" are ever sent.
"""

from __future__ import annotations

import datetime
import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workmate.desk.mailin import SYNTHETIC_DOMAIN
from workmate.desk.models import EntryKind, Ticket, TicketEntry
from workmate.lib.urls import absolute_url

logger = logging.getLogger(__name__)

# At most this many acknowledgements to one address an hour: a robot that answers every
# mail without saying it is a robot (no Auto-Submitted) cannot start an endless loop.
ACKS_PER_HOUR = 3
# The event entry that records an acknowledgement (its Message-ID threads answers to it).
ACK_FIELD = "acknowledgement"
# References keeps the first id and the most recent ones (RFC 5322 allows trimming).
MAX_REFERENCES = 20


def portal_url(ticket: Ticket) -> str:
    return absolute_url(reverse("portal:ticket", args=[ticket.pk]))


def new_message_id() -> str:
    domain = settings.DESK_SUPPORT_EMAIL.rsplit("@", 1)[-1].strip("> ") or "workmate"
    return make_msgid(domain=domain)


def thread_subject(ticket: Ticket) -> str:
    return f"Re: [#{ticket.pk}] {ticket.subject}"


def recipient(ticket: Ticket) -> tuple[str, str]:
    """Whom the ticket's mail goes to and in which language; ("", "") for nobody."""
    requester = ticket.requester
    if requester is not None:
        if not requester.is_active:
            return "", ""
        return requester.email, requester.language or settings.LANGUAGE_CODE
    # A triage ticket: the agent answers whoever wrote in.
    return ticket.from_email, settings.LANGUAGE_CODE


def thread_headers(ticket: Ticket, before: datetime.datetime | None = None) -> dict[str, str]:
    """In-Reply-To (the customer's last mail) and References (the public thread so far)."""
    entries = ticket.entries.filter(
        kind__in=[EntryKind.CUSTOMER, EntryKind.REPLY], message_id__gt=""
    ).exclude(message_id__endswith=f"@{SYNTHETIC_DOMAIN}>")
    if before is not None:
        entries = entries.filter(created_at__lte=before)
    thread = list(entries.order_by("created_at", "pk").values_list("kind", "message_id"))
    headers: dict[str, str] = {}
    customer_ids = [mid for kind, mid in thread if kind == EntryKind.CUSTOMER]
    if customer_ids:
        headers["In-Reply-To"] = customer_ids[-1]
    ids = [mid for _kind, mid in thread]
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    if ids:
        headers["References"] = " ".join(ids)
    return headers


def reply_message(entry: TicketEntry, message_id: str) -> EmailMessage | None:
    """The mail for an agent's public reply, or None when there is nobody to send it to."""
    if entry.kind != EntryKind.REPLY:
        return None  # Notes and events never leave the house.
    ticket = entry.ticket
    to, language = recipient(ticket)
    if not to:
        return None
    headers = {"Message-ID": message_id, **thread_headers(ticket, before=entry.created_at)}
    with translation.override(language):
        body = render_to_string(
            "desk/email/reply.txt",
            {
                "entry": entry,
                "ticket": ticket,
                "agent": entry.author.get_full_name() if entry.author else _("Support"),
                "url": portal_url(ticket),
            },
        )
    message = EmailMessage(
        thread_subject(ticket)[:250],
        body,
        settings.DESK_SUPPORT_EMAIL,
        [to],
        headers=headers,
        reply_to=[settings.DESK_SUPPORT_EMAIL],
    )
    for attachment in entry.attachments.all():
        with attachment.file.open("rb") as handle:
            message.attach(attachment.name, handle.read(), attachment.content_type or None)
    return message


def send_reply(entry_id: int) -> bool:
    """Mail one public reply, at most once; True when a mail went out.

    Steps: load the reply (notes and events are skipped); claim it by writing its new
    Message-ID where none is set yet (a second run of the task claims nothing); send;
    on a failed send release the claim and re-raise, so the worker may try again.
    """
    entry = (
        TicketEntry.objects.select_related("ticket__requester", "author")
        .filter(pk=entry_id, kind=EntryKind.REPLY, message_id="")
        .first()
    )
    if entry is None:
        return False
    message_id = new_message_id()
    message = reply_message(entry, message_id)
    if message is None:
        return False
    claimed = TicketEntry.objects.filter(pk=entry.pk, message_id="").update(message_id=message_id)
    if not claimed:
        return False
    try:
        message.send()
    except Exception:
        TicketEntry.objects.filter(pk=entry.pk, message_id=message_id).update(message_id="")
        raise
    return True


def send_ticket_ack(ticket_id: int, now: datetime.datetime | None = None) -> bool:
    """Tell the requester their mail opened ticket #n, once; True when a mail went out.

    Never for triage (the sender is unknown: answering spam spreads it), never twice for a
    ticket, and at most ACKS_PER_HOUR to one address. The mail says it is automatic
    (Auto-Submitted), so a well-behaved responder does not answer it.
    """
    now = now or timezone.now()
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.requester is None or ticket.customer_id is None:
        return False
    if ticket.entries.filter(kind=EntryKind.EVENT, field=ACK_FIELD).exists():
        return False
    recent = TicketEntry.objects.filter(
        kind=EntryKind.EVENT,
        field=ACK_FIELD,
        ticket__requester=ticket.requester,
        created_at__gte=now - datetime.timedelta(hours=1),
    ).count()
    if recent >= ACKS_PER_HOUR:
        logger.info(
            "Not acknowledging ticket %s: %s had %s already", ticket.pk, recent, ACKS_PER_HOUR
        )
        return False
    to, language = recipient(ticket)
    if not to:
        return False
    message_id = new_message_id()
    with translation.override(language):
        body = render_to_string("desk/email/ack.txt", {"ticket": ticket, "url": portal_url(ticket)})
    message = EmailMessage(
        thread_subject(ticket)[:250],
        body,
        settings.DESK_SUPPORT_EMAIL,
        [to],
        headers={
            "Message-ID": message_id,
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            **thread_headers(ticket),
        },
        reply_to=[settings.DESK_SUPPORT_EMAIL],
    )
    # The event entry is the claim and the record; it carries the id answers refer to.
    entry = TicketEntry.objects.create(
        ticket=ticket, kind=EntryKind.EVENT, field=ACK_FIELD, new_value=to, message_id=message_id
    )
    try:
        message.send()
    except Exception:
        entry.delete()
        raise
    return True
