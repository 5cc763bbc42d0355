"""Single notification mails through a real SMTP server: at work at once, otherwise the digest."""

from __future__ import annotations

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from workmate.inbox import delivery, digests, services
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_user
from workmate.work import services as work

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def seoul(day, hour, minute=0):
    # September 2026: Monday 21, Tuesday 22.
    return datetime.datetime(2026, 9, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def ask(project, alice, django_capture_on_commit_callbacks):
    """Alice sends a request at a moment; the worker runs its mail task after commit."""

    def send(moment, assignee, title="Renew the certificate", **fields):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            task = work.do_create_task(alice, project, title=title)
            work.do_send_request(alice, task, assignee, message="Please check.", **fields)
        return task

    return send


def test_inside_working_hours_a_request_is_mailed_at_once(smtp_backend, ask, bob):
    task = ask(seoul(21, 10), bob)

    [received] = smtp_backend.mails
    assert received.recipients == ["bob@example.com"]
    assert received.message["To"] == "bob@example.com"
    assert received.message["Subject"] == "Alice Kim sent you a request: Renew the certificate"
    body = received.message.get_body(("plain",)).get_content()
    assert f"https://workmate.example/work/tasks/{task.pk}/" in body
    assert "Please check." in body
    html = received.message.get_body(("html",)).get_content()
    assert f'href="https://workmate.example/work/tasks/{task.pk}/"' in html
    assert Notification.objects.get(recipient=bob).emailed_at == seoul(21, 10)


def test_a_request_at_23_is_not_mailed_and_comes_with_the_morning_digest(
    smtp_backend, ask, bob, django_capture_on_commit_callbacks
):
    task = ask(seoul(21, 23), bob, title="Restart the cluster")

    assert smtp_backend.mails == []
    notification = Notification.objects.get(recipient=bob)
    assert notification.emailed_at is None
    # Nothing before the day starts either.
    with time_machine.travel(seoul(22, 8, 59), tick=False):
        digests.send_due_digests(seoul(22, 8, 59))
    assert smtp_backend.mails == []

    with (
        time_machine.travel(seoul(22, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        digests.send_due_digests(seoul(22, 9))

    [digest] = [m for m in smtp_backend.mails if m.recipients == ["bob@example.com"]]
    body = digest.message.get_body(("plain",)).get_content()
    assert "Alice Kim sent you a request: Restart the cluster" in body
    assert f"https://workmate.example/work/tasks/{task.pk}/" in body
    notification.refresh_from_db()
    assert notification.digest is not None
    # The held mail task, run again later, does not mail it a second time.
    assert delivery.send_notification_email(notification.pk, seoul(22, 10)) is False
    assert len([m for m in smtp_backend.mails if m.recipients == ["bob@example.com"]]) == 1


def test_quiet_hours_hold_mail_inside_working_hours(smtp_backend, ask, bob):
    bob.profile.quiet_start = datetime.time(12)
    bob.profile.quiet_end = datetime.time(13, 30)
    bob.profile.save(update_fields=["quiet_start", "quiet_end"])

    ask(seoul(21, 12, 30), bob)
    assert smtp_backend.mails == []

    ask(seoul(21, 13, 30), bob, title="After lunch")
    assert [m.message["Subject"] for m in smtp_backend.mails] == [
        "Alice Kim sent you a request: After lunch"
    ]


def test_quiet_hours_across_midnight(bob):
    bob.profile.quiet_start = datetime.time(22)
    bob.profile.quiet_end = datetime.time(7)
    bob.profile.work_start = datetime.time(6)
    bob.profile.save(update_fields=["quiet_start", "quiet_end", "work_start"])
    assert not services.may_email_now(bob, seoul(21, 6, 30))
    assert services.may_email_now(bob, seoul(21, 7))


def test_urgent_is_mailed_at_once_at_23_with_the_reason(smtp_backend, ask, bob):
    ask(seoul(21, 23), bob, title="Certificate expires tonight", urgent_reason="Site goes down.")

    [received] = smtp_backend.mails
    assert received.message["Subject"] == (
        "[Urgent] Alice Kim sent you a request: Certificate expires tonight"
    )
    body = received.message.get_body(("plain",)).get_content()
    assert "Marked urgent: Site goes down." in body


def test_in_the_recipients_language(smtp_backend, ask, team):
    from workmate.testing.factories import add_member

    minsu = make_user(email="minsu@example.com", full_name="김민수", language="ko")
    add_member(team, minsu)

    ask(seoul(21, 23), minsu, title="인증서 갱신", urgent_reason="오늘 밤 만료")

    [received] = smtp_backend.mails
    notification = Notification.objects.get(recipient=minsu)
    with translation.override("ko"):
        sentence = notification.sentence()
    # A non-ASCII subject is folded onto a continuation line; the parser keeps its space.
    subject = str(received.message["Subject"]).strip()
    assert subject == f"[긴급] {sentence}"
    assert "인증서 갱신" in subject


def test_sending_twice_sends_one_mail(smtp_backend, alice, bob):
    with time_machine.travel(seoul(21, 10), tick=False):
        [notification] = services.notify(
            [bob], Kind.MENTION, actor=alice, title="Backups", url="/work/", group_key="x:1"
        )
        assert delivery.send_notification_email(notification.pk) is True
        assert delivery.send_notification_email(notification.pk) is False
    assert len(smtp_backend.mails) == 1


def test_read_notifications_are_not_mailed(smtp_backend, alice, bob):
    with time_machine.travel(seoul(21, 10), tick=False):
        [notification] = services.notify(
            [bob], Kind.MENTION, actor=alice, title="Backups", url="/work/", group_key="x:1"
        )
        services.do_mark_read(bob, [notification])
        assert delivery.send_notification_email(notification.pk) is False
    assert smtp_backend.mails == []


def test_a_refused_mail_is_released_for_a_retry(smtp_backend, alice, bob):
    with time_machine.travel(seoul(21, 10), tick=False):
        [notification] = services.notify(
            [bob], Kind.MENTION, actor=alice, title="Backups", url="/work/", group_key="x:1"
        )
        smtp_backend.refusing = True
        with pytest.raises(smtplib.SMTPException):
            delivery.send_notification_email(notification.pk)
        notification.refresh_from_db()
        assert notification.emailed_at is None

        smtp_backend.refusing = False
        assert delivery.send_notification_email(notification.pk) is True
    assert len(smtp_backend.mails) == 1
