"""The PoC's links into the library: its runbook page and its page template, and the
adoption of page templates.

Kept in one module so the pages and the API read them the same way. A linked page or
template the viewer may not see (a private space) is shown without its title.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django import forms
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Membership, User
from workmate.library.models import Page, PageTemplate
from workmate.pipeline.forms import AdvanceForm
from workmate.pipeline.models import PoC
from workmate.work.templating import bar_chart, monthly_counts

# How many recently verified runbooks the division overview lists per team.
RUNBOOKS_PER_TEAM = 5


def visible_page(user: User, page_id: int | None) -> Page | None:
    if page_id is None:
        return None
    return Page.objects.visible_to(user).filter(pk=page_id).first()


def context_for(poc: PoC, user: User) -> dict:
    runbook = visible_page(user, poc.runbook_id)
    template = None
    if poc.page_template_id is not None:
        template = PageTemplate.objects.visible_to(user).filter(pk=poc.page_template_id).first()
    return {
        "runbook": runbook,
        "runbook_hidden": poc.runbook_id is not None and runbook is None,
        "page_template": template,
    }


class LibraryAdvanceForm(AdvanceForm):
    runbook = forms.ModelChoiceField(
        label=_("Runbook page (verified)"), queryset=Page.objects.none(), required=False
    )
    page_template = forms.ModelChoiceField(
        label=_("Page template"), queryset=PageTemplate.objects.none(), required=False
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["runbook"].queryset = (  # type: ignore[attr-defined]
            Page.objects.visible_to(user).verified().order_by("title", "pk")
        )
        self.fields["page_template"].queryset = (  # type: ignore[attr-defined]
            PageTemplate.objects.visible_to(user).order_by("name", "pk")
        )


def advance_form(data=None, *, user: User, initial: dict | None = None) -> LibraryAdvanceForm:
    return LibraryAdvanceForm(data, user=user, initial=initial)


def recent_runbooks_by_team(user: User, since: datetime.datetime) -> dict[int, list[Page]]:
    """Pages verified since `since` in team spaces the viewer may read, by team (one query)."""
    pages = (
        Page.objects.visible_to(user)
        .verified()
        .filter(verified_at__gte=since, space__team__isnull=False)
        .select_related("space")
        .order_by("-verified_at", "-pk")
    )
    by_team: dict[int, list[Page]] = defaultdict(list)
    for page in pages[:500]:
        if len(by_team[page.space.team_id]) < RUNBOOKS_PER_TEAM:
            by_team[page.space.team_id].append(page)
    return by_team


def page_template_adoption(template: PageTemplate, viewer: User) -> dict:
    """Pages made from a page template: by team (their space's team), over the last twelve
    months, those from an older version, and reuse by people outside the author's teams
    counted apart. Pages the viewer may not see are counted but not named. Four queries.
    """
    latest = template.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    pages = list(
        template.pages.select_related("space__team", "created_by", "template_revision").order_by(
            "-created_at", "-pk"
        )
    )
    visible = set(
        Page.objects.visible_to(viewer)
        .filter(pk__in=[page.pk for page in pages])
        .values_list("pk", flat=True)
    )
    author_teams = set(
        Membership.objects.filter(user_id=template.owner_id).values_list("team_id", flat=True)
    )
    creators = {page.created_by_id for page in pages if page.created_by_id}
    teams_of: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in Membership.objects.filter(user_id__in=creators).values_list(
        "user_id", "team_id"
    ):
        teams_of[user_id].add(team_id)
    by_team: dict[object, dict] = {}
    for page in pages:
        page.is_visible = page.pk in visible
        page.version = page.template_revision.number if page.template_revision_id else None
        page.is_older = page.version is not None and page.version < latest
        page.by_outsider = bool(
            page.created_by_id
            and page.created_by_id != template.owner_id
            and not (teams_of[page.created_by_id] & author_teams)
        )
        team = page.space.team
        row = by_team.setdefault(
            team.pk if team else None, {"team": team, "count": 0, "outside": 0}
        )
        row["count"] += 1
        row["outside"] += page.by_outsider
    teams = sorted(by_team.values(), key=lambda row: (-row["count"], str(row["team"] or "")))
    peak = max((row["count"] for row in teams), default=0) or 1
    for row in teams:
        row["percent"] = round(row["count"] * 100 / peak)
    return {
        "latest": latest,
        "pages": pages,
        "teams": teams,
        "total": len(pages),
        "outside": sum(page.by_outsider for page in pages),
        "older": sum(page.is_older for page in pages),
        "bars": bar_chart(monthly_counts([page.created_at for page in pages])),
    }
