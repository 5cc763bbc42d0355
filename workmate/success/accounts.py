"""The SE list and one customer's account page: what they show and the changes to them.

`check_*` validates and checks rights; `do_*` writes.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.desk.models import ACTIVE, Customer, Rating, Satisfaction, Ticket
from workmate.success import access
from workmate.success.health import HealthReport, assess, breached_tickets
from workmate.success.models import AccountProfile, FeedbackItem, Health, Meeting

# The desk's figures on the account page cover this many days, compared with the days before.
FIGURES_DAYS = 90


@dataclass
class AccountRow:
    customer: Customer
    profile: AccountProfile | None
    health: HealthReport

    @property
    def renewal_on(self) -> datetime.date | None:
        return self.profile.renewal_on if self.profile else None


def account_rows(user: User, *, mine: bool = False) -> list[AccountRow]:
    """The customers this person may read, worst health first, then the nearest renewal.

    A fixed number of queries: the customers with their profiles, the rules, and one
    grouped query per input the rules read (`health.assess`).
    """
    customers = access.customers_for(user).select_related("se_owner", "account")
    if mine:
        customers = customers.filter(se_owner=user)
    customers = list(customers.order_by("name"))
    profiles = {}
    for customer in customers:
        with contextlib.suppress(AccountProfile.DoesNotExist):
            profiles[customer.pk] = customer.account
    reports = assess(customers, profiles)
    rows = [AccountRow(c, profiles.get(c.pk), reports[c.pk]) for c in customers]
    far = datetime.date.max
    rows.sort(key=lambda row: (row.health.rank, row.renewal_on or far, row.customer.name))
    return rows


@dataclass
class Figure:
    """A desk figure over the last FIGURES_DAYS days and the same span before."""

    now: int | None
    before: int | None

    @property
    def trend(self) -> str:
        """ "up", "down" or "" (same, or nothing to compare)."""
        if self.now is None or self.before is None or self.now == self.before:
            return ""
        return "up" if self.now > self.before else "down"


def _csat(customer: Customer, start: datetime.datetime, end: datetime.datetime) -> int | None:
    counts = Satisfaction.objects.filter(
        ticket__customer=customer, created_at__gte=start, created_at__lt=end
    ).aggregate(total=Count("pk"), good=Count("pk", filter=Q(rating=Rating.GOOD)))
    if not counts["total"]:
        return None
    return round(100 * counts["good"] / counts["total"])


def desk_figures(customer: Customer, now: datetime.datetime | None = None) -> dict[str, object]:
    now = now or timezone.now()
    span = datetime.timedelta(days=FIGURES_DAYS)
    tickets = Ticket.objects.filter(customer=customer)
    breaches_now = tickets.filter(breached_tickets(now - span, now)).count()
    # Breaches among the tickets opened in the span before (all of them decided by now).
    before = tickets.filter(breached_tickets(now - 2 * span, now), created_at__lt=now - span)
    return {
        "open_tickets": tickets.filter(ACTIVE).count(),
        "breaches": Figure(breaches_now, before.count()),
        "csat": Figure(
            _csat(customer, now - span, now), _csat(customer, now - 2 * span, now - span)
        ),
        "days": FIGURES_DAYS,
    }


def account_page(customer: Customer, now: datetime.datetime | None = None) -> dict[str, object]:
    """Everything the account page shows, read in a fixed number of queries."""
    now = now or timezone.now()
    profile = AccountProfile.objects.filter(customer=customer).first()
    health = assess([customer], {customer.pk: profile} if profile else {}, now)[customer.pk]
    last_meeting = Meeting.objects.filter(customer=customer).order_by("-held_on", "-pk").first()
    from workmate.advisor.models import Assessment

    return {
        "customer": customer,
        "profile": profile,
        "health": health,
        "figures": desk_figures(customer, now),
        "contacts": list(customer.contacts.filter(is_active=True).order_by("full_name", "email")),
        "last_meeting": last_meeting,
        "last_meeting_days": (
            (timezone.localdate(now) - last_meeting.held_on).days if last_meeting else None
        ),
        "meetings": list(
            Meeting.objects.filter(customer=customer).select_related("created_by")[:5]
        ),
        "open_feedback": list(
            FeedbackItem.objects.open()
            .filter(customer=customer)
            .select_related("contact", "theme", "route")
            .order_by("-created_at", "-pk")[:50]
        ),
        "assessments": list(
            Assessment.objects.filter(customer=customer, published_at__isnull=True)
            .select_related("architect")
            .order_by("-updated_at")
        ),
        "renewal_days": profile.days_to_renewal(timezone.localdate(now)) if profile else None,
    }


# --- Changes ---------------------------------------------------------------------------


def can_override(user: User, customer: Customer) -> bool:
    """The SE owner overrides health; so may leads and executives (who edit every account)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if customer.se_owner_id == user.pk or user.is_superuser or user.is_executive:
        return True
    from workmate.accounts.models import Membership, TeamRole

    return Membership.objects.filter(user=user, role=TeamRole.LEAD).exists()


@transaction.atomic
def do_update_contract(
    actor: User,
    customer: Customer,
    *,
    contract_start: datetime.date | None,
    contract_end: datetime.date | None,
    renewal_on: datetime.date | None,
) -> AccountProfile:
    access.check_can_edit(actor, customer)
    if contract_start and contract_end and contract_end < contract_start:
        raise ValidationError({"contract_end": _("The contract must end after it starts.")})
    profile, _created = AccountProfile.objects.select_for_update().get_or_create(customer=customer)
    profile.contract_start, profile.contract_end = contract_start, contract_end
    profile.renewal_on = renewal_on
    profile.save(update_fields=["contract_start", "contract_end", "renewal_on"])
    return profile


@transaction.atomic
def do_override_health(actor: User, customer: Customer, level: str, reason: str) -> AccountProfile:
    """Set the health by hand with a reason, or (level "") go back to the computed one."""
    if not can_override(actor, customer):
        raise PermissionDenied(_("Only the SE owner, leads and executives override health."))
    reason = reason.strip()
    if level and level not in Health.values:
        raise ValidationError({"level": _("Pick healthy, watch or at risk.")})
    if level and not reason:
        raise ValidationError({"reason": _("Say why you override the computed health.")})
    profile, _created = AccountProfile.objects.select_for_update().get_or_create(customer=customer)
    profile.health_override = level
    profile.health_override_reason = reason if level else ""
    profile.health_override_by = actor if level else None
    profile.health_override_at = timezone.now() if level else None
    profile.save(
        update_fields=[
            "health_override",
            "health_override_reason",
            "health_override_by",
            "health_override_at",
        ]
    )
    return profile
