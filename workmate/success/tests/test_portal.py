"""The portal's Feedback section, tried from outside: the isolation matrix (two customers,
shared and not shared), internal notes never shown, and a bad CSAT becoming an item once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.desk import csat
from workmate.desk.models import Status, Ticket
from workmate.inbox.models import Kind, Notification
from workmate.success.models import FeedbackItem, FeedbackSource, FeedbackState
from workmate.testing.factories import DEFAULT_PASSWORD, make_contact, make_ticket

pytestmark = pytest.mark.django_db

NOTE = "Internal: they are shopping for another MSP"


def portal_login(client, contact) -> None:
    response = client.post("/portal/login/", {"email": contact.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def _item(customer, contact, words, **fields):
    return FeedbackItem.objects.create(
        customer=customer,
        contact=contact,
        words=words,
        source=FeedbackSource.PORTAL,
        area="service",
        internal_note=NOTE,
        **fields,
    )


@pytest.fixture
def colleague_a(customer_a):
    return make_contact(customer_a, email="ara@hanbit.example")


def test_contact_sends_feedback_and_owner_hears(client, contact_a, owned_a, sam):
    portal_login(client, contact_a)
    response = client.post(
        reverse("portal_feedback:new"),
        {
            "words": "A dark mode for the portal",
            "is_idea": "on",
            "area": "other",
            "importance": "low",
        },
    )
    item = FeedbackItem.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "portal_feedback:item", args=[item.pk]
    )
    assert (item.customer, item.contact, item.is_idea) == (owned_a, contact_a, True)
    assert item.source == FeedbackSource.PORTAL
    assert Notification.objects.filter(recipient=sam, kind=Kind.CUSTOMER).exists()


def test_empty_feedback_is_refused(client, contact_a):
    portal_login(client, contact_a)
    response = client.post(
        reverse("portal_feedback:new"), {"words": " ", "area": "other", "importance": "low"}
    )
    assert response.status_code == 200 and not FeedbackItem.objects.exists()


def test_matrix_not_shared(client, customer_a, customer_b, contact_a, colleague_a, contact_b):
    mine = _item(customer_a, contact_a, "Mine")
    colleagues = _item(customer_a, colleague_a, "My colleague's")
    theirs = _item(customer_b, contact_b, "Other company's")
    portal_login(client, contact_a)
    listing = client.get(reverse("portal_feedback:items")).content.decode()
    assert "Mine" in listing and "My colleague" not in listing and "Other company" not in listing
    assert client.get(reverse("portal_feedback:item", args=[mine.pk])).status_code == 200
    for other in (colleagues, theirs):
        assert client.get(reverse("portal_feedback:item", args=[other.pk])).status_code == 404


def test_matrix_shared(client, customer_a, customer_b, contact_a, colleague_a, contact_b):
    customer_a.shared_tickets = True
    customer_a.save()
    colleagues = _item(customer_a, colleague_a, "My colleague's")
    theirs = _item(customer_b, contact_b, "Other company's")
    portal_login(client, contact_a)
    assert client.get(reverse("portal_feedback:item", args=[colleagues.pk])).status_code == 200
    assert client.get(reverse("portal_feedback:item", args=[theirs.pk])).status_code == 404


def test_contact_of_two_organisations_sees_both_own(client, customer_a, customer_b):
    both = make_contact(customer_a, customer_b)
    a, b = _item(customer_a, both, "At A"), _item(customer_b, both, "At B")
    portal_login(client, both)
    for item in (a, b):
        assert client.get(reverse("portal_feedback:item", args=[item.pk])).status_code == 200


def test_answer_shown_and_note_never(client, sam, owned_a, contact_a):
    from workmate.success import services

    item = _item(owned_a, contact_a, "Slow restores")
    portal_login(client, contact_a)
    page = client.get(reverse("portal_feedback:item", args=[item.pk])).content.decode()
    assert "Received" in page and NOTE not in page
    services.do_route(sam, [item], services.RouteInput("no_action", reason="Internal reason"))
    services.do_answer(sam, item, "Restores now run in parallel.")
    page = client.get(reverse("portal_feedback:item", args=[item.pk])).content.decode()
    assert "Restores now run in parallel." in page and "Answered" in page
    assert NOTE not in page and "Internal reason" not in page
    listing = client.get(reverse("portal_feedback:items")).content.decode()
    assert NOTE not in listing


def test_staff_login_does_not_open_the_portal(client, sam):
    client.force_login(sam)
    response = client.get(reverse("portal_feedback:items"))
    assert response.status_code == 302 and "/portal/login/" in response.url


def _solved(customer, contact) -> Ticket:
    ticket = make_ticket(customer=customer, requester=contact)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.SOLVED)
    ticket.refresh_from_db()
    return ticket


def test_bad_csat_with_comment_becomes_feedback_once(owned_a, contact_a):
    ticket = _solved(owned_a, contact_a)
    csat.do_rate(ticket, "bad", "Nobody called me back")
    csat.do_rate(ticket, "good", "")
    csat.do_rate(ticket, "bad", "Nobody called me back")
    item = FeedbackItem.objects.get()
    assert (item.source, item.words, item.ticket) == (
        FeedbackSource.SURVEY,
        "Nobody called me back",
        ticket,
    )
    assert item.state == FeedbackState.NEW and item.contact == contact_a


def test_bad_csat_without_comment_or_good_makes_nothing(owned_a, contact_a):
    csat.do_rate(_solved(owned_a, contact_a), "bad", "")
    csat.do_rate(_solved(owned_a, contact_a), "good", "Great")
    assert not FeedbackItem.objects.exists()
