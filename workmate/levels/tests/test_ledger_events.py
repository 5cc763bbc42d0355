"""The ledger is written by the changes themselves: one entry per event, in the change's
transaction (present before any on-commit callback runs), none when it rolls back."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import transaction

from workmate.checkins import services as checkins
from workmate.checkins.tests.conftest import make_checkin, make_response
from workmate.desk import agent, csat
from workmate.desk import services as desk
from workmate.desk.models import Status
from workmate.levels.models import EntryKind, LedgerEntry
from workmate.testing.factories import (
    add_member,
    make_contact,
    make_customer,
    make_project,
    make_sla_policy,
    make_task,
    make_team,
    make_ticket,
    make_user,
)
from workmate.voice import leads
from workmate.voice import services as voice
from workmate.work import services as work
from workmate.work import templating
from workmate.work.models import ProjectTemplate, TaskStatus

pytestmark = pytest.mark.django_db

SEOUL = datetime.timezone(datetime.timedelta(hours=9))


class Boom(Exception):
    pass


def entries(person=None, kind=None):
    rows = LedgerEntry.objects.all()
    if person is not None:
        rows = rows.filter(person=person)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)


# --- Tasks -----------------------------------------------------------------------------


@pytest.fixture
def project(team, alice):
    return make_project(team=team, owner=alice, name="Migration")


def test_completing_an_owned_task_in_time_writes_an_entry(project, alice, bob):
    task = make_task(project=project, assignee=bob, due_on=datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, tzinfo=SEOUL), tick=False):
        work.do_complete_task(alice, task)

    [entry] = entries(bob)
    assert entry.kind == EntryKind.TASK_COMPLETED
    assert entry.competency == "delivery"
    assert entry.data["on_time"] is True
    assert entry.data["url"] == task.get_absolute_url()
    assert (entry.content_type.model, entry.object_id) == ("task", task.pk)
    assert entry.title == task.title
    assert not entries(alice)  # the actor did not own it


def test_a_late_task_says_so(project, bob):
    task = make_task(project=project, assignee=bob, due_on=datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime(2026, 3, 11, 10, tzinfo=SEOUL), tick=False):
        work.do_complete_task(bob, task)
    [entry] = entries(bob)
    assert entry.data["on_time"] is False


def test_a_task_without_due_date_has_no_on_time(project, bob):
    task = make_task(project=project, assignee=bob)
    work.do_complete_task(bob, task)
    assert entries(bob)[0].data["on_time"] is None


def test_reopened_and_completed_again_counts_once(project, bob):
    task = make_task(project=project, assignee=bob)
    work.do_complete_task(bob, task)
    work.do_update_task(bob, task, {"status": TaskStatus.OPEN})
    work.do_complete_task(bob, task)
    assert len(entries(bob, EntryKind.TASK_COMPLETED)) == 1


def test_an_unassigned_task_credits_whoever_completed_it(project, bob):
    task = make_task(project=project)
    work.do_complete_task(bob, task)
    assert [e.kind for e in entries(bob)] == [EntryKind.TASK_COMPLETED]


def test_no_entry_when_the_completion_rolls_back(project, bob):
    task = make_task(project=project, assignee=bob)
    with pytest.raises(Boom), transaction.atomic():
        work.do_complete_task(bob, task)
        assert len(entries(bob)) == 1  # written in the transaction, not after it
        raise Boom
    task.refresh_from_db()
    assert task.status != TaskStatus.DONE
    assert not LedgerEntry.objects.exists()


# --- Requests --------------------------------------------------------------------------


def test_a_request_answered_by_its_reply_by_writes_an_entry(project, alice, bob):
    task = make_task(project=project, assignee=alice)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, tzinfo=SEOUL), tick=False):
        request = work.do_send_request(alice, task, bob, message="Check the plan", reassign=False)
        work.do_answer_request(bob, request, "Looks right")
    [entry] = entries(bob)
    assert entry.kind == EntryKind.REQUEST_ANSWERED
    assert entry.competency == "collaboration"
    assert entry.data["requester"] == alice.full_name


def test_a_late_answer_writes_none(project, alice, bob):
    task = make_task(project=project, assignee=alice)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, tzinfo=SEOUL), tick=False):
        request = work.do_send_request(alice, task, bob, message="Check the plan", reassign=False)
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=SEOUL), tick=False):
        work.do_answer_request(bob, request, "Sorry, late")
    assert not entries(bob, EntryKind.REQUEST_ANSWERED)


def test_completing_the_task_answers_the_request_in_time(project, alice, bob):
    task = make_task(project=project, assignee=alice)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, tzinfo=SEOUL), tick=False):
        work.do_send_request(alice, task, bob, message="Please take this on")
        task.refresh_from_db()
        work.do_complete_task(bob, task)
    kinds = sorted(e.kind for e in entries(bob))
    assert kinds == [EntryKind.REQUEST_ANSWERED, EntryKind.TASK_COMPLETED]


def test_no_request_entry_when_the_answer_rolls_back(project, alice, bob):
    task = make_task(project=project, assignee=alice)
    request = work.do_send_request(alice, task, bob, message="Check", reassign=False)
    with pytest.raises(Boom), transaction.atomic():
        work.do_answer_request(bob, request, "Yes")
        raise Boom
    assert not LedgerEntry.objects.exists()


# --- Tickets ---------------------------------------------------------------------------


@pytest.fixture
def desk_setup(alice, bob):
    make_sla_policy()
    customer = make_customer(name="Hanbit Bank", le_architect=alice)
    contact = make_contact(customer)
    return customer, contact


def _ticket(desk_setup, bob):
    customer, contact = desk_setup
    ticket = make_ticket(customer=customer, requester=contact, priority=3)
    desk.do_assign(bob, ticket, bob)
    ticket.refresh_from_db()
    return ticket


def test_solving_a_ticket_in_its_sla_writes_solved_and_sla_met(desk_setup, bob):
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, tzinfo=SEOUL), tick=False):
        ticket = _ticket(desk_setup, bob)
        desk.do_change_status(bob, ticket, Status.SOLVED)
    kinds = sorted(e.kind for e in entries(bob))
    assert kinds == [EntryKind.SLA_MET, EntryKind.TICKET_SOLVED]
    solved = entries(bob, EntryKind.TICKET_SOLVED)[0]
    assert solved.competency == "customer_impact"
    assert solved.title == f"#{ticket.pk} {ticket.subject}"


def test_solving_after_the_target_writes_sla_missed(desk_setup, bob):
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, tzinfo=SEOUL), tick=False):
        ticket = _ticket(desk_setup, bob)
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=SEOUL), tick=False):
        desk.do_change_status(bob, ticket, Status.SOLVED)
        # Reopened and solved again: still one SLA outcome, the first.
        desk.do_change_status(bob, ticket, Status.OPEN)
        desk.do_change_status(bob, ticket, Status.SOLVED)
    assert [e.kind for e in entries(bob, EntryKind.SLA_MISSED)] == [EntryKind.SLA_MISSED]
    assert not entries(bob, EntryKind.SLA_MET)
    assert len(entries(bob, EntryKind.TICKET_SOLVED)) == 1


def test_an_escalation_solved_credits_who_it_went_to(desk_setup, alice, bob):
    ticket = _ticket(desk_setup, bob)
    agent.do_escalate(bob, ticket, "le", "Needs an architect")
    desk.do_change_status(bob, ticket, Status.SOLVED)
    [entry] = entries(alice, EntryKind.ESCALATION_HANDLED)
    assert entry.competency == "technical_depth"
    assert entry.data["level"] == "LE"


def test_the_customer_rating_is_an_entry_and_a_change_is_a_correction(desk_setup, bob):
    ticket = _ticket(desk_setup, bob)
    desk.do_change_status(bob, ticket, Status.SOLVED)
    csat.do_rate(ticket, "good")
    [rated] = entries(bob, EntryKind.TICKET_RATED)
    assert rated.data["rating"] == "good"

    csat.do_rate(ticket, "bad")
    rated.refresh_from_db()
    assert rated.data["rating"] == "good"  # never edited
    [correction] = entries(bob, EntryKind.CORRECTION)
    assert correction.corrects == rated
    assert (correction.data["rating"], correction.data["previous"]) == ("bad", "good")


def test_no_ticket_entries_when_solving_rolls_back(desk_setup, bob):
    ticket = _ticket(desk_setup, bob)
    with pytest.raises(Boom), transaction.atomic():
        desk.do_change_status(bob, ticket, Status.SOLVED)
        raise Boom
    assert not LedgerEntry.objects.exists()


# --- Voice -----------------------------------------------------------------------------


def _proposal(author, anonymous=False):
    return voice.do_post_proposal(
        author,
        title="Shared runbooks",
        problem="Everyone keeps their own",
        area="process",
        anonymous=anonymous,
    )


def test_adopting_a_proposal_credits_its_author_and_the_answering_lead(alice, bob):
    proposal = _proposal(bob)
    leads.do_change_status(alice, proposal, "under_review", "Looking at it")
    assert not entries(bob)
    leads.do_change_status(alice, proposal, "planned", "We will do it")

    [adopted] = entries(bob)
    assert adopted.kind == EntryKind.PROPOSAL_ADOPTED
    assert adopted.competency == "ownership"
    # Two answers by the same lead on one proposal: one entry.
    [answered] = entries(alice)
    assert answered.kind == EntryKind.PROPOSAL_ANSWERED


def test_an_anonymous_proposal_credits_nobody_as_author(alice, bob):
    proposal = _proposal(bob, anonymous=True)
    leads.do_change_status(alice, proposal, "planned", "We will do it")
    assert not entries(bob)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PROPOSAL_ADOPTED).exists()


def test_no_voice_entries_when_the_answer_rolls_back(alice, bob):
    proposal = _proposal(bob)
    with pytest.raises(Boom), transaction.atomic():
        leads.do_change_status(alice, proposal, "planned", "Yes")
        raise Boom
    assert not LedgerEntry.objects.exists()


# --- Check-ins -------------------------------------------------------------------------


def test_sending_a_check_in_writes_an_entry(team, alice, bob):
    checkin = make_checkin(team, alice)
    response = make_response(checkin, bob, datetime.date(2026, 3, 6))
    checkins.do_submit_response(bob, response, ["Shipped", "More", ""])
    [entry] = entries(bob)
    assert entry.kind == EntryKind.CHECKIN_SENT
    assert entry.data["url"].endswith(f"/{response.pk}/")


def test_no_check_in_entry_when_sending_rolls_back(team, alice, bob):
    checkin = make_checkin(team, alice)
    response = make_response(checkin, bob, datetime.date(2026, 3, 6))
    with pytest.raises(Boom), transaction.atomic():
        checkins.do_submit_response(bob, response, ["Shipped", "More", ""])
        raise Boom
    assert not LedgerEntry.objects.exists()


# --- Templates -------------------------------------------------------------------------


def test_a_template_used_by_another_team_credits_its_author_once_per_team(team, alice, bob):
    project = make_project(team=team, owner=bob)
    work.do_create_task(bob, project, title="Kick-off")
    template = templating.do_save_as_template(bob, project, name="Onboarding")
    assert isinstance(template, ProjectTemplate)
    # Its own team using it is not evidence of reach.
    templating.do_use_template(
        bob, template, name="Again", start_on=datetime.date(2026, 3, 9), team=team
    )
    assert not entries(bob)

    other = make_team(code="SD", name="Service Delivery")
    carol = make_user(full_name="Carol Yoon")
    add_member(other, carol)
    for name in ("Hanbit", "Maru"):
        templating.do_use_template(
            carol, template, name=name, start_on=datetime.date(2026, 3, 9), team=other
        )
    [entry] = entries(bob)
    assert entry.kind == EntryKind.TEMPLATE_USED
    assert entry.competency == "knowledge_sharing"
    assert entry.data["team"] == "SD"
