"""Spaces of every kind for the library's tests, on the fixed cast (alice leads TE, bob is
in TE, charlie is in no team)."""

from __future__ import annotations

import pytest

from workmate.accounts.models import OrgRole
from workmate.library.models import SpaceKind, SpaceMembership, SpaceRole
from workmate.testing.factories import add_member, make_space, make_team, make_user


@pytest.fixture
def space(team):
    """TE's team space: alice (lead) is its editor, bob writes, others read."""
    return make_space(name="TE 런북", key="TE", kind=SpaceKind.TEAM, team=team)


@pytest.fixture
def private_space(alice):
    """A private space with alice as its editor."""
    space = make_space(name="비밀 공간", key="secret", kind=SpaceKind.PRIVATE, team=None)
    SpaceMembership.objects.create(space=space, user=alice, role=SpaceRole.EDITOR)
    return space


@pytest.fixture
def other_team_member(db):
    """Dana, in another team (LE)."""
    person = make_user(email="dana@example.com", full_name="Dana Choi")
    add_member(make_team(code="LE", name="Licensing"), person)
    return person


@pytest.fixture
def executive(db):
    return make_user(email="erin@example.com", full_name="Erin Yoon", org_role=OrgRole.EXECUTIVE)
