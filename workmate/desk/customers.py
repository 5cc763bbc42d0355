"""The customer directory for agents: who a customer is, who speaks for them, what is open.

Customers and contacts are set up in the admin; agents look them up here while they work
a ticket (as Zendesk's organisations and users): search by name, e-mail domain or a
contact's address, then one page per customer with its contacts, its open tickets with
their SLA clocks, and the time logged this month for those who may see billing.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from workmate.accounts.models import User
from workmate.desk import agent, services
from workmate.desk.models import (
    DONE_STATUSES,
    Contact,
    ContactMembership,
    Customer,
    Ticket,
    TicketEntry,
)

OPEN_TICKETS_SHOWN = 25


def _count(queryset: QuerySet) -> Coalesce:
    """A per-customer count as a subquery (no join multiplying the directory's rows)."""
    counted = queryset.order_by().values("customer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def directory(user: User, q: str = "", tier: str = "", industry: str = "") -> QuerySet[Customer]:
    """Customers by name, with their owners and how many open tickets and contacts they have.

    `q` matches the name, an e-mail domain, or a contact's name or address.
    """
    services.check_agent(user)
    open_tickets = Ticket.objects.filter(customer=OuterRef("pk")).exclude(status__in=DONE_STATUSES)
    contacts = ContactMembership.objects.filter(customer=OuterRef("pk"), contact__is_active=True)
    customers = (
        Customer.objects.select_related("se_owner", "le_architect")
        .annotate(open_count=_count(open_tickets), contact_count=_count(contacts))
        .order_by("name", "pk")
    )
    q = q.strip()
    if q:
        by_contact = ContactMembership.objects.filter(
            Q(contact__email__icontains=q) | Q(contact__full_name__icontains=q)
        ).values("customer_id")
        customers = customers.filter(
            Q(name__icontains=q) | Q(email_domains__icontains=q) | Q(pk__in=by_contact)
        )
    if tier:
        customers = customers.filter(tier=tier)
    if industry:
        customers = customers.filter(industry=industry)
    return customers


def get_customer_for_agent(user: User, pk: int) -> Customer:
    services.check_agent(user)
    customer = Customer.objects.select_related("se_owner", "le_architect").filter(pk=pk).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer


def contacts_of(customer: Customer) -> list[Contact]:
    return list(customer.contacts.order_by("-is_active", "full_name", "email"))


def open_tickets_of(customer: Customer, now: datetime.datetime | None = None) -> list[Ticket]:
    """The customer's open tickets, most urgent first, each with its SLA clock."""
    tickets = list(
        Ticket.objects.filter(customer=customer)
        .exclude(status__in=DONE_STATUSES)
        .select_related("requester", "assignee", "sla_policy", "escalated_to")
        .order_by("priority", "resolution_due", "pk")[:OPEN_TICKETS_SHOWN]
    )
    agent.attach_clocks(tickets, now)
    return tickets


def minutes_this_month(customer: Customer, now: datetime.datetime | None = None) -> tuple[int, int]:
    """(total, billable) minutes logged on the customer's tickets this month (the company's
    month, as the billable-time page counts it)."""
    today = timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
    start, end = agent.month_bounds(today.replace(day=1))
    totals = TicketEntry.objects.filter(
        ticket__customer=customer, created_at__gte=start, created_at__lt=end
    ).aggregate(total=Sum("minutes"), billable=Sum("minutes", filter=Q(billable=True)))
    return totals["total"] or 0, totals["billable"] or 0
