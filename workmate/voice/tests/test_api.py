"""The voice API (/api/v1/voice/): list with filters, sorts and cursor pages, read, post,
vote and unvote, answer with a status, "mine" — through the same services as the pages,
and never showing who wrote an anonymous proposal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from workmate.inbox.models import Notification
from workmate.testing.factories import add_member, make_team, make_user
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client
from workmate.voice import leads, services
from workmate.voice.models import Answer, Area, Proposal, ProposalComment, ProposalStatus, Vote

JSON = "application/json"
BASE = "/api/v1/voice"
CREATE = f"{BASE}/proposals"
NAME = "Ottoline Wrenbury"
EMAIL = "ow.hidden-author@example.com"

UNAUTHORIZED = {"detail": "Send a personal API token as “Authorization: Bearer wm_…”."}


@pytest.fixture
def document(db):
    return fetch_schema(Client())


@pytest.fixture
def author(team):
    """Someone who posts anonymously, with a name and e-mail found nowhere else."""
    user = make_user(full_name=NAME, email=EMAIL)
    add_member(team, user)
    return user


@pytest.fixture
def secret(author, team) -> Proposal:
    return services.do_post_proposal(
        author,
        title="Night shifts are unfair",
        problem="The rota always lands on the same people.",
        area=Area.PAY_LEVELS,
        affected_teams=[team],
        anonymous=True,
    )


@pytest.fixture
def named(bob) -> Proposal:
    return services.do_post_proposal(
        bob, title="Faster VPN", problem="The VPN drops every hour.", area=Area.TOOLS
    )


def post(client: Client, path: str, **data: object):
    return client.post(path, data, content_type=JSON)


def url(proposal: Proposal | int, suffix: str = "") -> str:
    return f"{BASE}/proposals/{getattr(proposal, 'pk', proposal)}{suffix}"


def assert_no_author(text: str, proposal: Proposal) -> None:
    for hidden in (NAME, "Ottoline", "Wrenbury", EMAIL, "ow.hidden-author"):
        assert hidden not in text
    assert proposal.author_digest not in text
    assert proposal.nonce not in text


# --- Reading ---------------------------------------------------------------------------


def test_list_shows_visible_proposals_with_named_and_anonymous_authors(alice, bob, named, secret):
    response = token_client(alice).get(f"{BASE}/proposals")
    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()["items"]}
    assert set(items) == {named.pk, secret.pk}
    assert items[named.pk]["author"] == {"name": "Bob Lee"}
    assert items[named.pk]["anonymous"] is False
    assert items[secret.pk]["author"] is None
    assert items[secret.pk]["anonymous"] is True
    assert items[secret.pk]["affected_teams"] == ["TE"]


def test_list_leaves_out_hidden_and_merged(alice, bob, named, secret):
    other = services.do_post_proposal(bob, title="VPN again", problem="Drops.", area=Area.TOOLS)
    leads.do_merge(alice, other, named, "Same as the VPN one.")
    leads.do_hide(alice, secret, "Names a colleague.")
    ids = [item["id"] for item in token_client(bob).get(f"{BASE}/proposals").json()["items"]]
    assert ids == [named.pk]


def test_list_filters_and_sorts(alice, bob, charlie):
    def make(title: str, area: str, votes: int = 0) -> Proposal:
        proposal = services.do_post_proposal(bob, title=title, problem="x", area=area)
        for voter in [alice, bob, charlie][:votes]:
            services.do_vote(voter, proposal)
        return proposal

    old = make("Old", Area.TOOLS, votes=1)
    popular = make("Popular", Area.PROCESS, votes=3)
    answered = make("Answered", Area.TOOLS, votes=2)
    leads.do_change_status(alice, answered, ProposalStatus.UNDER_REVIEW, "Looking at it.")
    newest = make("Newest", Area.WORKPLACE)
    api = token_client(charlie)

    def ids(**params: object) -> list[int]:
        response = api.get(f"{BASE}/proposals", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [popular.pk, answered.pk, old.pk, newest.pk]
    assert ids(sort="new") == [newest.pk, answered.pk, popular.pk, old.pk]
    assert ids(sort="waiting") == [old.pk, popular.pk, newest.pk, answered.pk]
    assert ids(area="tools") == [answered.pk, old.pk]
    assert ids(status="under_review") == [answered.pk]
    assert api.get(f"{BASE}/proposals", {"sort": "random"}).status_code == 422
    bad_cursor = api.get(f"{BASE}/proposals", {"cursor": "nonsense"})
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.json()["errors"]


@pytest.mark.parametrize("sort", ["top", "new", "waiting"])
def test_cursor_pages_walk_every_proposal_once(alice, bob, charlie, sort):
    created = []
    for number in range(12):
        proposal = services.do_post_proposal(bob, title=f"P{number}", problem="x", area="other")
        # Ties in votes and answers, so the later keys decide the order too.
        if number % 3 == 0:
            services.do_vote(charlie, proposal)
        if number % 4 == 0:
            leads.do_change_status(alice, proposal, ProposalStatus.PLANNED, "Planned.")
        created.append(proposal.pk)
    api = token_client(charlie)
    everything = [
        item["id"] for item in api.get(f"{BASE}/proposals", {"sort": sort}).json()["items"]
    ]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"sort": sort, "limit": 5, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"{BASE}/proposals", params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    assert sorted(seen) == sorted(created)


def test_get_shows_the_answers_timeline_and_votes(alice, charlie, named):
    services.do_vote(charlie, named, "An hour a week")
    leads.do_change_status(alice, named, ProposalStatus.UNDER_REVIEW, "We look into it.")
    leads.do_change_status(alice, named, ProposalStatus.PLANNED, "Next sprint.")
    response = token_client(charlie).get(url(named))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "planned"
    assert body["voted"] is True
    assert [(a["from_status"], a["to_status"], a["body"]) for a in body["answers"]] == [
        ("new", "under_review", "We look into it."),
        ("under_review", "planned", "Next sprint."),
    ]
    assert body["answers"][0]["lead"] == {"name": "Alice Kim"}
    assert body["votes"] == [
        {
            "voter": {"name": "Charlie Park"},
            "comment": "An hour a week",
            "created_at": body["votes"][0]["created_at"],
        }
    ]


def test_hidden_proposal_is_404_for_others_but_not_for_leads(alice, bob, charlie, named):
    leads.do_hide(alice, named, "Off topic.")
    assert token_client(charlie).get(url(named)).status_code == 404
    assert token_client(bob).get(url(named)).json()["hidden"] is True
    assert token_client(alice).get(url(named)).status_code == 200
    assert token_client(charlie).get(url(999_999)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/proposals"),
        ("get", "/proposals/{pk}"),
        ("post", "/proposals"),
        ("post", "/proposals/{pk}/vote"),
        ("delete", "/proposals/{pk}/vote"),
        ("post", "/proposals/{pk}/status"),
        ("get", "/mine"),
        ("get", "/proposals/{pk}/comments"),
        ("post", "/proposals/{pk}/comments"),
    ],
)
def test_logged_out_and_bad_token_get_401(named, method, path):
    full = BASE + path.format(pk=named.pk)
    english = {"Accept-Language": "en"}
    bad = {**english, "Authorization": "Bearer wm_not-a-token"}
    for client in (Client(headers=english), Client(headers=bad)):
        response = getattr(client, method)(full, {}, content_type=JSON)
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
    assert Vote.objects.count() == 0
    assert Proposal.objects.count() == 1
    assert ProposalComment.objects.count() == 0


# --- Posting ---------------------------------------------------------------------------


def test_create_posts_a_named_proposal(bob, team):
    response = post(
        token_client(bob),
        CREATE,
        title="Printer queue",
        problem="Jobs get stuck.",
        suggestion="Restart nightly.",
        area="tools",
        affected_teams=["TE"],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    proposal = Proposal.objects.get(pk=body["id"])
    assert (proposal.title, proposal.problem, proposal.suggestion) == (
        "Printer queue",
        "Jobs get stuck.",
        "Restart nightly.",
    )
    assert proposal.author == bob
    assert proposal.is_by(bob)
    assert list(proposal.affected_teams.all()) == [team]
    assert proposal.subscriptions.filter(user=bob).exists()
    assert body["author"] == {"name": "Bob Lee"}
    assert body["answers"] == []


def test_create_anonymous_stores_and_returns_no_author(author):
    response = post(
        token_client(author),
        CREATE,
        title="Pay bands are secret",
        problem="Nobody knows the bands.",
        area="pay_levels",
        anonymous=True,
    )
    assert response.status_code == 201
    proposal = Proposal.objects.get(pk=response.json()["id"])
    assert proposal.author is None
    assert proposal.is_anonymous
    assert proposal.is_by(author)
    assert response.json()["author"] is None
    assert response.json()["anonymous"] is True
    assert_no_author(response.content.decode(), proposal)


def test_create_with_empty_problem_is_400_with_field_message(bob):
    response = post(token_client(bob), CREATE, title="Something", problem="   ", area="tools")
    assert response.status_code == 400
    assert response.json()["errors"] == {"problem": ["Say what is inconvenient."]}
    assert response.json()["detail"] == "Say what is inconvenient."
    assert not Proposal.objects.exists()


def test_create_with_unknown_team_or_area_changes_nothing(bob):
    unknown = post(
        token_client(bob), CREATE, title="T", problem="P", area="tools", affected_teams=["ZZ"]
    )
    assert unknown.status_code == 400
    assert "affected_teams" in unknown.json()["errors"]
    assert post(token_client(bob), CREATE, title="T", problem="P", area="moon").status_code == 422
    assert not Proposal.objects.exists()


# --- Votes -----------------------------------------------------------------------------


def test_vote_twice_is_idempotent_and_updates_the_comment(charlie, named):
    api = token_client(charlie)
    first = post(api, url(named, "/vote"), comment="Two hours a week")
    assert first.status_code == 200
    assert first.json() == {
        "proposal_id": named.pk,
        "vote_count": 1,
        "comment": "Two hours a week",
    }
    again = post(api, url(named, "/vote"), comment="Three hours a week")
    assert again.status_code == 200
    assert again.json()["vote_count"] == 1
    named.refresh_from_db()
    assert named.vote_count == 1
    assert Vote.objects.get(proposal=named, user=charlie).comment == "Three hours a week"
    assert Vote.objects.count() == 1


def test_vote_without_a_body_or_comment(charlie, named):
    response = token_client(charlie).post(url(named, "/vote"), content_type=JSON)
    assert response.status_code == 200, response.content
    assert Vote.objects.get(proposal=named, user=charlie).comment == ""


def test_unvote_removes_the_vote_and_is_harmless_twice(bob, charlie, named):
    services.do_vote(charlie, named)
    services.do_vote(bob, named)
    api = token_client(charlie)
    assert api.delete(url(named, "/vote")).status_code == 204
    assert api.delete(url(named, "/vote")).status_code == 204
    named.refresh_from_db()
    assert named.vote_count == 1
    assert list(Vote.objects.values_list("user", flat=True)) == [bob.pk]


def test_vote_on_merged_proposal_is_400(alice, bob, charlie, named):
    other = services.do_post_proposal(bob, title="VPN again", problem="Drops.", area=Area.TOOLS)
    leads.do_merge(alice, other, named, "Duplicate.")
    response = post(token_client(charlie), url(other, "/vote"))
    assert response.status_code == 400
    assert not Vote.objects.filter(user=charlie).exists()


# --- Statuses --------------------------------------------------------------------------


def test_lead_changes_status_with_an_answer(alice, named):
    response = post(
        token_client(alice), url(named, "/status"), to_status="under_review", answer="On it."
    )
    assert response.status_code == 200, response.content
    named.refresh_from_db()
    assert named.status == ProposalStatus.UNDER_REVIEW
    assert named.first_answer_at is not None
    answer = Answer.objects.get(proposal=named)
    assert (answer.lead, answer.from_status, answer.body) == (alice, "new", "On it.")
    assert response.json()["status"] == "under_review"
    assert response.json()["answers"][0]["body"] == "On it."


def test_non_lead_gets_403_on_status(bob, charlie, named):
    for user in (bob, charlie):
        response = post(
            token_client(user), url(named, "/status"), to_status="declined", answer="Nope."
        )
        assert response.status_code == 403
        assert response.json()["detail"]
    named.refresh_from_db()
    assert named.status == ProposalStatus.NEW
    assert not Answer.objects.exists()


def test_status_without_an_answer_is_400(alice, named):
    api = token_client(alice)
    response = post(api, url(named, "/status"), to_status="planned", answer="  ")
    assert response.status_code == 400
    assert "answer" in response.json()["errors"]
    missing = post(api, url(named, "/status"), to_status="declined")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"answer": ["Give the reason for declining."]}
    merged = post(api, url(named, "/status"), to_status="merged", answer="Merged.")
    assert merged.status_code == 400
    assert "to_status" in merged.json()["errors"]
    named.refresh_from_db()
    assert named.status == ProposalStatus.NEW
    assert not Answer.objects.exists()


# --- Mine and anonymity ----------------------------------------------------------------


def test_mine_lists_own_proposals_including_anonymous(author, bob, named, secret):
    response = token_client(author).get(f"{BASE}/mine")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [secret.pk]
    assert response.json()["items"][0]["author"] is None
    assert [item["id"] for item in token_client(bob).get(f"{BASE}/mine").json()["items"]] == [
        named.pk
    ]


def test_anonymous_author_never_appears_in_any_response(alice, bob, charlie, author, secret):
    services.do_vote(charlie, secret, "Lost weekends")
    leads.do_change_status(alice, secret, ProposalStatus.UNDER_REVIEW, "We hear you.")
    superuser = make_user(full_name="Root", email="root@example.com", is_staff=True)
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    texts = []
    for user in (alice, bob, charlie, superuser, author):
        api = token_client(user)
        for path in ("/proposals", f"/proposals/{secret.pk}", "/proposals?sort=new"):
            response = api.get(BASE + path)
            assert response.status_code == 200
            texts.append(response.content.decode())
        texts.append(api.get(f"{BASE}/mine").content.decode())
    texts.append(
        post(
            token_client(alice), url(secret, "/status"), to_status="planned", answer="Ok"
        ).content.decode()
    )
    texts.append(post(token_client(bob), url(secret, "/vote")).content.decode())
    created = post(
        token_client(author), CREATE, title="Also", problem="Quiet", area="other", anonymous=True
    )
    texts.append(created.content.decode())
    # The people who may not know see nothing of the author in "mine" either.
    for user in (alice, bob, charlie, superuser):
        assert secret.pk not in [
            item["id"] for item in token_client(user).get(f"{BASE}/mine").json()["items"]
        ]
    for text in texts:
        assert_no_author(text, secret)
        assert_no_author(text, Proposal.objects.get(pk=created.json()["id"]))


# --- Schema and query counts -----------------------------------------------------------


def test_every_route_answers_as_documented(document, alice, bob, charlie, named):
    def call(client: Client, method: str, path: str, data=None, status: int = 200):
        kwargs = {"content_type": JSON} if method != "get" else {}
        response = getattr(client, method)(path, data or {}, **kwargs)
        assert response.status_code == status, (path, response.content)
        assert_matches_schema(document, method, path, response)
        return response

    lead, member, outsider = token_client(alice), token_client(bob), token_client(charlie)
    assert {path for path in document["paths"] if path.startswith(BASE)} == {
        f"{BASE}/proposals",
        f"{BASE}/proposals/{{proposal_id}}",
        f"{BASE}/proposals/{{proposal_id}}/vote",
        f"{BASE}/proposals/{{proposal_id}}/status",
        f"{BASE}/proposals/{{proposal_id}}/comments",
        f"{BASE}/mine",
    }
    created = call(
        member,
        "post",
        f"{BASE}/proposals",
        {"title": "Anon", "problem": "x", "area": "other", "anonymous": True},
        status=201,
    ).json()
    call(outsider, "get", f"{BASE}/proposals", {"sort": "waiting", "limit": 1})
    call(outsider, "get", url(created["id"]))
    call(outsider, "post", url(named, "/vote"), {"comment": "Costs me"})
    call(outsider, "delete", url(named, "/vote"), status=204)
    call(lead, "post", url(named, "/status"), {"to_status": "planned", "answer": "Yes"})
    call(member, "get", f"{BASE}/mine")
    top = call(outsider, "post", url(named, "/comments"), {"body": "Same"}, status=201).json()
    call(member, "post", url(named, "/comments"), {"body": "Ok", "parent_id": top["id"]}, 201)
    call(outsider, "get", url(named, "/comments"), {"limit": 1})
    call(member, "post", url(named, "/comments"), {"body": ""}, status=400)
    call(member, "post", url(named, "/comments"), {"body": "x", "parent_id": 999_999}, 400)
    call(member, "post", url(named, "/comments"), {}, status=422)
    call(outsider, "get", url(999_999, "/comments"), status=404)
    # Errors follow the documented error schema too.
    call(member, "post", f"{BASE}/proposals", {"title": "T", "problem": "", "area": "tools"}, 400)
    call(member, "post", url(named, "/status"), {"to_status": "done", "answer": "x"}, 403)
    call(outsider, "get", url(999_999), status=404)
    call(Client(), "get", f"{BASE}/proposals", status=401)
    call(member, "post", f"{BASE}/proposals", {"title": "No problem"}, 422)


def test_list_query_count_does_not_grow(bob, charlie, team):
    other_team = make_team(code="OT", name="Other")
    api = token_client(charlie)
    api.get(f"{BASE}/proposals")  # Token's first use writes `last_used_at` once.

    def make(count: int) -> None:
        for number in range(count):
            proposal = services.do_post_proposal(
                bob,
                title=f"P{number}",
                problem="x",
                area="tools",
                affected_teams=[team, other_team],
                anonymous=number % 2 == 0,
            )
            services.do_vote(charlie, proposal)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(f"{BASE}/proposals", {"limit": 200})
        assert response.status_code == 200
        return len(captured)

    make(10)
    ten = queries()
    make(50)
    sixty = queries()
    assert ten == sixty
    assert ten <= 4


# --- Comments and replies --------------------------------------------------------------


def test_comments_list_threads_by_parent_id(alice, bob, charlie, named):
    top = post(token_client(charlie), url(named, "/comments"), body="Same **here**.")
    assert top.status_code == 201
    reply = post(token_client(bob), url(named, "/comments"), body="Ok.", parent_id=top.json()["id"])
    nested = post(
        token_client(alice), url(named, "/comments"), body="Noted.", parent_id=reply.json()["id"]
    )

    assert top.json() == {
        "id": top.json()["id"],
        "proposal_id": named.pk,
        "parent_id": None,
        "author": {"name": "Charlie Park"},
        "body": "Same **here**.",
        "hidden": False,
        "hidden_reason": "",
        "created_at": top.json()["created_at"],
    }
    assert reply.status_code == 201 and reply.json()["parent_id"] == top.json()["id"]
    # A reply to a reply joins the top-level comment's thread.
    assert nested.status_code == 201 and nested.json()["parent_id"] == top.json()["id"]
    listed = token_client(bob).get(url(named, "/comments")).json()
    assert [(item["body"], item["parent_id"]) for item in listed["items"]] == [
        ("Same **here**.", None),
        ("Ok.", top.json()["id"]),
        ("Noted.", top.json()["id"]),
    ]
    assert listed["next_cursor"] is None
    told = Notification.objects.filter(url__endswith=f"#comment-{reply.json()['id']}")
    assert [n.recipient for n in told] == [charlie]


def test_comments_page_with_a_cursor(bob, charlie, named):
    for number in range(3):
        services.do_comment(charlie, named, f"C{number}")
    api = token_client(bob)

    first = api.get(url(named, "/comments"), {"limit": 2}).json()
    second = api.get(url(named, "/comments"), {"limit": 2, "cursor": first["next_cursor"]})

    assert [item["body"] for item in first["items"]] == ["C0", "C1"]
    assert [item["body"] for item in second.json()["items"]] == ["C2"]
    assert second.json()["next_cursor"] is None


def test_reply_to_a_comment_of_another_proposal_is_400_and_writes_nothing(bob, charlie, named):
    other = services.do_post_proposal(bob, title="Other", problem="x", area=Area.OTHER)
    elsewhere = services.do_comment(bob, other, "Elsewhere.")

    response = post(
        token_client(charlie), url(named, "/comments"), body="x", parent_id=elsewhere.pk
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"parent_id": ["That comment belongs to another proposal."]}
    assert ProposalComment.objects.count() == 1
    assert not Notification.objects.exists()


def test_reply_to_a_comment_you_cannot_see_is_400_like_a_missing_one(alice, bob, charlie, named):
    hidden = services.do_post_proposal(bob, title="Hidden", problem="x", area=Area.OTHER)
    secret_comment = services.do_comment(bob, hidden, "Inside.")
    leads.do_hide(alice, hidden, "Off topic.")

    unseen = post(
        token_client(charlie), url(named, "/comments"), body="x", parent_id=secret_comment.pk
    )
    missing = post(token_client(charlie), url(named, "/comments"), body="x", parent_id=999_999)

    assert unseen.status_code == missing.status_code == 400
    assert unseen.json() == missing.json()
    assert token_client(charlie).get(url(hidden, "/comments")).status_code == 404
    assert ProposalComment.objects.count() == 1


def test_empty_comment_is_400_and_writes_nothing(bob, charlie, named):
    top = services.do_comment(bob, named, "Top.")

    response = post(token_client(charlie), url(named, "/comments"), body="  ", parent_id=top.pk)

    assert response.status_code == 400
    assert response.json()["errors"] == {"body": ["Write something first."]}
    assert ProposalComment.objects.count() == 1


def test_hidden_comment_shows_only_the_moderation_note(alice, bob, charlie, named):
    top = services.do_comment(charlie, named, "Rude words.")
    services.do_comment(bob, named, "Still here.", top)
    leads.do_hide(alice, named, "Personal attack.", top)

    items = token_client(bob).get(url(named, "/comments")).json()["items"]

    assert items[0]["hidden"] is True
    assert items[0]["author"] is None and items[0]["body"] == ""
    assert items[0]["hidden_reason"] == "Personal attack."
    assert "Rude words." not in str(items)
    assert items[1]["body"] == "Still here." and items[1]["parent_id"] == top.pk


def test_comments_query_count_does_not_grow(bob, charlie, named):
    api = token_client(charlie)
    api.get(url(named, "/comments"))  # Token's first use writes `last_used_at` once.

    def queries(threads: int) -> int:
        for number in range(threads):
            top = services.do_comment(make_user(), named, f"T{number}")
            services.do_comment(make_user(), named, "R", top)
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url(named, "/comments"), {"limit": 200})
        assert response.status_code == 200
        return len(captured)

    assert queries(3) == queries(30)
