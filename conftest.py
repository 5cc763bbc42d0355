"""The fixed cast every test can use (see docs/ARCHITECTURE.md, "Testing")."""

from __future__ import annotations

import pytest
from django.utils import translation

from workmate.accounts.models import TeamRole
from workmate.testing.factories import (
    add_member,
    make_contact,
    make_customer,
    make_team,
    make_user,
)

pytest_plugins = ["workmate.testing.browser", "workmate.testing.smtp"]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Tests run tasks at once in-process unless a test starts the real worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False
    # Code run outside a request (services, tasks) speaks English in tests unless a test
    # asks otherwise; requests still follow the person's or the browser's language.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def team(db):
    return make_team(code="TE", name="Technical Engineering")


@pytest.fixture
def alice(db, team):
    """Team lead and owner of things."""
    user = make_user(email="alice@example.com", full_name="Alice Kim")
    add_member(team, user, TeamRole.LEAD)
    return user


@pytest.fixture
def bob(db, team):
    """A plain team member."""
    user = make_user(email="bob@example.com", full_name="Bob Lee")
    add_member(team, user)
    return user


@pytest.fixture
def charlie(db):
    """An outsider in no team."""
    return make_user(email="charlie@example.com", full_name="Charlie Park")


@pytest.fixture
def client(client, settings):
    """The test client speaks English unless a test asks for Korean.

    Signed-in people get their own language anyway; this pins the language of
    logged-out pages, which otherwise follow LANGUAGE_CODE (Korean).
    """
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def customer_a(db):
    return make_customer(name="Hanbit Bank", email_domains=["hanbit.example"])


@pytest.fixture
def customer_b(db):
    return make_customer(name="Maru Market", email_domains=["maru.example"])


@pytest.fixture
def contact_a(customer_a):
    """A contact of customer A (who must never see customer B's tickets)."""
    return make_contact(customer_a, email="jisoo@hanbit.example", full_name="Jisoo Han")


@pytest.fixture
def contact_b(customer_b):
    """A contact of customer B."""
    return make_contact(customer_b, email="minho@maru.example", full_name="Minho Cho")
