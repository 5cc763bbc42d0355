"""The advisor's cast: the LE team and its architect, beside the shared one."""

from __future__ import annotations

import pytest

from workmate.accounts.models import TeamRole
from workmate.testing.factories import add_member, make_assessment, make_team, make_user


@pytest.fixture
def le_team(db):
    return make_team(code="LE", name="Lead Engineering")


@pytest.fixture
def architect(le_team):
    """An LE architect (member of the LE team)."""
    user = make_user(email="dana@example.com", full_name="Dana Yoon")
    add_member(le_team, user, TeamRole.MEMBER)
    return user


@pytest.fixture
def architect2(le_team):
    """Another LE architect."""
    user = make_user(email="eun@example.com", full_name="Eun Seo")
    add_member(le_team, user, TeamRole.MEMBER)
    return user


@pytest.fixture
def assessment(architect, customer_a):
    return make_assessment(customer=customer_a, architect=architect, name="2026 DC exit, phase 1")
