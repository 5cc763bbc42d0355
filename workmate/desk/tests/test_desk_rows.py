"""The queue rows written in Python (`desk_rows.ticket_rows`) give the old template's bytes.

The template below is `_ticket_rows.html`'s row loop as it was before the rows moved to
Python (with `_sla.html` included); every combination of its branches is rendered both
ways, in English and Korean, and compared byte for byte.
"""

from __future__ import annotations

import pytest
import time_machine
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from workmate.desk import agent, services
from workmate.desk.models import Status, Ticket
from workmate.desk.templatetags.desk_rows import ticket_rows
from workmate.desk.tests.helpers import SEOUL, kst, login
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db

OLD_ROWS = """{% load i18n workmate %}{% for ticket in tickets %}
  <tr id="ticket-row-{{ ticket.pk }}" class="list-row ticket-row sla-row-{{ ticket.clock.state }}{% if ticket.escalated_to_id %} ticket-row-escalated{% endif %}" data-ticket="{{ ticket.pk }}">
    {% if pick %}<td class="pick"><input type="checkbox" name="tickets" value="{{ ticket.pk }}" form="bulk-form" aria-label="{% blocktranslate with number=ticket.pk %}Select #{{ number }}{% endblocktranslate %}"></td>{% endif %}
    <td class="row-title"><a href="{% pk_url 'desk:ticket' ticket.pk %}">#{{ ticket.pk }} {{ ticket.subject }}</a>{% for tag in ticket.tags %} <span class="tag">{{ tag }}</span>{% endfor %}{% if not with_customer and ticket.requester %}<br><span class="muted">{{ ticket.requester.display_name }}</span>{% endif %}</td>
    {% if with_customer %}<td>{% if ticket.customer %}{{ ticket.customer.name }}{% else %}<span class="muted">{{ ticket.from_email|default:_("unknown") }}</span>{% endif %}{% if ticket.requester %}<br><span class="muted">{{ ticket.requester.display_name }}</span>{% endif %}</td>{% endif %}
    <td><span class="priority priority-{{ ticket.priority }}">P{{ ticket.priority }}</span></td>
    <td><span class="ticket-status ticket-status-{{ ticket.status }}">{{ ticket.get_status_display }}</span></td>
    <td>{% if ticket.assignee %}{{ ticket.assignee.full_name }}{% else %}<span class="muted">{% translate "Unassigned" %}</span>{% endif %}{% if ticket.escalated_to %}<br><span class="escalated-badge" title="{% translate 'Escalated' %}">{% blocktranslate with level=ticket.escalation_level name=ticket.escalated_to.full_name %}Escalated ({{ level }}) · {{ name }}{% endblocktranslate %}</span>{% endif %}</td>
    <td>{{ ticket.clock.due|when|default:"—" }}</td>
    <td>{% include "desk/partials/_sla.html" %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501


@pytest.fixture
def tickets(policy, alice, bob, customer_a, contact_a):
    """Tickets through every branch of a row: breached, at risk, paused, solved, met,
    escalated, without a customer (with and without a sender), tags and markup in text."""
    with time_machine.travel(kst(2025, 12, 29, 9, 0), tick=False):  # last year
        late = make_ticket(customer=customer_a, requester=contact_a, subject="Late <b>&</b>")
    with time_machine.travel(kst(2026, 11, 24, 9, 0), tick=False):
        risky = make_ticket(customer=customer_a, requester=contact_a, subject='Risky "one"')
        waiting = make_ticket(customer=customer_a, requester=contact_a, subject="Waiting")
        solved = make_ticket(customer=customer_a, requester=contact_a, subject="Solved")
        services.do_reply(alice, risky, "On it.")
        services.do_reply(alice, waiting, "Logs please?", status=Status.PENDING)
        services.do_assign(alice, waiting, bob)
        services.do_reply(alice, solved, "Fixed.", status=Status.SOLVED)
        stray = services.do_create_ticket(
            subject="Who am I",
            customer=None,
            requester=None,
            from_email="o'neil&co@unknown.example",
        )
        nobody = services.do_create_ticket(subject="No sender", customer=None, requester=None)
    Ticket.objects.filter(pk=risky.pk).update(
        escalated_to=bob, escalation_level=2, tags=["vpn", "<urgent>"]
    )
    bob.full_name = "Bob <Agent> & Co"
    bob.save(update_fields=["full_name"])
    pks = [late.pk, risky.pk, waiting.pk, solved.pk, stray.pk, nobody.pk]
    rows = list(
        Ticket.objects.filter(pk__in=pks)
        .select_related("customer", "requester", "assignee", "escalated_to", "sla_policy")
        .order_by("pk")
    )
    with time_machine.travel(kst(2026, 11, 24, 16, 0), tick=False):
        agent.attach_clocks(rows)
    return rows


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(("pick", "with_customer"), [(True, True), (False, False), (True, False)])
def test_rows_are_the_old_templates_bytes(tickets, language, pick, with_customer):
    states = {ticket.clock.state for ticket in tickets}
    assert {"breached", "at_risk", "paused", "met"} <= states
    old = engines["django"].from_string(OLD_ROWS)
    context = {"tickets": tickets, "pick": pick, "with_customer": with_customer}
    with translation.override(language), timezone.override(SEOUL):
        expected = old.render(context)
        written = str(ticket_rows(tickets, pick, with_customer))
    assert written == expected
    assert "Late &lt;b&gt;&amp;&lt;/b&gt;" in written
    assert "Bob &lt;Agent&gt; &amp; Co" in written
    assert ("미배정" if language == "ko" else "Unassigned") in written


def test_the_queue_page_shows_the_rows_in_korean(client, tickets, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    login(client, bob)
    with time_machine.travel(kst(2026, 11, 24, 16, 0), tick=False):
        page = client.get(reverse("desk:all")).content.decode()
    assert page.count('class="list-row ticket-row') == 5  # the solved one is not active
    assert "미배정" in page


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_filter_and_bulk_selects_are_djangos_bytes(
    language, team, alice, bob, customer_a, customer_b
):
    """The queue's selects are written by `PlainSelect`: each gives what Django's `Select`
    gives for the same choices and value (chosen and not, a model choice and a person)."""
    from django import forms

    from workmate.desk.forms import BulkAssignForm, PeopleOptions, QueueFilterForm, set_people
    from workmate.lib.forms import PlainSelect

    people = PeopleOptions(list(agent.agents().values_list("pk", "full_name")))
    data = {"status": "pending", "priority": "2", "customer": str(customer_b.pk)}
    data |= {"team": str(team.pk), "category": "", "assignee": str(bob.pk)}
    filters = QueueFilterForm(data, people=people)
    filters.is_valid()
    bulk = BulkAssignForm(people_qs=agent.agents())
    set_people(bulk.fields["assignee"], [("", "—")], people)
    fields = [filters[name] for name in data] + [bulk["assignee"]]
    with translation.override(language):
        for field in fields:
            assert isinstance(field.field.widget, PlainSelect)
            plain = forms.Select(attrs=field.field.widget.attrs, choices=field.field.choices)
            written = field.as_widget()
            assert written == field.as_widget(widget=plain), field.name
            assert written.count(" selected>") == 1


@pytest.mark.parametrize("language", ["en", "ko"])
def test_rows_read_as_tuples_give_the_same_clocks_and_bytes(tickets, language):
    """A queue reads its rows as tuples (`queue_rows`): the SLA clock computed from a
    tuple is the ticket's, and the row's bytes are the old template's for the ticket."""
    from workmate.desk import queue_rows

    read = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).order_by("pk")
    rows = queue_rows.rows_of(queue_rows.values(read))
    assert all(isinstance(row, queue_rows.QueueRow) for row in rows)
    with time_machine.travel(kst(2026, 11, 24, 16, 0), tick=False):
        agent.attach_clocks(rows)
    assert [row.clock for row in rows] == [ticket.clock for ticket in tickets]
    old = engines["django"].from_string(OLD_ROWS)
    context = {"tickets": tickets, "pick": True, "with_customer": True}
    with translation.override(language), timezone.override(SEOUL):
        assert str(ticket_rows(rows, True, True)) == old.render(context)
        assert str(ticket_rows(rows, False, False)) == old.render(
            context | {"pick": False, "with_customer": False}
        )


