"""Who may still read a review's notifications, for many people at once (the inbox's rule
for the group keys "review:<participant>" and "feedback:<request>").

The same rules as the access helpers in `services`: a review is the person's, their
team's leads' and executives'; a feedback request is the colleague's and the assessors',
and the person's once the results are shared. A lead moved off the team stops learning
about its reviews from their inbox and digest.
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils import timezone

from workmate.accounts.models import Membership, OrgRole, TeamRole, User
from workmate.reviews.models import FeedbackRequest, Participant


def _leads(people: Collection[User]) -> set[tuple[int, int]]:
    return set(
        Membership.objects.filter(
            user_id__in={person.pk for person in people}, role=TeamRole.LEAD
        ).values_list("user_id", "team_id")
    )


def _assesses(person: User, participant: Participant, leads: set[tuple[int, int]]) -> bool:
    if person.pk == participant.person_id:
        return False
    return person.org_role == OrgRole.EXECUTIVE or (person.pk, participant.team_id) in leads


def visible_reviews(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, participant id) pairs, those whose person may see that review (two
    queries)."""
    if not pairs:
        return set()
    participants = Participant.objects.only("pk", "person_id", "team_id").in_bulk(
        {pk for _person, pk in pairs}
    )
    leads = _leads([person for person, _pk in pairs])
    seen = set()
    for person, pk in pairs:
        participant = participants.get(pk)
        if participant is None:
            continue
        if person.pk == participant.person_id or _assesses(person, participant, leads):
            seen.add((person.pk, pk))
    return seen


def visible_feedback(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, feedback request id) pairs, those whose person may see that request
    (two queries)."""
    if not pairs:
        return set()
    requests = FeedbackRequest.objects.select_related("participant__cycle").in_bulk(
        {pk for _person, pk in pairs}
    )
    leads = _leads([person for person, _pk in pairs])
    now = timezone.now()
    seen = set()
    for person, pk in pairs:
        request = requests.get(pk)
        if request is None:
            continue
        participant = request.participant
        if (
            person.pk == request.colleague_id
            or _assesses(person, participant, leads)
            or (person.pk == participant.person_id and participant.cycle.results_shared(now))
        ):
            seen.add((person.pk, pk))
    return seen
