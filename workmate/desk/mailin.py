"""Mail in: every e-mail that reaches the desk becomes a ticket, a reply, or a triage item.

Both channels hand the raw bytes to `ingest()`: the SMTP listener (`manage.py
mail_inbound`) and IMAP polling (`fetch_imap()`, run by `manage.py fetch_mail` and the
periodic `fetch_mail` task). The raw mail is always stored first, in the same transaction
as what it caused, so nothing that was accepted can be lost, and anything that cannot be
placed safely goes to triage with a note for the agents instead of being dropped.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import html
import imaplib
import logging
import mimetypes
import re
from collections import Counter
from dataclasses import dataclass, field
from email import headerregistry
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from workmate.desk import services
from workmate.desk.models import (
    Contact,
    ContactMembership,
    Customer,
    EntryKind,
    InboundMessage,
    InboundStatus,
    Status,
    Ticket,
    TicketAttachment,
    TicketEntry,
)
from workmate.desk.notes import SystemNote, stored

logger = logging.getLogger(__name__)

# Mail without a Message-ID gets one made from its bytes, so a retried copy is still a copy.
SYNTHETIC_DOMAIN = "synthetic.workmate"
TICKET_TOKEN = re.compile(r"\[#(\d{1,12})\]")
MESSAGE_ID = re.compile(r"<([^<>\s]{1,290})>")
MAX_REFERENCES = 50
AUTO_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
# Outcomes after which the same Message-ID arriving again is a duplicate. A mail that
# failed may be tried again.
DONE_OUTCOMES = [
    InboundStatus.TICKET,
    InboundStatus.THREADED,
    InboundStatus.TRIAGE,
    InboundStatus.AUTO_REPLY,
]
# Control characters but tab and line feed (a \r comes back with every line break), and
# lone surrogates: PostgreSQL refuses NUL, and no one can read the rest.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Tags whose end starts a new line when HTML mail is turned into text.
BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class Mail:
    """What the desk reads from one raw mail; `problems` are notes for the agents."""

    message_id: str
    from_name: str = ""
    from_email: str = ""
    subject: str = ""
    body: str = ""
    # Referenced Message-IDs, most relevant first (In-Reply-To, then References newest first).
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    auto_reason: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    status: str
    ticket: Ticket | None = None
    note: str = ""


# --- Reading ---------------------------------------------------------------------------


def _text(value: str) -> str:
    """Header or body text that a database can store.

    8-bit header bytes the parser could not decode come through as surrogate escapes:
    decode them as UTF-8, else as CP949 (a superset of EUC-KR, the other common Korean
    charset). NULs and other control characters but line breaks and tabs are removed.
    """
    if _has_8bit(value):
        raw = value.encode("utf-8", "surrogateescape")
        for charset in ("utf-8", "cp949"):
            try:
                value = raw.decode(charset)
                break
            except UnicodeDecodeError:
                continue
        else:
            value = raw.decode("utf-8", "replace")
    return CONTROL.sub("", value)


def _one_line(value: str) -> str:
    return " ".join(_text(value).split())


def _header(msg: EmailMessage, name: str) -> str:
    """A header's decoded value ("" when missing).

    Raw 8-bit bytes (a mailer that skipped encoded-words) come from the stdlib parser as
    U+FFFD, so such a header is decoded from its raw value instead; so is one the parser
    chokes on.
    """
    raw = _raw_header(msg, name)
    if not raw:
        return ""
    if _has_8bit(raw[0]):
        return _one_line(raw[0])
    try:
        return _one_line(str(msg.get(name)))
    except Exception:  # The stdlib header parser has failed on crafted input before.
        return _one_line(raw[0])


def _has_8bit(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _raw_header(msg: EmailMessage, name: str) -> list[str]:
    return [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]


def _message_ids(values: list[str]) -> list[str]:
    ids = []
    for value in values:
        for found in MESSAGE_ID.findall(value):
            if found.isascii() and found.isprintable():
                ids.append(f"<{found}>")
    return ids


def html_to_text(markup: str) -> str:
    """Readable text from HTML mail: nh3 removes scripts, styles and every tag but a few
    block tags, whose ends then become line breaks; the rest of the tags go too."""
    safe = nh3.clean(markup, tags=BLOCK_TAGS, attributes={})
    safe = re.sub(r"<br\s*/?>|</(?:{})>".format("|".join(BLOCK_TAGS)), "\n", safe)
    text = html.unescape(re.sub(r"<[^>]*>", "", safe))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        # An unknown or wrong charset: decode the bytes ourselves.
        data = part.get_payload(decode=True) or b""
        content = data.decode("utf-8", "surrogateescape")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "surrogateescape")
    text = _text(str(content))
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.strip()


def _file_name(part: EmailMessage, number: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = _one_line(name).replace("\\", "/").rsplit("/", 1)[-1].strip(". ")
    if not name:
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{number}{extension}"
    return name[-255:]


def _collect(msg: EmailMessage, body_part: EmailMessage | None, mail: Mail) -> list[str]:
    """Gather attachments into `mail`; returns extra inline text parts for the body.

    Steps: walk the MIME tree; skip the chosen body; keep forwarded messages whole (.eml);
    a text part without a file name is the other half of a multipart/alternative (skipped)
    or more body text (returned); everything else is an attachment.
    """
    extra: list[str] = []

    def visit(part: EmailMessage, in_alternative: bool) -> None:
        if part is body_part:
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            try:
                data = inner.as_bytes() if inner is not None else b""
            except Exception:
                data = str(inner).encode("utf-8", "surrogateescape")
            name = _file_name(part, len(mail.attachments) + 1)
            if not name.endswith(".eml"):
                name = f"{name.rsplit('.', 1)[0]}.eml"
            mail.attachments.append(Attachment(name, ctype, data))
            return
        if part.is_multipart():
            alternative = ctype == "multipart/alternative"
            for sub in part.iter_parts():
                visit(sub, in_alternative or alternative)
            return
        disposition = part.get_content_disposition()
        has_name = bool(
            part.get_param("name") or part.get_param("filename", header="content-disposition")
        )
        if part.get_content_maintype() == "text" and not has_name and disposition != "attachment":
            if not in_alternative:
                text = _part_text(part)
                if text:
                    extra.append(text)
            return
        data = part.get_payload(decode=True) or b""
        name = _file_name(part, len(mail.attachments) + 1)
        mail.attachments.append(Attachment(name, ctype[:120], data))

    visit(msg, False)
    return extra


def _auto_reason(msg: EmailMessage, from_email: str, envelope_from: str | None) -> str:
    """Why this looks like a machine's mail (auto-reply, bounce, list), or "".

    Raw header values: these are plain tokens, and the stdlib's header parsing is the
    slowest part of reading a mail.
    """

    def value(name: str) -> str:
        return " ".join(" ".join(_raw_header(msg, name)).split()).lower()

    auto_submitted = value("Auto-Submitted")
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"[:200]
    for name in ("X-Autoreply", "X-Autorespond"):
        if value(name):
            return f"{name} header"
    precedence = value("Precedence")
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if msg.get_content_type() == "multipart/report":
        return "delivery report (multipart/report)"
    if envelope_from == "" or value("Return-Path") == "<>":
        return "bounce (empty return path)"
    if from_email.split("@", 1)[0] in BOUNCE_SENDERS:
        return "bounce (mailer daemon)"
    if from_email and from_email == settings.DESK_SUPPORT_EMAIL.lower():
        return "sent by the desk itself"
    return ""


def synthetic_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()[:48]}@{SYNTHETIC_DOMAIN}>"


class _CachedHeaders(headerregistry.HeaderRegistry):
    """The stdlib's header registry, remembering what it parsed.

    The modern email API parses a header again every time it is read, and reading a
    MIME tree reads each Content-Type a dozen times: that was a third of the time spent
    on a mail. Parsed headers are immutable, so equal raw values can share one.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[str, str], Any] = {}

    def __call__(self, name: str, value: str) -> Any:
        key = (name.lower(), value)
        parsed = self._parsed.get(key)
        if parsed is None:
            if len(self._parsed) > 5000:
                self._parsed.clear()
            parsed = self._parsed[key] = super().__call__(name, value)
        return parsed


