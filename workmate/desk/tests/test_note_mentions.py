"""@mentions in the desk: colleagues in internal notes (only agents, who can read the
ticket); a name picked from the list goes to the customer as plain text."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import TicketEntry
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import add_member, make_ticket, make_user
from workmate.testing.openapi import token_client


@pytest.fixture
def haeun(team):
    person = make_user(email="haeun.yoon@example.com", full_name="윤하은")
    add_member(team, person)
    return person


@pytest.fixture
def ticket(customer_a, contact_a):
    return make_ticket(customer=customer_a, requester=contact_a, subject="VPN down")


def test_note_mentions_an_agent_by_name(client, ticket, alice, haeun):
    entry = services.do_reply(alice, ticket, "@윤하은님 로그 봐 주세요", internal=True)

    assert entry.body == f"@**윤하은|{haeun.pk}**님 로그 봐 주세요"
    [told] = Notification.objects.filter(recipient=haeun)
    assert (told.kind, told.title) == (Kind.MENTION, f"#{ticket.pk} VPN down")
    assert told.url.endswith(f"#entry-{entry.pk}")
    client.force_login(alice)
    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert ">@윤하은</a>님 로그 봐 주세요" in page
    assert f'data-mention-url="{reverse("work:mention_people")}?agents=1"' in page


def test_note_cannot_mention_someone_who_cannot_see_tickets(
    client, ticket, alice, charlie, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as refused:
        services.do_reply(alice, ticket, "@Charlie Park see this", internal=True)

    assert refused.value.message_dict["body"][0].startswith("Charlie Park cannot see tickets")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("desk:reply", args=[ticket.pk]),
            {"kind": "note", "body": "@charlie look", "minutes": "0"},
        )
    assert response.status_code == 400
    assert "Charlie Park cannot see tickets" in response.content.decode()
    assert not TicketEntry.objects.filter(body__contains="look").exists()
    assert not Notification.objects.filter(recipient=charlie).exists()
    assert mail.outbox == []


def test_api_note_with_a_blind_mention_is_400(ticket, alice, charlie):
    response = token_client(alice).post(
        f"/api/v1/desk/tickets/{ticket.pk}/replies",
        {"body": "@charlie look", "internal": True},
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert "Charlie Park cannot see tickets" in response.json()["errors"]["body"][0]
    assert not Notification.objects.filter(recipient=charlie).exists()


def test_a_reply_to_the_customer_mentions_nobody_and_shows_a_plain_name(ticket, alice, haeun):
    entry = services.do_reply(alice, ticket, f"@**윤하은|{haeun.pk}** will call you. @nobody")

    assert entry.body == "@윤하은 will call you. @nobody"
    assert not Notification.objects.filter(recipient=haeun).exists()


def test_autocomplete_for_notes_offers_agents_only(client, alice, haeun, charlie):
    client.force_login(alice)

    html = client.get(reverse("work:mention_people"), {"q": "", "agents": "1"}).content.decode()

    assert "윤하은" in html and "Alice Kim" in html
    assert "Charlie Park" not in html
