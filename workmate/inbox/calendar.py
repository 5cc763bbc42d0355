"""A person's private iCalendar feed: the deadlines of their work, for their calendar app.

The feed lists the due dates of the open tasks assigned to the person, the reply-by of
the open requests they must answer and of those they are waiting on. It is read by
calendar clients (Google Calendar, Outlook, Apple Calendar) that poll a secret address;
the secret is the `CalendarFeed.token`, and resetting it revokes the old address at once.

What the clients need, and why the feed is built the way it is:
- every event has a UID that never changes (`task-12-due@host`), so a client updates the
  event in place when a title or due date changes instead of adding a second one;
- a due date without a time is an all-day event (`DTSTART;VALUE=DATE` and `DTEND` the next
  day); a due time or reply-by is a short timed event in the person's own zone, with a
  `VTIMEZONE` for that zone, which Outlook needs to place it;
- deadlines are `TRANSP:TRANSPARENT`: they do not make the person look busy.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from workmate.accounts.models import User
from workmate.inbox.models import CalendarFeed, new_feed_token
from workmate.lib.urls import absolute_url
from workmate.work.models import Project, RequestState, Task, TaskStatus, WorkRequest

# Deadlines further back than this are left out: a calendar needs the recent past only.
FEED_PAST_DAYS = 60
# At most this many events of each kind, soonest first, so one feed stays small and fast.
FEED_MAX_EVENTS = 2000
# How long a deadline with a time shows in the calendar.
DEADLINE_LENGTH = datetime.timedelta(minutes=30)
# How often clients are asked to fetch the feed again (Google and Outlook decide for
# themselves in the end, Apple Calendar and Thunderbird follow the hint).
REFRESH_INTERVAL = datetime.timedelta(hours=1)
PRODID = "-//Workmate//Deadlines//EN"


# --- The address --------------------------------------------------------------------------


def get_feed_by_token(token: str) -> CalendarFeed:
    """The feed behind a secret address: 404 for an unknown token or a deactivated person.

    The token is looked up on its unique column, never compared in Python or logged.
    """
    feed = (
        CalendarFeed.objects.select_related("user", "user__profile")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    return feed


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_url(feed: CalendarFeed) -> str:
    """The feed's absolute https (or http, as SITE_URL says) address."""
    return absolute_url(reverse("inbox:calendar_feed", args=[feed.token]))


def webcal_url(feed: CalendarFeed) -> str:
    """The same address as `webcal://`, which opens the subscribe dialog of calendar apps."""
    return "webcal://" + feed_url(feed).split("://", 1)[1]


