"""The portal's isolation matrix, tried from outside through the URLs a contact can reach:
contact of A against B, colleagues with and without a shared view, contacts of two
organisations, internal notes never in a page or mail, and no way from the portal inward."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import EntryKind, Status, Ticket, TicketAttachment, TicketEntry
from workmate.testing.factories import DEFAULT_PASSWORD, make_contact, make_ticket

pytestmark = pytest.mark.django_db

SECRET = "Root password of their firewall is hunter2"


def portal_login(client, contact) -> None:
    response = client.post("/portal/login/", {"email": contact.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def _attach(entry: TicketEntry, name: str) -> TicketAttachment:
    attachment = TicketAttachment(entry=entry, name=name, size=3, content_type="text/plain")
    attachment.file.save(name, SimpleUploadedFile(name, b"abc"), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def theirs(customer_b, contact_b):
    ticket = make_ticket(customer=customer_b, requester=contact_b, subject="Maru outage")
    return ticket


def _urls(ticket: Ticket, attachment: TicketAttachment) -> list[tuple[str, str]]:
    return [
        ("get", reverse("portal:ticket", args=[ticket.pk])),
        ("post", reverse("portal:reply", args=[ticket.pk])),
        ("get", reverse("portal:attachment", args=[ticket.pk, attachment.pk])),
    ]


def test_contact_of_a_gets_404_everywhere_on_bs_ticket(client, contact_a, theirs):
    attachment = _attach(theirs.entries.get(), "maru.txt")
    before = TicketEntry.objects.count()
    portal_login(client, contact_a)
    for method, url in _urls(theirs, attachment):
        response = getattr(client, method)(url, {"body": "I am in"} if method == "post" else {})
        assert response.status_code == 404, url
    # Another ticket's id in the path does not reach B's file either.
    mine = make_ticket(customer=contact_a.customers.get(), requester=contact_a)
    url = reverse("portal:attachment", args=[mine.pk, attachment.pk])
    assert client.get(url).status_code == 404
    assert TicketEntry.objects.count() == before + 1  # Only the new ticket's own message.
    theirs.refresh_from_db()
    assert theirs.status == Status.NEW
    html = client.get("/portal/?status=all").content.decode()
    assert "Maru outage" not in html


def test_colleague_tickets_only_with_a_shared_view(client, customer_a, contact_a):
    colleague = make_contact(customer_a, email="colleague@hanbit.example")
    ticket = make_ticket(customer=customer_a, requester=colleague, subject="Colleague issue")
    portal_login(client, contact_a)
    url = reverse("portal:ticket", args=[ticket.pk])
    assert client.get(url).status_code == 404
    assert "Colleague issue" not in client.get("/portal/?status=all").content.decode()
    assert client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "x"}).status_code == 404

    customer_a.shared_tickets = True
    customer_a.save()
    assert client.get(url).status_code == 200
    assert "Colleague issue" in client.get("/portal/?status=all").content.decode()
    client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "Same here."})
    entry = ticket.entries.filter(kind=EntryKind.CUSTOMER).last()
    assert entry.contact == contact_a and entry.body == "Same here."


def test_shared_view_of_a_does_not_open_b(client, customer_a, contact_a, theirs):
    customer_a.shared_tickets = True
    customer_a.save()
    portal_login(client, contact_a)
    assert client.get(reverse("portal:ticket", args=[theirs.pk])).status_code == 404


def test_contact_in_two_organisations_sees_own_tickets_of_both(client, customer_a, customer_b):
    both = make_contact(customer_a, customer_b, email="both@hanbit.example")
    at_a = make_ticket(customer=customer_a, requester=both, subject="At Hanbit")
    at_b = make_ticket(customer=customer_b, requester=both, subject="At Maru")
    # B's other contact's ticket stays hidden while B does not share.
    stranger = make_ticket(customer=customer_b, subject="Someone else at Maru")
    portal_login(client, both)
    html = client.get("/portal/?status=all").content.decode()
    assert "At Hanbit" in html and "At Maru" in html
    assert "Someone else at Maru" not in html
    assert client.get(reverse("portal:ticket", args=[at_a.pk])).status_code == 200
    assert client.get(reverse("portal:ticket", args=[at_b.pk])).status_code == 200
    assert client.get(reverse("portal:ticket", args=[stranger.pk])).status_code == 404


def test_internal_notes_never_reach_the_portal_or_its_mail(
    client, customer_a, contact_a, bob, django_capture_on_commit_callbacks
):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    # Every mail the desk sends on the way (replies, survey) is run and checked.
    with django_capture_on_commit_callbacks(execute=True):
        note = services.do_reply(bob, ticket, SECRET, internal=True)
        hidden_file = _attach(note, "firewall-config.txt")
        services.do_reply(bob, ticket, "We changed a firewall rule.")
        services.do_set_priority(bob, ticket, 2)
        services.do_change_status(bob, ticket, Status.SOLVED)
    portal_login(client, contact_a)
    pages = [
        client.get(reverse("portal:ticket", args=[ticket.pk])),
        client.get("/portal/?status=all"),
        client.get("/portal/?status=solved", headers={"HX-Request": "true"}),
        client.post(
            reverse("portal:reply", args=[ticket.pk]),
            {"body": "ok"},
            headers={"HX-Request": "true"},
        ),
    ]
    for response in pages:
        html = response.content.decode()
        assert SECRET not in html
        assert "hunter2" not in html
        assert "firewall-config.txt" not in html
    assert "We changed a firewall rule." in pages[0].content.decode()
    # The change events (priority, status) are not shown either.
    assert "P2 · high" not in pages[0].content.decode().split("portal-timeline")[1]
    url = reverse("portal:attachment", args=[ticket.pk, hidden_file.pk])
    assert client.get(url).status_code == 404
    # The survey mail went out; no mail carries the note.
    assert any("How did we do?" in message.subject for message in mail.outbox)
    for message in mail.outbox:
        assert "hunter2" not in message.body
        alternatives = getattr(message, "alternatives", [])
        assert all("hunter2" not in str(content) for content, _type in alternatives)
        assert "hunter2" not in message.subject
        assert all("firewall-config" not in str(item) for item in message.attachments)


def test_anonymous_is_sent_to_the_portal_sign_in(client, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    for url in (
        "/portal/",
        "/portal/tickets/new/",
        reverse("portal:ticket", args=[ticket.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/login/?next=")
    response = client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "x"})
    assert response["Location"].startswith("/portal/login/")
    assert ticket.entries.count() == 1


def test_htmx_anonymous_gets_a_client_redirect(client):
    response = client.get("/portal/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/portal/login/")


def test_agent_session_is_not_a_contact_session(client, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    client.force_login(bob)
    response = client.get(reverse("portal:ticket", args=[ticket.pk]))
    assert response["Location"].startswith("/portal/login/")
    response = client.post(reverse("portal:reply", args=[ticket.pk]), {"body": "as bob"})
    assert response.status_code == 302
    assert ticket.entries.count() == 1


@pytest.mark.parametrize(
    "path", ["/work/", "/desk/", "/inbox/", "/people/", "/api/v1/desk/tickets"]
)
def test_contact_session_cannot_reach_internal_pages(client, contact_a, path):
    portal_login(client, contact_a)
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
