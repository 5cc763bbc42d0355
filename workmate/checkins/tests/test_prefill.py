"""The answer form arrives pre-filled with what the person did since their last check-in."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.checkins.services import initial_answers, prefill_for
from workmate.checkins.tests.conftest import SEOUL, make_response
from workmate.lib.markdown import render_markdown
from workmate.testing.factories import make_project, make_task, make_team
from workmate.work.models import RequestState, TaskStatus, Visibility, WorkRequest

LAST_FRIDAY = datetime.date(2025, 11, 21)
FRIDAY = datetime.date(2025, 11, 28)
NOW = datetime.datetime(2025, 11, 28, 16, 30, tzinfo=SEOUL)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def project(team, cast):
    return make_project(name="Migration", team=team, owner=cast[0])


def done(project, person, title: str, when: datetime.datetime):
    return make_task(
        project=project, title=title, assignee=person, status=TaskStatus.DONE, completed_at=when
    )


def answered(project, requester, person, title: str, when, state=RequestState.ANSWERED):
    task = make_task(project=project, title=title)
    return WorkRequest.objects.create(
        task=task,
        requester=requester,
        assignee=person,
        reply_by=when,
        state=state,
        closed_at=when if state == RequestState.ANSWERED else None,
    )


@pytest.fixture
def history(checkin, cast, project):
    """Bob sent last Friday's check-in at 17:00; this Friday's is open."""
    bob = cast[1]
    make_response(
        checkin, bob, LAST_FRIDAY, answers=["Old news", "", ""], submitted_at=at(2025, 11, 21, 17)
    )
    return make_response(checkin, bob, FRIDAY)


@time_machine.travel(NOW, tick=False)
def test_done_lists_tasks_and_requests_since_the_last_check_in(history, cast, project):
    alice, bob = cast
    done(project, bob, "Before last check-in", at(2025, 11, 21, 16, 59))
    shipped = done(project, bob, "Ship the [beta] login", at(2025, 11, 24, 10))
    done(project, alice, "Alice's own task", at(2025, 11, 25, 10))
    request = answered(project, alice, bob, "Review the runbook", at(2025, 11, 25, 11))
    answered(project, alice, bob, "Answered long ago", at(2025, 11, 20, 11))
    answered(project, alice, bob, "Still pending", at(2025, 11, 26, 11), RequestState.PENDING)

    prefill = prefill_for(history)

    assert prefill.since == at(2025, 11, 21, 17)
    assert prefill.done == [
        f"- [Ship the \\[beta\\] login](/work/tasks/{shipped.pk}/) (Migration)",
        f"- Answered Alice Kim's request on [Review the runbook](/work/tasks/{request.task_id}/)",
    ]
    html = render_markdown("\n".join(prefill.done))
    link = f'<a href="/work/tasks/{shipped.pk}/" rel="noopener noreferrer nofollow">'
    assert f"{link}Ship the [beta] login</a>" in html


@time_machine.travel(NOW, tick=False)
def test_first_check_in_looks_back_a_week(checkin, cast, project):
    _, bob = cast
    response = make_response(checkin, bob, FRIDAY)
    done(project, bob, "Eight days ago", at(2025, 11, 20, 15))
    done(project, bob, "Six days ago", at(2025, 11, 22, 15))

    prefill = prefill_for(response)

    assert prefill.since == at(2025, 11, 21, 16)
    assert [line.split("](")[0] for line in prefill.done] == ["- [Six days ago"]


@time_machine.travel(NOW, tick=False)
def test_next_lists_open_tasks_due_within_a_week(history, cast, project):
    _, bob = cast
    make_task(project=project, title="Overdue", assignee=bob, due_on=datetime.date(2025, 11, 27))
    make_task(project=project, title="Due Sunday", assignee=bob, due_on=datetime.date(2025, 11, 30))
    make_task(
        project=project, title="Due in a month", assignee=bob, due_on=datetime.date(2025, 12, 28)
    )
    make_task(project=project, title="No due date", assignee=bob)
    make_task(project=project, title="Someone else's", due_on=datetime.date(2025, 11, 30))

    upcoming = prefill_for(history).upcoming

    assert [line.split("](")[0] for line in upcoming] == ["- [Overdue", "- [Due Sunday"]
    assert upcoming[1].endswith("(2025-11-30)")


@time_machine.travel(NOW, tick=False)
def test_initial_answers_put_done_first_and_next_second(history, cast, project):
    _, bob = cast
    done(project, bob, "Shipped", at(2025, 11, 24, 10))
    make_task(project=project, title="Up next", assignee=bob, due_on=datetime.date(2025, 12, 1))

    answers = initial_answers(history)

    assert len(answers) == 3
    assert "Shipped" in answers[0] and "Up next" not in answers[0]
    assert "Up next" in answers[1]
    assert answers[2] == ""


def test_a_sent_check_in_shows_what_was_sent(checkin, cast, project):
    _, bob = cast
    response = make_response(
        checkin, bob, FRIDAY, answers=["Only this", "", "Nothing"], submitted_at=NOW
    )
    done(project, bob, "Shipped", at(2025, 11, 24, 10))

    assert initial_answers(response) == ["Only this", "", "Nothing"]


@time_machine.travel(NOW, tick=False)
def test_only_work_the_whole_team_may_see_is_listed(history, team, cast, project):
    alice, bob = cast
    private = make_project(name="Acquisition", team=team, owner=bob, visibility=Visibility.PRIVATE)
    other_team = make_project(name="Their roadmap", team=make_team(), owner=bob)
    org_wide = make_project(name="Handbook", team=make_team(), owner=bob, visibility=Visibility.ORG)
    for where in (project, private, other_team, org_wide):
        done(where, bob, f"Done in {where.name}", at(2025, 11, 24, 10))
        answered(where, alice, bob, f"Asked in {where.name}", at(2025, 11, 25, 11))
        make_task(project=where, title=f"Next in {where.name}", assignee=bob, due_on=FRIDAY)

    prefill = prefill_for(history)
    everything = "\n".join(prefill.done + prefill.upcoming)

    assert "Migration" in everything and "Handbook" in everything
    assert "Acquisition" not in everything
    assert "Their roadmap" not in everything
    assert len(prefill.done) == 4
    assert len(prefill.upcoming) == 2
