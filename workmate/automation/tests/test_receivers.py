"""Every change the lower apps make writes its event in the change's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from workmate.automation.models import Event
from workmate.desk import services as desk
from workmate.desk.models import Status
from workmate.testing.factories import make_project, make_ticket
from workmate.voice.services import do_post_proposal
from workmate.work import services as work
from workmate.work.models import Section, TaskStatus

pytestmark = pytest.mark.django_db


def _types() -> list[str]:
    return list(Event.objects.order_by("id").values_list("type", flat=True))


def test_task_changes_write_their_events(alice, bob, team):
    project = make_project(owner=alice, team=team)
    task = work.do_create_task(alice, project, title="Draft", assignee=bob)
    assert _types() == ["task.created", "task.assigned"]
    created = Event.objects.get(type="task.created")
    assert (created.object_id, created.project, created.actor) == (task.pk, project, alice)
    Event.objects.all().delete()

    work.do_update_task(alice, task, {"title": "Draft 2", "priority": 3})
    event = Event.objects.get()
    assert event.type == "task.updated"
    assert sorted(event.payload["fields"]) == ["priority", "title"]
    assert event.payload["changes"]["title"] == {"old": "Draft", "new": "Draft 2"}
    Event.objects.all().delete()

    section = Section.objects.create(project=project, name="Doing")
    work.do_move_task(alice, task, section=section)
    assert _types() == ["task.moved"]
    Event.objects.all().delete()

    work.do_add_comment(alice, task, "Looks good")
    work.do_update_task(bob, task, {"status": TaskStatus.DONE})
    assert _types() == ["task.comment_added", "task.updated", "task.completed"]


def test_request_sent_event(alice, bob, team):
    project = make_project(owner=alice, team=team)
    task = work.do_create_task(alice, project, title="Review")
    Event.objects.all().delete()
    work.do_update_task(alice, task, {"assignee": bob}, request_message="Please review")
    assert "request.sent" in _types()


def test_ticket_changes_write_their_events(alice, bob, team):
    ticket = make_ticket(actor=alice)
    event = Event.objects.get()
    assert (event.type, event.team, event.object_id) == ("ticket.created", team, ticket.pk)
    desk.do_assign(alice, ticket, bob)
    desk.do_set_priority(alice, ticket, 1)
    desk.do_reply(bob, ticket, "We are on it")  # Opens the new ticket too.
    desk.do_customer_reply(ticket.requester, ticket, "Thanks")
    desk.do_change_status(bob, ticket, Status.SOLVED)
    assert _types() == [
        "ticket.created",
        "ticket.assigned",
        "ticket.priority_changed",
        "ticket.status_changed",
        "ticket.replied",
        "ticket.customer_replied",
        "ticket.status_changed",
        "ticket.solved",
    ]
    customer = Event.objects.get(type="ticket.customer_replied")
    assert customer.actor is None


def test_anonymous_proposal_event_does_not_name_its_author(alice):
    do_post_proposal(alice, title="Quiet idea", problem="Noise", area="other", anonymous=True)
    event = Event.objects.get(type="proposal.posted")
    assert event.actor is None
    assert "alice" not in str(event.payload).lower()


def test_a_rolled_back_change_writes_no_event(alice, team):
    project = make_project(owner=alice, team=team)
    task = work.do_create_task(alice, project, title="Stays")
    Event.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        work.do_update_task(alice, task, {"title": "Never"})
        assert _types() == ["task.updated"]  # Written inside the transaction...
        raise RuntimeError("the request fails after the change")
    assert _types() == []  # ...and gone with it.
    task.refresh_from_db()
    assert task.title == "Stays"
