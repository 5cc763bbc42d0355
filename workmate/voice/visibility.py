"""Who may see which proposal, for many people at once (the inbox's notification rule)."""

from __future__ import annotations

from collections.abc import Collection

from workmate.accounts.models import Membership, TeamRole, User
from workmate.voice.models import Proposal


def visible_proposals(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, proposal id) pairs, those where the person may see the proposal: the
    rule of `services.get_proposal_for_user` (a hidden one only for leads and its
    author), read in two queries."""
    if not pairs:
        return set()
    proposals = Proposal.objects.only("pk", "hidden_at", "author_digest", "nonce").in_bulk(
        {proposal for _person, proposal in pairs}
    )
    hidden = [p for p in proposals.values() if p.hidden_at]
    leads: set[int] = set()
    if hidden:
        leads = set(
            Membership.objects.filter(
                user_id__in={person.pk for person, _p in pairs}, role=TeamRole.LEAD
            ).values_list("user_id", flat=True)
        )
    seen = set()
    for person, proposal_id in pairs:
        proposal = proposals.get(proposal_id)
        if proposal is None:
            continue
        if (
            not proposal.hidden_at
            or person.is_executive
            or person.pk in leads
            or proposal.is_by(person)
        ):
            seen.add((person.pk, proposal_id))
    return seen
