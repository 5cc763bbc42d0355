"""The escalation box offers only people other than the reader.

The LE architect a ticket was escalated to opened it and was offered "LE로: 이하늘":
escalating to herself, which the service refuses after the click.
"""

from __future__ import annotations

import pytest

from workmate.testing.factories import make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_the_architect_is_not_offered_to_escalate_to_herself(client, alice, bob):
    customer = make_customer(name="한빛전자", le_architect=bob, se_owner=alice)
    ticket = make_ticket(customer=customer, subject="VPN")

    client.force_login(bob)
    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert 'name="to" value="le"' not in page
    assert 'name="to" value="se"' in page and "Alice Kim" in page

    client.force_login(alice)
    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert 'name="to" value="le"' in page and 'name="to" value="se"' not in page
