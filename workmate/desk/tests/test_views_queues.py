"""The agent queues: who sees them, what each holds, filters, bulk assign, query counts."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from workmate.desk import agent, services
from workmate.desk.models import Status, Ticket
from workmate.desk.tests.helpers import kst, login
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db

QUEUES = ["mine", "escalated", "unassigned", "at_risk", "breached", "pending", "triage", "all"]


def test_home_is_the_dashboard_and_my_queue_is_in_the_desk_nav(client, bob):
    login(client, bob)
    response = client.get(reverse("desk:home"))
    assert response.status_code == 200
    assert "desk/dashboard.html" in [t.name for t in response.templates]
    assert f'href="{reverse("desk:mine")}"' in response.content.decode()


def test_nav_lights_up_desk(client, bob):
    login(client, bob)
    response = client.get(reverse("desk:mine"))
    html = response.content.decode()
    assert f'href="{reverse("desk:home")}" aria-current="page">Desk<' in html


@pytest.mark.parametrize("queue", QUEUES)
def test_outsider_gets_403(client, charlie, queue):
    login(client, charlie)
    assert client.get(reverse(f"desk:{queue}")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("desk:mine"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_queue_refuses_post(client, bob):
    login(client, bob)
    assert client.post(reverse("desk:mine")).status_code == 405


def test_each_queue_holds_its_tickets(client, policy, alice, bob, customer_a, contact_a):
    with time_machine.travel(kst(2026, 11, 23, 9, 0), tick=False):  # Monday
        late = make_ticket(customer=customer_a, requester=contact_a, subject="Late one")
    with time_machine.travel(kst(2026, 11, 24, 9, 0), tick=False):
        risky = make_ticket(customer=customer_a, requester=contact_a, subject="Risky one")
        waiting = make_ticket(customer=customer_a, requester=contact_a, subject="Waiting one")
        services.do_reply(alice, risky, "On it.")
        services.do_reply(alice, waiting, "Logs please?", status=Status.PENDING)
        services.do_assign(alice, waiting, bob)
    with time_machine.travel(kst(2026, 11, 24, 9, 0), tick=False):
        triage = services.do_create_ticket(
            subject="Who am I", customer=None, requester=None, from_email="x@unknown.example"
        )
    expected = {
        "mine": {waiting},
        "escalated": set(),
        "unassigned": {late, risky},
        "breached": {late},
        "at_risk": {risky},
        "pending": {waiting},
        "triage": {triage},
        "all": {late, risky, waiting, triage},
    }
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 24, 16, 0), tick=False):
        for queue, tickets in expected.items():
            response = client.get(reverse(f"desk:{queue}"))
            assert response.status_code == 200
            shown = {row.pk for row in response.context["listing"].page.object_list}
            assert shown == {ticket.pk for ticket in tickets}, queue
        html = client.get(reverse("desk:all")).content.decode()
    assert "sla-row-breached" in html
    assert "sla-row-at_risk" in html
    assert "sla-row-paused" in html


def test_queue_is_sorted_by_resolution_due(client, policy, bob, customer_a, contact_a):
    with time_machine.travel(kst(2026, 11, 24, 11, 0), tick=False):
        later = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(kst(2026, 11, 24, 10, 0), tick=False):
        sooner = make_ticket(customer=customer_a, requester=contact_a)
    login(client, bob)
    response = client.get(reverse("desk:unassigned"))
    assert [t.pk for t in response.context["listing"].page.object_list] == [sooner.pk, later.pk]


def test_filters_narrow_the_queue(client, bob, customer_a, contact_a, customer_b, contact_b):
    vpn = make_ticket(customer=customer_a, requester=contact_a, subject="VPN down", priority=1)
    Ticket.objects.filter(pk=vpn.pk).update(tags=["vpn", "network"])
    other = make_ticket(customer=customer_b, requester=contact_b, subject="Invoice question")
    login(client, bob)
    url = reverse("desk:all")

    def shown(**params):
        response = client.get(url, params)
        return {row.pk for row in response.context["listing"].page.object_list}

    assert shown() == {vpn.pk, other.pk}
    assert shown(q="vpn") == {vpn.pk}
    assert shown(q=f"#{other.pk}") == {other.pk}
    assert shown(priority="1") == {vpn.pk}
    assert shown(customer=str(customer_b.pk)) == {other.pk}
    assert shown(tag="network") == {vpn.pk}
    assert shown(tag="netw") == set()
    assert shown(status="new") == {vpn.pk, other.pk}
    assert shown(status="pending") == set()
    assert shown(assignee="none") == {vpn.pk, other.pk}
    assert shown(assignee="me") == set()
    assert shown(category="billing") == set()


def test_htmx_gets_the_list_fragment(client, bob, customer_a, contact_a):
    make_ticket(customer=customer_a, requester=contact_a)
    login(client, bob)
    response = client.get(reverse("desk:all"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="bulk-form"' in html


def test_queue_query_count_is_pinned(
    client, policy, bob, alice, customer_a, contact_a, django_assert_max_num_queries
):
    for number in range(30):
        ticket = make_ticket(customer=customer_a, requester=contact_a, subject=f"T{number}")
        services.do_assign(alice, ticket, bob if number % 2 else alice)
    login(client, bob)
    client.get(reverse("desk:all"))  # Warm the session.
    with django_assert_max_num_queries(12):  # 11 before the team filter's options
        response = client.get(reverse("desk:all"))
    assert len(response.context["listing"].page.object_list) == 30


def test_bulk_assign_gives_tickets_to_one_agent(client, bob, alice, customer_a, contact_a):
    first = make_ticket(customer=customer_a, requester=contact_a)
    second = make_ticket(customer=customer_a, requester=contact_a)
    untouched = make_ticket(customer=customer_a, requester=contact_a)
    login(client, alice)
    response = client.post(
        reverse("desk:bulk_assign"),
        {
            "tickets": [first.pk, second.pk],
            "assignee": bob.pk,
            "queue": "unassigned",
            "next": reverse("desk:unassigned") + "?priority=3",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:unassigned") + "?priority=3"
    assert set(Ticket.objects.filter(assignee=bob).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    untouched.refresh_from_db()
    assert untouched.assignee is None
    assert first.entries.filter(kind="event", field="assignee", new_value="Bob Lee").exists()


def test_bulk_assign_with_htmx_returns_the_refreshed_list(client, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    login(client, bob)
    response = client.post(
        reverse("desk:bulk_assign"),
        {"tickets": [ticket.pk], "assignee": bob.pk, "queue": "mine", "next": "/desk/mine/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'data-ticket="{ticket.pk}"' in response.content.decode()
    assert response.context["listing"].queue == "mine"


def test_bulk_assign_refuses_a_non_agent_assignee(client, bob, charlie, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    login(client, bob)
    client.post(reverse("desk:bulk_assign"), {"tickets": [ticket.pk], "assignee": charlie.pk})
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_bulk_assign_by_outsider_is_403_and_changes_nothing(
    client, bob, charlie, customer_a, contact_a
):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    login(client, charlie)
    response = client.post(
        reverse("desk:bulk_assign"), {"tickets": [ticket.pk], "assignee": bob.pk}
    )
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_bulk_assign_refuses_get(client, bob):
    login(client, bob)
    assert client.get(reverse("desk:bulk_assign")).status_code == 405


def test_bulk_assign_ignores_an_unsafe_next(client, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    login(client, bob)
    response = client.post(
        reverse("desk:bulk_assign"),
        {"tickets": [ticket.pk], "assignee": bob.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("desk:mine")


def test_unassigned_holds_only_the_viewers_teams_tickets(client, team, bob, customer_a, contact_a):
    from workmate.testing.factories import add_member, make_team, make_user

    make_ticket(customer=customer_a, requester=contact_a)  # Goes to TE, the support team.
    se_person = make_user(email="erin@example.com")
    add_member(make_team(code="SE", name="Customer Success"), se_person)
    login(client, se_person)
    assert not client.get(reverse("desk:unassigned")).context["listing"].page.object_list
    client.logout()
    login(client, bob)
    assert len(client.get(reverse("desk:unassigned")).context["listing"].page.object_list) == 1


def test_escalated_rows_add_no_queries(
    client, policy, bob, alice, customer_a, contact_a, django_assert_max_num_queries
):
    """Each escalated row names who it went to: read with the row, not once per row."""
    customer_a.le_architect = alice
    customer_a.save()
    for number in range(12):
        ticket = make_ticket(customer=customer_a, requester=contact_a, subject=f"T{number}")
        agent.do_escalate(bob, ticket, "le", f"Note {number}")
    login(client, alice)
    for queue in ("escalated", "all"):
        client.get(reverse(f"desk:{queue}"))  # Warm the session.
        with django_assert_max_num_queries(12):
            response = client.get(reverse(f"desk:{queue}"))
        assert len(response.context["listing"].page.object_list) == 12
        assert response.content.decode().count("escalated-badge") == 12
