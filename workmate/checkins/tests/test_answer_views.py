"""My check-ins and the answer form: pre-filled, editable, sent once, only by its person."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from workmate.checkins.models import CheckinResponse
from workmate.checkins.tests.conftest import SEOUL, make_response
from workmate.testing.factories import make_project, make_task
from workmate.work.models import TaskStatus

MINE = reverse("checkins:mine")
FRIDAY = datetime.date(2025, 11, 21)
NOW = datetime.datetime(2025, 11, 21, 16, 30, tzinfo=SEOUL)


@pytest.fixture
def response(checkin, cast):
    return make_response(checkin, cast[1], FRIDAY)


def answer_url(response) -> str:
    return reverse("checkins:answer", args=[response.pk])


def test_logged_out_goes_to_login(client, response):
    for url in (MINE, answer_url(response)):
        result = client.get(url)
        assert result.status_code == 302
        assert result.url.startswith(reverse("login"))


def test_mine_refuses_post(client, cast):
    client.force_login(cast[1])

    assert client.post(MINE).status_code == 405


def test_mine_lists_open_forms_team_check_ins_and_history(
    client, checkin, cast, django_assert_max_num_queries
):
    bob = cast[1]
    make_response(checkin, bob, FRIDAY)
    for weeks in range(1, 6):
        make_response(
            checkin,
            bob,
            FRIDAY - datetime.timedelta(weeks=weeks),
            answers=[f"Week {weeks} work", "", ""],
            submitted_at=NOW - datetime.timedelta(weeks=weeks),
        )
    client.force_login(bob)

    with django_assert_max_num_queries(8):
        page = client.get(MINE).content.decode()

    to_fill = page.split('id="checkins-to-fill"')[1].split("</section>")[0]
    assert answer_url(CheckinResponse.objects.get(occurrence=FRIDAY)) in to_fill
    assert "Weekly check-in" in page.split('id="my-team-checkins"')[1]
    history = page.split('id="my-checkin-history"')[1]
    assert history.index("Week 1 work") < history.index("Week 5 work")
    # A lead's link to set up check-ins is not shown to a member.
    assert reverse("checkins:new") not in page


def test_mine_shows_leads_the_new_link(client, cast):
    client.force_login(cast[0])

    assert reverse("checkins:new") in client.get(MINE).content.decode()


@time_machine.travel(NOW, tick=False)
def test_form_arrives_pre_filled_with_completed_tasks(client, response, cast, team):
    bob = cast[1]
    project = make_project(team=team, owner=cast[0], name="Migration")
    task = make_task(
        project=project,
        title="Move the billing DB",
        assignee=bob,
        status=TaskStatus.DONE,
        completed_at=NOW - datetime.timedelta(days=2),
    )
    client.force_login(bob)

    page = client.get(answer_url(response)).content.decode()

    done_box = page.split('name="answer_0"')[1].split("</textarea>")[0]
    assert f"- [Move the billing DB](/work/tasks/{task.pk}/) (Migration)" in done_box
    assert '<label for="id_answer_0">Done</label>' in page
    assert '<label for="id_answer_2">Blocked</label>' in page


@time_machine.travel(NOW, tick=False)
def test_sending_saves_the_edited_answers(client, response, cast):
    client.force_login(cast[1])

    result = client.post(
        answer_url(response),
        {"answer_0": "Shipped **billing**", "answer_1": "  Tests  ", "answer_2": ""},
    )

    assert result.status_code == 302
    assert result.url == MINE
    response.refresh_from_db()
    assert response.answers == ["Shipped **billing**", "Tests", ""]
    assert response.submitted_at == NOW
    page = client.get(answer_url(response)).content.decode()
    assert "<strong>billing</strong>" in page
    assert 'name="answer_0"' not in page


def test_empty_answers_are_refused_and_nothing_is_saved(client, response, cast):
    client.force_login(cast[1])

    result = client.post(answer_url(response), {"answer_0": " ", "answer_1": "", "answer_2": ""})

    assert result.status_code == 400
    assert "Write at least one answer." in result.content.decode()
    response.refresh_from_db()
    assert response.submitted_at is None
    assert response.answers == []


def test_answers_are_escaped_and_sanitised(client, response, cast):
    client.force_login(cast[1])

    client.post(
        answer_url(response),
        {"answer_0": "<script>alert(1)</script> [x](javascript:alert(1))", "answer_1": ""},
    )

    page = client.get(answer_url(response)).content.decode()
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    response.refresh_from_db()
    assert response.answers[0].startswith("<script>")


def test_a_sent_check_in_cannot_be_sent_again(client, checkin, cast):
    sent = make_response(checkin, cast[1], FRIDAY, answers=["First", "", ""], submitted_at=NOW)
    client.force_login(cast[1])

    client.post(answer_url(sent), {"answer_0": "Second", "answer_1": "", "answer_2": ""})

    sent.refresh_from_db()
    assert sent.answers == ["First", "", ""]
    assert sent.submitted_at == NOW


@pytest.mark.parametrize("who", ["alice", "charlie"])
def test_someone_elses_form_is_404(client, response, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(answer_url(response)).status_code == 404
    assert client.post(answer_url(response), {"answer_0": "Mine now"}).status_code == 404
    response.refresh_from_db()
    assert response.submitted_at is None


def test_answer_refuses_put(client, response, cast):
    client.force_login(cast[1])

    assert client.put(answer_url(response)).status_code == 405
