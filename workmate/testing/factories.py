"""Plain factory functions for tests: each builds one valid object, overrides welcome."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from workmate.accounts.models import Membership, Team, TeamRole, User, WorkProfile

if TYPE_CHECKING:
    from workmate.work.models import Project, Task

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "correct-horse-battery-staple"


def make_user(**overrides: Any) -> User:
    number = next(_sequence)
    profile_fields = overrides.pop("profile", {})
    fields: dict[str, Any] = {
        "email": f"person{number}@example.com",
        "full_name": f"Person {number}",
        "language": "en",
    }
    fields.update(overrides)
    password = fields.pop("password", DEFAULT_PASSWORD)
    user = User.objects.create_user(password=password, **fields)
    if profile_fields:
        WorkProfile.objects.filter(user=user).update(**profile_fields)
        user.refresh_from_db()
    return user


def make_team(**overrides: Any) -> Team:
    number = next(_sequence)
    fields: dict[str, Any] = {"code": f"T{number}", "name": f"Team {number}"}
    fields.update(overrides)
    return Team.objects.create(**fields)


def add_member(team: Team, user: User, role: str = TeamRole.MEMBER) -> Membership:
    return Membership.objects.create(team=team, user=user, role=role)


def make_project(**overrides: Any) -> Project:
    from workmate.work.models import Project

    number = next(_sequence)
    fields: dict[str, Any] = {"name": f"Project {number}"}
    fields.update(overrides)
    if "team" not in fields:
        fields["team"] = make_team()
    if "owner" not in fields:
        fields["owner"] = make_user()
    return Project.objects.create(**fields)


def make_task(**overrides: Any) -> Task:
    from workmate.work.models import Task

    number = next(_sequence)
    fields: dict[str, Any] = {"title": f"Task {number}"}
    fields.update(overrides)
    if "project" not in fields:
        fields["project"] = make_project()
    fields.setdefault("created_by", fields["project"].owner)
    return Task.objects.create(**fields)