POLICY = email.policy.default.clone(header_factory=_CachedHeaders())


def read(raw: bytes, envelope_from: str | None = None) -> Mail:
    """Parse a raw mail as leniently as the stdlib allows; what it cannot read is noted."""
    msg = email.message_from_bytes(raw, policy=POLICY)
    assert isinstance(msg, EmailMessage)
    ids = _message_ids(_raw_header(msg, "Message-ID"))
    mail = Mail(message_id=ids[0] if ids else synthetic_id(raw))
    if msg.defects:
        mail.problems.append(
            SystemNote(
                gettext_noop("The mail is malformed (%(defects)s); the original is kept."),
                defects=", ".join(sorted({type(d).__name__ for d in msg.defects})),
            )
        )

    # Sender: the first address of From, if it is a usable address.
    try:
        from_header = msg.get("From")
        addresses = getattr(from_header, "addresses", ()) if from_header is not None else ()
    except Exception:
        from_header, addresses = None, ()
    if addresses:
        candidate = _one_line(addresses[0].addr_spec).lower()
        try:
            validate_email(candidate)
        except ValidationError:
            candidate = ""
        mail.from_email = candidate[:254]
        mail.from_name = _one_line(addresses[0].display_name)[:150]
    if not mail.from_email:
        raw_from = _one_line(" ".join(_raw_header(msg, "From")))[:200]
        mail.problems.append(
            SystemNote(
                gettext_noop("The mail has no usable sender (From: “%(from)s”)."),
                **{"from": raw_from},
            )
            if raw_from
            else SystemNote(gettext_noop("The mail has no From header."))
        )

    mail.subject = _header(msg, "Subject")[:500]
    references = _message_ids(_raw_header(msg, "In-Reply-To"))
    references += reversed(_message_ids(_raw_header(msg, "References")))
    # A long thread's newest ids say enough; a crafted header cannot make a huge query.
    mail.references = list(dict.fromkeys(references))[:MAX_REFERENCES]
    mail.auto_reason = _auto_reason(msg, mail.from_email, envelope_from)

    try:
        body_part = msg.get_body(preferencelist=("plain", "html"))
    except Exception:
        body_part = None
    try:
        body = _part_text(body_part) if body_part is not None else ""
    except Exception:
        logger.warning("Could not read the text of a mail", exc_info=True)
        mail.problems.append(
            SystemNote(gettext_noop("Its text could not be read; the original is kept."))
        )
        body = ""
    if len(raw) > settings.DESK_INBOUND_MAX_BYTES:
        mail.problems.append(
            SystemNote(
                gettext_noop(
                    "The mail is larger than %(limit)s bytes: its attachments are kept only "
                    "in the original."
                ),
                limit=settings.DESK_INBOUND_MAX_BYTES,
            )
        )
        extra: list[str] = []
    else:
        try:
            extra = _collect(msg, body_part, mail)
        except Exception:
            logger.warning("Could not take the attachments out of a mail", exc_info=True)
            mail.problems.append(
                SystemNote(gettext_noop("Its attachments could not be read; the original is kept."))
            )
            extra = []
    mail.body = "\n\n".join(text for text in [body, *extra] if text)
    return mail


