"""Anonymous proposals never show who wrote them: not on the board, not on the proposal,
not in the admin, not in anyone else's "mine" — only the author finds them, under "mine".
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.accounts.models import OrgRole
from workmate.inbox.delivery import notification_message
from workmate.inbox.models import Notification
from workmate.testing.factories import make_user
from workmate.testing.openapi import token_client
from workmate.voice import services
from workmate.voice.models import Area, Proposal

HTMX = {"HX-Request": "true"}
NAME = "Zebulon Quillfeather"
EMAIL = "zq.secret-author@example.com"


@pytest.fixture
def author(db, team):
    from workmate.testing.factories import add_member

    user = make_user(full_name=NAME, email=EMAIL)
    add_member(team, user)
    return user


@pytest.fixture
def secret(author, team) -> Proposal:
    return services.do_post_proposal(
        author,
        title="Night shifts are unfair",
        problem="The rota always lands on the same people.",
        suggestion="Rotate it.",
        area=Area.PAY_LEVELS,
        affected_teams=[team],
        anonymous=True,
    )


@pytest.fixture
def superuser(db):
    return make_user(
        full_name="Root Admin", email="root@example.com", is_staff=True, is_superuser=True
    )


def assert_no_author(html: str, proposal: Proposal) -> None:
    assert NAME not in html
    assert "Zebulon" not in html
    assert "Quillfeather" not in html
    assert EMAIL not in html
    assert "zq.secret-author" not in html
    assert proposal.author_digest not in html
    assert proposal.nonce not in html


def test_database_row_has_no_author(secret, author):
    secret.refresh_from_db()

    assert secret.author_id is None
    assert secret.is_anonymous
    assert not Proposal.objects.filter(author=author).exists()


@pytest.mark.parametrize("viewer", ["alice", "bob", "charlie"])
def test_board_and_proposal_pages_never_show_the_author(client, request, secret, viewer):
    client.force_login(request.getfixturevalue(viewer))

    board = client.get(reverse("voice:home")).content.decode()
    board_htmx = client.get(reverse("voice:home"), headers={"HX-Request": "true"})
    page = client.get(reverse("voice:proposal", args=[secret.pk])).content.decode()

    assert "Night shifts are unfair" in board
    assert "Rotate it." in page
    assert "Anonymous" in page
    for html in (board, board_htmx.content.decode(), page):
        assert_no_author(html, secret)


def test_an_executive_sees_no_author_either(client, secret):
    executive = make_user(org_role=OrgRole.EXECUTIVE)
    client.force_login(executive)

    page = client.get(reverse("voice:proposal", args=[secret.pk])).content.decode()

    assert "Anonymous" in page
    assert_no_author(page, secret)


def test_another_persons_mine_does_not_list_it(client, secret, alice, bob):
    for person in (alice, bob):
        client.force_login(person)
        html = client.get(reverse("voice:mine")).content.decode()
        assert "Night shifts are unfair" not in html
        assert_no_author(html, secret)


def test_the_author_finds_it_under_mine(client, secret, author):
    client.force_login(author)

    html = client.get(reverse("voice:mine")).content.decode()

    assert f'data-proposal="{secret.pk}"' in html
    assert "Night shifts are unfair" in html


def test_admin_changelist_and_change_page_never_show_the_author(client, secret, superuser):
    client.force_login(superuser)

    changelist = client.get(reverse("admin:voice_proposal_changelist"))
    change = client.get(reverse("admin:voice_proposal_change", args=[secret.pk]))

    assert changelist.status_code == 200 and change.status_code == 200
    assert "Night shifts are unfair" in changelist.content.decode()
    assert "Anonymous" in changelist.content.decode()
    assert "Rotate it." in change.content.decode()
    assert_no_author(changelist.content.decode(), secret)
    assert_no_author(change.content.decode(), secret)


def test_admin_search_by_the_authors_name_does_not_find_it(client, secret, superuser):
    client.force_login(superuser)

    for query in (NAME, "Zebulon", EMAIL):
        response = client.get(reverse("admin:voice_proposal_changelist"), {"q": query})
        html = response.content.decode()
        assert "Night shifts are unfair" not in html
        assert "0 results" in html


def test_admin_has_no_subscription_list_that_would_pair_the_author(client, secret, superuser):
    # The author follows their proposal from the moment it is posted; a list of
    # subscriptions would name them beside it.
    client.force_login(superuser)

    index = client.get(reverse("admin:index")).content.decode()

    assert "/admin/voice/subscription/" not in index


def test_the_author_voting_and_commenting_does_not_mark_them_as_author(client, secret, author, bob):
    services.do_vote(author, secret, "")
    client.force_login(bob)

    page = client.get(reverse("voice:proposal", args=[secret.pk])).content.decode()

    # The vote carries their name, as every vote does, but nothing says they wrote it.
    assert 'class="voice-author">Anonymous<' in page
    assert "Yours" not in page


# --- Comment threads -------------------------------------------------------------------


def notification_texts(notification: Notification) -> list[str]:
    """Everything a notification says: the inbox sentence and the e-mail it would send."""
    message = notification_message(notification)
    html = message.alternatives[0][0]
    return [notification.sentence(), notification.excerpt, message.subject, message.body, html]


def test_replies_on_an_anonymous_proposal_never_show_its_author(
    client, secret, alice, bob, charlie
):
    top = services.do_comment(bob, secret, "Which rota?")
    first = services.do_comment(charlie, secret, "The weekend one.", top)
    services.do_comment(alice, secret, "Since March.", first)
    page_url = reverse("voice:proposal", args=[secret.pk])
    reply_url = reverse("voice:reply", args=[top.pk])
    texts = []
    for viewer in (alice, bob, charlie):
        client.force_login(viewer)
        texts.append(client.get(page_url).content.decode())
        texts.append(client.get(f"{page_url}?reply={top.pk}").content.decode())
        texts.append(client.get(reply_url, headers=HTMX).content.decode())
        posted = client.post(reply_url, {"body": f"Agreed, {viewer.pk}."}, headers=HTMX)
        texts.append(posted.content.decode())
        texts.append(client.post(reply_url, {"body": ""}, headers=HTMX).content.decode())
        texts.append(client.post(reply_url, {"body": ""}).content.decode())
        api = token_client(viewer).get(f"/api/v1/voice/proposals/{secret.pk}/comments")
        assert api.status_code == 200
        texts.append(api.content.decode())
    notifications = list(Notification.objects.all())

    # Bob hears of every reply in his thread but his own; Charlie of Alice's reply to his.
    assert len(notifications) == 5
    assert {n.recipient for n in notifications} == {bob, charlie}
    for notification in notifications:
        texts.extend(notification_texts(notification))
    assert "Agreed" in texts[3]
    for text in texts:
        assert_no_author(text, secret)


def test_the_author_replying_on_their_own_anonymous_proposal_is_told_like_anyone(
    client, secret, author, bob, charlie
):
    """Comments carry their writer's name, the author's too (the form says so), and the
    notification names the replier exactly as for anyone else. Were the author's replies
    announced as "Someone", the signed reply behind the link would name the author."""
    top = services.do_comment(bob, secret, "Which rota?")
    by_author = services.do_comment(author, secret, "The weekend one.", top)
    by_other = services.do_comment(charlie, secret, "Mine too.", top)

    from_author = Notification.objects.get(recipient=bob, actor=author)
    from_other = Notification.objects.get(recipient=bob, actor=charlie)
    assert from_author.sentence() == f"{NAME} commented on Night shifts are unfair"
    assert from_other.sentence() == "Charlie Park commented on Night shifts are unfair"
    for field in ("kind", "title", "group_key", "channel"):
        assert getattr(from_author, field) == getattr(from_other, field)
    assert from_author.url.endswith(f"#comment-{by_author.pk}")
    assert from_other.url.endswith(f"#comment-{by_other.pk}")
    for text in notification_texts(from_author):
        assert "Someone" not in text
        assert "nonymous" not in text
        assert "Yours" not in text
        assert secret.author_digest not in text and secret.nonce not in text
    client.force_login(bob)
    thread = client.post(
        reverse("voice:reply", args=[top.pk]), {"body": "Thanks."}, headers=HTMX
    ).content.decode()
    page = client.get(reverse("voice:proposal", args=[secret.pk])).content.decode()
    # The reply is signed like any other; nothing beside it says who wrote the proposal.
    assert NAME in thread and NAME in page
    assert 'class="voice-author">Anonymous<' in page
    assert "Yours" not in page and "Yours" not in thread
    assert secret.author_digest not in page and secret.nonce not in page


def test_the_anonymous_author_hears_of_replies_without_being_named_as_author(secret, author, bob):
    mine = services.do_comment(author, secret, "I hit this every week.")

    services.do_comment(bob, secret, "Same for me.", mine)

    notification = Notification.objects.get()
    assert notification.recipient == author
    assert notification.actor == bob
    for text in notification_texts(notification):
        assert "nonymous" not in text and "Yours" not in text
