"""Pay: the open formula, closed individual pay, the audit of every look, and decisions.

- The bands (`band_table`) are for every employee to read.
- One person's pay is read only through `read_salary`, which checks the right
  (`can_see_pay_of`: the person, executives, holders of a `PayPermission`) and writes
  one `PayView` row per look, whether from a page, the API or the admin.
- Pay changes only by an approved `Salary` row. A level change from a cycle proposes
  the new band's pay (`propose_for_level`); a person with pay rights other than the one
  paid approves or declines it (`do_decide_salary`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import OrgRole, User
from workmate.reviews.models import (
    BandBase,
    PayPermission,
    PayScale,
    PayView,
    Salary,
    SalaryStatus,
)
from workmate.reviews.pay import proposed_step


def has_pay_rights(user: User) -> bool:
    """Executives and people given an explicit pay permission; nobody by admin flags."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.org_role == OrgRole.EXECUTIVE:
        return True
    return PayPermission.objects.filter(user=user).exists()


def can_see_pay_of(viewer: User, person: User) -> bool:
    return viewer.is_authenticated and (viewer.pk == person.pk or has_pay_rights(viewer))


def can_read_audit(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.org_role == OrgRole.EXECUTIVE)


@dataclass
class BandRow:
    track_code: str
    number: int
    base: int
    amounts: list[int]


def band_table(scale: PayScale | None) -> list[BandRow]:
    if scale is None:
        return []
    return [
        BandRow(base.track_code, base.number, base.base, scale.band(base.base))
        for base in scale.bases.order_by("track_code", "number")
    ]


@dataclass
class SalaryRead:
    person: User
    current: Salary | None
    history: list[Salary]
    proposal: Salary | None


def read_salary(viewer: User, person: User, *, via: str, path: str = "") -> SalaryRead:
    """One person's pay for `viewer`, audited: a 404 for anyone without the right (as if
    there were nothing), one `PayView` row for everyone else, the person included."""
    if not can_see_pay_of(viewer, person):
        raise Http404
    rows = list(Salary.objects.filter(person=person).order_by("-effective_from", "-id"))
    today = timezone.localdate()
    approved = [row for row in rows if row.status == SalaryStatus.APPROVED]
    current = next((row for row in approved if row.effective_from <= today), None)
    proposal = next((row for row in rows if row.status == SalaryStatus.PROPOSED), None)
    PayView.objects.create(viewer=viewer, person=person, via=via, path=path[:300])
    return SalaryRead(person=person, current=current, history=approved, proposal=proposal)


def log_view(viewer: User, person: User, *, via: str, path: str = "") -> None:
    PayView.objects.create(viewer=viewer, person=person, via=via, path=path[:300])


def propose_for_level(
    person: User,
    *,
    track_code: str,
    number: int,
    effective_from: datetime.date,
    reason: str,
    cycle=None,
    proposed_by: User | None = None,
) -> Salary | None:
    """Propose the new level's band pay for approval (nothing changes until approved).

    The step is the lowest that does not cut the person's current pay. A waiting
    proposal for the same person is declined (superseded) first: one waits at a time.
    Returns None when no scale has a base for the level (nothing to propose).
    """
    scale = PayScale.objects.current(effective_from) or PayScale.objects.current()
    base = (
        BandBase.objects.filter(scale=scale, track_code=track_code, number=number).first()
        if scale is not None
        else None
    )
    if scale is None or base is None:
        return None
    amounts = scale.band(base.base)
    current = Salary.objects.current_for(person)
    step = proposed_step(amounts, current.amount if current else None)
    now = timezone.now()
    Salary.objects.filter(person=person, status=SalaryStatus.PROPOSED).update(
        status=SalaryStatus.DECLINED, decided_at=now
    )
    return Salary.objects.create(
        person=person,
        amount=amounts[step - 1],
        track_code=track_code,
        number=number,
        step=step,
        effective_from=effective_from,
        status=SalaryStatus.PROPOSED,
        reason=reason,
        cycle=cycle,
        proposed_by=proposed_by,
        proposed_at=now,
    )


@transaction.atomic
def do_decide_salary(actor: User, salary: Salary, *, approve: bool) -> Salary:
    """Approve or decline a proposed salary; never one's own pay."""
    if not has_pay_rights(actor):
        raise Http404
    # Two approvers at once: the lock makes the second see the first's decision.
    locked = Salary.objects.select_for_update().get(pk=salary.pk)
    if locked.person_id == actor.pk:
        raise PermissionDenied(_("Someone else decides your own pay."))
    if locked.status != SalaryStatus.PROPOSED:
        raise ValidationError(_("This pay was already decided."))
    locked.status = SalaryStatus.APPROVED if approve else SalaryStatus.DECLINED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def get_proposal_for_user(user: User, pk: int) -> Salary:
    if not has_pay_rights(user):
        raise Http404
    salary = Salary.objects.filter(pk=pk).select_related("person").first()
    if salary is None:
        raise Http404
    return salary


def proposals_for(user: User):
    """Pay waiting for a decision, for people with pay rights (without amounts in lists)."""
    if not has_pay_rights(user):
        return Salary.objects.none()
    return (
        Salary.objects.proposed()
        .exclude(person=user)
        .select_related("person", "cycle")
        .order_by("person__full_name", "pk")
    )
