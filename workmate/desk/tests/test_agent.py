"""The agent services: bulk assign, escalate, merge, link, tags, followers, macros, triage."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.desk import agent, services
from workmate.desk.models import EntryKind, Macro, Status, Ticket
from workmate.inbox.models import Notification
from workmate.testing.factories import add_member, make_team, make_ticket, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer_a, contact_a, team):
    return make_ticket(customer=customer_a, requester=contact_a, subject="Disk full")


def test_bulk_assign_counts_only_changes(alice, bob, ticket, customer_a, contact_a):
    other = make_ticket(customer=customer_a, requester=contact_a)
    services.do_assign(alice, other, bob)
    assert agent.do_bulk_assign(alice, [ticket.pk, other.pk], bob) == 1
    assert Ticket.objects.filter(assignee=bob).count() == 2
    assert agent.do_bulk_assign(alice, [ticket.pk, other.pk], None) == 2
    assert not Ticket.objects.filter(assignee__isnull=False).exists()


def test_bulk_assign_by_outsider_is_refused(charlie, bob, ticket):
    with pytest.raises(PermissionDenied):
        agent.do_bulk_assign(charlie, [ticket.pk], bob)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_bulk_assign_is_all_or_nothing(alice, charlie, ticket):
    with pytest.raises(ValidationError):
        agent.do_bulk_assign(alice, [ticket.pk], charlie)
    assert not ticket.entries.filter(kind=EntryKind.EVENT).exists()


def test_escalate_without_customer_is_refused(alice, team):
    triaged = services.do_create_ticket(subject="?", customer=None, requester=None)
    with pytest.raises(ValidationError):
        agent.do_escalate(alice, triaged, "le")


def test_escalate_to_unknown_target_is_refused(alice, ticket):
    with pytest.raises(ValidationError):
        agent.do_escalate(alice, ticket, "ceo")


def test_escalate_notifies_only_the_new_assignee(alice, ticket):
    le = make_team(code="LE", name="LE")
    architect = make_user(full_name="Dana")
    add_member(le, architect)
    ticket.customer.le_architect = architect
    ticket.customer.save()
    assert agent.do_escalate(alice, ticket, "le", "over to you") == architect
    assert list(Notification.objects.values_list("recipient", flat=True)) == [architect.pk]


def test_merge_refuses_a_cycle_and_a_chain(alice, ticket, customer_a, contact_a):
    kept = make_ticket(customer=customer_a, requester=contact_a)
    third = make_ticket(customer=customer_a, requester=contact_a)
    agent.do_merge(alice, ticket, kept)
    # The kept ticket cannot now go into the merged one (a cycle) ...
    with pytest.raises(ValidationError):
        agent.do_merge(alice, kept, ticket)
    # ... nor can anything be merged into a merged ticket (a chain).
    with pytest.raises(ValidationError):
        agent.do_merge(alice, third, ticket)
    # ... nor a merged ticket be merged again.
    with pytest.raises(ValidationError):
        agent.do_merge(alice, ticket, third)
    kept.refresh_from_db()
    assert kept.merged_into is None and kept.status == Status.NEW


def test_merge_moves_followers_and_hides_the_ticket_from_queues(alice, bob, ticket, customer_a):
    kept = make_ticket(customer=customer_a, requester=ticket.requester)
    agent.do_follow(alice, ticket, bob)
    agent.do_merge(alice, ticket, kept)
    assert list(kept.followers.all()) == [bob]
    assert list(Ticket.objects.active()) == [kept]
    assert set(agent.timeline(kept).values_list("ticket", flat=True)) == {ticket.pk, kept.pk}


def test_merging_a_triage_ticket_keeps_it_new(alice, ticket, team):
    triaged = services.do_create_ticket(subject="dup", customer=None, requester=None)
    agent.do_merge(alice, triaged, ticket)
    triaged.refresh_from_db()
    assert triaged.merged_into == ticket and triaged.status == Status.NEW


def test_link_is_symmetric_and_refuses_itself(alice, ticket, customer_a, contact_a):
    other = make_ticket(customer=customer_a, requester=contact_a)
    with pytest.raises(ValidationError):
        agent.do_link(alice, ticket, ticket)
    agent.do_link(alice, ticket, other)
    agent.do_link(alice, other, ticket)  # Already linked: nothing new.
    assert ticket.entries.filter(field="linked").count() == 1


def test_tags_are_normalised_and_recorded(alice, ticket):
    assert agent.parse_tags("VPN, network  vpn,, Urgent!") == ["network", "urgent", "vpn"]
    agent.do_set_tags(alice, ticket, ["vpn", "network"])
    ticket.refresh_from_db()
    assert ticket.tags == ["network", "vpn"]
    event = ticket.entries.get(field="tags")
    assert (event.old_value, event.new_value, event.author) == ("", "network, vpn", alice)
    agent.do_set_tags(alice, ticket, ["network", "vpn"])
    assert ticket.entries.filter(field="tags").count() == 1


def test_only_agents_follow(alice, charlie, ticket):
    with pytest.raises(ValidationError):
        agent.do_follow(alice, ticket, charlie)


def test_fill_placeholders_leaves_unknown_and_template_syntax_alone():
    values = {"contact_name": "Jisoo", "ticket_number": "7"}
    text = "Hi {{contact_name}} #{{ ticket_number }} {{ other }} {% load x %} {{ x|safe }}"
    assert agent.fill_placeholders(text, values) == (
        "Hi Jisoo #7 {{ other }} {% load x %} {{ x|safe }}"
    )


def test_macro_edit_rights(alice, bob, team):
    own = Macro.objects.create(name="mine", body="x", team=team, created_by=bob)
    team_macro = Macro.objects.create(name="team", body="x", team=team, created_by=alice)
    shared = Macro.objects.create(name="all", body="x", created_by=alice)
    assert agent.can_edit_macro(bob, own)
    assert not agent.can_edit_macro(bob, team_macro)
    assert agent.can_edit_macro(alice, own)  # Alice leads the team.
    assert not agent.can_edit_macro(bob, shared)


def test_save_macro_refuses_a_team_not_ones_own(bob):
    other = make_team(code="SD", name="Dev")
    with pytest.raises(ValidationError):
        agent.do_save_macro(bob, None, name="n", body="b", team=other)
    assert not Macro.objects.exists()


def test_triage_twice_is_refused(alice, ticket, customer_a):
    with pytest.raises(ValidationError):
        agent.do_triage(alice, ticket, customer_a, "a@hanbit.example")


def test_demo_desk_is_seeded_once(db):
    from io import StringIO

    from django.core.management import call_command

    from workmate.desk.models import SLAPolicy, TicketEntry

    call_command("seed_demo", stdout=StringIO())
    counts = (Ticket.objects.count(), TicketEntry.objects.count(), Macro.objects.count())
    assert counts[0] == 12
    assert SLAPolicy.objects.count() == 12
    assert SLAPolicy.objects.get(tier="enterprise", priority=1).around_the_clock
    assert Ticket.objects.filter(customer__isnull=True).count() == 1
    assert TicketEntry.objects.filter(billable=True).exists()
    for ticket in Ticket.objects.exclude(customer=None).select_related("requester", "customer"):
        domain = ticket.requester.email.split("@")[1]
        assert domain in ticket.customer.email_domains
    call_command("seed_demo", stdout=StringIO())
    assert (Ticket.objects.count(), TicketEntry.objects.count(), Macro.objects.count()) == counts
