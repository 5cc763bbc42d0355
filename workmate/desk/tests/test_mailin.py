"""Mail in (`mailin.ingest`): tickets, threading, dedupe, triage, auto-replies, bad input."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail as outbox

from workmate.desk import mailin, services
from workmate.desk.models import (
    Contact,
    EntryKind,
    InboundMessage,
    InboundStatus,
    Status,
    Ticket,
    TicketAttachment,
    TicketEntry,
)
from workmate.testing.factories import make_contact, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def compose(
    sender: str | None = "Jisoo Han <jisoo@hanbit.example>",
    subject: str = "Backup job failed",
    body: str = "The nightly backup failed again.",
    *,
    message_id: str | None = "auto",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    """A raw mail as a mail client would write it."""
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"] = "support@workmate.example"
    msg["Subject"] = subject
    if message_id == "auto":
        message_id = make_msgid(domain="client.example")
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    # Line ends as on the wire (SMTP needs CRLF).
    return msg.as_bytes(policy=email.policy.SMTP)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit work (the acknowledgement and reply mails) as a real commit would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def ingest(raw: bytes, **kwargs) -> InboundMessage:
    inbound = mailin.ingest(raw, **kwargs)
    inbound.refresh_from_db()
    return inbound


# --- New tickets -----------------------------------------------------------------------


def test_mail_from_a_contact_opens_a_ticket_and_is_acknowledged(
    team, customer_a, contact_a, on_commit
):
    raw = compose(message_id="<first@client.example>")
    inbound = on_commit(mailin.ingest, raw)
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.TICKET
    assert bytes(inbound.raw) == raw
    ticket = Ticket.objects.get()
    assert inbound.ticket == ticket
    assert (ticket.customer, ticket.requester, ticket.team) == (customer_a, contact_a, team)
    assert ticket.subject == "Backup job failed"
    entry = ticket.entries.get(kind=EntryKind.CUSTOMER)
    assert entry.message_id == "<first@client.example>"
    assert entry.contact == contact_a
    assert "nightly backup" in entry.body
    [ack] = outbox.outbox
    assert ack.to == ["jisoo@hanbit.example"]
    assert ack.subject == f"Re: [#{ticket.pk}] Backup job failed"
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    assert ack.extra_headers["In-Reply-To"] == "<first@client.example>"
    # The acknowledgement's own Message-ID is recorded, so answers to it thread back.
    assert ticket.entries.filter(message_id=ack.extra_headers["Message-ID"]).exists()


def test_contact_in_several_organisations_writes_for_the_one_owning_their_domain(
    customer_a, customer_b
):
    both = make_contact(customer_b, customer_a, email="dual@hanbit.example")
    ingest(compose(sender="dual@hanbit.example"))
    assert Ticket.objects.get().customer == customer_a
    other = make_contact(customer_b, customer_a, email="dual@elsewhere.example")
    ingest(compose(sender=other.email))
    assert Ticket.objects.get(requester=other).customer == customer_b  # The first one.
    assert both.tickets.count() == 1


def test_unknown_sender_at_a_customers_domain_becomes_a_contact(customer_a, on_commit):
    inbound = on_commit(
        mailin.ingest, compose(sender="Yuna Seo <Yuna.Seo@hanbit.example>", subject="VPN 접속 불가")
    )
    contact = Contact.objects.get(email="yuna.seo@hanbit.example")
    assert contact.full_name == "Yuna Seo"
    assert contact.language == "ko"  # Guessed from the Korean subject.
    assert list(contact.customers.all()) == [customer_a]
    ticket = Ticket.objects.get()
    assert (ticket.customer, ticket.requester) == (customer_a, contact)
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.TICKET
    assert len(outbox.outbox) == 1


def test_unknown_domain_goes_to_triage_never_dropped_nor_acknowledged(customer_a, on_commit):
    inbound = on_commit(mailin.ingest, compose(sender="Stranger <who@nowhere.example>"))
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.TRIAGE
    ticket = Ticket.objects.get()
    assert ticket.customer is None and ticket.requester is None
    assert ticket.from_email == "who@nowhere.example"
    assert ticket.status == Status.NEW
    assert not Contact.objects.filter(email="who@nowhere.example").exists()
    assert "domain belongs to no customer" in ticket.entries.get(kind=EntryKind.NOTE).body
    assert outbox.outbox == []


def test_further_mail_from_a_triage_sender_threads_onto_their_triage_ticket(customer_a):
    first = ingest(compose(sender="who@nowhere.example", message_id="<t1@nowhere.example>"))
    second = ingest(
        compose(
            sender="who@nowhere.example",
            subject=f"Re: [#{first.ticket_id}] Backup job failed",
            headers={"In-Reply-To": "<t1@nowhere.example>"},
            body="Any news?",
        )
    )
    assert second.status == InboundStatus.THREADED
    assert second.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1


# --- Dedupe ----------------------------------------------------------------------------


def test_same_message_id_twice_makes_one_entry(customer_a, contact_a):
    raw = compose(message_id="<once@client.example>")
    first = ingest(raw)
    again = ingest(raw)
    assert (first.status, again.status) == (InboundStatus.TICKET, InboundStatus.DUPLICATE)
    assert again.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert TicketEntry.objects.filter(message_id="<once@client.example>").count() == 1
    # Both copies are kept raw.
    assert InboundMessage.objects.count() == 2


def test_a_reply_delivered_twice_is_added_once(customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a, message_id="<a@x>")
    raw = compose(headers={"In-Reply-To": "<a@x>"}, body="More logs.")
    assert ingest(raw).status == InboundStatus.THREADED
    assert ingest(raw).status == InboundStatus.DUPLICATE
    assert ticket.entries.filter(kind=EntryKind.CUSTOMER).count() == 2


def test_mail_without_message_id_gets_a_stable_one(customer_a, contact_a):
    raw = compose(message_id=None)
    first = ingest(raw)
    again = ingest(raw)
    assert first.message_id == mailin.synthetic_id(raw)
    assert again.status == InboundStatus.DUPLICATE
    assert Ticket.objects.count() == 1


def test_a_failed_mail_can_be_tried_again(customer_a, contact_a, monkeypatch):
    raw = compose(message_id="<retry@client.example>")
    monkeypatch.setattr(mailin, "_route", _boom)
    monkeypatch.setattr(mailin.services, "do_create_ticket", _boom)
    failed = ingest(raw)
    assert failed.status == InboundStatus.FAILED
    assert bytes(failed.raw) == raw
    monkeypatch.undo()
    assert ingest(raw).status == InboundStatus.TICKET


def _boom(*args, **kwargs):
    raise RuntimeError("database on fire")


# --- Threading -------------------------------------------------------------------------


@pytest.fixture
def answered(customer_a, contact_a, alice, django_capture_on_commit_callbacks):
    """A ticket with the customer's first mail and an agent's mailed reply."""
    ticket = make_ticket(
        customer=customer_a, requester=contact_a, subject="Disk full", message_id="<c1@client>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.do_reply(alice, ticket, "Please send the df output.", status="pending")
    reply.refresh_from_db()
    assert reply.message_id
    return ticket, reply


def test_reply_threads_by_in_reply_to_and_resumes_the_clock(answered):
    ticket, reply = answered
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING
    inbound = ingest(compose(subject="Re: Disk full", headers={"In-Reply-To": reply.message_id}))
    assert (inbound.status, inbound.ticket_id) == (InboundStatus.THREADED, ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.paused_since is None
    assert ticket.entries.filter(kind=EntryKind.CUSTOMER).count() == 2


def test_reply_threads_by_references_alone(answered):
    ticket, reply = answered
    inbound = ingest(
        compose(subject="Re: stuff", headers={"References": f"<c1@client> {reply.message_id}"})
    )
    assert (inbound.status, inbound.ticket_id) == (InboundStatus.THREADED, ticket.pk)


def test_reply_threads_by_subject_token(customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_change_status(None, ticket, Status.SOLVED)
    inbound = ingest(compose(subject=f"RE: [#{ticket.pk}] whatever", body="Still broken."))
    assert (inbound.status, inbound.ticket_id) == (InboundStatus.THREADED, ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # Reopened.


def test_reply_to_a_closed_ticket_opens_a_follow_up(customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_change_status(None, ticket, Status.CLOSED)
    inbound = ingest(compose(subject=f"Re: [#{ticket.pk}] thanks", body="It broke again."))
    assert inbound.status == InboundStatus.TICKET
    follow_up = inbound.ticket
    assert follow_up.pk != ticket.pk
    assert f"#{ticket.pk}" in follow_up.entries.get(kind=EntryKind.NOTE).body
    assert follow_up.subject == "Re: thanks"


def test_forged_in_reply_to_another_customers_ticket_goes_to_triage(
    customer_a, contact_a, contact_b, customer_b
):
    theirs = make_ticket(customer=customer_b, requester=contact_b, message_id="<secret@maru>")
    inbound = ingest(compose(subject="Re: hi", headers={"In-Reply-To": "<secret@maru>"}))
    assert inbound.status == InboundStatus.TRIAGE
    assert f"#{theirs.pk}" in inbound.note
    assert theirs.entries.count() == 1  # Nothing attached there.
    triage = inbound.ticket
    assert triage.customer is None and triage.requester is None
    assert f"#{theirs.pk}" in triage.entries.get(kind=EntryKind.NOTE).body
    # The contact cannot see the triage ticket (nor learn anything from it).
    assert not Ticket.objects.visible_to_contact(contact_a).exists()


def test_forged_subject_token_goes_to_triage(customer_a, contact_a, customer_b, contact_b):
    theirs = make_ticket(customer=customer_b, requester=contact_b)
    inbound = ingest(compose(subject=f"[#{theirs.pk}] give me their data"))
    assert inbound.status == InboundStatus.TRIAGE
    assert theirs.entries.count() == 1
    assert inbound.ticket.subject == "give me their data"


def test_colleague_cannot_thread_onto_a_private_ticket(customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a, message_id="<p@x>")
    colleague = make_contact(customer_a, email="colleague@hanbit.example")
    inbound = ingest(compose(sender=colleague.email, headers={"In-Reply-To": "<p@x>"}))
    assert inbound.status == InboundStatus.TRIAGE
    customer_a.shared_tickets = True
    customer_a.save()
    inbound = ingest(compose(sender=colleague.email, headers={"In-Reply-To": "<p@x>"}))
    assert (inbound.status, inbound.ticket_id) == (InboundStatus.THREADED, ticket.pk)


# --- Auto-replies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "sender", "envelope_from"),
    [
        ({"Auto-Submitted": "auto-replied"}, "jisoo@hanbit.example", None),
        ({"X-Autoreply": "yes"}, "jisoo@hanbit.example", None),
        ({"Precedence": "bulk"}, "jisoo@hanbit.example", None),
        ({"Return-Path": "<>"}, "jisoo@hanbit.example", None),
        ({}, "MAILER-DAEMON@mx.hanbit.example", None),
        ({}, "jisoo@hanbit.example", ""),
    ],
)
def test_auto_replies_do_not_reopen_or_answer(
    customer_a, contact_a, on_commit, headers, sender, envelope_from
):
    ticket = make_ticket(customer=customer_a, requester=contact_a, message_id="<orig@x>")
    services.do_change_status(None, ticket, Status.SOLVED)
    raw = compose(
        sender=sender,
        subject=f"Out of office: [#{ticket.pk}]",
        headers={"In-Reply-To": "<orig@x>", **headers},
    )
    inbound = on_commit(mailin.ingest, raw, envelope_from=envelope_from)
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.AUTO_REPLY
    assert bytes(inbound.raw) == raw
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.entries.filter(kind=EntryKind.CUSTOMER).count() == 1
    assert Ticket.objects.count() == 1
    assert outbox.outbox == []


def test_auto_submitted_no_is_a_person(customer_a, contact_a):
    assert ingest(compose(headers={"Auto-Submitted": "no"})).status == InboundStatus.TICKET


def test_delivery_report_is_a_bounce(customer_a, contact_a):
    raw = (
        b"From: Mail Delivery System <postmaster@mx.hanbit.example>\r\n"
        b"To: support@workmate.example\r\nSubject: Undeliverable: Re: [#1] Disk full\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type="delivery-status";'
        b' boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n'
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.hanbit.example\r\n\r\n--r--\r\n"
    )
    inbound = ingest(raw)
    assert inbound.status == InboundStatus.AUTO_REPLY
    assert "multipart/report" in inbound.note
    assert not Ticket.objects.exists()


def test_mail_from_the_desk_itself_does_not_loop(customer_a, settings):
    settings.DESK_SUPPORT_EMAIL = "support@hanbit.example"
    inbound = ingest(compose(sender="support@hanbit.example"))
    assert inbound.status == InboundStatus.AUTO_REPLY
    assert not Contact.objects.filter(email="support@hanbit.example").exists()


# --- Content ---------------------------------------------------------------------------


def test_html_mail_is_sanitised(customer_a, contact_a):
    markup = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>Hello <b>team</b> &amp; co,</p><script>alert('x')</script>"
        '<p><a href="javascript:steal()" onclick="steal()">click</a></p></body></html>'
    )
    msg = EmailMessage()
    msg["From"] = "jisoo@hanbit.example"
    msg["Subject"] = "HTML only"
    msg.set_content(markup, subtype="html")
    ingest(msg.as_bytes())
    body = Ticket.objects.get().description
    assert "Hello team & co," in body
    assert "click" in body
    for bad in ("script", "alert", "javascript", "onclick", "<", "color:red"):
        assert bad not in body


def test_plain_text_is_preferred_to_html(customer_a, contact_a):
    ingest(compose(body="plain words", html="<p>html words</p>"))
    assert Ticket.objects.get().description == "plain words"


def test_attachments_are_kept(customer_a, contact_a):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    ingest(
        compose(
            attachments=[("screen.png", png, "image/png"), ("../../etc/passwd", b"x", "text/plain")]
        )
    )
    entry = TicketEntry.objects.get(kind=EntryKind.CUSTOMER)
    files = {a.name: a for a in entry.attachments.all()}
    assert set(files) == {"screen.png", "passwd"}
    assert files["screen.png"].size == len(png)
    assert files["screen.png"].content_type == "image/png"
    with files["screen.png"].file.open("rb") as handle:
        assert handle.read() == png
    assert ".." not in files["passwd"].file.name


def test_huge_attachment_stays_in_the_raw_mail_only(customer_a, contact_a, settings):
    settings.WORK_ATTACHMENT_MAX_BYTES = 1000
    raw = compose(
        attachments=[
            ("small.txt", b"ok", "text/plain"),
            ("big.bin", b"x" * 5000, "application/zip"),
        ]
    )
    inbound = ingest(raw)
    assert inbound.status == InboundStatus.TICKET
    assert list(TicketAttachment.objects.values_list("name", flat=True)) == ["small.txt"]
    note = inbound.ticket.entries.get(kind=EntryKind.NOTE).body
    assert "big.bin" in note
    assert bytes(inbound.raw) == raw  # Nothing lost: the original holds it.


def test_mail_over_the_inbound_limit_keeps_only_its_text(customer_a, contact_a, settings):
    settings.DESK_INBOUND_MAX_BYTES = 2000
    inbound = ingest(compose(attachments=[("a.bin", b"y" * 3000, "application/octet-stream")]))
    assert inbound.status == InboundStatus.TICKET
    assert not TicketAttachment.objects.exists()
    assert "larger than 2000 bytes" in inbound.note


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("=?EUC-KR?B?vK259iDA5b7WIMbEwM8=?=", "서버 장애 파일"),
        ("=?euc-kr?Q?=BC=AD=B9=F6_=C0=E5=BE=D6?=", "서버 장애"),
        ("=?UTF-8?B?7ISc67KEIOyepeyVoA==?=", "서버 장애"),
        ("=?utf-8?q?=EC=84=9C=EB=B2=84_=EC=9E=A5=EC=95=A0?= (urgent)", "서버 장애 (urgent)"),
    ],
)
def test_encoded_word_subjects_in_korean(customer_a, contact_a, header, expected):
    raw = (
        "From: =?EUC-KR?B?x9GxuQ==?= <jisoo@hanbit.example>\r\n"
        f"Subject: {header}\r\nMessage-ID: <k@x>\r\n"
        "Content-Type: text/plain; charset=euc-kr\r\n\r\n"
    ).encode() + "본문입니다".encode("euc-kr")
    inbound = ingest(raw)
    assert inbound.subject == expected
    ticket = Ticket.objects.get()
    assert ticket.subject == expected
    assert ticket.description == "본문입니다"


def test_raw_8bit_euc_kr_headers_are_decoded(customer_a):
    raw = "From: 김민수 <minsu@hanbit.example>\r\nSubject: 백업 실패\r\n\r\n".encode(
        "euc-kr"
    ) + "확인 부탁드립니다".encode("euc-kr")
    inbound = ingest(raw)
    assert inbound.subject == "백업 실패"
    assert Contact.objects.get(email="minsu@hanbit.example").full_name == "김민수"
    # Without a charset the body is read as UTF-8 where it can be, else kept readable.
    assert inbound.ticket.description


# --- Bad input -------------------------------------------------------------------------


def test_missing_from_goes_to_triage(customer_a):
    raw = compose(sender=None)
    inbound = ingest(raw)
    assert inbound.status == InboundStatus.TRIAGE
    assert bytes(inbound.raw) == raw
    assert inbound.ticket.customer is None and inbound.ticket.from_email == ""
    assert "no From header" in inbound.ticket.entries.get(kind=EntryKind.NOTE).body


def test_unusable_from_goes_to_triage(customer_a):
    inbound = ingest(compose(sender="not an address at all"))
    assert inbound.status == InboundStatus.TRIAGE
    assert "not an address at all" in inbound.note


@pytest.mark.parametrize(
    "raw",
    [
        # A multipart whose boundary never appears, and a part with broken base64.
        b"From: jisoo@hanbit.example\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="zzz"\r\n\r\nno parts here at all\r\n',
        b"From: jisoo@hanbit.example\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\nhello\r\n--b\r\n"
        b'Content-Type: application/pdf; name="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
        b"\r\n!!!not base64@@@\r\n",
        b"\x00\xff\xfe garbage that is not a mail \x00\r\n\r\n\x00",
        b"",
    ],
)
def test_malformed_mime_is_kept_and_placed(customer_a, contact_a, raw):
    inbound = ingest(raw)
    assert bytes(inbound.raw) == raw
    assert inbound.status in {InboundStatus.TICKET, InboundStatus.TRIAGE}
    assert inbound.ticket is not None
    if inbound.status == InboundStatus.TICKET:
        assert "malformed" in inbound.ticket.entries.get(kind=EntryKind.NOTE).body


def test_nul_bytes_and_control_characters_are_dropped(customer_a, contact_a):
    raw = compose(subject="bad\x07subject", body="a\x00b\x1bc")
    ingest(raw)
    ticket = Ticket.objects.get()
    assert ticket.subject == "badsubject"
    assert ticket.description == "abc"


def test_an_unexpected_error_sends_the_mail_to_triage(customer_a, contact_a, monkeypatch):
    monkeypatch.setattr(mailin, "_route", _boom)
    raw = compose(subject="Important")
    inbound = ingest(raw)
    assert inbound.status == InboundStatus.TRIAGE
    assert bytes(inbound.raw) == raw
    assert inbound.ticket.subject == "Important"
    assert inbound.ticket.customer is None


def test_customer_with_a_known_domain_in_two_customers_goes_to_triage(customer_a):
    make_customer(name="Clone", email_domains=["hanbit.example"])
    inbound = ingest(compose(sender="new@hanbit.example"))
    assert inbound.status == InboundStatus.TRIAGE
    assert not Contact.objects.filter(email="new@hanbit.example").exists()