# --- Routing ---------------------------------------------------------------------------


def _domain_customers(domain: str) -> list[Customer]:
    """Customers that own the sender's domain (or a parent of it).

    In Python rather than SQL: JSON `contains` is not available on SQLite, and there are
    a few hundred customers at most.
    """
    matches = []
    for customer in Customer.objects.only("pk", "name", "email_domains"):
        for owned in customer.email_domains or []:
            owned = str(owned).lower()
            if domain == owned or domain.endswith(f".{owned}"):
                matches.append(customer)
                break
    return matches


def _guess_language(mail: Mail) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if HANGUL.search(mail.subject) or HANGUL.search(mail.body[:2000]):
        return "ko" if "ko" in codes else settings.LANGUAGE_CODE
    return "en" if "en" in codes else settings.LANGUAGE_CODE


def _sender(mail: Mail) -> tuple[Contact | None, Customer | None, str]:
    """The sender's contact and the organisation the mail is for, or a reason for triage.

    A known contact writes for the organisation that owns the sender's domain, else their
    first one; an unknown address at exactly one customer's domain becomes a new contact.
    """
    domain = mail.from_email.rsplit("@", 1)[-1]
    contact = Contact.objects.filter(email=mail.from_email).first()
    if contact is not None:
        if not contact.is_active:
            return None, None, SystemNote(gettext_noop("The sender is a deactivated contact."))
        memberships = list(
            ContactMembership.objects.filter(contact=contact)
            .select_related("customer")
            .order_by("pk")
        )
        if not memberships:
            return (
                contact,
                None,
                SystemNote(gettext_noop("The sender belongs to no customer any more.")),
            )
        for membership in memberships:
            owned = [str(d).lower() for d in membership.customer.email_domains or []]
            if any(domain == d or domain.endswith(f".{d}") for d in owned):
                return contact, membership.customer, ""
        return contact, memberships[0].customer, ""
    customers = _domain_customers(domain)
    if not customers:
        return None, None, SystemNote(gettext_noop("The sender's domain belongs to no customer."))
    if len(customers) > 1:
        names = ", ".join(c.name for c in customers)
        return (
            None,
            None,
            SystemNote(
                gettext_noop("Several customers own the sender's domain: %(names)s."), names=names
            ),
        )
    # Two mails from the same new person may arrive at once: get_or_create settles it.
    contact, _created = Contact.objects.get_or_create(
        email=mail.from_email,
        defaults={"full_name": mail.from_name, "language": _guess_language(mail)},
    )
    ContactMembership.objects.get_or_create(contact=contact, customer=customers[0])
    return contact, customers[0], ""


