"""Requests (GET /work/requests/): what I must answer and what I wait on, by reply-by."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.testing.factories import make_project, make_task, make_user
from workmate.work.models import RequestState, WorkRequest

URL = reverse("work:requests")
HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def project(team, alice):
    return make_project(name="Migration", team=team, owner=alice)


def ask(project, requester, assignee, title: str, hours: int, **fields) -> WorkRequest:
    task = make_task(project=project, title=title, assignee=assignee)
    return WorkRequest.objects.create(
        task=task,
        requester=requester,
        assignee=assignee,
        reply_by=NOW + datetime.timedelta(hours=hours),
        created_at=NOW - datetime.timedelta(days=1),
        **fields,
    )


def section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"')[1].split("</section>")[0]


def listed(html: str) -> list[str]:
    return re.findall(r'class="task-link"[^>]*>([^<]+)</a>', html)


def test_logged_out_goes_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_post_is_refused(client, bob):
    client.force_login(bob)

    assert client.post(URL).status_code == 405


@time_machine.travel(NOW, tick=False)
def test_lists_both_sides_by_reply_by(client, project, alice, bob):
    ask(project, alice, bob, "Later one", 30, message="No rush.")
    ask(project, alice, bob, "Overdue one", -2, message="Please check <the> logs")
    ask(project, alice, bob, "Acknowledged one", 5, state=RequestState.ACKNOWLEDGED)
    ask(project, alice, bob, "Answered one", 1, state=RequestState.ANSWERED)
    ask(project, bob, alice, "Bob waits", 3, message="Need a review")
    ask(project, alice, make_user(full_name="Dana Cho"), "Not mine", 1)
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert "<html" in page
    mine = section(page, "needs-my-reply")
    assert listed(mine) == ["Overdue one", "Acknowledged one", "Later one"]
    overdue_row = mine.split("Overdue one")[1].split("</tr>")[0]
    assert "Alice Kim" in overdue_row
    assert "Wed 19 Nov, 08:00 · Overdue" in overdue_row
    assert "Please check &lt;the&gt; logs" in overdue_row
    assert 'class="is-overdue"' in mine.split("Overdue one")[0].rsplit("<tr", 1)[1]
    later_row = mine.split("Later one")[1].split("</tr>")[0]
    assert "Thu 20 Nov, 16:00" in later_row and "Overdue" not in later_row
    assert "Acknowledged" in mine.split("Acknowledged one")[1].split("</tr>")[0]
    waiting = section(page, "waiting-on-others")
    assert listed(waiting) == ["Bob waits"]
    assert "Alice Kim" in waiting and "Need a review" in waiting


@time_machine.travel(NOW, tick=False)
def test_empty_lists_say_so(client, charlie):
    client.force_login(charlie)

    page = client.get(URL).content.decode()

    assert "Nobody is waiting on you." in page
    assert "You are not waiting on anyone." in page


@time_machine.travel(NOW, tick=False)
def test_outsiders_see_nobody_elses_requests(client, project, alice, bob, charlie):
    ask(project, alice, bob, "Between Alice and Bob", 4)
    client.force_login(charlie)

    page = client.get(URL).content.decode()

    assert "Between Alice and Bob" not in page


@time_machine.travel(NOW, tick=False)
def test_htmx_gets_only_the_lists(client, project, alice, bob):
    ask(project, alice, bob, "Check backups", 4)
    client.force_login(bob)

    fragment = client.get(URL, headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert 'class="work-nav"' not in fragment
    assert listed(section(fragment, "needs-my-reply")) == ["Check backups"]


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_the_number_of_requests(
    client, project, alice, bob, django_assert_num_queries
):
    for number in range(30):
        ask(project, alice, bob, f"To Bob {number}", number)
        ask(project, bob, alice, f"From Bob {number}", number)
    client.force_login(bob)

    # Session, viewer with their profile, one query per list.
    with django_assert_num_queries(4):
        response = client.get(URL)

    assert len(listed(response.content.decode())) == 60
