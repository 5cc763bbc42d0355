"""The sections of the "today" home page, which each app contributes.

The home page lives in accounts, the lowest app with pages, yet it shows what work,
the inbox, the desk, Voice and check-ins have for the viewer. It does not import them
(apps depend downwards only): each app registers a section provider in its
`AppConfig.ready()`, and the home view asks every provider in turn. A provider returns
None when its section does not concern the viewer (the desk's tickets for someone who
is no agent, the proposal waiting list for someone who leads nothing), so the page
shows only what is theirs. An app added later (the library's "pages to review")
plugs in the same way, without a change here or in the home page.

A provider reads a fixed number of queries whatever the number of items: the home
page's query count is pinned by its tests, with rows of every kind present.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from workmate.accounts.models import Membership, TeamRole, User

# How many items a section lists before it says "see all".
SECTION_LIMIT = 5


@dataclass
class Viewer:
    """Who looks at the page and when, with what several providers need read once."""

    user: User
    now: datetime.datetime
    memberships: list[Membership]
    # A refused submission (POST data) by section, which it shows again with its errors.
    bound: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships}

    @cached_property
    def team_codes(self) -> set[str]:
        return {m.team.code for m in self.memberships}

    @cached_property
    def leads_a_team(self) -> bool:
        return any(m.role == TeamRole.LEAD for m in self.memberships)


@dataclass
class Section:
    """One card of the page: `template` is rendered with `data` (the provider's context)."""

    key: str
    template: str
    data: dict[str, Any]
    # "main" holds what asks something of the viewer; "side" the rest.
    column: Literal["main", "side"] = "main"
    order: int = 0


Provider = Callable[[Viewer], Section | None]

_providers: dict[str, tuple[int, Provider]] = {}


def register(key: str, order: int, provider: Provider) -> None:
    """Add (or replace: `ready()` may run more than once) the provider of one section.

    `order` places the section within its column: lower comes first.
    """
    _providers[key] = (order, provider)


def sections_for(viewer: Viewer) -> list[Section]:
    """The sections that concern `viewer`, in their order."""
    shown = []
    for key, (order, provider) in sorted(_providers.items(), key=lambda item: item[1][0]):
        section = provider(viewer)
        if section is not None:
            section.key, section.order = key, order
            shown.append(section)
    return shown