def _referenced_tickets(mail: Mail) -> list[Ticket]:
    """Tickets the mail refers to, most relevant first: threading headers, then [#1234]."""
    found: list[int] = []
    if mail.references:
        by_id = dict(_by_message_id(*mail.references).values_list("message_id", "ticket_id"))
        found += [by_id[mid] for mid in mail.references if mid in by_id]
    found += [int(n) for n in TICKET_TOKEN.findall(mail.subject)[:5]]
    tickets = Ticket.objects.in_bulk(found)
    ordered: list[Ticket] = []
    for pk in found:
        ticket = tickets.get(pk)
        # A merged ticket lives on in the one it was merged into.
        hops = 0
        while ticket is not None and ticket.merged_into_id is not None and hops < 10:
            ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
            hops += 1
        if ticket is not None and ticket not in ordered:
            ordered.append(ticket)
    return ordered


def _note(ticket: Ticket, lines: list[str]) -> None:
    """An internal note of what the desk noticed, shown to each agent in their language."""
    TicketEntry.objects.create(
        ticket=ticket,
        kind=EntryKind.NOTE,
        body="\n".join(lines),
        system_note=stored(lines),
    )


def _save_attachments(entry: TicketEntry, mail: Mail) -> list[str]:
    problems = []
    limit = settings.WORK_ATTACHMENT_MAX_BYTES
    for attachment in mail.attachments:
        if len(attachment.data) > limit:
            problems.append(
                SystemNote(
                    gettext_noop(
                        "“%(name)s” (%(size)s bytes) is over the %(limit)s-byte limit; it is "
                        "kept only in the original mail."
                    ),
                    name=attachment.name,
                    size=len(attachment.data),
                    limit=limit,
                )
            )
            continue
        TicketAttachment.objects.create(
            entry=entry,
            file=ContentFile(attachment.data, name=attachment.name),
            name=attachment.name,
            size=len(attachment.data),
            content_type=attachment.content_type,
        )
    return problems


def _subject(mail: Mail) -> str:
    # The [#1234] token of another ticket would mislead whoever reads the new one.
    subject = " ".join(TICKET_TOKEN.sub("", mail.subject).split())
    return subject or _("(no subject)")


