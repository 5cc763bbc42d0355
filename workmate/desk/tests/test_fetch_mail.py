"""IMAP polling (`manage.py fetch_mail`) against a real dovecot on a loopback port."""

from __future__ import annotations

import imaplib
import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from workmate.desk import mailin, tasks
from workmate.desk.models import InboundMessage, InboundStatus, Ticket
from workmate.desk.tests.test_mailin import compose
from workmate.testing import imap
from workmate.testing.imap import IMAPServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def imap_server() -> Iterator[IMAPServer]:
    """A real dovecot for the test (skipped locally without it; CI=true fails instead)."""
    with imap.serve() as server:
        yield server


def fetch(url: str, *args: str) -> str:
    out = io.StringIO()
    call_command("fetch_mail", "--url", url, *args, stdout=out)
    return out.getvalue()


def test_unread_mail_becomes_tickets_and_is_marked_read(
    imap_server: IMAPServer, customer_a, contact_a
):
    imap_server.append(compose(subject="First", message_id="<i1@client>"))
    imap_server.append(compose(subject="Second", message_id="<i2@client>"))
    imap_server.append(compose(subject="Already read", message_id="<i0@client>"), flags="\\Seen")
    output = fetch(imap_server.url)
    assert "Fetched 2 message(s)" in output
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First", "Second"]
    assert set(InboundMessage.objects.values_list("channel", flat=True)) == {"imap"}
    assert all("\\Seen" in flags for flags in imap_server.flags())
    # A second run finds nothing new.
    assert "Fetched 0 message(s)" in fetch(imap_server.url)
    assert Ticket.objects.count() == 2


def test_fetching_everything_again_adds_nothing(imap_server: IMAPServer, customer_a, contact_a):
    imap_server.append(compose(message_id="<again@client>"))
    fetch(imap_server.url)
    fetch(imap_server.url, "--all")  # As after a crash between ingest and the \Seen flag.
    assert Ticket.objects.count() == 1
    assert list(InboundMessage.objects.order_by("pk").values_list("status", flat=True)) == [
        InboundStatus.TICKET,
        InboundStatus.DUPLICATE,
    ]


def test_the_same_mail_twice_in_the_mailbox_makes_one_ticket(
    imap_server: IMAPServer, customer_a, contact_a
):
    raw = compose(message_id="<copy@client>")
    imap_server.append(raw)
    imap_server.append(raw)
    fetch(imap_server.url)
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.filter(status=InboundStatus.DUPLICATE).count() == 1


def test_handled_mail_can_be_moved_to_a_folder(imap_server: IMAPServer, customer_a, contact_a):
    conn = imap_server.connect()
    conn.create("Processed")
    conn.logout()
    imap_server.append(compose(message_id="<move@client>"))
    fetch(imap_server.url + "?move=Processed")
    assert imap_server.flags("INBOX") == []
    assert len(imap_server.flags("Processed")) == 1
    assert Ticket.objects.count() == 1


def test_bad_mail_from_imap_goes_to_triage(imap_server: IMAPServer, customer_a, contact_a):
    imap_server.append(b"Subject: =?EUC-KR?B?vK259iDA5b7W?=\r\n\r\nno sender\r\n")
    imap_server.append(compose(sender="x@unknown.example", message_id="<u@x>"))
    fetch(imap_server.url)
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.TRIAGE, InboundStatus.TRIAGE]
    assert InboundMessage.objects.filter(subject="서버 장애").exists()


def test_periodic_task_fetches_when_configured(
    imap_server: IMAPServer, settings, customer_a, contact_a
):
    settings.DESK_IMAP_URL = ""
    imap_server.append(compose(message_id="<periodic@client>"))
    assert tasks.fetch_mail.call() == {}
    settings.DESK_IMAP_URL = imap_server.url
    assert tasks.fetch_mail.call() == {InboundStatus.TICKET: 1}
    assert Ticket.objects.count() == 1


def test_wrong_password_is_an_error_and_fetches_nothing(imap_server: IMAPServer):
    url = imap_server.url.replace("desk-imap-secret", "wrong")
    with pytest.raises(imaplib.IMAP4.error, match=r"(?i)auth"):
        fetch(url)
    assert not InboundMessage.objects.exists()


def test_url_must_be_imap():
    with pytest.raises(CommandError):
        fetch("http://example.com/")
    with pytest.raises(CommandError):
        call_command("fetch_mail", "--url", "")


def test_imap_urls_are_parsed():
    source = mailin.IMAPSource.parse("imaps://me%40corp:p%2Fw@mail.example/Support?move=Done")
    assert (source.secure, source.host, source.port) == (True, "mail.example", 993)
    assert (source.user, source.password) == ("me@corp", "p/w")
    assert (source.mailbox, source.move_to) == ("Support", "Done")
    assert mailin.IMAPSource.parse("imap://u:p@h").port == 143


def test_missing_dovecot_skips_locally_but_fails_in_ci(monkeypatch):
    monkeypatch.setattr(imap, "find_dovecot", lambda: None)
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception), imap.serve():
        pass
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required when CI=true"), imap.serve():
        pass
