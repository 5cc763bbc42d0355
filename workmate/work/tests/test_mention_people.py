"""GET /work/mentions/?q=…&task=…: the @mention autocomplete's options."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.testing.factories import add_member, make_contact, make_project, make_task, make_user
from workmate.work.models import Visibility

URL = reverse("work:mention_people")


@pytest.fixture
def haeun(team):
    person = make_user(email="haeun.yoon@example.com", full_name="윤하은")
    add_member(team, person)
    return person


@pytest.fixture
def task(team, alice, bob, haeun):
    return make_task(project=make_project(team=team, owner=alice))


@pytest.fixture
def private_task(team, alice):
    return make_task(project=make_project(team=team, owner=alice, visibility=Visibility.PRIVATE))


def options(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"')[0] for part in html.split('data-insert="')[1:]]


def test_part_of_a_korean_name_finds_the_person_with_their_token(client, task, bob, haeun):
    client.force_login(bob)

    response = client.get(URL, {"q": "하은", "task": task.pk})

    assert response.status_code == 200
    assert options(response) == [f"@**윤하은|{haeun.pk}**"]
    assert 'role="option"' in response.content.decode()
    assert "@haeun.yoon" in response.content.decode()


def test_latin_name_with_a_space_and_email_handle(client, task, bob, alice):
    client.force_login(bob)

    assert options(client.get(URL, {"q": "alice k", "task": task.pk})) == [
        f"@**Alice Kim|{alice.pk}**"
    ]
    assert options(client.get(URL, {"q": "ALI", "task": task.pk})) == [f"@**Alice Kim|{alice.pk}**"]


def test_names_starting_with_the_text_come_first(client, task, bob, team):
    later = make_user(full_name="Kim Ha", email="kimha@example.com")
    add_member(team, later)
    client.force_login(bob)

    found = options(client.get(URL, {"q": "kim", "task": task.pk}))

    assert found[0] == f"@**Kim Ha|{later.pk}**"
    assert len(found) == 2


def test_only_people_who_can_see_the_task_are_offered(client, private_task, alice, bob, haeun):
    client.force_login(alice)

    assert options(client.get(URL, {"q": "", "task": private_task.pk})) == [
        f"@**Alice Kim|{alice.pk}**"
    ]


def test_inactive_people_and_customer_contacts_are_never_offered(
    client, task, bob, haeun, customer_a
):
    make_contact(customer_a, email="haeun@hanbit.example", full_name="윤하은 고객")
    make_user(full_name="윤하은 퇴사", email="left@example.com", is_active=False)
    client.force_login(bob)

    found = options(client.get(URL, {"q": "윤하은"}))

    assert found == [f"@**윤하은|{haeun.pk}**"]


def test_nobody_found_says_so(client, task, bob):
    client.force_login(bob)

    html = client.get(URL, {"q": "zzz", "task": task.pk}).content.decode()

    assert "Nobody found for “zzz”." in html
    assert 'role="option"' not in html


def test_outsider_gets_404_for_a_task_they_cannot_see(client, private_task, bob):
    client.force_login(bob)

    assert client.get(URL, {"q": "a", "task": private_task.pk}).status_code == 404
    assert client.get(URL, {"q": "a", "task": "x1"}).status_code == 404
    assert client.get(URL, {"q": "a", "task": "99999999999999999999"}).status_code == 404


def test_signed_out_and_wrong_method(client, task, bob):
    assert client.get(URL, {"q": "a"}).status_code == 302
    client.force_login(bob)
    assert client.post(URL, {"q": "a"}).status_code == 405


def test_query_count_does_not_grow_with_people(client, task, bob, team, django_assert_num_queries):
    for number in range(12):
        add_member(team, make_user(full_name=f"Kim {number}"))
    client.force_login(bob)
    client.get(URL, {"q": "kim", "task": task.pk})

    # Session and user, the task (with its project), the people.
    with django_assert_num_queries(4):
        response = client.get(URL, {"q": "kim", "task": task.pk})
    assert len(options(response)) == 8


def test_the_task_page_offers_the_autocomplete_and_says_how_to_mention(client, task, bob):
    client.force_login(bob)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    assert f'data-mention-url="{URL}?task={task.pk}"' in page
    assert "js/mentions.js" in page
    assert "@윤하은, @Alice Kim, @alice" in page
