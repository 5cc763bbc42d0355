"""The "today" home page: each app's section, shown to whom it concerns, and nobody else's.

The clock is frozen on Tuesday 24 November 2026, 16:00 in Seoul.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.accounts.models import TeamRole
from workmate.checkins.tests.conftest import make_checkin, make_response
from workmate.desk import services as desk_services
from workmate.inbox.models import Channel, Kind, Notification
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
from workmate.voice import services as voice_services
from workmate.voice.models import Area
from workmate.work.models import RequestState, TaskStatus, WorkRequest

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2026, 11, 24, 16, 0, tzinfo=SEOUL)
TODAY = NOW.date()

pytestmark = pytest.mark.django_db


def kst(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def project(alice, team):
    return make_project(name="Migration", team=team, owner=alice)


def ask(project, requester, assignee, title, reply_by, **fields):
    task = make_task(project=project, title=title, assignee=assignee, created_by=requester)
    return WorkRequest.objects.create(
        task=task, requester=requester, assignee=assignee, reply_by=reply_by, **fields
    )


def page_of(client, user) -> str:
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, section_id: str) -> str:
    """The HTML of one section of the page (empty when it is not there)."""
    start = page.find(f'id="{section_id}"')
    if start == -1:
        return ""
    return page[start : page.find("</section>", start)]


# --- Requests ----------------------------------------------------------------------------


def test_waiting_for_my_reply_lists_mine_by_reply_by_overdue_first(client, alice, bob, project):
    later = ask(project, alice, bob, "Review the runbook", kst(2026, 11, 26, 10), message="Pls")
    overdue = ask(project, alice, bob, "Sign the change", kst(2026, 11, 23, 18))
    soon = ask(project, alice, bob, "Check the quota", kst(2026, 11, 24, 17))
    ask(project, alice, bob, "Answered already", kst(2026, 11, 20, 10), state=RequestState.ANSWERED)
    ask(project, bob, alice, "Asked of Alice", kst(2026, 11, 20, 10))
    dana, erik = make_user(full_name="Dana"), make_user(full_name="Erik")
    ask(make_project(owner=dana), dana, erik, "Somebody else's", kst(2026, 11, 20, 10))

    html = section(page_of(client, bob), "today-needs-reply")

    titles = [r.task.title for r in (overdue, soon, later)]
    positions = [html.find(title) for title in titles]
    assert -1 not in positions and positions == sorted(positions)
    assert "Answered already" not in html and "Asked of Alice" not in html
    assert "Somebody else" not in html
    assert '<span class="count">3</span>' in html
    overdue_row = html[html.find(f'data-request="{overdue.pk}"') :]
    assert overdue_row.startswith(f'data-request="{overdue.pk}"')
    assert "Overdue" in overdue_row[: overdue_row.find("</li>")]
    later_row = html[html.find(f'data-request="{later.pk}"') :]
    assert "Overdue" not in later_row[: later_row.find("</li>")]
    assert "from Alice Kim" in html and "Pls" in html
    assert "reply by Thu 26 Nov, 10:00" in html
    assert f'href="{later.task.get_absolute_url()}"' in html
    assert f'href="{reverse("work:requests")}#needs-my-reply"' in html


def test_reply_by_is_shown_in_the_viewers_own_zone(client, alice, bob, project):
    bob.profile.time_zone = "Europe/Berlin"
    bob.profile.save()
    ask(project, alice, bob, "Zone check", kst(2026, 11, 26, 10))

    html = section(page_of(client, bob), "today-needs-reply")

    assert "reply by Thu 26 Nov, 02:00" in html  # 10:00 in Seoul is 02:00 in Berlin.


def test_waiting_on_lists_what_i_asked(client, alice, bob, project):
    ask(project, bob, alice, "Approve the budget", kst(2026, 11, 23, 10))
    ask(project, alice, bob, "Asked of Bob", kst(2026, 11, 25, 10))

    html = section(page_of(client, bob), "today-waiting-on")

    assert "Approve the budget" in html and "asked of Alice Kim" in html
    assert "Overdue" in html
    assert "Asked of Bob" not in html


def test_many_requests_show_the_first_few_and_link_to_all(client, alice, bob, project):
    for hour in range(7):
        ask(project, alice, bob, f"Request {hour}", kst(2026, 11, 25, 9 + hour))

    html = section(page_of(client, bob), "today-needs-reply")

    assert html.count("data-request=") == 5
    assert '<span class="count">7</span>' in html
    assert "See all 7 requests" in html


def test_empty_states_say_what_would_show(client, bob):
    page = page_of(client, bob)

    assert "Nobody is waiting for your reply" in section(page, "today-needs-reply")
    assert "You are not waiting on anyone" in section(page, "today-waiting-on")
    assert "Nothing of yours is due this week" in section(page, "today-due")
    assert "Nothing unread" in section(page, "today-inbox")


# --- Due ---------------------------------------------------------------------------------


def test_due_today_and_this_week(client, alice, bob, project):
    make_task(project=project, title="Late one", assignee=bob, due_on=TODAY.replace(day=20))
    make_task(project=project, title="Today one", assignee=bob, due_on=TODAY)
    make_task(project=project, title="Friday one", assignee=bob, due_on=TODAY.replace(day=27))
    make_task(project=project, title="Next month", assignee=bob, due_on=TODAY.replace(month=12))
    make_task(
        project=project,
        title="Done one",
        assignee=bob,
        due_on=TODAY,
        status=TaskStatus.DONE,
        completed_at=NOW,
    )
    make_task(project=project, title="Alice's", assignee=alice, due_on=TODAY)

    html = section(page_of(client, bob), "today-due")

    assert html.find("Late one") < html.find("Today one") < html.find("Friday one")
    assert "Next month" not in html and "Done one" not in html and "Alice's" not in html
    assert "2 due today or earlier" in html and "1 in the next 7 days" in html
    assert 'href="/work/?group=today"' in html and 'href="/work/?group=upcoming"' in html


def test_due_leaves_out_tasks_of_projects_i_can_no_longer_see(client, alice, bob):
    hidden = make_project(owner=alice, visibility="private")
    make_task(project=hidden, title="Private to Alice", assignee=bob, due_on=TODAY)

    assert "Private to Alice" not in page_of(client, bob)


# --- Inbox -------------------------------------------------------------------------------


def notification(recipient, title, **fields):
    fields.setdefault("created_at", NOW - datetime.timedelta(hours=1))
    fields.setdefault("kind", Kind.COMMENT)
    return Notification.objects.create(
        recipient=recipient,
        channel=Channel.IN_APP,
        group_key=f"task:{title}",
        title=title,
        url="/work/",
        **fields,
    )


def test_inbox_summary_counts_unread_only(client, alice, bob):
    fresh = notification(bob, "Fresh news", actor=alice)
    notification(bob, "Read news", read_at=NOW)
    notification(bob, "Archived news", archived_at=NOW)
    notification(bob, "Snoozed news", snoozed_until=NOW + datetime.timedelta(hours=2))
    notification(alice, "Alice's news")
    notification(bob, "Asked", kind=Kind.REQUEST, actor=alice)
    notification(bob, "Asked again", kind=Kind.REQUEST, actor=alice)

    html = section(page_of(client, bob), "today-inbox")

    assert "Alice Kim commented on Fresh news" in html
    assert f'href="{reverse("inbox:open", args=[fresh.pk])}"' in html
    summary = html[html.find('class="today-kinds"') :]
    requests, comments = (
        'Requests <span class="count">2</span>',
        'Comments <span class="count">1</span>',
    )
    assert requests in summary and comments in summary
    assert summary.find(requests) < summary.find(comments)  # What asks something first.
    assert '<span class="count">3</span>' in html  # Unread in all.
    for other in ("Read news", "Archived news", "Snoozed news", "Alice's news"):
        assert other not in html


# --- Desk (agents) -------------------------------------------------------------------------


@pytest.fixture
def breached_ticket(team):
    make_sla_policy(priority=3, first_response_minutes=60, resolution_minutes=480)
    customer = make_customer(name="Hanbit Bank")
    with time_machine.travel(kst(2026, 11, 23, 9, 0), tick=False):
        return make_ticket(customer=customer, requester=make_contact(customer), subject="VPN down")


def test_agents_see_tickets_at_risk_or_breached(client, bob, breached_ticket):
    html = section(page_of(client, bob), "today-tickets")

    assert "VPN down" in html and "Hanbit Bank" in html
    assert "sla-breached" in html
    assert "1 breached" in html and "0 at risk" in html
    assert f'href="{breached_ticket.get_absolute_url()}"' in html
    assert f'href="{reverse("desk:breached")}"' in html


def test_tickets_of_other_teams_are_not_shown(client, bob, breached_ticket):
    breached_ticket.team = make_team(code="SE", name="Customer Success")
    breached_ticket.save(update_fields=["team"])

    html = section(page_of(client, bob), "today-tickets")

    assert "VPN down" not in html and "0 breached" in html


def test_tickets_are_not_shown_to_people_who_are_no_agents(client, charlie, breached_ticket):
    assert 'id="today-tickets"' not in page_of(client, charlie)


def test_other_teams_see_tickets_only_when_they_hold_some(client, breached_ticket):
    architect = make_user(full_name="Ara Architect")
    add_member(make_team(code="LE", name="Architects"), architect)

    assert 'id="today-tickets"' not in page_of(client, architect)

    desk_services.do_assign(architect, breached_ticket, architect)
    assert "VPN down" in section(page_of(client, architect), "today-tickets")


def test_support_agents_without_tickets_are_told_all_is_well(client, bob):
    html = section(page_of(client, bob), "today-tickets")

    assert "No ticket of your teams is at risk" in html


# --- Voice (leads) -------------------------------------------------------------------------


def test_leads_see_proposals_waiting_for_an_answer(client, alice, bob):
    with time_machine.travel(kst(2026, 11, 10, 10), tick=False):
        proposal = voice_services.do_post_proposal(
            bob, title="Quieter chairs", problem="Squeaky.", area=Area.WORKPLACE
        )

    html = section(page_of(client, alice), "today-proposals")

    assert "Quieter chairs" in html and "waiting 10 working days" in html
    assert f'href="{reverse("voice:proposal", args=[proposal.pk])}"' in html
    assert "Bob" not in html
    assert 'id="today-proposals"' not in page_of(client, bob)


# --- Check-ins -----------------------------------------------------------------------------


def test_checkins_to_answer_for_the_person_asked(client, alice, bob, charlie, team):
    checkin = make_checkin(team, alice, title="Friday status")
    waiting = make_response(checkin, bob, datetime.date(2026, 11, 21))
    make_response(checkin, alice, datetime.date(2026, 11, 21))

    html = section(page_of(client, bob), "today-checkins")

    assert "Friday status" in html
    assert f'href="{reverse("checkins:answer", args=[waiting.pk])}"' in html
    assert 'id="today-checkins"' not in page_of(client, charlie)


def test_checkins_all_answered_says_so_to_team_members(client, alice, bob, team):
    make_checkin(team, alice, title="Friday status")

    html = section(page_of(client, bob), "today-checkins")

    assert "You have answered every check-in" in html


# --- The quick add -------------------------------------------------------------------------


def test_quick_add_defaults_to_the_project_last_added_to(client, alice, bob, team):
    make_project(name="Alpha", team=team, owner=alice)
    recent = make_project(name="Zulu", team=team, owner=alice)
    make_task(project=recent, created_by=bob)

    html = section(page_of(client, bob), "today-quick-add")

    assert f'<option value="{recent.pk}" selected>Zulu · TE</option>' in html
    assert 'name="title"' in html and 'name="assignee"' in html and 'name="urgent"' in html


def test_quick_add_offers_only_projects_i_can_add_to(client, alice, bob, team):
    mine = make_project(name="Team work", team=team, owner=alice)
    make_project(name="Secret", team=team, owner=alice, visibility="private")
    make_project(name="Other team", owner=alice)

    html = section(page_of(client, bob), "today-quick-add")

    assert "Team work" in html and "Secret" not in html and "Other team" not in html
    assert f'value="{mine.pk}"' in html


def test_quick_add_says_when_there_is_no_project(client, charlie):
    html = section(page_of(client, charlie), "today-quick-add")

    assert "There is no project you can add tasks to yet" in html


def test_role_sections_are_absent_for_a_newcomer(client, charlie):
    page = page_of(client, charlie)

    for absent in ("today-tickets", "today-proposals", "today-checkins"):
        assert f'id="{absent}"' not in page


def test_a_lead_sees_every_section(client, alice, team, breached_ticket):
    make_checkin(team, alice)
    page = page_of(client, alice)

    for present in (
        "today-needs-reply",
        "today-waiting-on",
        "today-due",
        "today-inbox",
        "today-tickets",
        "today-proposals",
        "today-checkins",
        "today-quick-add",
    ):
        assert f'id="{present}"' in page


def test_a_team_lead_role_is_what_makes_a_lead(client, bob, team):
    lead_elsewhere = make_user()
    add_member(make_team(), lead_elsewhere, TeamRole.LEAD)

    assert 'id="today-proposals"' in page_of(client, lead_elsewhere)


# --- Query count ---------------------------------------------------------------------------


def fill(alice, bob, team, project, breached_ticket_customer, n: int) -> None:
    """`n` rows of every kind the page shows to Alice (a lead and a support agent)."""
    checkin = make_checkin(team, alice, title=f"Check-in {n}")
    for i in range(n):
        ask(project, bob, alice, f"To Alice {n}-{i}", kst(2026, 11, 23 + i % 3, 10))
        ask(project, alice, bob, f"From Alice {n}-{i}", kst(2026, 11, 23 + i % 3, 11))
        make_task(project=project, assignee=alice, due_on=TODAY, parent=None)
        notification(alice, f"News {n}-{i}", actor=bob)
        make_response(checkin, alice, datetime.date(2026, 11, 1 + i))
        with time_machine.travel(kst(2026, 11, 10, 10), tick=False):
            voice_services.do_post_proposal(
                bob, title=f"Idea {n}-{i}", problem="Why.", area=Area.WORKPLACE
            )
        with time_machine.travel(kst(2026, 11, 23, 9, 0), tick=False):
            make_ticket(
                customer=breached_ticket_customer,
                requester=make_contact(breached_ticket_customer),
                subject=f"Ticket {n}-{i}",
            )
    # A subtask due today, so that rows with a parent are read too.
    parent = make_task(project=project, title="Parent")
    make_task(project=project, assignee=alice, due_on=TODAY, parent=parent)


def test_query_count_is_pinned_and_does_not_grow_with_items(
    client, alice, bob, team, project, breached_ticket, django_assert_num_queries
):
    fill(alice, bob, team, project, breached_ticket.customer, 2)
    make_task(project=project, created_by=alice)  # The quick add's last-used project.
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        client.get(reverse("home"))  # Warm the session and the per-process caches.
        with django_assert_num_queries(QUERIES) as first:
            page = client.get(reverse("home")).content.decode()
        for present in ("today-needs-reply", "today-tickets", "today-proposals"):
            assert f'id="{present}"' in page
        assert "Idea 2-0" in page and "Ticket 2-0" in page and "News 2-0" in page

    fill(alice, bob, team, project, breached_ticket.customer, 9)
    with (
        time_machine.travel(NOW, tick=False),
        django_assert_num_queries(len(first.captured_queries)),
    ):
        page = client.get(reverse("home")).content.decode()
    assert '<span class="count">11</span>' in section(page, "today-needs-reply")


# Session and user 2; the "You today" card 2 (company days off, work modes); memberships
# 1; the quick add 4 (projects, last used, urgent marks, people to ask); requests 2 + 2;
# tickets 2 counts + 1 list + the support calendar 2 (team, days off); check-ins 1;
# proposals 1 + days off 1; due 2; the inbox 2.
QUERIES = 25
