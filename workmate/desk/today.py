"""The desk's section of the "today" home page: for agents, the tickets of their teams
(or their own) whose SLA is at risk or already breached, soonest due first."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, Q

from workmate.accounts.today import SECTION_LIMIT, Section, Viewer
from workmate.desk.agent import attach_clocks
from workmate.desk.models import Ticket


def tickets_at_risk(viewer: Viewer) -> Section | None:
    """Members of the support team always see it (an empty list is good news); members of
    other teams (the architects tickets are escalated to) only when it lists something."""
    if not viewer.memberships:
        return None
    mine = Ticket.objects.filter(Q(team_id__in=viewer.team_ids) | Q(assignee=viewer.user))
    breached = mine.breached(viewer.now).count()
    at_risk = mine.at_risk(viewer.now).count()
    if not breached + at_risk and settings.DESK_SUPPORT_TEAM not in viewer.team_codes:
        return None
    tickets = list(
        (mine.breached(viewer.now) | mine.at_risk(viewer.now))
        .select_related("customer", "assignee", "sla_policy")
        .order_by(F("resolution_due").asc(nulls_last=True), "pk")[:SECTION_LIMIT]
    )
    attach_clocks(tickets, viewer.now)
    return Section(
        "",
        "desk/today/_at_risk.html",
        {"tickets": tickets, "breached": breached, "at_risk": at_risk},
    )
