"""Who may see and change assessments.

The advisor is the LE team's tool: its members (the architects) see every assessment
and change them; team leads and executives read them; the assessment's own architect
always may. Everyone else gets 404 for an assessment and 403 for the advisor's pages.
Customer contacts are not users at all, so no advisor page can let them in; they read a
published report only through the portal.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, TeamRole, User
from workmate.advisor.models import Assessment


def is_architect(user: User) -> bool:
    """A member of the LE team (settings.ADVISOR_TEAM), or an administrator."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, team__code=settings.ADVISOR_TEAM).exists()


def can_use_advisor(user: User) -> bool:
    """LE members, team leads and executives see the advisor's pages."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_executive or is_architect(user):
        return True
    return Membership.objects.filter(user=user, role=TeamRole.LEAD).exists()


def check_can_use_advisor(user: User) -> None:
    if not can_use_advisor(user):
        raise PermissionDenied(
            _("The advisor is for the LE architects, team leads and executives.")
        )


def visible_assessments(user: User):
    if can_use_advisor(user):
        return Assessment.objects.all()
    # The architect named on an assessment sees it even outside those groups.
    if user.is_authenticated and user.is_active:
        return Assessment.objects.filter(architect=user)
    return Assessment.objects.none()


def get_assessment_for_user(user: User, pk: int) -> Assessment:
    assessment = (
        visible_assessments(user).select_related("customer", "architect").filter(pk=pk).first()
    )
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment


def can_edit_assessment(user: User, assessment: Assessment) -> bool:
    return user.is_active and (assessment.architect_id == user.pk or is_architect(user))


def check_can_edit(user: User, assessment: Assessment) -> None:
    if not can_edit_assessment(user, assessment):
        raise PermissionDenied(_("You can read this assessment but not change it."))
