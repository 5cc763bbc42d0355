"""The portal: a filed ticket is acknowledged by mail, the contact can mark it solved,
dates read as on the staff pages."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import EntryKind, Status, Ticket
from workmate.desk.tests.helpers import kst
from workmate.inbox.models import Notification
from workmate.testing.factories import DEFAULT_PASSWORD, make_ticket

pytestmark = pytest.mark.django_db


def portal_login(client, contact) -> None:
    response = client.post("/portal/login/", {"email": contact.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def _file(client, customer, subject="Backups failed"):
    return client.post(
        "/portal/tickets/new/",
        {
            "customer": str(customer.pk),
            "subject": subject,
            "description": "The nightly backup ends with error 42.",
            "category": "incident",
            "priority": "3",
        },
    )


# --- Acknowledgement ------------------------------------------------------------------


def test_a_ticket_filed_in_the_portal_is_acknowledged_by_mail(
    client, customer_a, contact_a, django_capture_on_commit_callbacks
):
    portal_login(client, contact_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _file(client, customer_a)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [contact_a.email]
    assert f"#{ticket.pk}" in sent.subject
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert ticket.entries.filter(kind=EntryKind.EVENT, field="acknowledgement").count() == 1


def test_portal_acknowledgements_share_the_mail_in_rate_limit(
    client, customer_a, contact_a, django_capture_on_commit_callbacks
):
    portal_login(client, contact_a)
    for number in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            _file(client, customer_a, subject=f"Problem {number}")
    assert Ticket.objects.count() == 5
    assert len(mail.outbox) == 3  # mailout.ACKS_PER_HOUR


def test_a_refused_ticket_sends_nothing(client, customer_a, contact_a):
    portal_login(client, contact_a)
    response = client.post("/portal/tickets/new/", {"customer": str(customer_a.pk)})
    assert response.status_code == 400
    assert mail.outbox == []


# --- Marking solved -------------------------------------------------------------------


def test_contact_marks_the_ticket_solved(
    client, bob, customer_a, contact_a, django_capture_on_commit_callbacks
):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_assign(bob, ticket, bob)
    Notification.objects.all().delete()
    portal_login(client, contact_a)
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert 'id="portal-solve"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:solve", args=[ticket.pk]))

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED and ticket.solved_at is not None
    event = ticket.entries.get(kind=EntryKind.EVENT, field="status")
    assert event.contact == contact_a and event.author is None
    notification = Notification.objects.get(recipient=bob)
    assert "Jisoo Han" in notification.title and f"#{ticket.pk}" in notification.title
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert 'id="portal-solve"' not in page
    # Asked how we did right there, not by a mail saying "we have solved your ticket".
    assert mail.outbox == []
    survey = page.split('id="portal-survey"', 1)[1].split("</p>", 1)[0]
    good = survey.split('href="', 1)[1].split('"', 1)[0]
    assert client.get(good).status_code == 200
    # The agents' timeline names the contact as who solved it.
    client.logout()
    client.force_login(bob)
    desk_page = client.get(ticket.get_absolute_url()).content.decode()
    assert f'id="entry-{event.pk}"' in desk_page
    assert "Jisoo Han" in desk_page.split(f'id="entry-{event.pk}"', 1)[1].split("</li>", 1)[0]


def test_contact_b_cannot_solve_contact_as_ticket(client, customer_a, contact_a, contact_b):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    portal_login(client, contact_b)
    response = client.post(reverse("portal:solve", args=[ticket.pk]))
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert not ticket.entries.filter(kind=EntryKind.EVENT).exists()


def test_solving_twice_is_refused_and_changes_nothing(client, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_change_status(bob, ticket, Status.CLOSED)
    before = ticket.entries.count()
    portal_login(client, contact_a)
    response = client.post(reverse("portal:solve", args=[ticket.pk]))
    assert response.status_code == 409
    assert "already solved" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.entries.count() == before


def test_solve_wants_post_and_a_signed_in_contact(client, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    response = client.post(reverse("portal:solve", args=[ticket.pk]))
    assert response.status_code == 302 and "/portal/login/" in response["Location"]
    portal_login(client, contact_a)
    assert client.get(reverse("portal:solve", args=[ticket.pk])).status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


# --- Dates ----------------------------------------------------------------------------


def test_portal_dates_read_as_on_the_staff_pages(client, customer_a, contact_a):
    contact_a.language = "ko"
    contact_a.save()
    with time_machine.travel(kst(2026, 11, 25, 14, 5), tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    portal_login(client, contact_a)
    with time_machine.travel(kst(2026, 11, 26, 9, 0), tick=False):
        listing = client.get("/portal/").content.decode()
        page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    for html in (listing, page):
        assert "11월 25일 (수) 14:05" in html
        assert "2026-11-25 14:05" not in html
