"""Log-in throttling (axes), the Content Security Policy and the other security headers."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from workmate.testing.factories import DEFAULT_PASSWORD

LOGIN = reverse("login")


@pytest.fixture
def axes_on(settings):
    # The project's conftest switches axes off so other tests can fail log-ins freely.
    settings.AXES_ENABLED = True
    return settings.AXES_FAILURE_LIMIT


def attempt(client, username: str, password: str = "wrong-password"):
    return client.post(LOGIN, {"username": username, "password": password})


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, alice, axes_on):
    for _ in range(axes_on):
        attempt(client, "alice@example.com")

    response = attempt(client, "alice@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_failures_are_recorded_under_the_address(client, alice, axes_on):
    attempt(client, "Alice@Example.com")

    (record,) = AccessAttempt.objects.all()
    assert (record.username, record.failures_since_start) == ("alice@example.com", 1)


def test_fewer_failures_than_the_limit_still_let_the_person_in(client, alice, axes_on):
    for _ in range(axes_on - 1):
        attempt(client, "alice@example.com")

    response = attempt(client, "alice@example.com", DEFAULT_PASSWORD)

    assert response.url == reverse("home")
    assert int(client.session[SESSION_KEY]) == alice.pk


def test_changing_the_case_of_the_address_does_not_buy_more_attempts(client, alice, axes_on):
    for number in range(axes_on):
        attempt(client, "alice@example.com".upper() if number % 2 else " Alice@Example.com")

    response = attempt(client, "alice@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_locked_account_does_not_lock_others(client, alice, bob, axes_on):
    for _ in range(axes_on):
        attempt(client, "alice@example.com")

    response = attempt(client, "bob@example.com", DEFAULT_PASSWORD)

    assert response.url == reverse("home")
    assert int(client.session[SESSION_KEY]) == bob.pk


def policy_of(response) -> dict[str, str]:
    directives = response["Content-Security-Policy"].split(";")
    return dict(directive.strip().split(" ", 1) for directive in directives)


def assert_no_inline_code(page: str) -> None:
    # The policy allows no inline code, so the pages must not contain any.
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts
    assert all(" src=" in tag for tag in scripts)
    assert "<style" not in page
    assert " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)


@pytest.mark.parametrize("url_name", ["home", "directory", "profile", "password_change"])
def test_pages_carry_a_strict_content_security_policy(client, alice, url_name):
    client.force_login(alice)

    response = client.get(reverse(url_name))

    policy = policy_of(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert_no_inline_code(response.content.decode())


def test_login_page_carries_the_policy_too(client, db):
    response = client.get(LOGIN)

    assert policy_of(response)["script-src"] == "'self'"
    assert_no_inline_code(response.content.decode())


def test_security_headers(client, db):
    response = client.get(LOGIN)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_lax(client, alice):
    response = attempt(client, "alice@example.com", DEFAULT_PASSWORD)

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
