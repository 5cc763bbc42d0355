"""Fixtures shared by the inbox tests, on top of the cast in the root conftest."""

from __future__ import annotations

import pytest
import time_machine

from workmate.testing.factories import make_project


@pytest.fixture
def frozen(request: pytest.FixtureRequest):
    """Stops the clock at the test module's `NOW`.

    A module opts in with `pytestmark = pytest.mark.usefixtures("frozen")`.
    """
    with time_machine.travel(request.module.NOW, tick=False):
        yield


@pytest.fixture
def project(team, alice, bob):
    """Alice's project "Migration" in TE, where Bob is a member."""
    return make_project(name="Migration", team=team, owner=alice)
