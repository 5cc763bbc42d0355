"""A customer's health, computed from `HealthRule` rows with every input shown.

Steps (`assess` for many customers at once, so the SE list stays a fixed number of
queries however many customers it shows):
1. Read the active rules; collect the (input, window) pairs they need.
2. Measure each pair for all the customers in one grouped query.
3. For each customer, every rule whose tier fits and whose comparison holds is a reason;
   the health is the worst level among the reasons (healthy with none).
4. An SE override replaces the computed level but keeps the reasons on show.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workmate.desk.models import ACTIVE, PAUSED_STATUSES, Customer, Rating, Satisfaction, Ticket
from workmate.success.models import (
    HEALTH_RANK,
    AccountProfile,
    FeedbackItem,
    Health,
    HealthInput,
    HealthRule,
    Meeting,
)

WINDOWED = {HealthInput.SLA_BREACHES, HealthInput.CSAT_PERCENT}


@dataclass
class Reason:
    rule: HealthRule
    value: int

    @property
    def level(self) -> str:
        return self.rule.level

    @property
    def text(self) -> str:
        return describe(self.rule.input, self.value, self.rule.window_days)


@dataclass
class HealthReport:
    computed: str
    reasons: list[Reason] = field(default_factory=list)
    override: str = ""
    override_reason: str = ""

    @property
    def level(self) -> str:
        return self.override or self.computed

    @property
    def label(self) -> str:
        return Health(self.level).label

    @property
    def rank(self) -> int:
        return HEALTH_RANK[Health(self.level)]


def describe(input_: str, value: int, window_days: int) -> str:
    """The input as a sentence: "2 SLA breaches in 30 days", "no meeting for 95 days"."""
    params = {"n": value, "days": window_days}
    if input_ == HealthInput.SLA_BREACHES:
        return (
            ngettext(
                "%(n)s SLA breach in %(days)s days", "%(n)s SLA breaches in %(days)s days", value
            )
            % params
        )
    if input_ == HealthInput.CSAT_PERCENT:
        return _("CSAT %(n)s %% over %(days)s days") % params
    if input_ == HealthInput.DAYS_SINCE_MEETING:
        return ngettext("no meeting for %(n)s day", "no meeting for %(n)s days", value) % params
    if input_ == HealthInput.OPEN_TICKETS:
        return ngettext("%(n)s open ticket", "%(n)s open tickets", value) % params
    if input_ == HealthInput.OPEN_FEEDBACK:
        return (
            ngettext("%(n)s feedback item not answered", "%(n)s feedback items not answered", value)
            % params
        )
    return ngettext("renewal in %(n)s day", "renewal in %(n)s days", value) % params


def breached_tickets(since: datetime.datetime, now: datetime.datetime) -> Q:
    """Tickets opened since `since` that missed their resolution target: solved late, or
    still running past it (the desk's `TicketQuerySet.breached`)."""
    solved_late = Q(solved_at__isnull=False, solved_at__gt=F("resolution_due"))
    running_late = (
        ACTIVE
        & ~Q(status__in=PAUSED_STATUSES)
        & (
            Q(resolution_due__lte=now)
            | Q(first_responded_at__isnull=True, first_response_due__lte=now)
        )
    )
    return Q(created_at__gte=since, sla_policy__isnull=False) & (solved_late | running_late)


def measure(
    input_: str, window_days: int, ids: list[int], now: datetime.datetime
) -> dict[int, int | None]:
    """The input's value for each customer id (None where it cannot be measured)."""
    today = timezone.localdate(now)
    since = now - datetime.timedelta(days=window_days)
    if input_ == HealthInput.SLA_BREACHES:
        rows = (
            Ticket.objects.filter(customer_id__in=ids)
            .filter(breached_tickets(since, now))
            .values("customer_id")
            .annotate(n=Count("pk"))
        )
        found = {row["customer_id"]: row["n"] for row in rows}
        return {pk: found.get(pk, 0) for pk in ids}
    if input_ == HealthInput.CSAT_PERCENT:
        rows = (
            Satisfaction.objects.filter(ticket__customer_id__in=ids, created_at__gte=since)
            .values("ticket__customer_id")
            .annotate(total=Count("pk"), good=Count("pk", filter=Q(rating=Rating.GOOD)))
        )
        found = {
            row["ticket__customer_id"]: round(100 * row["good"] / row["total"]) for row in rows
        }
        return {pk: found.get(pk) for pk in ids}
    if input_ == HealthInput.DAYS_SINCE_MEETING:
        last = dict(
            Meeting.objects.filter(customer_id__in=ids, held_on__lte=today)
            .values("customer_id")
            .annotate(last=Max("held_on"))
            .values_list("customer_id", "last")
        )
        # A customer never met counts from the day it became a customer.
        created = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "created_at"))
        return {
            pk: (today - (last.get(pk) or timezone.localdate(created[pk]))).days
            for pk in ids
            if pk in created
        }
    if input_ == HealthInput.OPEN_TICKETS:
        rows = (
            Ticket.objects.filter(ACTIVE, customer_id__in=ids)
            .values("customer_id")
            .annotate(n=Count("pk"))
        )
        found = {row["customer_id"]: row["n"] for row in rows}
        return {pk: found.get(pk, 0) for pk in ids}
    if input_ == HealthInput.OPEN_FEEDBACK:
        rows = (
            FeedbackItem.objects.open()
            .filter(customer_id__in=ids)
            .values("customer_id")
            .annotate(n=Count("pk"))
        )
        found = {row["customer_id"]: row["n"] for row in rows}
        return {pk: found.get(pk, 0) for pk in ids}
    renewals = dict(
        AccountProfile.objects.filter(customer_id__in=ids, renewal_on__isnull=False).values_list(
            "customer_id", "renewal_on"
        )
    )
    return {pk: (renewals[pk] - today).days if pk in renewals else None for pk in ids}


def assess(
    customers: Iterable[Customer],
    profiles: dict[int, AccountProfile] | None = None,
    now: datetime.datetime | None = None,
) -> dict[int, HealthReport]:
    """Health for each customer (see the module's steps). `profiles` by customer id saves
    reading them again when the caller has them."""
    now = now or timezone.now()
    customers = list(customers)
    ids = [customer.pk for customer in customers]
    if not ids:
        return {}
    if profiles is None:
        profiles = {p.customer_id: p for p in AccountProfile.objects.filter(customer_id__in=ids)}
    rules = list(HealthRule.objects.filter(is_active=True))
    needed = {(r.input, r.window_days if r.input in WINDOWED else 0) for r in rules}
    values = {key: measure(key[0], key[1], ids, now) for key in sorted(needed)}
    reports = {}
    for customer in customers:
        reasons = []
        for rule in rules:
            if rule.tier and rule.tier != customer.tier:
                continue
            key = (rule.input, rule.window_days if rule.input in WINDOWED else 0)
            value = values[key].get(customer.pk)
            if rule.matches(value):
                reasons.append(Reason(rule, value))  # type: ignore[arg-type]
        # Worst first, so the page leads with what sets the level.
        reasons.sort(key=lambda r: HEALTH_RANK[Health(r.level)])
        computed = reasons[0].level if reasons else Health.HEALTHY
        profile = profiles.get(customer.pk)
        reports[customer.pk] = HealthReport(
            computed=computed,
            reasons=reasons,
            override=profile.health_override if profile else "",
            override_reason=profile.health_override_reason if profile else "",
        )
    return reports
