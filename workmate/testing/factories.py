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


def make_customer(**overrides: Any):
    from workmate.desk.models import ContractTier, Customer, Industry

    number = next(_sequence)
    fields: dict[str, Any] = {
        "name": f"Customer {number}",
        "industry": Industry.OTHER,
        "tier": ContractTier.BUSINESS,
        "email_domains": [f"customer{number}.example"],
    }
    fields.update(overrides)
    return Customer.objects.create(**fields)


def make_contact(*customers: Any, **overrides: Any):
    """A customer's contact, member of `customers`; `password` lets them use the portal."""
    from workmate.desk.models import Contact, ContactMembership

    number = next(_sequence)
    fields: dict[str, Any] = {
        "email": f"contact{number}@example.net",
        "full_name": f"Contact {number}",
        "language": "en",
    }
    fields.update(overrides)
    password = fields.pop("password", DEFAULT_PASSWORD)
    contact = Contact(**fields)
    contact.set_password(password)
    contact.save()
    for customer in customers:
        ContactMembership.objects.create(customer=customer, contact=contact)
    return contact


def make_sla_policy(**overrides: Any):
    from workmate.desk.models import ContractTier, SLAPolicy

    fields: dict[str, Any] = {
        "tier": ContractTier.BUSINESS,
        "priority": 3,
        "first_response_minutes": 4 * 60,
        "resolution_minutes": 16 * 60,
    }
    fields.update(overrides)
    return SLAPolicy.objects.create(**fields)


def make_ticket(**overrides: Any):
    """A ticket opened through the desk's own service, so its SLA clocks are set."""
    from workmate.desk import services

    fields: dict[str, Any] = {"subject": f"Ticket {next(_sequence)}"}
    fields.update(overrides)
    if "customer" not in fields:
        fields["customer"] = make_customer()
    if "requester" not in fields:
        fields["requester"] = make_contact(fields["customer"])
    return services.do_create_ticket(**fields)


def make_space(**overrides: Any):
    """A library space; a team space of a new team unless told otherwise."""
    from workmate.library.models import Space, SpaceKind

    number = next(_sequence)
    fields: dict[str, Any] = {"name": f"Space {number}", "key": f"S{number}"}
    fields.update(overrides)
    if fields.get("kind", SpaceKind.TEAM) == SpaceKind.TEAM and "team" not in fields:
        fields["team"] = make_team()
    return Space.objects.create(**fields)


def make_page(**overrides: Any):
    """A library page with its first published revision (through the service)."""
    from workmate.library.services import do_create_page

    number = next(_sequence)
    space = overrides.pop("space", None) or make_space()
    owner = overrides.pop("owner", None) or make_user()
    return do_create_page(
        owner,
        space,
        title=overrides.pop("title", f"Page {number}"),
        body=overrides.pop("body", f"Text of page {number}."),
        check_rights=False,
        **overrides,
    )
