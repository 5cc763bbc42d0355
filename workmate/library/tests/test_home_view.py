"""The library's home: the spaces the viewer may read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.library.models import SpaceKind, SpaceMembership, SpaceRole
from workmate.testing.factories import make_page, make_space

pytestmark = pytest.mark.django_db


def test_lists_readable_spaces_with_counts_in_korean_order(client, team, alice, bob):
    make_space(name="하늘 운영", key="sky", team=team)
    nbd = make_space(name="가람 NBD", key="nbd", kind=SpaceKind.ORG, team=None)
    make_page(space=nbd, owner=alice)
    make_page(space=nbd, owner=alice)
    make_space(name="Alpha", key="alpha", kind=SpaceKind.ORG, team=None)
    hidden = make_space(name="나라 비밀", key="hidden", kind=SpaceKind.PRIVATE, team=None)
    SpaceMembership.objects.create(space=hidden, user=alice, role=SpaceRole.EDITOR)
    client.force_login(bob)

    response = client.get(reverse("library:home"))

    assert response.status_code == 200
    names = [space.name for space in response.context["spaces"]]
    assert names == ["가람 NBD", "하늘 운영", "Alpha"]
    assert "나라 비밀" not in response.content.decode()
    counts = {
        space.key: (space.page_count, space.review_count) for space in response.context["spaces"]
    }
    assert counts["nbd"] == (2, 2)


def test_members_see_their_private_space(client, alice):
    hidden = make_space(name="나라 비밀", key="hidden", kind=SpaceKind.PRIVATE, team=None)
    SpaceMembership.objects.create(space=hidden, user=alice, role=SpaceRole.READER)
    client.force_login(alice)
    assert "나라 비밀" in client.get(reverse("library:home")).content.decode()


def test_signed_out_people_are_sent_to_log_in(client):
    response = client.get(reverse("library:home"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_home_query_count_is_constant(client, team, alice, django_assert_num_queries):
    for number in range(5):
        space = make_space(name=f"Space {number}", key=f"k{number}", team=team)
        make_page(space=space, owner=alice)
    client.force_login(alice)
    client.get(reverse("library:home"))  # warm caches (nav, collation check)
    with django_assert_num_queries(3):
        client.get(reverse("library:home"))