def _body(mail: Mail) -> str:
    if mail.body:
        return mail.body
    if mail.attachments:
        return _("(Attachments only.)")
    return _("(The mail had no text.)")


def _open_ticket(
    mail: Mail, customer: Customer | None, contact: Contact | None, notes: list[str]
) -> Ticket:
    """A new ticket (for a customer, or in triage), with its attachments and agents' notes."""
    ticket = services.do_create_ticket(
        subject=_subject(mail),
        description=_body(mail),
        customer=customer,
        requester=contact if customer is not None else None,
        from_email=mail.from_email,
        message_id=mail.message_id,
    )
    if mail.attachments:
        entry = ticket.entries.get(message_id=mail.message_id)
        notes = [*notes, *_save_attachments(entry, mail)]
    notes = [*notes, *mail.problems]
    if notes:
        _note(ticket, notes)
    return ticket


def _add_to_ticket(mail: Mail, ticket: Ticket, contact: Contact | None) -> None:
    if contact is not None:
        entry = services.do_customer_reply(contact, ticket, _body(mail), message_id=mail.message_id)
    else:
        # More mail from the unknown sender of a triage ticket.
        entry = TicketEntry.objects.create(
            ticket=ticket, kind=EntryKind.CUSTOMER, body=_body(mail), message_id=mail.message_id
        )
    notes = [*mail.problems, *_save_attachments(entry, mail)]
    if notes:
        _note(ticket, notes)


def _by_message_id(*message_ids: str):
    # The excluded "" repeats the unique index's condition, so SQLite uses that index
    # (it cannot tell by itself that `= '<a@b>'` implies `<> ''`; PostgreSQL can).
    return TicketEntry.objects.exclude(message_id="").filter(message_id__in=message_ids)


def _is_duplicate(message_id: str, held: InboundMessage | None = None) -> bool:
    """Whether this Message-ID was placed before (`held`, a suspended copy, does not count)."""
    if _by_message_id(message_id).exists():
        return True
    # The outcome is checked here rather than in SQL, so the lookup uses the
    # message_id index rather than the status one.
    rows = InboundMessage.objects.filter(message_id=message_id)
    if held is not None:
        rows = rows.exclude(pk=held.pk)
    outcomes = rows.values_list("status", flat=True)
    return any(outcome in DONE_OUTCOMES for outcome in outcomes)


def _route(mail: Mail, held: InboundMessage | None = None) -> Outcome:
    """Decide what the mail becomes, and make it so.

    Steps:
    1. The same Message-ID seen before: a duplicate, nothing is added.
    2. An auto-reply or bounce: kept, nothing else (no reopening, no answer, no loop).
    3. No usable sender: triage.
    4. Find the sender (a contact, a new contact at a customer's domain, or nobody).
    5. A reply (In-Reply-To/References or [#1234]) to a ticket the sender may see goes on
       that ticket (a closed one gets a follow-up ticket); a reference to a ticket the
       sender may not see is never followed: triage, with a note for the agents.
    6. Otherwise a new ticket for the contact's organisation, or triage.
    """
    if _is_duplicate(mail.message_id, held):
        entry = _by_message_id(mail.message_id).select_related("ticket").first()
        return Outcome(InboundStatus.DUPLICATE, entry.ticket if entry else None)

    if mail.auto_reason:
        return Outcome(InboundStatus.AUTO_REPLY, note=mail.auto_reason)

    if not mail.from_email:
        ticket = _open_ticket(mail, None, None, [])
        return Outcome(InboundStatus.TRIAGE, ticket, "\n".join(mail.problems))

    contact, customer, why = _sender(mail)
    referenced = _referenced_tickets(mail)
    if referenced:
        visible = (
            set(
                Ticket.objects.visible_to_contact(contact)
                .filter(pk__in=[t.pk for t in referenced])
                .values_list("pk", flat=True)
            )
            if contact is not None and customer is not None
            else set()
        )
        for ticket in referenced:
            if ticket.pk in visible:
                if ticket.status == Status.CLOSED:
                    note = SystemNote(
                        gettext_noop("Follow-up to closed ticket #%(number)s."), number=ticket.pk
                    )
                    new = _open_ticket(mail, customer, contact, [note])
                    return Outcome(InboundStatus.TICKET, new, note)
                _add_to_ticket(mail, ticket, contact)
                return Outcome(InboundStatus.THREADED, ticket, "\n".join(mail.problems))
            if ticket.customer_id is None and ticket.from_email == mail.from_email:
                _add_to_ticket(mail, ticket, None)
                return Outcome(InboundStatus.THREADED, ticket)
        numbers = ", ".join(f"#{t.pk}" for t in referenced)
        note = SystemNote(
            gettext_noop(
                "This mail refers to %(numbers)s, which its sender may not see; it was not "
                "added there."
            ),
            numbers=numbers,
        )
        logger.warning(
            "Mail %s from %s refers to %s: triage", mail.message_id, mail.from_email, numbers
        )
        ticket = _open_ticket(mail, None, None, [note, why] if why else [note])
        return Outcome(InboundStatus.TRIAGE, ticket, note)

    if contact is not None and customer is not None:
        ticket = _open_ticket(mail, customer, contact, [])
        return Outcome(InboundStatus.TICKET, ticket, "\n".join(mail.problems))
    ticket = _open_ticket(mail, None, None, [why])
    return Outcome(InboundStatus.TRIAGE, ticket, why)


