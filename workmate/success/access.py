"""Who may see and change customers' accounts and feedback.

SE's pages are for the SE team (settings.SUCCESS_TEAM), each customer's SE owner, every
team lead and executives, who change them; the LE team (settings.ADVISOR_TEAM) and a
customer's LE architect read them. Everyone else sees a customer's feedback only through
the work routed to them (a proposal, a task), where the customer's own words are shown
only to people who may see that customer (`can_see_customer`).
Customer contacts are not users: they read their organisation's feedback in the portal.
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, TeamRole, User
from workmate.desk.models import Customer
from workmate.success.models import FeedbackItem, Meeting, Theme


def _roles(user: User) -> tuple[bool, bool]:
    """(may change every account, may read every account), in one query."""
    if not user.is_authenticated or not user.is_active:
        return False, False
    if user.is_superuser or user.is_executive:
        return True, True
    rows = Membership.objects.filter(user=user).filter(
        Q(team__code=settings.SUCCESS_TEAM)
        | Q(role=TeamRole.LEAD)
        | Q(team__code=settings.ADVISOR_TEAM)
    )
    writes = reads = False
    for code, role in rows.values_list("team__code", "role"):
        if code == settings.SUCCESS_TEAM or role == TeamRole.LEAD:
            writes = True
        reads = True
    return writes, reads


def is_success_staff(user: User) -> bool:
    """SE, leads and executives: they change every account and route every item."""
    return _roles(user)[0]


def can_use_success(user: User) -> bool:
    """Whether the SE pages (the list, themes, reports) open for this person at all."""
    return _roles(user)[1] or (
        user.is_authenticated
        and user.is_active
        and Customer.objects.filter(Q(se_owner=user) | Q(le_architect=user)).exists()
    )


def check_can_use(user: User) -> None:
    if not can_use_success(user):
        raise PermissionDenied(_("Customer accounts are for SE, LE, leads and executives."))


def customers_for(user: User) -> QuerySet[Customer]:
    """The customers whose account page, meetings and feedback this person may read."""
    if not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    if _roles(user)[1]:
        return Customer.objects.all()
    return Customer.objects.filter(Q(se_owner=user) | Q(le_architect=user))


def can_see_customer(user: User, customer: Customer) -> bool:
    return customers_for(user).filter(pk=customer.pk).exists()


def can_edit_customer(user: User, customer: Customer) -> bool:
    """The SE owner, the SE team, leads and executives; LE only reads."""
    if not user.is_authenticated or not user.is_active:
        return False
    return customer.se_owner_id == user.pk or is_success_staff(user)


def check_can_edit(user: User, customer: Customer) -> None:
    if not can_edit_customer(user, customer):
        raise PermissionDenied(_("You can read this account but not change it."))


def get_customer_for_user(user: User, pk: int) -> Customer:
    customer = customers_for(user).select_related("se_owner", "le_architect").filter(pk=pk).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer


def get_meeting_for_user(user: User, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.filter(customer__in=customers_for(user))
        .select_related("customer", "created_by")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def feedback_for(user: User) -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(customer__in=customers_for(user))


def get_feedback_for_user(user: User, pk: int) -> FeedbackItem:
    item = (
        feedback_for(user)
        .select_related("customer", "customer__se_owner", "contact", "theme", "meeting")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("No such feedback.")
    return item


def get_theme_for_user(user: User, pk: int) -> Theme:
    if not can_use_success(user):
        raise Http404("No such theme.")
    theme = Theme.objects.select_related("merged_into").filter(pk=pk).first()
    if theme is None:
        raise Http404("No such theme.")
    return theme


def visible_customers(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, customer id) pairs, those where the person may read the account (the
    inbox's rule for "customer:<id>" notifications), in two queries."""
    if not pairs:
        return set()
    people = {person.pk for person, _c in pairs if person.is_active}
    readers = set(
        Membership.objects.filter(user_id__in=people)
        .filter(
            Q(team__code=settings.SUCCESS_TEAM)
            | Q(role=TeamRole.LEAD)
            | Q(team__code=settings.ADVISOR_TEAM)
        )
        .values_list("user_id", flat=True)
    )
    owners = {
        (row[0], row[1])
        for row in Customer.objects.filter(pk__in={c for _p, c in pairs}).values_list(
            "pk", "se_owner_id"
        )
    } | {
        (row[0], row[1])
        for row in Customer.objects.filter(pk__in={c for _p, c in pairs}).values_list(
            "pk", "le_architect_id"
        )
    }
    return {
        (person.pk, customer_id)
        for person, customer_id in pairs
        if person.is_active
        and (
            person.is_superuser
            or person.is_executive
            or person.pk in readers
            or (customer_id, person.pk) in owners
        )
    }
