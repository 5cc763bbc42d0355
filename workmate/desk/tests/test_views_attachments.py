"""Ticket files are served only through permission-checked views, never straight from MEDIA."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import TicketAttachment
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db


def attach(entry, name="logs.txt", body=b"kernel: oops"):
    item = TicketAttachment(entry=entry, name=name, size=len(body), content_type="text/plain")
    item.file.save(name, ContentFile(body), save=False)
    item.save()
    return item


def test_agent_downloads_a_file_of_the_ticket(client, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    item = attach(ticket.entries.get())
    client.force_login(bob)
    page = client.get(ticket.get_absolute_url())
    url = reverse("desk:attachment", args=[ticket.pk, item.pk])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"kernel: oops"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_file_of_another_ticket_is_404(client, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    other = make_ticket(customer=customer_a, requester=contact_a)
    item = attach(other.entries.get())
    client.force_login(bob)
    assert client.get(reverse("desk:attachment", args=[ticket.pk, item.pk])).status_code == 404


def test_file_of_a_merged_ticket_shows_on_the_kept_one(client, alice, bob, customer_a, contact_a):
    kept = make_ticket(customer=customer_a, requester=contact_a)
    merged = make_ticket(customer=customer_a, requester=contact_a)
    item = attach(merged.entries.get())
    merged.merged_into = kept
    merged.save(update_fields=["merged_into"])
    client.force_login(bob)
    assert client.get(reverse("desk:attachment", args=[kept.pk, item.pk])).status_code == 200


def test_non_agents_cannot_download(client, charlie, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    item = attach(ticket.entries.get())
    url = reverse("desk:attachment", args=[ticket.pk, item.pk])
    assert client.get(url).status_code == 302  # Signed out: to the login page.
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code in {403, 405}


def test_portal_download_is_sandboxed_too(client, alice, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    item = attach(ticket.entries.get())
    services.do_reply(alice, ticket, "See the file.")
    client.post(
        reverse("portal:login"),
        {"email": contact_a.email, "password": "correct-horse-battery-staple"},
    )
    response = client.get(reverse("portal:attachment", args=[ticket.pk, item.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
