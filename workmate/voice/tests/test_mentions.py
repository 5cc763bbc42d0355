"""@mentions in proposal comments and replies: told, following, linked; never silently."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_user
from workmate.testing.openapi import token_client
from workmate.voice import services
from workmate.voice.models import Area, Subscription


@pytest.fixture
def haeun(db):
    return make_user(email="haeun.yoon@example.com", full_name="윤하은", language="ko")


def post(user, **overrides):
    fields = {"title": "Printer queue", "problem": "Jams.", "area": Area.TOOLS}
    fields.update(overrides)
    return services.do_post_proposal(user, **fields)


def test_comment_mention_by_name_tells_them_and_they_follow(alice, bob, haeun):
    proposal = post(bob)

    comment = services.do_comment(alice, proposal, "@윤하은님 의견 주세요")

    assert comment.body == f"@**윤하은|{haeun.pk}**님 의견 주세요"
    [told] = Notification.objects.filter(recipient=haeun)
    assert (told.kind, told.title) == (Kind.MENTION, "Printer queue")
    assert told.url.endswith(f"#comment-{comment.pk}")
    assert services.is_following(haeun, proposal)


def test_unknown_mention_is_refused_and_nothing_is_written(alice, bob):
    proposal = post(bob)

    with pytest.raises(ValidationError) as refused:
        services.do_comment(alice, proposal, "@nobody look")

    assert refused.value.message_dict["body"] == ["Nobody is called @nobody."]
    assert not proposal.comments.exists()
    assert not Notification.objects.exists()


def test_a_mentioned_reply_author_is_told_once(alice, bob, charlie):
    proposal = post(bob)
    root = services.do_comment(charlie, proposal, "Same here.")

    services.do_comment(alice, proposal, "@Charlie Park which printer?", parent=root)

    assert list(Notification.objects.values_list("recipient__email", "kind")) == [
        ("charlie@example.com", Kind.MENTION)
    ]


def test_mentioning_an_anonymous_author_adds_no_row_that_names_them(alice, bob):
    proposal = post(bob, anonymous=True)
    services.do_unsubscribe(bob, proposal)

    services.do_comment(alice, proposal, "@bob can you say more?")

    proposal.refresh_from_db()
    assert proposal.author_follows
    assert not Subscription.objects.filter(user=bob).exists()


def test_page_links_mentions_in_a_fixed_number_of_queries(client, alice, bob, charlie, haeun):
    proposal = post(bob)
    services.do_comment(alice, proposal, "@윤하은 보세요")
    client.force_login(bob)
    url = reverse("voice:proposal", args=[proposal.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert 'class="mention" rel="noopener noreferrer nofollow">@윤하은</a> 보세요' in page
        return len(queries)

    one = count()
    for number in range(5):
        services.do_comment(charlie, proposal, f"@Alice Kim and @윤하은 #{number}")
    assert count() == one


def test_api_comment_with_a_mention(alice, bob, haeun):
    proposal = post(bob)

    response = token_client(alice).post(
        f"/api/v1/voice/proposals/{proposal.pk}/comments",
        {"body": "@haeun.yoon please look"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert Notification.objects.filter(recipient=haeun, kind=Kind.MENTION).exists()
    unknown = token_client(alice).post(
        f"/api/v1/voice/proposals/{proposal.pk}/comments",
        {"body": "@ghost please look"},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["body"] == ["Nobody is called @ghost."]


def test_comment_forms_offer_the_autocomplete(client, bob):
    proposal = post(bob)
    root = services.do_comment(bob, proposal, "First")
    client.force_login(bob)

    page = client.get(
        reverse("voice:proposal", args=[proposal.pk]), {"reply": root.pk}
    ).content.decode()

    assert page.count(f'data-mention-url="{reverse("work:mention_people")}"') == 2
    assert page.count('data-mention=""') == 2
