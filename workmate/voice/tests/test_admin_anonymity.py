"""No page of the admin connects an anonymous proposal to its author.

The test walks the whole admin with an anonymous proposal present: every registered
model's list (plain, searched by the author and by the proposal), and every object's
change, history and delete-confirmation pages, the author's and the proposal's included.
A page connects them when it names the author (name or address) and points at the
proposal (its title, its admin address, or "follows <its number>", how a subscription
row reads).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from workmate.testing.factories import make_user
from workmate.voice import leads, services
from workmate.voice.models import Area, Proposal, ProposalStatus

AUTHOR_NAME = "Dana Hidden"
AUTHOR_EMAIL = "dana.hidden@example.com"
TITLE = "Anonymous printer gripe"


@pytest.fixture
def superuser(db):
    return make_user(full_name="Root Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def author(db):
    return make_user(full_name=AUTHOR_NAME, email=AUTHOR_EMAIL)


@pytest.fixture
def proposal(author, alice, bob, charlie) -> Proposal:
    found = services.do_post_proposal(
        author, title=TITLE, problem="It jams.", area=Area.TOOLS, anonymous=True
    )
    # Other people take part in their own names, as they would.
    services.do_vote(bob, found, "an hour a week")
    services.do_comment(charlie, found, "Same here.")
    services.do_subscribe(bob, found)
    # A lead answers: everyone who follows is told, the author among them.
    leads.do_change_status(alice, found, ProposalStatus.UNDER_REVIEW, "Looking into it.")
    return found


def connects(page: str, proposal: Proposal) -> bool:
    names_author = AUTHOR_NAME in page or AUTHOR_EMAIL in page
    change_url = reverse("admin:voice_proposal_change", args=[proposal.pk])
    points_at_proposal = TITLE in page or change_url in page or f"follows {proposal.pk}<" in page
    return names_author and points_at_proposal


def admin_url(model, view: str, *args) -> str | None:
    meta = model._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def test_no_admin_page_connects_an_anonymous_proposal_to_its_author(
    client, superuser, author, proposal
):
    client.force_login(superuser)
    visited: list[str] = []

    def visit(url: str | None, **query: str) -> None:
        if url is None:
            return
        response = client.get(url, query)
        assert response.status_code in {200, 302, 403}, (url, response.status_code)
        page = response.content.decode()
        visited.append(url)
        assert not connects(page, proposal), f"{url} {query} connects the author"

    for model, model_admin in admin.site._registry.items():
        changelist = admin_url(model, "changelist")
        visit(changelist)
        if model_admin.search_fields:
            for term in (AUTHOR_NAME, AUTHOR_EMAIL, TITLE):
                visit(changelist, q=term)
        for item in model._default_manager.all()[:50]:
            visit(admin_url(model, "change", item.pk))
            visit(admin_url(model, "history", item.pk))
            visit(admin_url(model, "delete", item.pk))

    # The pages the finding was about were among them.
    user_delete = reverse("admin:accounts_user_delete", args=[author.pk])
    assert user_delete in visited
    assert reverse("admin:voice_proposal_change", args=[proposal.pk]) in visited
    assert reverse("admin:voice_proposal_history", args=[proposal.pk]) in visited


def test_the_authors_delete_page_lists_no_follow_of_their_anonymous_proposal(
    client, superuser, author, proposal
):
    client.force_login(superuser)

    page = client.get(reverse("admin:accounts_user_delete", args=[author.pk])).content.decode()

    assert AUTHOR_NAME in page
    assert f"follows {proposal.pk}" not in page
    assert TITLE not in page
    # The follow itself still works: the author hears of an answer.
    assert services.is_following(author, proposal)
    assert author in services.followers_of(proposal)


def test_the_notification_admin_leaves_out_what_people_were_told_about_proposals(
    client, superuser, author, proposal
):
    from workmate.inbox.models import Kind, Notification
    from workmate.inbox.services import notify

    # As the inbox tells a proposal's followers (the anonymous author among them).
    notify(
        [author],
        Kind.COMMENT,
        title=TITLE,
        url=f"/voice/{proposal.pk}/",
        group_key=f"proposal:{proposal.pk}",
    )
    assert Notification.objects.filter(recipient=author).exists()
    client.force_login(superuser)

    page = client.get(
        reverse("admin:inbox_notification_changelist"), {"q": AUTHOR_EMAIL}
    ).content.decode()

    assert TITLE not in page
    deleting = client.get(reverse("admin:accounts_user_delete", args=[author.pk]))
    assert TITLE not in deleting.content.decode()
