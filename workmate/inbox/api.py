"""The inbox API: list notifications, mark them read, archive or snooze them, count unread.

Each route fetches through the same access helper and calls the same service function as
the inbox page (`workmate.inbox.services`); errors are raised and turned into JSON by the
handlers in `workmate.api`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from workmate.inbox import services, visibility
from workmate.inbox.models import Channel, Kind, Notification
from workmate.lib.apitypes import Id, Moment
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, PageParams, paginate

router = Router(tags=["inbox"])


class ActorOut(Schema):
    id: int
    full_name: str


class NotificationOut(Schema):
    id: int
    kind: Kind
    channel: Channel
    sentence: str = Field(..., description="What happened, in your language.")
    title: str
    excerpt: str
    url: str
    group_key: str = Field(..., description='What it is about, e.g. "task:12".')
    actor: ActorOut | None
    urgent_reason: str = Field(..., description="Empty unless the sender marked it urgent.")
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    archived_at: datetime.datetime | None
    snoozed_until: datetime.datetime | None

    @staticmethod
    def resolve_sentence(obj: Notification) -> str:
        return obj.sentence()


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class NotificationFilters(PageParams):
    unread: bool = Field(False, description="Only unread ones (not snoozed, not archived).")
    archived: bool = Field(False, description="The archived ones instead of the inbox.")


class SnoozeIn(Schema):
    until: Moment = Field(
        ..., description="When it comes back; without an offset, in your own time zone."
    )


class UnreadOut(Schema):
    unread: int


def _one(request: HttpRequest, notification_id: Id) -> Notification:
    services.get_notification_for_user(request.auth, notification_id)
    notification = Notification.objects.select_related("actor").get(pk=notification_id)
    visibility.redact([notification], request.auth)
    return notification


@router.get("/notifications", response={200: NotificationPage, 400: ErrorOut, 401: ErrorOut})
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    """Your notifications, newest first: the inbox (awake, not archived) by default."""
    now = timezone.now()
    rows = Notification.objects.for_user(request.auth).select_related("actor")
    if filters.archived:
        rows = rows.archived()
    elif filters.unread:
        rows = rows.unread(now)
    else:
        rows = rows.not_archived().awake(now)
    page = paginate(rows, cursor=filters.cursor, limit=filters.limit, keys=("-created_at", "-id"))
    # About what they can no longer see: listed, but without its title and excerpt.
    visibility.redact(page["items"], request.auth)
    return page


@router.get("/unread-count", response={200: UnreadOut, 401: ErrorOut})
def unread_count(request: HttpRequest) -> dict[str, int]:
    """The number the nav shows: unread, not snoozed, not archived."""
    return {"unread": services.unread_count(request.auth)}


@router.get("/notifications/{notification_id}", response={200: NotificationOut, **READ_ERRORS})
def get_notification(request: HttpRequest, notification_id: Id) -> Notification:
    return _one(request, notification_id)


@router.post(
    "/notifications/{notification_id}/read", response={200: NotificationOut, **WRITE_ERRORS}
)
def mark_read(request: HttpRequest, notification_id: Id) -> Notification:
    notification = services.get_notification_for_user(request.auth, notification_id)
    services.do_mark_read(request.auth, [notification])
    return _one(request, notification_id)


@router.post(
    "/notifications/{notification_id}/archive", response={200: NotificationOut, **WRITE_ERRORS}
)
def archive(request: HttpRequest, notification_id: Id) -> Notification:
    notification = services.get_notification_for_user(request.auth, notification_id)
    services.do_archive(request.auth, [notification])
    return _one(request, notification_id)


@router.post(
    "/notifications/{notification_id}/snooze", response={200: NotificationOut, **WRITE_ERRORS}
)
def snooze(request: HttpRequest, notification_id: Id, payload: SnoozeIn) -> Notification:
    """Hides it until `until` (which must be in the future); it comes back unread then."""
    notification = services.get_notification_for_user(request.auth, notification_id)
    until = payload.until
    if timezone.is_naive(until):
        until = until.replace(tzinfo=services.profile_of(request.auth).zone)
    services.do_snooze(request.auth, notification, until)
    return _one(request, notification_id)
