"""The leads' waiting list (working days, frozen clock) and the public scoreboard."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from workmate.accounts.models import CompanyDayOff
from workmate.voice import leads, services
from workmate.voice.models import Area, Proposal, ProposalStatus

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
# Monday 21 September 2026, 10:00 in Seoul; Thursday 24 and Friday 25 are Chuseok.
POSTED = datetime.datetime(2026, 9, 21, 10, 0, tzinfo=SEOUL)


def post(user, when: datetime.datetime, title: str = "Chairs", **fields) -> Proposal:
    with time_machine.travel(when, tick=False):
        proposal = services.do_post_proposal(
            user, title=title, problem="Too hard.", area=Area.WORKPLACE, **fields
        )
    return proposal


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=SEOUL)


def test_waiting_skips_chuseok(bob):
    proposal = post(bob, POSTED)
    # Tuesday 29th: seven weekdays later, but only four working days because of Chuseok.
    rows = leads.waiting_for_answer(at(2026, 9, 29))
    assert rows == []
    rows = leads.waiting_for_answer(at(2026, 9, 30))
    assert [(row.proposal, row.age_days) for row in rows] == [(proposal, 5)]


def test_waiting_skips_company_days_off(bob):
    post(bob, POSTED)
    CompanyDayOff.objects.create(date=datetime.date(2026, 9, 30), name="Foundation day")
    assert leads.waiting_for_answer(at(2026, 9, 30)) == []
    assert len(leads.waiting_for_answer(at(2026, 10, 1))) == 1


def test_waiting_lists_oldest_first_and_leaves_out_answered_closed_hidden(alice, bob, settings):
    settings.VOICE_ANSWER_WORKING_DAYS = 2
    older = post(bob, POSTED, "Older")
    newer = post(bob, at(2026, 9, 22), "Newer")
    answered = post(bob, POSTED, "Answered")
    hidden = post(bob, POSTED, "Hidden")
    leads.do_change_status(alice, answered, ProposalStatus.NEW, "Thanks, noted.")
    leads.do_hide(alice, hidden, "Abusive.")
    rows = leads.waiting_for_answer(at(2026, 10, 6))
    assert [row.proposal for row in rows] == [older, newer]
    assert rows[0].age_days > rows[1].age_days


def test_waiting_page(client, alice, bob, charlie):
    proposal = post(bob, POSTED, "Broken chairs in room 3", anonymous=True)
    url = "/voice/waiting/"
    assert client.get(url).status_code == 302
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    client.force_login(alice)
    assert client.post(url).status_code == 405
    with time_machine.travel(at(2026, 10, 6), tick=False):
        page = client.get(url)
        fragment = client.get(url, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "Broken chairs in room 3" in text and "<html" in text
    assert f"/voice/{proposal.pk}/lead/" in text
    assert "Bob Lee" not in text
    assert "Broken chairs in room 3" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_waiting_page_query_count_does_not_grow(client, alice, bob, django_assert_max_num_queries):
    for number in range(8):
        post(bob, POSTED, f"Old proposal {number}")
    client.force_login(alice)
    with time_machine.travel(at(2026, 10, 6), tick=False), django_assert_max_num_queries(8):
        page = client.get("/voice/waiting/")
    assert page.content.decode().count("Old proposal") == 8


def test_scoreboard_figures_in_working_hours(alice, bob):
    quick = post(bob, POSTED, "Quick")
    slow = post(bob, POSTED, "Slow")
    post(bob, POSTED, "Waiting")
    with time_machine.travel(at(2026, 9, 21, 13), tick=False):
        leads.do_change_status(alice, quick, ProposalStatus.DONE, "Done already.")
    # Across Chuseok: Monday 10:00 to Monday 28th 10:00 is 8+9+9+1 working hours.
    with time_machine.travel(at(2026, 9, 28, 10), tick=False):
        leads.do_change_status(alice, slow, ProposalStatus.DECLINED, "No budget.")
    board = leads.scoreboard(at(2026, 10, 6))
    assert board.answered == 2
    assert board.median_hours == (3 + 27) / 2
    assert board.p90_hours == 27
    assert (board.waiting, board.done, board.declined) == (1, 1, 1)
    # Answers older than 90 days drop out of the timing, not out of the counts.
    later = leads.scoreboard(at(2027, 2, 1))
    assert later.answered == 0 and later.median_hours is None and later.done == 1


def test_scoreboard_page_for_everyone(client, alice, bob, charlie, django_assert_max_num_queries):
    post(bob, POSTED)
    assert client.get("/voice/scoreboard/").status_code == 302
    client.force_login(charlie)
    assert client.post("/voice/scoreboard/").status_code == 405
    with django_assert_max_num_queries(12):
        page = client.get("/voice/scoreboard/")
    assert page.status_code == 200
    assert "working hours" in page.content.decode()
    assert "<html" in page.content.decode()
    fragment = client.get("/voice/scoreboard/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "Waiting for an answer now" in fragment.content.decode()


@pytest.mark.parametrize(
    ("values", "p90"), [([1.0], 1.0), ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 9.0)]
)
def test_percentile_nearest_rank(values, p90):
    assert leads._percentile(values, 0.9) == p90