def ingest(
    raw: bytes, channel: str = "smtp", *, envelope_from: str | None = None
) -> InboundMessage:
    """Store one raw mail together with what it caused, in one transaction; returns it.

    Steps: read the mail; route it in a savepoint (see `_route`); when routing fails
    unexpectedly, roll back only its part, log it and put the mail in triage, or, when
    even that fails, mark it failed; then write the raw mail with its outcome. The raw
    row and the ticket changes commit together or not at all (then the SMTP sender is
    told to retry), so an accepted mail is never lost; the row is written once, at the
    end, so the raw bytes are not written twice.
    `envelope_from` is the SMTP MAIL FROM ("" for a bounce), None when unknown.
    """
    with transaction.atomic():
        mail: Mail | None = None
        try:
            mail = read(raw, envelope_from)
            with transaction.atomic():
                outcome = _route(mail)
        except IntegrityError:
            # The same Message-ID arriving twice at once: the other copy won.
            if mail is not None and _is_duplicate(mail.message_id):
                outcome = Outcome(InboundStatus.DUPLICATE)
            else:
                outcome = _fallback(raw, mail)
        except Exception:
            outcome = _fallback(raw, mail)
        inbound = InboundMessage.objects.create(
            raw=raw,
            channel=channel,
            message_id=mail.message_id if mail else synthetic_id(raw),
            from_email=(mail.from_email or mail.from_name)[:300] if mail else "",
            subject=mail.subject[:500] if mail else "",
            status=outcome.status,
            ticket=outcome.ticket,
            note=outcome.note,
        )
        if outcome.status == InboundStatus.FAILED or (mail is not None and mail.problems):
            # Bad input: say so in the log too (the note on the ticket is for the agents).
            logger.warning(
                "Inbound mail %s (%s) from %r: %s. %s",
                inbound.pk,
                inbound.message_id,
                inbound.from_email,
                outcome.status,
                outcome.note.replace("\n", " "),
            )
        if outcome.status == InboundStatus.TICKET and outcome.ticket is not None:
            services.acknowledge_on_commit(outcome.ticket)
    return inbound


