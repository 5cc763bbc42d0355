"""Fixtures shared by the desk tests, on top of the cast in the root conftest."""

from __future__ import annotations

import pytest

from workmate.desk.models import ContractTier
from workmate.testing.factories import add_member, make_sla_policy, make_team, make_user


@pytest.fixture
def erin(db):
    """Erin in Customer Success (SE): a customer's SE owner where a test makes her one."""
    se = make_team(code="SE", name="Customer Success")
    person = make_user(email="erin@example.com", full_name="Erin Owner")
    add_member(se, person)
    return person


@pytest.fixture
def policy(team):
    """The business tier's P3 policy: 1 h first response, 8 h resolution, in business hours.

    `team` is TE, the support team: Mon–Fri 09:00–18:00 Seoul, Korean holidays off.
    """
    return make_sla_policy(
        tier=ContractTier.BUSINESS, priority=3, first_response_minutes=60, resolution_minutes=480
    )
