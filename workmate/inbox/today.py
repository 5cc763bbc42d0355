"""The inbox's section of the "today" home page: how many unread of each kind, and the
newest of them."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from workmate.accounts.today import SECTION_LIMIT, Section, Viewer
from workmate.inbox import visibility
from workmate.inbox.models import Kind, Notification

# Short names for the summary line, in the order it lists them: what asks something of
# the reader first. (Kind's labels are the longer sentences of the preferences page.)
SUMMARY = {
    Kind.REQUEST: _("Requests"),
    Kind.REPLY_BY_PASSED: _("Reply-by passed"),
    Kind.REPLY_BY_SOON: _("Reply-by soon"),
    Kind.MENTION: _("Mentions"),
    Kind.CHECKIN: _("Check-ins"),
    Kind.REPLY: _("Replies"),
    Kind.ASSIGNED: _("Assigned to you"),
    Kind.COMMENT: _("Comments"),
    Kind.UNBLOCKED: _("Unblocked"),
    Kind.TICKET: _("Tickets"),
    Kind.PAGE: _("Library pages"),
    Kind.AUTOMATION: _("Automation"),
}


def unread(viewer: Viewer) -> Section:
    rows = Notification.objects.for_user(viewer.user).unread(viewer.now)
    newest = list(
        rows.select_related("actor").defer("excerpt").order_by("-created_at", "-pk")[:SECTION_LIMIT]
    )
    visibility.redact(newest, viewer.user)  # No title of what they can no longer see.
    per_kind = dict(rows.order_by().values_list("kind").annotate(n=Count("pk")))
    kinds = [(label, per_kind[kind]) for kind, label in SUMMARY.items() if kind in per_kind]
    return Section(
        "",
        "inbox/today/_unread.html",
        {"items": newest, "count": sum(per_kind.values()), "kinds": kinds},
        column="side",
    )
