"""The division overview: what each team works on, for NBD to see where a new service
connects to existing work.

Per team: its active projects with their latest written status update (and its age),
its running PoCs and its recently verified runbooks. A fixed number of queries whatever
the number of teams and projects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from workmate.accounts.models import Team, User
from workmate.pipeline.models import PoC
from workmate.work.models import Project
from workmate.work.status import with_latest_update

# Runbooks verified this many days ago or less count as "recently verified".
RECENT_RUNBOOK_DAYS = 30
# An update older than this many days is shown as stale.
STALE_UPDATE_DAYS = 14


@dataclass
class TeamOverview:
    team: Team
    projects: list[Project] = field(default_factory=list)
    pocs: list[PoC] = field(default_factory=list)
    runbooks: list = field(default_factory=list)


def _recent_runbooks(user: User, now: datetime.datetime) -> dict[int, list]:
    """Recently verified runbook pages by team id (the library's pages the viewer may see)."""
    from workmate.pipeline import library_links

    return library_links.recent_runbooks_by_team(
        user, now - datetime.timedelta(days=RECENT_RUNBOOK_DAYS)
    )


def division_overview(user: User, now: datetime.datetime) -> list[TeamOverview]:
    teams = {team.pk: TeamOverview(team) for team in Team.objects.order_by("code")}
    projects = with_latest_update(
        Project.objects.visible_to(user).active().select_related("owner")
    ).order_by("name", "pk")
    for project in projects:
        if project.status_at is not None:
            project.status_age_days = (now - project.status_at).days
            project.status_stale = project.status_age_days > STALE_UPDATE_DAYS
        teams[project.team_id].projects.append(project)
    for poc in PoC.objects.running().select_related("owner").order_by("ends_on", "pk"):
        teams[poc.team_id].pocs.append(poc)
    for team_id, pages in _recent_runbooks(user, now).items():
        if team_id in teams:
            teams[team_id].runbooks.extend(pages)
    return list(teams.values())
