"""Who sees which ticket: contacts their own (or their organisation's, when shared)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from workmate.desk import services
from workmate.desk.models import EntryKind, Ticket
from workmate.testing.factories import make_contact, make_ticket

pytestmark = pytest.mark.django_db


def test_contact_sees_own_ticket_not_another_customers(customer_a, contact_a, contact_b):
    mine = make_ticket(customer=customer_a, requester=contact_a)
    theirs = make_ticket(customer=contact_b.customers.get(), requester=contact_b)
    assert list(Ticket.objects.visible_to_contact(contact_a)) == [mine]
    assert services.get_ticket_for_contact(contact_a, mine.pk) == mine
    with pytest.raises(Http404):
        services.get_ticket_for_contact(contact_a, theirs.pk)


def test_colleagues_see_each_other_only_when_the_organisation_shares(customer_a, contact_a):
    colleague = make_contact(customer_a)
    theirs = make_ticket(customer=customer_a, requester=colleague)
    assert not Ticket.objects.visible_to_contact(contact_a).exists()
    customer_a.shared_tickets = True
    customer_a.save()
    assert list(Ticket.objects.visible_to_contact(contact_a)) == [theirs]


def test_a_contact_who_left_an_organisation_no_longer_sees_its_tickets(customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    contact_a.memberships.all().delete()
    assert not Ticket.objects.visible_to_contact(contact_a).filter(pk=ticket.pk).exists()


def test_requester_must_belong_to_the_customer(customer_a, contact_b):
    with pytest.raises(ValidationError):
        make_ticket(customer=customer_a, requester=contact_b)
    assert not Ticket.objects.exists()


def test_internal_notes_are_not_public(customer_a, contact_a, alice):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_reply(alice, ticket, "Customer's DB password is in the vault.", internal=True)
    services.do_reply(alice, ticket, "We are on it.")
    public = list(services.public_entries(ticket))
    assert [e.kind for e in public] == [EntryKind.CUSTOMER, EntryKind.REPLY]
    assert all("vault" not in e.body for e in public)


def test_outsider_is_not_an_agent(charlie, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    with pytest.raises(PermissionDenied):
        services.get_ticket_for_agent(charlie, ticket.pk)
    with pytest.raises(PermissionDenied):
        services.do_reply(charlie, ticket, "hello")
