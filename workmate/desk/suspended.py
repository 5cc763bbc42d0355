"""Suspended mail: what mail in held back from the desk, and an agent's decision about it.

Mail that looks automatic (an auto-reply, a bounce, a list's `Precedence: bulk`) makes no
ticket, so the desk never answers a robot; mail that could not be read is kept too. A
person's mail can look automatic (sent through a mailing list), so agents see every held
mail on the "Suspended mail" page, with why it was held and the raw message, and decide:
make a ticket of it (as mail in would have), release it to triage, or dismiss it. Each
decision is taken once: the row is locked and must still be suspended.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from workmate.accounts.models import User
from workmate.desk import mailin, services
from workmate.desk.models import (
    SUSPENDED_STATUSES,
    EntryKind,
    InboundMessage,
    InboundStatus,
    Ticket,
    TicketEntry,
)
from workmate.desk.notes import SystemNote, stored

# The raw message shown on the page is cut here; the whole of it stays in the database.
RAW_SHOWN_BYTES = 200_000


def suspended_mail() -> QuerySet[InboundMessage]:
    """Held mail, newest first, without the raw bytes (a list needs only the headers)."""
    return InboundMessage.objects.suspended().defer("raw").order_by("-received_at", "-pk")


def get_suspended_for_agent(user: User, pk: int) -> InboundMessage:
    services.check_agent(user)
    held = InboundMessage.objects.filter(pk=pk).first()
    if held is None:
        raise Http404("No such mail.")
    return held


def hold_reason(held: InboundMessage) -> str:
    """Why the mail was held, in words, from the technical reason mail in noted."""
    if held.status == InboundStatus.FAILED:
        return _("It could not be read.")
    reason = held.note.lower()
    if reason.startswith("precedence"):
        return _("It came through a mailing list or a bulk sender.")
    if reason.startswith(("auto-submitted", "x-autoreply", "x-autorespond")):
        return _("It says it is an automatic reply.")
    if "bounce" in reason or "delivery report" in reason:
        return _("It is a delivery failure notice (a bounce).")
    if "desk itself" in reason:
        return _("It was sent from the desk's own address.")
    return _("It looks automatic.")


def raw_text(held: InboundMessage) -> tuple[str, bool]:
    """The raw message as text for the page (the template escapes it), and whether it was cut.

    Undecodable bytes become U+FFFD; NULs and other control characters are dropped.
    """
    data = bytes(held.raw)
    cut = len(data) > RAW_SHOWN_BYTES
    text = data[:RAW_SHOWN_BYTES].decode("utf-8", "replace")
    return mailin.CONTROL.sub("", text.replace("\r\n", "\n")), cut


def body_text(held: InboundMessage) -> str:
    """The mail's text as mail in reads it ("" when it cannot be read)."""
    try:
        return mailin.read(bytes(held.raw)).body
    except Exception:
        return ""


def sender(held: InboundMessage) -> str:
    """Who sent the mail as its From header names them ("Jisoo Han <jisoo@…>"), or the bare
    address when the header has no name or the mail cannot be read (the template escapes it).

    Reads the raw message, so it is for the one-mail page; the list defers the raw bytes.
    """
    try:
        name = mailin.read(bytes(held.raw)).from_name
    except Exception:
        name = ""
    if name and held.from_email:
        return f"{name} <{held.from_email}>"
    return held.from_email


def _lock(held: InboundMessage) -> InboundMessage:
    """Lock the row and check it is still suspended: two agents may decide at once, and the
    second must find it decided rather than make a second ticket."""
    locked = InboundMessage.objects.select_for_update().filter(pk=held.pk).first()
    if locked is None or locked.status not in SUSPENDED_STATUSES:
        raise ValidationError(_("Someone has already decided about this mail."))
    return locked


def _decided(
    locked: InboundMessage, actor: User, outcome: mailin.Outcome, what: SystemNote | None
) -> None:
    """Record the decision on the row, and on the ticket's timeline as the agent's note
    (the desk's sentence, told in each reader's language)."""
    locked.status = outcome.status
    locked.ticket = outcome.ticket
    locked.note = "\n".join(part for part in [locked.note, outcome.note] if part)
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked.save(update_fields=["status", "ticket", "note", "handled_by", "handled_at"])
    if what and outcome.ticket is not None and outcome.status != InboundStatus.DUPLICATE:
        TicketEntry.objects.create(
            ticket=outcome.ticket,
            kind=EntryKind.NOTE,
            author=actor,
            body=what,
            system_note=stored([what]),
        )


@transaction.atomic
def do_make_ticket(actor: User, held: InboundMessage) -> Ticket | None:
    """Let the mail in as mail in would have, were it not automatic-looking; returns its ticket.

    The sender becomes the requester when their address belongs to a customer (a new
    ticket, or a reply on the ticket it answers); otherwise the mail goes to triage.
    """
    services.check_agent(actor)
    locked = _lock(held)
    reason = locked.note
    outcome = mailin.place_held(locked, to_triage=False)
    _decided(
        locked,
        actor,
        outcome,
        SystemNote(gettext_noop("Let in from suspended mail (held: %(reason)s)."), reason=reason),
    )
    return outcome.ticket


@transaction.atomic
def do_release_to_triage(actor: User, held: InboundMessage) -> Ticket | None:
    """Put the mail in triage, where an agent gives it its customer and requester."""
    services.check_agent(actor)
    locked = _lock(held)
    reason = locked.note
    outcome = mailin.place_held(locked, to_triage=True)
    _decided(
        locked,
        actor,
        outcome,
        SystemNote(
            gettext_noop("Released to triage from suspended mail (held: %(reason)s)."),
            reason=reason,
        ),
    )
    return outcome.ticket


@transaction.atomic
def do_dismiss(actor: User, held: InboundMessage) -> None:
    """Take the mail off the list; the raw message stays in the admin."""
    services.check_agent(actor)
    locked = _lock(held)
    _decided(locked, actor, mailin.Outcome(InboundStatus.DISMISSED), None)
