"""@mentions on task comments: by full name, handle or token; never of people who cannot
see the task (nothing through the inbox, the API or mail); rendered as links."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from workmate.inbox.models import Kind, Notification
from workmate.lib.mentions import canonical
from workmate.testing.factories import add_member, make_project, make_task, make_user
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Comment, Visibility

JSON = "application/json"


@pytest.fixture
def haeun(team):
    person = make_user(email="haeun.yoon@example.com", full_name="윤하은", language="ko")
    add_member(team, person)
    return person


@pytest.fixture
def task(team, alice, bob, haeun):
    return make_task(project=make_project(name="Migration", team=team, owner=alice))


@pytest.fixture
def project_of(team, bob, haeun):
    return lambda owner: make_project(name="Docs", team=team, owner=owner)


@pytest.fixture
def private_task(team, alice):
    """A task of Alice's private project: her teammates Bob and 윤하은 cannot see it."""
    project = make_project(name="Reorg", team=team, owner=alice, visibility=Visibility.PRIVATE)
    return make_task(project=project, title="Secret reorg plan")


def test_mention_by_korean_full_name_tells_them(task, alice, haeun):
    result = services.do_add_comment(alice, task, "@윤하은님 확인 부탁드려요")

    assert result.mentioned == [haeun]
    [told] = Notification.objects.filter(recipient=haeun)
    assert told.kind == Kind.MENTION
    assert list(result.comment.mentions.all()) == [haeun]


def test_mention_by_latin_full_name_with_a_space(task, bob, alice):
    result = services.do_add_comment(bob, task, "@Alice Kim can you check?")

    assert result.mentioned == [alice]


def test_canonical_token_names_one_of_two_namesakes(task, alice, team):
    first = make_user(email="minsu@example.com", full_name="김민수")
    second = make_user(email="minsu.kim@example.com", full_name="김민수")
    add_member(team, first)
    add_member(team, second)

    with pytest.raises(ValidationError) as refused:
        services.do_add_comment(alice, task, "@김민수 봐 주세요")
    [message] = refused.value.message_dict["body"]
    assert "minsu@example.com" in message and "minsu.kim@example.com" in message
    assert not Comment.objects.exists()

    result = services.do_add_comment(alice, task, f"{canonical(second)} 봐 주세요")
    assert result.mentioned == [second]


def test_unknown_name_suggests_people_with_a_similar_name(task, alice, haeun):
    with pytest.raises(ValidationError) as refused:
        services.do_add_comment(alice, task, "@윤하 확인")

    [message] = refused.value.message_dict["body"]
    assert message == "Nobody is called @윤하. Did you mean 윤하은 (haeun.yoon@example.com)?"


def test_inactive_people_cannot_be_mentioned(task, alice, haeun):
    haeun.is_active = False
    haeun.save(update_fields=["is_active"])

    with pytest.raises(ValidationError):
        services.do_add_comment(alice, task, "@윤하은 확인")


# --- Privacy: a mention of someone who cannot see the task -----------------------------


def test_mentioning_someone_who_cannot_see_the_task_is_refused(private_task, alice, haeun):
    with pytest.raises(ValidationError) as refused:
        services.do_add_comment(alice, private_task, "@윤하은 이거 봐요", urgent_reason="오늘")

    [message] = refused.value.message_dict["body"]
    assert message.startswith("윤하은 cannot see this task")
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()
    assert not private_task.followers.filter(pk=haeun.pk).exists()


def test_refused_mention_sends_no_mail_and_no_inbox_item(
    client, private_task, alice, haeun, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("work:add_comment", args=[private_task.pk]),
            {"body": "@윤하은 see the plan", "urgent": "on", "urgent_reason": "Board at 3"},
        )

    assert response.status_code == 400
    assert "윤하은 cannot see this task" in response.content.decode()
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient=haeun).exists()
    client.force_login(haeun)
    inbox = client.get(reverse("inbox:home")).content.decode()
    assert "Secret reorg plan" not in inbox and "Board at 3" not in inbox


def test_api_refuses_the_mention_with_a_400(private_task, alice, haeun):
    response = token_client(alice).post(
        f"/api/v1/tasks/{private_task.pk}/comments",
        {"body": "@haeun.yoon see the plan"},
        content_type=JSON,
    )

    assert response.status_code == 400
    [message] = response.json()["errors"]["body"]
    assert message.startswith("윤하은 cannot see this task")
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()
    listed = token_client(haeun).get("/api/v1/inbox/notifications")
    assert listed.status_code == 200
    assert "Secret reorg plan" not in listed.content.decode()


