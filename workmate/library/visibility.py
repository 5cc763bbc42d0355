"""Who may still read a page's notifications (registered with workmate/inbox/visibility.py)."""

from __future__ import annotations

from collections.abc import Collection

from workmate.accounts.models import User
from workmate.library.models import Page, SpaceKind, SpaceMembership


def visible_pages(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, page id) pairs, those where the person may read the page, as ids: every
    page outside private spaces, and a private space's to its members. Two queries."""
    if not pairs:
        return set()
    pages = dict(
        Page.objects.filter(pk__in={page for _person, page in pairs}).values_list(
            "pk", "space__kind"
        )
    )
    private_pages = {pk for pk, kind in pages.items() if kind == SpaceKind.PRIVATE}
    members: set[tuple[int, int]] = set()
    if private_pages:
        members = set(
            SpaceMembership.objects.filter(
                user_id__in={person.pk for person, _page in pairs},
                space__pages__in=private_pages,
            ).values_list("user_id", "space__pages")
        )
    seen = set()
    for person, page_id in pairs:
        if page_id not in pages or not person.is_active:
            continue
        if page_id not in private_pages or (person.pk, page_id) in members:
            seen.add((person.pk, page_id))
    return seen
