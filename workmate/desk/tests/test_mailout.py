"""Mail out: agents' public replies (never notes) and acknowledgements, over real SMTP."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from workmate.desk import mailin, mailout, services, tasks
from workmate.desk.models import EntryKind, InboundStatus, Ticket, TicketEntry
from workmate.desk.tests.test_mailin import compose
from workmate.testing.factories import make_contact, make_ticket
from workmate.testing.smtp import SMTPSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_backend: SMTPSink) -> SMTPSink:
    """Django's own SMTP backend on the loopback server, sending as the support address."""
    settings.DESK_SUPPORT_EMAIL = "support@workmate.example"
    return smtp_backend


@pytest.fixture
def ticket(customer_a, contact_a):
    return make_ticket(
        customer=customer_a,
        requester=contact_a,
        subject="Backup job failed",
        message_id="<first@client.example>",
    )


def reply(django_capture_on_commit_callbacks, *args, **kwargs) -> TicketEntry:
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.do_reply(*args, **kwargs)
    entry.refresh_from_db()
    return entry


def test_public_reply_is_mailed_with_threading_headers(
    smtp, ticket, alice, django_capture_on_commit_callbacks
):
    entry = reply(django_capture_on_commit_callbacks, alice, ticket, "Restarted the agent.")
    [sent] = smtp.mails
    message = sent.message
    assert sent.recipients == ["jisoo@hanbit.example"]
    assert message["From"] == "support@workmate.example"
    assert message["Subject"] == f"Re: [#{ticket.pk}] Backup job failed"
    assert message["Message-ID"] == entry.message_id
    assert entry.message_id.endswith("@workmate.example>")
    assert message["In-Reply-To"] == "<first@client.example>"
    assert message["References"] == "<first@client.example>"
    assert "Auto-Submitted" not in message  # A person wrote it.
    text = message.get_content()
    assert "Restarted the agent." in text
    assert "Alice Kim" in text
    assert f"https://workmate.example/portal/tickets/{ticket.pk}/" in text


def test_internal_notes_are_never_mailed(smtp, ticket, alice, django_capture_on_commit_callbacks):
    note = reply(
        django_capture_on_commit_callbacks, alice, ticket, "Customer is grumpy.", internal=True
    )
    assert smtp.mails == []
    assert note.message_id == ""
    # Not even when the task is called for it by mistake.
    assert tasks.send_reply.call(note.pk) is False
    assert smtp.mails == []


def test_reply_is_in_the_contacts_language(
    smtp, customer_a, alice, django_capture_on_commit_callbacks
):
    korean = make_contact(customer_a, email="minji@hanbit.example", language="ko")
    korean_ticket = make_ticket(customer=customer_a, requester=korean, subject="백업 실패")
    reply(django_capture_on_commit_callbacks, alice, korean_ticket, "확인했습니다.")
    [sent] = smtp.mails
    text = sent.message.get_content()
    assert "확인했습니다." in text
    with translation.override("ko"):
        # Korean once the lead has merged var/tr/desk-mail.tsv into the catalogue.
        assert translation.gettext("Answer this e-mail to add to the ticket.") in text
    assert sent.message["Subject"] == f"Re: [#{korean_ticket.pk}] 백업 실패"


def test_reply_is_sent_once_even_when_the_task_runs_twice(
    smtp, ticket, alice, django_capture_on_commit_callbacks
):
    entry = reply(django_capture_on_commit_callbacks, alice, ticket, "Done.")
    assert tasks.send_reply.call(entry.pk) is False
    assert len(smtp.mails) == 1


def test_failed_send_releases_the_claim_for_a_retry(smtp, ticket, alice):
    smtp.refusing = True
    entry = services.do_reply(alice, ticket, "Try this.")
    with pytest.raises(Exception):  # noqa: B017 (smtplib's refusal)
        mailout.send_reply(entry.pk)
    entry.refresh_from_db()
    assert entry.message_id == ""
    smtp.refusing = False
    assert mailout.send_reply(entry.pk) is True
    assert len(smtp.mails) == 1