def test_members_of_the_private_project_can_be_mentioned(private_task, alice, haeun):
    from workmate.work.models import ProjectMember, ProjectRole

    ProjectMember.objects.create(project=private_task.project, user=haeun, role=ProjectRole.VIEWER)

    result = services.do_add_comment(alice, private_task, "@윤하은 이거 봐요")

    assert result.mentioned == [haeun]


# --- The page: the help text, the links, the highlight ----------------------------------


def test_page_links_mentions_and_highlights_the_readers_own(client, task, alice, haeun):
    services.do_add_comment(alice, task, "@윤하은님 and @alice, see `@alice` in code")
    client.force_login(haeun)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    comments = page.split('id="comments"')[1]
    directory = reverse("directory")
    assert (
        f'<a href="{directory}?q=haeun.yoon%40example.com" class="mention mention-me"' in comments
    )
    assert ">@윤하은</a>님" in comments
    assert f'<a href="{directory}?q=alice%40example.com" class="mention"' in comments
    assert "<code>@alice</code>" in comments


def test_text_a_comment_did_not_resolve_stays_text(client, task, alice, bob):
    # A comment saved before names could be mentioned: `@Bob Lee` was not a mention then.
    Comment.objects.create(task=task, author=alice, body="@Bob Lee hello")
    client.force_login(alice)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    assert "@Bob Lee hello" in page.split('id="comments"')[1]
    assert 'class="mention' not in page


# --- Task descriptions ------------------------------------------------------------------


def test_description_mentions_are_stored_as_tokens_and_told_once(project_of, alice, bob, haeun):
    task = services.do_create_task(
        alice, project_of(alice), title="Review", description="@윤하은님 봐 주세요. `@property`"
    )

    task.refresh_from_db()
    assert task.description == f"@**윤하은|{haeun.pk}**님 봐 주세요. `@property`"
    assert [n.recipient for n in Notification.objects.filter(kind=Kind.MENTION)] == [haeun]
    assert task.followers.filter(pk=haeun.pk).exists()

    # Editing keeps her mention (no second notice) and adds Bob's (one notice).
    services.do_update_task(alice, task, {"description": task.description + " @Bob Lee too"})
    told = Notification.objects.filter(kind=Kind.MENTION).order_by("pk")
    assert [n.recipient for n in told] == [haeun, bob]


def test_description_mention_of_someone_who_cannot_see_is_refused(private_task, alice, haeun):
    with pytest.raises(ValidationError) as refused:
        services.do_update_task(alice, private_task, {"description": "Ask @윤하은"})

    assert "description" in refused.value.message_dict
    private_task.refresh_from_db()
    assert private_task.description == ""
    assert not Notification.objects.exists()


def test_api_task_create_refuses_a_blind_mention_in_the_description(team, alice, haeun):
    project = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)

    response = token_client(alice).post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "Plan", "description": "cc @haeun.yoon"},
        content_type=JSON,
    )

    assert response.status_code == 400, response.content
    assert "윤하은 cannot see this task" in response.json()["errors"]["description"][0]
    assert not project.tasks.exists()
    assert not Notification.objects.exists()


def test_description_mentions_link_on_the_task_page(client, project_of, alice, haeun):
    task = services.do_create_task(
        alice, project_of(alice), title="Review", description="For @윤하은 to check"
    )
    client.force_login(alice)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    description = page.split('class="task-description"')[1].split("</div>")[0]
    assert 'class="mention"' in description and ">@윤하은</a> to check" in description


def test_edit_form_offers_the_autocomplete_on_the_description(client, task, alice):
    client.force_login(alice)

    page = client.get(reverse("work:edit_task", args=[task.pk])).content.decode()

    assert f'data-mention-url="{reverse("work:mention_people")}?task={task.pk}"' in page
    [textarea] = re.findall(r'<textarea name="description"[^>]*>', page)
    assert 'data-mention=""' in textarea


def test_a_comment_without_an_at_sign_does_not_read_the_directory(task, alice, monkeypatch):
    def unread() -> None:
        raise AssertionError("read everyone for a comment that mentions nobody")

    monkeypatch.setattr(services, "mention_directory", unread)

    result = services.do_add_comment(alice, task, "No mentions here.")

    assert result.mentioned == []
