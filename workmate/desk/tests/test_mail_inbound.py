"""The SMTP listener (`manage.py mail_inbound`): real mail over loopback SMTP into the desk.

The listener runs in this process (aiosmtpd's Controller thread, as the command starts
it) or, in one test, as the real command in its own process; either way it writes
through its own database connection, so these tests commit (`transaction=True`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings as django_settings
from django.db import connection, connections

from workmate.desk import mailin
from workmate.desk.management.commands.mail_inbound import make_controller
from workmate.desk.models import InboundMessage, InboundStatus, Ticket, TicketAttachment
from workmate.desk.tests.test_mailin import compose
from workmate.testing.ports import free_port
from workmate.testing.smtp import start_on_free_port

pytestmark = pytest.mark.django_db(transaction=True)

SUPPORT = "support@workmate.example"


class Listener:
    def __init__(self, port: int) -> None:
        self.host = "127.0.0.1"
        self.port = port

    def deliver(self, raw: bytes, sender: str = "jisoo@hanbit.example") -> None:
        with smtplib.SMTP(self.host, self.port, timeout=30) as client:
            client.sendmail(sender, [SUPPORT], raw)


@pytest.fixture
def listener(settings) -> Iterator[Listener]:
    """The command's SMTP server on a free loopback port, for one test."""
    controller = start_on_free_port(lambda port: make_controller("127.0.0.1", port))
    try:
        yield Listener(controller.port)
    finally:
        controller.stop()
        # The listener's database thread keeps its connection (PostgreSQL's CONN_MAX_AGE):
        # close it, or the test database could not be dropped at the end.
        asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())


def test_mail_is_stored_before_the_server_answers(listener, customer_a, contact_a):
    raw = compose(subject="Database down", message_id="<smtp1@client.example>")
    listener.deliver(raw)
    # sendmail() returned, so the server said 250: the mail must already be in the database.
    inbound = InboundMessage.objects.get()
    assert inbound.channel == "smtp"
    assert inbound.status == InboundStatus.TICKET
    assert inbound.message_id == "<smtp1@client.example>"
    assert b"Database down" in bytes(inbound.raw)
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.subject) == (contact_a, "Database down")


def test_the_same_mail_delivered_twice_makes_one_ticket(listener, customer_a, contact_a):
    raw = compose(message_id="<twice@client.example>")
    listener.deliver(raw)
    listener.deliver(raw)
    assert Ticket.objects.count() == 1
    assert sorted(InboundMessage.objects.values_list("status", flat=True)) == [
        InboundStatus.DUPLICATE,
        InboundStatus.TICKET,
    ]


def test_oversized_mail_is_refused_with_552(settings, customer_a, contact_a):
    settings.DESK_INBOUND_MAX_BYTES = 10_000
    port = free_port()
    controller = make_controller("127.0.0.1", port)
    controller.start()
    try:
        raw = compose(attachments=[("big.bin", b"z" * 20_000, "application/octet-stream")])
        with pytest.raises(smtplib.SMTPResponseException) as refused:
            Listener(port).deliver(raw)
        assert refused.value.smtp_code == 552
        # A small one still goes through on the same server.
        Listener(port).deliver(compose())
    finally:
        controller.stop()
        asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())
    assert InboundMessage.objects.count() == 1


def test_storage_failure_answers_451_so_the_sender_retries(listener, customer_a, monkeypatch):
    raw = compose(message_id="<retry@client.example>")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mailin, "ingest", broken)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        listener.deliver(raw)
    assert refused.value.smtp_code == 451
    assert not InboundMessage.objects.exists()
    monkeypatch.undo()
    listener.deliver(raw)  # The sender's retry.
    assert InboundMessage.objects.get().status == InboundStatus.TICKET


def test_bounce_with_empty_envelope_sender_is_an_auto_reply(listener, customer_a, contact_a):
    listener.deliver(compose(subject="Delivery Status Notification"), sender="")
    assert InboundMessage.objects.get().status == InboundStatus.AUTO_REPLY
    assert not Ticket.objects.exists()


def test_korean_html_mail_with_attachment_over_smtp(listener, customer_a, contact_a):
    msg = EmailMessage()
    msg["From"] = "=?EUC-KR?B?x9GxuQ==?= <jisoo@hanbit.example>"
    msg["Subject"] = "=?EUC-KR?B?vK259iDA5b7W?="
    msg.set_content("<p>로그 첨부합니다</p><script>alert(1)</script>", subtype="html")
    msg.add_attachment(b"log line\n", maintype="text", subtype="plain", filename="app.log")
    listener.deliver(msg.as_bytes())
    ticket = Ticket.objects.get()
    assert ticket.subject == "서버 장애"
    assert ticket.description == "로그 첨부합니다"
    assert TicketAttachment.objects.get().name == "app.log"


def test_mail_without_from_goes_to_triage(listener, customer_a):
    listener.deliver(compose(sender=None, subject="who am I"))
    inbound = InboundMessage.objects.get()
    assert inbound.status == InboundStatus.TRIAGE
    assert inbound.ticket.customer is None


def test_parallel_deliveries_are_all_stored(listener, customer_a, contact_a):
    errors: list[BaseException] = []

    def send(start: int) -> None:
        try:
            for n in range(start, start + 5):
                listener.deliver(compose(subject=f"Alert {n}", message_id=f"<p{n}@client>"))
        except BaseException as exc:  # Reported below, in the test's thread.
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i * 5,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Ticket.objects.count() == 20
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.TICKET}


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def test_the_command_serves_until_terminated(customer_a, contact_a):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "WORKMATE_TESTING": "1",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "mail_inbound", "--host", "127.0.0.1", "--port", str(port)],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"mail_inbound did not start:\n{server.communicate()[0]}")
                time.sleep(0.1)
        Listener(port).deliver(compose(subject="From the real command"))
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, output
    assert "Stopped." in output
    assert Ticket.objects.get().subject == "From the real command"
