"""A task's detail (GET /work/tasks/<pk>/) and what can be done there: complete or reopen,
comment, and reply to a request (acknowledge, answer, hand back)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_task, make_user
from workmate.work import services
from workmate.work.models import (
    Activity,
    Comment,
    Dependency,
    RequestState,
    Task,
    TaskStatus,
    Visibility,
    WorkRequest,
)

HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Check backups")


@pytest.fixture
def request_to_bob(project, alice, bob):
    """Alice asks Bob to check the backups: an open request for Bob to answer."""
    with time_machine.travel(NOW, tick=False):
        task = services.do_create_task(
            alice,
            project,
            title="Check backups",
            assignee=bob,
            request_message="Nightly job failed twice.",
        )
    return WorkRequest.objects.get(task=task)


def url(task, name: str = "work:task") -> str:
    return reverse(name, args=[task.pk])


def request_url(work_request: WorkRequest, action: str) -> str:
    return reverse(f"work:{action}_request", args=[work_request.pk])


# --- The page ------------------------------------------------------------------------------


def test_logged_out_goes_to_login(client, task):
    response = client.get(url(task))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url(task)}"


def test_post_to_the_page_is_refused(client, task, bob):
    client.force_login(bob)

    assert client.post(url(task)).status_code == 405


def test_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.get(url(task)).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_shows_the_task_with_everything_around_it(client, project, alice, bob):
    task = services.do_create_task(
        alice,
        project,
        title="Move the database",
        description="Step one <b>now</b>\nStep two",
        assignee=bob,
        request_message="Move it this week, please.",
        due_on=datetime.date(2025, 11, 18),
    )
    services.do_create_task(alice, project, title="Dump tables", parent=task)
    blocker = services.do_create_task(alice, project, title="Order disks")
    Dependency.objects.create(task=task, blocked_by=blocker)
    services.do_add_comment(bob, task, "On it, @alice")
    client.force_login(bob)

    page = client.get(url(task)).content.decode()

    assert "<html" in page
    assert '<h1 class="task-heading">Move the database</h1>' in page
    # Markdown, with raw HTML shown as text and line breaks kept.
    assert "<p>Step one &lt;b&gt;now&lt;/b&gt;<br>\nStep two</p>" in page
    assert "Tue 18 Nov · Overdue" in page
    assert "Bob Lee" in page.split("Assignee")[1].split("</dd>")[0]
    assert "Dump tables" in page.split('id="subtasks"')[1].split("</section>")[0]
    assert "Order disks" in page.split('id="blocked-by"')[1].split("</section>")[0]
    requests = page.split('id="open-requests"')[1].split("</section>")[0]
    assert "Alice Kim asked Bob Lee" in requests
    assert "reply by Wed 19 Nov, 18:00" in requests
    assert "On it, <a href=" in page.split('id="comments"')[1]
    history = page.split('id="history"')[1]
    assert "Alice Kim created the task · <span" in history
    assert "Alice Kim asked Bob Lee to take this on" in history
    assert "Bob Lee commented" in history
    assert 'id="toggle-form"' in page and 'id="comment-form"' in page
    # Subtask and blocker links target the side panel; on the full page the detail is it.
    assert '<div id="task-panel"><article class="card task-detail' in page


def test_history_reads_like_sentences(client, task, alice, bob):
    services.do_complete_task(alice, task)
    services.do_update_task(bob, task, {"status": TaskStatus.OPEN, "assignee": bob})
    client.force_login(bob)

    history = client.get(url(task)).content.decode().split('id="history"')[1]

    assert "Alice Kim changed status from Open to Done" in history
    assert "Bob Lee changed status from Done to Open" in history
    assert "Bob Lee set assignee to Bob Lee" in history


def test_htmx_gets_the_detail_for_the_side_panel(client, task, bob):
    client.force_login(bob)

    fragment = client.get(url(task), headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert fragment.startswith('<article class="card task-detail')
    assert '<h2 class="task-heading">Check backups</h2>' in fragment
    assert f'href="{url(task)}">Open the full page' in fragment


def test_read_only_viewer_gets_no_complete_button(client, team, alice, charlie):
    handbook = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task = make_task(project=handbook, title="Read me")
    client.force_login(charlie)

    page = client.get(url(task)).content.decode()

    assert "Read me" in page
    assert 'id="toggle-form"' not in page
    assert 'id="comment-form"' in page


# --- Complete and reopen -------------------------------------------------------------------


def test_toggle_refuses_get(client, task, bob):
    client.force_login(bob)

    assert client.get(url(task, "work:toggle_task")).status_code == 405


def test_toggle_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.post(url(task, "work:toggle_task")).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_toggle_read_only_viewer_gets_403(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)

    assert client.post(url(task, "work:toggle_task")).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_marks_complete_then_reopens(client, task, bob):
    client.force_login(bob)

    done = client.post(url(task, "work:toggle_task"), follow=True)

    task.refresh_from_db()
    assert done.redirect_chain == [(url(task), 302)]
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    assert "Task marked complete." in done.content.decode()
    assert ">Reopen</button>" in done.content.decode()

    reopened = client.post(url(task, "work:toggle_task"), follow=True)

    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.completed_at is None
    assert "Task reopened." in reopened.content.decode()
    assert list(Activity.objects.filter(field="status").values_list("verb", flat=True)) == [
        "completed",
        "reopened",
    ]


# --- Comments ------------------------------------------------------------------------------


def test_comment_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.post(url(task, "work:add_comment"), {"body": "Hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_comment_refuses_get(client, task, bob):
    client.force_login(bob)

    assert client.get(url(task, "work:add_comment")).status_code == 405


def test_adds_a_comment_with_mentions(client, task, alice, bob):
    client.force_login(bob)

    response = client.post(
        url(task, "work:add_comment"), {"body": "Done, @alice can you check?"}, follow=True
    )

    comment = Comment.objects.get()
    assert (comment.author, comment.body) == (bob, "Done, @alice can you check?")
    assert list(comment.mentions.all()) == [alice]
    assert alice in task.followers.all()
    page = response.content.decode()
    assert "Comment added; Alice Kim will be told." in page
    assert "Done, <a href=" in page.split('id="comments"')[1]
    assert ">@Alice Kim</a> can you check?" in page


def test_an_unknown_mention_is_shown_and_nothing_is_saved(client, task, bob):
    client.force_login(bob)

    response = client.post(url(task, "work:add_comment"), {"body": "Ask @nobody about it"})

    page = response.content.decode()
    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert '<p class="error" id="id_body_error">Nobody is called @nobody.</p>' in page
    # The text stays in the box so it can be fixed.
    assert "Ask @nobody about it</textarea>" in page


def test_read_only_viewer_may_comment(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)

    client.post(url(task, "work:add_comment"), {"body": "A question"})

    assert Comment.objects.get().author == charlie


# --- Replying to a request -----------------------------------------------------------------


def test_assignee_sees_the_reply_forms_and_the_requester_does_not(
    client, request_to_bob, alice, bob
):
    client.force_login(bob)
    for_bob = client.get(url(request_to_bob.task)).content.decode()
    client.force_login(alice)
    for_alice = client.get(url(request_to_bob.task)).content.decode()

    assert "Nightly job failed twice." in for_bob and "Nightly job failed twice." in for_alice
    for action in ["acknowledge", "answer", "hand_back"]:
        assert request_url(request_to_bob, action) in for_bob
        assert request_url(request_to_bob, action) not in for_alice


@pytest.mark.parametrize("action", ["acknowledge", "answer", "hand_back"])
def test_reply_refuses_get(client, request_to_bob, bob, action):
    client.force_login(bob)

    assert client.get(request_url(request_to_bob, action)).status_code == 405


@pytest.mark.parametrize("action", ["acknowledge", "answer", "hand_back"])
def test_reply_outsider_gets_404(client, request_to_bob, charlie, action):
    client.force_login(charlie)

    response = client.post(
        request_url(request_to_bob, action), {f"request-{request_to_bob.pk}-answer-answer": "x"}
    )

    assert response.status_code == 404
    request_to_bob.refresh_from_db()
    assert request_to_bob.state == RequestState.PENDING


def test_only_the_assignee_may_reply(client, request_to_bob, alice):
    client.force_login(alice)

    response = client.post(request_url(request_to_bob, "acknowledge"))

    assert response.status_code == 403
    request_to_bob.refresh_from_db()
    assert request_to_bob.state == RequestState.PENDING


def test_acknowledges(client, request_to_bob, bob):
    client.force_login(bob)

    response = client.post(request_url(request_to_bob, "acknowledge"), follow=True)

    request_to_bob.refresh_from_db()
    assert response.redirect_chain == [(url(request_to_bob.task), 302)]
    assert request_to_bob.state == RequestState.ACKNOWLEDGED
    assert request_to_bob.acknowledged_at is not None
    page = response.content.decode()
    assert "You acknowledged the request." in page
    # Once acknowledged, the button goes; answering and handing back stay.
    assert request_url(request_to_bob, "acknowledge") not in page
    assert request_url(request_to_bob, "answer") in page


def test_answers(client, request_to_bob, bob):
    client.force_login(bob)

    response = client.post(
        request_url(request_to_bob, "answer"),
        {f"request-{request_to_bob.pk}-answer-answer": "Restored from Sunday's copy."},
        follow=True,
    )

    request_to_bob.refresh_from_db()
    assert request_to_bob.state == RequestState.ANSWERED
    assert request_to_bob.answer == "Restored from Sunday's copy."
    assert Comment.objects.get().body == "Restored from Sunday's copy."
    page = response.content.decode()
    assert "Your answer is sent." in page
    assert 'id="open-requests"' not in page


def test_an_empty_answer_is_shown_beside_the_field(client, request_to_bob, bob):
    client.force_login(bob)

    response = client.post(
        request_url(request_to_bob, "answer"), {f"request-{request_to_bob.pk}-answer-answer": " "}
    )

    assert response.status_code == 400
    request_to_bob.refresh_from_db()
    assert request_to_bob.state == RequestState.PENDING
    field_id = f"id_request-{request_to_bob.pk}-answer-answer"
    assert f'<p class="error" id="{field_id}_error">This field is required.</p>' in (
        response.content.decode()
    )


def test_hands_back_to_the_requester(client, request_to_bob, alice, bob):
    client.force_login(bob)

    response = client.post(
        request_url(request_to_bob, "hand_back"),
        {f"request-{request_to_bob.pk}-back-answer": "I am on leave next week."},
        follow=True,
    )

    request_to_bob.refresh_from_db()
    task = Task.objects.get(pk=request_to_bob.task_id)
    assert request_to_bob.state == RequestState.HANDED_BACK
    assert request_to_bob.answer == "I am on leave next week."
    assert task.assignee == alice
    page = response.content.decode()
    assert "You handed the task back to Alice Kim." in page
    assert "Bob Lee handed the task back to Alice Kim" in page.split('id="history"')[1]


def test_a_closed_request_cannot_be_answered_again(client, request_to_bob, bob):
    services.do_answer_request(bob, request_to_bob, "Done.")
    client.force_login(bob)

    response = client.post(
        request_url(request_to_bob, "answer"),
        {f"request-{request_to_bob.pk}-answer-answer": "Again"},
    )

    assert response.status_code == 400
    assert "This request is already closed." in response.content.decode()
    assert Comment.objects.count() == 1


def test_page_query_count_does_not_grow_with_what_is_around_the_task(
    client, project, task, alice, bob
):
    def surround(count: int) -> None:
        for number in range(count):
            blocker = make_task(project=project, title=f"Blocker {number}")
            services.do_add_dependency(alice, task, blocker)
            blocked = make_task(project=project, title=f"Waiting {number}")
            services.do_add_dependency(alice, blocked, task)
            make_task(project=project, parent=task, title=f"Part {number}", assignee=bob)
            services.do_add_attachment(
                alice, task, SimpleUploadedFile(f"note-{number}.txt", b"hello", "text/plain")
            )
            services.do_add_comment(bob, task, f"Comment **{number}**")
            task.followers.add(make_user())

    client.force_login(alice)
    surround(2)
    with CaptureQueriesContext(connection) as small:
        client.get(url(task))
    surround(10)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url(task)).content.decode()

    assert "note-9.txt" in page and "Waiting 9" in page and "Blocker 9" in page
    assert len(small) == len(large)
