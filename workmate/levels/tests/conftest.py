"""The levels cast: Bob (member of TE) is the person whose ledger is read; around him a
colleague in his team, a member and a lead of another team, his lead Alice, an executive
and an administrator (staff, superuser) who is no executive."""

from __future__ import annotations

from typing import Any

import pytest

from workmate.accounts.models import OrgRole, TeamRole
from workmate.levels import ledger
from workmate.levels.ladder_seed import seed_msp_ladder
from workmate.levels.models import EntryKind, LedgerEntry
from workmate.testing.factories import add_member, make_team, make_user


@pytest.fixture
def ladder(db):
    return seed_msp_ladder()


@pytest.fixture
def other_team(db):
    return make_team(code="SD", name="Software Development")


@pytest.fixture
def dave(team):
    """Bob's teammate."""
    user = make_user(email="dave@example.com", full_name="Dave Jung")
    add_member(team, user)
    return user


@pytest.fixture
def erin(other_team):
    """A member of another team."""
    user = make_user(email="erin@example.com", full_name="Erin Song")
    add_member(other_team, user)
    return user


@pytest.fixture
def frank(other_team):
    """The lead of another team."""
    user = make_user(email="frank@example.com", full_name="Frank Ahn")
    add_member(other_team, user, TeamRole.LEAD)
    return user


@pytest.fixture
def grace(db):
    """An executive (in no team)."""
    return make_user(email="grace@example.com", full_name="Grace Moon", org_role=OrgRole.EXECUTIVE)


@pytest.fixture
def sam(db):
    """An administrator: staff status and superuser, but not an executive."""
    return make_user(
        email="sam@example.com",
        full_name="Sam Admin",
        org_role=OrgRole.STAFF,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def cast(alice, bob, dave, erin, frank, grace, sam):
    return {
        "self": bob,
        "teammate": dave,
        "other_member": erin,
        "lead": alice,
        "other_lead": frank,
        "executive": grace,
        "admin": sam,
    }


def add_entry(person, kind: str = EntryKind.TASK_COMPLETED, **fields: Any) -> LedgerEntry:
    """An entry as the system writes it."""
    title = fields.pop("title", f"{kind} of {person.full_name}")
    ledger.record(person, kind, title=title, **fields)
    return LedgerEntry.objects.filter(person=person).order_by("-id").first()
