"""The inbox's section of the "today" home page: how many unread, and the newest of them."""

from __future__ import annotations

from workmate.accounts.today import SECTION_LIMIT, Section, Viewer
from workmate.inbox.models import Notification


def unread(viewer: Viewer) -> Section:
    rows = Notification.objects.for_user(viewer.user).unread(viewer.now)
    newest = list(
        rows.select_related("actor").defer("excerpt").order_by("-created_at", "-pk")[:SECTION_LIMIT]
    )
    return Section(
        "",
        "inbox/today/_unread.html",
        {"items": newest, "count": rows.count()},
        column="side",
    )
