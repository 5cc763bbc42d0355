"""The one front door for notifications: `notify()` writes them, the rest reads and moves them.

`notify()` runs inside the transaction of the change that caused it, so a rolled-back
change leaves no notification behind; e-mail is only enqueued once that transaction
commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, User, WorkProfile
from workmate.inbox import visibility
from workmate.inbox.models import (
    DEFAULT_CHANNELS,
    Channel,
    DeliveryPreference,
    InboxSettings,
    Kind,
    Notification,
    UrgentMark,
)
from workmate.lib.prepared import PreparedQuery
from workmate.lib.workcalendar import add_working_time


def channel_for(user: User, kind: str) -> str:
    chosen = (
        DeliveryPreference.objects.filter(user=user, kind=kind)
        .values_list("channel", flat=True)
        .first()
    )
    return chosen or DEFAULT_CHANNELS[kind]


def channels_for(user: User) -> dict[str, str]:
    """Every kind's channel for one person: their choices over the defaults."""
    chosen = dict(DeliveryPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNELS[kind]) for kind in Kind.values}


def profile_of(user: User) -> WorkProfile:
    try:
        return user.profile
    except WorkProfile.DoesNotExist:
        return WorkProfile.objects.get_or_create(user=user)[0]


def may_email_now(
    user: User,
    now: datetime.datetime | None = None,
    days_off: frozenset[datetime.date] | None = None,
) -> bool:
    """Whether mail may reach this person now: inside their working hours and not quiet."""
    now = now or timezone.now()
    profile = profile_of(user)
    if profile.is_quiet_at(now):
        return False
    days_off = days_off if days_off is not None else CompanyDayOff.objects.dates()
    return profile.working_hours(days_off).is_working_at(now)


def urgent_left_today(sender: User, now: datetime.datetime | None = None) -> int:
    """How many more urgent notifications `sender` may send today (their local day)."""
    now = now or timezone.now()
    local = now.astimezone(profile_of(sender).zone)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    found = _PREPARED_URGENT_USED.rows(sender=sender.pk, since=day_start)
    used = found[0][0] if found else 0
    return max(0, settings.INBOX_URGENT_PER_DAY - used)


def _urgent_used(sender: int, since: datetime.datetime) -> QuerySet[UrgentMark]:
    marks = UrgentMark.objects.filter(sender_id=sender, created_at__gte=since).order_by()
    return marks.values("sender_id").annotate(used=Count("pk")).values_list("used")


# Asked on every page with a request box (the project page's quick add): its SQL built
# once per connection (workmate.lib.prepared), the sender and the day's start parameters.
_PREPARED_URGENT_USED = PreparedQuery(_urgent_used, sender="id", since="datetime")


