"""The success app's cast: an SE team with an SE owner, an LE architect, two customers."""

from __future__ import annotations

import pytest

from workmate.testing.factories import add_member, make_contact, make_team, make_user


@pytest.fixture
def se_team(db):
    return make_team(code="SE", name="Solutions Engineering")


@pytest.fixture
def le_team(db):
    return make_team(code="LE", name="Lead Engineering")


@pytest.fixture
def sam(db, se_team):
    """The SE owner of customer_a."""
    user = make_user(email="sam@example.com", full_name="Sam Choi")
    add_member(se_team, user)
    return user


@pytest.fixture
def sena(db, se_team):
    """Another SE, owning no customer here."""
    user = make_user(email="sena@example.com", full_name="Sena Jung")
    add_member(se_team, user)
    return user


@pytest.fixture
def leo(db, le_team):
    """An LE architect: reads accounts, changes nothing."""
    user = make_user(email="leo@example.com", full_name="Leo Han")
    add_member(le_team, user)
    return user


@pytest.fixture
def owned_a(customer_a, sam):
    customer_a.se_owner = sam
    customer_a.save(update_fields=["se_owner"])
    return customer_a


@pytest.fixture
def contact_a(customer_a):
    return make_contact(customer_a, email="jin@hanbit.example", full_name="Jin Oh")


@pytest.fixture
def contact_b(customer_b):
    return make_contact(customer_b, email="mina@maru.example", full_name="Mina Seo")
