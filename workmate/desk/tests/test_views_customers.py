"""The customer directory (GET /desk/customers/ and /desk/customers/<pk>/) for agents."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import ContractTier, Industry, Priority, Status
from workmate.desk.tests.helpers import kst, login
from workmate.testing.factories import (
    make_contact,
    make_customer,
    make_sla_policy,
    make_ticket,
)

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("desk:customers")


def page_url(customer) -> str:
    return reverse("desk:customer", args=[customer.pk])


def listed(html: str) -> list[str]:
    return re.findall(r'<td class="row-title"><a href="/desk/customers/\d+/">([^<]+)</a>', html)


def row(html: str, customer) -> str:
    return html.split(f'data-customer="{customer.pk}"')[1].split("</tr>")[0]


@pytest.fixture
def hanbit(customer_a, contact_a, erin, alice, bob):
    customer_a.industry = Industry.FINANCE
    customer_a.tier = ContractTier.ENTERPRISE
    customer_a.se_owner = erin
    customer_a.le_architect = alice
    customer_a.save()
    make_contact(customer_a, email="gone@hanbit.example", full_name="Gone Kim", is_active=False)
    make_ticket(customer=customer_a, requester=contact_a, subject="Backup fails")
    make_ticket(customer=customer_a, requester=contact_a, subject="VPN drops")
    solved = make_ticket(customer=customer_a, requester=contact_a, subject="Old question")
    services.do_change_status(bob, solved, Status.SOLVED)
    return customer_a


def test_agents_see_every_customer_with_owners_and_counts(client, bob, hanbit, customer_b):
    login(client, bob)

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    page = response.content.decode()
    assert listed(page) == ["Hanbit Bank", "Maru Market"]
    hanbit_row = row(page, hanbit)
    assert "Finance" in hanbit_row and "Enterprise" in hanbit_row
    assert "Erin Owner" in hanbit_row and "Alice Kim" in hanbit_row
    assert "hanbit.example" in hanbit_row
    # Two open tickets (the solved one does not count), linking to the queue; one active
    # contact (the inactive one does not count).
    assert f'href="/desk/all/?customer={hanbit.pk}">2</a>' in hanbit_row
    assert hanbit_row.rstrip().endswith("<td>1</td>")


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("hanbit", ["Hanbit Bank"]),  # name
        ("maru.example", ["Maru Market"]),  # e-mail domain
        ("jisoo@", ["Hanbit Bank"]),  # a contact's address
        ("Minho", ["Maru Market"]),  # a contact's name
        ("nobody-at-all", []),
    ],
)
def test_search_by_name_domain_or_contact(client, bob, hanbit, customer_b, contact_b, q, found):
    login(client, bob)

    page = client.get(DIRECTORY, {"q": q}).content.decode()

    assert listed(page) == found
    if not found:
        assert 'id="no-customers"' in page


def test_filter_by_tier_and_industry(client, bob, hanbit, customer_b):
    login(client, bob)

    assert listed(client.get(DIRECTORY, {"tier": "enterprise"}).content.decode()) == ["Hanbit Bank"]
    assert listed(client.get(DIRECTORY, {"industry": "retail"}).content.decode()) == []
    # An unknown value is a field error and filters nothing; the search still applies.
    response = client.get(DIRECTORY, {"tier": "platinum", "q": "maru"})
    assert response.status_code == 200
    page = response.content.decode()
    assert listed(page) == ["Maru Market"]
    assert 'class="error"' in page


def test_the_directory_pages_and_keeps_its_filters(client, bob):
    for number in range(55):
        make_customer(name=f"Acme {number:02}", tier=ContractTier.STANDARD)
    login(client, bob)

    first = client.get(DIRECTORY, {"tier": "standard"}).content.decode()
    second = client.get(DIRECTORY, {"tier": "standard", "page": 2}).content.decode()

    assert len(listed(first)) == 50 and len(listed(second)) == 5
    assert "?tier=standard&amp;page=2" in first


def test_query_count_does_not_grow_with_customers(client, bob):
    def count(how_many: int) -> int:
        for _ in range(how_many):
            customer = make_customer(se_owner=bob, le_architect=bob)
            make_contact(customer)
            make_ticket(customer=customer)
        login(client, bob)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DIRECTORY).status_code == 200
        return len(queries)

    assert count(3) == count(30)


@time_machine.travel(kst(2026, 11, 25, 10), tick=False)
def test_a_customer_page_shows_facts_open_tickets_and_contacts(client, bob, hanbit, contact_a):
    make_sla_policy(tier=ContractTier.ENTERPRISE, priority=Priority.P2)
    urgent = make_ticket(
        customer=hanbit, requester=contact_a, subject="Site down", priority=Priority.P2
    )
    login(client, bob)

    response = client.get(page_url(hanbit))

    assert response.status_code == 200
    page = response.content.decode()
    facts = page.split('id="customer-facts"')[1].split("</section>")[0]
    assert "Finance" in facts and "Enterprise" in facts and "Erin Owner" in facts
    assert "Each contact sees only the tickets they asked." in facts
    # Bob is a plain member: no billable time for him.
    assert 'id="customer-time"' not in page
    tickets = page.split('id="customer-tickets"')[1].split("</section>")[0]
    subjects = re.findall(r"#\d+ ([^<]+)</a>", tickets)
    assert subjects[0] == "Site down"  # P2 before the P3s
    assert set(subjects) == {"Site down", "Backup fails", "VPN drops"}
    assert f'data-ticket="{urgent.pk}"' in tickets and "sla-" in tickets
    assert f'href="/desk/all/?customer={hanbit.pk}"' in tickets
    contacts = page.split('id="customer-contacts"')[1].split("</section>")[0]
    assert "jisoo@hanbit.example" in contacts and "Can sign in" in contacts
    assert "Gone Kim" in contacts and "(inactive)" in contacts


@time_machine.travel(kst(2026, 11, 25, 10), tick=False)
def test_those_who_see_billing_see_this_months_time(client, alice, bob, hanbit, contact_a):
    ticket = make_ticket(customer=hanbit, requester=contact_a)
    services.do_reply(bob, ticket, "Fixed.", minutes=30, billable=True)
    services.do_reply(bob, ticket, "Checked.", internal=True, minutes=15)
    login(client, alice)  # a team lead

    page = client.get(page_url(hanbit)).content.decode()

    assert "45 min, 30 min billable" in page.split('id="customer-time"')[1].split("</dd>")[0]


def test_the_ticket_page_links_to_its_customer(client, bob, hanbit, contact_a):
    ticket = make_ticket(customer=hanbit, requester=contact_a)
    login(client, bob)

    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()

    assert f'<a href="{page_url(hanbit)}" id="ticket-customer">Hanbit Bank</a>' in page


def test_outsiders_get_403_and_contacts_the_log_in_page(client, charlie, hanbit, contact_a):
    login(client, charlie)  # in no team: not an agent
    assert client.get(DIRECTORY).status_code == 403
    assert client.get(page_url(hanbit)).status_code == 403

    client.logout()
    # A contact's portal session is not a Workmate sign-in.
    client.post(
        reverse("portal:login"),
        {"email": contact_a.email, "password": "correct-horse-battery-staple"},
    )
    for url in (DIRECTORY, page_url(hanbit)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_customer_is_404(client, bob):
    login(client, bob)
    assert client.get(reverse("desk:customer", args=[9999])).status_code == 404


def test_the_pages_speak_korean(client, bob, hanbit):
    bob.language = "ko"
    bob.save()
    login(client, bob)

    page = client.get(page_url(hanbit)).content.decode()

    assert "고객사" in page and "진행 중인 티켓" in page
