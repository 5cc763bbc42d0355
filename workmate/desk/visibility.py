"""Who may see which ticket, for many people at once (the inbox's notification rule)."""

from __future__ import annotations

from collections.abc import Collection

from workmate.accounts.models import Membership, User


def visible_tickets(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, ticket id) pairs, those where the person may see the ticket: every
    agent sees every ticket (`services.get_ticket_for_agent`), so this is the rule of
    `services.is_agent` — active, and staff or in a team — read in one query."""
    if not pairs:
        return set()
    people = {person.pk for person, _ticket in pairs if person.is_active}
    in_team = set(Membership.objects.filter(user_id__in=people).values_list("user_id", flat=True))
    return {
        (person.pk, ticket)
        for person, ticket in pairs
        if person.is_active and (person.is_superuser or person.pk in in_team)
    }