def check_urgent(sender: User, reason: str, recipients: int = 1) -> str:
    """Validate an urgent mark: a reason is required and the sender's daily limit holds."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"urgent_reason": _("Say why this cannot wait for working hours.")})
    left = urgent_left_today(sender)
    if recipients > left:
        raise ValidationError(
            {
                "urgent_reason": _(
                    "You can mark %(limit)d notifications urgent a day and have %(left)d left."
                )
                % {"limit": settings.INBOX_URGENT_PER_DAY, "left": left}
            }
        )
    return reason


def notify(
    recipients: Iterable[User],
    kind: str,
    *,
    title: str | Callable[[], str],
    url: str,
    group_key: str,
    actor: User | None = None,
    task=None,
    excerpt: str = "",
    urgent_reason: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Write one notification per recipient (never to the actor) and schedule its mail.

    Steps:
    1. Drop the actor, inactive people, repeats and whoever cannot see what `group_key`
       is about (`visibility`): a follower taken off the project learns nothing more.
    2. An urgent notification is checked (reason, the sender's daily limit) and audited.
    3. Each row snapshots the recipient's channel for the kind; a row with a `dedupe_key`
       that already exists is skipped (the clock may run twice).
    4. After commit, rows to e-mail at once (or urgent ones) go to the worker, which
       sends only inside the recipient's working hours unless urgent.

    `title` may be a function: it is then called once per recipient in their language,
    for titles that are sentences (escalations) rather than names.
    """
    people: dict[int, User] = {}
    for person in recipients:
        if person is None or not person.is_active or (actor is not None and person == actor):
            continue
        people.setdefault(person.pk, person)
    people = {person.pk: person for person in visibility.who_may_see(people.values(), group_key)}
    if not people:
        return []
    if urgent_reason:
        if actor is None:
            raise ValueError("Only a person can mark a notification urgent.")
        urgent_reason = check_urgent(actor, urgent_reason, len(people))
    created: list[Notification] = []
    now = timezone.now()
    for person in people.values():
        if callable(title):
            with translation.override(person.language or None):
                text = str(title())
        else:
            text = title
        notification = Notification(
            recipient=person,
            kind=kind,
            channel=channel_for(person, kind),
            actor=actor,
            group_key=group_key,
            task=task,
            title=text[:300],
            excerpt=excerpt[:2000],
            url=url,
            urgent_reason=urgent_reason,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        if dedupe_key:
            if Notification.objects.filter(recipient=person, dedupe_key=dedupe_key).exists():
                continue
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue  # Another clock wrote the same reminder a moment ago.
        else:
            notification.save()
        if urgent_reason and actor is not None:
            UrgentMark.objects.create(
                sender=actor, recipient=person, reason=urgent_reason, title=text[:300], url=url
            )
        created.append(notification)
    to_mail = [n.pk for n in created if n.urgent or n.channel == Channel.EMAIL]
    if to_mail:
        from workmate.inbox.tasks import send_notification_email

        transaction.on_commit(
            lambda: [send_notification_email.enqueue(pk) for pk in to_mail]  # type: ignore[func-returns-value]
        )
    return created


# --- Reading and moving notifications ----------------------------------------------------


def get_notification_for_user(user: User, pk: int) -> Notification:
    from django.http import Http404

    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def do_mark_read(user: User, notifications: Iterable[Notification] | None = None) -> int:
    """Mark some (or all unread) of a person's notifications read; returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notifications is not None:
        rows = rows.filter(pk__in=[n.pk for n in notifications])
    return rows.update(read_at=timezone.now())


def do_mark_unread(user: User, notification: Notification) -> None:
    Notification.objects.filter(recipient=user, pk=notification.pk).update(read_at=None)


def do_archive(user: User, notifications: Iterable[Notification]) -> int:
    now = timezone.now()
    return Notification.objects.filter(
        recipient=user, pk__in=[n.pk for n in notifications], archived_at__isnull=True
    ).update(archived_at=now, read_at=now)


def do_unarchive(user: User, notification: Notification) -> None:
    Notification.objects.filter(recipient=user, pk=notification.pk).update(archived_at=None)


def do_snooze(user: User, notification: Notification, until: datetime.datetime) -> Notification:
    """Hide a notification until `until`; it comes back unread then."""
    if until <= timezone.now():
        raise ValidationError({"until": _("Snooze until a moment in the future.")})
    Notification.objects.filter(recipient=user, pk=notification.pk).update(
        snoozed_until=until, read_at=None, archived_at=None
    )
    notification.refresh_from_db()
    return notification


def do_set_channel(user: User, kind: str, channel: str) -> None:
    if kind not in Kind.values or channel not in Channel.values:
        raise ValidationError(_("Unknown kind of notification or delivery."))
    DeliveryPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})


def unread_count(user: User, now: datetime.datetime | None = None) -> int:
    """The number in the nav: awake, unread, not archived."""
    return Notification.objects.for_user(user).unread(now).count()


def archive_group(user: User, group_key: str) -> int:
    """Archive every notification of one group (all about one task, say); returns how many."""
    rows = Notification.objects.filter(recipient=user, group_key=group_key)
    return do_archive(user, rows.not_archived())


def snooze_moments(
    user: User, now: datetime.datetime | None = None
) -> dict[str, datetime.datetime]:
    """Where "snooze" can take a notification, in the person's own working calendar.

    - "later": two working hours from now;
    - "tomorrow": the start of the next working day after today (their local day);
    - "next_week": the start of the first working day of next week (from Monday).
    """
    now = now or timezone.now()
    profile = profile_of(user)
    calendar = profile.working_hours(CompanyDayOff.objects.dates())
    local = now.astimezone(profile.zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = midnight + datetime.timedelta(days=1)
    monday = midnight + datetime.timedelta(days=7 - local.weekday())
    return {
        "later": add_working_time(calendar, now, datetime.timedelta(hours=2)),
        "tomorrow": calendar.next_working_moment(_local_midnight(tomorrow, profile.zone)),
        "next_week": calendar.next_working_moment(_local_midnight(monday, profile.zone)),
    }


def _local_midnight(moment: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    # Adding days to an aware local time keeps the old offset; rebuild it in the zone so a
    # DST change in between does not shift midnight by an hour.
    return datetime.datetime.combine(moment.date(), datetime.time(0), tzinfo=zone)


@transaction.atomic
def do_set_preferences(
    user: User, channels: dict[str, str], digest_time: datetime.time | None
) -> None:
    """Save a person's channel for every kind and their digest time, all or nothing."""
    for kind, channel in channels.items():
        do_set_channel(user, kind, channel)
    InboxSettings.objects.update_or_create(user=user, defaults={"digest_time": digest_time})


def digest_time_of(user: User) -> datetime.time | None:
    return InboxSettings.objects.filter(user=user).values_list("digest_time", flat=True).first()


def can_audit_urgent(user: User) -> bool:
    from workmate.accounts.models import Membership

    return (
        user.is_staff or user.is_executive or Membership.objects.filter(user=user).leads().exists()
    )


def urgent_marks_visible_to(user: User) -> QuerySet[UrgentMark]:
    """The urgent audit a person may read: everything for executives and staff; for team
    leads, the marks sent by or to members of the teams they lead; others none (403)."""
    from django.core.exceptions import PermissionDenied

    from workmate.accounts.models import Membership, TeamRole

    marks = UrgentMark.objects.select_related("sender", "recipient")
    if user.is_staff or user.is_executive:
        return marks
    led = Membership.objects.filter(user=user, role=TeamRole.LEAD).values("team")
    if not led.exists():
        raise PermissionDenied(_("Only team leads, executives and staff see urgent marks."))
    members = Membership.objects.filter(team__in=led).values("user")
    return marks.filter(Q(sender__in=members) | Q(recipient__in=members))
