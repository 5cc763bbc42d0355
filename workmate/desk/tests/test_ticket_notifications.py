"""Ticket events reach the people on them through the inbox, in each reader's language."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from workmate.desk import agent, escalation, services
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import add_member, make_sla_policy, make_ticket, make_user

pytestmark = pytest.mark.django_db


def test_assigning_tells_the_new_assignee(alice, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_assign(alice, ticket, bob)
    note = Notification.objects.get(recipient=bob)
    assert note.kind == Kind.ASSIGNED
    assert note.sentence() == f"Alice Kim assigned you: #{ticket.pk} {ticket.subject}"
    assert note.url == ticket.get_absolute_url()
    assert note.group_key == f"ticket:{ticket.pk}"
    # Assigning to oneself or again to the same person tells nobody.
    services.do_assign(alice, ticket, bob)
    services.do_assign(bob, ticket, None)
    services.do_assign(bob, ticket, bob)
    assert Notification.objects.count() == 1


def test_escalation_sends_one_notice_saying_why(alice, team, customer_a, contact_a):
    se_owner = make_user(full_name="Sora Jang")
    add_member(team, se_owner)
    customer_a.se_owner = se_owner
    customer_a.save()
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    agent.do_escalate(alice, ticket, "se", "Renewal question")
    notes = Notification.objects.filter(recipient=se_owner)
    assert [n.kind for n in notes] == [Kind.TICKET]
    assert "escalated to you" in notes[0].sentence()


def test_customer_reply_tells_the_assignee_and_followers(alice, bob, team, customer_a, contact_a):
    korean = make_user(full_name="Minji Lee", language="ko")
    add_member(team, korean)  # An agent: only agents may see tickets, so only they are told.
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_assign(alice, ticket, bob)
    ticket.followers.add(korean)
    Notification.objects.all().delete()
    entry = services.do_customer_reply(contact_a, ticket, "Still broken after the restart.")
    to_bob = Notification.objects.get(recipient=bob)
    assert to_bob.kind == Kind.TICKET
    assert to_bob.sentence() == f"Jisoo Han wrote on #{ticket.pk} {ticket.subject}"
    assert to_bob.excerpt == "Still broken after the restart."
    assert to_bob.url.endswith(f"#entry-{entry.pk}")
    to_minji = Notification.objects.get(recipient=korean)
    with translation.override("ko"):
        sentence = to_minji.sentence()
    assert sentence == f"Jisoo Han 님이 #{ticket.pk} {ticket.subject}에 글을 남겼습니다"


def test_escalation_titles_are_in_each_leads_language(team, customer_a, contact_a):
    english_lead = make_user(full_name="Lead En", language="en")
    korean_lead = make_user(full_name="Lead Ko", language="ko")
    add_member(team, english_lead, "lead")
    add_member(team, korean_lead, "lead")
    make_sla_policy(priority=1, first_response_minutes=15, resolution_minutes=60)
    ticket = make_ticket(customer=customer_a, requester=contact_a, priority=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        escalation.run_escalations()
    english = Notification.objects.filter(recipient=english_lead).values_list("title", flat=True)
    korean = Notification.objects.filter(recipient=korean_lead).values_list("title", flat=True)
    assert any("breached its SLA" in title for title in english)
    assert korean and not any("breached its SLA" in title for title in korean)
    assert all(f"#{ticket.pk}" in title for title in korean)
