"""The report pages: agents only, table, inline SVG charts without script, CSV export."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse

from workmate.desk import services
from workmate.desk.models import ContractTier, Rating, Satisfaction, Status
from workmate.desk.tests.helpers import SEOUL, kst
from workmate.testing.factories import make_contact, make_customer, make_sla_policy, make_ticket

NOW = datetime.datetime(2026, 4, 20, 12, 0, tzinfo=SEOUL)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tickets(team, alice, customer_a, contact_a):
    """March: two tickets, one solved in time and rated good, one solved late."""
    make_sla_policy(tier=ContractTier.BUSINESS, priority=3, first_response_minutes=60,
                    resolution_minutes=120)  # fmt: skip
    made = []
    for solved in (kst(2026, 3, 10, 10, 0), kst(2026, 3, 10, 15, 0)):
        with time_machine.travel(kst(2026, 3, 10, 9, 0), tick=False):
            ticket = make_ticket(customer=customer_a, requester=contact_a)
        with time_machine.travel(kst(2026, 3, 10, 9, 30), tick=False):
            services.do_reply(alice, ticket, "Looking.")
        with time_machine.travel(solved, tick=False):
            services.do_change_status(alice, ticket, Status.SOLVED)
        made.append(ticket)
    Satisfaction.objects.create(ticket=made[0], rating=Rating.GOOD)
    return made


def test_agent_sees_table_and_charts(client, alice, tickets, customer_a):
    client.force_login(alice)
    response = client.get(reverse("desk:reports"), {"group": "customer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    table = html[html.index('id="report-table"') :]
    assert customer_a.name in table
    assert "50 %" in table and "100 %" in table  # Solved in time; CSAT.
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 5
    for svg in svgs:
        assert "<script" not in svg.lower()
        assert " on" not in re.sub(r'"[^"]*"', "", svg)  # no event-handler attributes
        assert "style=" not in svg
    resolved = next(svg for svg in svgs if 'id="chart-resolution-sla"' in svg)
    assert ">50 %<" in resolved
    assert 'width="140.0"' in resolved  # Half of the 280-wide bar area.
    assert "desk/reports.csv?group=customer&amp;first=2025-11&amp;last=2026-04" in html


def test_names_are_escaped_in_the_svg(client, alice, team):
    customer = make_customer(name="<script>alert(1)</script>")
    make_ticket(customer=customer, requester=make_contact(customer))
    client.force_login(alice)
    html = client.get(reverse("desk:reports"), {"group": "customer"}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_htmx_gets_the_fragment(client, alice, tickets):
    client.force_login(alice)
    response = client.get(
        reverse("desk:reports"), {"group": "month", "first": "2026-03", "last": "2026-04"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert "<html" not in html
    assert "2026-03" in html and "2026-04" in html and "2025-11" not in html


def test_bad_months_fall_back_to_the_last_six(client, alice, tickets):
    client.force_login(alice)
    response = client.get(reverse("desk:reports"), {"first": "2026-04", "last": "2026-01"})
    assert response.status_code == 200
    assert response.context["report"].first_month == datetime.date(2025, 11, 1)
    assert "The first month comes after the last." in response.content.decode()
    response = client.get(reverse("desk:reports"), {"first": "2020-01", "last": "2026-04"})
    assert response.context["report"].first_month == datetime.date(2025, 11, 1)
    response = client.get(reverse("desk:reports"), {"group": "nonsense"})
    assert response.context["report"].group == "month"


def test_csv_export(client, alice, tickets, customer_a):
    client.force_login(alice)
    response = client.get(
        reverse("desk:report_csv"), {"group": "customer", "first": "2026-03", "last": "2026-03"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "desk-customer-2026-03-2026-03.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Customer", "Tickets"]
    assert rows[1] == [
        customer_a.name, "2", "0.50", "0.50", "3.50", "6.00", "100.0", "2", "50.0", "1", "100.0"
    ]  # fmt: skip
    assert rows[2][:2] == ["All tickets", "2"]
    assert len(rows) == 3


def test_csv_keeps_formulas_out(client, alice, team):
    customer = make_customer(name="=HYPERLINK(1)")
    make_ticket(customer=customer, requester=make_contact(customer))
    client.force_login(alice)
    body = client.get(reverse("desk:report_csv"), {"group": "customer"}).content.decode()
    assert "'=HYPERLINK(1)" in body


@pytest.mark.parametrize("name", ["desk:reports", "desk:report_csv"])
def test_outsider_gets_403(client, charlie, tickets, name):
    client.force_login(charlie)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert b"Technical" not in response.content


@pytest.mark.parametrize("name", ["desk:reports", "desk:report_csv"])
def test_signed_out_goes_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign" in response["Location"]


@pytest.mark.parametrize("name", ["desk:reports", "desk:report_csv"])
def test_post_is_405(client, alice, name):
    client.force_login(alice)
    assert client.post(reverse(name)).status_code == 405


def test_member_sees_reports_too(client, bob, tickets):
    client.force_login(bob)
    assert client.get(reverse("desk:reports")).status_code == 200


def test_query_count_does_not_grow_with_tickets(client, alice, team, django_assert_max_num_queries):
    customers = [make_customer() for _ in range(3)]
    for customer in customers:
        contact = make_contact(customer)
        for _ in range(3):
            ticket = make_ticket(customer=customer, requester=contact)
            services.do_reply(alice, ticket, "Done.", status=Status.SOLVED)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("desk:reports"), {"group": "customer"})
    assert len(response.context["report"].rows) == 3


def test_first_visit_shows_the_months_it_reports_on(client, alice, team):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=SEOUL), tick=False):
        client.force_login(alice)
        response = client.get(reverse("desk:reports"))
    assert response.status_code == 200, response
    page = response.content.decode()
    assert 'value="2026-06"' in page
    assert 'value="2026-11"' in page
    assert reverse("desk:reports") in page  # The desk navigation links to the reports.
