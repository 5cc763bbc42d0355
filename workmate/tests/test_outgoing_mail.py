"""Every kind of outgoing mail, and the rule it follows.

Mail to a colleague about their work goes through the inbox (`inbox.services.notify`),
which sends it inside their working hours and outside quiet hours, in the digest, or at
once when marked urgent. Only sign-in mail (password reset) and mail to customers are
sent directly. The inventory below lists every place that builds or sends a mail; a new
one fails `test_every_mail_call_site_is_listed` until it is listed here with its rule.
"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core import mail

from workmate.desk import csat
from workmate.desk.models import Status, Ticket
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_ticket, make_user
from workmate.voice import leads, services
from workmate.voice.models import Area, Subscription

INBOX = "inbox: the recipient's channel, working hours, quiet hours, digest, urgent"
DIRECT_SIGN_IN = "direct: sign-in mail, needed when it is asked for"
DIRECT_CUSTOMER = "direct: to a customer, whose hours we do not know"

# "path:function" of each call that builds or sends a mail -> the rule it follows.
MAIL_CALL_SITES = {
    "workmate/inbox/delivery.py:notification_message": INBOX,
    "workmate/inbox/digests.py:digest_message": INBOX,
    "workmate/accounts/tasks.py:send_password_reset_email": DIRECT_SIGN_IN,
    "workmate/desk/portal_auth.py:mail_contact": DIRECT_CUSTOMER,
    "workmate/desk/mailout.py:reply_message": DIRECT_CUSTOMER,
    "workmate/desk/mailout.py:send_ticket_ack": DIRECT_CUSTOMER,
    "workmate/success/mail.py:mail_answer": DIRECT_CUSTOMER,
}
MAIL_CALLS = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "send_messages",
}

SATURDAY_1355 = datetime.datetime(2025, 9, 27, 13, 55, tzinfo=ZoneInfo("Asia/Seoul"))
TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
SCRIPT_TITLE = "<script>alert(1)</script> & “VPN”"


def mail_call_sites() -> set[str]:
    """Every call of a mail function or class in the project's code, by enclosing function."""
    root = Path(settings.BASE_DIR)
    found: set[str] = set()
    for path in sorted((root / "workmate").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or "/testing/" in relative or "/migrations/" in relative:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                callee = node.func
                name = (
                    callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
                )
                if name in MAIL_CALLS:
                    found.add(f"{relative}:{function.name}")
    return found


def test_every_mail_call_site_is_listed():
    assert mail_call_sites() == set(MAIL_CALL_SITES)


def test_the_scan_finds_a_direct_send(tmp_path, settings):
    (tmp_path / "workmate" / "new").mkdir(parents=True)
    (tmp_path / "workmate" / "new" / "nudge.py").write_text(
        "from django.core.mail import send_mail\n\n"
        "def nudge(user):\n    send_mail('Hi', 'Body', None, [user.email])\n"
    )
    settings.BASE_DIR = tmp_path

    assert mail_call_sites() == {"workmate/new/nudge.py:nudge"}


def answer_with_followers(alice, bob, title=SCRIPT_TITLE):
    proposal = services.do_post_proposal(
        bob, anonymous=False, title=title, problem="Drops at noon.", area=Area.TOOLS
    )
    korean = make_user(language="ko", email="ko@example.com")
    Subscription.objects.create(proposal=proposal, user=korean)
    return proposal, korean


@time_machine.travel(SATURDAY_1355, tick=False)
def test_a_voice_answer_on_saturday_waits_in_the_inbox(
    alice, bob, django_capture_on_commit_callbacks
):
    proposal, korean = answer_with_followers(alice, bob)

    with django_capture_on_commit_callbacks(execute=True):
        leads.do_change_status(alice, proposal, "planned", "Ordered new hardware.")

    assert mail.outbox == []
    rows = Notification.objects.filter(kind=Kind.ANSWER).order_by("recipient__email")
    assert [(n.recipient, n.actor, n.emailed_at) for n in rows] == [
        (bob, alice, None),
        (korean, alice, None),
    ]
    assert set(Notification.objects.pending_digest()) == set(rows)


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_a_voice_answer_in_working_hours_is_mailed_with_a_plain_subject(
    alice, bob, django_capture_on_commit_callbacks
):
    proposal, _korean = answer_with_followers(alice, bob)

    with django_capture_on_commit_callbacks(execute=True):
        leads.do_change_status(alice, proposal, "planned", "Ordered <new> hardware.")

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"bob@example.com", "ko@example.com"}
    english = by_recipient["bob@example.com"]
    assert english.subject == f"Alice Kim answered the proposal {SCRIPT_TITLE} (now Planned)"
    assert "&lt;" not in english.subject + english.body and "&amp;" not in english.subject
    assert "Ordered <new> hardware." in english.body
    assert SCRIPT_TITLE in by_recipient["ko@example.com"].subject
    assert "계획됨" in by_recipient["ko@example.com"].subject
    assert Notification.objects.filter(kind=Kind.ANSWER, emailed_at__isnull=False).count() == 2


@time_machine.travel(SATURDAY_1355, tick=False)
def test_password_reset_mail_is_sent_at_once_even_on_saturday(
    client, bob, django_capture_on_commit_callbacks
):
    bob.full_name = "Bob&Co Lee"
    bob.save(update_fields=["full_name"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/reset/", {"email": bob.email})

    [message] = mail.outbox
    assert message.to == [bob.email]
    assert "Hello Bob&Co," in message.body


@time_machine.travel(SATURDAY_1355, tick=False)
def test_customer_mail_is_sent_at_once_with_a_plain_subject(contact_a, customer_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a, subject=SCRIPT_TITLE)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.SOLVED)

    assert csat.send_survey_email(ticket.pk)

    [message] = mail.outbox
    assert message.to == [contact_a.email]
    assert SCRIPT_TITLE in message.subject
    assert "&lt;" not in message.subject