def do_create_calendar_feed(user: User) -> CalendarFeed:
    """Give the person a feed address; one they already have stays as it is."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def do_reset_calendar_feed(user: User) -> CalendarFeed:
    """Replace the secret: the old address stops working at once (404)."""
    # Locked so that two resets at once cannot both succeed with different tokens shown.
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user)
    feed.token = new_feed_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


def do_delete_calendar_feed(user: User) -> bool:
    """Turn the feed off; whether there was one."""
    deleted, _by_model = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


# --- The feed -----------------------------------------------------------------------------


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "workmate"


def feed_tasks(user: User, since: datetime.date) -> list[Task]:
    """Open tasks assigned to the person with a due date from `since` on, soonest first."""
    return list(
        Task.objects.visible_to(user)
        .assigned_to(user)
        .open()
        .filter(due_on__gte=since)
        .select_related("project")
        .order_by("due_on", "pk")[:FEED_MAX_EVENTS]
    )


def _open_requests(user: User, since: datetime.datetime) -> Iterable[WorkRequest]:
    # Requests on tasks the person can no longer see, or on done tasks, are left out.
    return (
        WorkRequest.objects.filter(
            state__in=[RequestState.PENDING, RequestState.ACKNOWLEDGED],
            reply_by__gte=since,
            task__project__in=Project.objects.visible_to(user),
        )
        .exclude(task__status=TaskStatus.DONE)
        .order_by("reply_by", "pk")
    )


def feed_requests_to_answer(user: User, since: datetime.datetime) -> list[WorkRequest]:
    return list(
        _open_requests(user, since)
        .filter(assignee=user)
        .select_related("task", "task__project", "requester")[:FEED_MAX_EVENTS]
    )


def feed_requests_waiting(user: User, since: datetime.datetime) -> list[WorkRequest]:
    return list(
        _open_requests(user, since)
        .filter(requester=user)
        .select_related("task", "task__project", "assignee")[:FEED_MAX_EVENTS]
    )


def _event(
    *,
    uid: str,
    start: datetime.date | datetime.datetime,
    summary: str,
    description: str,
    url: str,
    stamp: datetime.datetime,
    modified: datetime.datetime,
    sequence: int = 0,
) -> Event:
    if isinstance(start, datetime.datetime):
        end: datetime.date | datetime.datetime = start + DEADLINE_LENGTH
    else:
        end = start + datetime.timedelta(days=1)
    event = Event.new(
        uid=uid,
        start=start,
        end=end,
        summary=summary,
        description=description,
        url=url,
        stamp=stamp,
        last_modified=modified.astimezone(datetime.UTC),
        sequence=sequence,
    )
    # A deadline does not make the person busy at that time.
    event.add("TRANSP", "TRANSPARENT")
    return event


def _task_event(task: Task, zone: datetime.tzinfo, host: str, stamp: datetime.datetime) -> Event:
    link = absolute_url(task.get_absolute_url())
    start: datetime.date | datetime.datetime
    start = task.due_at.astimezone(zone) if task.due_at else task.due_on  # type: ignore[assignment]
    return _event(
        uid=f"task-{task.pk}-due@{host}",
        start=start,
        summary=_("Due: %(title)s") % {"title": task.title},
        description="\n".join(
            [
                _("Project: %(project)s") % {"project": task.project.name},
                _("Status: %(status)s") % {"status": task.get_status_display()},
                "",
                link,
            ]
        ),
        url=link,
        stamp=stamp,
        modified=task.updated_at,
        sequence=task.version,
    )


def _request_modified(item: WorkRequest) -> datetime.datetime:
    moments = [item.created_at, item.task.updated_at]
    if item.acknowledged_at:
        moments.append(item.acknowledged_at)
    return max(moments)


def _reply_event(
    item: WorkRequest, zone: datetime.tzinfo, host: str, stamp: datetime.datetime
) -> Event:
    link = absolute_url(item.task.get_absolute_url())
    lines = [
        _("%(requester)s asked you in %(project)s.")
        % {"requester": item.requester.full_name, "project": item.task.project.name},
    ]
    if item.message:
        lines += ["", item.message]
    lines += ["", link]
    return _event(
        uid=f"request-{item.pk}-reply-by@{host}",
        start=item.reply_by.astimezone(zone),
        summary=_("Reply by: %(title)s") % {"title": item.task.title},
        description="\n".join(lines),
        url=link,
        stamp=stamp,
        modified=_request_modified(item),
    )


def _waiting_event(
    item: WorkRequest, zone: datetime.tzinfo, host: str, stamp: datetime.datetime
) -> Event:
    link = absolute_url(item.task.get_absolute_url())
    return _event(
        uid=f"request-{item.pk}-waiting@{host}",
        start=item.reply_by.astimezone(zone),
        summary=_("Waiting on %(name)s: %(title)s")
        % {"name": item.assignee.full_name, "title": item.task.title},
        description="\n".join(
            [
                _("You asked %(assignee)s in %(project)s; their reply is due now.")
                % {"assignee": item.assignee.full_name, "project": item.task.project.name},
                "",
                link,
            ]
        ),
        url=link,
        stamp=stamp,
        modified=_request_modified(item),
    )


def build_feed(user: User, now: datetime.datetime | None = None) -> bytes:
    """The person's deadlines as an iCalendar document, in their language and zone.

    Steps: fetch the three lists (a fixed number of queries, each bounded); turn each item
    into a VEVENT with a stable UID; add a VTIMEZONE for every zone the timed events use,
    covering the years they fall in; serialise.
    """
    now = now or timezone.now()
    profile = user.profile
    zone = profile.zone
    host = _host()
    stamp = now.astimezone(datetime.UTC)
    since = now - datetime.timedelta(days=FEED_PAST_DAYS)
    with translation.override(user.language):
        calendar = Calendar.new(
            prodid=PRODID,
            uid=f"calendar-{user.pk}@{host}",
            name=_("Workmate: %(name)s") % {"name": user.full_name},
            description=_("Due dates and reply-by deadlines of your work in Workmate."),
            method="PUBLISH",
            calscale="GREGORIAN",
            refresh_interval=REFRESH_INTERVAL,
        )
        # RFC 7986 gives REFRESH-INTERVAL no default value type: it must say DURATION.
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
        calendar.add("X-WR-TIMEZONE", profile.time_zone)
        # Outlook's hint; icalendar only knows that its value is a duration when told.
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
        tasks = feed_tasks(user, since.astimezone(zone).date())
        to_answer = feed_requests_to_answer(user, since)
        waiting = feed_requests_waiting(user, since)
        events = [
            *(_task_event(task, zone, host, stamp) for task in tasks),
            *(_reply_event(item, zone, host, stamp) for item in to_answer),
            *(_waiting_event(item, zone, host, stamp) for item in waiting),
        ]
    for event in events:
        calendar.add_component(event)
    starts = [event.start for event in events if isinstance(event.start, datetime.datetime)]
    if starts:
        # The zone definitions only need to cover the years the events fall in.
        first = min(starts).date().replace(month=1, day=1)
        last = max(starts).date().replace(year=max(starts).year + 2, month=1, day=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
