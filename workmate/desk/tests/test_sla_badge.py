"""The SLA badge names the target it is about, and its time belongs to that target."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from workmate.desk import services
from workmate.desk.tests.helpers import kst, login
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db


def _row(html: str, ticket) -> str:
    return html.split(f'id="ticket-row-{ticket.pk}"', 1)[1].split("</tr>", 1)[0]


def _header(html: str) -> str:
    return html.split('id="ticket-header"', 1)[1].split("</dl>", 1)[0]


@pytest.fixture
def unanswered(policy, customer_a, contact_a):
    """Opened Monday 09:00: first response due 10:00, resolution due 17:00 (1 h / 8 h)."""
    with time_machine.travel(kst(2026, 11, 23, 9, 0), tick=False):
        return make_ticket(customer=customer_a, requester=contact_a, subject="No answer yet")


def test_breached_first_response_is_named_with_its_own_time(client, bob, unanswered):
    """At 13:33 the first response is 3 h 33 m late; resolution (17:00) is still ahead."""
    bob.language = "ko"
    bob.save()
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 23, 13, 33), tick=False):
        queue = client.get(reverse("desk:all")).content.decode()
        page = client.get(unanswered.get_absolute_url()).content.decode()
        customer = client.get(reverse("desk:customer", args=[unanswered.customer_id]))

    row = _row(queue, unanswered)
    assert "첫 응답 위반" in row
    assert "3시간 33분 초과" in row
    # The due moment beside it is the first response's (10:00), not resolution's (17:00).
    assert "10:00" in row and "17:00" not in row
    assert "3h" not in row and "해결" not in row
    assert "첫 응답 위반" in page and "3시간 33분 초과" in _header(page)
    assert "3시간 33분 초과" in _row(customer.content.decode(), unanswered)


def test_resolution_at_risk_after_the_first_reply(client, bob, alice, unanswered):
    """Answered at 09:30: the clock turns to resolution, at risk from 15:00 (75 % of 8 h)."""
    with time_machine.travel(kst(2026, 11, 23, 9, 30), tick=False):
        services.do_reply(alice, unanswered, "Looking.")
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 23, 15, 30), tick=False):
        queue = client.get(reverse("desk:all")).content.decode()
        page = client.get(unanswered.get_absolute_url()).content.decode()

    row = _row(queue, unanswered)
    assert "Resolution at risk" in row
    assert "1h 30m to resolve" in row
    assert "17:00" in row
    assert "First response" not in row
    header = _header(page)
    resolution = header.split('id="ticket-resolution-due"', 1)[1].split("</dd>", 1)[0]
    assert "1h 30m to resolve" in resolution


def test_first_response_at_risk_in_korean(client, bob, unanswered):
    bob.language = "ko"
    bob.save()
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 23, 9, 50), tick=False):
        row = _row(client.get(reverse("desk:all")).content.decode(), unanswered)
    assert "첫 응답 임박" in row
    assert "첫 응답까지 10분" in row


def test_solved_ticket_shows_no_running_time(client, bob, alice, unanswered):
    with time_machine.travel(kst(2026, 11, 23, 9, 30), tick=False):
        services.do_reply(alice, unanswered, "Fixed.", status="solved")
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 25, 9, 0), tick=False):
        page = client.get(unanswered.get_absolute_url()).content.decode()
    badges = page.split('id="ticket-sla"', 1)[1].split("</span></span>", 1)[0]
    assert "Met" in badges
    assert "over" not in badges and "to resolve" not in badges


def test_breached_at_the_end_of_the_day_says_over_even_with_no_business_time_past(
    client, bob, policy, customer_a, contact_a
):
    """Opened Friday 17:00, its first response fell due at 18:00; on Saturday it is
    breached by 0 business minutes, and the badge still says over, not left."""
    with time_machine.travel(kst(2026, 11, 27, 17, 0), tick=False):
        late = make_ticket(customer=customer_a, requester=contact_a)
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 28, 11, 0), tick=False):
        row = _row(client.get(reverse("desk:all")).content.decode(), late)
    assert "First response breached" in row
    assert "0m over" in row
    assert "to first response" not in row