@pytest.mark.parametrize("chosen", ["", "me", "none", "bob", "999999", '"><b>'])
def test_the_agents_select_written_once_a_page_is_djangos(team, alice, bob, chosen):
    """The agents' options are written once a page for both selects (`PeopleSelect`); the
    chosen one (a fixed option, a person, or nothing that matches) is marked as Django's."""
    from django import forms

    from workmate.desk.forms import PeopleOptions, QueueFilterForm

    bob.full_name = 'Bob <b>"&'
    bob.save(update_fields=["full_name"])
    value = str(bob.pk) if chosen == "bob" else chosen
    people = PeopleOptions(list(agent.agents().values_list("pk", "full_name")))
    assert len(people.people) >= 2
    field = QueueFilterForm({"assignee": value}, people=people)["assignee"]
    plain = forms.Select(choices=list(field.field.choices))
    written = field.as_widget()
    assert written == field.as_widget(widget=plain)
    assert "Bob &lt;b&gt;&quot;&amp;" in written
    assert written.count(" selected>") == (0 if value in ("999999", '"><b>') else 1)


def test_the_agents_options_follow_a_renamed_or_new_agent(team, alice, bob):
    """The options are kept only for the very list read for the page: a renamed or added
    agent gives a new list, so new options (nothing stale from the page before)."""
    from workmate.desk.forms import PeopleOptions
    from workmate.testing.factories import add_member, make_user

    def options() -> str:
        return PeopleOptions(list(agent.agents().values_list("pk", "full_name"))).html

    before = options()
    assert options() is before  # the same list read again: written once
    bob.full_name = "Robert <Lee>"
    bob.save(update_fields=["full_name"])
    renamed = options()
    assert "Robert &lt;Lee&gt;" in renamed and "Bob Lee" not in renamed
    add_member(team, make_user(email="dana@example.com", full_name="Dana"))
    assert ">Dana</option>" in options()


def test_the_ticket_pages_assignee_select_is_djangos(tickets, bob):
    """The ticket page's assignee select lists the agents from tuples (`PeopleSelect`):
    Django's `Select` bytes for the ticket's assignee, and for none."""
    from django import forms

    from workmate.desk.forms import PeopleSelect, TicketUpdateForm

    for ticket in (tickets[2], tickets[4]):  # assigned to bob; nobody
        field = TicketUpdateForm(ticket=ticket)["assignee"]
        assert isinstance(field.field.widget, PeopleSelect)
        # The options the model field lists: each agent's `label_from_instance`.
        people = [(user.pk, field.field.label_from_instance(user)) for user in agent.agents()]
        assert list(field.field.choices) == [("", field.field.empty_label), *people]
        plain = forms.Select(choices=list(field.field.choices))
        written = field.as_widget()
        assert written == field.as_widget(widget=plain)
        assert written.count(" selected>") == 1
    assert (
        f'<option value="{bob.pk}" selected>'
        in TicketUpdateForm(ticket=tickets[2])["assignee"].as_widget()
    )
