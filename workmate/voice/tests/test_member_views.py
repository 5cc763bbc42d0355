"""The members' pages: board, proposal, posting, voting, comments, following, edit, mine."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workmate.voice import services
from workmate.voice.models import (
    Answer,
    Area,
    Proposal,
    ProposalComment,
    ProposalStatus,
    Subscription,
    Vote,
)

HTMX = {"HX-Request": "true"}
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


def post(user, **overrides) -> Proposal:
    fields = {
        "title": "Printer queue",
        "problem": "The printer **jams** every morning.",
        "suggestion": "",
        "area": Area.WORKPLACE,
        "affected_teams": [],
        "anonymous": False,
    }
    fields.update(overrides)
    return services.do_post_proposal(user, **fields)


def row(html: str, proposal: Proposal) -> str:
    return html.split(f'data-proposal="{proposal.pk}"')[1].split("</tr>")[0]


# --- Logged out and wrong methods ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("voice:home", []),
        ("voice:new", []),
        ("voice:mine", []),
        ("voice:proposal", [1]),
        ("voice:edit", [1]),
    ],
)
def test_logged_out_goes_to_login(client, db, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", ["vote", "unvote", "comment", "subscribe", "unsubscribe"])
def test_logged_out_posts_change_nothing(client, bob, name):
    proposal = post(bob)

    response = client.post(reverse(f"voice:{name}", args=[proposal.pk]), {"body": "x"})

    assert response.status_code == 302
    assert reverse("login") in response.url
    assert not Vote.objects.exists()
    assert not ProposalComment.objects.exists()
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "with_pk"),
    [("voice:home", False), ("voice:mine", False), ("voice:proposal", True)],
)
def test_pages_refuse_post(client, bob, name, with_pk):
    proposal = post(bob)
    client.force_login(bob)

    url = reverse(name, args=[proposal.pk] if with_pk else [])
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("name", ["vote", "unvote", "comment", "subscribe", "unsubscribe"])
def test_actions_refuse_get(client, bob, name):
    proposal = post(bob)
    client.force_login(bob)

    assert client.get(reverse(f"voice:{name}", args=[proposal.pk])).status_code == 405


def test_new_and_edit_refuse_put(client, bob):
    proposal = post(bob)
    client.force_login(bob)

    assert client.put(reverse("voice:new")).status_code == 405
    assert client.put(reverse("voice:edit", args=[proposal.pk])).status_code == 405


# --- The board -------------------------------------------------------------------------


def test_board_lists_visible_proposals_with_their_numbers(client, alice, bob, charlie):
    printer = post(bob, title="Printer queue")
    hidden = post(bob, title="Rude words")
    Proposal.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_reason="rude")
    merged = post(bob, title="Printer again")
    Proposal.objects.filter(pk=merged.pk).update(status=ProposalStatus.MERGED, merged_into=printer)
    services.do_vote(alice, printer, "")
    services.do_vote(charlie, printer, "")
    services.do_comment(charlie, printer, "Same.")
    Answer.objects.create(
        proposal=printer, lead=alice, from_status="new", to_status="planned", body="Yes."
    )
    Proposal.objects.filter(pk=printer.pk).update(
        status=ProposalStatus.PLANNED, first_answer_at=timezone.now()
    )
    client.force_login(charlie)

    response = client.get(reverse("voice:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Printer queue" in html
    assert "Rude words" not in html
    assert "Printer again" not in html
    line = row(html, printer)
    assert '<td class="vote-count">2</td>' in line
    assert '<td class="comment-count">1</td>' in line
    assert "Planned" in line
    assert "Answered" in line
    assert "Workplace" in line


def test_board_htmx_gets_only_the_rows(client, bob):
    post(bob, title="Printer queue")
    client.force_login(bob)

    response = client.get(reverse("voice:home"), headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html
    assert "Printer queue" in html
    assert "board-filters" not in html


def test_board_filters_by_area_and_status(client, bob):
    tools = post(bob, title="Slow laptop", area=Area.TOOLS)
    post(bob, title="Cold office", area=Area.WORKPLACE)
    done = post(bob, title="Old VPN", area=Area.TOOLS)
    Proposal.objects.filter(pk=done.pk).update(status=ProposalStatus.DONE)
    client.force_login(bob)

    html = client.get(reverse("voice:home"), {"area": "tools", "status": "new"}).content.decode()

    assert f'data-proposal="{tools.pk}"' in html
    assert "Cold office" not in html
    assert "Old VPN" not in html


def test_board_sorts(client, bob, alice, charlie):
    with time_machine.travel(NOW, tick=False):
        oldest = post(bob, title="Oldest")
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        popular = post(bob, title="Popular")
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        newest = post(bob, title="Newest")
    services.do_vote(alice, popular)
    services.do_vote(charlie, popular)
    services.do_vote(alice, newest)
    # Answered proposals stop waiting: the oldest unanswered one leads that list.
    Proposal.objects.filter(pk=oldest.pk).update(first_answer_at=timezone.now())
    client.force_login(bob)

    def order(sort: str) -> list[int]:
        html = client.get(reverse("voice:home"), {"sort": sort}).content.decode()
        positions = {p.pk: html.find(f'data-proposal="{p.pk}"') for p in (oldest, popular, newest)}
        return [pk for pk, _at in sorted(positions.items(), key=lambda item: item[1])]

    assert order("top") == [popular.pk, newest.pk, oldest.pk]
    assert order("new") == [newest.pk, popular.pk, oldest.pk]
    assert order("waiting") == [popular.pk, newest.pk, oldest.pk]


def test_board_paginates(client, bob, monkeypatch):
    monkeypatch.setattr("workmate.voice.views.BOARD_PAGE_SIZE", 2)
    for number in range(3):
        post(bob, title=f"Proposal {number}")
    client.force_login(bob)

    first = client.get(reverse("voice:home"), {"sort": "new"}).content.decode()
    second = client.get(reverse("voice:home"), {"sort": "new", "page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert "sort=new&amp;page=2" in first
    assert "Proposal 0" in second and "Proposal 2" not in second


def test_board_query_count_does_not_grow_with_proposals(client, bob, alice):
    def count_queries(how_many: int) -> int:
        Proposal.objects.all().delete()
        for number in range(how_many):
            proposal = post(bob, title=f"P{number}")
            ProposalComment.objects.create(proposal=proposal, author=alice, body="x")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("voice:home"))
        assert response.status_code == 200
        return len(queries)

    client.force_login(bob)
    assert count_queries(10) == count_queries(200)


# --- A proposal ------------------------------------------------------------------------


def test_proposal_page_shows_problem_author_answers_votes_and_comments(client, alice, bob, charlie):
    proposal = post(bob, suggestion="Buy *two*.")
    services.do_vote(charlie, proposal, "20 minutes a day")
    services.do_comment(charlie, proposal, "Me as well.")
    Answer.objects.create(
        proposal=proposal, lead=alice, from_status="new", to_status="under_review", body="First."
    )
    Answer.objects.create(
        proposal=proposal, lead=alice, from_status="under_review", to_status="planned", body="Next."
    )
    client.force_login(charlie)

    response = client.get(reverse("voice:proposal", args=[proposal.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>jams</strong>" in html
    assert "<em>two</em>" in html
    assert 'class="voice-author">Bob Lee<' in html
    assert html.index("First.") < html.index("Next.")
    assert "Under review → Planned" in html
    assert "20 minutes a day" in html
    assert "Me as well." in html
    assert "Take back my vote" in html


def test_proposal_page_of_anonymous_one_says_anonymous(client, bob, charlie):
    proposal = post(bob, anonymous=True)
    client.force_login(charlie)

    html = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()

    assert 'class="voice-author">Anonymous<' in html
    assert "Bob Lee" not in html


def test_hidden_proposal_is_404_for_others(client, bob, charlie):
    proposal = post(bob)
    Proposal.objects.filter(pk=proposal.pk).update(hidden_at=timezone.now(), hidden_reason="x")
    client.force_login(charlie)

    assert client.get(reverse("voice:proposal", args=[proposal.pk])).status_code == 404
    assert client.post(reverse("voice:vote", args=[proposal.pk])).status_code == 404
    assert not Vote.objects.exists()


def test_merged_proposal_redirects_to_the_kept_one(client, bob):
    kept = post(bob, title="Kept")
    merged = post(bob, title="Dup")
    Proposal.objects.filter(pk=merged.pk).update(status=ProposalStatus.MERGED, merged_into=kept)
    client.force_login(bob)

    response = client.get(reverse("voice:proposal", args=[merged.pk]))

    assert response.status_code == 302
    assert response.url == reverse("voice:proposal", args=[kept.pk])


# --- Voting ----------------------------------------------------------------------------


def test_vote_without_htmx_stores_and_redirects(client, bob, charlie):
    proposal = post(bob)
    client.force_login(charlie)
    url = reverse("voice:vote", args=[proposal.pk])

    response = client.post(url, {"comment": "an hour a week"})
    client.post(url, {"comment": "two hours"})

    assert response.status_code == 302
    assert response.url == reverse("voice:proposal", args=[proposal.pk])
    proposal.refresh_from_db()
    assert proposal.vote_count == 1
    assert Vote.objects.get().comment == "two hours"


def test_vote_with_htmx_returns_the_vote_box(client, bob, charlie):
    proposal = post(bob)
    client.force_login(charlie)

    response = client.post(
        reverse("voice:vote", args=[proposal.pk]), {"comment": "lost mornings"}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="proposal-votes"' in html
    assert "1 vote" in html
    assert "lost mornings" in html
    assert Vote.objects.filter(user=charlie).exists()


def test_unvote_removes_the_vote(client, bob, charlie):
    proposal = post(bob)
    services.do_vote(charlie, proposal)
    client.force_login(charlie)

    response = client.post(reverse("voice:unvote", args=[proposal.pk]), headers=HTMX)

    assert "0 votes" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.vote_count == 0
    assert not Vote.objects.exists()


def test_vote_on_merged_proposal_is_refused_with_a_message(client, bob, charlie):
    kept = post(bob, title="Kept")
    merged = post(bob, title="Dup")
    Proposal.objects.filter(pk=merged.pk).update(status=ProposalStatus.MERGED, merged_into=kept)
    client.force_login(charlie)

    response = client.post(reverse("voice:vote", args=[merged.pk]), follow=True)

    assert "merged into another one" in response.content.decode()
    assert not Vote.objects.exists()


# --- Comments and following ------------------------------------------------------------


def test_comment_without_htmx_stores_and_redirects(client, bob, charlie):
    proposal = post(bob)
    client.force_login(charlie)

    response = client.post(reverse("voice:comment", args=[proposal.pk]), {"body": "Same here."})

    assert response.status_code == 302
    assert ProposalComment.objects.get().body == "Same here."


def test_comment_with_htmx_returns_the_thread(client, bob, charlie):
    proposal = post(bob)
    client.force_login(charlie)

    response = client.post(
        reverse("voice:comment", args=[proposal.pk]), {"body": "Same here."}, headers=HTMX
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="proposal-comments"' in html
    assert "Same here." in html and "Charlie Park" in html


def test_empty_comment_shows_an_error(client, bob, charlie):
    proposal = post(bob)
    client.force_login(charlie)

    full = client.post(reverse("voice:comment", args=[proposal.pk]), {"body": " "})
    partial = client.post(reverse("voice:comment", args=[proposal.pk]), {"body": ""}, headers=HTMX)

    assert full.status_code == 400
    assert "<html" in full.content.decode()
    assert partial.status_code == 200
    assert 'class="error"' in partial.content.decode()
    assert not ProposalComment.objects.exists()


def test_subscribe_and_unsubscribe(client, bob, charlie):
    proposal = post(bob)
    client.force_login(charlie)

    on = client.post(reverse("voice:subscribe", args=[proposal.pk]), headers=HTMX)
    assert Subscription.objects.filter(proposal=proposal, user=charlie).exists()
    assert "Subscribed" in on.content.decode() and "<html" not in on.content.decode()
    off = client.post(reverse("voice:unsubscribe", args=[proposal.pk]))
    assert off.status_code == 302
    assert not Subscription.objects.filter(proposal=proposal, user=charlie).exists()


# --- Posting ---------------------------------------------------------------------------


def test_new_form_explains_anonymity(client, bob):
    client.force_login(bob)

    html = client.get(reverse("voice:new")).content.decode()

    assert "Post anonymously" in html
    assert "not leads, not admins" in html


def test_posting_anonymously(client, bob, team):
    client.force_login(bob)

    response = client.post(
        reverse("voice:new"),
        {
            "title": "Too many meetings",
            "problem": "Three stand-ups a day.",
            "area": "process",
            "affected_teams": [team.pk],
            "anonymous": "on",
        },
    )

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("voice:proposal", args=[proposal.pk])
    assert proposal.author_id is None and proposal.is_anonymous
    assert proposal.is_by(bob)
    assert list(proposal.affected_teams.all()) == [team]


def test_posting_without_a_problem_shows_the_error(client, bob):
    client.force_login(bob)

    response = client.post(reverse("voice:new"), {"title": "X", "problem": "", "area": "tools"})

    assert response.status_code == 400
    assert 'id="id_problem_error"' in response.content.decode()
    assert not Proposal.objects.exists()


# --- Editing ---------------------------------------------------------------------------


def test_author_edits_within_the_window(client, bob):
    with time_machine.travel(NOW, tick=False):
        proposal = post(bob, anonymous=True)
    client.force_login(bob)
    with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
        form = client.get(reverse("voice:edit", args=[proposal.pk]))
        response = client.post(
            reverse("voice:edit", args=[proposal.pk]),
            {"title": "Printer queue!", "problem": "Still jams.", "area": "tools"},
        )

    assert form.status_code == 200 and "Printer queue" in form.content.decode()
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.problem, proposal.area) == (
        "Printer queue!",
        "Still jams.",
        "tools",
    )
    assert proposal.author_id is None


def test_edit_by_others_or_too_late_is_403(client, bob, charlie):
    with time_machine.travel(NOW, tick=False):
        proposal = post(bob)
    url = reverse("voice:edit", args=[proposal.pk])
    data = {"title": "Hacked", "problem": "x", "area": "tools"}
    with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
        client.force_login(charlie)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        client.force_login(bob)
        assert client.post(url, data).status_code == 403
    proposal.refresh_from_db()
    assert proposal.title == "Printer queue"


# --- Mine ------------------------------------------------------------------------------


def test_mine_lists_my_proposals_with_status_and_latest_answer(client, alice, bob, charlie):
    named = post(bob, title="Named one")
    secret = post(bob, title="Secret one", anonymous=True)
    post(charlie, title="Charlie's")
    Answer.objects.create(
        proposal=secret, lead=alice, from_status="new", to_status="under_review", body="Old answer"
    )
    Answer.objects.create(
        proposal=secret, lead=alice, from_status="under_review", to_status="planned", body="Newest"
    )
    Proposal.objects.filter(pk=secret.pk).update(status=ProposalStatus.PLANNED)
    client.force_login(bob)

    html = client.get(reverse("voice:mine")).content.decode()

    assert f'data-proposal="{named.pk}"' in html
    assert f'data-proposal="{secret.pk}"' in html
    assert "Charlie&#x27;s" not in html and "Charlie's" not in html
    mine = html.split(f'data-proposal="{secret.pk}"')[1].split("</li>")[0]
    assert "Planned" in mine and "Anonymous" in mine
    assert "Newest" in mine and "Old answer" not in mine


def test_leads_get_a_link_to_their_controls_and_members_do_not(client, alice, bob):
    proposal = post(bob)
    lead_url = reverse("voice:lead_proposal", args=[proposal.pk])

    client.force_login(alice)
    as_lead = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()
    board_as_lead = client.get(reverse("voice:home")).content.decode()
    client.force_login(bob)
    as_member = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()
    board_as_member = client.get(reverse("voice:home")).content.decode()

    assert f'href="{lead_url}"' in as_lead
    assert f'href="{lead_url}"' not in as_member
    assert reverse("voice:waiting") in board_as_lead
    assert reverse("voice:waiting") not in board_as_member
    assert reverse("voice:scoreboard") in board_as_member


def test_pages_speak_korean(client, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    proposal = post(bob, anonymous=True)
    client.force_login(bob)

    board = client.get(reverse("voice:home")).content.decode()
    page = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()
    form = client.get(reverse("voice:new")).content.decode()

    assert "새 제안" in board and "근무 환경" in board
    assert "익명" in page and "나도 불편해요" in page and "구독" in page
    assert "익명으로 게시" in form


def test_posting_without_an_area_asks_for_one(client, bob):
    client.force_login(bob)

    response = client.post(reverse("voice:new"), {"title": "X", "problem": "Y", "area": ""})

    assert response.status_code == 400
    assert 'id="id_area_error"' in response.content.decode()
    assert not Proposal.objects.exists()
