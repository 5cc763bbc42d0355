"""Time logged on replies and notes: per customer and month, billable for invoicing."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from workmate.accounts.models import OrgRole
from workmate.desk import agent, services
from workmate.desk.tests.helpers import kst, login
from workmate.testing.factories import make_ticket, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(alice, bob, customer_a, contact_a, customer_b, contact_b):
    a = make_ticket(customer=customer_a, requester=contact_a)
    b = make_ticket(customer=customer_b, requester=contact_b)
    with time_machine.travel(kst(2026, 10, 31, 23, 30), tick=False):  # October, in Seoul
        services.do_reply(bob, a, "Late October work.", minutes=60, billable=True)
    with time_machine.travel(kst(2026, 11, 1, 0, 30), tick=False):  # November, in Seoul
        services.do_reply(bob, a, "Fixed.", minutes=30, billable=True)
        services.do_reply(bob, a, "Internal check.", internal=True, minutes=20)
        services.do_reply(alice, b, "Answered.", minutes=45, billable=True)
        services.do_reply(alice, b, "Courtesy call.", minutes=15)
    return a, b


def test_totals_per_customer_and_month(logged, customer_a, customer_b):
    november = {
        row.name: (row.minutes, row.billable)
        for row in agent.time_by_customer(datetime.date(2026, 11, 1))
    }
    assert november == {customer_a.name: (50, 30), customer_b.name: (60, 45)}
    october = agent.time_by_customer(datetime.date(2026, 10, 1))
    assert [(row.name, row.minutes, row.billable) for row in october] == [(customer_a.name, 60, 60)]


def test_billable_needs_minutes(bob, logged):
    entry = services.do_reply(bob, logged[0], "No time.", minutes=0, billable=True)
    assert not entry.billable


def test_ticket_total(logged):
    assert agent.ticket_time(logged[0]) == (110, 90)


def test_se_member_sees_the_month(client, logged, erin, customer_a):
    login(client, erin)
    response = client.get(reverse("desk:time"), {"month": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()
    assert customer_a.name in html
    assert response.context["billable"] == 75
    assert response.context["total"] == 110


def test_lead_and_executive_see_it(client, alice, logged):
    login(client, alice)
    assert client.get(reverse("desk:time")).status_code == 200
    boss = make_user(email="boss@example.com", org_role=OrgRole.EXECUTIVE)
    client.logout()
    login(client, boss)
    assert client.get(reverse("desk:time_csv")).status_code == 200


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_get_403(client, request, who, logged):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("desk:time")).status_code == 403
    assert client.get(reverse("desk:time_csv")).status_code == 403


def test_nav_shows_billable_time_only_to_those_who_see_it(client, alice, bob):
    login(client, bob)
    assert reverse("desk:time") not in client.get(reverse("desk:mine")).content.decode()
    client.logout()
    login(client, alice)
    assert reverse("desk:time") in client.get(reverse("desk:mine")).content.decode()


def test_csv_export(client, alice, logged, customer_a, customer_b):
    login(client, alice)
    response = client.get(reverse("desk:time_csv"), {"month": "2026-11"})
    assert response["Content-Type"].startswith("text/csv")
    assert "desk-time-2026-11.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["month", "customer", "minutes", "billable_minutes", "billable_hours"]
    assert sorted(rows[1:]) == sorted(
        [
            ["2026-11", customer_a.name, "50", "30", "0.50"],
            ["2026-11", customer_b.name, "60", "45", "0.75"],
        ]
    )


def test_csv_export_neutralises_formulas(client, alice, logged, customer_a):
    customer_a.name = "=HYPERLINK(1)"
    customer_a.save(update_fields=["name"])
    login(client, alice)
    response = client.get(reverse("desk:time_csv"), {"month": "2026-11"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["2026-11", "'=HYPERLINK(1)", "50", "30", "0.50"] in rows


def test_time_page_refuses_post(client, alice):
    login(client, alice)
    assert client.post(reverse("desk:time")).status_code == 405


def test_bad_month_falls_back_to_this_month(client, alice, logged):
    login(client, alice)
    with time_machine.travel(kst(2026, 11, 20, 12, 0), tick=False):
        response = client.get(reverse("desk:time"), {"month": "nonsense"})
    assert response.status_code == 200
    assert response.context["month"] == datetime.date(2026, 11, 1)
