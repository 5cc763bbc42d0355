"""The portal's pages as a contact uses them: list, new ticket, ticket page, reply, files."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import EntryKind, Priority, Status, Ticket, TicketAttachment, TicketEntry
from workmate.testing.factories import DEFAULT_PASSWORD, make_contact, make_customer, make_ticket

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def portal_login(client, contact) -> None:
    response = client.post("/portal/login/", {"email": contact.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def signed_in(client, contact_a):
    portal_login(client, contact_a)
    return client


# --- List ------------------------------------------------------------------------------


def test_list_shows_open_tickets_by_default_and_filters(signed_in, customer_a, contact_a, bob):
    open_one = make_ticket(customer=customer_a, requester=contact_a, subject="Printer on fire")
    solved = make_ticket(customer=customer_a, requester=contact_a, subject="VPN is slow")
    services.do_change_status(bob, solved, Status.SOLVED)
    html = signed_in.get("/portal/").content.decode()
    assert "Printer on fire" in html and "VPN is slow" not in html
    html = signed_in.get("/portal/?status=solved").content.decode()
    assert "VPN is slow" in html and "Printer on fire" not in html
    html = signed_in.get("/portal/?status=all").content.decode()
    assert "VPN is slow" in html and "Printer on fire" in html
    assert reverse("portal:ticket", args=[open_one.pk]) in html
    # Contacts read their own words for statuses.
    assert "Received" in html and "Solved" in html


def test_list_query_count_does_not_grow_with_tickets(
    signed_in, customer_a, contact_a, django_assert_max_num_queries
):
    other = make_customer()
    contact_a.memberships.create(customer=other)
    for number in range(30):
        make_ticket(
            customer=customer_a if number % 2 else other,
            requester=contact_a,
            subject=f"Ticket {number}",
        )
    with django_assert_max_num_queries(5):
        response = signed_in.get("/portal/?status=all")
    assert len(response.context["page"].object_list) == 25
    assert response.context["several_customers"]
    second = signed_in.get("/portal/?status=all&page=2")
    assert len(second.context["page"].object_list) == 5


def test_list_htmx_gets_rows_only(signed_in, customer_a, contact_a):
    make_ticket(customer=customer_a, requester=contact_a, subject="Printer on fire")
    response = signed_in.get("/portal/?status=all", headers=HTMX)
    html = response.content.decode()
    assert "Printer on fire" in html
    assert "<html" not in html
    assert next(t.name for t in response.templates) == "desk/portal/partials/_ticket_rows.html"


def test_list_wrong_method(signed_in):
    assert signed_in.post("/portal/").status_code == 405


def test_portal_has_no_internal_navigation(signed_in):
    html = signed_in.get("/portal/").content.decode()
    for internal in ("/work/", "/desk/", "/inbox/", "/people/", "/admin/", 'href="/me/'):
        assert internal not in html


# --- New ticket ------------------------------------------------------------------------


def _new(client, **data):
    payload = {
        "subject": "Backups failed",
        "description": "Since Monday the nightly backup ends with error 42.",
        "category": "incident",
        "priority": "2",
    }
    payload.update(data)
    return client.post("/portal/tickets/new/", payload)


def test_new_ticket_with_one_organisation_needs_no_picker(signed_in, customer_a, contact_a):
    page = signed_in.get("/portal/tickets/new/")
    assert page.status_code == 200
    assert 'type="hidden" name="customer"' in page.content.decode()
    response = _new(signed_in, customer=str(customer_a.pk))
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])
    assert ticket.customer == customer_a
    assert ticket.requester == contact_a
    assert ticket.priority == Priority.P2
    assert ticket.status == Status.NEW
    entry = ticket.entries.get()
    assert entry.kind == EntryKind.CUSTOMER
    assert entry.contact == contact_a
    assert "error 42" in entry.body


def test_new_ticket_in_two_organisations_asks_which(client, customer_a, customer_b):
    both = make_contact(customer_a, customer_b, email="both@hanbit.example")
    portal_login(client, both)
    page = client.get("/portal/tickets/new/").content.decode()
    assert "<select" in page and "Maru Market" in page and "Hanbit Bank" in page
    response = _new(client)
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    _new(client, customer=str(customer_b.pk))
    assert Ticket.objects.get().customer == customer_b


def test_new_ticket_for_a_foreign_organisation_is_refused(signed_in, customer_b):
    response = _new(signed_in, customer=str(customer_b.pk))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_new_ticket_needs_subject_and_description(signed_in, customer_a):
    response = _new(signed_in, customer=str(customer_a.pk), subject="", description="")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"subject", "description"}
    assert not Ticket.objects.exists()


def test_new_ticket_with_attachments(signed_in, customer_a, contact_a):
    files = [
        SimpleUploadedFile("error.log", b"error 42\n", content_type="text/plain"),
        SimpleUploadedFile("screen.png", b"\x89PNG....", content_type="image/png"),
    ]
    _new(signed_in, customer=str(customer_a.pk), attachments=files)
    ticket = Ticket.objects.get()
    names = sorted(
        TicketAttachment.objects.filter(entry__ticket=ticket).values_list("name", flat=True)
    )
    assert names == ["error.log", "screen.png"]
    page = signed_in.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "error.log" in page
    attachment = TicketAttachment.objects.get(name="error.log")
    download = signed_in.get(reverse("portal:attachment", args=[ticket.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"error 42\n"
    assert "attachment" in download["Content-Disposition"]


def test_too_many_attachments_are_refused(signed_in, customer_a):
    files = [SimpleUploadedFile(f"f{n}.txt", b"x") for n in range(6)]
    response = _new(signed_in, customer=str(customer_a.pk), attachments=files)
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_contact_who_left_every_organisation_cannot_file(signed_in, contact_a):
    contact_a.memberships.all().delete()
    assert signed_in.get("/portal/tickets/new/").status_code == 403
    assert _new(signed_in).status_code == 403
    assert not Ticket.objects.exists()


# --- Ticket page and replies -----------------------------------------------------------


def test_ticket_page_shows_public_timeline_and_status(signed_in, customer_a, contact_a, bob):
    ticket = make_ticket(customer=customer_a, requester=contact_a, description="It broke.")
    services.do_reply(bob, ticket, "We restarted the service.", status=Status.PENDING)
    html = signed_in.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "It broke." in html
    assert "We restarted the service." in html
    assert "Bob" in html
    assert "Waiting for your reply" in html


def test_reply_adds_a_customer_message_and_resumes(signed_in, customer_a, contact_a, bob):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_reply(bob, ticket, "Which version?", status=Status.PENDING)
    response = signed_in.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Version 7."})
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])
    entry = TicketEntry.objects.filter(ticket=ticket, kind=EntryKind.CUSTOMER).last()
    assert entry.body == "Version 7."
    assert entry.contact == contact_a
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_reply_reopens_a_solved_ticket(signed_in, customer_a, contact_a, bob):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_change_status(bob, ticket, Status.SOLVED)
    signed_in.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Still broken."})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.solved_at is None


def test_reply_to_a_closed_ticket_is_refused(signed_in, customer_a, contact_a, bob):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_change_status(bob, ticket, Status.CLOSED)
    before = ticket.entries.count()
    response = signed_in.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Hello?"})
    assert response.status_code == 400
    assert ticket.entries.count() == before
    page = signed_in.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert 'id="portal-reply"' not in page


def test_empty_reply_is_refused(signed_in, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    response = signed_in.post(reverse("portal:reply", args=[ticket.pk]), {"body": "  "})
    assert response.status_code == 400
    assert ticket.entries.count() == 1


def test_reply_by_htmx_returns_the_conversation(signed_in, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    response = signed_in.post(
        reverse("portal:reply", args=[ticket.pk]), {"body": "More details."}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "More details." in html and "<html" not in html
    assert ticket.entries.filter(kind=EntryKind.CUSTOMER).count() == 2


def test_wrong_methods(signed_in, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    assert signed_in.post(reverse("portal:ticket", args=[ticket.pk])).status_code == 405
    assert signed_in.get(reverse("portal:reply", args=[ticket.pk])).status_code == 405
    assert signed_in.delete("/portal/tickets/new/").status_code == 405


def test_pages_speak_the_contacts_language(client, customer_a):
    contact = make_contact(customer_a, email="mina@hanbit.example", language="ko")
    portal_login(client, contact)
    html = client.get("/portal/").content.decode()
    assert '<html lang="ko">' in html


def test_files_over_the_total_per_message_are_refused(signed_in, customer_a, contact_a, settings):
    settings.DESK_PORTAL_MAX_TOTAL_BYTES = 3 * 1024 * 1024
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    before = ticket.entries.count()
    # Each file is under the per-file limit; together they are over the per-message one.
    files = [SimpleUploadedFile(f"dump{n}.bin", b"x" * (1024 * 1024 + 1)) for n in range(3)]

    response = signed_in.post(
        reverse("portal:reply", args=[ticket.pk]), {"body": "Dumps.", "attachments": files}
    )

    assert response.status_code == 400
    assert "3 MB" in response.context["form"].errors["attachments"][0]
    assert ticket.entries.count() == before
    assert not TicketAttachment.objects.exists()
    two = [SimpleUploadedFile(f"ok{n}.bin", b"x" * (1024 * 1024 + 1)) for n in range(2)]
    response = _new(signed_in, customer=str(customer_a.pk), attachments=two)
    assert response.status_code == 302
    assert TicketAttachment.objects.count() == 2
