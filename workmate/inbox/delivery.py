"""Sending: single notification mails and reply-by reminders (digests live in digests.py)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from workmate.accounts.models import CompanyDayOff
from workmate.inbox import services, visibility
from workmate.inbox.models import Kind, Notification
from workmate.lib.mail import render_plain, subject_line
from workmate.lib.urls import absolute_url
from workmate.lib.workcalendar import working_time_between

logger = logging.getLogger(__name__)

# "Reply-by approaching" fires this much working time before the reply-by.
REPLY_BY_WARNING = datetime.timedelta(hours=2)


def send_notification_email(notification_id: int, now: datetime.datetime | None = None) -> bool:
    """Send one notification by mail, at most once; True when a mail went out.

    Steps: load it; skip it when already mailed, digested, read or archived, or when the
    recipient can no longer see what it is about; unless urgent,
    leave it for the digest when the recipient is outside working hours or in quiet hours;
    claim it by setting `emailed_at` where it is still empty (a second worker running the
    same task claims nothing); send; on a failed send release the claim and re-raise so
    the digest still carries it.
    """
    now = now or timezone.now()
    notification = (
        Notification.objects.select_related("recipient", "actor").filter(pk=notification_id).first()
    )
    if notification is None or notification.recipient is None:
        return False
    if (
        notification.emailed_at
        or notification.digest_id
        or notification.read_at
        or notification.archived_at
    ):
        return False
    recipient = notification.recipient
    if not recipient.is_active:
        return False
    if visibility.hidden_ids([notification], {recipient.pk: recipient}):
        return False  # They lost access since it was written: tell them nothing about it.
    if not notification.urgent and not services.may_email_now(recipient, now):
        return False
    claimed = Notification.objects.filter(
        pk=notification.pk, emailed_at__isnull=True, digest__isnull=True
    ).update(emailed_at=now)
    if not claimed:
        return False
    try:
        message = notification_message(notification)
        message.send()
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    context = {
        "notification": notification,
        "person": recipient,
        "url": absolute_url(notification.url),
        "inbox_url": absolute_url(reverse("inbox:home")),
        "preferences_url": absolute_url(reverse("inbox:preferences")),
    }
    with translation.override(recipient.language or None):
        subject = notification.sentence()
        if notification.urgent:
            subject = "[" + translation.gettext("Urgent") + "] " + subject
        body = render_plain("inbox/email/notification.txt", context)
        html = render_to_string("inbox/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject_line(subject), body, settings.DEFAULT_FROM_EMAIL, [recipient.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def _reminded(prefix: str) -> Exists:
    """The request's assignee already has the reminder whose key is `prefix` + request id."""
    return Exists(
        Notification.objects.filter(
            recipient=OuterRef("assignee"),
            dedupe_key=Concat(Value(prefix), Cast(OuterRef("pk"), CharField())),
        )
    )


def remind_reply_by(now: datetime.datetime) -> int:
    """Notify about open requests whose reply-by is near (in the assignee's working time) or past.

    Steps:
    1. Passed: every open request with reply-by before now notifies its assignee and its
       requester once (dedupe key per request).
    2. Approaching: open requests due within the next few days are checked one by one:
       when at most two working hours of the assignee's calendar remain, the assignee is
       told once. Working time, not clock time: a reply-by at 10:00 Monday warns on
       Friday afternoon, not at 08:00 Monday.
    Returns how many notifications were written.
    """
    from workmate.work.models import WorkRequest

    written = 0
    days_off = CompanyDayOff.objects.dates()
    open_requests = WorkRequest.objects.open().select_related(
        "task", "assignee__profile", "requester"
    )
    for request in open_requests.filter(reply_by__lte=now).exclude(_reminded("replyby-passed:")):
        with transaction.atomic():
            written += len(
                services.notify(
                    [request.assignee, request.requester],
                    Kind.REPLY_BY_PASSED,
                    title=request.task.title,
                    url=request.task.get_absolute_url(),
                    group_key=f"task:{request.task_id}",
                    task=request.task,
                    dedupe_key=f"replyby-passed:{request.pk}",
                )
            )
    horizon = now + datetime.timedelta(days=5)
    soon = open_requests.filter(reply_by__gt=now, reply_by__lte=horizon)
    for request in soon.exclude(_reminded("replyby-soon:")):
        profile = services.profile_of(request.assignee)
        left = working_time_between(profile.working_hours(days_off), now, request.reply_by)
        if left > REPLY_BY_WARNING:
            continue
        with transaction.atomic():
            written += len(
                services.notify(
                    [request.assignee],
                    Kind.REPLY_BY_SOON,
                    title=request.task.title,
                    url=request.task.get_absolute_url(),
                    group_key=f"task:{request.task_id}",
                    task=request.task,
                    dedupe_key=f"replyby-soon:{request.pk}",
                )
            )
    return written