def test_the_customers_answer_threads_back_onto_the_ticket(
    smtp, ticket, alice, django_capture_on_commit_callbacks
):
    reply(django_capture_on_commit_callbacks, alice, ticket, "Which version?", status="pending")
    sent = smtp.mails[0].message
    answer = compose(
        subject=str(sent["Subject"]).replace(f"[#{ticket.pk}] ", ""),  # Token lost on the way.
        headers={"In-Reply-To": sent["Message-ID"], "References": sent["References"]},
        body="Version 2.3",
    )
    inbound = mailin.ingest(answer)
    assert (inbound.status, inbound.ticket_id) == (InboundStatus.THREADED, ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "open"
    # The next reply answers the customer's latest mail and carries the whole thread.
    reply(django_capture_on_commit_callbacks, alice, ticket, "Thanks.")
    latest = smtp.mails[-1].message
    customer_ids = list(
        ticket.entries.filter(kind=EntryKind.CUSTOMER).values_list("message_id", flat=True)
    )
    assert latest["In-Reply-To"] == customer_ids[-1]
    assert latest["References"].split() == [
        "<first@client.example>",
        str(sent["Message-ID"]),
        customer_ids[-1],
    ]


def test_triage_ticket_reply_goes_to_the_sender(smtp, alice, django_capture_on_commit_callbacks):
    triage = services.do_create_ticket(
        subject="Hello?", customer=None, requester=None, from_email="who@nowhere.example"
    )
    reply(django_capture_on_commit_callbacks, alice, triage, "Who are you with?")
    assert smtp.mails[0].recipients == ["who@nowhere.example"]


def test_nothing_is_sent_to_a_deactivated_contact(
    smtp, ticket, contact_a, alice, django_capture_on_commit_callbacks
):
    contact_a.is_active = False
    contact_a.save()
    entry = reply(django_capture_on_commit_callbacks, alice, ticket, "Hello")
    assert smtp.mails == []
    assert entry.message_id == ""


# --- Acknowledgements ------------------------------------------------------------------


def test_acknowledgement_is_automatic_and_sent_once(smtp, ticket):
    assert mailout.send_ticket_ack(ticket.pk) is True
    assert mailout.send_ticket_ack(ticket.pk) is False
    [sent] = smtp.mails
    assert sent.message["Auto-Submitted"] == "auto-replied"
    assert sent.message["Subject"] == f"Re: [#{ticket.pk}] Backup job failed"
    assert f"#{ticket.pk}" in sent.message.get_content()
    event = ticket.entries.get(kind=EntryKind.EVENT, field=mailout.ACK_FIELD)
    assert event.message_id == sent.message["Message-ID"]


def test_acknowledgements_to_one_address_are_rate_limited(smtp, customer_a, contact_a):
    tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(5)]
    sent = [mailout.send_ticket_ack(t.pk) for t in tickets]
    assert sent == [True, True, True, False, False]
    later = timezone.now() + datetime.timedelta(hours=2)
    assert mailout.send_ticket_ack(tickets[3].pk, now=later) is True


def test_no_acknowledgement_for_triage(smtp):
    triage = services.do_create_ticket(
        subject="Spam", customer=None, requester=None, from_email="spam@nowhere.example"
    )
    assert mailout.send_ticket_ack(triage.pk) is False
    assert smtp.mails == []


def test_an_answer_to_the_acknowledgement_threads_onto_the_ticket(smtp, ticket):
    mailout.send_ticket_ack(ticket.pk)
    ack = smtp.mails[0].message
    inbound = mailin.ingest(
        compose(subject="Re: something", headers={"In-Reply-To": ack["Message-ID"]})
    )
    assert (inbound.status, inbound.ticket_id) == (InboundStatus.THREADED, ticket.pk)
    assert Ticket.objects.count() == 1
