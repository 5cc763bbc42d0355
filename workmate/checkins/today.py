"""Check-ins' section of the "today" home page: the check-in forms waiting for the
viewer's answer, oldest first."""

from __future__ import annotations

from workmate.accounts.today import SECTION_LIMIT, Section, Viewer
from workmate.checkins.models import Checkin, CheckinResponse


def to_answer(viewer: Viewer) -> Section | None:
    """Shown to whoever has a form open, and to members of a team with a running check-in
    (to say they are up to date); nobody else has check-ins."""
    waiting = CheckinResponse.objects.filter(person=viewer.user).waiting()
    items = list(
        waiting.select_related("checkin", "checkin__team").order_by("occurrence", "pk")[
            : SECTION_LIMIT + 1
        ]
    )
    if not items and not Checkin.objects.of_teams_of(viewer.user).active().exists():
        return None
    return Section(
        "",
        "checkins/today/_to_answer.html",
        {"items": items[:SECTION_LIMIT], "more": len(items) > SECTION_LIMIT},
    )
