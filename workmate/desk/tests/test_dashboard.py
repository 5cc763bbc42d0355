"""The desk dashboard (`/desk/`): figures that match their queues, a fixed query count, and
agents and leads only (issue 18 point 4)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from workmate.desk import dashboard, services
from workmate.desk.models import Status, Ticket
from workmate.desk.tests.helpers import kst, login
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db

NOW = kst(2026, 11, 24, 16, 0)  # a Tuesday afternoon


@pytest.fixture
def desk(policy, alice, bob, customer_a, contact_a):
    """Breached, at risk, waiting, triage, solved today and closed long ago."""
    with time_machine.travel(kst(2026, 11, 20, 10, 0), tick=False):
        late = make_ticket(customer=customer_a, requester=contact_a, subject="Late one")
        services.do_assign(alice, late, bob)
        old = make_ticket(customer=customer_a, requester=contact_a, subject="Old one")
    with time_machine.travel(kst(2026, 11, 20, 11, 0), tick=False):
        services.do_reply(alice, old, "Done.", status=Status.SOLVED)
    Ticket.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    with time_machine.travel(kst(2026, 11, 24, 9, 0), tick=False):
        risky = make_ticket(customer=customer_a, requester=contact_a, subject="Risky one")
        waiting = make_ticket(customer=customer_a, requester=contact_a, priority=1)
        quick = make_ticket(customer=customer_a, requester=contact_a, subject="Quick one")
        triage = services.do_create_ticket(
            subject="Who am I", customer=None, requester=None, from_email="x@unknown.example"
        )
    with time_machine.travel(kst(2026, 11, 24, 9, 20), tick=False):
        services.do_reply(alice, risky, "On it.")
        services.do_assign(alice, risky, alice)
        services.do_reply(bob, waiting, "Logs please?", status=Status.PENDING)
    with time_machine.travel(kst(2026, 11, 24, 11, 0), tick=False):
        services.do_reply(alice, quick, "Fixed.", status=Status.SOLVED)
    return {"late": late, "risky": risky, "waiting": waiting, "quick": quick, "triage": triage}


def test_figures_count_active_tickets_now(desk, alice, bob):
    board = dashboard.build_dashboard(NOW)

    assert board.active == 4  # late, risky, waiting, triage; the solved and closed not
    status = {figure.label: figure.count for figure in board.by_status}
    assert status == {"New": 2, "Open": 1, "Pending customer": 1, "On hold": 0}
    assert {f.label: f.count for f in board.by_priority}["P1 · critical"] == 1
    assert board.breached.count == 1 and board.at_risk.count == 1
    assert board.unassigned.count == 2  # waiting (answered by bob, nobody took it), triage
    assert [(a.name, a.active, a.breached) for a in board.load] == [
        (alice.full_name, 1, 0),
        (bob.full_name, 1, 1),
    ]
    assert [t.pk for t in board.oldest] == [desk["late"].pk, desk["risky"].pk, desk["triage"].pk]
    # Today's first responses with a target: risky within the hour, quick an hour late (the
    # P1 one has no policy); quick solved within its eight hours.
    assert (board.first_response_today.counted, board.first_response_today.met) == (2, 1)
    assert (board.solved_today.counted, board.solved_today.met) == (1, 1)
    today = board.trend.days[-1]
    assert (today.opened, today.solved) == (4, 1)
    assert board.trend.days[-5].opened == 2  # late and old, on the 20th
    assert board.trend.opened_total == 6 and board.trend.solved_total == 2


def test_each_figure_links_to_its_queue_with_as_many_tickets(client, desk, bob):
    login(client, bob)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("desk:home")).content.decode()
        board = dashboard.build_dashboard(NOW)
        figures = [*board.by_status, *board.by_priority, *board.by_team]
        figures += [board.breached, board.at_risk, board.unassigned]
        figures += [dashboard.Figure(a.name, a.active, a.url) for a in board.load]
        for figure in figures:
            assert f'href="{figure.url.replace("&", "&amp;")}"' in html, figure
            listing = client.get(figure.url).context["listing"]
            assert listing.page.count == figure.count, figure


def test_the_page_shows_the_figures_and_the_trend(client, desk, bob):
    login(client, bob)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("desk:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="tile-breached"[^>]*><span class="desk-tile-count">1<', html)
    assert "First responses in time today (1 of 2)" in html
    assert html.count("<rect") == 2 * dashboard.TREND_DAYS
    assert f'href="{desk["late"].get_absolute_url()}"' in html
    assert 'aria-current="page">Dashboard<' in html


def test_the_oldest_list_each_ticket_with_its_customer_or_triage(client, desk, bob, customer_a):
    login(client, bob)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("desk:home")).content.decode()
    oldest = html[html.index('<ol class="desk-oldest">') : html.index("</ol>")]
    late, risky, triage = desk["late"], desk["risky"], desk["triage"]
    assert oldest.count("<li>") == 3  # waiting is pending, quick solved: not waiting on us
    assert (
        f'<li><a href="/desk/tickets/{late.pk}/">#{late.pk} Late one</a>'
        f' <span class="muted">{customer_a.name} · opened 4\xa0days, 6\xa0hours ago</span></li>'
    ) in oldest
    assert f'#{risky.pk} Risky one</a> <span class="muted">{customer_a.name} · opened' in oldest
    assert f'#{triage.pk} Who am I</a> <span class="muted">Triage · opened 7\xa0hours ago' in oldest


def test_korean(client, desk, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    login(client, bob)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("desk:home"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "데스크 대시보드" in html
    assert "Open tickets" not in html


def test_query_count_does_not_grow_with_tickets(
    client, desk, alice, customer_a, contact_a, django_assert_num_queries
):
    login(client, alice)
    client.get(reverse("desk:home"))  # Warm the session.
    # 12, was 14: the active counts and the team and agent names are one read of the
    # trigger-kept counts (the teams' and the agents' names were two queries), the breached
    # and at risk one more; today's first responses and solved in time are one query.
    with time_machine.travel(NOW, tick=False):
        with django_assert_num_queries(12):
            client.get(reverse("desk:home"))
        for number in range(10):
            ticket = make_ticket(customer=customer_a, requester=contact_a, priority=2)
            services.do_assign(alice, ticket, alice if number % 2 else None)
        with django_assert_num_queries(12):
            client.get(reverse("desk:home"))


def test_outsider_gets_403(client, charlie):
    login(client, charlie)
    assert client.get(reverse("desk:home")).status_code == 403


def test_signed_out_and_contacts_go_to_sign_in(client, contact_a):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_post_is_405(client, bob):
    login(client, bob)
    assert client.post(reverse("desk:home")).status_code == 405


def test_the_chart_columns_in_korean(client, desk, bob):
    """The chart's days are written in Python (rendering them was the page's largest cost):
    a translated tooltip and two columns a day, a date under every seventh day from today."""
    bob.language = "ko"
    bob.save(update_fields=["language"])
    login(client, bob)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("desk:home")).content.decode()
    assert "<title>11-24: 접수 4건, 해결 1건</title>" in html
    assert html.count('fill="#1f5eff"></rect>') == dashboard.TREND_DAYS
    labels = re.findall(r'<text x="([\d.]+)" y="142"( text-anchor="end")?>(\d\d-\d\d)</text>', html)
    assert [label for _x, _anchor, label in labels] == ["10-27", "11-03", "11-10", "11-17", "11-24"]
    # Today's date ends inside the chart (it used to run past its right edge).
    x, anchor, _label = labels[-1]
    width = int(re.search(r'class="desk-trend"[^>]* viewBox="0 0 (\d+) ', html).group(1))
    assert anchor and float(x) <= width


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_load_rows_are_the_old_template_loops_bytes(desk, bob, language):
    """The per-agent rows written in Python are what the template loop wrote, names that
    need escaping included."""
    from django.template import Context, Template
    from django.utils import translation

    bob.full_name = 'Bob "<b>" & Co'
    bob.save(update_fields=["full_name"])
    with time_machine.travel(NOW, tick=False), translation.override(language):
        board = dashboard.build_dashboard()
        loop = Template(
            "{% for person in board.load %}<tr><td>{{ person.name }}</td><td>"
            '<a href="{{ person.url }}">{{ person.active }}</a></td>'
            "<td>{{ person.breached }}</td></tr>{% endfor %}"
        ).render(Context({"board": board}))
    assert board.load and "&lt;b&gt;" in board.load_rows_html
    assert board.load_rows_html == loop
