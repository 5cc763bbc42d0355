"""Who may see and change PoCs.

Everyone in the division (a member of some team, or an executive) reads every PoC: the
pipeline is how the division learns what NBD tries. A PoC is changed by its owner, the
pipeline team (NBD, `PIPELINE_TEAM`), the leads of the PoC's team and executives; new
PoCs are started by the pipeline team, any team lead and executives.
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, TeamRole, User
from workmate.pipeline.models import PoC, PoCQuerySet


def in_division(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_executive or Membership.objects.filter(user=user).exists()


def in_pipeline_team(user: User) -> bool:
    return Membership.objects.filter(user=user, team__code=settings.PIPELINE_TEAM).exists()


def can_start(user: User) -> bool:
    """NBD, any team lead and executives start PoCs (from an idea, a proposal or a contract)."""
    if not in_division(user):
        return False
    lead_or_pipeline = Q(role=TeamRole.LEAD) | Q(team__code=settings.PIPELINE_TEAM)
    return (
        user.is_executive or Membership.objects.filter(user=user).filter(lead_or_pipeline).exists()
    )


def can_edit(user: User, poc: PoC) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == poc.owner_id or user.is_executive:
        return True
    return (
        Membership.objects.filter(user=user)
        .filter(Q(team__code=settings.PIPELINE_TEAM) | Q(team_id=poc.team_id, role=TeamRole.LEAD))
        .exists()
    )


def pocs_for(user: User) -> PoCQuerySet:
    if not in_division(user):
        return PoC.objects.none()
    return PoC.objects.all()


def get_poc_for_user(user: User, pk: int) -> PoC:
    poc = (
        pocs_for(user)
        .select_related("owner", "team", "proposal", "contract", "suggested_by", "project")
        .filter(pk=pk)
        .first()
    )
    if poc is None:
        raise Http404("No such PoC.")
    return poc


def check_can_edit(user: User, poc: PoC) -> None:
    if not can_edit(user, poc):
        raise PermissionDenied(
            _("Only the owner, the pipeline team or a lead of its team can change this PoC.")
        )


def check_can_start(user: User) -> None:
    if not can_start(user):
        raise PermissionDenied(_("The pipeline team, team leads and executives start PoCs."))


def visible_pocs(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, PoC id) pairs, those the person may read: anyone in the division."""
    if not pairs:
        return set()
    people = {person.pk for person, _poc in pairs}
    members = set(Membership.objects.filter(user_id__in=people).values_list("user_id", flat=True))
    return {
        (person.pk, poc_id)
        for person, poc_id in pairs
        if person.is_active and (person.pk in members or person.is_executive)
    }