def _valid_address(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def place_held(held: InboundMessage, *, to_triage: bool) -> Outcome:
    """Place a suspended mail as if it had not looked automatic, on an agent's word.

    `to_triage`: a triage ticket whoever sent it; otherwise the mail goes where mail in
    would have put it (a new ticket for the sender's customer, onto the ticket it answers,
    or triage). Mail that cannot be read goes to triage with what its row says. The
    caller locks `held`, records the outcome and writes the agent's note.
    """
    try:
        mail = read(bytes(held.raw))
    except Exception:
        logger.warning("Suspended mail %s cannot be read", held.pk, exc_info=True)
        ticket = services.do_create_ticket(
            subject=held.subject or _("(unreadable mail)"),
            description=_("The mail could not be read; the original is kept."),
            customer=None,
            requester=None,
            from_email=_valid_address(held.from_email),
        )
        return Outcome(InboundStatus.TRIAGE, ticket)
    mail.auto_reason = ""
    if (to_triage or not mail.from_email) and not _is_duplicate(mail.message_id, held):
        ticket = _open_ticket(mail, None, None, [])
        return Outcome(InboundStatus.TRIAGE, ticket, "\n".join(mail.problems))
    return _route(mail, held)


def _fallback(raw: bytes, mail: Mail | None) -> Outcome:
    """Routing failed: log it, and put what can be read into triage, else mark it failed."""
    logger.exception("Inbound mail could not be routed; sending it to triage")
    note = SystemNote(
        gettext_noop("The mail could not be processed automatically; the original is kept.")
    )
    try:
        with transaction.atomic():
            ticket = services.do_create_ticket(
                subject=(mail.subject if mail else "") or _("(unreadable mail)"),
                description=(mail.body if mail else "") or note,
                customer=None,
                requester=None,
                from_email=mail.from_email if mail else "",
            )
            _note(ticket, [note])
        return Outcome(InboundStatus.TRIAGE, ticket, note)
    except Exception:
        logger.exception("Inbound mail could not even go to triage; kept as failed")
        return Outcome(InboundStatus.FAILED, note=note)


# --- IMAP ------------------------------------------------------------------------------


@dataclass
class IMAPSource:
    """Where `fetch_imap` reads: imap[s]://user:password@host[:port]/MAILBOX[?move=Folder]."""

    secure: bool
    host: str
    port: int
    user: str
    password: str
    mailbox: str
    move_to: str

    @classmethod
    def parse(cls, url: str) -> IMAPSource:
        parts = urlsplit(url)
        if parts.scheme not in {"imap", "imaps"} or not parts.hostname:
            raise ValueError(f"Not an imap:// or imaps:// URL: {parts.scheme}://{parts.hostname}")
        secure = parts.scheme == "imaps"
        query = parse_qs(parts.query)
        return cls(
            secure=secure,
            host=parts.hostname,
            port=parts.port or (993 if secure else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
            move_to=query.get("move", [""])[0],
        )

    def connect(self) -> imaplib.IMAP4:
        conn: imaplib.IMAP4
        if self.secure:
            conn = imaplib.IMAP4_SSL(self.host, self.port, timeout=60)
        else:
            conn = imaplib.IMAP4(self.host, self.port, timeout=60)
        conn.login(self.user, self.password)
        return conn


def fetch_imap(url: str, *, everything: bool = False, limit: int = 500) -> Counter[str]:
    """Ingest the mailbox's unread mail (or all of it); returns how many of each outcome.

    Steps: log in; select the mailbox; search UNSEEN (or ALL); for each message fetch it
    without marking it read (BODY.PEEK), ingest it (the Message-ID dedupe makes a second
    run harmless), then flag it \\Seen and, with `?move=Folder`, move it there. A crash
    between ingest and the flag means the next run sees a duplicate, never a loss.
    """
    source = IMAPSource.parse(url)
    counts: Counter[str] = Counter()
    conn = source.connect()
    try:
        typ, data = conn.select(_quote(source.mailbox))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"Cannot open mailbox {source.mailbox}: {data!r}")
        typ, data = conn.uid("SEARCH", None, "ALL" if everything else "UNSEEN")
        uids = (data[0] or b"").split() if typ == "OK" else []
        for uid in uids[:limit]:
            typ, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
            if typ != "OK" or raw is None:
                logger.warning("IMAP message %s could not be fetched: %r", uid, fetched)
                counts["unfetched"] += 1
                continue
            inbound = ingest(raw, "imap")
            counts[inbound.status] += 1
            conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            if source.move_to:
                moved, _data = conn.uid("MOVE", uid, _quote(source.move_to))
                if moved != "OK":
                    conn.uid("COPY", uid, _quote(source.move_to))
                    conn.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
        if source.move_to:
            conn.expunge()
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()
    return counts


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
