"""Voice's section of the "today" home page: for leads, the proposals waiting too long
for an answer (never who wrote them)."""

from __future__ import annotations

from workmate.accounts.today import SECTION_LIMIT, Section, Viewer
from workmate.voice import leads


def waiting_for_answer(viewer: Viewer) -> Section | None:
    # Leads answer proposals (voice.services.is_lead), read from the page's memberships.
    if not (viewer.leads_a_team or viewer.user.is_executive):
        return None
    waiting = leads.waiting_for_answer(viewer.now)
    return Section(
        "",
        "voice/today/_waiting.html",
        {"items": waiting[:SECTION_LIMIT], "count": len(waiting)},
    )
